package arch

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/gomlx/gomlx/core/tensors"
)

// What the decoder families (lemon/arch/gpt2, lemon/arch/llama) share: they read token ids,
// predict the next token at every position, and register named presets.

// TokenHeadInputs are the token ids of in, for a decoder whose sequences are at most
// maxPositions long; kind names the family in errors.
func TokenHeadInputs(kind Kind, in Inputs, maxPositions int) ([]any, error) {
	if in.Tokens == nil {
		return nil, fmt.Errorf("%s: the model reads token ids; the inputs hold none", kind)
	}
	if n := in.Tokens.Shape().Dim(1); n > maxPositions {
		return nil, fmt.Errorf("%s: sequences of %d tokens exceed max_positions %d", kind, n, maxPositions)
	}
	return []any{in.Tokens}, nil
}

// RandomTokens are uniform token ids below vocab, [batch, min(16, maxPositions)], drawn from
// a generator keyed by (seed, stream).
func RandomTokens(batch, vocab, maxPositions int, seed, stream uint64) Inputs {
	rng := rand.New(rand.NewPCG(seed, stream))
	seq := min(16, maxPositions)
	ids := make([]int32, batch*seq)
	for i := range ids {
		ids[i] = int32(rng.IntN(vocab))
	}
	return Inputs{Tokens: tensors.FromFlatDataAndDimensions(ids, batch, seq)}
}

// LMForwardFLOPs is a decoder's forward cost over a sequence of t tokens: the blocks and an
// LM head of 2·t·D·V at every position. Attention is counted over all t×t pairs, as the
// encoder's is (the usual accounting; a causal kernel could skip half of the score products).
func LMForwardFLOPs(e Encoder, t, vocab int) float64 {
	return EncoderForwardFLOPs(e, t) + 2*float64(t)*float64(e.Width)*float64(vocab)
}

// LMExampleTrainFLOPs is the training cost of one sequence of min(t, maxPositions) tokens.
func LMExampleTrainFLOPs(e Encoder, t, vocab, maxPositions int) (float64, string) {
	t = min(t, maxPositions)
	return TrainFLOPs(LMForwardFLOPs(e, t, vocab)), fmt.Sprintf("sequence of %d", t)
}

// PresetMap is a family's presets as Family.Presets holds them.
func PresetMap[C FamilyConfig](presets map[string]C) map[string]FamilyConfig {
	out := make(map[string]FamilyConfig, len(presets))
	for name, c := range presets {
		out[name] = c
	}
	return out
}

// SortedNames are the keys of a preset table in sorted order.
func SortedNames[C any](presets map[string]C) []string {
	out := make([]string, 0, len(presets))
	for name := range presets {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
