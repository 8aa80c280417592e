package arch

import "testing"

// TestWithVocab: BERT takes its data's vocabulary size (a copy; the original is unchanged),
// a ViT has no vocabulary to change.
func TestWithVocab(t *testing.T) {
	b, err := Preset("bert-cpu-2-32")
	if err != nil {
		t.Fatal(err)
	}
	before := b.BERT.VocabSize
	got, ok := b.WithVocab(1234)
	if !ok || got.BERT == nil || got.BERT.VocabSize != 1234 || got.Kind != KindBERT {
		t.Fatalf("BERT WithVocab(1234): ok %v, %+v", ok, got)
	}
	if b.BERT.VocabSize != before {
		t.Errorf("WithVocab changed the original: %d, want %d", b.BERT.VocabSize, before)
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
