package study

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/savings"
	"github.com/golemon/golemon/plotting"
	"gonum.org/v1/plot"
)

// Figure files written by SaveFigures (each as .png and .svg).
const (
	CurvesFigure    = "curves"    // headline validation metric against training FLOPs: scratch and LEMON's variants
	BaselinesFigure = "baselines" // the same for scratch, LEMON and the baselines at the baselines' budgets
	SavingsFigure   = "savings"   // headline compute saving per expanded setting, both accountings
	SchedulesFigure = "schedules" // the learning-rate schedules compared
	PlateauFigure   = "plateau"   // the scratch seeds over the second half of T: has the target plateaued?
	// PerplexityFigure is the curves figure in perplexity (e^loss) for a decoder (GPT2) study.
	PerplexityFigure = "curves_perplexity"
)

// Figure is one of a study's figures, to save (plotting.Save) or show inline
// (gonbplot.Show).
type Figure struct {
	Name          string // file name without extension, e.g. CurvesFigure
	Plot          *plot.Plot
	Width, Height float64 // inches
}

// Figures draws the study's figures: the headline metric against FLOPs for scratch and
// LEMON's settings (curves) and for the baselines (baselines), the savings bars (savings),
// the same three for the other metric (<name>_<column>), the schedules and the plateau
// check. Figures that have nothing to show yet are left out.
func (rep *Report) Figures() ([]Figure, error) {
	if len(rep.Records) == 0 {
		return nil, nil
	}
	ms := rep.Study.Task.Metrics()
	alt := "_" + ms[1].Column()
	figs := []struct {
		name string
		draw func() (*Figure, error)
	}{
		{CurvesFigure, func() (*Figure, error) { return rep.curves(0, false) }},
		{PerplexityFigure, rep.perplexity},
		{CurvesFigure + alt, func() (*Figure, error) { return rep.curves(1, false) }},
		{BaselinesFigure, func() (*Figure, error) { return rep.curves(0, true) }},
		{BaselinesFigure + alt, func() (*Figure, error) { return rep.curves(1, true) }},
		{SavingsFigure, func() (*Figure, error) { return rep.savingsBars(0) }},
		{SavingsFigure + alt, func() (*Figure, error) { return rep.savingsBars(1) }},
		{SchedulesFigure, rep.schedules},
		{PlateauFigure, rep.plateau},
	}
	var out []Figure
	for _, f := range figs {
		fig, err := f.draw()
		if err != nil {
			return nil, fmt.Errorf("study: figure %s: %w", f.name, err)
		}
		if fig != nil {
			fig.Name = f.name
			out = append(out, *fig)
		}
	}
	return out, nil
}

// Figure returns the named figure (e.g. CurvesFigure, PlateauFigure); ok is false when it
// has nothing to show yet.
func (rep *Report) Figure(name string) (fig Figure, ok bool, err error) {
	figs, err := rep.Figures()
	for _, f := range figs {
		if f.Name == name {
			return f, true, err
		}
	}
	return Figure{}, false, err
}

// SaveFigures saves every figure of Figures into dir, as .png and .svg.
func (rep *Report) SaveFigures(dir string) error {
	figs, err := rep.Figures()
	if err != nil {
		return err
	}
	for _, f := range figs {
		if err := plotting.Save(f.Plot, filepath.Join(dir, f.Name), f.Width, f.Height); err != nil {
			return fmt.Errorf("study: figure %s: %w", f.Name, err)
		}
	}
	return nil
}

func (rep *Report) title() string {
	s := rep.Study
	return fmt.Sprintf("%s %s → %s (%s scale)", s.Task, s.SourceName, s.TargetName, s.Name)
}

// meanSeries is metric k of a group's runs against FLOPs, averaged over its seeds (they
// share their evaluation steps), with the seeds' min–max as its band.
func (rep *Report) meanSeries(name string, g group, k int) plotting.Series {
	m := rep.Study.Task.Metrics()[k]
	ser := plotting.Series{Name: name}
	for i, row := range g.recs[0].rows {
		sum, n := 0.0, 0
		for _, r := range g.recs {
			if i < len(r.rows) {
				sum += m.Of(r.rows[i])
				n++
			}
		}
		ser.X = append(ser.X, row.FLOPs)
		ser.Y = append(ser.Y, sum/float64(n))
		if len(g.recs) > 1 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, r := range g.recs {
				if i < len(r.rows) {
					lo, hi = math.Min(lo, m.Of(r.rows[i])), math.Max(hi, m.Of(r.rows[i]))
				}
			}
			ser.Lo, ser.Hi = append(ser.Lo, lo), append(ser.Hi, hi)
		}
	}
	return ser
}

// curves: metric k against FLOPs, averaged over seeds, at the base learning rate: scratch
// and LEMON's settings (every budget, truncated, optimizer state), or with baselines
// scratch, LEMON and every baseline at the baselines' budgets.
func (rep *Report) curves(k int, baselines bool) (*Figure, error) {
	return rep.curvesIn(k, baselines, false)
}

// curvesIn is curves, in perplexity (e^ of every value) when ppl.
func (rep *Report) curvesIn(k int, baselines, ppl bool) (*Figure, error) {
	val, ylabel := func(x float64) float64 { return x }, rep.Study.Task.Metrics()[k].String()
	if ppl {
		val, ylabel = math.Exp, "val perplexity"
	}
	var all []plotting.Series
	for _, g := range rep.groups() {
		r := g.recs[0]
		isBaseline := !r.Spec.Scratch && r.Spec.Method != expand.LEMON
		atBaselineBudget := slices.Contains(rep.Study.BaselineBudgets, r.Spec.Budget)
		switch {
		case r.Spec.LRScale != 1:
			continue
		case baselines && !r.Spec.Scratch && !(atBaselineBudget && (isBaseline || isLEMON(r.Spec))):
			continue
		case !baselines && isBaseline:
			continue
		}
		label := fmt.Sprintf("%s %.2fT", r.Spec.Name(), r.Spec.Budget)
		if r.Spec.Scratch {
			label = "scratch T"
		}
		label += fmt.Sprintf(" ×%d", len(g.recs))
		ser := rep.meanSeries(label, g, k)
		if ppl {
			ser = expSeries(ser)
		}
		all = append(all, ser)
	}
	if len(all) == 0 || baselines && len(rep.Study.Baselines) == 0 {
		return nil, nil
	}
	m := rep.Study.Task.Metrics()[k]
	opts := plotting.CurveOptions{}
	title := rep.title() + "\nlines: mean over the ×n seeds of each legend entry, bands: min–max"
	if ppl {
		title = rep.title() + "\nperplexity e^(val loss): lines e^ of the mean loss over the ×n seeds, bands: min–max"
	}
	if rep.ScratchRuns > 0 {
		label := "scratch reference (mean final)"
		if ppl {
			label = fmt.Sprintf("scratch reference %.1f", val(rep.Targets[k]))
		}
		opts.Ref = &plotting.RefLine{Y: val(rep.Targets[k]), Label: label}
		// Zoom on the crossing: from four source–target gaps below the source to one gap
		// beyond the target.
		if rep.Source != nil {
			src, tgt := val(m.Of(*rep.Source)), val(rep.Targets[k])
			if gap := orient(m) * (tgt - src); gap > 0 {
				lo, hi := src-4*orient(m)*gap, tgt+orient(m)*gap
				opts.YLim = [2]float64{min(lo, hi), max(lo, hi)}
				title += ", y zoomed on source → target"
			}
		}
	}
	p, err := plotting.Curves(title, "training FLOPs (target model)", ylabel, all, opts)
	if err != nil {
		return nil, err
	}
	return &Figure{Plot: p, Width: 8, Height: 5}, nil
}

// perplexity is the curves figure of a decoder study in perplexity, e^(val loss): the mean
// over seeds, the band and the reference are e^ of the loss's (e^ of the mean loss is the
// geometric mean of the seeds' perplexities). The crossing, and so every saving, is the
// loss's: e^ is increasing.
func (rep *Report) perplexity() (*Figure, error) {
	if rep.Study.Task != GPT2 {
		return nil, nil
	}
	return rep.curvesIn(0, false, true)
}

// expSeries is s with e^ applied to its values and band.
func expSeries(s plotting.Series) plotting.Series {
	e := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = math.Exp(x)
		}
		return out
	}
	s.Y = e(s.Y)
	if s.Lo != nil {
		s.Lo, s.Hi = e(s.Lo), e(s.Hi)
	}
	return s
}

// savingsBars: for metric k, one pair of bars (excl. and incl. source, mean ± the 95%
// interval's half-width over the seeds that reached) per expanded setting that reached the reference in some seed; the
// title counts the settings that never did (results.md names them). Nothing is drawn before
// there is something to show.
func (rep *Report) savingsBars(k int) (*Figure, error) {
	var labels []string
	var means, stds []float64
	missed := 0
	for _, g := range rep.groups() {
		r := g.recs[0]
		if r.Spec.Scratch || r.Savings == nil {
			continue
		}
		sum := g.summary(k)
		if sum.Reached == 0 {
			missed++
			continue
		}
		name := fmt.Sprintf("%s %.2fT", r.Spec.Name(), r.Spec.Budget)
		if r.Spec.LRScale != 1 {
			name += fmt.Sprintf(" lr×%g", r.Spec.LRScale)
		}
		name += fmt.Sprintf(" (%d/%d seeds)", sum.Reached, sum.Runs)
		labels = append(labels, name+" excl.", name+" incl.")
		means = append(means, 100*sum.Excl.Mean, 100*sum.Incl.Mean)
		stds = append(stds, 100*halfCI(sum.Excl), 100*halfCI(sum.Incl))
	}
	if len(labels) == 0 {
		return nil, nil
	}
	m := rep.Study.Task.Metrics()[k]
	title := fmt.Sprintf("%s %s: saving on %s, excl./incl. source, ± 95%% CI (paper: %s excl.); %d settings never reached",
		rep.Study.Task, rep.Study.Name, m, paperSaving[rep.Study.Task], missed)
	p, err := plotting.SavingsBars(title, labels, means, stds)
	if err != nil {
		return nil, err
	}
	return &Figure{Plot: p, Width: max(8, 0.8*float64(len(labels))), Height: 5}, nil
}

// schedules: the scratch schedule, LEMON's compressed ones and the truncated one, sampled
// from the very At functions the runs used.
func (rep *Report) schedules() (*Figure, error) {
	s := rep.Study
	scratch := s.ScheduleOf(RunSpec{Scratch: true, Steps: s.Steps, LRScale: 1})
	all := []plotting.Series{plotting.SampleSchedule("scratch", scratch.At, s.Steps)}
	for _, b := range s.Budgets {
		r := s.spec(false, expand.LEMON, b, 1, false, s.Seeds[0])
		all = append(all, plotting.SampleSchedule(fmt.Sprintf("lemon %.2fT", b), s.ScheduleOf(r).At, r.Steps))
	}
	for _, b := range s.TruncatedBudgets {
		r := s.spec(false, expand.LEMON, b, 1, true, s.Seeds[0])
		all = append(all, plotting.SampleSchedule(fmt.Sprintf("truncated %.2fT", b), s.ScheduleOf(r).At, r.Steps))
	}
	p, err := plotting.Schedule(rep.title()+": learning-rate schedules", all)
	if err != nil {
		return nil, err
	}
	return &Figure{Plot: p, Width: 8, Height: 4}, nil
}

// halfCI is the half-width of s's 95% interval, 0 when it has none (one value).
func halfCI(s savings.Stat) float64 {
	lo, hi := s.CI95()
	if math.IsNaN(lo) {
		return 0
	}
	return (hi - lo) / 2
}

// plateau: the headline metric of every scratch seed and of their mean over the second half
// of T, against the step, with the source's final value; the title gives the regime check.
func (rep *Report) plateau() (*Figure, error) {
	g, ok := rep.Regime(0)
	if !ok {
		return nil, nil
	}
	m, half := g.Metric, rep.Study.Steps/2
	var all []plotting.Series
	var mean plotting.Series
	n := 0
	for _, r := range rep.Records {
		if !r.Spec.Scratch {
			continue
		}
		ser := plotting.Series{Name: fmt.Sprintf("scratch seed %d", r.Spec.Seed)}
		for _, row := range r.rows {
			if row.Step < half {
				continue
			}
			ser.X, ser.Y = append(ser.X, float64(row.Step)), append(ser.Y, m.Of(row))
			if n == 0 {
				mean.X, mean.Y = append(mean.X, float64(row.Step)), append(mean.Y, 0)
			}
			if j := len(ser.X) - 1; j < len(mean.Y) { // finished scratch runs share their evaluation steps
				mean.Y[j] += m.Of(row)
			}
		}
		all = append(all, ser)
		n++
	}
	for j := range mean.Y {
		mean.Y[j] /= float64(n)
	}
	mean.Name = fmt.Sprintf("mean of %d seeds", n)
	all = append(all, mean)
	verdict := "plateaued"
	if !g.Plateaued() {
		verdict = "still improving"
	}
	title := fmt.Sprintf("scratch %s: last quarter (from step %d) %s, seed std %s: %s", rep.Study.TargetName, g.From,
		fmtGain(m, g.MeanGain), fmtGain(m, g.Std), verdict)
	p, err := plotting.Curves(title, "step", m.String(), all,
		plotting.CurveOptions{Ref: &plotting.RefLine{Y: m.Of(*rep.Source), Label: "source final"}})
	if err != nil {
		return nil, err
	}
	return &Figure{Plot: p, Width: 8, Height: 5}, nil
}
