package hf

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/expand"
)

// TestDecodersAgainstPyTorch exports GPT-2 and LLaMA-style models — a random source and its
// LEMON expansion (2× width, 2× heads with the key/value heads, 2× depth) — as transformers'
// GPT2LMHeadModel and LlamaForCausalLM, and has scripts/hf_torch.py, an independent PyTorch
// build of those module trees, load each folder strictly and compare its logits with ours
// (float32: relative 1e-5; float64: 1e-12). It needs a Python with torch, named by
// GOLEMON_TORCH_PYTHON (scripts/check_hf.sh sets it); without it the test is skipped.
func TestDecodersAgainstPyTorch(t *testing.T) {
	py := os.Getenv("GOLEMON_TORCH_PYTHON")
	if py == "" {
		t.Skip("GOLEMON_TORCH_PYTHON is not set (scripts/check_hf.sh runs this test with Debian's python3-torch)")
	}
	script, err := filepath.Abs("../../scripts/hf_torch.py")
	if err != nil {
		t.Fatal(err)
	}
	be := backend.MustNew()
	for _, dtype := range []string{"float32", "float64"} {
		rtol := "1e-5"
		if dtype == "float64" {
			rtol = "1e-12"
		}
		for name, cfg := range map[string]arch.Config{
			"gpt2": gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40,
				Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true}, VocabSize: 37, MaxPositions: 16}),
			"gpt2-gelu_new": gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40,
				Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true, Activation: arch.GELUTanh}, VocabSize: 37, MaxPositions: 16}),
			"llama": llama.New(llama.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 4, HeadDim: 4, MLPDim: 24,
				Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true, NormKind: arch.RMSNormKind,
				MLPKind: arch.SwiGLUMLP, KVHeads: 2, RoPETheta: 10000, NoBias: true}, VocabSize: 37, MaxPositions: 16}),
			"llama-tied": llama.New(llama.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 4, HeadDim: 4, MLPDim: 24,
				Norm: arch.PreLN, LayerNormEps: 1e-5, DType: dtype, Causal: true, NormKind: arch.RMSNormKind,
				MLPKind: arch.SwiGLUMLP, KVHeads: 2, RoPETheta: 500000, NoBias: true}, VocabSize: 37, MaxPositions: 16, TieEmbeddings: true}),
		} {
			src := randomized(t, cfg, 5)
			spec := expand.Spec{Width: 32, Heads: 2 * cfg.Enc().Heads, MLPDim: 2 * cfg.Enc().MLPDim, Layers: 4}
			if strings.HasPrefix(name, "gpt2") {
				spec.HeadDim = 8 // GPT-2 needs n_embd = n_head × head dim: 32 = 4 × 8
			}
			plan, err := expand.NewPlan(cfg, spec, expand.LEMON, expand.Options{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			tgt, err := plan.Apply(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []struct {
				what  string
				model arch.Model
			}{{"source", src}, {"LEMON ×2", tgt}} {
				dir := filepath.Join(t.TempDir(), "export")
				ex, err := Save(dir, m.model, SaveOptions{})
				if err != nil {
					t.Fatalf("%s %s: %v", name, m.what, err)
				}
				in := expand.RandomInputs(m.model.Config, 2, 9)
				out, err := expand.Forward(be, m.model, in)
				if err != nil {
					t.Fatal(err)
				}
				seq := in.Tokens.Shape().Dim(1)
				ours := filepath.Join(t.TempDir(), "ours.safetensors")
				vocab, _ := m.model.Config.Family().(arch.CausalLM).CausalLM()
				if err := WriteInputsAndLogits(ours, m.model.Config, in, out.Flat[0], []int{2, seq, vocab}); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(py, script, "check", "--model", dir, "--ours", ours, "--rtol", rtol)
				res, err := cmd.CombinedOutput()
				t.Logf("%s %s %s as %s (%d tensors):\n%s", dtype, name, m.what, ex.Architecture, ex.Tensors, strings.TrimSpace(string(res)))
				if err != nil {
					t.Errorf("%s %s %s: the PyTorch check failed: %v", dtype, name, m.what, err)
				}
				if m.what != "source" {
					continue
				}
				// Negative control: our logits from the same weights with one key weight moved
				// by 0.5 must fail the same check.
				bad := randomized(t, cfg, 5)
				key := "/" + arch.InBlock(0, arch.Key, arch.Weights)
				w := values(t, bad, arch.InBlock(0, arch.Key, arch.Weights))
				w[3] += 0.5
				if err := bad.Store.GetVariable(key).SetValue(arch.NewTensor(arch.DTypeOf(cfg.Enc()), w, bad.Store.GetVariable(key).Shape().Dimensions)); err != nil {
					t.Fatal(err)
				}
				badOut, err := expand.Forward(be, bad, in)
				if err != nil {
					t.Fatal(err)
				}
				// mustFail writes logits as ours and requires the PyTorch check to reject them.
				mustFail := func(what string, logits []float64) {
					t.Helper()
					if err := WriteInputsAndLogits(ours, m.model.Config, in, logits, []int{2, seq, vocab}); err != nil {
						t.Fatal(err)
					}
					res, err := exec.Command(py, script, "check", "--model", dir, "--ours", ours, "--rtol", rtol).CombinedOutput()
					if err == nil {
						t.Errorf("%s %s: %s passed the PyTorch check:\n%s", dtype, name, what, res)
						return
					}
					lines := strings.Split(strings.TrimSpace(string(res)), "\n")
					t.Logf("negative control (%s) caught: %s", what, strings.TrimSpace(lines[len(lines)-2]))
				}
				mustFail("one key weight + 0.5", badOut.Flat[0])
				if !cfg.Enc().TanhGELU() || dtype != "float64" {
					continue
				}
				// Negative control (float64: the two forms differ by ~6e-6 relative here, under
				// float32's 1e-5): our logits with the exact GELU in place of the tanh form the
				// export names must fail the same check.
				c := cfg.Other.(gpt2.Config)
				c.Encoder.Activation = arch.GELUExact
				exactOut, err := expand.Forward(be, arch.Model{Config: gpt2.New(c), Store: m.model.Store}, in)
				if err != nil {
					t.Fatal(err)
				}
				mustFail("the exact GELU's logits against gelu_new", exactOut.Flat[0])
			}
		}
	}
}

// TestDecoderImportRefusals: decoder configs this library would compute differently are
// refused, naming the field.
func TestDecoderImportRefusals(t *testing.T) {
	g := gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-5, Causal: true}, VocabSize: 11, MaxPositions: 8})
	l := llama.New(llama.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16,
		Norm: arch.PreLN, LayerNormEps: 1e-5, Causal: true, NormKind: arch.RMSNormKind, MLPKind: arch.SwiGLUMLP,
		RoPETheta: 10000, NoBias: true}, VocabSize: 11, MaxPositions: 8})
	for _, c := range []struct {
		cfg        arch.Config
		from, to   string
		wantSubstr string
	}{
		{g, `"activation_function": "gelu"`, `"activation_function": "gelu_fast"`, `activation_function "gelu_fast" is not computed`},
		{g, `"tie_word_embeddings": true`, `"tie_word_embeddings": false`, "only GPT-2's tied LM head"},
		{l, `"rope_scaling": null`, `"rope_scaling": {"type": "linear", "factor": 2}`, "rope_scaling"},
		{l, `"hidden_act": "silu"`, `"hidden_act": "gelu"`, `hidden_act "gelu"`},
		{l, `"attention_bias": false`, `"attention_bias": true`, "attention_bias true with mlp_bias false"},
	} {
		dir := filepath.Join(t.TempDir(), "export")
		if _, err := Save(dir, randomized(t, c.cfg, 1), SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, ConfigFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), c.from) {
			t.Fatalf("config.json lacks %s:\n%s", c.from, raw)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(raw), c.from, c.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), c.wantSubstr) {
			t.Errorf("%s → %s: want an error with %q, got %v", c.from, c.to, c.wantSubstr, err)
		}
	}
}

// TestOpenAIGPT2Layout: a folder laid out as OpenAI's GPT-2 is published (config.json with
// GPT2Config's own fields and activation_function "gelu_new", tensor names without the
// "transformer." prefix, no lm_head, each block's causal-mask buffer "h.<i>.attn.bias") loads
// as the tanh-GELU GPT-2 with every weight in place: its logits equal the model it was written
// from, bit for bit.
func TestOpenAIGPT2Layout(t *testing.T) {
	cfg := gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 64,
		Norm: arch.PreLN, LayerNormEps: 1e-5, Causal: true, Activation: arch.GELUTanh}, VocabSize: 37, MaxPositions: 16})
	m := randomized(t, cfg, 4)
	ours := filepath.Join(t.TempDir(), "ours")
	if _, err := Save(ours, m, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(filepath.Join(ours, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ts []Tensor
	for _, n := range f.Names() {
		v, shape, err := f.ReadFloat64(n)
		if err != nil {
			t.Fatal(err)
		}
		if n == "lm_head.weight" {
			continue // OpenAI's file has none: the head is tied to wte
		}
		ts = append(ts, Tensor{Name: strings.TrimPrefix(n, "transformer."), DType: F32, Shape: shape, Data: v})
	}
	for i := range 2 { // the lower-triangular mask buffers, [1, 1, n_ctx, n_ctx]
		mask := make([]float64, 16*16)
		for r := range 16 {
			for c := 0; c <= r; c++ {
				mask[r*16+c] = 1
			}
		}
		ts = append(ts, Tensor{Name: fmt.Sprintf("h.%d.attn.bias", i), DType: F32, Shape: []int{1, 1, 16, 16}, Data: mask})
	}
	dir := filepath.Join(t.TempDir(), "openai")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, WeightsFile), ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	conf := `{"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
  "bos_token_id": 36, "embd_pdrop": 0.1, "eos_token_id": 36, "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 16, "n_embd": 16, "n_head": 2,
  "n_layer": 2, "n_positions": 16, "resid_pdrop": 0.1, "summary_activation": null,
  "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
  "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
  "vocab_size": 37}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	im, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !im.Config.Enc().TanhGELU() || !arch.SameConfig(im.Config, m.Config) {
		a, _ := im.Config.MarshalIndent()
		t.Fatalf("OpenAI's layout read as\n%s", a)
	}
	be := backend.MustNew()
	in := expand.RandomInputs(cfg, 2, 7)
	d, err := expand.Compare(be, m, im.Model, in)
	if err != nil || d.MaxAbs != 0 {
		t.Errorf("OpenAI's layout: logits differ from the model written: %v (%v)", d, err)
	}
	t.Logf("notes: %v", im.Notes)
}
