package study

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"gonum.org/v1/plot"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/savings"
	"github.com/golemon/golemon/plotting"
)

// A Sweep is a family of studies that differ in one choice a user makes when growing a
// model: how much to grow (the growth factor, by width, by depth or both) or how long to train
// the small model first (the source's budget). Each variant is a Study of its own, usually
// with a reduced matrix (scratch and LEMON at a few budgets, every seed), in its own folder;
// variants with the same target share its scratch runs.
type Sweep struct {
	Name string // "growth" or "source-budget"; names the folder and the figures
	// XLabel names the variants' X: "growth factor (target / source parameters)" or
	// "source budget (fraction of T)".
	XLabel   string
	Variants []Variant
}

// Variant is one study of a sweep, placed at X on its series.
type Variant struct {
	Study  Study
	Series string  // e.g. "width", "depth", "width and depth", "source budget"
	X      float64 // the swept value: the parameter ratio, or the source's steps / T
}

// Dir is the variant's folder inside the sweep's.
func (v Variant) Dir() string { return v.Study.Name }

// scratchDir is the folder of the scratch runs of a target, shared by the variants that
// grow to it.
func scratchDir(s Study) string { return "scratch-" + s.TargetName }

// sourceDirName is the folder of a source, shared by the variants that grow it.
func sourceDirName(s Study) string {
	return fmt.Sprintf("source-%s-%dsteps", s.SourceName, s.SourceSteps)
}

// Validate checks every variant and that their folder names are distinct.
func (sw Sweep) Validate() error {
	var errs []error
	seen := map[string]bool{}
	if len(sw.Variants) == 0 {
		errs = append(errs, errors.New("no variants"))
	}
	for _, v := range sw.Variants {
		if err := v.Study.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[v.Dir()] {
			errs = append(errs, fmt.Errorf("two variants named %q", v.Dir()))
		}
		seen[v.Dir()] = true
		if !(v.X > 0) || math.IsInf(v.X, 0) {
			errs = append(errs, fmt.Errorf("variant %s: X = %g, want a finite value > 0", v.Dir(), v.X))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("sweep %s: %w", sw.Name, errors.Join(errs...))
	}
	return nil
}

// SweepReport gathers what the variants produced.
type SweepReport struct {
	Sweep   Sweep
	Reports []*Report // per variant, nil where it has no finished run yet
}

// RunSweep trains every variant (see Run; opts.Out is the sweep's folder: each variant
// writes into Out/<variant>, scratch runs into Out/scratch-<target>), then writes the
// sweep's summary (sweep.md) and figures into Out. With opts.Only = [] it trains nothing
// and reports what has finished.
func RunSweep(b compute.Backend, sw Sweep, opts Options) (*SweepReport, error) {
	if err := sw.Validate(); err != nil {
		return nil, err
	}
	if opts.Out == "" {
		return nil, errors.New("study: an output directory is required")
	}
	var names []string
	for _, v := range sw.Variants {
		names = append(names, v.Dir())
	}
	for _, n := range opts.Variants {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("study: sweep %s has no variant %q (variants: %s)", sw.Name, n, strings.Join(names, ", "))
		}
	}
	rep := &SweepReport{Sweep: sw}
	for _, v := range sw.Variants {
		o := variantOptions(opts, v)
		if opts.Variants != nil && !slices.Contains(opts.Variants, v.Dir()) {
			o.Only = []string{} // not selected: report what it has, train nothing
		}
		r, err := Run(b, v.Study, o)
		if err != nil && strings.Contains(err.Error(), "no finished runs") {
			r, err = nil, nil // nothing to report for this variant yet
		}
		if err != nil {
			return nil, fmt.Errorf("sweep %s, variant %s: %w", sw.Name, v.Dir(), err)
		}
		rep.Reports = append(rep.Reports, r)
	}
	return rep, rep.Write(opts.Out)
}

// Point is one variant's headline saving: LEMON's best budget reached by every seed.
type Point struct {
	Variant Variant
	Budget  float64 // 0 when no budget reached the reference in every seed
	Summary savings.Summary
	Regime  Regime
	Regimed bool // Regime is known (source and ≥ 2 scratch seeds finished)
	// LEMONRuns and LEMONPlanned count the variant's LEMON runs (the recipe: compressed
	// schedule, base peak, fresh optimizer state) finished and in its matrix.
	LEMONRuns, LEMONPlanned int
	// MaxBudget is the largest LEMON budget of the variant's matrix and SourceShare the
	// source's training FLOPs over one scratch run's: where no budget reached the reference,
	// the saving is below 1 − MaxBudget (excl. source) and 1 − MaxBudget − SourceShare (incl.).
	MaxBudget, SourceShare float64
	// Gap is LEMON at MaxBudget minus scratch at T, on the final value of the headline
	// metric, oriented so that positive means LEMON ends better, with Welch's interval (the
	// two share nothing but seed numbers); Gapped is false until both have a finished run.
	// Where no saving can be claimed it still says how far LEMON ended from the reference.
	Gap    savings.Diff
	Gapped bool
}

// Points lists every variant with a report, in sweep order.
func (r *SweepReport) Points() []Point {
	var out []Point
	for i, rep := range r.Reports {
		if rep == nil {
			continue
		}
		p := Point{Variant: r.Sweep.Variants[i]}
		p.Regime, p.Regimed = rep.Regime(0)
		for _, rec := range rep.Records {
			if isLEMON(rec.Spec) {
				p.LEMONRuns++
			}
		}
		for _, spec := range rep.Study.Runs() {
			if isLEMON(spec) {
				p.LEMONPlanned++
				p.MaxBudget = max(p.MaxBudget, spec.Budget)
			}
		}
		if rep.ScratchFLOPs > 0 {
			p.SourceShare = rep.SourceFLOPs / rep.ScratchFLOPs
		}
		if g, ok := rep.bestLEMON(0); ok {
			p.Budget, p.Summary = g.recs[0].Spec.Budget, g.summary(0)
		}
		p.Gap, p.Gapped = rep.finalGap(p.MaxBudget)
		out = append(out, p)
	}
	return out
}

// finalGap is LEMON (the recipe) at budget minus scratch at T on the headline metric's
// final value, oriented so that positive means LEMON ends better (see Point.Gap).
func (rep *Report) finalGap(budget float64) (savings.Diff, bool) {
	m := rep.Study.Task.Metrics()[0]
	var lemon, scratch []float64
	for _, rec := range rep.Records {
		switch v := orient(m) * m.Of(rec.Final); {
		case rec.Spec.Scratch:
			scratch = append(scratch, v)
		case isLEMON(rec.Spec) && rec.Spec.Budget == budget:
			lemon = append(lemon, v)
		}
	}
	if len(lemon) == 0 || len(scratch) == 0 {
		return savings.Diff{}, false
	}
	return savings.Welch(savings.StatOf(lemon), savings.StatOf(scratch)), true
}

// fmtWelch formats a Welch difference on metric m (points for accuracy, nats for loss) with
// its interval and a verdict.
func fmtWelch(m Metric, d savings.Diff) string {
	scale, prec := diffScale(m)
	unit := " pts"
	if m == Loss {
		unit = " nats"
	}
	if math.IsNaN(d.Lo) {
		return fmt.Sprintf("%+.*f%s (no interval: one seed)", prec, scale*d.Mean, unit)
	}
	verdict := "level: not separated"
	switch {
	case d.Lo > 0:
		verdict = "LEMON better"
	case d.Hi < 0:
		verdict = "scratch better"
	}
	return fmt.Sprintf("%+.*f [%+.*f, %+.*f]%s (%s)", prec, scale*d.Mean, prec, scale*d.Lo, prec, scale*d.Hi, unit, verdict)
}

// Markdown is sweep.md: one row per variant.
func (r *SweepReport) Markdown() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "### Sweep %s\n\n", r.Sweep.Name)
	sb.WriteString("Each row is a study of its own (its folder has results.md with every run, the regime checks and the figures). " +
		"The saving is LEMON's at its best budget reached by every seed, mean and 95% interval over seeds; " +
		"\"incl. source\" adds the source's training FLOPs. " +
		"\"LEMON − scratch\" is LEMON at its largest budget minus scratch at T on the final value of the headline metric " +
		"(positive: LEMON ends better), with Welch's 95% interval over seeds: how far LEMON ends from the reference where no saving can be claimed.\n\n")
	fmt.Fprintf(&sb, "| variant | series | %s | source → target | plateau | target − source | LEMON budget | saving excl. source | saving incl. source | LEMON − scratch, final |\n", r.Sweep.XLabel)
	sb.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	points := r.Points()
	for _, p := range points {
		s := p.Variant.Study
		plateau, gap := "—", "—"
		if p.Regimed {
			plateau = fmt.Sprintf("%s (%s in the last quarter, std %s)", map[bool]string{true: "✓", false: "✗"}[p.Regime.Plateaued()],
				fmtGain(p.Regime.Metric, p.Regime.MeanGain), fmtGain(p.Regime.Metric, p.Regime.Std))
			gap = fmt.Sprintf("%s (%s)", fmtGain(p.Regime.Metric, p.Regime.Gap), map[bool]string{true: "✓", false: "✗"}[p.Regime.Separated()])
		}
		budget, excl, incl := "not reached by every seed", "—", "—"
		if p.Budget > 0 {
			budget, excl, incl = fmt.Sprintf("%.2fT", p.Budget), p.Summary.Excl.PercentCI(), p.Summary.Incl.PercentCI()
		}
		switch {
		case p.LEMONRuns == 0 && p.LEMONPlanned > 0:
			budget = fmt.Sprintf("0 of %d LEMON runs finished", p.LEMONPlanned)
		case p.LEMONRuns < p.LEMONPlanned:
			budget += fmt.Sprintf(" (%d of %d LEMON runs finished)", p.LEMONRuns, p.LEMONPlanned)
		}
		final := "—"
		if p.Gapped {
			final = fmt.Sprintf("%.2gT: %s", p.MaxBudget, fmtWelch(s.Task.Metrics()[0], p.Gap))
		}
		fmt.Fprintf(&sb, "| %s | %s | %.3g | %s → %s | %s | %s | %s | %s | %s | %s |\n", p.Variant.Dir(), p.Variant.Series, p.Variant.X,
			s.SourceName, s.TargetName, plateau, gap, budget, excl, incl, final)
	}
	if missing := len(r.Sweep.Variants) - len(points); missing > 0 {
		fmt.Fprintf(&sb, "\n%d of %d variants have no finished run yet.\n", missing, len(r.Sweep.Variants))
	}
	if wall, runs := r.wall(); runs > 0 {
		fmt.Fprintf(&sb, "\nWall time: %.1f min (%.1f h) for the %d finished runs and sources, evaluation included; scratch runs and sources shared by variants counted once.\n",
			wall/60, wall/3600, runs)
	}
	return sb.String()
}

// wall is the seconds the sweep's finished runs and sources took, each shared scratch folder
// and source counted once, and how many runs and sources that is.
func (r *SweepReport) wall() (secs float64, runs int) {
	seen := map[string]bool{}
	for i, rep := range r.Reports {
		if rep == nil {
			continue
		}
		v := r.Sweep.Variants[i].Study
		scratchSeen, sourceSeen := seen[scratchDir(v)], seen[sourceDirName(v)]
		for _, rec := range rep.Records {
			if !rec.Spec.Scratch || !scratchSeen {
				secs += rec.Final.WallS
				runs++
			}
		}
		if rep.Source != nil && !sourceSeen {
			secs += rep.Source.WallS
			runs++
		}
		seen[scratchDir(v)], seen[sourceDirName(v)] = true, true
	}
	return secs, runs
}

// SweepFigure is the figure file of a sweep's savings (.png and .svg), one per accounting:
// SweepFigure+"_excl_source" and SweepFigure+"_incl_source".
const SweepFigure = "saving"

// SweepGapFigure is the figure file of LEMON's final gap to scratch against the sweep's X.
const SweepGapFigure = "final_gap"

// Write saves sweep.md and the figures into dir.
func (r *SweepReport) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "sweep.md"), r.Markdown()); err != nil {
		return err
	}
	figs, err := r.Figures()
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

// Figures draws the sweep's figures: the saving against X in each accounting, and LEMON's
// final gap to scratch against X. A figure with nothing to draw yet is left out.
func (r *SweepReport) Figures() ([]Figure, error) {
	var out []Figure
	for _, f := range []struct {
		name string
		draw func() (*plot.Plot, error)
	}{
		{SweepFigure + "_excl_source", func() (*plot.Plot, error) { return r.savingFigure(true) }},
		{SweepFigure + "_incl_source", func() (*plot.Plot, error) { return r.savingFigure(false) }},
		{SweepGapFigure, r.gapFigure},
	} {
		p, err := f.draw()
		if err != nil {
			return nil, fmt.Errorf("study: figure %s: %w", f.name, err)
		}
		if p != nil {
			out = append(out, Figure{Name: f.name, Plot: p, Width: 8, Height: 5})
		}
	}
	return out, nil
}

// sortedPoints are the points in X order (lines are drawn in it).
func (r *SweepReport) sortedPoints() []Point {
	points := r.Points()
	slices.SortStableFunc(points, func(a, b Point) int { return cmp.Compare(a.Variant.X, b.Variant.X) })
	return points
}

// addPoint appends (x, y) with its interval [lo, hi] to the series named name, creating it.
func addPoint(series []plotting.Series, name string, x, y, lo, hi float64) []plotting.Series {
	i := slices.IndexFunc(series, func(s plotting.Series) bool { return s.Name == name })
	if i < 0 {
		series = append(series, plotting.Series{Name: name})
		i = len(series) - 1
	}
	if math.IsNaN(lo) {
		lo, hi = y, y
	}
	s := &series[i]
	s.X, s.Y = append(s.X, x), append(s.Y, y)
	s.Lo, s.Hi = append(s.Lo, lo), append(s.Hi, hi)
	return series
}

// savingFigure: LEMON's saving against X, one line per series with its 95% interval; a
// variant whose every LEMON run finished but no budget reached the reference in every seed
// is drawn as an upper bound (a triangle at 1 − the largest budget, less the source's share
// when it counts); variants still training are left out (sweep.md lists them). Nil before
// there is a point.
func (r *SweepReport) savingFigure(excl bool) (*plot.Plot, error) {
	var series []plotting.Series
	var bounds []plotting.Bound
	for _, p := range r.sortedPoints() {
		if p.Budget == 0 {
			if p.LEMONPlanned == 0 || p.LEMONRuns < p.LEMONPlanned {
				continue
			}
			y := 100 * (1 - p.MaxBudget)
			if !excl {
				y -= 100 * p.SourceShare
			}
			label := fmt.Sprintf("%s: not reached by %.2gT in every seed (saving below the mark)", p.Variant.Series, p.MaxBudget)
			k := slices.IndexFunc(bounds, func(b plotting.Bound) bool { return b.Of == p.Variant.Series })
			if k < 0 {
				bounds = append(bounds, plotting.Bound{Of: p.Variant.Series, Label: label, Upper: true})
				k = len(bounds) - 1
			}
			bounds[k].X, bounds[k].Y = append(bounds[k].X, p.Variant.X), append(bounds[k].Y, y)
			continue
		}
		st := p.Summary.Incl
		if excl {
			st = p.Summary.Excl
		}
		lo, hi := st.CI95()
		series = addPoint(series, p.Variant.Series, p.Variant.X, 100*st.Mean, 100*lo, 100*hi)
	}
	if len(series) == 0 && len(bounds) == 0 {
		return nil, nil
	}
	acc := "incl. source"
	if excl {
		acc = "excl. source"
	}
	return plotting.Curves(fmt.Sprintf("LEMON's saving (%s) against %s; bars: 95%% CI over seeds", acc, r.Sweep.XLabel),
		r.Sweep.XLabel, "compute saving (%)", series, plotting.CurveOptions{Ref: &plotting.RefLine{Y: 0, Label: "no saving"}, Points: true, Bounds: bounds})
}

// gapFigure: LEMON at its largest budget minus scratch at T, final headline metric, against
// X, one line per series with Welch's 95% interval: where LEMON ends against the reference,
// whether or not it reached it. Variants still training are left out; nil before there is
// a point.
func (r *SweepReport) gapFigure() (*plot.Plot, error) {
	var series []plotting.Series
	var m Metric
	budgets := map[float64]bool{}
	for _, p := range r.sortedPoints() {
		if !p.Gapped || p.LEMONRuns < p.LEMONPlanned {
			continue
		}
		m = p.Variant.Study.Task.Metrics()[0]
		scale, _ := diffScale(m)
		budgets[p.MaxBudget] = true
		series = addPoint(series, p.Variant.Series, p.Variant.X, scale*p.Gap.Mean, scale*p.Gap.Lo, scale*p.Gap.Hi)
	}
	if len(series) == 0 {
		return nil, nil
	}
	budget := "its largest budget"
	if len(budgets) == 1 {
		for b := range budgets {
			budget = fmt.Sprintf("%.2gT", b)
		}
	}
	ylabel := fmt.Sprintf("final %s: LEMON − scratch (points)", m)
	if m == Loss {
		ylabel = fmt.Sprintf("final %s: scratch − LEMON (nats)", m)
	}
	return plotting.Curves(fmt.Sprintf("LEMON at %s against scratch at T, final %s; bars: Welch 95%% CI over seeds", budget, m),
		r.Sweep.XLabel, ylabel, series, plotting.CurveOptions{Ref: &plotting.RefLine{Y: 0, Label: "level with scratch (above: LEMON ends better)"}, Points: true})
}

// LoadSweep reads a sweep's finished runs from dir without training anything (the
// variants' reports, as RunSweep with Only = [] would give them, but without a backend and,
// for ViT sweeps, without data). Variants with no finished run are nil in Reports.
func LoadSweep(sw Sweep, dir string) (*SweepReport, error) {
	if err := sw.Validate(); err != nil {
		return nil, err
	}
	rep := &SweepReport{Sweep: sw}
	for _, v := range sw.Variants {
		r, err := Load(v.Study, variantOptions(Options{Out: dir}, v))
		if err != nil && strings.Contains(err.Error(), "no finished runs") {
			r, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sweep %s, variant %s: %w", sw.Name, v.Dir(), err)
		}
		rep.Reports = append(rep.Reports, r)
	}
	return rep, nil
}

// variantOptions are opts for variant v of a sweep whose folder is opts.Out.
func variantOptions(opts Options, v Variant) Options {
	o := opts
	o.Out, o.ScratchOut = filepath.Join(opts.Out, v.Dir()), filepath.Join(opts.Out, scratchDir(v.Study))
	o.SourceOut = filepath.Join(opts.Out, sourceDirName(v.Study))
	return o
}

// resized is a copy of a ViT config with another depth and width (heads of the same
// dimension, MLP 4× the width).
func resized(c arch.Config, layers, width int) (arch.Config, error) {
	e := c.Enc()
	if e.HeadDim <= 0 || width%e.HeadDim != 0 {
		return arch.Config{}, fmt.Errorf("study: width %d is not a multiple of the head dim %d", width, e.HeadDim)
	}
	e.Layers, e.Width, e.Heads, e.MLPDim = layers, width, width/e.HeadDim, 4*width
	out := c.WithEncoder(e)
	return out, out.Validate()
}

// growthVariant is base with its target resized to layers × width.
func growthVariant(base Study, series string, layers, width int) (Variant, error) {
	tgt, err := resized(base.Source, layers, width)
	if err != nil {
		return Variant{}, err
	}
	s := base
	s.Target = tgt
	s.TargetName = fmt.Sprintf("vit-%d-%d", layers, width)
	s.Name = fmt.Sprintf("%s-%s", base.Name, s.TargetName)
	return Variant{Study: s, Series: series, X: float64(tgt.NumParams()) / float64(base.Source.NumParams())}, nil
}

// sweepNames are the sweeps SweepPreset knows.
var sweepNames = []string{"growth", "source-budget"}

// SweepPreset returns a named ViT sweep on Fashion-MNIST, each variant a reduced matrix
// (scratch and LEMON at 0.5 T and 0.75 T, seeds 1–3) at cpu-long's budget (T = 3,000 steps,
// 3.2 epochs): cheaper than cpu-plateau, so its scratch targets have not plateaued (each
// variant's results.md says by how much), and its savings compare variants with one another
// rather than with the paper.
//
//   - "growth": vit-cpu-2-32 grown by depth only (3, 4, 8 blocks), width only (48, 64, 96)
//     and both (3×48, 4×64): X is the parameter ratio, from 1.45× to 8.3×.
//   - "source-budget": vit-cpu-2-32 trained for 0.1, 0.25, 0.5 and 1 T before growing to
//     vit-cpu-4-64: when to grow; the variants share their scratch runs.
func SweepPreset(name string) (Sweep, error) {
	base, err := Preset(ViT, CPULong)
	if err != nil {
		return Sweep{}, err
	}
	base.Budgets, base.Baselines, base.BaselineBudgets, base.LRScales = []float64{0.5, 0.75}, nil, nil, nil
	base.TruncatedBudgets, base.OptStateBudgets, base.EverySeed = nil, nil, false
	switch name {
	case "growth":
		base.Name = "growth"
		sw := Sweep{Name: name, XLabel: "growth factor (target / source parameters)"}
		for _, g := range []struct {
			series        string
			layers, width int
		}{{"depth", 3, 32}, {"depth", 4, 32}, {"depth", 8, 32}, {"width", 2, 48}, {"width", 2, 64}, {"width", 2, 96},
			{"width and depth", 3, 48}, {"width and depth", 4, 64}} {
			v, err := growthVariant(base, g.series, g.layers, g.width)
			if err != nil {
				return Sweep{}, err
			}
			sw.Variants = append(sw.Variants, v)
		}
		return sw, sw.Validate()
	case "source-budget":
		sw := Sweep{Name: name, XLabel: "source budget (fraction of T)"}
		for _, f := range []float64{0.1, 0.25, 0.5, 1} {
			s := base
			s.SourceSteps = int(math.Round(f * float64(base.Steps)))
			s.Name = fmt.Sprintf("source-%gT", f)
			sw.Variants = append(sw.Variants, Variant{Study: s, Series: "LEMON", X: f})
		}
		return sw, sw.Validate()
	}
	return Sweep{}, fmt.Errorf("study: unknown sweep %q; known: %s", name, strings.Join(sweepNames, ", "))
}

// DryRunSweep prints every variant's matrix (DryRun) and the sweep's total.
func DryRunSweep(w io.Writer, sw Sweep) error {
	if err := sw.Validate(); err != nil {
		return err
	}
	total, scratch := 0.0, map[string]bool{}
	for _, v := range sw.Variants {
		if err := DryRun(w, v.Study); err != nil {
			return err
		}
		s := v.Study
		tgt := s.StepFLOPs(s.Target)
		total += float64(s.SourceSteps) * s.StepFLOPs(s.Source)
		for _, r := range s.Runs() {
			if r.Scratch && scratch[scratchDir(s)+r.ID()] {
				continue // shared with an earlier variant
			}
			scratch[scratchDir(s)+r.ID()] = r.Scratch
			total += float64(r.Steps) * tgt
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "sweep %s: %d variants, %.3g training FLOPs in all (scratch runs shared by variants of one target counted once; sources of equal settings are trained once but counted per variant); evaluation not included\n",
		sw.Name, len(sw.Variants), total)
	return nil
}
