package plotting

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the Okabe–Ito colour-blind-safe palette without its yellow, which is unreadable
// on white.
var palette = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
}

// dashes are the dash patterns given to successive series, so curves stay apart in print.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
	{vg.Points(12), vg.Points(4)},
}

// Figure-wide styling.
var (
	lineWidth   = vg.Points(1.5)
	refColor    = color.RGBA{R: 0xB0, G: 0x00, B: 0x20, A: 0xFF}
	refDashes   = []vg.Length{vg.Points(4), vg.Points(4)}
	gridColor   = color.Gray{Y: 0xDD}
	legendInset = vg.Points(6)
)

// seriesStyle is the line style of the i-th series: its own colour and dash pattern.
func seriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{
		Color:  palette[i%len(palette)],
		Width:  lineWidth,
		Dashes: dashes[i%len(dashes)],
	}
}

// newPlot returns an empty plot with title, axis labels, compact ticks and a light grid:
// horizontal lines, plus vertical ones if verticalGrid.
func newPlot(title, xLabel, yLabel string, verticalGrid bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker = linearTicks{}
	p.Y.Tick.Marker = linearTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	if verticalGrid {
		grid.Vertical.Color = gridColor
	}
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	return p
}

// nominalX labels a categorical x axis: names at x = 0, 1, …, each wrapped onto several
// lines if it is wider than its share of the axis, of which the names get the fraction
// share.
func nominalX(p *plot.Plot, names []string, share float64) {
	slot := vg.Length(share) * dataWidth / vg.Length(len(names)) * 0.9
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: wrapLabel(n, p.X.Tick.Label, slot)}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Width = 0
}

// wrapLabel breaks a label onto lines no wider than width where it can: at spaces and after
// arrows.
func wrapLabel(label string, sty text.Style, width vg.Length) string {
	var lines []string
	line := ""
	for _, word := range splitWords(label) {
		joined := strings.TrimLeft(line+word, " ")
		if line != "" && sty.Width(strings.TrimRight(joined, " ")) > width {
			lines = append(lines, strings.TrimRight(line, " "))
			joined = strings.TrimLeft(word, " ")
		}
		line = joined
	}
	return strings.Join(append(lines, strings.TrimRight(line, " ")), "\n")
}

// splitWords splits s before each space and after each arrow, keeping every character.
func splitWords(s string) []string {
	var words []string
	start := 0
	for i, r := range s {
		switch {
		case r == ' ' && i > start:
			words, start = append(words, s[start:i]), i
		case r == '→':
			end := i + len(string(r))
			words, start = append(words, s[start:end]), end
		}
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}

// setLog puts an axis on a log scale.
func setLog(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
}

// refLine returns a horizontal line at y across the whole plot, and widens the y range so
// that the line shows.
func refLine(p *plot.Plot, y float64) *plotter.Function {
	f := plotter.NewFunction(func(float64) float64 { return y })
	f.Samples = 2
	f.LineStyle = draw.LineStyle{Color: refColor, Width: lineWidth, Dashes: refDashes}
	p.Y.Min = math.Min(p.Y.Min, y)
	p.Y.Max = math.Max(p.Y.Max, y)
	return f
}

// fixRange widens a degenerate (single-value) axis range the way gonum would, but staying
// positive on a log axis.
func fixRange(a *plot.Axis) {
	if a.Min != a.Max {
		return
	}
	if _, isLog := a.Scale.(plot.LogScale); isLog {
		a.Min, a.Max = a.Min/2, a.Max*2
		return
	}
	a.Min, a.Max = a.Min-1, a.Max+1
}

// corner is a legend position.
type corner struct{ top, left bool }

// cornerPreference lists the legend positions in the order tried; the first one that covers
// the fewest data points wins.
var cornerPreference = []corner{{true, false}, {false, false}, {true, true}, {false, true}}

// The legend box is sized for a figure of DefaultWidth × DefaultHeight inches, whose data
// area is about dataWidth × dataHeight.
var (
	dataWidth  = vg.Length(DefaultWidth-0.8) * vg.Inch
	dataHeight = vg.Length(DefaultHeight-0.9) * vg.Inch
)

// segmentSubsamples is how many points placeLegend checks along each segment of a curve.
const segmentSubsamples = 8

// maxLegendShare caps the fraction of the data area given up to a big legend.
const maxLegendShare = 0.5

// legendBox returns the size of p's legend (with its inset) as fractions of the data area;
// a long legend can be wider than maxLegendShare (or than the data area itself).
func legendBox(p *plot.Plot) (w, h float64) {
	size := p.Legend.Rectangle(draw.Canvas{}).Size()
	w = float64((size.X + 2*legendInset) / dataWidth)
	h = float64((size.Y + 2*legendInset) / dataHeight)
	return w, h
}

// placeLegend puts the legend in a corner that hides no point of the curves (counting points
// interpolated along each segment too), or, if every corner would, raises the top of the y
// axis to leave an empty band for it. Call it after all data is added.
func placeLegend(p *plot.Plot, curves []plotter.XYs) {
	// The corners are checked over the legend's true width (a long legend covers data well
	// left of the right edge); its height is capped, for the headroom it may claim.
	width, height := legendBox(p)
	height = math.Min(height, maxLegendShare)
	counts := make([]int, len(cornerPreference))
	visit := func(x, y float64) {
		if x < 0 || x > 1 || y < 0 || y > 1 {
			return // outside the axes' ranges: clipped, not drawn
		}
		for i, c := range cornerPreference {
			inX := (c.left && x <= width) || (!c.left && x >= 1-width)
			inY := (c.top && y >= 1-height) || (!c.top && y <= height)
			if inX && inY {
				counts[i]++
			}
		}
	}
	for _, xys := range curves {
		for i := range xys {
			x, y := p.X.Norm(xys[i].X), p.Y.Norm(xys[i].Y)
			visit(x, y)
			if i+1 < len(xys) {
				nx, ny := p.X.Norm(xys[i+1].X), p.Y.Norm(xys[i+1].Y)
				for k := 1; k < segmentSubsamples; k++ {
					f := float64(k) / segmentSubsamples
					visit(x+f*(nx-x), y+f*(ny-y))
				}
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] < counts[best] {
			best = i
		}
	}
	c := cornerPreference[best]
	if counts[best] > 0 {
		// Every corner hides data: make room above it instead.
		addHeadroom(&p.Y, height)
		c = cornerPreference[0]
	}
	p.Legend.Top, p.Legend.Left = c.top, c.left
	p.Legend.XOffs, p.Legend.YOffs = -legendInset, -legendInset
	if c.left {
		p.Legend.XOffs = legendInset
	}
	if !c.top {
		p.Legend.YOffs = legendInset
	}
}

// addHeadroom raises a.Max so that the current range fills only the lower 1−frac of the
// axis, in the axis' own scale.
func addHeadroom(a *plot.Axis, frac float64) {
	if _, isLog := a.Scale.(plot.LogScale); isLog {
		lo, hi := math.Log(a.Min), math.Log(a.Max)
		a.Max = math.Exp(lo + (hi-lo)/(1-frac))
		return
	}
	a.Max = a.Min + (a.Max-a.Min)/(1-frac)
}

// legendAtRight widens the x axis to the right by the legend's width and puts the legend
// in the space gained, beside the data rather than over it. It returns the fraction of the
// data area left to the data.
func legendAtRight(p *plot.Plot) float64 {
	w, _ := legendBox(p)
	w = math.Min(w, maxLegendShare)
	p.X.Max = p.X.Min + (p.X.Max-p.X.Min)/(1-w)
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.XOffs, p.Legend.YOffs = -legendInset, -legendInset
	return 1 - w
}
