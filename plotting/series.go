package plotting

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
)

// Series is one named curve: Y[i] plotted against X[i]. Lo and Hi, when set (both with
// len(X) values), are a band drawn shaded around the curve in its colour, e.g. the min–max
// or a confidence interval over seeds.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64 `json:",omitempty"`
}

// Len returns the number of points.
func (s Series) Len() int { return len(s.X) }

// ShiftX returns a copy of s with every X moved by dx, e.g. an expanded run's FLOPs counted
// after its source's, so that curves start where their compute started.
func (s Series) ShiftX(dx float64) Series {
	out := s
	out.X = make([]float64, len(s.X))
	for i, x := range s.X {
		out.X[i] = x + dx
	}
	return out
}

// maxSchedulePoints bounds the points SampleSchedule takes, so a 200k-step schedule stays a
// small figure.
const maxSchedulePoints = 1000

// SampleSchedule samples a learning-rate schedule (a pure function of the 0-based step, such
// as a schedule's At method) over steps [0, steps), at most maxSchedulePoints evenly spaced
// steps including the first and the last.
func SampleSchedule(name string, lr func(step int) float64, steps int) Series {
	if steps <= 0 {
		panic(fmt.Sprintf("plotting: SampleSchedule(%q): steps = %d, want > 0", name, steps))
	}
	stride := (steps + maxSchedulePoints - 1) / maxSchedulePoints
	s := Series{Name: name}
	for step := 0; step < steps; step += stride {
		s.X = append(s.X, float64(step))
		s.Y = append(s.Y, lr(step))
	}
	if last := steps - 1; s.X[len(s.X)-1] != float64(last) {
		s.X = append(s.X, float64(last))
		s.Y = append(s.Y, lr(last))
	}
	return s
}

// xys validates s for plotting and returns its points. Every value must be finite, and
// positive on a log axis.
func (s Series) xys(logX, logY bool) (plotter.XYs, error) {
	if len(s.X) != len(s.Y) {
		return nil, fmt.Errorf("series %q: %d x values but %d y values", s.Name, len(s.X), len(s.Y))
	}
	if len(s.X) == 0 {
		return nil, fmt.Errorf("series %q has no points", s.Name)
	}
	xys := make(plotter.XYs, len(s.X))
	for i := range s.X {
		if err := checkValue(s.X[i], logX); err != nil {
			return nil, fmt.Errorf("series %q point %d: x %w", s.Name, i, err)
		}
		if err := checkValue(s.Y[i], logY); err != nil {
			return nil, fmt.Errorf("series %q point %d: y %w", s.Name, i, err)
		}
		xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
	}
	return xys, nil
}

// band validates s's band and returns it as a closed outline (Lo forwards, Hi backwards);
// nil when s has none.
func (s Series) band(logX, logY bool) (plotter.XYs, error) {
	if s.Lo == nil && s.Hi == nil {
		return nil, nil
	}
	if len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X) {
		return nil, fmt.Errorf("series %q: band has %d low and %d high values for %d points", s.Name, len(s.Lo), len(s.Hi), len(s.X))
	}
	out := make(plotter.XYs, 0, 2*len(s.X))
	for i := range s.X {
		for _, v := range []float64{s.Lo[i], s.Hi[i]} {
			if err := checkValue(v, logY); err != nil {
				return nil, fmt.Errorf("series %q point %d: band %w", s.Name, i, err)
			}
		}
		if s.Lo[i] > s.Hi[i] {
			return nil, fmt.Errorf("series %q point %d: band low %g above high %g", s.Name, i, s.Lo[i], s.Hi[i])
		}
		out = append(out, plotter.XY{X: s.X[i], Y: s.Lo[i]})
	}
	for i := len(s.X) - 1; i >= 0; i-- {
		out = append(out, plotter.XY{X: s.X[i], Y: s.Hi[i]})
	}
	return out, nil
}

// checkValue rejects values an axis cannot show.
func checkValue(v float64, logAxis bool) error {
	switch {
	case !isFinite(v):
		return fmt.Errorf("= %g is not finite", v)
	case logAxis && v <= 0:
		return fmt.Errorf("= %g is not positive, which a log axis cannot show", v)
	}
	return nil
}
