package study

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/golemon/golemon/lemon/data"
)

// The committed results live in <results>/<scale>/<task> (studies) and <results>/sweeps/<name>
// (sweeps); the functions here read them for notebooks and the README without training.

// ScaleDir is where a study preset's results go under a results folder.
func ScaleDir(results string, t Task, sc Scale) string {
	return filepath.Join(results, sc.String(), t.String())
}

// LoadScale reads the committed results of a preset: its report, nil when no run of it has
// finished there (the error is then nil too), and the preset itself. Image tasks need no
// data; text tasks (BERT, GPT-2) read the corpus from data.DefaultDir, as they were trained.
func LoadScale(results string, t Task, sc Scale) (*Report, Study, error) {
	s, err := Preset(t, sc)
	if err != nil {
		return nil, s, err
	}
	dir := ScaleDir(results, t, sc)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, s, nil
	}
	opts := Options{Out: dir}
	if s.Task != ViT { // text tasks read the corpus (its vocabulary sizes the models)
		if opts.DataDir, err = data.DefaultDir(); err != nil {
			return nil, s, err
		}
	}
	rep, err := Load(s, opts)
	if err != nil && strings.Contains(err.Error(), "no finished runs") {
		return nil, s, nil
	}
	return rep, s, err
}

// RegimeHolds reports whether both regime rules hold on the headline metric: the scratch
// target plateaued and is clearly better than its source.
func (rep *Report) RegimeHolds() bool {
	g, ok := rep.Regime(0)
	return ok && g.Plateaued() && g.Separated()
}

// ScalesMarkdown is a table of the committed scales of a task against the regime rules: runs
// finished, the plateau and gap checks, and LEMON's best saving reached by every seed.
func ScalesMarkdown(results string, t Task, scales []Scale) (string, error) {
	var sb strings.Builder
	sb.WriteString("| scale | T | finished runs | plateau (last-quarter gain vs seed std) | gap (target − source, × seed std) | LEMON's best saving reached by every seed: excl. / incl. source |\n|---|---|---|---|---|---|\n")
	for _, sc := range scales {
		rep, s, err := LoadScale(results, t, sc)
		if err != nil {
			return "", err
		}
		if rep == nil {
			fmt.Fprintf(&sb, "| %s | %d | 0 of %d | — | — | — |\n", sc, s.Steps, len(s.Runs()))
			continue
		}
		plateau, gap, saving := "fewer than 2 scratch seeds", "—", "no budget reached by every seed"
		if g, ok := rep.Regime(0); ok {
			m := t.Metrics()[0] // accuracy in points, loss in nats
			sign := "+"
			if g.MeanGain < 0 {
				sign = ""
			}
			plateau = fmt.Sprintf("%s %s%s vs %s", mark(g.Plateaued()), sign, fmtGain(m, g.MeanGain), fmtGain(m, g.Std))
			gap = fmt.Sprintf("%s %s, %.1f×", mark(g.Separated()), fmtGain(m, g.Gap), g.Gap/g.Std)
		}
		if b, sum, ok := rep.BestLEMON(0); ok {
			saving = fmt.Sprintf("%.2fT: %s / %s", b, sum.Excl.PercentCI(), sum.Incl.PercentCI())
		} else if !slices.ContainsFunc(rep.Records, func(r Record) bool { return isLEMON(r.Spec) }) {
			saving = "no LEMON run finished yet"
		}
		fmt.Fprintf(&sb, "| %s | %d | %d of %d | %s | %s | %s |\n", sc, s.Steps, len(rep.Records), len(s.Runs()), plateau, gap, saving)
	}
	return sb.String(), nil
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// ChooseScale picks the committed scale to show in detail: the longest (last in scales)
// whose regime rules both hold, else the longest whose regime is known (source and two
// scratch seeds finished); ok is false when none is known.
func ChooseScale(results string, t Task, scales []Scale) (sc Scale, rep *Report, ok bool, err error) {
	held := false
	for _, s := range scales {
		r, _, err := LoadScale(results, t, s)
		if err != nil {
			return sc, nil, false, err
		}
		if r == nil {
			continue
		}
		if _, known := r.Regime(0); !known {
			continue
		}
		if h := r.RegimeHolds(); h || !held {
			sc, rep, held, ok = s, r, h, true
		}
	}
	return sc, rep, ok, nil
}

// SweepMarkdown is a committed sweep's sweep.md, or, when it has not run yet, a note saying
// so with its variants and its estimated cost.
func SweepMarkdown(results, name string) (string, error) {
	path := filepath.Join(results, "sweeps", name, "sweep.md")
	if raw, err := os.ReadFile(path); err == nil {
		return string(raw), nil
	}
	sw, err := SweepPreset(name)
	if err != nil {
		return "", err
	}
	var dry strings.Builder
	if err := DryRunSweep(&dry, sw); err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(dry.String()), "\n")
	var sb strings.Builder
	fmt.Fprintf(&sb, "**Sweep %s: not run yet** (`%s`). Its variants:\n\n| variant | series | x | source → target |\n|---|---|---|---|\n", name, path)
	for _, v := range sw.Variants {
		fmt.Fprintf(&sb, "| %s | %s | %.3g | %s → %s |\n", v.Dir(), v.Series, v.X, v.Study.SourceName, v.Study.TargetName)
	}
	fmt.Fprintf(&sb, "\n%s\n", lines[len(lines)-1])
	return sb.String(), nil
}

// LoadSweepResults reads a committed sweep preset's finished runs from
// results/sweeps/<name> (LoadSweep): nil, with no error, when the sweep has not run there.
// ViT sweeps need no data.
func LoadSweepResults(results, name string) (*SweepReport, error) {
	sw, err := SweepPreset(name)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(results, "sweeps", name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return LoadSweep(sw, dir)
}
