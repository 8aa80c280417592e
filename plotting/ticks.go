package plotting

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// linearTicks label about targetLabels round values (1, 2, 2.5 or 5 times a power of ten
// apart) with compact labels ("2e17", not "2e+17"), and mark minor ticks between them.
type linearTicks struct{}

// targetLabels is the number of labelled ticks linearTicks aims at (it gives 4 to 7).
const targetLabels = 5

// niceSteps are the label spacings tried, as multiples of a power of ten, with the number of
// minor divisions between labels.
var niceSteps = []struct {
	m     float64
	minor int
}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: formatTick(lo)}}
	}
	raw := (hi - lo) / targetLabels
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minor := 10*mag, 5
	for _, n := range niceSteps {
		if n.m*mag >= raw*(1-1e-9) {
			step, minor = n.m*mag, n.minor
			break
		}
	}
	minorStep := step / float64(minor)
	var ticks []plot.Tick
	for k := math.Ceil(lo/minorStep - 1e-9); k*minorStep <= hi+minorStep*1e-9; k++ {
		v := k * minorStep
		t := plot.Tick{Value: v}
		if int64(math.Round(k))%int64(minor) == 0 {
			t.Label = formatTick(v)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// percentTicks are linearTicks labelled with a "%" suffix.
type percentTicks struct{}

// Ticks implements plot.Ticker.
func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := linearTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label += "%"
		}
	}
	return ticks
}

// logTicks mark every m·10^e inside the axis range and label enough of them: the decades
// (every few decades on a wide axis), and, while that gives fewer than minLogLabels labels,
// also 2·10^e and 5·10^e, then every mantissa. An axis too narrow even for that falls back
// to linear ticks.
//
// zeroAt, when positive, is the value where Exactness draws exact zeros: its tick is
// labelled "0" and nothing below it is marked.
type logTicks struct {
	zeroAt float64
}

// labelSets are the mantissas labelled, tried in order until two labels fit in the range.
var labelSets = [][]int{{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}

// minLogLabels is the fewest labels a log axis should carry.
const minLogLabels = 3

// maxDecadeLabels bounds the labelled decades on a wide axis; an axis spanning more than
// denseDecades decades gets no minor ticks between decades.
const (
	maxDecadeLabels = 8
	denseDecades    = 6
)

// Ticks implements plot.Ticker.
func (t logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= 0 || hi < lo {
		panic("plotting: log ticks need 0 < lo <= hi")
	}
	// The nudges keep exact powers of ten, whose Log10 may be off by an ulp, on their decade.
	eLo, eHi := int(math.Floor(math.Log10(lo)+1e-9)), int(math.Ceil(math.Log10(hi)-1e-9))
	decadeStride := max(1, (eHi-eLo+maxDecadeLabels-1)/maxDecadeLabels)
	for _, labelled := range labelSets {
		ticks := t.mark(lo, hi, eLo, eHi, decadeStride, labelled)
		if countLabels(ticks) >= minLogLabels {
			return ticks
		}
	}
	return linearTicks{}.Ticks(lo, hi)
}

// mark lists m·10^e ticks within [lo, hi], labelling mantissas in labelled on decades that
// are multiples of decadeStride.
func (t logTicks) mark(lo, hi float64, eLo, eHi, decadeStride int, labelled []int) []plot.Tick {
	var ticks []plot.Tick
	if t.zeroAt > 0 {
		ticks = append(ticks, plot.Tick{Value: t.zeroAt, Label: "0"})
		lo = t.zeroAt * 1.5
	}
	mantissas := 9
	if eHi-eLo > denseDecades {
		mantissas = 1
	}
	for e := eLo; e <= eHi; e++ {
		for m := 1; m <= mantissas; m++ {
			v := pow10Times(m, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			tick := plot.Tick{Value: v}
			if floorMod(e, decadeStride) == 0 && slices.Contains(labelled, m) {
				tick.Label = formatTick(v)
			}
			ticks = append(ticks, tick)
		}
	}
	return ticks
}

// pow10Times returns m·10^e rounded once, so that 3·10⁻³ is exactly the float "0.003".
func pow10Times(m, e int) float64 {
	v, err := strconv.ParseFloat(strconv.Itoa(m)+"e"+strconv.Itoa(e), 64)
	if err != nil {
		panic("plotting: " + err.Error())
	}
	return v
}

func countLabels(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" && t.Label != "0" {
			n++
		}
	}
	return n
}

func floorMod(a, b int) int { return ((a % b) + b) % b }

// formatTick writes a tick value in the shortest form, with compact exponents: "0.5",
// "250000", "1e6", "3e-5".
func formatTick(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'g', 6, 64)
	mant, exp, hasExp := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	if !hasExp {
		return mant
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	return mant + "e" + sign + strings.TrimLeft(exp[1:], "0")
}
