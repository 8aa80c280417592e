package runner

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/schedule"
)

// TestResumeRefusesChangedRun: a resume whose schedule (here its end point, as `-steps 20`
// then `-resume -steps 40` moves it) or weight decay differs from the checkpoint's is
// refused, naming what differs, and goes through with ResumeChanged.
func TestResumeRefusesChangedRun(t *testing.T) {
	dir := t.TempDir()
	runSteps(t, dir, 8, false) // WarmupCosine to 16, weight decay 0.05
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Schedule: schedule.WarmupCosine{Peak: 3e-3, Warmup: 2, Total: 20, Floor: 1e-5}, WeightDecay: 0.05}, "schedule"},
		{Options{Schedule: schedule.WarmupCosine{Peak: 3e-3, Warmup: 2, Total: 16, Floor: 1e-5}, WeightDecay: 0.1}, "weight decay"},
	} {
		task := newTask(t)
		m, _ := arch.New(task.Config(), 3)
		o := c.opts
		o.Steps, o.EvalEvery, o.OutDir, o.Resume, o.Out = 12, 4, dir, true, &strings.Builder{}
		_, err := Run(backend.MustNew(), task, m, o)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("resume with another %s: %v, want one line naming it", c.want, err)
		}
		o.ResumeChanged = true
		if _, err := Run(backend.MustNew(), task, m, o); err != nil {
			t.Errorf("ResumeChanged resume with another %s: %v", c.want, err)
		}
	}
}

// TestOptionsRejectBadSchedules: learning rates and weight decays that cannot train are
// refused before anything runs or is written.
func TestOptionsRejectBadSchedules(t *testing.T) {
	for _, c := range []struct {
		name  string
		sched schedule.Schedule
		wd    float64
		want  string
	}{
		{"negative lr", schedule.Constant{LR: -1}, 0, "learning rate -1"},
		{"NaN lr", schedule.Constant{LR: math.NaN()}, 0, "learning rate NaN"},
		{"NaN peak", schedule.WarmupCosine{Peak: math.NaN(), Warmup: 1, Total: 10}, 0, "invalid"},
		{"warmup beyond the end", schedule.WarmupCosine{Peak: 1e-3, Warmup: 20, Total: 10}, 0, "invalid"},
		{"negative warmup", schedule.WarmupCosine{Peak: 1e-3, Warmup: -1, Total: 10}, 0, "invalid"},
		{"negative weight decay", schedule.Constant{LR: 1e-3}, -0.1, "weight decay"},
		{"NaN weight decay", schedule.Constant{LR: 1e-3}, math.NaN(), "weight decay"},
	} {
		task := newTask(t)
		m, _ := arch.New(task.Config(), 1)
		dir := t.TempDir()
		_, err := Run(backend.MustNew(), task, m, Options{Steps: 10, EvalEvery: 5, Schedule: c.sched,
			WeightDecay: c.wd, OutDir: dir, Out: &strings.Builder{}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
		if entries := mustReadDir(t, dir); len(entries) != 0 {
			t.Errorf("%s: wrote %v", c.name, entries)
		}
	}
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
