package study_test

import (
	"fmt"

	"github.com/golemon/golemon/lemon/study"
)

func ExamplePreset() {
	s, err := study.Preset(study.ViT, study.CPU)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s → %s, T = %d steps, %d runs\n", s.SourceName, s.TargetName, s.Steps, len(s.Runs()))
	for _, r := range s.Runs()[:5] {
		fmt.Printf("%-20s %s\n", r.ID(), s.ScheduleOf(r))
	}
	// Output:
	// vit-cpu-2-32 → vit-cpu-4-64, T = 300 steps, 20 runs
	// scratch_b1.00_x1_s1  warmup(15)+cosine(peak 0.002 → 2e-05 at 300)
	// scratch_b1.00_x1_s2  warmup(15)+cosine(peak 0.002 → 2e-05 at 300)
	// scratch_b1.00_x1_s3  warmup(15)+cosine(peak 0.002 → 2e-05 at 300)
	// lemon_b0.25_x1_s1    warmup(15)+cosine(peak 0.002 → 2e-05 at 75)
	// lemon_b0.25_x1_s2    warmup(15)+cosine(peak 0.002 → 2e-05 at 75)
}
