package vit_test

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
)

func ExampleConfig_ForwardFLOPs() {
	c, _ := vit.PresetConfig("vit-cpu-2-64")
	fmt.Printf("%.2f MFLOP forward, %.2f MFLOP per training example\n", c.ForwardFLOPs()/1e6, arch.TrainFLOPs(c.ForwardFLOPs())/1e6)
	// Output: 3.59 MFLOP forward, 10.78 MFLOP per training example
}
