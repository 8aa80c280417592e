package arch

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// InitStd is the standard deviation of the truncated-normal initialiser (BERT, ViT: 0.02).
const InitStd = 0.02

// Init creates a store holding freshly initialised weights for cfg, all generated on the
// host from seed, so that the same seed gives the same weights on every backend.
// Weights: truncated normal (±2σ, σ = InitStd); biases and LN offsets 0; LN gains 1.
func Init(cfg Config, seed uint64) (*model.Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("arch.Init: %w", err)
	}
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(int64(seed)); err != nil {
		return nil, fmt.Errorf("arch.Init: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x1e3017))
	dtype := DTypeOf(cfg.Enc())
	for _, spec := range cfg.Vars() {
		values := make([]float64, spec.Size())
		for i := range values {
			switch spec.Init {
			case InitNormal:
				values[i] = truncatedNormal(rng) * InitStd
			case InitOnes:
				values[i] = 1
			case InitZeros:
			}
		}
		dir, name := model.SplitPath("/" + spec.Path)
		if _, err := store.Scope(dir).CreateVariable(name, NewTensor(dtype, values, spec.Shape)); err != nil {
			return nil, fmt.Errorf("arch.Init: variable %s: %w", spec.Path, err)
		}
	}
	return store, nil
}

// truncatedNormal draws from N(0,1) restricted to [−2, 2].
func truncatedNormal(rng *rand.Rand) float64 {
	for {
		if v := rng.NormFloat64(); math.Abs(v) <= 2 {
			return v
		}
	}
}

// NewTensor makes a float32 or float64 tensor from float64 values.
func NewTensor(dtype dtypes.DType, values []float64, shape []int) *tensors.Tensor {
	if dtype == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(values, shape...)
	}
	f32 := make([]float32, len(values))
	for i, v := range values {
		f32[i] = float32(v)
	}
	return tensors.FromFlatDataAndDimensions(f32, shape...)
}
