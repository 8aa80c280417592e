package plotting

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func TestCurvesRejects(t *testing.T) {
	ok := Series{Name: "ok", X: []float64{1, 2, 3}, Y: []float64{3, 2, 1}}
	for _, tc := range []struct {
		name   string
		series []Series
		opts   CurveOptions
		want   string
	}{
		{"no series", nil, CurveOptions{}, "no series"},
		{"empty", []Series{ok, {Name: "empty"}}, CurveOptions{}, `series "empty" has no points`},
		{"lengths", []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{1}}}, CurveOptions{}, "2 x values but 1 y values"},
		{"NaN", []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{1, math.NaN()}}}, CurveOptions{}, "point 1: y = NaN is not finite"},
		{"log x zero", []Series{ok, {Name: "from0", X: []float64{0, 1}, Y: []float64{1, 2}}}, CurveOptions{LogX: true},
			`series "from0" point 0: x = 0 is not positive`},
		{"log y negative", []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{1, -2}}}, CurveOptions{LogY: true},
			"point 1: y = -2 is not positive"},
		{"log y ref", []Series{ok}, CurveOptions{LogY: true, Ref: &RefLine{Y: 0, Label: "zero"}},
			`reference line "zero": y = 0 is not positive`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Curves("fig", "x", "y", tc.series, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `Curves("fig")`) {
				t.Errorf("error %v, want one naming the figure and containing %q", err, tc.want)
			}
		})
	}
	// The same values are fine on linear axes.
	if _, err := Curves("fig", "x", "y", []Series{{Name: "s", X: []float64{0, 1}, Y: []float64{-1, 0}}}, CurveOptions{}); err != nil {
		t.Errorf("linear axes: %v", err)
	}
}

func TestCurvesAxes(t *testing.T) {
	s := Series{Name: "s", X: []float64{10, 1000}, Y: []float64{0.5, 4}}
	p, err := Curves("fig", "x", "y", []Series{s}, CurveOptions{LogX: true, LogY: true, Ref: &RefLine{Y: 0.1, Label: "ref"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.X.Scale.(plot.LogScale); !ok {
		t.Errorf("x scale %T, want plot.LogScale", p.X.Scale)
	}
	if _, ok := p.Y.Scale.(plot.LogScale); !ok {
		t.Errorf("y scale %T, want plot.LogScale", p.Y.Scale)
	}
	if p.X.Min != 10 || p.X.Max != 1000 || p.Y.Min != 0.1 || p.Y.Max < 4 {
		t.Errorf("ranges x [%g, %g] y [%g, %g], want x [10, 1000] and y from the ref line 0.1 to >= 4",
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	p, err = Curves("fig", "x", "y", []Series{{Name: "one point", X: []float64{5}, Y: []float64{5}}}, CurveOptions{LogY: true})
	if err != nil {
		t.Fatal(err)
	}
	if !(p.Y.Min > 0 && p.Y.Min < 5 && p.Y.Max > 5) {
		t.Errorf("single point on log y: range [%g, %g], want a positive range around 5", p.Y.Min, p.Y.Max)
	}
}

func TestPlaceLegend(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	curve := func(f func(float64) float64) Series {
		s := Series{Name: "run", X: x}
		for _, v := range x {
			s.Y = append(s.Y, f(v))
		}
		return s
	}
	for _, tc := range []struct {
		name      string
		s         Series
		top, left bool
		headroom  bool
	}{
		{"falling loss", curve(func(v float64) float64 { return 10 / (1 + v) }), true, false, false},
		{"rising accuracy", curve(func(v float64) float64 { return 1 - 1/(1+v) }), false, false, false},
		{"convex rise", curve(func(v float64) float64 { return v * v }), false, false, false},
		{"late jump", curve(func(v float64) float64 { return math.Max(0, v-9) }), true, true, false},
		{"everywhere", Series{Name: "zigzag", X: []float64{0, 0, 10, 10}, Y: []float64{0, 10, 0, 10}}, true, false, true},
	} {
		p, err := Curves("fig", "x", "y", []Series{tc.s}, CurveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		gotHeadroom := p.Y.Max > maxOf(tc.s.Y)
		if p.Legend.Top != tc.top || p.Legend.Left != tc.left || gotHeadroom != tc.headroom {
			t.Errorf("%s: legend top=%v left=%v headroom=%v, want %v %v %v", tc.name,
				p.Legend.Top, p.Legend.Left, gotHeadroom, tc.top, tc.left, tc.headroom)
		}
	}
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

func TestSavingsBars(t *testing.T) {
	means, stds := []float64{56.7, -8.5}, []float64{2.1, 3}
	p, err := SavingsBars("s", []string{"ViT", "tiny"}, means, stds)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := barRange(means, stds)
	if p.Y.Min != lo || p.Y.Max != hi || !(lo < -11.5 && hi > 58.8) {
		t.Errorf("y range [%g, %g], want [%g, %g] around [-11.5, 58.8] with headroom", p.Y.Min, p.Y.Max, lo, hi)
	}
	e := barErrors(means, stds)
	if e.XYs[1] != (plotter.XY{X: 1, Y: -8.5}) || e.YErrors[1].Low != 3 || e.YErrors[1].High != 3 {
		t.Errorf("error bar 1 = %v ± %v, want (1, -8.5) ± 3", e.XYs[1], e.YErrors[1])
	}
	if got := barText(56.7, stds, 0); got != "56.7 ± 2.1%" {
		t.Errorf("barText = %q", got)
	}
	if got := barText(33.2, nil, 0); got != "33.2%" {
		t.Errorf("barText without stds = %q", got)
	}
	if _, err := SavingsBars("s", []string{"a"}, []float64{1}, nil); err != nil {
		t.Errorf("nil stds: %v", err)
	}
	for name, tc := range map[string]struct {
		labels      []string
		means, stds []float64
		want        string
	}{
		"empty":      {nil, nil, nil, "no bars"},
		"labels":     {[]string{"a"}, []float64{1, 2}, nil, "1 labels but 2 means"},
		"stds":       {[]string{"a", "b"}, []float64{1, 2}, []float64{1}, "1 stds but 2 means"},
		"NaN mean":   {[]string{"a"}, []float64{math.NaN()}, nil, `bar "a": mean NaN`},
		"negative σ": {[]string{"a"}, []float64{1}, []float64{-1}, `bar "a": std -1`},
	} {
		if _, err := SavingsBars("s", tc.labels, tc.means, tc.stds); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestExactnessData(t *testing.T) {
	configs, methods, err := exactnessGroups(exactnessResults)
	if err != nil {
		t.Fatal(err)
	}
	if len(configs) != 3 || configs[1] != "ViT(6,512)→ViT(12,768)" || len(methods) != 3 || methods[2] != "no ε scaling" {
		t.Fatalf("groups %q %q", configs, methods)
	}
	floor := exactnessFloor(exactnessResults, 1e-5)
	if floor != 1e-17 { // smallest positive 8.8e-16 is in the 1e-16 decade
		t.Errorf("floor = %g, want 1e-17", floor)
	}
	points := exactnessPoints(exactnessResults, configs, methods, floor)
	want := map[int]plotter.XY{ // method → its point for config 1
		0: {X: 1 - methodSpread/2, Y: floor}, // exact zero drawn at the floor
		1: {X: 1, Y: 1.9e-6},
		2: {X: 1 + methodSpread/2, Y: 7e-3},
	}
	for m, xy := range want {
		if got := points[m][1]; math.Abs(got.X-xy.X) > 1e-12 || got.Y != xy.Y {
			t.Errorf("method %d config 1 at %v, want %v", m, got, xy)
		}
	}
	p, err := Exactness("e", exactnessResults, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min != floor || p.Y.Max != 0.1 || p.X.Max <= 2.5 {
		t.Errorf("y [%g, %g], x max %g; want y [1e-17, 0.1], x widened past 2.5 for the legend", p.Y.Min, p.Y.Max, p.X.Max)
	}
	bad := func(r ExactnessResult) []ExactnessResult { return append([]ExactnessResult{exactnessResults[0]}, r) }
	for name, tc := range map[string]struct {
		results []ExactnessResult
		tol     float64
		want    string
	}{
		"empty":     {nil, 1e-5, "no results"},
		"tolerance": {exactnessResults, 0, "tolerance 0"},
		"negative":  {bad(ExactnessResult{"c", "m", -1}), 1e-5, "c / m: max |Δ| = -1"},
		"NaN":       {bad(ExactnessResult{"c", "m", math.NaN()}), 1e-5, "max |Δ| = NaN"},
		"repeated":  {bad(exactnessResults[0]), 1e-5, "appears twice"},
	} {
		if _, err := Exactness("e", tc.results, tc.tol); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
	}
}

func TestWrapLabel(t *testing.T) {
	sty := plot.New().X.Tick.Label
	narrow := sty.Width("ViT(6,384)→") + 1
	for in, want := range map[string]string{
		"ViT(6,384)→ViT(12,768)": "ViT(6,384)→\nViT(12,768)",
		"ViT 6→12 excl. source":  "ViT 6→12\nexcl. source",
		"short":                  "short",
	} {
		if got := wrapLabel(in, sty, narrow); got != want {
			t.Errorf("wrapLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestManySeries(t *testing.T) {
	var series []Series
	for i := range 30 {
		v := float64(i)
		series = append(series, Series{Name: "a run with a rather long name", X: []float64{0, 10}, Y: []float64{v, 30 - v}})
	}
	p, err := Curves("many", "x", "y", series, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !isFinite(p.Y.Max) || p.Y.Max > 30/(1-maxLegendShare)+1e-9 {
		t.Errorf("y max %g: headroom for a huge legend should be capped", p.Y.Max)
	}
	if _, err := PNG(p, 3, 2); err != nil {
		t.Error(err)
	}
}

// TestCurvesPoints: with Points, a one-point series with a Lo–Hi range is drawn with an error
// bar whose ends the y axis covers, and a range with Lo above Hi is refused.
func TestCurvesPoints(t *testing.T) {
	one := Series{Name: "depth", X: []float64{1.9}, Y: []float64{38.7}, Lo: []float64{32.9}, Hi: []float64{44.6}}
	p, err := Curves("sweep", "growth", "saving (%)", []Series{one}, CurveOptions{Points: true, Ref: &RefLine{Y: 0, Label: "no saving"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min > 0 || p.Y.Max < 44.6 {
		t.Errorf("y range [%g, %g] does not cover the reference 0 and the bar's top 44.6", p.Y.Min, p.Y.Max)
	}
	// Without the error bar the axis would end at the point (38.7): the range shows it drawn.
	if lo, hi := (errorBars{plotter.XYs{{X: 1.9, Y: 38.7}}, one.Lo, one.Hi}).YError(0); math.Abs(lo-5.8) > 1e-9 || math.Abs(hi-5.9) > 1e-9 {
		t.Errorf("error bar extents %g, %g, want 5.8 below and 5.9 above", lo, hi)
	}
	bad := one
	bad.Lo, bad.Hi = []float64{45}, []float64{40}
	if _, err := Curves("sweep", "x", "y", []Series{bad}, CurveOptions{Points: true}); err == nil {
		t.Error("a range with Lo above Hi was drawn")
	}
}

// TestCurvesBounds: bound marks are drawn alone or beside series (the axes cover them and the
// legend names them), padded off the axes; a non-finite bound is refused.
func TestCurvesBounds(t *testing.T) {
	b := Bound{Of: "depth", Label: "depth: not reached", X: []float64{1.45, 3.7}, Y: []float64{25, -43}, Upper: true}
	p, err := Curves("sweep", "growth", "saving (%)", nil, CurveOptions{Points: true, Bounds: []Bound{b}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min >= -43 || p.Y.Max <= 25 || p.X.Min >= 1.45 || p.X.Max <= 3.7 {
		t.Errorf("axes x [%g, %g] y [%g, %g] do not strictly cover the marks", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	one := Series{Name: "depth", X: []float64{1.9}, Y: []float64{38.7}}
	if p, err = Curves("sweep", "growth", "saving (%)", []Series{one}, CurveOptions{Points: true, Bounds: []Bound{b}}); err != nil {
		t.Fatal(err)
	}
	if p.Y.Max <= 38.7 || p.Y.Min >= -43 {
		t.Errorf("y range [%g, %g] does not cover the series and the bounds", p.Y.Min, p.Y.Max)
	}
	if dir := t.TempDir(); Save(p, filepath.Join(dir, "b"), 4, 3) != nil {
		t.Error("a figure with bounds did not save")
	}
	bad := b
	bad.Y = []float64{math.NaN(), 1}
	if _, err := Curves("sweep", "x", "y", nil, CurveOptions{Bounds: []Bound{bad}}); err == nil {
		t.Error("a NaN bound was drawn")
	}
	if _, err := Curves("sweep", "x", "y", nil, CurveOptions{}); err == nil {
		t.Error("nothing to draw was accepted")
	}
}

// TestPlaceLegendLongLabels: a legend wider than half the data area covers data left of the
// middle; a point there near the top must not end under it (the legend goes above the data),
// while with short labels the same point leaves the top right free.
func TestPlaceLegendLongLabels(t *testing.T) {
	long := "a label as long as a sweep's bound: not reached by 0.75T in every seed (saving below the mark)"
	for _, tc := range []struct {
		name     string
		label    string
		headroom bool
	}{{"long labels", long, true}, {"short labels (control)", "run", false}} {
		// Points at the bottom corners and one near the top, 40% of the way across.
		s := Series{Name: tc.label, X: []float64{0, 4, 10}, Y: []float64{0, 9.5, 0}}
		p, err := Curves("fig", "x", "y", []Series{s}, CurveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Y.Max > 9.5+1e-9; got != tc.headroom || !p.Legend.Top {
			t.Errorf("%s: headroom=%v top=%v (y max %g), want headroom=%v, top", tc.name, got, p.Legend.Top, p.Y.Max, tc.headroom)
		}
	}
}
