// Package expand implements lossless model expansion: it turns a trained source Transformer
// (package arch: ViT or BERT, Pre-LN or Post-LN) into a wider and/or deeper target that
// computes the same function, following LEMON (Wang et al., ICLR 2024, §4 and its appendices:
// lossless width expansion with symmetry breaking, LayerNorm average expansion, depth
// expansion, Post-LN), plus the baselines a user compares it with:
// FPI (Net2Net / bert2BERT), AKI (bert2BERT), Stack (StackBERT), Zero (MSG-style) and
// HyperClone. See Method for which are lossless when.
//
// One mechanism serves every model: each axis of each weight has a Role (roles.go: residual
// stream D, LayerNorm output, MLP hidden F, the H·d axis of Q, K and V, fixed axes such as
// vocabulary or classes), keyed on arch's naming scheme. A weight [in, out] is expanded by
// making its output an expansion of the source's activation (columns, axes.go) and then
// splitting its fan-in over the copies of each input so that they sum to the source's
// (rows, kernels.go). The few rules that are not of this form are LEMON's LayerNorm rule
// (γ·η, ε·η², η² = k·D_S/D_T), the 1/k scaling of the LayerNorm before the tied MLM decoder,
// the √(d_T/d_S) query scale for larger heads, and the block layout for depth (depth.go),
// with Post-LN's affine-free LayerNorms around inserted blocks.
//
// A Plan is built and validated before any weight is read; it prints every target variable
// with its source and rule. Apply never modifies its input and is seeded.
//
//	plan, err := expand.NewPlan(srcCfg, expand.Spec{Width: 768, Heads: 12, Layers: 12}, expand.LEMON, expand.Options{Seed: 1})
//	if err != nil { … }            // impossible requests say why and what would work
//	fmt.Print(plan)                 // target ← source: rule, roles
//	tgt, tgtCfg, err := plan.Apply(srcStore)
//	diff, err := expand.Compare(srcCfg, srcStore, tgtCfg, tgt, expand.RandomInputs(srcCfg, 8, 1))
//	fmt.Println(diff)               // max |Δ logits| ≈ 1e-15 in float64
//
// Dimension letters: D width, F MLP hidden size, H heads, d head dim, L layers (blocks);
// subscripts S and T for source and target; D_T = k·D_S + r.
//
// Post-LN: width must be a multiple (r = 0); adding blocks is exact up to O(ε/σ²), which
// is ~1e-13 at BERT's ε = 1e-12 and ~1e-7 at ε = 1e-6. A BERT MLM transform needs r = 0;
// a Pre-LN BERT with an embedding LayerNorm needs r = 0 (dropping the LN, as the reference
// code's models simply lack it, would change the function, so the plan refuses instead).
//
// Optimizer state (beyond the paper) is carried by ApplyOptimizerState; see its comment for
// which AdamW moments are exact and which are estimates.
package expand
