package arch_test

import (
	"testing"

	. "github.com/golemon/golemon/lemon/arch" //nolint:revive
	"github.com/golemon/golemon/lemon/arch/bert"
)

// TestWithVocab: BERT takes its data's vocabulary size (a copy; the original is unchanged),
// a ViT has no vocabulary to change.
func TestWithVocab(t *testing.T) {
	b, err := Preset("bert-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	before := mustOf(t, bert.Of, b).VocabSize
	got, ok := b.WithVocab(1234)
	if g, isBERT := bert.Of(got); !ok || !isBERT || g.VocabSize != 1234 {
		t.Fatalf("BERT WithVocab(1234): ok %v, %+v", ok, got)
	}
	if after := mustOf(t, bert.Of, b).VocabSize; after != before {
		t.Errorf("WithVocab changed the original: %d, want %d", after, before)
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	v, err := Preset("vit-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	if same, ok := v.WithVocab(1234); ok || !SameConfig(same, v) {
		t.Errorf("ViT WithVocab: ok %v, config changed %v", ok, !SameConfig(same, v))
	}
}
