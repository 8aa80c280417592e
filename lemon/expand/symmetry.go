package expand

import (
	"fmt"
	"math"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
)

// maxColumnGap is the largest |w[r, a] − w[r, b]| over the rows of a row-major matrix with
// cols columns: how far apart columns a and b are.
func maxColumnGap(w []float64, cols, a, b int) float64 {
	gap := 0.0
	for r := 0; r < len(w)/cols; r++ {
		gap = max(gap, math.Abs(w[r*cols+a]-w[r*cols+b]))
	}
	return gap
}

// maxRowGap is the largest |w[a, c] − w[b, c]|: how far apart rows a and b are.
func maxRowGap(w []float64, cols, a, b int) float64 {
	gap := 0.0
	for c := range cols {
		gap = max(gap, math.Abs(w[a*cols+c]-w[b*cols+c]))
	}
	return gap
}

// HiddenCopyGaps measures the symmetry of block b's duplicated MLP units — the pairs (j, j+f)
// for every j with j+f < F, f the source's MLP width — between two models of one config: the
// expanded model before training and after. fanOutBefore and fanOutAfter are the largest
// |difference| of the pairs' fan-out rows (fc2, [F, D]) in each; fanInMove is that of their
// fan-in columns' updates (fc1 after − fc1 before, [D, F]). Under an equal split (FPI) all
// three stay 0 and the copies never become different units; LEMON's unequal split starts
// the fan-out rows apart, and training moves the fan-in apart (docs/method.md#symmetry-breaking).
func HiddenCopyGaps(before, after arch.Model, b, f int) (fanOutBefore, fanOutAfter, fanInMove float64, err error) {
	if err := before.Check(); err != nil {
		return 0, 0, 0, fmt.Errorf("expand.HiddenCopyGaps: before: %w", err)
	}
	if err := after.Check(); err != nil {
		return 0, 0, 0, fmt.Errorf("expand.HiddenCopyGaps: after: %w", err)
	}
	if !arch.SameConfig(before.Config, after.Config) {
		return 0, 0, 0, fmt.Errorf("expand.HiddenCopyGaps: the models differ: %s vs %s", before, after)
	}
	e := before.Config.Enc()
	if b < 0 || b >= e.Layers || f <= 0 || f >= e.MLPDim {
		return 0, 0, 0, fmt.Errorf("expand.HiddenCopyGaps: block %d of %d, source MLP width %d of %d: out of range", b, e.Layers, f, e.MLPDim)
	}
	read := func(m arch.Model, path string) ([]float64, error) {
		v := m.Store.GetVariable("/" + path)
		if v == nil {
			return nil, fmt.Errorf("expand.HiddenCopyGaps: no variable /%s", path)
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		return toFloat64(t), nil
	}
	fc1, fc2 := arch.InBlock(b, arch.FC1, arch.Weights), arch.InBlock(b, arch.FC2, arch.Weights)
	var w [4][]float64 // fc1 before, fc1 after, fc2 before, fc2 after
	for i, x := range []struct {
		m    arch.Model
		path string
	}{{before, fc1}, {after, fc1}, {before, fc2}, {after, fc2}} {
		if w[i], err = read(x.m, x.path); err != nil {
			return 0, 0, 0, err
		}
	}
	move := slices.Clone(w[1])
	for i := range move {
		move[i] -= w[0][i]
	}
	d, fT := e.Width, e.MLPDim
	for j := 0; j+f < fT; j++ {
		fanOutBefore = max(fanOutBefore, maxRowGap(w[2], d, j, j+f))
		fanOutAfter = max(fanOutAfter, maxRowGap(w[3], d, j, j+f))
		fanInMove = max(fanInMove, maxColumnGap(move, fT, j, j+f))
	}
	return fanOutBefore, fanOutAfter, fanInMove, nil
}
