package plotting

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// sampleFigures builds one figure of every kind from the fake logs.
func sampleFigures(t *testing.T) map[string]*plot.Plot {
	t.Helper()
	logs := fakeLogs(t)
	var val, train, lrs []Series
	for _, l := range logs {
		val = append(val, l.Series(FLOPs, ValLoss))
		train = append(train, l.Series(Step, TrainLoss))
		lrs = append(lrs, l.Series(Step, LR))
	}
	scratchFinal, _ := logs[0].Final(ValLoss)
	ref := &RefLine{Y: scratchFinal, Label: "scratch final val loss"}
	cosine := func(step int) float64 { return 1e-5 + (1e-3-1e-5)*0.5*(1+math.Cos(math.Pi*float64(step)/300)) }
	figs := map[string]func() (*plot.Plot, error){
		"curves": func() (*plot.Plot, error) {
			return Curves("Validation loss vs compute", FLOPs.Label(), ValLoss.Label(), val, CurveOptions{Ref: ref})
		},
		"curves_loglog": func() (*plot.Plot, error) {
			return Curves("Training loss (log-log)", Step.Label()+" + 1", TrainLoss.Label(), shiftX(train, 1),
				CurveOptions{LogX: true, LogY: true})
		},
		"curves_band": func() (*plot.Plot, error) {
			banded := make([]Series, len(val))
			for i, v := range val {
				banded[i] = v
				for _, y := range v.Y {
					banded[i].Lo, banded[i].Hi = append(banded[i].Lo, 0.97*y), append(banded[i].Hi, 1.03*y)
				}
			}
			return Curves("Validation loss with seed bands", FLOPs.Label(), ValLoss.Label(), banded, CurveOptions{Ref: ref})
		},
		"schedule": func() (*plot.Plot, error) {
			return Schedule("Learning-rate schedules", append(lrs, SampleSchedule("cosine", cosine, 300)))
		},
		"savings": func() (*plot.Plot, error) {
			return SavingsBars("Compute saved by LEMON",
				[]string{"ViT 6→12 excl. source", "ViT 6→12 incl. source", "BERT 6→12", "tiny (worse)"},
				[]float64{56.7, 48.2, 33.2, -8.5}, []float64{2.1, 2.4, 1.5, 3})
		},
		"exactness": func() (*plot.Plot, error) { return Exactness("Expansion exactness", exactnessResults, 1e-5) },
	}
	out := map[string]*plot.Plot{}
	for name, build := range figs {
		p, err := build()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = p
	}
	return out
}

// shiftX adds dx to every x, e.g. to put step 0 on a log axis.
func shiftX(series []Series, dx float64) []Series {
	out := make([]Series, len(series))
	for i, s := range series {
		out[i] = Series{Name: s.Name, X: make([]float64, s.Len()), Y: s.Y}
		for j, x := range s.X {
			out[i].X[j] = x + dx
		}
	}
	return out
}

var exactnessResults = []ExactnessResult{
	{"ViT(6,384)→ViT(12,768)", "LEMON f64", 3.1e-15},
	{"ViT(6,384)→ViT(12,768)", "LEMON f32", 2.4e-6},
	{"ViT(6,384)→ViT(12,768)", "no ε scaling", 4e-3},
	{"ViT(6,512)→ViT(12,768)", "LEMON f64", 0},
	{"ViT(6,512)→ViT(12,768)", "LEMON f32", 1.9e-6},
	{"ViT(6,512)→ViT(12,768)", "no ε scaling", 7e-3},
	{"BERT(6,384)→BERT(12,768)", "LEMON f64", 8.8e-16},
	{"BERT(6,384)→BERT(12,768)", "LEMON f32", 3.3e-6},
	{"BERT(6,384)→BERT(12,768)", "no ε scaling", 2e-3},
}

// TestRenderFigures saves every figure kind and checks both files: the PNG decodes to the
// expected pixel size, the SVG is an SVG document, and no temporary file is left behind.
func TestRenderFigures(t *testing.T) {
	const w, h = 6.0, 4.0
	dir := figureDir(t)
	for name, p := range sampleFigures(t) {
		base := filepath.Join(dir, name)
		if err := Save(p, base, w, h); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := os.ReadFile(base + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s.png: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != w*PNGDPI || b.Dy() != h*PNGDPI {
			t.Errorf("%s.png is %v, want %gx%g", name, b.Size(), w*PNGDPI, h*PNGDPI)
		}
		svg, err := os.ReadFile(base + ".svg")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(svg, []byte("<?xml")) && !bytes.HasPrefix(svg, []byte("<svg")) ||
			!bytes.Contains(svg, []byte("</svg>")) {
			t.Errorf("%s.svg does not look like SVG: %.80q", name, svg)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

func TestBandErrors(t *testing.T) {
	x, y := []float64{1, 2, 3}, []float64{1, 2, 3}
	for _, c := range []struct {
		name   string
		lo, hi []float64
		want   string
	}{
		{"short", []float64{0, 1}, []float64{2, 3}, "band has 2 low and 2 high values for 3 points"},
		{"one side", []float64{0, 1, 2}, nil, "band has 3 low and 0 high values"},
		{"inverted", []float64{0, 3, 2}, []float64{2, 2.5, 4}, "point 1: band low 3 above high 2.5"},
		{"NaN", []float64{0, math.NaN(), 2}, []float64{2, 3, 4}, "point 1: band = NaN is not finite"},
	} {
		_, err := Curves("t", "x", "y", []Series{{Name: "a", X: x, Y: y, Lo: c.lo, Hi: c.hi}}, CurveOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Curves("t", "x", "y", []Series{{Name: "a", X: x, Y: y, Lo: []float64{0, 1, 2}, Hi: []float64{2, 3, 4}}}, CurveOptions{}); err != nil {
		t.Errorf("a valid band: %v", err)
	}
}

func TestSaveErrors(t *testing.T) {
	p, err := Curves("t", "x", "y", []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}}}, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Save(p, filepath.Join(dir, "small"), 0, 3); err == nil {
		t.Error("Save with zero width succeeded")
	}
	if err := Save(p, filepath.Join(dir, "no-such-dir", "fig"), 3, 2); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	p.Y.Scale = plot.LogScale{} // Set by hand over a range holding no positive values
	p.Y.Min = -1
	if err := Save(p, filepath.Join(dir, "bad"), 3, 2); err == nil || !strings.Contains(err.Error(), "drawing failed") {
		t.Errorf("Save of an undrawable plot: error %v, want a drawing failure", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("failed saves left files: %v", left)
	}
}
