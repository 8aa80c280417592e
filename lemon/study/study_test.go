package study

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
)

func TestPresetsValidateAndPlan(t *testing.T) {
	for _, task := range []Task{ViT, BERT} {
		for _, scale := range []Scale{CPU, Paper} {
			s, err := Preset(task, scale)
			if err != nil {
				t.Fatalf("%s/%s: %v", task, scale, err)
			}
			var out bytes.Buffer
			if err := DryRun(&out, s); err != nil {
				t.Fatalf("%s/%s dry run: %v", task, scale, err)
			}
			for _, want := range []string{"plan lemon", "plan hyperclone", "scratch_b1.00_x1_s3", "training FLOPs"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("%s/%s dry run lacks %q:\n%s", task, scale, want, out.String())
				}
			}
		}
	}
}

func TestRunsMatrix(t *testing.T) {
	s, err := Preset(ViT, CPU)
	if err != nil {
		t.Fatal(err)
	}
	runs := s.Runs()
	count := map[string]int{}
	ids := map[string]bool{}
	for _, r := range runs {
		count[r.Name()]++
		if ids[r.ID()] {
			t.Errorf("duplicate run id %s", r.ID())
		}
		ids[r.ID()] = true
	}
	seeds, budgets := len(s.Seeds), len(s.Budgets)
	want := map[string]int{"scratch": seeds, "lemon": seeds*budgets + len(s.LRScales), "lemon-truncated": 1,
		"fpi": 1, "aki": 1, "stack": 1, "zero": 1, "hyperclone": 1}
	for name, n := range want {
		if count[name] != n {
			t.Errorf("%d %s runs, want %d", count[name], name, n)
		}
	}
	if !runs[0].Scratch {
		t.Error("scratch runs must come first: they are every saving's reference")
	}
}

func TestScheduleOf(t *testing.T) {
	s, _ := Preset(ViT, CPU)
	scratch := s.ScheduleOf(s.spec(true, expand.LEMON, 1, 1, false, 1))
	lemon := s.ScheduleOf(s.spec(false, expand.LEMON, 0.5, 1, false, 1))
	fast := s.ScheduleOf(s.spec(false, expand.LEMON, 0.5, 2, false, 1))
	trunc := s.ScheduleOf(s.spec(false, expand.LEMON, 0.5, 1, true, 1))
	switch {
	case scratch.Total != s.Steps || scratch.Peak != s.Schedule.Peak:
		t.Errorf("scratch schedule %s", scratch)
	case lemon.Total != s.Steps/2 || lemon.Peak != scratch.Peak || lemon.Warmup != scratch.Warmup:
		t.Errorf("LEMON schedule %s: want the scratch peak and warmup, decay over %d steps", lemon, s.Steps/2)
	case fast.Peak != 2*scratch.Peak || fast.Floor != 2*scratch.Floor:
		t.Errorf("LR-sweep schedule %s: want peak and floor ×2", fast)
	case trunc.String() != scratch.String():
		t.Errorf("truncated schedule %s, want the scratch one %s", trunc, scratch)
	}
}

func TestValidateListsProblems(t *testing.T) {
	s, _ := Preset(BERT, CPU)
	s.Steps, s.Seeds, s.Budgets = 0, nil, []float64{1.5}
	err := s.Validate()
	for _, want := range []string{"steps", "seed", "budget 1.5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
	if _, err := ParseTask("gpt"); err == nil {
		t.Error("unknown task accepted")
	}
	if _, err := ParseScale("huge"); err == nil {
		t.Error("unknown scale accepted")
	}
}

// TestMarkdownSaysNotReached: a setting that never reaches the reference is reported as such,
// with its best value, never as a number of percent.
func TestMarkdownSaysNotReached(t *testing.T) {
	s, _ := Preset(BERT, CPU)
	row := func(step int, loss, acc float64) runner.Row {
		return runner.Row{Step: step, FLOPs: float64(step) * 1e9, ValLoss: loss, ValMetric: acc}
	}
	scratch := []runner.Row{row(0, 9, 0), row(100, 6, 0.1), row(200, 5, 0.2)}
	good := []runner.Row{row(0, 5.5, 0.1), row(50, 4.9, 0.15), row(100, 4.8, 0.3)}
	bad := []runner.Row{row(0, 7, 0.1), row(50, 6, 0.1), row(100, 5.5, 0.1)}
	rep := &Report{Study: s, SourceFLOPs: 20e9}
	for _, c := range []struct {
		spec RunSpec
		rows []runner.Row
	}{{s.spec(true, expand.LEMON, 1, 1, false, 1), scratch}, {s.spec(false, expand.LEMON, 0.5, 1, false, 1), good},
		{s.spec(false, expand.Zero, 0.5, 1, false, 1), bad}} {
		rep.Records = append(rep.Records, Record{Spec: c.spec, PeakLR: 1e-3, Final: c.rows[len(c.rows)-1], Initial: c.rows[0], rows: c.rows})
	}
	rep.measure([]runner.Row{scratch[2]})
	md := rep.Markdown()
	// LEMON's loss crosses 5 between 0 (5.5) and 50 (4.9): at 5/6 of 5e10 FLOPs → saving
	// 1 − 4.1667e10/2e11 = 79.2%, 69.2% with the source's 2e10. Its accuracy crosses 0.2 at
	// 50 + 50/3 steps: 66.7%.
	for _, want := range []string{"| zero | 0.50T |", "not reached (best 5.5000)", "| 79.2% | 69.2% | 66.7% |",
		"not reached (best 10.0%)", "paper: 33.2%"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	csv := rep.CSV()
	if !strings.Contains(csv, "bert,zero,0.5,100,0.001,1,0.1,5.5,1e+11,0.1,7,,val_loss,false,,,,val_metric,false,,,") {
		t.Errorf("an unreached run's CSV row should have empty savings:\n%s", csv)
	}
	if math.IsNaN(rep.Records[1].Savings[0].Excl) {
		t.Error("LEMON should have reached")
	}
	if strings.Contains(md, "Caveat") {
		t.Errorf("no source yet, but a caveat:\n%s", md)
	}
	// A source that already matches the reference makes every lossless saving 100%: say so.
	rep.Source = &runner.Row{ValLoss: 4.9, ValMetric: 0.05}
	if md := rep.Markdown(); !strings.Contains(md, "**Caveat on val loss:** the source itself already reaches") ||
		strings.Contains(md, "Caveat on val accuracy") {
		t.Errorf("want a caveat on val loss only:\n%s", md)
	}
}
