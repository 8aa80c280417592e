package expand

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/data"
	"github.com/gomlx/gomlx/core/tensors"
)

// ImageInputs takes the first n images of set (real data) as verification inputs for a ViT.
func ImageInputs(v vit.Config, set *data.ImageSet, n int) (Inputs, error) {
	if n < 1 || set.N < 1 {
		return Inputs{}, fmt.Errorf("expand: ImageInputs needs n ≥ 1 and a non-empty set, got n = %d, %d images", n, set.N)
	}
	if set.Height != v.ImageSize || set.Width != v.ImageSize || set.Channels != v.Channels {
		return Inputs{}, fmt.Errorf("expand: images are %d×%d×%d; the model wants %d×%d×%d",
			set.Height, set.Width, set.Channels, v.ImageSize, v.ImageSize, v.Channels)
	}
	n = min(n, set.N)
	pixels := make([]float64, n*set.ExampleSize())
	for i := range pixels {
		pixels[i] = float64(set.Pixels[i])
	}
	return Inputs{Images: arch.NewTensor(arch.DTypeOf(v.Encoder), pixels, []int{n, v.ImageSize, v.ImageSize, v.Channels})}, nil
}

// SequenceInputs takes the first n packed sequences (real text, segment 0) as verification
// inputs for a BERT whose vocabulary they use.
func SequenceInputs(b bert.Config, seqs *data.Sequences, n int) (Inputs, error) {
	if n < 1 || seqs.Len() < 1 {
		return Inputs{}, fmt.Errorf("expand: SequenceInputs needs n ≥ 1 and at least one sequence, got n = %d, %d sequences", n, seqs.Len())
	}
	if seqs.Vocab.Size() != b.VocabSize {
		return Inputs{}, fmt.Errorf("expand: the sequences' vocabulary has %d tokens, the model %d", seqs.Vocab.Size(), b.VocabSize)
	}
	if seqs.T > b.MaxPositions {
		return Inputs{}, fmt.Errorf("expand: sequences of %d tokens exceed max_positions %d", seqs.T, b.MaxPositions)
	}
	n = min(n, seqs.Len())
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(seqs.Tokens[:n*seqs.T], n, seqs.T),
		Segments: tensors.FromFlatDataAndDimensions(make([]int32, n*seqs.T), n, seqs.T)}, nil
}
