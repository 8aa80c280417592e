package study

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
)

// TestFingerprintsOfCommittedRuns: the committed study runs keep their fingerprints (config
// JSON hashed as it was written when they ran), so that -report and resuming accept them:
// the scratch runs of the ViT, BERT and decoder studies, recomputed from the presets (the
// text tasks with the corpus's 7,140-token vocabulary, as their settings record).
func TestFingerprintsOfCommittedRuns(t *testing.T) {
	for _, c := range []struct {
		task  Task
		scale Scale
		run   string
	}{
		{ViT, CPULong, "results/cpu-long/vit/runs/scratch_b1.00_x1_s1"},
		{BERT, CPUPlateau, "results/cpu-plateau/bert/runs/scratch_b1.00_x1_s1"},
		{GPT2, CPU, "results/cpu/gpt2/runs/scratch_b1.00_x1_s1"},
		{GPT2, CPUPlateau, "results/cpu-plateau/gpt2/runs/scratch_b1.00_x1_s1"},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", c.run, "result.json"))
		if err != nil {
			t.Fatalf("%s: %v", c.run, err)
		}
		var rec struct {
			Settings string `json:"settings"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		s, err := Preset(c.task, c.scale)
		if err != nil {
			t.Fatal(err)
		}
		tgt := s.Target
		if c.task != ViT {
			var ok bool
			if tgt, ok = tgt.WithVocab(7140); !ok {
				t.Fatalf("%s: WithVocab refused", c.task)
			}
		}
		fp := func(tgt arch.Config) string { return scratchFingerprint(s, tgt) }
		if c.task == ViT { // recorded before scratch runs had their own fingerprint
			fp = func(tgt arch.Config) string { return fingerprint(s, s.Source, tgt) }
		}
		if got := fp(tgt); got != rec.Settings {
			t.Errorf("%s %s:\n got  %s\n want %s", c.task, c.scale, got, rec.Settings)
		}
		// The negative control: another config hashes differently.
		e := tgt.Enc()
		e.LayerNormEps *= 2
		if fp(tgt.WithEncoder(e)) == rec.Settings {
			t.Errorf("%s: a changed ε kept the fingerprint", c.task)
		}
	}
}
