package expand_test

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/expand"
)

// be is the backend the examples verify on (the library never picks one). The Go backend
// prints a one-line banner when it starts; start it before the examples capture their output.
var be = backend.MustNew()

// tinyViT is a one-block ViT on 8×8 grey images.
func tinyViT() arch.Config {
	v := vit.Config{
		Encoder: arch.Encoder{Layers: 1, Width: 4, Heads: 1, HeadDim: 4, MLPDim: 8, Norm: arch.PreLN,
			LayerNormEps: 1e-6, DType: "float64"},
		ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3,
	}
	return vit.New(v)
}

func ExampleNewPlan() {
	plan, err := expand.NewPlan(tinyViT(), expand.Spec{Width: 6, Heads: 2, Layers: 2}, expand.LEMON, expand.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Print(plan)
	// Output:
	// expand vit L=1 D=4 H=1 d=4 F=8 (pre-LN) → L=2 D=6 H=2 d=4 F=8 (pre-LN) with lemon: exact
	//   width D_T = 1·4 + 2, η² = 0.666667, LayerNorm ε 1e-06 → 6.66667e-07
	//   blocks: 0←0 1←0′(cancel)
	//   vit/patch_embed/weights [16 6] ← vit/patch_embed/weights [16 4]: expand in=fixed out=residual
	//   vit/patch_embed/biases [6] ← vit/patch_embed/biases [4]: expand out=residual
	//   vit/cls_token [6] ← vit/cls_token [4]: expand out=residual
	//   vit/pos_embed [5 6] ← vit/pos_embed [5 4]: expand in=fixed out=residual
	//   encoder/block_000/ln1/gain [6] ← encoder/block_000/ln1/gain [4]: ln-gain in=residual out=normed
	//   encoder/block_000/ln1/offset [6] ← encoder/block_000/ln1/offset [4]: ln-offset in=residual out=normed
	//   encoder/block_000/attn/query/weights [6 8] ← encoder/block_000/attn/query/weights [4 4]: expand in=normed out=query
	//   encoder/block_000/attn/query/biases [8] ← encoder/block_000/attn/query/biases [4]: expand out=query
	//   encoder/block_000/attn/key/weights [6 8] ← encoder/block_000/attn/key/weights [4 4]: expand in=normed out=key
	//   encoder/block_000/attn/key/biases [8] ← encoder/block_000/attn/key/biases [4]: expand out=key
	//   encoder/block_000/attn/value/weights [6 8] ← encoder/block_000/attn/value/weights [4 4]: expand in=normed out=value
	//   encoder/block_000/attn/value/biases [8] ← encoder/block_000/attn/value/biases [4]: expand out=value
	//   encoder/block_000/attn/output/weights [8 6] ← encoder/block_000/attn/output/weights [4 4]: expand in=value out=residual
	//   encoder/block_000/attn/output/biases [6] ← encoder/block_000/attn/output/biases [4]: expand out=residual
	//   encoder/block_000/ln2/gain [6] ← encoder/block_000/ln2/gain [4]: ln-gain in=residual out=normed
	//   encoder/block_000/ln2/offset [6] ← encoder/block_000/ln2/offset [4]: ln-offset in=residual out=normed
	//   encoder/block_000/mlp/fc1/weights [6 8] ← encoder/block_000/mlp/fc1/weights [4 8]: expand in=normed out=hidden
	//   encoder/block_000/mlp/fc1/biases [8] ← encoder/block_000/mlp/fc1/biases [8]: expand out=hidden
	//   encoder/block_000/mlp/fc2/weights [8 6] ← encoder/block_000/mlp/fc2/weights [8 4]: expand in=hidden out=residual
	//   encoder/block_000/mlp/fc2/biases [6] ← encoder/block_000/mlp/fc2/biases [4]: expand out=residual
	//   encoder/block_001/ln1/gain [6] ← encoder/block_000/ln1/gain [4]: ln-gain in=residual out=normed
	//   encoder/block_001/ln1/offset [6] ← encoder/block_000/ln1/offset [4]: ln-offset in=residual out=normed
	//   encoder/block_001/attn/query/weights [6 8] ← encoder/block_000/attn/query/weights [4 4]: expand in=normed out=query
	//   encoder/block_001/attn/query/biases [8] ← encoder/block_000/attn/query/biases [4]: expand out=query
	//   encoder/block_001/attn/key/weights [6 8] ← encoder/block_000/attn/key/weights [4 4]: expand in=normed out=key
	//   encoder/block_001/attn/key/biases [8] ← encoder/block_000/attn/key/biases [4]: expand out=key
	//   encoder/block_001/attn/value/weights [6 8] ← encoder/block_000/attn/value/weights [4 4]: expand in=normed out=value
	//   encoder/block_001/attn/value/biases [8] ← encoder/block_000/attn/value/biases [4]: expand out=value
	//   encoder/block_001/attn/output/weights [8 6] ← (none): cancel in=value out=residual
	//   encoder/block_001/attn/output/biases [6] ← (none): zero out=residual
	//   encoder/block_001/ln2/gain [6] ← encoder/block_000/ln2/gain [4]: ln-gain in=residual out=normed
	//   encoder/block_001/ln2/offset [6] ← encoder/block_000/ln2/offset [4]: ln-offset in=residual out=normed
	//   encoder/block_001/mlp/fc1/weights [6 8] ← encoder/block_000/mlp/fc1/weights [4 8]: expand in=normed out=hidden
	//   encoder/block_001/mlp/fc1/biases [8] ← encoder/block_000/mlp/fc1/biases [8]: expand out=hidden
	//   encoder/block_001/mlp/fc2/weights [8 6] ← (none): cancel in=hidden out=residual
	//   encoder/block_001/mlp/fc2/biases [6] ← (none): zero out=residual
	//   encoder/final_ln/gain [6] ← encoder/final_ln/gain [4]: ln-gain in=residual out=top
	//   encoder/final_ln/offset [6] ← encoder/final_ln/offset [4]: ln-offset in=residual out=top
	//   vit/head/weights [6 3] ← vit/head/weights [4 3]: expand in=top out=fixed
	//   vit/head/biases [3] ← vit/head/biases [3]: expand out=fixed
}

func ExamplePlan_Apply() {
	src, err := arch.New(tinyViT(), 1)
	if err != nil {
		panic(err)
	}
	plan, err := expand.NewPlan(src.Config, expand.Spec{Width: 10, MLPDim: 12, Layers: 3}, expand.LEMON, expand.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	tgt, err := plan.Apply(src)
	if err != nil {
		panic(err)
	}
	diff, err := expand.Compare(be, src, tgt, expand.RandomInputs(src.Config, 4, 1))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d → %d parameters, ε %g → %g, lossless: %v\n", src.Config.NumParams(), tgt.Config.NumParams(),
		src.Config.Enc().LayerNormEps, tgt.Config.Enc().LayerNormEps, diff.MaxAbs < 1e-12)
	// Output:
	// 287 → 1735 parameters, ε 1e-06 → 8e-07, lossless: true
}

func ExampleNewPlan_impossible() {
	e := tinyViT().Enc()
	e.Norm = arch.PostLN
	src := tinyViT().WithEncoder(e)
	_, err := expand.NewPlan(src, expand.Spec{Width: 6}, expand.LEMON, expand.Options{})
	fmt.Println(err)
	// Output:
	// expand.NewPlan: cannot expand L=1 D=4 H=1 d=4 F=8 (post-LN) with lemon: Post-LN width 4 → 6 is not divisible: plain LayerNorm cannot keep residue channels at an input-dependent mean; use a width that is a multiple of 4 (e.g. 8)
}
