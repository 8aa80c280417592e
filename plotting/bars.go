package plotting

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bar chart styling.
var (
	barWidth    = vg.Points(36)
	barLabelGap = vg.Points(3)
)

// barHeadroom is the fraction of the value range added above (and below) the bars for the
// value labels.
const barHeadroom = 0.15

// SavingsBars plots compute savings in percent, one bar per label, with ±std error bars and
// the value written above each bar. E.g. labels "ViT 6→12 (excl. source)", "ViT 6→12 (incl.
// source)", means 56.7 and 48.2. stds may be nil for no error bars; negative means (the
// expanded run cost more) point down.
func SavingsBars(title string, labels []string, means, stds []float64) (*plot.Plot, error) {
	p, err := savingsBars(title, labels, means, stds)
	if err != nil {
		return nil, fmt.Errorf("plotting: SavingsBars(%q): %w", title, err)
	}
	return p, nil
}

func savingsBars(title string, labels []string, means, stds []float64) (*plot.Plot, error) {
	if err := checkBars(labels, means, stds); err != nil {
		return nil, err
	}
	p := newPlot(title, "", "compute saving", false)
	p.Y.Tick.Marker = percentTicks{}
	bars, err := plotter.NewBarChart(plotter.Values(means), barWidth)
	if err != nil {
		return nil, err
	}
	bars.Color = palette[0]
	bars.LineStyle.Width = 0
	p.Add(bars)
	if stds != nil {
		errBars, err := plotter.NewYErrorBars(barErrors(means, stds))
		if err != nil {
			return nil, err
		}
		errBars.LineStyle.Width = vg.Points(1.2)
		errBars.CapWidth = vg.Points(10)
		p.Add(errBars)
	}
	for _, below := range []bool{false, true} {
		l, err := barLabels(means, stds, below)
		if err != nil {
			return nil, err
		}
		if l != nil {
			p.Add(l)
		}
	}
	nominalX(p, labels, 1)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	p.Y.Min, p.Y.Max = barRange(means, stds)
	return p, nil
}

// checkBars validates SavingsBars' input.
func checkBars(labels []string, means, stds []float64) error {
	if len(means) == 0 {
		return errors.New("no bars")
	}
	if len(labels) != len(means) {
		return fmt.Errorf("%d labels but %d means", len(labels), len(means))
	}
	if stds != nil && len(stds) != len(means) {
		return fmt.Errorf("%d stds but %d means", len(stds), len(means))
	}
	for i, m := range means {
		if !isFinite(m) {
			return fmt.Errorf("bar %q: mean %g is not finite", labels[i], m)
		}
		if stds != nil && !(stds[i] >= 0 && isFinite(stds[i])) {
			return fmt.Errorf("bar %q: std %g, want finite and >= 0", labels[i], stds[i])
		}
	}
	return nil
}

// barErrorSet holds the error bars at the bar centres.
type barErrorSet struct {
	plotter.XYs
	plotter.YErrors
}

// barErrors places one symmetric error bar of half-height stds[i] on each bar.
func barErrors(means, stds []float64) barErrorSet {
	e := barErrorSet{XYs: make(plotter.XYs, len(means)), YErrors: make(plotter.YErrors, len(means))}
	for i := range means {
		e.XYs[i] = plotter.XY{X: float64(i), Y: means[i]}
		e.YErrors[i].Low, e.YErrors[i].High = stds[i], stds[i]
	}
	return e
}

// barLabels writes "56.7%" or "56.7 ± 2.1%" beyond the end of each bar whose sign matches
// below (under a negative bar, over the others), clear of its error bar. It returns nil
// when no bar matches.
func barLabels(means, stds []float64, below bool) (*plotter.Labels, error) {
	var xyl plotter.XYLabels
	for i, m := range means {
		if (m < 0) != below {
			continue
		}
		std := 0.0
		if stds != nil {
			std = stds[i]
		}
		xyl.XYs = append(xyl.XYs, plotter.XY{X: float64(i), Y: m + math.Copysign(std, m)})
		xyl.Labels = append(xyl.Labels, barText(m, stds, i))
	}
	if len(xyl.Labels) == 0 {
		return nil, nil
	}
	l, err := plotter.NewLabels(xyl)
	if err != nil {
		return nil, err
	}
	l.Offset.Y = barLabelGap
	align := draw.YBottom
	if below {
		l.Offset.Y, align = -barLabelGap, draw.YTop
	}
	for i := range l.TextStyle {
		l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, align
	}
	return l, nil
}

// barText formats one bar's value label.
func barText(mean float64, stds []float64, i int) string {
	if stds == nil {
		return fmt.Sprintf("%.1f%%", mean)
	}
	return fmt.Sprintf("%.1f ± %.1f%%", mean, stds[i])
}

// barRange returns a y range holding zero, every bar with its error bar, and headroom for
// the value labels.
func barRange(means, stds []float64) (lo, hi float64) {
	for i, m := range means {
		std := 0.0
		if stds != nil {
			std = stds[i]
		}
		lo, hi = math.Min(lo, m-std), math.Max(hi, m+std)
	}
	pad := barHeadroom * math.Max(hi-lo, 1)
	if lo < 0 {
		lo -= pad
	}
	return lo, hi + pad
}
