package plotting

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogSeriesGolden checks the series that figures are built from, extracted from
// generated logs, against testdata/series.golden.jsonl (rewrite with -update).
func TestLogSeriesGolden(t *testing.T) {
	var got []Series
	for _, l := range fakeLogs(t) {
		got = append(got, l.Series(FLOPs, ValLoss), l.Series(Step, LR))
	}
	var gotJSON []byte // One series per line, for readable diffs.
	for _, s := range got {
		line, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		gotJSON = append(append(gotJSON, line...), '\n')
	}
	golden := filepath.Join("testdata", "series.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, gotJSON, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(gotJSON), bytes.TrimSpace(want)) {
		t.Errorf("series differ from %s; rerun with -update if intended.\ngot:\n%.600s", golden, gotJSON)
	}
}

func TestLogSeriesSkipsMissing(t *testing.T) {
	text := LogHeader + "\n" +
		"0,0,0,0,5.0,4.9,0.1,1e-4,0\n" +
		"1,8,64,10,4.0,,,2e-4,0.5\n" +
		"2,16,128,20,NaN,3.9,0.2,3e-4,1\n" +
		"3,24,192,30,3.0,,,4e-4,1.5\n"
	l, err := ReadLog(writeFile(t, t.TempDir(), "run.csv", text))
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "run" || l.Len() != 4 {
		t.Fatalf("Name, Len = %q, %d; want \"run\", 4", l.Name, l.Len())
	}
	checkSeries(t, l.Series(FLOPs, ValLoss), []float64{0, 20}, []float64{4.9, 3.9})
	checkSeries(t, l.Series(Step, TrainLoss), []float64{0, 1, 3}, []float64{5, 4, 3})
	if v, ok := l.Final(ValLoss); !ok || v != 3.9 {
		t.Errorf("Final(ValLoss) = %g, %v; want 3.9, true", v, ok)
	}
	if v := l.Column(ValMetric); len(v) != 4 || !math.IsNaN(v[1]) || v[2] != 0.2 {
		t.Errorf("Column(ValMetric) = %v; want [0.1 NaN 0.2 NaN]", v)
	}
}

func checkSeries(t *testing.T, s Series, x, y []float64) {
	t.Helper()
	if !equalFloats(s.X, x) || !equalFloats(s.Y, y) {
		t.Errorf("series %q = X %v Y %v; want X %v Y %v", s.Name, s.X, s.Y, x, y)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadLogErrors(t *testing.T) {
	row := "0,0,0,0,5,4.9,0.1,1e-4,0\n"
	for _, tc := range []struct {
		name, text string
		want       []string // substrings of the error
	}{
		{"empty", "", []string{"file is empty"}},
		{"header", "step,examples,tokens,flops,loss,val_loss,val_metric,lr,wall_s\n" + row,
			[]string{"line 1", `"step,examples,tokens,flops,loss,`, "want"}},
		{"short header", "step,examples\n", []string{"line 1", "wrong number of fields"}},
		{"field count", LogHeader + "\n" + row + "1,8,64,10,4.0,3.9,0.2,2e-4\n",
			[]string{"line 3", "wrong number of fields"}},
		{"not a number", LogHeader + "\n" + row + row + "2,16,128,20,3.5,abc,0.3,3e-4,1\n",
			[]string{"line 4, column 6 (val_loss", `"abc" is not a number`}},
		{"bare quote", LogHeader + "\n" + `0,0,0,0,5,4"9,0.1,1e-4,0` + "\n",
			[]string{"line 2", `bare "`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "bad.csv", tc.text)
			_, err := ReadLog(path)
			if err == nil {
				t.Fatal("ReadLog succeeded; want an error")
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := ReadLog(filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("ReadLog of a missing file succeeded")
	}
}

func TestParseColumn(t *testing.T) {
	for c := range Column(numColumns) {
		got, err := ParseColumn(c.String())
		if err != nil || got != c {
			t.Errorf("ParseColumn(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
		if c.Label() == "" {
			t.Errorf("%v has no label", c)
		}
	}
	if _, err := ParseColumn("loss"); err == nil || !strings.Contains(err.Error(), LogHeader) {
		t.Errorf("ParseColumn(\"loss\") error = %v; want one listing the columns", err)
	}
}

func TestSampleSchedule(t *testing.T) {
	lr := func(step int) float64 { return float64(step) }
	s := SampleSchedule("linear", lr, 10)
	if s.Len() != 10 || s.X[9] != 9 || s.Y[9] != 9 {
		t.Errorf("10 steps: got X %v", s.X)
	}
	s = SampleSchedule("linear", lr, 2500) // stride 3: 0, 3, …, 2499.
	if s.Len() != 834 || s.X[1] != 3 || s.X[s.Len()-1] != 2499 {
		t.Errorf("2500 steps: %d points, X[1] = %g, last %g; want 834, 3, 2499",
			s.Len(), s.X[1], s.X[s.Len()-1])
	}
	s = SampleSchedule("linear", lr, 2002) // stride 3, last sampled step 2001 = 3·667.
	if s.X[s.Len()-1] != 2001 || s.X[s.Len()-2] != 1998 {
		t.Errorf("2002 steps: ends with %v", s.X[s.Len()-2:])
	}
}
