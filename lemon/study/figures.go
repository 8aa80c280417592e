package study

import (
	"fmt"
	"path/filepath"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/plotting"
)

// Figure files written by SaveFigures (each as .png and .svg).
const (
	CurvesFigure    = "curves"    // validation metric against training FLOPs
	SavingsFigure   = "savings"   // compute saving per expanded setting, both accountings
	SchedulesFigure = "schedules" // the learning-rate schedules compared
)

// SaveFigures draws the study's figures into dir: the metric against FLOPs for scratch,
// LEMON at every budget and the baselines (first seed each), the savings bars, and the
// schedules. Figures that have nothing to show yet are skipped.
func (rep *Report) SaveFigures(dir string) error {
	if len(rep.Records) == 0 {
		return nil
	}
	figs := []struct {
		name string
		draw func(path string) error
	}{{CurvesFigure, rep.curves}, {SavingsFigure, rep.savingsBars}, {SchedulesFigure, rep.schedules}}
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

func (rep *Report) series(name string, rows []runner.Row) plotting.Series {
	ser := plotting.Series{Name: name}
	for _, r := range rows {
		ser.X = append(ser.X, r.FLOPs)
		ser.Y = append(ser.Y, rep.Study.Task.Metrics()[0].Of(r))
	}
	return ser
}

// curves: one curve per arm and budget, first seed, base learning rate.
func (rep *Report) curves(path string) error {
	var all []plotting.Series
	first := rep.Study.Seeds[0]
	for _, g := range rep.groups() {
		r := g.recs[0]
		if r.Spec.Seed != first || r.Spec.LRScale != 1 {
			continue
		}
		label := fmt.Sprintf("%s %.2fT", r.Spec.Name(), r.Spec.Budget)
		if r.Spec.Scratch {
			label = "scratch T"
		}
		all = append(all, rep.series(label, r.rows))
	}
	opts := plotting.CurveOptions{}
	if rep.ScratchRuns > 0 {
		opts.Ref = &plotting.RefLine{Y: rep.Targets[0], Label: "scratch reference (mean final)"}
	}
	p, err := plotting.Curves(rep.title(), "training FLOPs (target model)", rep.Study.Task.Metrics()[0].String(), all, opts)
	if err != nil {
		return err
	}
	return plotting.Save(p, path, 8, 5)
}

// savingsBars: one bar per expanded setting that reached the reference in some seed, in
// both accountings; the title lists the settings that never reached it. Nothing is drawn
// before there is something to show.
func (rep *Report) savingsBars(path string) error {
	var labels, missed []string
	var means, stds []float64
	for _, g := range rep.groups() {
		r := g.recs[0]
		if r.Spec.Scratch || r.Savings == nil {
			continue
		}
		name := fmt.Sprintf("%s %.2fT", r.Spec.Name(), r.Spec.Budget)
		if r.Spec.LRScale != 1 {
			name += fmt.Sprintf(" lr×%g", r.Spec.LRScale)
		}
		sum := g.summary(0)
		if sum.Reached == 0 {
			missed = append(missed, name)
			continue
		}
		labels = append(labels, name+" excl.", name+" incl.")
		means = append(means, 100*sum.Excl.Mean, 100*sum.Incl.Mean)
		stds = append(stds, 100*sum.Excl.Std, 100*sum.Incl.Std)
	}
	if len(labels) == 0 {
		return nil
	}
	title := fmt.Sprintf("%s: saving on %s vs scratch, excl./incl. source (paper %s excl.)", rep.title(),
		rep.Study.Task.Metrics()[0], paperSaving[rep.Study.Task])
	if len(missed) > 0 {
		title += fmt.Sprintf("; never reached: %v", missed)
	}
	p, err := plotting.SavingsBars(title, labels, means, stds)
	if err != nil {
		return err
	}
	return plotting.Save(p, path, max(8, 0.55*float64(len(labels))), 5)
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
