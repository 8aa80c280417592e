package gonbplot

import (
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/gomlx/compute"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// EnvHeadless, when set, makes Explore draw its first view and return without widgets: a
// headless notebook run (scripts/check_notebooks.sh sets it) has no front-end to answer them.
const EnvHeadless = "GOLEMON_HEADLESS"

// ExploreOptions tune Explore; the zero value is the default.
type ExploreOptions struct {
	MaxFactor int           // controls range from the source's size to MaxFactor times it (default 4)
	Idle      time.Duration // the explorer stops after this long without a change (default 10 min)
	Batch     int           // random verification inputs per redraw (default 4)
}

// ExplorationHTML is one view of the expansion explorer for src grown to spec with method m:
// the plan's summary, parameters and training FLOPs per example of source and target, what
// the plan promises, and max |Δ logits| measured on seeded random inputs on backend be.
func ExplorationHTML(be compute.Backend, src arch.Model, spec expand.Spec, m expand.Method, batch int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "<div style=\"font-family:sans-serif\"><b>%s</b> → %s with <b>%s</b><br>\n", html.EscapeString(src.Config.Describe()),
		html.EscapeString(spec.String()), m)
	plan, err := expand.NewPlan(src.Config, spec, m, expand.Options{Seed: 1})
	if err != nil {
		fmt.Fprintf(&sb, "<p style=\"color:#b00\">refused: %s</p></div>", html.EscapeString(err.Error()))
		return sb.String()
	}
	tgt, err := plan.Apply(src)
	if err != nil {
		fmt.Fprintf(&sb, "<p style=\"color:#b00\">%s</p></div>", html.EscapeString(err.Error()))
		return sb.String()
	}
	exact, _ := plan.Exactness()
	measured := "not measured"
	if d, err := expand.Compare(be, src, tgt, expand.RandomInputs(src.Config, batch, 1)); err != nil {
		measured = "error: " + err.Error()
	} else {
		tol := expand.Tolerance(tgt.Config)
		verdict := "within"
		if !d.Within(tol) {
			verdict = "beyond"
		}
		measured = fmt.Sprintf("max |Δ logits| %.3g (relative %.3g, %s the lossless tolerance %.0e)", d.MaxAbs, d.Rel(), verdict, tol)
	}
	fs, per := src.Config.ExampleTrainFLOPs()
	ft, _ := tgt.Config.ExampleTrainFLOPs()
	fmt.Fprintf(&sb, `<table><tr><th></th><th>parameters</th><th>training FLOPs per %s</th></tr>
<tr><td>source</td><td>%d</td><td>%.3g</td></tr><tr><td>target</td><td>%d (×%.2f)</td><td>%.3g (×%.2f)</td></tr></table>
<p>plan: <b>%s</b>; on %d random inputs: %s</p>`,
		per, src.Config.NumParams(), fs, tgt.Config.NumParams(), float64(tgt.Config.NumParams())/float64(src.Config.NumParams()), ft, ft/fs,
		exact, batch, html.EscapeString(measured))
	sb.WriteString(PlanHTML(plan, 8))
	sb.WriteString("</div>")
	return sb.String()
}

// Explore shows an interactive expansion explorer in the current GoNB cell, for teaching:
// sliders for the target's width, MLP width, depth and heads and a choice of method; every change redraws
// ExplorationHTML. It returns after opts.Idle without a change. With EnvHeadless set (or
// outside GoNB) it shows the first view only (width, MLP width and depth doubled, LEMON) and
// returns.
func Explore(be compute.Backend, src arch.Model, opts ExploreOptions) error {
	if err := src.Check(); err != nil {
		return err
	}
	if opts.MaxFactor <= 1 {
		opts.MaxFactor = 4
	}
	if opts.Idle <= 0 {
		opts.Idle = 10 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 4
	}
	e := src.Config.Enc()
	spec := expand.Spec{Width: 2 * e.Width, MLPDim: 2 * e.MLPDim, Layers: 2 * e.Layers, Heads: e.Heads}
	method := expand.LEMON
	first := ExplorationHTML(be, src, spec, method, opts.Batch)
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	if os.Getenv(EnvHeadless) != "" {
		gonbui.DisplayHTML(first + "<p><i>(headless run: the controls appear in an interactive notebook)</i></p>")
		return waitDisplayed()
	}
	methods := expand.Methods()
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.String()
	}
	label := func(s string) { gonbui.DisplayHTML("<span style=\"font-family:sans-serif\">" + s + "</span>") }
	label("width D")
	width := widgets.Slider(e.Width, opts.MaxFactor*e.Width, spec.Width).Done()
	label("MLP width F")
	mlp := widgets.Slider(e.MLPDim, opts.MaxFactor*e.MLPDim, spec.MLPDim).Done()
	label("blocks L")
	depth := widgets.Slider(e.Layers, opts.MaxFactor*e.Layers, spec.Layers).Done()
	label("heads H")
	heads := widgets.Slider(e.Heads, opts.MaxFactor*e.Heads, spec.Heads).Done()
	label("method")
	sel := widgets.Select(names).Done()
	id := "golemon_explore_" + gonbui.UniqueId()
	gonbui.UpdateHTML(id, first)
	type change struct{ control, value int }
	changes := make(chan change, 16)
	for k, ch := range []<-chan int{width.Listen().C, mlp.Listen().C, depth.Listen().C, heads.Listen().C, sel.Listen().C} {
		go func() {
			for v := range ch {
				changes <- change{k, v}
			}
		}()
	}
	values := []int{spec.Width, spec.MLPDim, spec.Layers, spec.Heads, 0}
	last := first
	for {
		select {
		case c := <-changes:
			values[c.control] = c.value
			spec = expand.Spec{Width: values[0], MLPDim: values[1], Layers: values[2], Heads: values[3]}
			method = methods[max(0, min(values[4], len(methods)-1))]
			last = ExplorationHTML(be, src, spec, method, opts.Batch)
			gonbui.UpdateHTML(id, last)
		case <-time.After(opts.Idle):
			gonbui.UpdateHTML(id, "")
			gonbui.DisplayHTML(last + fmt.Sprintf("<p><i>explorer stopped after %s without a change: run the cell again to continue</i></p>", opts.Idle))
			return waitDisplayed()
		}
	}
}
