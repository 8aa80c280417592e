package plotting

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	update  = flag.Bool("update", false, "rewrite golden files in testdata/")
	samples = flag.String("samples", "", "also write every sample figure as PNG+SVG into this directory")
)

// fakeRun describes a synthetic training run: the loss decays from start towards floor.
type fakeRun struct {
	name        string
	steps       int
	start, rate float64 // val loss at step 0, decay per step
	floor       float64
	flopsOffset float64 // FLOPs already spent before step 0 (e.g. on the source model)
}

// fakeRuns are a scratch run, a LEMON run that starts lower, and a worse baseline.
var fakeRuns = []fakeRun{
	{name: "scratch", steps: 400, start: 7, rate: 0.012, floor: 2.2},
	{name: "lemon", steps: 200, start: 3.1, rate: 0.02, floor: 2.15, flopsOffset: 2e16},
	{name: "bert2BERT", steps: 300, start: 4.5, rate: 0.012, floor: 2.2},
}

// flopsPerStep is the synthetic cost of one step.
const flopsPerStep = 1e15

// csv returns the run's log: a row every 4 steps, val columns every 20 steps and empty
// otherwise.
func (r fakeRun) csv() string {
	var b strings.Builder
	b.WriteString(LogHeader + "\n")
	for step := 0; step < r.steps; step += 4 {
		loss := r.floor + (r.start-r.floor)*math.Exp(-r.rate*float64(step))
		val, metric := "", ""
		if step%20 == 0 {
			val = fmt.Sprintf("%.4f", loss+0.05)
			metric = fmt.Sprintf("%.4f", 1-loss/8)
		}
		lr := 1e-3 * math.Min(1, float64(step+1)/40)
		fmt.Fprintf(&b, "%d,%d,%d,%g,%.4f,%s,%s,%g,%.2f\n", step, 256*step, 256*128*step,
			r.flopsOffset+flopsPerStep*float64(step), loss, val, metric, lr, 0.05*float64(step))
	}
	return b.String()
}

// writeFile writes text to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeLogs writes every fake run as a CSV and reads it back.
func fakeLogs(t *testing.T) []Log {
	t.Helper()
	dir := t.TempDir()
	logs := make([]Log, len(fakeRuns))
	for i, r := range fakeRuns {
		l, err := ReadLog(writeFile(t, dir, r.name+".csv", r.csv()))
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = l
	}
	return logs
}

// figureDir is where render tests write figures: -samples if given, else a temp dir.
func figureDir(t *testing.T) string {
	t.Helper()
	if *samples == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(*samples, 0o755); err != nil {
		t.Fatal(err)
	}
	return *samples
}
