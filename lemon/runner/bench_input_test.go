package runner

import (
	"strings"
	"testing"
)

// TestSyntheticTaskBadInput: impossible benchmark requests are one clear error each.
func TestSyntheticTaskBadInput(t *testing.T) {
	for _, c := range []struct {
		preset       string
		batch, vocab int
		want         string
	}{
		{"vit-cpu-9-999", 64, 2000, "unknown"},
		{"vit-cpu-4-128", 0, 2000, "batch must be > 0"},
		{"bert-cpu-4-128", 64, 3, "special tokens"},
	} {
		if _, err := SyntheticTask(c.preset, c.batch, c.vocab); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SyntheticTask(%q, %d, %d): error %v, want one containing %q", c.preset, c.batch, c.vocab, err, c.want)
		}
	}
	task, err := SyntheticTask("bert-cpu-2-32", 4, 50)
	if err != nil {
		t.Fatal(err)
	}
	if got := task.Config().BERT.VocabSize; got != 50 {
		t.Errorf("synthetic BERT vocabulary %d, want 50", got)
	}
}
