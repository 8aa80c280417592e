package arch_test

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
)

func ExamplePreset() {
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

func ExampleViTConfig_ForwardFLOPs() {
	c, _ := arch.ViTPreset("vit-cpu-2-64")
	fmt.Printf("%.2f MFLOP forward, %.2f MFLOP per training example\n", c.ForwardFLOPs()/1e6, arch.TrainFLOPs(c.ForwardFLOPs())/1e6)
	// Output: 3.59 MFLOP forward, 10.78 MFLOP per training example
}
