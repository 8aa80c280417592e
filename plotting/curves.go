package plotting

import (
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CurveOptions are the optional settings of Curves.
type CurveOptions struct {
	// LogX and LogY put an axis on a log scale; every value on it must then be positive.
	LogX, LogY bool
	// Ref, if set, draws a dashed horizontal reference line, e.g. the from-scratch model's
	// final validation loss.
	Ref *RefLine
	// YLim, when YLim[0] < YLim[1], fixes the y axis to that range (curves are clipped to
	// it), e.g. to zoom on where runs cross a reference line.
	YLim [2]float64
	// Points marks every point with a glyph and draws its Lo–Hi range as an error bar
	// instead of a band: for sparse series (a sweep's few variants), where a band between
	// points says little and a one-point series would otherwise draw nothing.
	Points bool
	// Bounds are values known only as bounds (e.g. a saving below a mark where no budget
	// reached the reference): drawn as triangles in the colour of the series they belong to.
	Bounds []Bound
}

// Bound is a set of points known only as bounds, drawn as triangles (▲ a lower bound, ▽ an
// upper one) in the colour of the series named Of (a colour of their own when none is),
// with Label in the legend.
type Bound struct {
	Of, Label string
	X, Y      []float64
	Upper     bool // the true values lie below the marks
}

// RefLine is a horizontal reference line at Y, named Label in the legend.
type RefLine struct {
	Y     float64
	Label string
}

// Curves plots several series against a shared x axis (e.g. validation loss against FLOPs
// for the scratch, LEMON and baseline runs), each with its own colour and dash pattern, with
// a legend placed in the emptiest corner.
//
// It returns an error if a series is empty, has mismatched X and Y lengths, holds a
// non-finite value, or holds a non-positive value on a log axis.
func Curves(title, xLabel, yLabel string, series []Series, opts CurveOptions) (*plot.Plot, error) {
	p, err := curves(title, xLabel, yLabel, series, opts)
	if err != nil {
		return nil, fmt.Errorf("plotting: Curves(%q): %w", title, err)
	}
	return p, nil
}

// Schedule plots learning-rate schedules against the step, several in one figure; build
// each with SampleSchedule or from a log's (Step, LR) columns.
func Schedule(title string, schedules []Series) (*plot.Plot, error) {
	p, err := curves(title, Step.Label(), LR.Label(), schedules, CurveOptions{})
	if err != nil {
		return nil, fmt.Errorf("plotting: Schedule(%q): %w", title, err)
	}
	return p, nil
}

// errorBars are a series' Lo–Hi ranges as gonum's YErrorBars read them.
type errorBars struct {
	plotter.XYs
	lo, hi []float64
}

func (e errorBars) YError(i int) (float64, float64) {
	return e.XYs[i].Y - e.lo[i], e.hi[i] - e.XYs[i].Y
}

// curves builds the Curves figure.
func curves(title, xLabel, yLabel string, series []Series, opts CurveOptions) (*plot.Plot, error) {
	if len(series) == 0 && len(opts.Bounds) == 0 {
		return nil, errors.New("no series")
	}
	if opts.Ref != nil {
		if err := checkValue(opts.Ref.Y, opts.LogY); err != nil {
			return nil, fmt.Errorf("reference line %q: y %w", opts.Ref.Label, err)
		}
	}
	p := newPlot(title, xLabel, yLabel, true)
	if opts.LogX {
		setLog(&p.X)
	}
	if opts.LogY {
		setLog(&p.Y)
	}
	var all []plotter.XYs
	for i, s := range series {
		xys, err := s.xys(opts.LogX, opts.LogY)
		if err != nil {
			return nil, err
		}
		band, err := s.band(opts.LogX, opts.LogY)
		if err != nil {
			return nil, err
		}
		if band != nil && opts.Points {
			all = append(all, band)
			band = nil // drawn as error bars below
		}
		if band != nil {
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return nil, fmt.Errorf("series %q band: %w", s.Name, err)
			}
			r, g, b, _ := seriesStyle(i).Color.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x38}
			poly.LineStyle.Width = 0
			p.Add(poly)
			all = append(all, band) // the legend avoids the band too
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		line.LineStyle = seriesStyle(i)
		p.Add(line)
		if !opts.Points {
			p.Legend.Add(s.Name, line)
		} else {
			dots, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("series %q: %w", s.Name, err)
			}
			dots.GlyphStyle = draw.GlyphStyle{Color: seriesStyle(i).Color, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
			p.Add(dots)
			if s.Lo != nil {
				bars, err := plotter.NewYErrorBars(errorBars{xys, s.Lo, s.Hi})
				if err != nil {
					return nil, fmt.Errorf("series %q error bars: %w", s.Name, err)
				}
				bars.LineStyle = seriesStyle(i)
				bars.LineStyle.Dashes = nil
				p.Add(bars)
			}
			p.Legend.Add(s.Name, line, dots)
		}
		all = append(all, xys)
	}
	for j, b := range opts.Bounds {
		xys, err := Series{Name: b.Label, X: b.X, Y: b.Y}.xys(opts.LogX, opts.LogY)
		if err != nil {
			return nil, err
		}
		style := len(series) + j
		for i, s := range series {
			if s.Name == b.Of {
				style = i
			}
		}
		marks, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("bound %q: %w", b.Label, err)
		}
		var shape draw.GlyphDrawer = draw.TriangleGlyph{}
		if b.Upper {
			shape = invertedTriangle{}
		}
		marks.GlyphStyle = draw.GlyphStyle{Color: seriesStyle(style).Color, Radius: vg.Points(5), Shape: shape}
		p.Add(marks)
		p.Legend.Add(b.Label, marks)
		all = append(all, xys)
	}
	if opts.Ref != nil {
		ref := refLine(p, opts.Ref.Y)
		p.Add(ref)
		p.Legend.Add(opts.Ref.Label, ref)
	}
	fixRange(&p.X)
	fixRange(&p.Y)
	if opts.Points || len(opts.Bounds) > 0 {
		// Glyphs and error bars at the extremes would be cut by the axes: pad linear ranges by 4%.
		for _, a := range []struct {
			axis *plot.Axis
			log  bool
		}{{&p.X, opts.LogX}, {&p.Y, opts.LogY}} {
			if !a.log {
				pad := 0.04 * (a.axis.Max - a.axis.Min)
				a.axis.Min, a.axis.Max = a.axis.Min-pad, a.axis.Max+pad
			}
		}
	}
	if lo, hi := opts.YLim[0], opts.YLim[1]; lo < hi {
		if err := checkValue(lo, opts.LogY); err != nil {
			return nil, fmt.Errorf("y limit %w", err)
		}
		if err := checkValue(hi, opts.LogY); err != nil {
			return nil, fmt.Errorf("y limit %w", err)
		}
		p.Y.Min, p.Y.Max = lo, hi
	}
	if opts.Ref != nil {
		all = append(all, plotter.XYs{{X: p.X.Min, Y: opts.Ref.Y}, {X: p.X.Max, Y: opts.Ref.Y}})
	}
	placeLegend(p, all)
	return p, nil
}

// invertedTriangle is an open triangle pointing down (▽): a value below the mark.
type invertedTriangle struct{}

func (invertedTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)})
	r := sty.Radius
	var path vg.Path
	path.Move(vg.Point{X: pt.X - r, Y: pt.Y + r*0.6})
	path.Line(vg.Point{X: pt.X + r, Y: pt.Y + r*0.6})
	path.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	path.Close()
	c.Stroke(path)
}
