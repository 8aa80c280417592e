package study

import (
	"strings"
	"testing"
)

// TestCommittedScales reads the committed results as notebook 03 does: one table row per
// scale, a chosen scale whose regime is known, the sweeps' notes; an empty results folder
// gives no report and no error.
func TestCommittedScales(t *testing.T) {
	const results = "../../results"
	scales := []Scale{CPU, CPULong, CPUPlateau}
	md, err := ScalesMarkdown(results, ViT, scales)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scales {
		if !strings.Contains(md, "| "+sc.String()+" |") {
			t.Errorf("no row for %s in\n%s", sc, md)
		}
	}
	sc, rep, ok, err := ChooseScale(results, ViT, scales)
	if err != nil || !ok || rep == nil {
		t.Fatalf("ChooseScale: %v %v %v", sc, ok, err)
	}
	if _, known := rep.Regime(0); !known {
		t.Errorf("chose %s, whose regime is not known", sc)
	}
	for _, name := range []string{"growth", "source-budget"} {
		md, err := SweepMarkdown(results, name)
		if err != nil || !strings.Contains(md, "|") {
			t.Errorf("sweep %s: %v\n%s", name, err, md)
		}
	}
	if _, err := SweepMarkdown(results, "no-such-sweep"); err == nil {
		t.Error("an unknown sweep was accepted")
	}
	rep, _, err = LoadScale(t.TempDir(), ViT, CPUPlateau)
	if rep != nil || err != nil {
		t.Errorf("an empty results folder: %v, %v", rep, err)
	}
}
