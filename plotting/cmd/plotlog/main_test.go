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
	diverged := filepath.Join(dir, "diverged.csv")
	oneRow := filepath.Join(dir, "one.csv")
	_ = os.WriteFile(diverged, []byte(plotting.LogHeader+"\n0,0,0,1e15,5,4.9,0.1,1e-4,0\n1,8,64,2e15,4,+Inf,0.2,2e-4,1\n"), 0o644)
	_ = os.WriteFile(oneRow, []byte(plotting.LogHeader+"\n0,0,0,1e15,5,4.9,0.1,1e-4,0\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{log}, "need -out"},
		{[]string{"-out", out, "-y", "loss", log}, `unknown log column "loss"`},
		{[]string{"-out", out, "-x", "step", "-logx", log}, "x = 0 is not positive"},
		{[]string{"-out", out, filepath.Join(dir, "missing.csv")}, "missing.csv"},
		{[]string{"-out", out, diverged}, "val_loss is +Inf in row 2"},
		{[]string{"-out", out, oneRow}, "1 point(s)"},
		{[]string{"-out", out, "-width", "100000", log}, "-width 100000"},
		{[]string{"-out", out, "-height", "0", log}, "-height 0"},
	} {
		if err := run(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q): error %v, want %q", tc.args, err, tc.want)
		}
	}
}
