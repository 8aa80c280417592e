package gonbplot

import (
	"fmt"
	"html"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/plotting"
	"github.com/janpfeifer/gonb/gonbui"
)

// Live is a training curve with a progress bar, redrawn in place in the current GoNB cell as
// a run evaluates: hand Add to runner.Options.OnEval (and io.Discard to Options.Out, so the
// cell shows the figure instead of a page of log lines). Done replaces the transient figure
// by a permanent one in the cell's output. Outside GoNB, Add only records and Done shows
// nothing. A Live is safe for use by one run at a time from several goroutines.
type Live struct {
	title string
	col   plotting.Column
	total int

	mu       sync.Mutex
	id       string
	x, y     []float64
	step     int
	start    time.Time
	lastDraw time.Time
	err      error
}

// MinRedraw is the least time between two redraws of a Live figure (the final one excepted).
const MinRedraw = 500 * time.Millisecond

// NewLive is a live curve of column col (ValLoss, ValMetric or TrainLoss) against steps, for
// a run of totalSteps steps.
func NewLive(title string, col plotting.Column, totalSteps int) *Live {
	return &Live{title: title, col: col, total: totalSteps, id: "golemon_live_" + gonbui.UniqueId(), start: time.Now()}
}

// Add records an evaluation and redraws the cell at most every MinRedraw (always at the last
// step). It has runner.Options.OnEval's signature.
func (l *Live) Add(r runner.Row) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v := value(r, l.col); !math.IsNaN(v) && !math.IsInf(v, 0) {
		l.x, l.y = append(l.x, float64(r.Step)), append(l.y, v)
	}
	l.step = r.Step
	if !gonbui.IsNotebook || (time.Since(l.lastDraw) < MinRedraw && r.Step < l.total) {
		return
	}
	l.lastDraw = time.Now()
	page, err := l.html()
	if err != nil {
		l.err = err
		return
	}
	gonbui.UpdateHTML(l.id, page)
}

// Points is what Live has recorded: steps and values of the column.
func (l *Live) Points() (steps, values []float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]float64(nil), l.x...), append([]float64(nil), l.y...)
}

// Done erases the transient figure and shows the final one permanently; it returns the first
// error met while drawing (nil outside GoNB).
func (l *Live) Done() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !gonbui.IsNotebook {
		return nil
	}
	gonbui.UpdateHTML(l.id, "")
	page, err := l.html()
	if err != nil {
		return err
	}
	gonbui.DisplayHTML(page)
	if err := waitDisplayed(); err != nil {
		return err
	}
	return l.err
}

// html is the progress line and, from two points on, the curve as inline SVG.
func (l *Live) html() (string, error) {
	var sb strings.Builder
	elapsed := time.Since(l.start)
	frac := 0.0
	if l.total > 0 {
		frac = min(1, float64(l.step)/float64(l.total))
	}
	eta := ""
	if frac > 0 && frac < 1 {
		eta = fmt.Sprintf(", about %s left", (time.Duration(float64(elapsed) * (1 - frac) / frac)).Round(time.Second))
	}
	last := ""
	if n := len(l.y); n > 0 {
		last = fmt.Sprintf(" · %s %.4g", l.col.Label(), l.y[n-1])
	}
	fmt.Fprintf(&sb, `<div style="font-family:sans-serif"><b>%s</b> <progress value="%d" max="%d" style="width:12em"></progress> step %d of %d%s · %s%s</div>`,
		html.EscapeString(l.title), l.step, max(l.total, 1), l.step, l.total, html.EscapeString(last), elapsed.Round(time.Second), eta)
	if len(l.x) >= 2 {
		p, err := plotting.Curves(l.title, plotting.Step.Label(), l.col.Label(),
			[]plotting.Series{{Name: l.col.Label(), X: l.x, Y: l.y}}, plotting.CurveOptions{})
		if err != nil {
			return "", err
		}
		svg, err := plotting.SVG(p, plotting.DefaultWidth, plotting.DefaultHeight)
		if err != nil {
			return "", err
		}
		sb.Write(stripXMLProlog(svg))
	}
	return sb.String(), nil
}

// value is the row's value in column col (NaN for a column a row does not carry per step).
func value(r runner.Row, col plotting.Column) float64 {
	switch col {
	case plotting.ValLoss:
		return r.ValLoss
	case plotting.ValMetric:
		return r.ValMetric
	case plotting.TrainLoss:
		return r.TrainLoss
	case plotting.LR:
		return r.LR
	case plotting.FLOPs:
		return r.FLOPs
	}
	return math.NaN()
}
