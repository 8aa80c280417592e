package plotting_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/golemon/golemon/plotting"
)

// writeExampleLog writes a three-row log with validation on steps 0 and 2 only.
func writeExampleLog(dir string) string {
	path := filepath.Join(dir, "vit_lemon.csv")
	text := plotting.LogHeader + "\n" +
		"0,0,0,0,3.10,3.05,0.41,1e-4,0\n" +
		"1,1024,0,2.5e15,2.90,,,2e-4,1.5\n" +
		"2,2048,0,5e15,2.70,2.65,0.48,3e-4,3.0\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
	return path
}

func ExampleReadLog() {
	dir, _ := os.MkdirTemp("", "plotting")
	defer os.RemoveAll(dir)
	run, err := plotting.ReadLog(writeExampleLog(dir))
	if err != nil {
		log.Fatal(err)
	}
	s := run.Series(plotting.FLOPs, plotting.ValLoss) // Step 1 has no val_loss.
	final, _ := run.Final(plotting.ValMetric)
	fmt.Println(run.Name, run.Len(), s.X, s.Y, final)
	// Output: vit_lemon 3 [0 5e+15] [3.05 2.65] 0.48
}

func ExampleParseColumn() {
	c, err := plotting.ParseColumn("val_metric")
	fmt.Println(c, c.Label(), err)
	// Output: val_metric val metric <nil>
}

func ExampleCurves() {
	runs := []plotting.Series{
		{Name: "scratch", X: []float64{0, 1e17, 2e17}, Y: []float64{7, 3.2, 2.4}},
		{Name: "LEMON", X: []float64{1e16, 1e17}, Y: []float64{3.1, 2.35}},
	}
	opts := plotting.CurveOptions{LogY: true, Ref: &plotting.RefLine{Y: 2.4, Label: "scratch final"}}
	p, err := plotting.Curves("ViT", "FLOPs", "val loss", runs, opts)
	fmt.Println(p.Y.Min, p.Y.Max, err)

	opts.LogX = true // Step 0 of scratch sits at 0 FLOPs.
	_, err = plotting.Curves("ViT", "FLOPs", "val loss", runs, opts)
	fmt.Println(err)
	// Output:
	// 2.35 7 <nil>
	// plotting: Curves("ViT"): series "scratch" point 0: x = 0 is not positive, which a log axis cannot show
}

func ExampleSchedule() {
	cosine := func(step int) float64 { return 1e-3 * float64(100-step) / 100 }
	s := plotting.SampleSchedule("linear decay", cosine, 5000)
	_, err := plotting.Schedule("LR", []plotting.Series{s})
	fmt.Println(s.Len(), s.X[1], s.X[s.Len()-1], err)
	// Output: 1001 5 4999 <nil>
}

func ExampleSavingsBars() {
	p, err := plotting.SavingsBars("Compute saved",
		[]string{"ViT excl. source", "ViT incl. source", "BERT"},
		[]float64{56.7, 48.2, 33.2}, []float64{2.1, 2.4, 1.5})
	fmt.Printf("%.2f %.2f %v\n", p.Y.Min, p.Y.Max, err)
	// Output: 0.00 67.62 <nil>
}

func ExampleExactness() {
	p, err := plotting.Exactness("Exactness", []plotting.ExactnessResult{
		{Config: "ViT(6,384)→ViT(12,768)", Method: "float64", MaxAbsDiff: 0},
		{Config: "ViT(6,384)→ViT(12,768)", Method: "float32", MaxAbsDiff: 2.4e-6},
	}, 1e-5)
	fmt.Println(p.Y.Min, p.Y.Max, err) // The exact zero is drawn at 1e-7, labelled "0".
	// Output: 1e-07 0.0001 <nil>
}

func ExampleSave() {
	dir, _ := os.MkdirTemp("", "plotting")
	defer os.RemoveAll(dir)
	p, _ := plotting.Curves("t", "x", "y", []plotting.Series{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 0}}},
		plotting.CurveOptions{})
	err := plotting.Save(p, filepath.Join(dir, "fig"), 4, 3)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	fmt.Println(err)
	// Output:
	// fig.png
	// fig.svg
	// <nil>
}
