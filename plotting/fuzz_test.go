package plotting

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadLog: no CSV makes ReadLog panic, and a log it accepts has equal-length columns.
// Its seeds run with go test.
func FuzzReadLog(f *testing.F) {
	f.Add([]byte(LogHeader + "\n0,0,0,1e15,,4.9,0.1,1e-4,0\n1,8,64,2e15,4,3.9,0.2,2e-4,1\n"))
	f.Add([]byte(LogHeader + "\n0,0,0,1e15,NaN,+Inf,0.1,1e-4,0\n"))
	f.Add([]byte(LogHeader + "\n0,0\n"))
	f.Add([]byte("step\n1\n"))
	path := filepath.Join(f.TempDir(), "fuzz.csv")
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := ReadLog(path)
		if err != nil {
			return
		}
		for _, c := range []Column{Step, Examples, Tokens, FLOPs, TrainLoss, ValLoss, ValMetric, LR, WallSeconds} {
			if len(l.Column(c)) != l.Len() {
				t.Fatalf("column %s has %d values for %d rows", c, len(l.Column(c)), l.Len())
			}
		}
	})
}
