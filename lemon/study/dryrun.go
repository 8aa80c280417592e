package study

import (
	"fmt"
	"io"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
)

// StepFLOPs is the training cost of one step of cfg on the study's data (arch.TrainFLOPs
// accounting: batch × 3 × forward matmul FLOPs).
func (s *Study) StepFLOPs(cfg arch.Config) float64 {
	b := float64(s.Data.Batch)
	switch f := cfg.Family().(type) {
	case arch.CausalLM:
		return b * arch.TrainFLOPs(f.ForwardFLOPs(s.Data.SeqLen))
	case arch.MaskedLM:
		return b * arch.TrainFLOPs(f.MLMForwardFLOPs(s.Data.SeqLen, data.MaxPredictions(s.Data.SeqLen)))
	case arch.ImageClassifier:
		return b * arch.TrainFLOPs(f.ForwardFLOPs())
	}
	flops, _ := cfg.ExampleTrainFLOPs()
	return b * flops
}

// DryRun validates the study, builds every expansion plan, and prints the matrix: each run
// with its steps, schedule and estimated training FLOPs, and the total. Nothing is trained or
// loaded; BERT configs keep their preset vocabulary size (the data may change it).
func DryRun(w io.Writer, s Study) error {
	if err := s.Validate(); err != nil {
		return err
	}
	src, tgt := s.StepFLOPs(s.Source), s.StepFLOPs(s.Target)
	fmt.Fprintf(w, "study %s/%s: %s (%d parameters) → %s (%d parameters), data %+v\n", s.Task, s.Name,
		s.SourceName, s.Source.NumParams(), s.TargetName, s.Target.NumParams(), s.Data)
	fmt.Fprintf(w, "step FLOPs: source %.3g, target %.3g (ratio %.2f)\n", src, tgt, tgt/src)
	for _, m := range expandedMethods(s) {
		x, err := newExpansion(m, s.Source, s.Target, 0, s.HyperCloneNoise)
		if err != nil {
			return err
		}
		for _, p := range x.plans {
			head, _, _ := strings.Cut(p.String(), "\n")
			fmt.Fprintf(w, "plan %-10s %s\n", m, head)
		}
	}
	sourceFLOPs := float64(s.SourceSteps) * src
	total := sourceFLOPs
	sch := s.Schedule
	sch.Total = s.SourceSteps
	fmt.Fprintf(w, "\n%-32s %9s %11s  %s\n", "run", "steps", "FLOPs", "schedule")
	fmt.Fprintf(w, "%-32s %9d %11.3g  %s\n", "source", s.SourceSteps, sourceFLOPs, sch)
	runs := s.Runs()
	for _, r := range runs {
		f := float64(r.Steps) * tgt
		total += f
		fmt.Fprintf(w, "%-32s %9d %11.3g  %s\n", r.ID(), r.Steps, f, s.ScheduleOf(r))
	}
	fmt.Fprintf(w, "\n%d target runs + source: %.3g training FLOPs = %.1f× one scratch run (%.3g); evaluation not included\n",
		len(runs), total, total/(float64(s.Steps)*tgt), float64(s.Steps)*tgt)
	return nil
}
