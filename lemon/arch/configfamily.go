package arch

// family is the FamilyConfig that c holds, or nil.
func (c Config) family() FamilyConfig { return c.Other }

// withFamily is c holding f instead (of the same kind).
func (c Config) withFamily(f FamilyConfig) Config { return Config{Kind: c.Kind, Other: f} }

// WithVocab is c with the vocabulary size its data fixes, for families whose vocabulary is
// not part of the architecture (Vocabulary: BERT and the decoders); ok is false for others.
func (c Config) WithVocab(size int) (out Config, ok bool) {
	v, ok := c.family().(Vocabulary)
	if !ok {
		return c, false
	}
	return c.withFamily(v.WithVocab(size)), true
}

// EncoderParamsFloat is the parameter count of the encoder blocks (and the final norm), from
// the sizes alone, every option included (kv heads, SwiGLU, RMSNorm, no biases).
func EncoderParamsFloat(e Encoder) float64 { return encoderParamsFloat(e) }

func encoderParamsFloat(e Encoder) float64 {
	d, hd, kv, f := float64(e.Width), float64(e.Heads)*float64(e.HeadDim), float64(e.KV())*float64(e.HeadDim), float64(e.MLPDim)
	bias := 1.0
	if e.NoBias {
		bias = 0
	}
	normP := 2 * d
	if e.RMS() {
		normP = d
	}
	mlps := 2.0
	if e.SwiGLU() {
		mlps = 3
	}
	perLayer := 2*normP + d*hd + 2*d*kv + hd*d + mlps*d*f + bias*(hd+2*kv+d+(mlps-1)*f+d)
	n := float64(e.Layers) * perLayer
	if e.Norm == PreLN {
		n += normP
	}
	return n
}
