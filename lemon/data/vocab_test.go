package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestVocabSpecialsAndLookup(t *testing.T) {
	v := toyVocab(t)
	if got, want := v.Special(), (SpecialIDs{Pad: 0, Unk: 1, Cls: 2, Sep: 3, Mask: 4}); got != want {
		t.Errorf("Special() = %+v, want %+v", got, want)
	}
	if id, ok := v.ID("whale"); !ok || v.Token(id) != "whale" {
		t.Errorf("ID(whale) = %d, %v", id, ok)
	}
	if _, ok := v.ID("moby"); ok {
		t.Error("ID(moby) found a token that is not there")
	}
	for tok, want := range map[string]bool{"[UNK]": true, "[unused0]": true, "!": false, "the": false} {
		id, _ := v.ID(tok)
		if v.IsSpecial(id) != want {
			t.Errorf("IsSpecial(%s) = %v, want %v", tok, !want, want)
		}
	}
}

func TestRestrictKeepsSpecialsAndFrequentTokens(t *testing.T) {
	v := toyVocab(t)
	id := func(tok string) int32 { i, _ := v.ID(tok); return i }
	the, whale, run, ning, bang := id("the"), id("whale"), id("run"), id("##ning"), id("!")
	streams := [][]int32{{the, whale, the, run, ning}, {whale, the, bang}}

	compact, remap := v.Restrict(streams, 2)
	// Specials first, then tokens seen ≥ 2 times in v's id order: "the" (3) before "whale" (2).
	want := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "whale"}
	if got := compact.tokens; !slices.Equal(got, want) {
		t.Fatalf("compact tokens %v, want %v", got, want)
	}
	got := remap.Apply(streams)
	wantIDs := [][]int32{{5, 6, 5, 1, 1}, {6, 5, 1}} // run, ##ning and ! occur once: [UNK]
	if !slices.EqualFunc(got, wantIDs, slices.Equal) {
		t.Errorf("remapped %v, want %v", got, wantIDs)
	}
	if remap[v.special.Mask] != compact.special.Mask || remap[v.special.Cls] != 2 {
		t.Errorf("special tokens are not remapped onto themselves: %v", remap[:5])
	}

	all, _ := v.Restrict(streams, 1)
	if all.Size() != 5+5 {
		t.Errorf("minCount 1 keeps %d tokens (%v), want 10", all.Size(), all.tokens)
	}
	if zero, _ := v.Restrict(streams, 0); zero.Size() != all.Size() {
		t.Errorf("minCount 0 keeps %d tokens, want the %d seen ones", zero.Size(), all.Size())
	}
}

func TestVocabSaveLoadRoundTrip(t *testing.T) {
	v := toyVocab(t)
	path := filepath.Join(t.TempDir(), "vocab.txt")
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(content), "[PAD]\n[UNK]\n[CLS]\n") {
		t.Errorf("vocab.txt starts %q, want one token per line", content[:20])
	}
	loaded, err := LoadVocab(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loaded.tokens, v.tokens) || loaded.Special() != v.Special() {
		t.Errorf("round trip changed the vocabulary: %v", loaded.tokens)
	}
	// The compact vocabulary of a checkpoint tokenizes new text by itself.
	wp := NewWordPiece(loaded)
	if got := strings.Join(wp.Tokenize("Unaffable whales!"), " "); got != "un ##aff ##able whale ##s !" {
		t.Errorf("tokenizing with the loaded vocab.txt: %q", got)
	}
	matches, _ := filepath.Glob(path + ".tmp*")
	if len(matches) != 0 {
		t.Errorf("Save left temporary files: %v", matches)
	}
}

func TestLoadVocabRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ content, wantInMsg string }{
		"duplicate":   {"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nthe\n", `"the" has ids 5 and 6`},
		"empty line":  {"[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n[MASK]\n", "token 2 is empty"},
		"no specials": {"the\nwhale\n", "[PAD] missing"},
	}
	for name, c := range cases {
		path := writeFile(t, filepath.Join(dir, name+".txt"), []byte(c.content))
		_, err := LoadVocab(path)
		if err == nil || !strings.Contains(err.Error(), c.wantInMsg) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got error %v, want one naming %s and %q", name, err, path, c.wantInMsg)
		}
	}
	if err := toyVocab(t).Save(filepath.Join(dir, "no", "such", "dir", "vocab.txt")); err == nil {
		t.Error("Save into a missing folder succeeded")
	}
}
