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
		for _, scale := range []Scale{CPU, Paper, CPULong, CPUPlateau} {
			if task == BERT && scale == CPULong {
				if _, err := Preset(task, scale); err == nil {
					t.Error("bert has no cpu-long preset, but one was returned")
				}
				continue
			}
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
	s.OptStateBudgets, s.SweepSeeds = []float64{-0.5}, -1
	err := s.Validate()
	for _, want := range []string{"steps", "seed", "budget 1.5", "budget -0.5", "sweep seeds must be ≥ 0, got -1"} {
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

// TestRegimeAndPaired checks the regime rules and the paired differences on hand-made
// curves: three scratch seeds, LEMON and FPI at 0.5T over the same seeds.
func TestRegimeAndPaired(t *testing.T) {
	s, _ := Preset(ViT, CPU) // T = 300: the last quarter starts at step 225
	row := func(step int, acc float64) runner.Row {
		return runner.Row{Step: step, FLOPs: float64(step) * 1e9, ValLoss: 1 - acc, ValMetric: acc}
	}
	build := func(scratchEnd [3]float64, lateGain float64, fpiGap [3]float64) *Report {
		rep := &Report{Study: s, Source: &runner.Row{ValMetric: 0.70, ValLoss: 0.30}, SourceFLOPs: 30e9}
		var finals []runner.Row
		for i, end := range scratchEnd {
			// 150 → 300 in steps of 150: the value at 225 is interpolated halfway.
			rows := []runner.Row{row(0, 0.1), row(150, end-2*lateGain), row(300, end)}
			spec := s.spec(true, expand.LEMON, 1, 1, false, uint64(i+1))
			rep.Records = append(rep.Records, Record{Spec: spec, Final: rows[2], Initial: rows[0], rows: rows})
			finals = append(finals, rows[2])
		}
		for i := range 3 {
			seed := uint64(i + 1)
			lemon := []runner.Row{row(0, 0.70), row(150, 0.80+0.01*float64(i))}
			fpi := []runner.Row{row(0, 0.70), row(150, 0.80+0.01*float64(i)-fpiGap[i])}
			rep.Records = append(rep.Records,
				Record{Spec: s.spec(false, expand.LEMON, 0.5, 1, false, seed), Final: lemon[1], Initial: lemon[0], rows: lemon},
				Record{Spec: s.spec(false, expand.FPI, 0.5, 1, false, seed), Final: fpi[1], Initial: fpi[0], rows: fpi})
		}
		rep.measure(finals)
		return rep
	}
	// Scratch ends at 0.80, 0.81, 0.82 (std 0.01) and gains 0.004 over the last quarter.
	rep := build([3]float64{0.80, 0.81, 0.82}, 0.004, [3]float64{0.02, 0.03, 0.04})
	g, ok := rep.Regime(0)
	if !ok {
		t.Fatal("no regime with a source and three scratch seeds")
	}
	if math.Abs(g.Std-0.01) > 1e-12 || math.Abs(g.MeanGain-0.004) > 1e-12 || g.From != 225 || math.Abs(g.Gap-0.11) > 1e-12 {
		t.Errorf("regime %+v: want std 0.01, gain 0.004 from step 225, gap 0.11", g)
	}
	if !g.Plateaued() || !g.Separated() {
		t.Errorf("plateaued %v, separated %v: want both", g.Plateaued(), g.Separated())
	}
	ps := rep.Paired()
	if len(ps) != 1 || ps[0].Arm != "fpi" || len(ps[0].Seeds) != 3 {
		t.Fatalf("paired %+v: want fpi over 3 seeds", ps)
	}
	// LEMON − FPI = 0.02, 0.03, 0.04: mean 0.03, std 0.01, interval 0.03 ± 4.303·0.01/√3.
	d := ps[0].Final[0]
	if lo, hi := d.CI95(); math.Abs(d.Mean-0.03) > 1e-12 || math.Abs(lo-(0.03-4.303*0.01/math.Sqrt(3))) > 1e-9 || hi < lo {
		t.Errorf("paired accuracy difference %+v [%g, %g]", d, lo, hi)
	}
	if l := ps[0].Final[1]; math.Abs(l.Mean-0.03) > 1e-12 { // loss is 1 − acc: LEMON lower by as much, oriented +
		t.Errorf("paired loss difference %+v: want +0.03 (LEMON lower)", l)
	}
	md := rep.Markdown()
	for _, want := range []string{"Plateau ✓", "Target vs source ✓", "11.0× the seed std", "| fpi | 0.50T | 3 | +3.00 [+0.52, +5.48] pts | **LEMON better** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Negative controls: a scratch target still climbing, a source too close, and an FPI
	// whose difference straddles zero.
	rep = build([3]float64{0.70, 0.72, 0.74}, 0.03, [3]float64{-0.02, 0.01, 0.02})
	g, _ = rep.Regime(0)
	if g.Plateaued() || g.Separated() {
		t.Errorf("regime %+v: gain 0.03 > std 0.02 and gap 0.02 < 5·std must both fail", g)
	}
	md = rep.Markdown()
	for _, want := range []string{"Plateau ✗", "**The scratch target is still improving**", "Target vs source ✗", "| fpi | 0.50T | 3 | +0.33 [-4.84, +5.50] pts | not separated |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if _, ok := (&Report{Study: s}).Regime(0); ok {
		t.Error("a regime without source or scratch runs")
	}
}

// TestContextCheck: a BERT report says how far below the unigram entropy the scratch target
// ends, against ContextNats, and fails the rule when it is too close.
func TestContextCheck(t *testing.T) {
	s, _ := Preset(BERT, CPUPlateau)
	row := func(step int, loss float64) runner.Row {
		return runner.Row{Step: step, FLOPs: float64(step) * 1e9, ValLoss: loss, ValMetric: 0.1}
	}
	for _, c := range []struct {
		unigram float64
		want    string
	}{{6.4, "Context ✓: the scratch target's val loss 5.8000 is 0.6000 nats below the unigram entropy 6.4000"},
		{6.1, "Context ✗: the scratch target's val loss 5.8000 is 0.3000 nats below"}} {
		rep := &Report{Study: s, Source: &runner.Row{ValLoss: 6.2}, SourceFLOPs: 1e9, Unigram: c.unigram}
		var finals []runner.Row
		for i, end := range []float64{5.79, 5.81} {
			rows := []runner.Row{row(0, 9), row(1250, end+0.1), row(2500, end)}
			rep.Records = append(rep.Records, Record{Spec: s.spec(true, expand.LEMON, 1, 1, false, uint64(i+1)),
				Final: rows[2], Initial: rows[0], rows: rows})
			finals = append(finals, rows[2])
		}
		rep.measure(finals)
		if md := rep.Markdown(); !strings.Contains(md, c.want) || !strings.Contains(md, "the source's 6.2000 is") {
			t.Errorf("unigram %g: markdown lacks %q:\n%s", c.unigram, c.want, md)
		}
	}
	vit := &Report{Study: tinyStudy(), Unigram: 6}
	if strings.Contains(vit.Markdown(), "Context") {
		t.Error("a ViT report has a context check")
	}
}

// TestGPT2PlateauPreset: the decoder's cpu-plateau preset is gpt2/cpu's matrix at twice the
// budget (T = 2,000, evaluation every 100 steps, warmup T/20, the source trained as long),
// with every arm of the matrix; GPT-2 has no cpu-long preset.
func TestGPT2PlateauPreset(t *testing.T) {
	short, err := Preset(GPT2, CPU)
	if err != nil {
		t.Fatal(err)
	}
	long, err := Preset(GPT2, CPUPlateau)
	if err != nil {
		t.Fatal(err)
	}
	if long.Steps != 2*short.Steps || long.SourceSteps != long.Steps || long.EvalEvery != 100 || long.Schedule.Warmup != long.Steps/20 {
		t.Errorf("gpt2/cpu-plateau: T %d, source %d, eval every %d, warmup %d; want 2×%d, as long, 100, T/20",
			long.Steps, long.SourceSteps, long.EvalEvery, long.Schedule.Warmup, short.Steps)
	}
	if len(long.Runs()) != len(short.Runs()) || long.Data != short.Data || long.SourceName != short.SourceName || long.TargetName != short.TargetName {
		t.Errorf("gpt2/cpu-plateau: %d runs on %+v (%s → %s), want gpt2/cpu's %d on %+v", len(long.Runs()), long.Data,
			long.SourceName, long.TargetName, len(short.Runs()), short.Data)
	}
	var out bytes.Buffer
	if err := DryRun(&out, long); err != nil || !strings.Contains(out.String(), "37 target runs + source") {
		t.Errorf("dry run: %v\n%s", err, out.String())
	}
	if _, err := Preset(GPT2, CPULong); err == nil {
		t.Error("gpt2 has no cpu-long preset, but one was returned")
	}
}
