package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// SaveOptions tune Save.
type SaveOptions struct {
	// Labels name the classes (id2label); default LABEL_0, LABEL_1, …
	Labels []string
}

// Exported says what Save wrote.
type Exported struct {
	Architecture string
	Tensors      int
	Notes        []string
}

// Plan returns the upstream class a model is exported as, its config.json and name map, or
// the reason it cannot be: transformers' BERT is Post-LN with an embedding LayerNorm and
// hidden_size = heads × head_dim; its ViT is Pre-LN with hidden_size = heads × head_dim.
func exportPlan(cfg arch.Config, opts SaveOptions) (string, map[string]any, []entry, []string, error) {
	if err := cfg.Validate(); err != nil {
		return "", nil, nil, nil, err
	}
	e := cfg.Enc()
	switch cfg.Kind {
	case gpt2.Kind, llama.Kind:
		return exportDecoder(cfg)
	}
	if e.Width != e.Heads*e.HeadDim {
		return "", nil, nil, nil, fmt.Errorf("transformers' %s needs hidden_size = heads × head_dim; this model has D=%d, H·d=%d·%d=%d (keep d = D/H when expanding for export: -headdim %d)",
			cfg.Kind, e.Width, e.Heads, e.HeadDim, e.Heads*e.HeadDim, max(1, e.Width/e.Heads))
	}
	var notes []string
	common := map[string]any{
		"hidden_size": e.Width, "num_hidden_layers": e.Layers, "num_attention_heads": e.Heads,
		"intermediate_size": e.MLPDim, "hidden_act": actName(e), "layer_norm_eps": e.LayerNormEps,
		"hidden_dropout_prob": e.Dropout, "attention_probs_dropout_prob": e.Dropout,
		"initializer_range": arch.InitStd, "torch_dtype": dtypeName(e),
	}
	withLabels := func(n int) error {
		labels := opts.Labels
		if labels == nil {
			for i := range n {
				labels = append(labels, fmt.Sprintf("LABEL_%d", i))
			}
		}
		if len(labels) != n {
			return fmt.Errorf("%d labels given for %d classes", len(labels), n)
		}
		id2, l2id := map[string]string{}, map[string]int{}
		for i, l := range labels {
			id2[strconv.Itoa(i)] = l
			l2id[l] = i
		}
		common["id2label"], common["label2id"] = id2, l2id
		return nil
	}
	switch cfg.Kind {
	case bert.Kind:
		b, _ := bert.Of(cfg)
		if b.Norm != arch.PostLN || !b.EmbeddingLN {
			return "", nil, nil, nil, fmt.Errorf("transformers' BERT is Post-LN with an embedding LayerNorm; this model is %s-LN, embedding_ln %v (save it with -format gomlx)", b.Norm, b.EmbeddingLN)
		}
		common["model_type"] = "bert"
		common["vocab_size"], common["max_position_embeddings"], common["type_vocab_size"] = b.VocabSize, b.MaxPositions, b.TypeVocabSize
		common["pad_token_id"], common["position_embedding_type"] = 0, "absolute"
		name := BertForMaskedLM
		switch {
		case b.NumClasses > 0:
			name = BertForSequenceClassification
			if err := withLabels(b.NumClasses); err != nil {
				return "", nil, nil, nil, err
			}
			notes = append(notes, "BertForSequenceClassification has no MLM head: "+mlmLeftOut(b)+" not exported")
		case !b.MLMTransform:
			return "", nil, nil, nil, fmt.Errorf("transformers' BertForMaskedLM has an MLM transform (dense, GELU, LayerNorm); this model has none")
		}
		common["architectures"] = []string{name}
		return name, common, bertEntries(b, "bert.", name == BertForMaskedLM), notes, nil
	case vit.Kind:
		v, _ := vit.Of(cfg)
		if v.Norm != arch.PreLN {
			return "", nil, nil, nil, fmt.Errorf("transformers' ViT is Pre-LN; this model is %s-LN (save it with -format gomlx)", v.Norm)
		}
		common["model_type"] = "vit"
		common["image_size"], common["patch_size"], common["num_channels"] = v.ImageSize, v.PatchSize, v.Channels
		common["qkv_bias"], common["encoder_stride"] = true, v.PatchSize
		common["architectures"] = []string{ViTForImageClassification}
		if err := withLabels(v.NumClasses); err != nil {
			return "", nil, nil, nil, err
		}
		return ViTForImageClassification, common, vitEntries(v, "vit.", true), notes, nil
	}
	return "", nil, nil, nil, fmt.Errorf("no upstream layout for a %q model", cfg.Kind)
}

// exportDecoder is exportPlan for the decoder families: GPT2LMHeadModel (activation_function
// "gelu", the exact GELU, or "gelu_new", the tanh approximation OpenAI's checkpoints use, as
// the encoder's Activation says) and LlamaForCausalLM (head_dim written explicitly).
func exportDecoder(cfg arch.Config) (string, map[string]any, []entry, []string, error) {
	e := cfg.Enc()
	switch c := cfg.Other.(type) {
	case gpt2.Config:
		if e.Width != e.Heads*e.HeadDim {
			return "", nil, nil, nil, fmt.Errorf("transformers' GPT-2 needs n_embd = n_head × head dim; this model has D=%d, H·d=%d·%d=%d (keep d = D/H when expanding for export: -headdim %d)",
				e.Width, e.Heads, e.HeadDim, e.Heads*e.HeadDim, max(1, e.Width/e.Heads))
		}
		conf := map[string]any{
			"architectures": []string{GPT2LMHeadModel}, "model_type": "gpt2",
			"vocab_size": c.VocabSize, "n_positions": c.MaxPositions, "n_embd": e.Width, "n_layer": e.Layers,
			"n_head": e.Heads, "n_inner": e.MLPDim, "activation_function": actName(e), "layer_norm_epsilon": e.LayerNormEps,
			"resid_pdrop": e.Dropout, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "initializer_range": arch.InitStd,
			"scale_attn_weights": true, "tie_word_embeddings": true, "torch_dtype": dtypeName(e),
		}
		var notes []string
		if !e.TanhGELU() {
			notes = append(notes, "activation_function \"gelu\" (exact): OpenAI's GPT-2 checkpoints use \"gelu_new\", the tanh approximation")
		}
		return GPT2LMHeadModel, conf, gpt2Entries(c, "transformer."), notes, nil
	case llama.Config:
		conf := map[string]any{
			"architectures": []string{LlamaForCausalLM}, "model_type": "llama",
			"vocab_size": c.VocabSize, "max_position_embeddings": c.MaxPositions, "hidden_size": e.Width,
			"intermediate_size": e.MLPDim, "num_hidden_layers": e.Layers, "num_attention_heads": e.Heads,
			"num_key_value_heads": e.KV(), "head_dim": e.HeadDim, "hidden_act": "silu", "rms_norm_eps": e.LayerNormEps,
			"rope_theta": e.RoPETheta, "rope_scaling": nil, "attention_bias": !e.NoBias, "mlp_bias": !e.NoBias,
			"attention_dropout": 0.0, "tie_word_embeddings": c.TieEmbeddings, "initializer_range": arch.InitStd,
			"torch_dtype": dtypeName(e),
		}
		if e.RoPETheta == 0 {
			return "", nil, nil, nil, fmt.Errorf("transformers' LLaMA always applies RoPE; this model has rope_theta 0 (save it with -format gomlx)")
		}
		return LlamaForCausalLM, conf, llamaEntries(c), nil, nil
	}
	return "", nil, nil, nil, fmt.Errorf("no upstream layout for a %q model", cfg.Kind)
}

func mlmLeftOut(b bert.Config) string {
	if b.MLMTransform {
		return "its MLM transform and decoder bias are"
	}
	return "its tied decoder's bias is"
}

func dtypeName(e arch.Encoder) string {
	if arch.DTypeOf(e) == dtypes.Float64 {
		return "float64"
	}
	return "float32"
}

// CheckExport says whether a model of cfg can be exported (and as which class), without
// writing anything.
func CheckExport(cfg arch.Config, opts SaveOptions) (string, error) {
	name, _, _, _, err := exportPlan(cfg, opts)
	return name, err
}

// Save writes m to dir as an upstream checkpoint (config.json and model.safetensors, in the
// model's dtype), into a temporary sibling folder that is renamed into place. It refuses,
// before writing anything, a model the upstream classes cannot hold and a dir that exists and
// is neither empty nor an earlier export (only config.json and model.safetensors).
func Save(dir string, m arch.Model, opts SaveOptions) (ex Exported, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hf.Save %s: %v", dir, r)
		}
	}()
	dir = filepath.Clean(dir)
	if err := m.Check(); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	name, cfgJSON, entries, notes, err := exportPlan(m.Config, opts)
	if err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	if err := CheckReplace(dir); err != nil {
		return Exported{}, err
	}
	if err := ckpt.CheckFinite(m.Config, m.Store); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	dtype := F32
	if arch.DTypeOf(m.Config.Enc()) == dtypes.Float64 {
		dtype = F64
	}
	var ts []Tensor
	for _, e := range entries {
		parts := make([][]float64, len(e.ours))
		for i, path := range e.ours {
			v := m.Store.GetVariable("/" + path)
			if v == nil {
				return Exported{}, fmt.Errorf("hf.Save %s: variable /%s missing", dir, path)
			}
			t, err := v.Value()
			if err != nil {
				return Exported{}, fmt.Errorf("hf.Save %s: variable /%s: %w", dir, path, err)
			}
			parts[i] = flat(t)
		}
		ts = append(ts, Tensor{Name: e.name, DType: dtype, Shape: e.shape, Data: e.fromOurs(parts)})
	}
	data, err := json.MarshalIndent(cfgJSON, "", "  ")
	if err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-*")
	if err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ConfigFile), append(data, '\n'), 0o644); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	if err := Write(filepath.Join(tmp, WeightsFile), ts, map[string]string{"format": "pt"}); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	if err := ckpt.Publish(tmp, dir); err != nil {
		return Exported{}, fmt.Errorf("hf.Save %s: %w", dir, err)
	}
	return Exported{Architecture: name, Tensors: len(ts), Notes: notes}, nil
}

func flat(t *tensors.Tensor) []float64 {
	if t.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](t)
	}
	f32 := tensors.MustCopyFlatData[float32](t)
	out := make([]float64, len(f32))
	for i, v := range f32 {
		out[i] = float64(v)
	}
	return out
}

// CheckReplace refuses a dir that exists and is a file, or a folder holding anything but an
// earlier export's config.json and model.safetensors.
func CheckReplace(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("hf: %w", err)
	case !info.IsDir():
		return fmt.Errorf("hf: %s exists and is a file, not a model folder; not replacing it", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("hf: %w", err)
	}
	for _, e := range entries {
		if e.Name() != ConfigFile && e.Name() != WeightsFile {
			return fmt.Errorf("hf: %s exists and holds %s, which an export does not write; not replacing it", dir, e.Name())
		}
	}
	return nil
}
