// Command presets prints the model presets as a markdown table (the one in the README):
//
//	go run ./examples/presets
package main

import (
	"fmt"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/families" // every family's presets and checkpoints
)

func main() {
	fmt.Println("| preset | L | D | H×d | F | layers | parameters | training FLOPs per example |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, name := range arch.PresetNames() {
		cfg, err := arch.Preset(name)
		if err != nil {
			panic(err)
		}
		e := cfg.Enc()
		d := e.Describe() // "L=… (pre-LN, causal, …)": the layer kinds in the parentheses
		norm := strings.TrimSuffix(d[strings.Index(d, "(")+1:], ")")
		flops, per := cfg.ExampleTrainFLOPs()
		fmt.Printf("| `%s` | %d | %d | %d×%d | %d | %s | %s | %.3g (%s) |\n",
			name, e.Layers, e.Width, e.Heads, e.HeadDim, e.MLPDim, norm, millions(cfg.NumParams()), flops, per)
	}
	fmt.Println("\nCPU BERT, GPT-2 and LLaMA presets list vocabulary 8,192 as a placeholder: training replaces it by the compact corpus vocabulary.")
}

func millions(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0f k", float64(n)/1e3)
}
