package gonbplot

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/plotting"
	"github.com/janpfeifer/gonb/gonbui"
)

func TestShowOutsideNotebook(t *testing.T) {
	if gonbui.IsNotebook {
		t.Skip("running inside GoNB")
	}
	p, err := plotting.Curves("t", "x", "y", []plotting.Series{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 2}}}, plotting.CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Show(p); !errors.Is(err, ErrNotNotebook) {
		t.Errorf("Show outside GoNB: error %v, want ErrNotNotebook", err)
	}
	if err := ShowSVG([]byte("<svg></svg>")); !errors.Is(err, ErrNotNotebook) {
		t.Errorf("ShowSVG outside GoNB: error %v, want ErrNotNotebook", err)
	}
}

func TestStripXMLProlog(t *testing.T) {
	for in, want := range map[string]string{
		"<?xml version=\"1.0\"?>\n<!-- c -->\n<svg a=\"1\"></svg>": "<svg a=\"1\"></svg>",
		"<svg></svg>": "<svg></svg>",
		"not svg":     "not svg",
	} {
		if got := string(stripXMLProlog([]byte(in))); got != want {
			t.Errorf("stripXMLProlog(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLiveRecordsAndDraws: Live keeps every finite value of its column, skips NaN (the train
// loss of step 0), and its page holds the progress bar and, from two points, the curve.
func TestLiveRecordsAndDraws(t *testing.T) {
	l := NewLive("run <a>", plotting.TrainLoss, 20)
	for _, r := range []runner.Row{{Step: 0, TrainLoss: math.NaN()}, {Step: 10, TrainLoss: 2}, {Step: 20, TrainLoss: 1}} {
		l.Add(r)
	}
	x, y := l.Points()
	if !slices.Equal(x, []float64{10, 20}) || !slices.Equal(y, []float64{2, 1}) {
		t.Errorf("points %v %v", x, y)
	}
	page, err := l.html()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<progress value="20" max="20"`, "step 20 of 20", "run &lt;a&gt;", "<svg"} {
		if !contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if err := l.Done(); err != nil && !gonbui.IsNotebook {
		t.Errorf("Done outside GoNB: %v", err)
	}
	one := NewLive("one", plotting.ValLoss, 5)
	one.Add(runner.Row{Step: 0, ValLoss: 3})
	if page, _ := one.html(); contains(page, "<svg") {
		t.Error("a one-point curve was drawn")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestPlanHTML: the plan's header and a table row per shown variable, the rest counted, and
// variable names escaped.
func TestPlanHTML(t *testing.T) {
	v := vit.Config{Encoder: arch.Encoder{Layers: 1, Width: 4, Heads: 1, HeadDim: 4, MLPDim: 8, Norm: arch.PreLN,
		LayerNormEps: 1e-6, DType: "float64"}, ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3}
	plan, err := expand.NewPlan(vit.New(v), expand.Spec{Width: 6, Layers: 2}, expand.LEMON, expand.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	page := PlanHTML(plan, 3)
	if got := strings.Count(page, "<tr><td>"); got != 3 {
		t.Errorf("%d variable rows, want 3", got)
	}
	more := len(plan.Steps()) - 3
	for _, want := range []string{"expand vit L=1 D=4", "with lemon: exact", fmt.Sprintf("… and %d more variables", more)} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if all := PlanHTML(plan, 0); strings.Count(all, "<tr><td>") != len(plan.Steps()) || strings.Contains(all, "more variables") {
		t.Error("maxRows 0 should show every variable")
	}
}

// TestExplorationHTML: one explorer view of a real (tiny) model: LEMON exact and measured
// within tolerance, a lossy baseline measured beyond it, an impossible request refused with
// its reason; Explore outside GoNB shows nothing.
func TestExplorationHTML(t *testing.T) {
	v := vit.Config{Encoder: arch.Encoder{Layers: 1, Width: 8, Heads: 2, HeadDim: 4, MLPDim: 16, Norm: arch.PreLN,
		LayerNormEps: 1e-6, DType: "float64"}, ImageSize: 8, Channels: 1, PatchSize: 4, NumClasses: 3}
	src, err := arch.New(vit.New(v), 3)
	if err != nil {
		t.Fatal(err)
	}
	be := backend.MustNew()
	page := ExplorationHTML(be, src, expand.Spec{Width: 12, Layers: 2}, expand.LEMON, 2)
	for _, want := range []string{"plan: <b>exact</b>", "within the lossless tolerance", "(×", "<table"} {
		if !strings.Contains(page, want) {
			t.Errorf("LEMON view lacks %q:\n%s", want, page)
		}
	}
	if page := ExplorationHTML(be, src, expand.Spec{Width: 12}, expand.Zero, 2); !strings.Contains(page, "plan: <b>lossy</b>") || !strings.Contains(page, "beyond the lossless tolerance") {
		t.Errorf("Zero at a wider width should be lossy and measured so:\n%s", page)
	}
	if page := ExplorationHTML(be, src, expand.Spec{Width: 12}, expand.HyperClone, 2); !strings.Contains(page, "refused:") || !strings.Contains(page, "integer factor") {
		t.Errorf("HyperClone at ×1.5 should be refused with its reason:\n%s", page)
	}
	if !gonbui.IsNotebook {
		if err := Explore(be, src, ExploreOptions{}); !errors.Is(err, ErrNotNotebook) {
			t.Errorf("Explore outside GoNB: %v", err)
		}
	}
}
