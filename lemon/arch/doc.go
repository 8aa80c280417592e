// Package arch defines the Transformer models that lemon trains and expands: one encoder
// (Pre-LN or Post-LN blocks) shared by a Vision Transformer and a BERT, their typed configs
// and presets, and the one naming scheme under which every weight is stored (see names.go).
//
// Weights are created on the host by Init (seeded, backend-independent) and live in a GoMLX
// model.Store; the graph functions (ViTLogits, BERTMLMLogits, BERTClassifierLogits) only read
// them. The expansion code (package expand) reads and writes exactly those variables.
//
//	cfg, _ := arch.Preset("vit-cpu-2-64")
//	store, _ := arch.Init(cfg, 42)
//	exec := model.MustNewExec(backend.MustNew(), store,
//		func(scope *model.Scope, images *graph.Node) *graph.Node {
//			return arch.ViTLogits(scope, *cfg.ViT, images) // [B, 28, 28, 1] → [B, 10]
//		})
//
// Paper: LEMON (Wang et al., ICLR 2024), §3 (the Pre-LN / Post-LN blocks it expands).
package arch
