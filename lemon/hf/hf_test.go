package hf

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/expand"
)

// tinyBERT is a Post-LN BERT as transformers builds it (embedding LN, MLM transform).
func tinyBERT(classes int) arch.Config {
	b := bert.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40, Norm: arch.PostLN, LayerNormEps: 1e-12},
		VocabSize: 50, MaxPositions: 16, TypeVocabSize: 2, EmbeddingLN: true, MLMTransform: classes == 0, NumClasses: classes}
	return bert.New(b)
}

func tinyViT(dtype string) arch.Config {
	v := vit.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40, Norm: arch.PreLN, LayerNormEps: 1e-6, DType: dtype},
		ImageSize: 8, Channels: 3, PatchSize: 4, NumClasses: 5}
	return vit.New(v)
}

// randomized is a fresh model with every variable drawn at random (gains and offsets too), so
// that a transposed or misplaced tensor cannot go unnoticed.
func randomized(t *testing.T, cfg arch.Config, seed uint64) arch.Model {
	t.Helper()
	m, err := arch.New(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, spec := range cfg.Vars() {
		values := make([]float64, spec.Size())
		for j := range values {
			i++
			values[j] = math.Sin(float64(i)*0.7+float64(seed)) * 0.3
		}
		if err := m.Store.GetVariable("/" + spec.Path).SetValue(arch.NewTensor(arch.DTypeOf(cfg.Enc()), values, spec.Shape)); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func values(t *testing.T, m arch.Model, path string) []float64 {
	t.Helper()
	v, err := m.Store.GetVariable("/" + path).Value()
	if err != nil {
		t.Fatal(err)
	}
	return flat(v)
}

// TestExportImportBitExact: import(export(m)) holds every variable bit for bit, for BERT
// (MLM and classifier), ViT, GPT-2 and LLaMA (grouped-query, untied; and tied with biases and
// a head dimension other than D/H), float32 and float64.
func TestExportImportBitExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  arch.Config
		arch string
	}{
		{"bert-mlm", tinyBERT(0), BertForMaskedLM},
		{"bert-cls", tinyBERT(3), BertForSequenceClassification},
		{"vit-f32", tinyViT(""), ViTForImageClassification},
		{"vit-f64", tinyViT("float64"), ViTForImageClassification},
		{"gpt2", gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40,
			Norm: arch.PreLN, LayerNormEps: 1e-5, Causal: true}, VocabSize: 37, MaxPositions: 16}), GPT2LMHeadModel},
		{"gpt2-gelu_new", gpt2.New(gpt2.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 8, MLPDim: 40,
			Norm: arch.PreLN, LayerNormEps: 1e-5, Causal: true, Activation: arch.GELUTanh}, VocabSize: 37, MaxPositions: 16}), GPT2LMHeadModel},
		{"bert-gelu_new", func() arch.Config {
			b, _ := bert.Of(tinyBERT(0))
			b.Encoder.Activation = arch.GELUTanh
			return bert.New(b)
		}(), BertForMaskedLM},
		{"llama-gqa", llama.New(llama.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 4, HeadDim: 4, MLPDim: 24,
			Norm: arch.PreLN, LayerNormEps: 1e-5, DType: "float64", Causal: true, NormKind: arch.RMSNormKind,
			MLPKind: arch.SwiGLUMLP, KVHeads: 2, RoPETheta: 10000, NoBias: true}, VocabSize: 37, MaxPositions: 16}), LlamaForCausalLM},
		{"llama-tied-bias", llama.New(llama.Config{Encoder: arch.Encoder{Layers: 2, Width: 16, Heads: 2, HeadDim: 6, MLPDim: 24,
			Norm: arch.PreLN, LayerNormEps: 1e-6, Causal: true, NormKind: arch.RMSNormKind,
			MLPKind: arch.SwiGLUMLP, RoPETheta: 500000}, VocabSize: 37, MaxPositions: 16, TieEmbeddings: true}), LlamaForCausalLM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := randomized(t, tc.cfg, 3)
			if tc.name == "bert-cls" { // the classifier's zero decoder bias is not exported
				b, _ := bert.Of(tc.cfg)
				zero := make([]float64, b.VocabSize)
				if err := m.Store.GetVariable("/" + bert.MLMDecoderBias).SetValue(arch.NewTensor(arch.DTypeOf(tc.cfg.Enc()), zero, []int{len(zero)})); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(t.TempDir(), "export")
			ex, err := Save(dir, m, SaveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if ex.Architecture != tc.arch {
				t.Fatalf("exported as %s, want %s", ex.Architecture, tc.arch)
			}
			im, err := Load(dir, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !arch.SameConfig(im.Config, m.Config) {
				a, _ := im.Config.MarshalIndent()
				b, _ := m.Config.MarshalIndent()
				t.Fatalf("config changed:\n%s\nwant\n%s", a, b)
			}
			for _, spec := range tc.cfg.Vars() {
				got, want := values(t, im.Model, spec.Path), values(t, m, spec.Path)
				if !slices.Equal(got, want) {
					t.Fatalf("%s differs after the round trip", spec.Path)
				}
			}
			// Negative control: the same comparison sees a one-ulp change.
			v := values(t, m, arch.InBlock(1, arch.FC2, arch.Weights))
			v[3] = math.Nextafter(v[3], 1)
			if slices.Equal(v, values(t, im.Model, arch.InBlock(1, arch.FC2, arch.Weights))) {
				t.Fatal("negative control: a changed value compared equal")
			}
		})
	}
}

// fixture reads a testdata folder written by scripts/hf_torch.py: the model and PyTorch's
// inputs and outputs.
func fixture(t *testing.T, name string) (Imported, *File) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fixture %s missing: regenerate with python3 scripts/hf_torch.py fixtures --out lemon/hf/testdata", dir)
	}
	im, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := Open(filepath.Join(dir, "expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exp.Close() })
	return im, exp
}

// Inputs converts an expected.safetensors' inputs (transformers' names and layouts:
// input_ids, token_type_ids [B, T]; pixel_values [B, C, S, S]) for m.
func fixtureInputs(t *testing.T, m arch.Model, exp *File) arch.Inputs {
	t.Helper()
	in, err := InputsFromFile(m.Config, exp)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestFixturesMatchPyTorch: every checkpoint written by the PyTorch implementation of the
// upstream modules (scripts/hf_torch.py) gives, through this package's import and this
// library's forward, PyTorch's logits within 1e-5 relative (float32; 1e-12 in float64).
func TestFixturesMatchPyTorch(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, arch, head string
		tol              float64
		notes            string
	}{
		{"bert-mlm", BertForMaskedLM, "mlm", 1e-5, ""},
		{"bert-mlm-f16", BertForMaskedLM, "mlm", 1e-5, "converted to float32"},
		{"bert-mlm-f64", BertForMaskedLM, "mlm", 1e-12, ""},
		{"bert-cls", BertForSequenceClassification, "classifier", 1e-5, "no MLM head"},
		{"vit-cls", ViTForImageClassification, "vit", 1e-5, ""},
		{"vit-cls-bf16", ViTForImageClassification, "vit", 1e-5, "BF16"},
		{"timm-vit", TimmViT, "vit", 1e-5, "1e-6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, exp := fixture(t, tc.name)
			if im.Architecture != tc.arch {
				t.Fatalf("read as %s, want %s", im.Architecture, tc.arch)
			}
			if tc.notes != "" && !strings.Contains(strings.Join(im.Notes, "\n"), tc.notes) {
				t.Fatalf("notes %q do not mention %q", im.Notes, tc.notes)
			}
			want, _, err := exp.ReadFloat64("logits")
			if err != nil {
				t.Fatal(err)
			}
			got, err := expand.Forward(b, im.Model, fixtureInputs(t, im.Model, exp))
			if err != nil {
				t.Fatal(err)
			}
			i := slices.Index(got.Heads, tc.head)
			if i < 0 || len(got.Flat[i]) != len(want) {
				t.Fatalf("head %s missing or of another size (heads %v)", tc.head, got.Heads)
			}
			d, err := expand.CompareLogits(expand.Logits{Heads: []string{tc.head}, Flat: [][]float64{got.Flat[i]}},
				expand.Logits{Heads: []string{tc.head}, Flat: [][]float64{want}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v", tc.name, d)
			if !d.Within(tc.tol) {
				t.Fatalf("%s: relative |Δ logits| %.3g exceeds %.g against PyTorch", tc.name, d.Rel(), tc.tol)
			}
			// Negative control: one weight moved by 1e-3 moves the logits past the tolerance.
			path := arch.InBlock(0, arch.Value, arch.Weights)
			v := values(t, im.Model, path)
			v[0] += 1e-3
			spec := im.Config.Vars()
			for _, s := range spec {
				if s.Path == path {
					if err := im.Store.GetVariable("/" + path).SetValue(arch.NewTensor(arch.DTypeOf(im.Config.Enc()), v, s.Shape)); err != nil {
						t.Fatal(err)
					}
				}
			}
			bad, err := expand.Forward(b, im.Model, fixtureInputs(t, im.Model, exp))
			if err != nil {
				t.Fatal(err)
			}
			d2, _ := expand.CompareLogits(expand.Logits{Heads: []string{tc.head}, Flat: [][]float64{bad.Flat[i]}},
				expand.Logits{Heads: []string{tc.head}, Flat: [][]float64{want}})
			if d2.Within(tc.tol) {
				t.Fatalf("negative control: a perturbed weight still agrees (%v)", d2)
			}
		})
	}
}

// TestBackbonesGetAHead: BertModel and ViTModel checkpoints are read as transformers' task
// classes would load them: the encoder kept bit for bit (checked against PyTorch's
// last_hidden_state through the kept weights), the pooler left out and a head initialised,
// each said in a note.
func TestBackbonesGetAHead(t *testing.T) {
	for _, tc := range []struct{ name, arch, note string }{
		{"bert-model", BertModel + " (as " + BertForMaskedLM + ")", "BertModel has no MLM head"},
		{"vit-model", ViTModel + " (as " + ViTForImageClassification + ")", "ViTModel has no classifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, _ := fixture(t, tc.name)
			if im.Architecture != tc.arch {
				t.Fatalf("read as %q, want %q", im.Architecture, tc.arch)
			}
			notes := strings.Join(im.Notes, "\n")
			if !strings.Contains(notes, tc.note) || !strings.Contains(notes, "pooler") {
				t.Fatalf("notes %q lack %q or the pooler", im.Notes, tc.note)
			}
		})
	}
}

// put writes raw bytes as a safetensors file: header JSON then data.
func rawFile(t *testing.T, dir, header string, data []byte) string {
	t.Helper()
	var buf []byte
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(header)))
	buf = append(buf, header...)
	buf = append(buf, data...)
	p := filepath.Join(dir, "model.safetensors")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMalformedSafetensors: each broken header is refused by Open with one line naming the
// tensor or field.
func TestMalformedSafetensors(t *testing.T) {
	data := make([]byte, 16)
	for _, tc := range []struct {
		name, header string
		data         []byte
		want         string
	}{
		{"ok", `{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`, data, ""},
		{"truncated data", `{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`, data[:10], `"a" has data_offsets [0, 16] outside the 10 data bytes`},
		{"wrong size", `{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}`, data, `"a" spans 16 bytes, but F32[2 3] needs 24`},
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}`, data, `"b"'s bytes [4, 16] overlap`},
		{"hole", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}`, data, `4 bytes before tensor "b" belong to no tensor`},
		{"trailing", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, data, "8 bytes after the last tensor"},
		{"unknown dtype", `{"a":{"dtype":"F31","shape":[4],"data_offsets":[0,16]}}`, data, `"a" has unknown dtype "F31"`},
		{"negative dim", `{"a":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}`, data, `"a" has shape [-4]`},
		{"duplicate", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, data, `"a" appears twice`},
		{"no offsets", `{"a":{"dtype":"F32","shape":[4]}}`, data, `"a" needs data_offsets`},
		{"not json", `[1,2]`, data, "not a JSON object"},
		{"bad metadata", `{"__metadata__":{"format":1},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, data, "__metadata__ must map strings to strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rawFile(t, t.TempDir(), tc.header, tc.data)
			f, err := Open(p)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				return
			}
			if err == nil {
				f.Close()
				t.Fatalf("accepted; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
	// Header length beyond the file, and files shorter than the length field.
	dir := t.TempDir()
	p := filepath.Join(dir, "x.safetensors")
	os.WriteFile(p, binary.LittleEndian.AppendUint64(nil, 1000), 0o644)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "header length 1000 is longer than the file") {
		t.Fatalf("long header: %v", err)
	}
	os.WriteFile(p, []byte{1, 2, 3}, 0o644)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "shorter than the 8-byte header length") {
		t.Fatalf("short file: %v", err)
	}
}

// copyFixture copies a testdata folder to a temporary one the test may break.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	os.MkdirAll(dst, 0o755)
	for _, f := range []string{ConfigFile, WeightsFile} {
		data, err := os.ReadFile(filepath.Join("testdata", name, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dst, f), data, 0o644)
	}
	return dst
}

// rewrite reads a folder's tensors, lets edit change them, and writes them back.
func rewrite(t *testing.T, dir string, edit func([]Tensor) []Tensor) {
	t.Helper()
	f, err := Open(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	var ts []Tensor
	for _, n := range f.Names() {
		info, _ := f.Info(n)
		v, _, err := f.ReadFloat64(n)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, Tensor{Name: n, DType: F32, Shape: info.Shape, Data: v})
	}
	f.Close()
	if err := Write(filepath.Join(dir, WeightsFile), edit(ts), map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
}

func editConfig(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	data, _ = json.Marshal(c)
	os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644)
}

// TestMalformedCheckpoints: tensors missing, extra, misshapen or non-finite, and configs this
// library cannot compute, each refused by Load in one line naming the tensor or field.
func TestMalformedCheckpoints(t *testing.T) {
	const q = "bert.encoder.layer.1.attention.self.query.weight"
	for _, tc := range []struct {
		name   string
		tensor func([]Tensor) []Tensor
		config func(map[string]any)
		want   string
	}{
		{"missing", func(ts []Tensor) []Tensor {
			return slices.DeleteFunc(ts, func(x Tensor) bool { return x.Name == q })
		}, nil, `missing tensor "` + q + `"`},
		{"extra", func(ts []Tensor) []Tensor {
			return append(ts, Tensor{Name: "bert.encoder.layer.1.adapter.weight", DType: F32, Shape: []int{2}, Data: []float64{1, 2}})
		}, nil, `unexpected tensor "bert.encoder.layer.1.adapter.weight"`},
		{"shape", func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == q {
					ts[i].Shape = []int{ts[i].Shape[1], ts[i].Shape[0] * 1}
					ts[i].Shape = []int{8, 32}
				}
			}
			return ts
		}, nil, `tensor "` + q + `" is [8 32], config.json implies [16 16]`},
		{"nan", func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == q {
					ts[i].Data.([]float64)[5] = math.NaN()
				}
			}
			return ts
		}, nil, `tensor "` + q + `" holds NaN at flat index 5`},
		{"untied decoder", func(ts []Tensor) []Tensor {
			return append(ts, Tensor{Name: "cls.predictions.decoder.weight", DType: F32, Shape: []int{50, 16}, Data: make([]float64, 800)})
		}, nil, `"cls.predictions.decoder.weight" differs from "bert.embeddings.word_embeddings.weight"`},
		{"quick_gelu", nil, func(c map[string]any) { c["hidden_act"] = "quick_gelu" }, `hidden_act "quick_gelu" is not computed`},
		{"heads", nil, func(c map[string]any) { c["num_attention_heads"] = 3 }, "hidden_size 16 is not a multiple of num_attention_heads 3"},
		{"layers", nil, func(c map[string]any) { c["num_hidden_layers"] = 3 }, `missing tensor "bert.encoder.layer.2.`},
		{"relative positions", nil, func(c map[string]any) { c["position_embedding_type"] = "relative_key" }, `position_embedding_type "relative_key"`},
		{"architecture", nil, func(c map[string]any) { c["architectures"] = []string{"RobertaForMaskedLM"} }, `architecture "RobertaForMaskedLM" is not read`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyFixture(t, "bert-mlm")
			if tc.tensor != nil {
				rewrite(t, dir, tc.tensor)
			}
			if tc.config != nil {
				editConfig(t, dir, tc.config)
			}
			_, err := Load(dir, LoadOptions{})
			if err == nil {
				t.Fatalf("accepted; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
	// The unchanged copy loads (the cases above fail for their own reason).
	if _, err := Load(copyFixture(t, "bert-mlm"), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	// Other formats are named, not misread.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"model_type":"bert"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("x"), 0o644)
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "only safetensors weights are read") {
		t.Fatalf("pytorch_model.bin: %v", err)
	}
}

// TestExportRefusals: models transformers' classes cannot hold, and folders that are not
// earlier exports, are refused before anything is written.
func TestExportRefusals(t *testing.T) {
	pe := tinyBERT(0).Enc()
	pe.Norm = arch.PreLN
	pre := tinyBERT(0).WithEncoder(pe)
	we := tinyViT("").Enc()
	we.HeadDim = 12 // D = 16 ≠ H·d = 24
	wide := tinyViT("").WithEncoder(we)
	for _, tc := range []struct {
		name string
		cfg  arch.Config
		want string
	}{
		{"pre-LN BERT", pre, "transformers' BERT is Post-LN"},
		{"D ≠ H·d", wide, "needs hidden_size = heads × head_dim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			_, err := Save(dir, randomized(t, tc.cfg, 1), SaveOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Fatal("a refused export wrote its folder")
			}
		})
	}
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	os.WriteFile(keep, []byte("mine"), 0o644)
	if _, err := Save(dir, randomized(t, tinyViT(""), 1), SaveOptions{}); err == nil || !strings.Contains(err.Error(), "holds notes.txt") {
		t.Fatalf("non-empty folder: %v", err)
	}
	if data, _ := os.ReadFile(keep); string(data) != "mine" {
		t.Fatal("a refused export touched the folder")
	}
}
