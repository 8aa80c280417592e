package study

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/golemon/golemon/lemon/savings"
)

// paperSaving is the paper's headline saving per task (LEMON §5, without the source's cost).
var paperSaving = map[Task]string{ViT: "56.7%", BERT: "33.2%", GPT2: "— (no decoder in the paper)"}

// Markdown is results.md: the settings, the table of every setting (mean ± sample std over
// seeds), the best LEMON saving next to the paper's, and the lossless check of the step-0 rows.
func (rep *Report) Markdown() string {
	s := rep.Study
	ms := s.Task.Metrics()
	var sb strings.Builder
	fmt.Fprintf(&sb, "### %s (%s scale): %s → %s\n\n", map[Task]string{ViT: "ViT", BERT: "BERT", GPT2: "Decoder LM"}[s.Task], s.Name, s.SourceName, s.TargetName)
	fmt.Fprintf(&sb, "- Data: %s.\n", rep.Data)
	fmt.Fprintf(&sb, "- Saving = 1 − C(run first reaches the scratch reference)/C(scratch), C = training FLOPs (3× forward matmul FLOPs, "+
		"arch.TrainFLOPs), crossing interpolated linearly between evaluations (every %d steps); \"incl. source\" adds the source's "+
		"training FLOPs to the expanded run's. Headline metric: %s (%s); the last column measures on %s (%s).\n",
		s.EvalEvery, ms[0], ms[0].Better(), ms[1], ms[1].Better())
	if rep.ScratchRuns > 0 {
		fmt.Fprintf(&sb, "- Scratch reference: T = %d steps = %.3g FLOPs, %s; mean final of %d seeds: %s %s, %s %s.\n",
			s.Steps, rep.ScratchFLOPs, s.ScheduleOf(s.Runs()[0]), rep.ScratchRuns, ms[0], fmtMetric(ms[0], rep.Targets[0]),
			ms[1], fmtMetric(ms[1], rep.Targets[1]))
	}
	if rep.Source != nil {
		fmt.Fprintf(&sb, "- Source: %s trained %d steps = %.3g FLOPs (%.0f%% of the scratch budget), final val accuracy %s, val loss %.4f.\n",
			s.SourceName, s.SourceSteps, rep.SourceFLOPs, 100*rep.SourceFLOPs/rep.ScratchFLOPs, pct(rep.Source.ValMetric), rep.Source.ValLoss)
	}
	wall := 0.0
	for _, r := range rep.Records {
		wall += r.Final.WallS
	}
	if rep.Source != nil {
		wall += rep.Source.WallS
	}
	fmt.Fprintf(&sb, "- Wall time: %.1f min for the %d finished runs and the source, evaluation included.\n", wall/60, len(rep.Records))
	sb.WriteString("- Expanded runs: fresh AdamW state (lemon-optstate: the source's, expanded), LEMON's schedule (same peak, decay compressed to the budget) unless " +
		"marked truncated (the scratch schedule stopped at the budget); hyperclone widens ×2 (with paired noise), then adds zero-writer blocks.\n\n")
	fmt.Fprintf(&sb, "| arm | budget | steps | peak LR | seeds | step-0 val acc | final val acc | final val loss | saving excl. source | saving incl. source | saving on %s excl. source |\n", ms[1])
	sb.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, g := range rep.groups() {
		r := g.recs[0]
		fmt.Fprintf(&sb, "| %s | %.2fT | %d | %.3g | %d | %s | %s | %s | %s | %s | %s |\n", r.Spec.Name(), r.Spec.Budget, r.Spec.Steps,
			r.PeakLR, len(g.recs), pctStat(g.stat(func(r Record) float64 { return r.Initial.ValMetric })),
			pctStat(g.stat(func(r Record) float64 { return r.Final.ValMetric })),
			lossStat(g.stat(func(r Record) float64 { return r.Final.ValLoss })),
			rep.savingCell(g, 0, true), rep.savingCell(g, 0, false), rep.savingCell(g, 1, true))
	}
	sb.WriteString("\nSavings are the mean over the seeds that reached the reference, with its 95% interval (Student's t) when " +
		"two or more did. Scratch's own seeds are measured against their mean: their spread is the noise floor of every saving.\n")
	rep.regime(&sb)
	rep.headline(&sb)
	rep.paired(&sb)
	rep.lossless(&sb)
	return sb.String()
}

func fmtMetric(m Metric, v float64) string {
	if m == Loss {
		return fmt.Sprintf("%.4f", v)
	}
	return pct(v)
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func pctStat(s savings.Stat) string {
	if s.N > 1 {
		return fmt.Sprintf("%.1f ± %.1f%%", 100*s.Mean, 100*s.Std)
	}
	return pct(s.Mean)
}

func lossStat(s savings.Stat) string {
	if s.N > 1 {
		return fmt.Sprintf("%.3f ± %.3f", s.Mean, s.Std)
	}
	return fmt.Sprintf("%.3f", s.Mean)
}

// savingCell formats a group's saving on metric k in one accounting, saying when runs never
// reached the reference.
func (rep *Report) savingCell(g group, k int, excl bool) string {
	if g.recs[0].Savings == nil {
		return "— (no scratch runs yet)"
	}
	sum := g.summary(k)
	if sum.Reached == 0 {
		best := g.stat(func(r Record) float64 { return r.Savings[k].Best })
		return fmt.Sprintf("not reached (best %s)", fmtMetric(rep.Study.Task.Metrics()[k], best.Mean))
	}
	st := sum.Incl
	if excl || g.recs[0].Spec.Scratch {
		st = sum.Excl
	}
	cell := st.PercentCI()
	if sum.Reached < sum.Runs {
		cell += fmt.Sprintf(" (%d of %d reached)", sum.Reached, sum.Runs)
	}
	return cell
}

// bestLEMON is the LEMON setting (own schedule, base LR) with the largest mean saving on
// metric k among those whose every seed reached the reference.
func (rep *Report) bestLEMON(k int) (group, bool) {
	var best group
	found := false
	for _, g := range rep.groups() {
		r := g.recs[0]
		if !isLEMON(r.Spec) || r.Savings == nil {
			continue
		}
		sum := g.summary(k)
		if sum.Reached == sum.Runs && (!found || sum.Excl.Mean > best.summary(k).Excl.Mean) {
			best, found = g, true
		}
	}
	return best, found
}

// BestLEMON is LEMON's best budget on metric k of Task.Metrics (its own schedule, base
// LR, fresh state) among those whose every seed reached the scratch reference, with its
// savings; ok is false when no budget did.
func (rep *Report) BestLEMON(k int) (budget float64, sum savings.Summary, ok bool) {
	g, ok := rep.bestLEMON(k)
	if !ok {
		return 0, savings.Summary{}, false
	}
	return g.recs[0].Spec.Budget, g.summary(k), true
}

func (rep *Report) headline(sb *strings.Builder) {
	paper := paperSaving[rep.Study.Task]
	for k, m := range rep.Study.Task.Metrics() {
		if rep.Source != nil && rep.Targets != nil && reaches(m, m.Of(*rep.Source), rep.Targets[k]) {
			fmt.Fprintf(sb, "\n**Caveat on %s:** the source itself already reaches the scratch reference (%s vs %s): every "+
				"lossless expansion reaches it at step 0, so its saving excl. source is 100%% by construction and says nothing "+
				"about training the expanded model; this budget is too small to test the claim on this metric.\n",
				m, fmtMetric(m, m.Of(*rep.Source)), fmtMetric(m, rep.Targets[k]))
		}
		g, ok := rep.bestLEMON(k)
		if !ok {
			fmt.Fprintf(sb, "\n**LEMON on %s:** no budget reached the scratch reference in every seed (paper: %s).\n", m, paper)
			continue
		}
		sum := g.summary(k)
		fmt.Fprintf(sb, "\n**LEMON on %s (best budget reached by every seed, %.2fT):** saving %s excl. source, %s incl. source (paper: %s excl. source).\n",
			m, g.recs[0].Spec.Budget, sum.Excl.PercentCI(), sum.Incl.PercentCI(), paper)
	}
}

// reaches reports whether v is at least as good as target on metric m.
func reaches(m Metric, v, target float64) bool {
	if m.Better() == savings.LowerIsBetter {
		return v <= target
	}
	return v >= target
}

// LosslessTol bounds |step-0 val loss − source final val loss| for an exact expansion: the
// two evaluate the same function on the same examples in float32.
const LosslessTol = 1e-4

// lossless lists, for every expanded setting, the step-0 evaluation against the source's.
func (rep *Report) lossless(sb *strings.Builder) {
	if rep.Source == nil || !slices.ContainsFunc(rep.Records, func(r Record) bool { return !r.Spec.Scratch }) {
		return // nothing expanded yet: no table
	}
	src := rep.Source
	fmt.Fprintf(sb, "\n**Lossless check** (step-0 rows, before any training; source final: val acc %s, val loss %.5f; tolerance %g):\n\n",
		pct(src.ValMetric), src.ValLoss, LosslessTol)
	sb.WriteString("| arm | plan | step-0 val acc | step-0 val loss (mean) | max abs Δ loss vs source |\n|---|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, g := range rep.groups() {
		r := g.recs[0]
		if r.Spec.Scratch || seen[r.Spec.Name()] {
			continue
		}
		seen[r.Spec.Name()] = true
		var acc, loss []float64
		maxDiff := 0.0
		for _, h := range rep.groups() {
			for _, x := range h.recs {
				if x.Spec.Name() == r.Spec.Name() {
					acc, loss = append(acc, x.Initial.ValMetric), append(loss, x.Initial.ValLoss)
					maxDiff = math.Max(maxDiff, math.Abs(x.Initial.ValLoss-src.ValLoss))
				}
			}
		}
		verdict := fmt.Sprintf("%.2g", maxDiff)
		if maxDiff <= LosslessTol {
			verdict += " ✓"
		}
		fmt.Fprintf(sb, "| %s | %s | %s | %.5f | %s |\n", r.Spec.Name(), r.Exactness,
			pctStat(savings.StatOf(acc)), savings.StatOf(loss).Mean, verdict)
	}
}
