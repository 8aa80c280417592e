package hf

import (
	"fmt"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/gpt2"
	"github.com/golemon/golemon/lemon/arch/llama"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/gomlx/gomlx/core/tensors"
)

// OutputHead names the head (arch.Head) whose logits the exported class returns:
// BertForMaskedLM the MLM logits at every position, BertForSequenceClassification and the
// ViT classes the classifier's.
func OutputHead(cfg arch.Config) string {
	switch {
	case cfg.Kind == gpt2.Kind || cfg.Kind == llama.Kind:
		return "lm"
	case cfg.Kind == vit.Kind:
		return "vit"
	case cfg.Kind == bert.Kind && mustBERT(cfg).NumClasses > 0:
		return "classifier"
	}
	return "mlm"
}

// InputsFromFile reads model inputs in transformers' names and layouts from a safetensors
// file: BERT input_ids and token_type_ids [B, T] (I64 or I32; token types default to 0),
// ViT pixel_values [B, C, S, S] (converted to this library's [B, S, S, C]).
func InputsFromFile(cfg arch.Config, f *File) (arch.Inputs, error) {
	switch cfg.Kind {
	case gpt2.Kind, llama.Kind:
		vocab, positions := cfg.Family().(arch.CausalLM).CausalLM()
		ids, shape, err := f.ReadInt64("input_ids")
		if err != nil {
			return arch.Inputs{}, err
		}
		if len(shape) != 2 || shape[1] > positions || shape[1] == 0 || shape[0] == 0 {
			return arch.Inputs{}, fmt.Errorf("hf: input_ids is %v; want [batch, tokens ≤ %d]", shape, positions)
		}
		tok := make([]int32, len(ids))
		for i, id := range ids {
			if id < 0 || id >= int64(vocab) {
				return arch.Inputs{}, fmt.Errorf("hf: input_ids holds %d at flat index %d, outside the vocabulary of %d", id, i, vocab)
			}
			tok[i] = int32(id)
		}
		return arch.Inputs{Tokens: tensors.FromFlatDataAndDimensions(tok, shape...)}, nil
	case bert.Kind:
		b := mustBERT(cfg)
		ids, shape, err := f.ReadInt64("input_ids")
		if err != nil {
			return arch.Inputs{}, err
		}
		if len(shape) != 2 || shape[1] > b.MaxPositions || shape[1] == 0 || shape[0] == 0 {
			return arch.Inputs{}, fmt.Errorf("hf: input_ids is %v; want [batch, tokens ≤ %d]", shape, b.MaxPositions)
		}
		types := make([]int64, len(ids))
		if _, ok := f.Info("token_type_ids"); ok {
			var tshape []int
			if types, tshape, err = f.ReadInt64("token_type_ids"); err != nil {
				return arch.Inputs{}, err
			}
			if !slices.Equal(tshape, shape) {
				return arch.Inputs{}, fmt.Errorf("hf: token_type_ids is %v, input_ids %v", tshape, shape)
			}
		}
		tok, seg := make([]int32, len(ids)), make([]int32, len(ids))
		for i := range ids {
			if ids[i] < 0 || ids[i] >= int64(b.VocabSize) {
				return arch.Inputs{}, fmt.Errorf("hf: input_ids holds %d at flat index %d, outside the vocabulary of %d", ids[i], i, b.VocabSize)
			}
			if types[i] < 0 || types[i] >= int64(b.TypeVocabSize) {
				return arch.Inputs{}, fmt.Errorf("hf: token_type_ids holds %d at flat index %d, outside the %d types", types[i], i, b.TypeVocabSize)
			}
			tok[i], seg[i] = int32(ids[i]), int32(types[i])
		}
		return arch.Inputs{Tokens: tensors.FromFlatDataAndDimensions(tok, shape...),
			Segments: tensors.FromFlatDataAndDimensions(seg, shape...)}, nil
	case vit.Kind:
		v, _ := vit.Of(cfg)
		px, shape, err := f.ReadFloat64("pixel_values")
		if err != nil {
			return arch.Inputs{}, err
		}
		if want := []int{0, v.Channels, v.ImageSize, v.ImageSize}; len(shape) != 4 || shape[0] == 0 || !slices.Equal(shape[1:], want[1:]) {
			return arch.Inputs{}, fmt.Errorf("hf: pixel_values is %v; want [batch, %d, %d, %d]", shape, v.Channels, v.ImageSize, v.ImageSize)
		}
		return arch.Inputs{Images: arch.NewTensor(arch.DTypeOf(v.Encoder), nchwToNHWC(px, shape), []int{shape[0], shape[2], shape[3], shape[1]})}, nil
	}
	return arch.Inputs{}, fmt.Errorf("hf: no upstream inputs for a %q model", cfg.Kind)
}

func nchwToNHWC(v []float64, s []int) []float64 {
	b, c, h, w := s[0], s[1], s[2], s[3]
	out := make([]float64, len(v))
	for n := range b {
		for k := range c {
			for y := range h {
				for x := range w {
					out[((n*h+y)*w+x)*c+k] = v[((n*c+k)*h+y)*w+x]
				}
			}
		}
	}
	return out
}

func nhwcToNCHW(v []float64, s []int) []float64 { // s is the NHWC shape
	b, h, w, c := s[0], s[1], s[2], s[3]
	out := make([]float64, len(v))
	for n := range b {
		for y := range h {
			for x := range w {
				for k := range c {
					out[((n*c+k)*h+y)*w+x] = v[((n*h+y)*w+x)*c+k]
				}
			}
		}
	}
	return out
}

// WriteInputsAndLogits writes in (in transformers' names and layouts) and an output's logits
// to a safetensors file, for scripts/hf_torch.py check to compare with PyTorch's.
func WriteInputsAndLogits(path string, cfg arch.Config, in arch.Inputs, logits []float64, logitShape []int) error {
	dtype := F32
	if cfg.Enc().DType == "float64" {
		dtype = F64
	}
	var ts []Tensor
	switch cfg.Kind {
	case gpt2.Kind, llama.Kind:
		ts = append(ts, Tensor{Name: "input_ids", DType: I64, Shape: in.Tokens.Shape().Dimensions, Data: tensors.MustCopyFlatData[int32](in.Tokens)})
	case bert.Kind:
		ids, segs := tensors.MustCopyFlatData[int32](in.Tokens), tensors.MustCopyFlatData[int32](in.Segments)
		shape := in.Tokens.Shape().Dimensions
		ts = append(ts, Tensor{Name: "input_ids", DType: I64, Shape: shape, Data: ids},
			Tensor{Name: "token_type_ids", DType: I64, Shape: shape, Data: segs})
	case vit.Kind:
		shape := in.Images.Shape().Dimensions
		ts = append(ts, Tensor{Name: "pixel_values", DType: dtype, Shape: []int{shape[0], shape[3], shape[1], shape[2]},
			Data: nhwcToNCHW(flat(in.Images), shape)})
	default:
		return fmt.Errorf("hf: no upstream inputs for a %q model", cfg.Kind)
	}
	ts = append(ts, Tensor{Name: "logits", DType: dtype, Shape: logitShape, Data: logits})
	return Write(path, ts, map[string]string{"format": "pt"})
}

// mustBERT is the BERT config cfg holds (the zero config for another family).
func mustBERT(cfg arch.Config) bert.Config {
	b, _ := bert.Of(cfg)
	return b
}
