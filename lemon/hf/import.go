// Package hf reads and writes Hugging Face checkpoints (a folder with config.json and
// model.safetensors, or a sharded model.safetensors.index.json) of BERT and ViT, and timm's
// ViT naming, so that a model trained elsewhere can be expanded here and handed back:
//
//	im, err := hf.Load("minilm/", hf.LoadOptions{})   // BertForMaskedLM, ViTForImageClassification, …
//	fmt.Println(im.Architecture, im.Notes)           // what was converted or left out, said
//	… expand im.Model …
//	_, err = hf.Save("minilm-x2/", expanded, hf.SaveOptions{Labels: im.Labels})
//
// Upstream names come from the modeling code (see layout.go); weights are converted from
// torch's [out, in] and the patch Conv2d's [D, C, P, P] to this library's layouts, and back.
// float16 and bfloat16 weights are widened to float32, float64 ones kept, and said so.
// Every malformed file is refused with one line naming the tensor or header field; the
// package never panics on user files.
package hf

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/gomlx/gomlx/ml/model"
)

// File names of a Hugging Face folder.
const (
	ConfigFile  = "config.json"
	WeightsFile = "model.safetensors"
	IndexFile   = "model.safetensors.index.json"
)

// LoadOptions tune Load.
type LoadOptions struct {
	// DType of the model: "" keeps float64 weights as float64 and makes everything else
	// float32; "float32" or "float64" forces one.
	DType string
	// Seed of the head a backbone checkpoint lacks (BertModel: the MLM transform; ViTModel:
	// the classifier), initialised as transformers does (normal, std initializer_range).
	Seed uint64
}

// Imported is a model read from an upstream checkpoint.
type Imported struct {
	arch.Model
	Architecture string   // the upstream class it was read as, e.g. "BertForMaskedLM"
	Labels       []string // id2label in order, when config.json has it
	Notes        []string // every conversion, dropped or added tensor, in one line each
}

// config is what this package reads of an upstream config.json (transformers' or timm's).
type config struct {
	Architectures         []string          `json:"architectures"`
	ModelType             string            `json:"model_type"`
	HiddenSize            int               `json:"hidden_size"`
	NumHiddenLayers       int               `json:"num_hidden_layers"`
	NumAttentionHeads     int               `json:"num_attention_heads"`
	IntermediateSize      int               `json:"intermediate_size"`
	HiddenAct             *string           `json:"hidden_act"`
	HiddenDropout         *float64          `json:"hidden_dropout_prob"`
	AttentionDropout      *float64          `json:"attention_probs_dropout_prob"`
	LayerNormEps          *float64          `json:"layer_norm_eps"`
	InitializerRange      *float64          `json:"initializer_range"`
	VocabSize             int               `json:"vocab_size"`
	MaxPositionEmbeddings int               `json:"max_position_embeddings"`
	TypeVocabSize         *int              `json:"type_vocab_size"`
	PositionEmbeddingType string            `json:"position_embedding_type"`
	ImageSize             *int              `json:"image_size"`
	PatchSize             *int              `json:"patch_size"`
	NumChannels           *int              `json:"num_channels"`
	QKVBias               *bool             `json:"qkv_bias"`
	ID2Label              map[string]string `json:"id2label"`
	NumLabels             int               `json:"num_labels"`
	// GPT-2
	NEmbd              int      `json:"n_embd"`
	NLayer             int      `json:"n_layer"`
	NHead              int      `json:"n_head"`
	NInner             *int     `json:"n_inner"`
	NPositions         int      `json:"n_positions"`
	LayerNormEpsilon   *float64 `json:"layer_norm_epsilon"`
	ActivationFunction *string  `json:"activation_function"`
	TieWordEmbeddings  *bool    `json:"tie_word_embeddings"`
	// LLaMA
	NumKeyValueHeads *int            `json:"num_key_value_heads"`
	HeadDim          *int            `json:"head_dim"`
	RMSNormEps       *float64        `json:"rms_norm_eps"`
	RopeTheta        *float64        `json:"rope_theta"`
	RopeScaling      json.RawMessage `json:"rope_scaling"`
	AttentionBias    *bool           `json:"attention_bias"`
	MLPBias          *bool           `json:"mlp_bias"`
	// timm's hub config
	Architecture string `json:"architecture"`
	NumClasses   int    `json:"num_classes"`
	GlobalPool   string `json:"global_pool"`
	ModelArgs    struct {
		ImgSize   int     `json:"img_size"`
		PatchSize int     `json:"patch_size"`
		InChans   *int    `json:"in_chans"`
		EmbedDim  int     `json:"embed_dim"`
		Depth     int     `json:"depth"`
		NumHeads  int     `json:"num_heads"`
		MLPRatio  float64 `json:"mlp_ratio"`
		QKVBias   *bool   `json:"qkv_bias"`
		ClassTok  *bool   `json:"class_token"`
		InitVals  any     `json:"init_values"`
		NoEmbed   *bool   `json:"no_embed_class"`
		RegTokens int     `json:"reg_tokens"`
	} `json:"model_args"`
}

// tensorSet is the tensors of one checkpoint, over one file or the shards of an index.
type tensorSet struct {
	files  []*File
	byName map[string]*File
}

func (ts *tensorSet) close() {
	for _, f := range ts.files {
		f.Close()
	}
}

func (ts *tensorSet) names() []string {
	var out []string
	for n := range ts.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Resolve finds the config.json and weights of path: a folder (model.safetensors or a
// sharded index) or a .safetensors file with config.json beside it.
func Resolve(path string) (configPath string, weights []string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", nil, fmt.Errorf("hf: %w", err)
	}
	dir := path
	if !st.IsDir() {
		if !strings.HasSuffix(path, ".safetensors") {
			return "", nil, fmt.Errorf("hf: %s is neither a folder nor a .safetensors file", path)
		}
		dir = filepath.Dir(path)
		weights = []string{path}
	}
	configPath = filepath.Join(dir, ConfigFile)
	if _, err := os.Stat(configPath); err != nil {
		return "", nil, fmt.Errorf("hf: %s has no %s beside it (the model's sizes are read from it)", path, ConfigFile)
	}
	if weights != nil {
		return configPath, weights, nil
	}
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err == nil {
		return configPath, []string{filepath.Join(dir, WeightsFile)}, nil
	}
	if data, err := os.ReadFile(filepath.Join(dir, IndexFile)); err == nil {
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(data, &idx); err != nil || len(idx.WeightMap) == 0 {
			return "", nil, fmt.Errorf("hf: %s: %s has no weight_map", dir, IndexFile)
		}
		seen := map[string]bool{}
		for _, shard := range idx.WeightMap {
			if filepath.Base(shard) != shard || !strings.HasSuffix(shard, ".safetensors") {
				return "", nil, fmt.Errorf("hf: %s: shard %q must be a .safetensors file name in the same folder", IndexFile, shard)
			}
			if !seen[shard] {
				seen[shard] = true
				weights = append(weights, filepath.Join(dir, shard))
			}
		}
		sort.Strings(weights)
		return configPath, weights, nil
	}
	for _, other := range []string{"pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "model.pt", "pytorch_model.bin.index.json"} {
		if _, err := os.Stat(filepath.Join(dir, other)); err == nil {
			return "", nil, fmt.Errorf("hf: %s holds %s; only safetensors weights are read (save the model with safe_serialization=True)", dir, other)
		}
	}
	return "", nil, fmt.Errorf("hf: %s has neither %s nor %s", dir, WeightsFile, IndexFile)
}

// IsCheckpoint reports whether path looks like an upstream checkpoint (a .safetensors file, or
// a folder with config.json and safetensors weights) rather than one of this library's.
func IsCheckpoint(path string) bool {
	_, _, err := Resolve(path)
	return err == nil
}

func openSet(weights []string) (*tensorSet, error) {
	ts := &tensorSet{byName: map[string]*File{}}
	for _, w := range weights {
		f, err := Open(w)
		if err != nil {
			ts.close()
			return nil, err
		}
		ts.files = append(ts.files, f)
		for _, n := range f.names {
			if _, dup := ts.byName[n]; dup {
				ts.close()
				return nil, fmt.Errorf("hf: tensor %q is in two shards", n)
			}
			ts.byName[n] = f
		}
	}
	return ts, nil
}

// Load reads an upstream checkpoint (see Resolve) into a model of this library.
func Load(path string, opts LoadOptions) (im Imported, err error) {
	defer func() { // nothing a user's file holds may panic out of here
		if r := recover(); r != nil {
			err = fmt.Errorf("hf.Load %s: %v", path, r)
		}
	}()
	cfgPath, weights, err := Resolve(path)
	if err != nil {
		return Imported{}, err
	}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return Imported{}, fmt.Errorf("hf: %w", err)
	}
	var c config
	if err := json.Unmarshal(data, &c); err != nil {
		return Imported{}, fmt.Errorf("hf: %s: %v", cfgPath, err)
	}
	ts, err := openSet(weights)
	if err != nil {
		return Imported{}, err
	}
	defer ts.close()
	im, err = load(c, ts, opts)
	if err != nil {
		return Imported{}, fmt.Errorf("hf: %s: %w", path, err)
	}
	return im, nil
}

// architecture decides the upstream class: config.json's "architectures", else timm's
// "architecture", else what the tensor names say.
func architecture(c config, ts *tensorSet) (string, error) {
	if c.Architecture != "" && len(c.Architectures) == 0 {
		return TimmViT, nil
	}
	if len(c.Architectures) > 1 {
		return "", fmt.Errorf("config.json lists %d architectures %v; want one", len(c.Architectures), c.Architectures)
	}
	if len(c.Architectures) == 1 {
		switch a := c.Architectures[0]; a {
		case BertForMaskedLM, BertForSequenceClassification, BertModel, BertForPreTraining, ViTForImageClassification, ViTModel,
			GPT2LMHeadModel, LlamaForCausalLM:
			return a, nil
		default:
			return "", fmt.Errorf("config.json: architecture %q is not read by this library (it reads %s, %s, %s, %s, %s, %s, %s, %s and timm's VisionTransformer)",
				a, BertForMaskedLM, BertForSequenceClassification, BertModel, BertForPreTraining, ViTForImageClassification, ViTModel, GPT2LMHeadModel, LlamaForCausalLM)
		}
	}
	has := func(n string) bool { _, ok := ts.byName[n]; return ok }
	switch c.ModelType {
	case "bert":
		switch {
		case has("classifier.weight"):
			return BertForSequenceClassification, nil
		case has("cls.predictions.bias"):
			return BertForMaskedLM, nil
		}
		return BertModel, nil
	case "vit":
		if has("classifier.weight") {
			return ViTForImageClassification, nil
		}
		return ViTModel, nil
	case "gpt2":
		return GPT2LMHeadModel, nil
	case "llama":
		return LlamaForCausalLM, nil
	}
	return "", fmt.Errorf("config.json has no \"architectures\" and model_type %q is neither \"bert\" nor \"vit\"", c.ModelType)
}

func load(c config, ts *tensorSet, opts LoadOptions) (Imported, error) {
	archName, err := architecture(c, ts)
	if err != nil {
		return Imported{}, err
	}
	im := Imported{Architecture: archName}
	dtype, note, err := chooseDType(ts, opts.DType)
	if err != nil {
		return Imported{}, err
	}
	if note != "" {
		im.Notes = append(im.Notes, note)
	}
	im.Labels = labels(c)
	var (
		cfg     arch.Config
		entries []entry
		ignore  = map[string]string{} // upstream tensors read but not kept, and why
		fresh   []string              // our variables the checkpoint lacks, initialised here
	)
	prefixed := func(p string) string {
		for n := range ts.byName {
			if strings.HasPrefix(n, p) {
				return p
			}
		}
		return ""
	}
	switch archName {
	case BertForMaskedLM, BertForSequenceClassification, BertModel, BertForPreTraining:
		b, notes, err := bertConfig(c, dtype)
		if err != nil {
			return Imported{}, err
		}
		im.Notes = append(im.Notes, notes...)
		prefix := prefixed("bert.")
		mlm := archName != BertForSequenceClassification
		switch archName {
		case BertForSequenceClassification:
			b.NumClasses = len(im.Labels)
			b.MLMTransform = false
			fresh = append(fresh, bert.MLMDecoderBias)
			im.Notes = append(im.Notes, "BertForSequenceClassification has no MLM head: the tied decoder's bias is zero (it is not exported)")
		case BertModel:
			mlm = false
			fresh = append(fresh, arch.Join(bert.MLMTransform, arch.Weights), arch.Join(bert.MLMTransform, arch.Biases),
				arch.Join(bert.MLMLN, arch.Gain), arch.Join(bert.MLMLN, arch.Offset), bert.MLMDecoderBias)
			im.Notes = append(im.Notes, fmt.Sprintf("BertModel has no MLM head: a new one is initialised (seed %d, std %g), as transformers does when BertForMaskedLM loads this checkpoint; it is exported as BertForMaskedLM", opts.Seed, initStd(c)))
		}
		for _, n := range []string{"pooler.dense.weight", "pooler.dense.bias"} {
			if b.NumClasses == 0 {
				ignore[prefix+n] = "the pooler (only a sequence classifier reads it)"
			}
		}
		for _, n := range []string{"cls.seq_relationship.weight", "cls.seq_relationship.bias"} {
			ignore[n] = "the next-sentence head of BertForPreTraining"
		}
		ignore[prefix+"embeddings.position_ids"] = "a buffer of positions 0, 1, …, not a weight"
		cfg = bert.New(b)
		entries = bertEntries(b, prefix, mlm)
	case ViTForImageClassification, ViTModel, TimmViT:
		var v vit.Config
		var notes []string
		if archName == TimmViT {
			v, notes, err = timmConfig(c, ts, dtype)
		} else {
			v, notes, err = vitConfig(c, dtype)
		}
		if err != nil {
			return Imported{}, err
		}
		im.Notes = append(im.Notes, notes...)
		switch archName {
		case TimmViT:
			v.NumClasses = len(im.Labels)
			entries = timmEntries(v)
		case ViTModel:
			v.NumClasses = len(im.Labels)
			entries = vitEntries(v, prefixed("vit."), false)
			fresh = append(fresh, arch.Join(vit.Head, arch.Weights), arch.Join(vit.Head, arch.Biases))
			ignore[prefixed("vit.")+"pooler.dense.weight"] = "the pooler (ViTForImageClassification does not read it)"
			ignore[prefixed("vit.")+"pooler.dense.bias"] = "the pooler (ViTForImageClassification does not read it)"
			im.Notes = append(im.Notes, fmt.Sprintf("ViTModel has no classifier: a new one of %d classes (id2label) is initialised (seed %d, std %g), as transformers does when ViTForImageClassification loads this checkpoint; it is exported as ViTForImageClassification", v.NumClasses, opts.Seed, initStd(c)))
		default:
			v.NumClasses = len(im.Labels)
			entries = vitEntries(v, prefixed("vit."), true)
		}
		cfg = vit.New(v)
	case GPT2LMHeadModel:
		g, notes, err := gpt2Config(c, dtype)
		if err != nil {
			return Imported{}, err
		}
		im.Notes = append(im.Notes, notes...)
		prefix := prefixed("transformer.")
		for n := range ts.byName {
			if strings.HasSuffix(n, ".attn.bias") || strings.HasSuffix(n, ".attn.masked_bias") {
				ignore[n] = "the causal-mask buffers older transformers saved, not weights"
			}
		}
		cfg = gpt2.New(g)
		entries = gpt2Entries(g, prefix)
	case LlamaForCausalLM:
		l, notes, err := llamaConfig(c, dtype)
		if err != nil {
			return Imported{}, err
		}
		im.Notes = append(im.Notes, notes...)
		for n := range ts.byName {
			if strings.HasSuffix(n, ".self_attn.rotary_emb.inv_freq") {
				ignore[n] = "RoPE's frequency buffers older transformers saved, recomputed from rope_theta"
			}
		}
		cfg = llama.New(l)
		entries = llamaEntries(l)
	}
	if err := cfg.Validate(); err != nil {
		return Imported{}, fmt.Errorf("config.json gives %w", err)
	}
	store, notes, err := readStore(cfg, entries, ts, ignore, fresh, initStd(c), opts.Seed)
	if err != nil {
		return Imported{}, err
	}
	im.Notes = append(im.Notes, notes...)
	im.Model = arch.Model{Config: cfg, Store: store}
	if archName == ViTModel || archName == BertModel {
		im.Architecture += " (as " + map[string]string{ViTModel: ViTForImageClassification, BertModel: BertForMaskedLM}[archName] + ")"
	}
	return im, nil
}

func initStd(c config) float64 {
	if c.InitializerRange != nil && *c.InitializerRange > 0 {
		return *c.InitializerRange
	}
	return 0.02
}

// labels is id2label in index order, or LABEL_i for num_labels (transformers' default: 2).
func labels(c config) []string {
	if c.Architecture != "" { // timm
		out := make([]string, max(c.NumClasses, 0))
		for i := range out {
			out[i] = fmt.Sprintf("LABEL_%d", i)
		}
		return out
	}
	n := len(c.ID2Label)
	if n == 0 {
		n = c.NumLabels
		if n == 0 {
			n = 2
		}
	}
	out := make([]string, n)
	for i := range out {
		if l, ok := c.ID2Label[strconv.Itoa(i)]; ok {
			out[i] = l
		} else {
			out[i] = fmt.Sprintf("LABEL_%d", i)
		}
	}
	return out
}

// chooseDType picks the model's dtype from the weights' and the option.
func chooseDType(ts *tensorSet, want string) (string, string, error) {
	counts := map[string]int{}
	for n, f := range ts.byName {
		t := f.tensors[n]
		counts[t.DType]++
	}
	var kinds []string
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		switch k {
		case F32, F64, F16, BF16, I64:
		default:
			for n, f := range ts.byName {
				if f.tensors[n].DType == k {
					return "", "", fmt.Errorf("tensor %q has dtype %s; weights must be F32, F64, F16 or BF16", n, k)
				}
			}
		}
	}
	dtype := "float32"
	if len(kinds) == 1 && kinds[0] == F64 {
		dtype = "float64"
	}
	switch want {
	case "":
	case "float32", "float64":
		dtype = want
	default:
		return "", "", fmt.Errorf("dtype %q: want float32 or float64", want)
	}
	note := ""
	if counts[F16] > 0 || counts[BF16] > 0 || (dtype == "float32" && counts[F64] > 0) || (dtype == "float64" && counts[F32] > 0) {
		note = fmt.Sprintf("weights stored as %s converted to %s", strings.Join(kinds, ", "), dtype)
	}
	return dtype, note, nil
}

// geluForm maps transformers' GELU names (activations.py ACT2FN) to the encoder's Activation:
// "gelu" is the exact erf form; "gelu_new" (OpenAI GPT-2's) and "gelu_pytorch_tanh" are the
// same tanh approximation. Other forms ("gelu_fast", "quick_gelu", …) compute other functions
// and are refused, naming the field.
func geluForm(field, name string) (string, error) {
	switch name {
	case "gelu":
		return "", nil // the default, as the presets write it
	case "gelu_new", "gelu_pytorch_tanh":
		return arch.GELUTanh, nil
	}
	return "", fmt.Errorf("%s %q is not computed by this library (it reads \"gelu\", the exact erf GELU, and \"gelu_new\" / \"gelu_pytorch_tanh\", the tanh approximation)", field, name)
}

// activation is the Activation of BERT's and ViT's hidden_act (transformers' default "gelu").
func activation(c config) (string, error) {
	if c.HiddenAct == nil {
		return "", nil
	}
	return geluForm("hidden_act", *c.HiddenAct)
}

// actName is the transformers name of e's GELU.
func actName(e arch.Encoder) string {
	if e.TanhGELU() {
		return "gelu_new"
	}
	return "gelu"
}

// encoder is the shared part of BERT's and ViT's configs.
func encoder(c config, norm arch.NormPlacement, dtype string) (arch.Encoder, []string, error) {
	var notes []string
	act, err := activation(c)
	if err != nil {
		return arch.Encoder{}, nil, err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize}} {
		if f.v <= 0 {
			return arch.Encoder{}, nil, fmt.Errorf("config.json: %s must be > 0, got %d", f.name, f.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return arch.Encoder{}, nil, fmt.Errorf("config.json: hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	eps := 1e-12 // transformers' default for BERT and ViT
	if c.LayerNormEps != nil {
		eps = *c.LayerNormEps
	}
	drop := 0.0
	if c.HiddenDropout != nil {
		drop = *c.HiddenDropout
	}
	if c.AttentionDropout != nil && *c.AttentionDropout > 0 {
		notes = append(notes, fmt.Sprintf("attention_probs_dropout_prob %g is not modelled: training here drops hidden units only (rate %g)", *c.AttentionDropout, drop))
	}
	if dtype == "float32" {
		dtype = "" // the default, as the presets write it
	}
	return arch.Encoder{Layers: c.NumHiddenLayers, Width: c.HiddenSize, Heads: c.NumAttentionHeads,
		HeadDim: c.HiddenSize / c.NumAttentionHeads, MLPDim: c.IntermediateSize, Norm: norm,
		LayerNormEps: eps, Dropout: drop, DType: dtype, Activation: act}, notes, nil
}

// gpt2Config reads GPT2Config's fields (transformers' defaults where absent).
func gpt2Config(c config, dtype string) (gpt2.Config, []string, error) {
	act := "gelu_new" // GPT2Config's default
	if c.ActivationFunction != nil {
		act = *c.ActivationFunction
	}
	form, err := geluForm("activation_function", act)
	if err != nil {
		return gpt2.Config{}, nil, fmt.Errorf("config.json: %w", err)
	}
	if c.TieWordEmbeddings != nil && !*c.TieWordEmbeddings {
		return gpt2.Config{}, nil, fmt.Errorf("config.json: tie_word_embeddings false: only GPT-2's tied LM head is read")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"n_embd", c.NEmbd}, {"n_layer", c.NLayer}, {"n_head", c.NHead}, {"n_positions", c.NPositions}, {"vocab_size", c.VocabSize}} {
		if f.v <= 0 {
			return gpt2.Config{}, nil, fmt.Errorf("config.json: %s must be > 0, got %d", f.name, f.v)
		}
	}
	if c.NEmbd%c.NHead != 0 {
		return gpt2.Config{}, nil, fmt.Errorf("config.json: n_embd %d is not a multiple of n_head %d", c.NEmbd, c.NHead)
	}
	inner := 4 * c.NEmbd
	if c.NInner != nil {
		inner = *c.NInner
	}
	eps := 1e-5
	if c.LayerNormEpsilon != nil {
		eps = *c.LayerNormEpsilon
	}
	if dtype == "float32" {
		dtype = ""
	}
	notes := []string{"dropout (resid_pdrop, embd_pdrop, attn_pdrop) is not carried over: training here sets its own"}
	return gpt2.Config{Encoder: arch.Encoder{Layers: c.NLayer, Width: c.NEmbd, Heads: c.NHead, HeadDim: c.NEmbd / c.NHead,
		MLPDim: inner, Norm: arch.PreLN, LayerNormEps: eps, DType: dtype, Causal: true, Activation: form},
		VocabSize: c.VocabSize, MaxPositions: c.NPositions}, notes, nil
}

// llamaConfig reads LlamaConfig's fields (transformers' defaults where absent).
func llamaConfig(c config, dtype string) (llama.Config, []string, error) {
	if c.HiddenAct != nil && *c.HiddenAct != "silu" {
		return llama.Config{}, nil, fmt.Errorf("config.json: hidden_act %q: LLaMA's SwiGLU is read with \"silu\" only", *c.HiddenAct)
	}
	if s := strings.TrimSpace(string(c.RopeScaling)); s != "" && s != "null" {
		return llama.Config{}, nil, fmt.Errorf("config.json: rope_scaling %s is not read (only the plain RoPE of rope_theta)", s)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"intermediate_size", c.IntermediateSize}, {"vocab_size", c.VocabSize}, {"max_position_embeddings", c.MaxPositionEmbeddings}} {
		if f.v <= 0 {
			return llama.Config{}, nil, fmt.Errorf("config.json: %s must be > 0, got %d", f.name, f.v)
		}
	}
	kv := 0 // one key/value head per query head, as the encoder writes it
	if c.NumKeyValueHeads != nil && *c.NumKeyValueHeads != c.NumAttentionHeads {
		kv = *c.NumKeyValueHeads
	}
	hd := 0
	if c.HeadDim != nil {
		hd = *c.HeadDim
	} else if c.HiddenSize%c.NumAttentionHeads == 0 {
		hd = c.HiddenSize / c.NumAttentionHeads
	}
	if hd <= 0 {
		return llama.Config{}, nil, fmt.Errorf("config.json: no head_dim, and hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	eps, theta := 1e-6, 10000.0 // LlamaConfig's defaults
	if c.RMSNormEps != nil {
		eps = *c.RMSNormEps
	}
	if c.RopeTheta != nil {
		theta = *c.RopeTheta
	}
	attnBias, mlpBias := c.AttentionBias != nil && *c.AttentionBias, c.MLPBias != nil && *c.MLPBias
	if attnBias != mlpBias {
		return llama.Config{}, nil, fmt.Errorf("config.json: attention_bias %v with mlp_bias %v: this library has biases on every block projection or on none", attnBias, mlpBias)
	}
	tied := c.TieWordEmbeddings != nil && *c.TieWordEmbeddings
	if dtype == "float32" {
		dtype = ""
	}
	return llama.Config{Encoder: arch.Encoder{Layers: c.NumHiddenLayers, Width: c.HiddenSize, Heads: c.NumAttentionHeads,
		HeadDim: hd, MLPDim: c.IntermediateSize, Norm: arch.PreLN, LayerNormEps: eps, DType: dtype, Causal: true,
		NormKind: arch.RMSNormKind, MLPKind: arch.SwiGLUMLP, KVHeads: kv, RoPETheta: theta, NoBias: !attnBias},
		VocabSize: c.VocabSize, MaxPositions: c.MaxPositionEmbeddings, TieEmbeddings: tied}, nil, nil
}

func bertConfig(c config, dtype string) (bert.Config, []string, error) {
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		return bert.Config{}, nil, fmt.Errorf("config.json: position_embedding_type %q: only \"absolute\" is read", c.PositionEmbeddingType)
	}
	e, notes, err := encoder(c, arch.PostLN, dtype)
	if err != nil {
		return bert.Config{}, nil, err
	}
	types := 2
	if c.TypeVocabSize != nil {
		types = *c.TypeVocabSize
	}
	return bert.Config{Encoder: e, VocabSize: c.VocabSize, MaxPositions: c.MaxPositionEmbeddings,
		TypeVocabSize: types, EmbeddingLN: true, MLMTransform: true}, notes, nil
}

func vitConfig(c config, dtype string) (vit.Config, []string, error) {
	e, notes, err := encoder(c, arch.PreLN, dtype)
	if err != nil {
		return vit.Config{}, nil, err
	}
	size, patchSize, ch := 224, 16, 3 // transformers' defaults
	if c.ImageSize != nil {
		size = *c.ImageSize
	}
	if c.PatchSize != nil {
		patchSize = *c.PatchSize
	}
	if c.NumChannels != nil {
		ch = *c.NumChannels
	}
	if c.QKVBias != nil && !*c.QKVBias {
		return vit.Config{}, nil, fmt.Errorf("config.json: qkv_bias false is not read (this library's attention has biases)")
	}
	return vit.Config{Encoder: e, ImageSize: size, Channels: ch, PatchSize: patchSize}, notes, nil
}

// timmConfig reads timm's hub config; sizes the tensors fix are taken from them, the head
// count (which no tensor shows) from model_args.
func timmConfig(c config, ts *tensorSet, dtype string) (vit.Config, []string, error) {
	a := c.ModelArgs
	switch {
	case c.GlobalPool != "" && c.GlobalPool != "token":
		return vit.Config{}, nil, fmt.Errorf("config.json: global_pool %q: only \"token\" (the class token) is read", c.GlobalPool)
	case a.ClassTok != nil && !*a.ClassTok, a.NoEmbed != nil && *a.NoEmbed, a.RegTokens > 0:
		return vit.Config{}, nil, fmt.Errorf("config.json: model_args class_token false, no_embed_class or reg_tokens are not read")
	case a.InitVals != nil:
		return vit.Config{}, nil, fmt.Errorf("config.json: model_args init_values (layer scale) is not read")
	case a.QKVBias != nil && !*a.QKVBias:
		return vit.Config{}, nil, fmt.Errorf("config.json: model_args qkv_bias false is not read")
	case a.NumHeads <= 0:
		return vit.Config{}, nil, fmt.Errorf("config.json: model_args.num_heads is missing: timm's config must say the head count (no tensor shows it)")
	}
	info := func(n string) (TensorInfo, error) {
		f, ok := ts.byName[n]
		if !ok {
			return TensorInfo{}, fmt.Errorf("missing tensor %q", n)
		}
		return f.tensors[n], nil
	}
	cls, err := info("cls_token")
	if err != nil {
		return vit.Config{}, nil, err
	}
	proj, err := info("patch_embed.proj.weight")
	if err != nil {
		return vit.Config{}, nil, err
	}
	fc1, err := info("blocks.0.mlp.fc1.weight")
	if err != nil {
		return vit.Config{}, nil, err
	}
	if len(cls.Shape) != 3 || len(proj.Shape) != 4 || len(fc1.Shape) != 2 || proj.Shape[2] != proj.Shape[3] {
		return vit.Config{}, nil, fmt.Errorf("tensors cls_token %v, patch_embed.proj.weight %v, blocks.0.mlp.fc1.weight %v do not have a ViT's ranks", cls.Shape, proj.Shape, fc1.Shape)
	}
	depth := 0
	for n := range ts.byName {
		if rest, ok := strings.CutPrefix(n, "blocks."); ok {
			if i, err := strconv.Atoi(strings.SplitN(rest, ".", 2)[0]); err == nil {
				depth = max(depth, i+1)
			}
		}
	}
	d := cls.Shape[2]
	size := a.ImgSize
	if size == 0 {
		size = 224
	}
	if a.EmbedDim != 0 && a.EmbedDim != d || a.Depth != 0 && a.Depth != depth || a.PatchSize != 0 && a.PatchSize != proj.Shape[2] {
		return vit.Config{}, nil, fmt.Errorf("config.json model_args (embed_dim %d, depth %d, patch_size %d) disagree with the tensors (%d, %d, %d)", a.EmbedDim, a.Depth, a.PatchSize, d, depth, proj.Shape[2])
	}
	if d%a.NumHeads != 0 {
		return vit.Config{}, nil, fmt.Errorf("config.json: embed_dim %d is not a multiple of model_args.num_heads %d", d, a.NumHeads)
	}
	act := "gelu"
	c2 := config{HiddenSize: d, NumHiddenLayers: depth, NumAttentionHeads: a.NumHeads, IntermediateSize: fc1.Shape[0], HiddenAct: &act}
	eps := 1e-6 // timm's LayerNorm
	c2.LayerNormEps = &eps
	e, notes, err := encoder(c2, arch.PreLN, dtype)
	if err != nil {
		return vit.Config{}, nil, err
	}
	notes = append(notes, "timm's LayerNorm ε is 1e-6 (its default; timm configs do not record it)")
	return vit.Config{Encoder: e, ImageSize: size, Channels: proj.Shape[1], PatchSize: proj.Shape[2]}, notes, nil
}

// readStore reads every entry's tensor into a new store; a tensor the file has and no entry
// or ignore rule names, a missing one, or one of another shape is an error naming it.
func readStore(cfg arch.Config, entries []entry, ts *tensorSet, ignore map[string]string, fresh []string, std float64, seed uint64) (*model.Store, []string, error) {
	var notes []string
	specs := map[string]arch.VarSpec{}
	for _, s := range cfg.Vars() {
		specs[s.Path] = s
	}
	covered := map[string]bool{}
	byName := map[string]entry{}
	for _, e := range entries {
		byName[e.name] = e
		for _, o := range e.ours {
			if _, ok := specs[o]; !ok {
				return nil, nil, fmt.Errorf("internal: entry %s names unknown variable %s", e.name, o)
			}
			covered[o] = true
		}
	}
	for _, n := range fresh {
		covered[n] = true
	}
	for p := range specs {
		if !covered[p] {
			return nil, nil, fmt.Errorf("internal: variable %s has no upstream tensor", p)
		}
	}
	// Tied copies, as older transformers versions saved them: kept only if equal to their source.
	tied := map[string]string{"cls.predictions.decoder.weight": byPrefix(entries, "embeddings.word_embeddings.weight"),
		"cls.predictions.decoder.bias": "cls.predictions.bias"}
	if _, untied := byName["lm_head.weight"]; !untied { // a decoder's LM head tied to its embedding
		tied["lm_head.weight"] = byPrefix(entries, "wte.weight")
		if tied["lm_head.weight"] == "" {
			tied["lm_head.weight"] = byPrefix(entries, "embed_tokens.weight")
		}
	}
	dropped := map[string][]string{}
	for _, n := range ts.names() {
		if _, ok := byName[n]; ok {
			continue
		}
		if why, ok := ignore[n]; ok {
			dropped[why] = append(dropped[why], n)
			continue
		}
		if src, ok := tied[n]; ok && src != "" {
			if _, have := byName[src]; have {
				if err := sameValues(ts, n, src); err != nil {
					return nil, nil, err
				}
				dropped["tied copies (equal to their source)"] = append(dropped["tied copies (equal to their source)"], n)
				continue
			}
		}
		return nil, nil, fmt.Errorf("unexpected tensor %q: not part of the model config.json describes (%s)", n, cfg.Describe())
	}
	var whys []string
	for why := range dropped {
		whys = append(whys, why)
	}
	sort.Strings(whys)
	for _, why := range whys {
		notes = append(notes, fmt.Sprintf("not kept: %s — %s", strings.Join(dropped[why], ", "), why))
	}
	dtype := arch.DTypeOf(cfg.Enc())
	store := model.NewStore()
	put := func(path string, values []float64) error {
		spec := specs[path]
		if len(values) != spec.Size() {
			return fmt.Errorf("internal: %s has %d values for %v", path, len(values), spec.Shape)
		}
		dir, name := model.SplitPath("/" + path)
		if _, err := store.Scope(dir).CreateVariable(name, arch.NewTensor(dtype, values, spec.Shape)); err != nil {
			return fmt.Errorf("variable %s: %w", path, err)
		}
		return nil
	}
	for _, e := range entries { // in model order, so the first problem named is the first one
		f, ok := ts.byName[e.name]
		if !ok {
			return nil, nil, fmt.Errorf("missing tensor %q (config.json implies %v)", e.name, e.shape)
		}
		if t := f.tensors[e.name]; !slices.Equal(t.Shape, e.shape) {
			return nil, nil, fmt.Errorf("tensor %q is %v, config.json implies %v", e.name, t.Shape, e.shape)
		}
		values, _, err := f.ReadFloat64(e.name)
		if err != nil {
			return nil, nil, err
		}
		for i, v := range values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("tensor %q holds %v at flat index %d", e.name, v, i)
			}
		}
		for i, part := range e.toOurs(values) {
			if err := put(e.ours[i], part); err != nil {
				return nil, nil, err
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x4f5e))
	for _, path := range fresh {
		spec := specs[path]
		values := make([]float64, spec.Size())
		switch spec.Init {
		case arch.InitNormal:
			for i := range values {
				values[i] = rng.NormFloat64() * std
			}
		case arch.InitOnes:
			for i := range values {
				values[i] = 1
			}
		}
		if err := put(path, values); err != nil {
			return nil, nil, err
		}
	}
	for v := range store.IterVariables() {
		v.SetTrainable(true)
	}
	return store, notes, nil
}

func byPrefix(entries []entry, suffix string) string {
	for _, e := range entries {
		if strings.HasSuffix(e.name, suffix) {
			return e.name
		}
	}
	return ""
}

// sameValues checks that a tied copy equals its source.
func sameValues(ts *tensorSet, copyName, src string) error {
	a, sa, err := ts.byName[copyName].ReadFloat64(copyName)
	if err != nil {
		return err
	}
	b, sb, err := ts.byName[src].ReadFloat64(src)
	if err != nil {
		return err
	}
	if !slices.Equal(sa, sb) || !slices.Equal(a, b) {
		return fmt.Errorf("tensor %q differs from %q: an untied decoder is not read (this library ties it)", copyName, src)
	}
	return nil
}
