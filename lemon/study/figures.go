package study

import (
	"fmt"
	"path/filepath"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/plotting"
)

// Figure files written by SaveFigures (each as .png and .svg).
const (
	CurvesFigure    = "curves"    // headline validation metric against training FLOPs
	SavingsFigure   = "savings"   // headline compute saving per expanded setting, both accountings
	SchedulesFigure = "schedules" // the learning-rate schedules compared
)

// SaveFigures draws the study's figures into dir: the headline metric against FLOPs for
// scratch, LEMON at every budget and the baselines (curves), the savings bars (savings),
// the same two for the other metric (curves_<column>, savings_<column>), and the schedules. Figures that have nothing to show
// yet are skipped.
func (rep *Report) SaveFigures(dir string) error {
	if len(rep.Records) == 0 {
		return nil
	}
	ms := rep.Study.Task.Metrics()
	figs := []struct {
		name string
		draw func(path string) error
	}{
		{CurvesFigure, func(path string) error { return rep.curves(path, 0) }},
		{CurvesFigure + "_" + ms[1].Column(), func(path string) error { return rep.curves(path, 1) }},
		{SavingsFigure, func(path string) error { return rep.savingsBars(path, 0) }},
		{SavingsFigure + "_" + ms[1].Column(), func(path string) error { return rep.savingsBars(path, 1) }},
		{SchedulesFigure, rep.schedules},
	}
	for _, f := range figs {
		if err := f.draw(filepath.Join(dir, f.name)); err != nil {
			return fmt.Errorf("study: figure %s: %w", f.name, err)
		}
	}
	return nil
}

func (rep *Report) title() string {
	s := rep.Study
	return fmt.Sprintf("%s %s → %s (%s scale)", s.Task, s.SourceName, s.TargetName, s.Name)
}

// meanSeries is metric k of a group's runs against FLOPs, averaged over its seeds (they
// share their evaluation steps).
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
	}
	return ser
}

// curves: metric k of every arm and budget at the base learning rate, averaged over seeds.
func (rep *Report) curves(path string, k int) error {
	var all []plotting.Series
	for _, g := range rep.groups() {
		r := g.recs[0]
		if r.Spec.LRScale != 1 {
			continue
		}
		label := fmt.Sprintf("%s %.2fT", r.Spec.Name(), r.Spec.Budget)
		if r.Spec.Scratch {
			label = "scratch T"
		}
		if len(g.recs) > 1 {
			label += fmt.Sprintf(" (mean of %d)", len(g.recs))
		}
		all = append(all, rep.meanSeries(label, g, k))
	}
	opts := plotting.CurveOptions{}
	if rep.ScratchRuns > 0 {
		opts.Ref = &plotting.RefLine{Y: rep.Targets[k], Label: "scratch reference (mean final)"}
	}
	p, err := plotting.Curves(rep.title(), "training FLOPs (target model)", rep.Study.Task.Metrics()[k].String(), all, opts)
	if err != nil {
		return err
	}
	return plotting.Save(p, path, 8, 5)
}

// savingsBars: for metric k, one pair of bars (excl. and incl. source, mean ± std over the
// seeds that reached) per expanded setting that reached the reference in some seed; the
// title counts the settings that never did (results.md names them). Nothing is drawn before
// there is something to show.
func (rep *Report) savingsBars(path string, k int) error {
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
		stds = append(stds, 100*sum.Excl.Std, 100*sum.Incl.Std)
	}
	if len(labels) == 0 {
		return nil
	}
	m := rep.Study.Task.Metrics()[k]
	title := fmt.Sprintf("%s %s: saving on %s, excl./incl. source (paper: %s excl.); %d settings never reached",
		rep.Study.Task, rep.Study.Name, m, paperSaving[rep.Study.Task], missed)
	p, err := plotting.SavingsBars(title, labels, means, stds)
	if err != nil {
		return err
	}
	return plotting.Save(p, path, max(8, 0.8*float64(len(labels))), 5)
}

// schedules: the scratch schedule, LEMON's compressed ones and the truncated one, sampled
// from the very At functions the runs used.
func (rep *Report) schedules(path string) error {
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
		return err
	}
	return plotting.Save(p, path, 8, 4)
}
