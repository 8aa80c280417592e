package study

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/savings"
)

// The regime rules of issue 10: a saving means something only if the scratch target has
// stopped improving and is clearly better than the source it is grown from.
const (
	// PlateauQuarter: the scratch target has plateaued when the last quarter of its budget
	// improves its mean validation curve by less than one seed standard deviation.
	PlateauQuarter = 0.75
	// GapStds: the scratch target must end at least GapStds seed standard deviations better
	// than the source.
	GapStds = 5.0
	// ContextNats: a BERT study's scratch target must end at least this far below the
	// unigram entropy, i.e. have learnt from context rather than token frequencies.
	ContextNats = 0.5
)

// Regime is the check of the study's regime on one metric.
type Regime struct {
	Metric Metric
	Seeds  int     // scratch seeds
	Std    float64 // sample std of the scratch seeds' final metric
	// From is the step where the last quarter starts (PlateauQuarter·T).
	From int
	// Gains are the improvements over the last quarter (positive = better), per scratch
	// seed; MeanGain is the same on the mean of the seeds' curves.
	Gains    []float64
	MeanGain float64
	// Gap is how much better the scratch target's mean final is than the source's final.
	Gap float64
}

// Plateaued reports whether the mean curve gained less than one seed std in its last quarter.
func (g Regime) Plateaued() bool { return g.Seeds >= 2 && g.MeanGain < g.Std }

// Separated reports whether the target ends at least GapStds seed stds better than its source.
func (g Regime) Separated() bool { return g.Seeds >= 2 && g.Gap >= GapStds*g.Std }

// Regime checks the study's regime on metric k of Task.Metrics; ok is false until the
// source and at least two scratch seeds have finished.
func (rep *Report) Regime(k int) (g Regime, ok bool) {
	m := rep.Study.Task.Metrics()[k]
	sign := orient(m)
	var scratch []Record
	for _, r := range rep.Records {
		if r.Spec.Scratch {
			scratch = append(scratch, r)
		}
	}
	if rep.Source == nil || len(scratch) < 2 {
		return g, false
	}
	g = Regime{Metric: m, Seeds: len(scratch), From: int(math.Round(PlateauQuarter * float64(rep.Study.Steps)))}
	finals := make([]float64, len(scratch))
	meanFrom, meanEnd := 0.0, 0.0
	for i, r := range scratch {
		end := m.Of(r.Final)
		from := metricAt(r.rows, g.From, m)
		finals[i] = end
		g.Gains = append(g.Gains, sign*(end-from))
		meanFrom += from / float64(len(scratch))
		meanEnd += end / float64(len(scratch))
	}
	g.Std = savings.StatOf(finals).Std
	g.MeanGain = sign * (meanEnd - meanFrom)
	g.Gap = sign * (rep.Targets[k] - m.Of(*rep.Source))
	return g, true
}

// orient is +1 when higher is better on m, −1 when lower is: sign·Δ is an improvement.
func orient(m Metric) float64 {
	if m.Better() == savings.LowerIsBetter {
		return -1
	}
	return 1
}

// metricAt is metric m of a run at step, interpolated linearly between the evaluations
// around it (the first or last evaluation outside them).
func metricAt(rows []runner.Row, step int, m Metric) float64 {
	i := slices.IndexFunc(rows, func(r runner.Row) bool { return r.Step >= step })
	switch {
	case i < 0:
		return m.Of(rows[len(rows)-1])
	case i == 0 || rows[i].Step == step:
		return m.Of(rows[i])
	}
	a, b := rows[i-1], rows[i]
	t := float64(step-a.Step) / float64(b.Step-a.Step)
	return m.Of(a) + t*(m.Of(b)-m.Of(a))
}

// Paired is LEMON against another arm at the same budget (so the same training FLOPs),
// paired by seed: every difference is LEMON's value minus the arm's, oriented so that a
// positive difference means LEMON is better.
type Paired struct {
	Arm    string // e.g. "fpi", "lemon-truncated", "lemon lr×2"
	Budget float64
	Seeds  []uint64
	// Final holds the differences of the final value on each of Task.Metrics.
	Final []savings.Stat
	// Saving is the difference of the saving excl. source on the headline metric, over the
	// seeds where both runs reached the scratch reference (N counts them).
	Saving savings.Stat
}

// isLEMON reports whether r is LEMON as the paper runs it: its own schedule at the base
// learning rate, fresh optimizer state.
func isLEMON(r RunSpec) bool {
	return !r.Scratch && r.Method == expand.LEMON && !r.Truncated && !r.OptState && r.LRScale == 1
}

// armLabel names a setting in the paired table.
func armLabel(r RunSpec) string {
	if r.LRScale != 1 {
		return fmt.Sprintf("%s lr×%g", r.Name(), r.LRScale)
	}
	return r.Name()
}

// Paired compares LEMON with every other expanded setting that has a LEMON setting at the
// same budget, in matrix order.
func (rep *Report) Paired() []Paired {
	gs := rep.groups()
	lemon := map[float64]group{}
	for _, g := range gs {
		if isLEMON(g.recs[0].Spec) {
			lemon[g.recs[0].Spec.Budget] = g
		}
	}
	ms := rep.Study.Task.Metrics()
	var out []Paired
	for _, g := range gs {
		r := g.recs[0].Spec
		ref, ok := lemon[r.Budget]
		if r.Scratch || isLEMON(r) || !ok {
			continue
		}
		p := Paired{Arm: armLabel(r), Budget: r.Budget, Final: make([]savings.Stat, len(ms))}
		diffs := make([][]float64, len(ms))
		var saving []float64
		for _, x := range g.recs {
			i := slices.IndexFunc(ref.recs, func(l Record) bool { return l.Spec.Seed == x.Spec.Seed })
			if i < 0 {
				continue
			}
			l := ref.recs[i]
			p.Seeds = append(p.Seeds, x.Spec.Seed)
			for k, m := range ms {
				diffs[k] = append(diffs[k], orient(m)*(m.Of(l.Final)-m.Of(x.Final)))
			}
			if l.Savings != nil && x.Savings != nil && l.Savings[0].Reached && x.Savings[0].Reached {
				saving = append(saving, l.Savings[0].Excl-x.Savings[0].Excl)
			}
		}
		if len(p.Seeds) == 0 {
			continue
		}
		for k := range ms {
			p.Final[k] = savings.StatOf(diffs[k])
		}
		p.Saving = savings.StatOf(saving)
		out = append(out, p)
	}
	return out
}

// verdict says in words whether a paired difference is separated from zero.
func verdict(s savings.Stat) string {
	switch {
	case s.N < 2:
		return "one seed: no interval"
	case !s.Separated():
		return "not separated"
	case s.Mean > 0:
		return "**LEMON better**"
	}
	return "**arm better**"
}

// diffScale is how differences on metric m are printed: accuracy in points with 2
// decimals, loss in nats with 4.
func diffScale(m Metric) (scale float64, prec int) {
	if m == Loss {
		return 1, 4
	}
	return 100, 2
}

// fmtDiff formats a difference on metric m with its 95% interval: points for accuracy,
// nats for loss.
func fmtDiff(m Metric, s savings.Stat) string {
	scale, prec := diffScale(m)
	unit := " pts"
	if m == Loss {
		unit = ""
	}
	if s.N < 2 {
		return fmt.Sprintf("%+.*f%s", prec, scale*s.Mean, unit)
	}
	lo, hi := s.CI95()
	return fmt.Sprintf("%+.*f [%+.*f, %+.*f]%s", prec, scale*s.Mean, prec, scale*lo, prec, scale*hi, unit)
}

// regime writes the regime checks of the headline metric.
func (rep *Report) regime(sb *strings.Builder) {
	g, ok := rep.Regime(0)
	if !ok {
		return
	}
	m := g.Metric
	gains := make([]string, len(g.Gains))
	for i, x := range g.Gains {
		gains[i] = fmtGain(m, x)
	}
	mark := func(b bool) string {
		if b {
			return "✓"
		}
		return "✗"
	}
	fmt.Fprintf(sb, "\n**Regime checks** (issue 10's rules, on %s, over %d scratch seeds whose final values have a std of %s):\n\n", m, g.Seeds, fmtGain(m, g.Std))
	fmt.Fprintf(sb, "- Plateau %s: over the last quarter of T (step %d → %d) the mean scratch curve improved by %s (per seed: %s); the rule wants less than one seed std (%s).",
		mark(g.Plateaued()), g.From, rep.Study.Steps, fmtGain(m, g.MeanGain), strings.Join(gains, ", "), fmtGain(m, g.Std))
	if !g.Plateaued() {
		sb.WriteString(" **The scratch target is still improving**: savings below are measured against a reference that more training would raise.")
	}
	fmt.Fprintf(sb, " Figure: `%s.png`.\n", PlateauFigure)
	ratio := math.Inf(1)
	if g.Std > 0 {
		ratio = g.Gap / g.Std
	}
	fmt.Fprintf(sb, "- Target vs source %s: the scratch target ends %s better than the source, %.1f× the seed std (the rule wants ≥ %g×).\n",
		mark(g.Separated()), fmtGain(m, g.Gap), ratio, GapStds)
	if (rep.Study.Task == BERT || rep.Study.Task == GPT2) && rep.Unigram > 0 && rep.Targets != nil {
		below := rep.Unigram - rep.Targets[0]
		fmt.Fprintf(sb, "- Context %s: the scratch target's val loss %.4f is %s the unigram entropy %.4f (the rule wants ≥ %g nats below); the source's %.4f is %s it.\n",
			mark(below >= ContextNats), rep.Targets[0], relTo(below), rep.Unigram, ContextNats, rep.Source.ValLoss, relTo(rep.Unigram-rep.Source.ValLoss))
	}
}

// fmtGain formats a difference on metric m: points for accuracy, nats for loss.
func fmtGain(m Metric, v float64) string {
	if m == Loss {
		return fmt.Sprintf("%.4f nats", v)
	}
	return fmt.Sprintf("%.2f pts", 100*v)
}

// paired writes the paired-difference table.
func (rep *Report) paired(sb *strings.Builder) {
	ps := rep.Paired()
	if len(ps) == 0 {
		return
	}
	ms := rep.Study.Task.Metrics()
	sb.WriteString("\n**LEMON against every other arm at the same budget (same training FLOPs), paired by seed.** " +
		"Each cell is LEMON minus the arm, oriented so that positive means LEMON is better, as the mean over the paired seeds " +
		"with its 95% interval (Student's t); \"separated\" means the interval excludes zero.\n\n")
	fmt.Fprintf(sb, "| arm | budget | seeds | Δ final %s | | Δ final %s | | Δ saving excl. source (seeds where both reached) |\n", ms[0], ms[1])
	sb.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, p := range ps {
		saving := "— (not both reached)"
		if p.Saving.N > 0 {
			saving = fmt.Sprintf("%s (%d of %d)", signedPercentCI(p.Saving), p.Saving.N, len(p.Seeds))
		}
		fmt.Fprintf(sb, "| %s | %.2fT | %d | %s | %s | %s | %s | %s |\n", p.Arm, p.Budget, len(p.Seeds),
			fmtDiff(ms[0], p.Final[0]), verdict(p.Final[0]), fmtDiff(ms[1], p.Final[1]), verdict(p.Final[1]), saving)
	}
}

// signedPercentCI formats a difference of fractions in percentage points with its interval.
func signedPercentCI(s savings.Stat) string {
	if s.N < 2 {
		return fmt.Sprintf("%+.1f pts", 100*s.Mean)
	}
	lo, hi := s.CI95()
	return fmt.Sprintf("%+.1f [%+.1f, %+.1f] pts", 100*s.Mean, 100*lo, 100*hi)
}

// relTo says how far below (positive d) or above a reference a loss is.
func relTo(d float64) string {
	if d >= 0 {
		return fmt.Sprintf("%.4f nats below", d)
	}
	return fmt.Sprintf("%.4f nats above", -d)
}
