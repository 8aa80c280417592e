package arch_test

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/vit"
)

func ExamplePreset() {
	// Any registered family's preset (package vit is linked in by the import above).
	cfg, err := arch.Preset("vit-12-768")
	if err != nil {
		panic(err)
	}
	e := cfg.Enc()
	fmt.Printf("L=%d D=%d H=%d d=%d F=%d, %.1f M parameters\n", e.Layers, e.Width, e.Heads, e.HeadDim, e.MLPDim, float64(cfg.NumParams())/1e6)
	// Output: L=12 D=768 H=12 d=64 F=3072, 86.6 M parameters
}

func ExampleInBlock() {
	fmt.Println(arch.InBlock(3, arch.Query, arch.Weights))
	fmt.Println(arch.InBlock(3, arch.FC2, arch.Biases))
	// Output:
	// encoder/block_003/attn/query/weights
	// encoder/block_003/mlp/fc2/biases
}
