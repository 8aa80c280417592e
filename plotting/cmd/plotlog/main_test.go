package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golemon/golemon/plotting"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "run.csv")
	text := plotting.LogHeader + "\n0,0,0,1e15,5,4.9,0.1,1e-4,0\n1,8,64,2e15,4,3.9,0.2,2e-4,1\n"
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fig")
	if err := run([]string{"-out", out, "-x", "flops", "-y", "val_loss", "-logx", "-logy", "lemon=" + log, log}); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".png", ".svg"} {
		if _, err := os.Stat(out + ext); err != nil {
			t.Error(err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{log}, "need -out"},
		{[]string{"-out", out, "-y", "loss", log}, `unknown log column "loss"`},
		{[]string{"-out", out, "-x", "step", "-logx", log}, "x = 0 is not positive"},
		{[]string{"-out", out, filepath.Join(dir, "missing.csv")}, "missing.csv"},
	} {
		if err := run(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q): error %v, want %q", tc.args, err, tc.want)
		}
	}
}
