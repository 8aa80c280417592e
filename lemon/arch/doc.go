// Package arch defines what every Transformer that lemon trains and expands shares: one
// encoder (Pre-LN or Post-LN blocks, with the LLaMA-style options), the one naming scheme
// under which every weight is stored (see names.go), the axis roles the expansion engine
// reads, and the registry through which each model family plugs in (family.go). The
// families are packages of their own: lemon/arch/vit, lemon/arch/bert, lemon/arch/gpt2,
// lemon/arch/llama, and lemon/arch/toy, the template for a new one.
//
// Weights are created on the host by Init (seeded, backend-independent) and live in a GoMLX
// model.Store; the graph functions only read them. The expansion code (package expand) reads
// and writes exactly those variables.
//
//	cfg, _ := vit.Preset("vit-cpu-2-64") // or arch.Preset, once package vit is linked
//	store, _ := arch.Init(cfg, 42)
//	c, _ := vit.Of(cfg)
//	exec := model.MustNewExec(backend.MustNew(), store,
//		func(scope *model.Scope, images *graph.Node) *graph.Node {
//			return c.Logits(scope, images) // [B, 28, 28, 1] → [B, 10]
//		})
//
// Paper: LEMON (Wang et al., ICLR 2024), §3 (the Pre-LN / Post-LN blocks it expands).
package arch
