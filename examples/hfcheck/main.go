// Command hfcheck checks a Hugging Face folder against PyTorch: it runs this library's forward
// on seeded inputs, writes the inputs (in transformers' names and layouts) and the logits of
// the model's output head to a safetensors file, and has scripts/hf_torch.py (PyTorch with
// transformers' module names, strict loading) compute the same logits and compare:
//
//	go run ./examples/hfcheck -in minilm-x2/
//	go run ./examples/hfcheck -in minilm-x2/ -out ours.safetensors -torch=false   # only write the file
//	python3 scripts/hf_torch.py check --model minilm-x2/ --ours ours.safetensors  # the same check by hand
//
// BertForMaskedLM's logits are at every position [B, T, V]; the classifiers' [B, K]. It needs
// Debian's python3-torch (apt-get install python3-torch); run it from the repository root.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/hf"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hfcheck:", err)
		os.Exit(1)
	}
}

func run() error {
	in := flag.String("in", "", "a Hugging Face folder (config.json + model.safetensors) (required)")
	out := flag.String("out", "", "safetensors file for the inputs and our logits (default: a temporary file, removed after the check)")
	batch := flag.Int("batch", 2, "number of seeded random inputs")
	seed := flag.Uint64("seed", 1, "seed of the inputs")
	torch := flag.Bool("torch", true, "run the PyTorch check (false: only write -out)")
	python := flag.String("python", "", "Python with torch (default: the first of /usr/bin/python3, python3 that imports torch)")
	rtol := flag.Float64("rtol", 1e-5, "largest max|Δ logits| / max|logits| the check accepts")
	flag.Parse()
	if *in == "" {
		return fmt.Errorf("-in is required")
	}
	if !*torch && *out == "" {
		return fmt.Errorf("-torch=false needs -out (else nothing would be kept)")
	}
	if !(*rtol > 0) {
		return fmt.Errorf("-rtol must be > 0, got %g", *rtol)
	}
	if *torch && *python == "" {
		p, err := findTorch()
		if err != nil {
			return err
		}
		*python = p
	}
	if _, err := os.Stat(script); *torch && err != nil {
		return fmt.Errorf("%s not found: run from the repository root", script)
	}
	if *batch < 1 || *batch > 64 {
		return fmt.Errorf("-batch must be in [1, 64], got %d", *batch)
	}
	if st, err := os.Stat(*out); err == nil && (st.IsDir() || len(*out) < 12 || (*out)[len(*out)-12:] != ".safetensors") {
		return fmt.Errorf("-out %s exists and is not a .safetensors file; not replacing it", *out)
	}
	im, err := hf.Load(*in, hf.LoadOptions{})
	if err != nil {
		return err
	}
	m := im.Model
	file := *out
	if file == "" {
		dir, err := os.MkdirTemp("", "hfcheck-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		file = filepath.Join(dir, "ours.safetensors")
	}
	inputs := expand.RandomInputs(m.Config, *batch, *seed)
	b, err := backend.New()
	if err != nil {
		return err
	}
	logits, err := expand.Forward(b, m, inputs)
	if err != nil {
		return err
	}
	head := hf.OutputHead(m.Config)
	i := slices.Index(logits.Heads, head)
	if i < 0 {
		return fmt.Errorf("the model has no %s head (heads: %v)", head, logits.Heads)
	}
	var shape []int
	switch head {
	case "mlm":
		t := inputs.Tokens.Shape().Dimensions
		b, _ := bert.Of(m.Config)
		shape = []int{t[0], t[1], b.VocabSize}
	case "classifier":
		b, _ := bert.Of(m.Config)
		shape = []int{*batch, b.NumClasses}
	case "vit":
		v, _ := vit.Of(m.Config)
		shape = []int{*batch, v.NumClasses}
	case "lm": // a decoder's next-token logits at every position
		t := inputs.Tokens.Shape().Dimensions
		vocab, _ := m.Config.Family().(arch.CausalLM).CausalLM()
		shape = []int{t[0], t[1], vocab}
	}
	if err := hf.WriteInputsAndLogits(file, m.Config, inputs, logits.Flat[i], shape); err != nil {
		return err
	}
	fmt.Printf("ours: %s logits %v of %s (%s) on %d seeded inputs\n", head, shape, im.Architecture, m, *batch)
	if *out != "" {
		fmt.Println("wrote", *out)
	}
	if !*torch {
		return nil
	}
	cmd := exec.Command(*python, script, "check", "--model", *in, "--ours", file, "--rtol", fmt.Sprint(*rtol))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("PyTorch check (%s %s check): %w", *python, script, err)
	}
	return nil
}

const script = "scripts/hf_torch.py"

func findTorch() (string, error) {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import torch").Run() == nil {
			return p, nil
		}
	}
	return "", errors.New("no Python with torch found (apt-get install python3-torch, or pass -python, or -torch=false -out FILE)")
}
