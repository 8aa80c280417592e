package plotting

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ExactnessResult is one expansion-exactness measurement: the largest |Δ| between the
// outputs of the source model and of the target model expanded from it.
type ExactnessResult struct {
	// Config names the source → target pair, e.g. "ViT(6,384)→ViT(12,768)".
	Config string
	// Method names the expansion method or precision, e.g. "LEMON f64".
	Method string
	// MaxAbsDiff is max |target − source| over the outputs; 0 means bit-exact.
	MaxAbsDiff float64
}

// Exactness styling.
var (
	glyphRadius = vg.Points(4)
	glyphShapes = []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
		draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
	}
)

// methodSpread is the x width over which one configuration's methods are spread.
const methodSpread = 0.5

// Exactness plots expansion exactness: for each configuration (on x) one marker per method
// at max |Δ| on a log y axis, and a dashed line at the tolerance. Exact zeros, which a log
// axis cannot show, sit on a floor a decade below everything else, where the axis reads "0".
// Configurations and methods keep their order of first appearance.
func Exactness(title string, results []ExactnessResult, tolerance float64) (*plot.Plot, error) {
	p, err := exactness(title, results, tolerance)
	if err != nil {
		return nil, fmt.Errorf("plotting: Exactness(%q): %w", title, err)
	}
	return p, nil
}

func exactness(title string, results []ExactnessResult, tolerance float64) (*plot.Plot, error) {
	if len(results) == 0 {
		return nil, errors.New("no results")
	}
	if !(tolerance > 0 && isFinite(tolerance)) {
		return nil, fmt.Errorf("tolerance %g, want finite and > 0", tolerance)
	}
	configs, methods, err := exactnessGroups(results)
	if err != nil {
		return nil, err
	}
	floor := exactnessFloor(results, tolerance)
	p := newPlot(title, "", "max |Δ| of outputs", false)
	setLog(&p.Y)
	p.Y.Tick.Marker = logTicks{zeroAt: floor}
	for m, xys := range exactnessPoints(results, configs, methods, floor) {
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("method %q: %w", methods[m], err)
		}
		sc.GlyphStyle = draw.GlyphStyle{
			Color:  palette[m%len(palette)],
			Radius: glyphRadius,
			Shape:  glyphShapes[m%len(glyphShapes)],
		}
		p.Add(sc)
		p.Legend.Add(methods[m], sc)
	}
	tol := refLine(p, tolerance)
	tol.XMin, tol.XMax = -0.5, float64(len(configs))-0.5
	p.Add(tol)
	p.Legend.Add("tolerance "+formatTick(tolerance), tol)
	p.Y.Min, p.Y.Max = floor, decadeAbove(p.Y.Max)
	p.X.Min, p.X.Max = tol.XMin, tol.XMax
	share := legendAtRight(p)
	nominalX(p, configs, share)
	return p, nil
}

// decadeAbove returns the smallest power of ten at least 1.5 times v.
func decadeAbove(v float64) float64 {
	return math.Pow(10, math.Ceil(math.Log10(1.5*v)))
}

// exactnessGroups lists configurations and methods in order of first appearance, and
// rejects negative, NaN or infinite differences and repeated (config, method) pairs.
func exactnessGroups(results []ExactnessResult) (configs, methods []string, err error) {
	seen := map[[2]string]bool{}
	for _, r := range results {
		if !(r.MaxAbsDiff >= 0 && isFinite(r.MaxAbsDiff)) {
			return nil, nil, fmt.Errorf("%s / %s: max |Δ| = %g, want finite and >= 0",
				r.Config, r.Method, r.MaxAbsDiff)
		}
		key := [2]string{r.Config, r.Method}
		if seen[key] {
			return nil, nil, fmt.Errorf("%s / %s appears twice", r.Config, r.Method)
		}
		seen[key] = true
		configs = appendNew(configs, r.Config)
		methods = appendNew(methods, r.Method)
	}
	return configs, methods, nil
}

// exactnessFloor is where exact zeros are drawn: one decade below the decade of the
// smallest positive difference or the tolerance.
func exactnessFloor(results []ExactnessResult, tolerance float64) float64 {
	smallest := tolerance
	for _, r := range results {
		if r.MaxAbsDiff > 0 {
			smallest = math.Min(smallest, r.MaxAbsDiff)
		}
	}
	return math.Pow(10, math.Floor(math.Log10(smallest))-1)
}

// exactnessPoints returns, per method, the marker positions: x is the configuration's
// index, shifted so that its methods sit side by side; y is max |Δ|, or floor if it is 0.
func exactnessPoints(results []ExactnessResult, configs, methods []string, floor float64) []plotter.XYs {
	points := make([]plotter.XYs, len(methods))
	for _, r := range results {
		c, m := slices.Index(configs, r.Config), slices.Index(methods, r.Method)
		x := float64(c)
		if len(methods) > 1 {
			x += methodSpread * (float64(m)/float64(len(methods)-1) - 0.5)
		}
		y := r.MaxAbsDiff
		if y == 0 {
			y = floor
		}
		points[m] = append(points[m], plotter.XY{X: x, Y: y})
	}
	return points
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}
