// Package families links every model family this library ships, so that arch.Preset,
// arch.ParseConfig and checkpoints know them all: import it for its side effect,
//
//	import _ "github.com/golemon/golemon/lemon/arch/families"
//
// Each family is a package of its own under lemon/arch that registers itself
// (arch.Register); adding one to the library is its folder and one line here.
// (lemon/arch/toy, the template for a new family, is left out: it is an example.)
package families

import (
	_ "github.com/golemon/golemon/lemon/arch/bert"  // BERT (masked LM, optional classifier)
	_ "github.com/golemon/golemon/lemon/arch/gpt2"  // GPT-2 style decoders
	_ "github.com/golemon/golemon/lemon/arch/llama" // LLaMA-style decoders (RMSNorm, SwiGLU, RoPE, GQA)
	_ "github.com/golemon/golemon/lemon/arch/vit"   // Vision Transformer classifiers
)
