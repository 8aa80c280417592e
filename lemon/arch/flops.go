package arch

// Compute accounting. FLOPs count multiply-adds as 2 and include only matrix products
// (embedding look-ups, LayerNorm, softmax, GELU and the optimizer are left out: they are
// O(T·D) against O(T·D²) for the products). A training step costs 3× the forward pass
// (forward, plus backward through activations and weights), the usual convention
// (Kaplan et al. 2020; the LEMON paper's compute plots count the same way).

// encoderForwardFLOPs is the forward cost of the encoder over one sequence of T tokens:
// per layer 2·T·D·3HK (Q, K, V) + 2·T²·HK (scores) + 2·T²·HK (weighted values)
// + 2·T·HK·D (output) + 4·T·D·F (MLP).
// EncoderForwardFLOPs is the forward cost of the encoder blocks over tokens tokens.
func EncoderForwardFLOPs(e Encoder, tokens int) float64 { return encoderForwardFLOPs(e, tokens) }

func encoderForwardFLOPs(e Encoder, tokens int) float64 {
	t, d, hk, f := float64(tokens), float64(e.Width), float64(e.Heads*e.HeadDim), float64(e.MLPDim)
	kv := float64(e.KV() * e.HeadDim)
	mlps := 2.0
	if e.SwiGLU() {
		mlps = 3
	}
	perLayer := 2*t*d*(hk+2*kv) + 4*t*t*hk + 2*t*hk*d + 2*mlps*t*d*f
	return float64(e.Layers) * perLayer
}

// TrainFLOPs converts a forward cost into the cost of a training step on it.
func TrainFLOPs(forward float64) float64 { return 3 * forward }

// ExampleTrainFLOPs is the training FLOPs of one example and what the example is (the
// family's FamilyConfig.ExampleTrainFLOPs): an image for a ViT; for a BERT, a sequence of
// min(128, MaxPositions) tokens with 15% of them masked.
func (c Config) ExampleTrainFLOPs() (flops float64, per string) {
	if f := c.family(); f != nil {
		return f.ExampleTrainFLOPs()
	}
	return 0, "no model"
}
