// Command presets prints the model presets as a markdown table (the one in the README):
//
//	go run ./examples/presets
package main

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	_ "github.com/golemon/golemon/lemon/arch/gpt2" // its presets too
)

func main() {
	fmt.Println("| preset | L | D | H×d | F | norm | parameters | training FLOPs per example |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, name := range arch.PresetNames() {
		cfg, err := arch.Preset(name)
		if err != nil {
			panic(err)
		}
		e := cfg.Enc()
		norm := e.Norm.String()
		if e.Causal {
			norm += ", causal"
		}
		flops, per := cfg.ExampleTrainFLOPs()
		fmt.Printf("| `%s` | %d | %d | %d×%d | %d | %s | %s | %.3g (%s) |\n",
			name, e.Layers, e.Width, e.Heads, e.HeadDim, e.MLPDim, norm, millions(cfg.NumParams()), flops, per)
	}
	fmt.Println("\nCPU BERT and GPT-2 presets list vocabulary 8,192 as a placeholder: training replaces it by the compact corpus vocabulary.")
}

func millions(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0f k", float64(n)/1e3)
}
