package expand

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
	"github.com/gomlx/gomlx/core/tensors"
)

// ImageInputs takes the first n images of set (real data) as verification inputs for an image
// classifier (arch.ImageClassifier: a ViT).
func ImageInputs(cfg arch.Config, set *data.ImageSet, n int) (Inputs, error) {
	img, ok := cfg.Family().(arch.ImageClassifier)
	if !ok {
		return Inputs{}, fmt.Errorf("expand: ImageInputs: a %s model does not read images", cfg.Kind)
	}
	side, channels, _ := img.ImageInput()
	if set == nil {
		return Inputs{}, fmt.Errorf("expand: ImageInputs needs an image set, got none")
	}
	if n < 1 || set.N < 1 {
		return Inputs{}, fmt.Errorf("expand: ImageInputs needs n ≥ 1 and a non-empty set, got n = %d, %d images", n, set.N)
	}
	if set.Height != side || set.Width != side || set.Channels != channels {
		return Inputs{}, fmt.Errorf("expand: images are %d×%d×%d; the model wants %d×%d×%d",
			set.Height, set.Width, set.Channels, side, side, channels)
	}
	n = min(n, set.N)
	pixels := make([]float64, n*set.ExampleSize())
	for i := range pixels {
		pixels[i] = float64(set.Pixels[i])
	}
	return Inputs{Images: arch.NewTensor(arch.DTypeOf(cfg.Enc()), pixels, []int{n, side, side, channels})}, nil
}

// SequenceInputs takes the first n packed sequences (real text, segment 0) as verification
// inputs for a masked language model (arch.MaskedLM: a BERT) whose vocabulary they use.
func SequenceInputs(cfg arch.Config, seqs *data.Sequences, n int) (Inputs, error) {
	mlm, ok := cfg.Family().(arch.MaskedLM)
	if !ok {
		return Inputs{}, fmt.Errorf("expand: SequenceInputs: a %s model is not a masked language model", cfg.Kind)
	}
	vocab, positions := mlm.MaskedLM()
	if seqs == nil {
		return Inputs{}, fmt.Errorf("expand: SequenceInputs needs sequences, got none")
	}
	if n < 1 || seqs.Len() < 1 {
		return Inputs{}, fmt.Errorf("expand: SequenceInputs needs n ≥ 1 and at least one sequence, got n = %d, %d sequences", n, seqs.Len())
	}
	if seqs.Vocab.Size() != vocab {
		return Inputs{}, fmt.Errorf("expand: the sequences' vocabulary has %d tokens, the model %d", seqs.Vocab.Size(), vocab)
	}
	if seqs.T > positions {
		return Inputs{}, fmt.Errorf("expand: sequences of %d tokens exceed max_positions %d", seqs.T, positions)
	}
	n = min(n, seqs.Len())
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(seqs.Tokens[:n*seqs.T], n, seqs.T),
		Segments: tensors.FromFlatDataAndDimensions(make([]int32, n*seqs.T), n, seqs.T)}, nil
}
