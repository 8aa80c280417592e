package data

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWordPieceTokenizeToyVocab(t *testing.T) {
	wp, err := LoadWordPiece(writeToyTokenizerJSON(t, filepath.Join(t.TempDir(), "tokenizer.json")))
	if err != nil {
		t.Fatal(err)
	}
	// Each expectation follows by hand from toyTokens and BERT's rules.
	cases := []struct{ text, want string }{
		{"", ""},
		{" \t\n ", ""},
		{"unaffable", "un ##aff ##able"},         // longest first piece "un", then "##aff", "##able"
		{"affable", "aff ##able"},                // "##able" beats "##a" + "##ble"
		{"Hello, WORLD!", "hello , world !"},     // lowercase; punctuation split off
		{"Café", "cafe"},                         // accent stripped (NFD, drop Mn)
		{"CAFÉ!!", "cafe ! !"},                   // every punctuation character is its own word
		{"running runs", "run ##ning run ##s"},   // continuation pieces
		{"unx", "[UNK]"},                         // one uncovered piece makes the whole word [UNK]
		{"the whale's", "the whale ' [UNK]"},     // "s" alone is no word-initial token
		{"hel\u200blo\x00 world", "hello world"}, // format and NUL characters are dropped
		{"a\u00a0a", "a a"},                      // no-break space separates words
		{"中文", "[UNK] [UNK]"},                    // CJK ideographs are split one by one
		{"[MASK]", "[UNK] [UNK] [UNK]"},          // special tokens in text are not recognised
		{strings.Repeat("a", 100), "a" + strings.Repeat(" ##a", 99)},
		{strings.Repeat("a", 101) + " the", "[UNK] the"}, // over 100 characters per word
	}
	for _, c := range cases {
		if got := strings.Join(wp.Tokenize(c.text), " "); got != c.want {
			t.Errorf("Tokenize(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	if got, want := wp.Encode("un able"), []int32{6, 12}; !slices.Equal(got, want) {
		t.Errorf("Encode(\"un able\") = %v, want %v", got, want)
	}
}

func TestLoadWordPieceRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct{ content, wantInMsg string }{
		"not json":       {`{"model": `, "unexpected end"},
		"bpe model":      {`{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "BPE"}}`, "want WordPiece"},
		"no normalizer":  {`{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}}`, "BertNormalizer"},
		"sparse ids":     {`{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "WordPiece", "vocab": {"a": 0, "b": 5}}}`, "not 0..1"},
		"no [MASK]":      {`{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "WordPiece", "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}}}`, "[MASK] missing"},
		"other unk name": {`{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "WordPiece", "unk_token": "<unk>"}}`, "<unk>"},
	}
	for name, c := range cases {
		path := writeFile(t, filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json"), []byte(c.content))
		_, err := LoadWordPiece(path)
		if err == nil || !strings.Contains(err.Error(), c.wantInMsg) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got error %v, want one naming %s and %q", name, err, path, c.wantInMsg)
		}
	}
	if _, err := LoadWordPiece(filepath.Join(dir, "absent.json")); err == nil {
		t.Error("LoadWordPiece accepted a missing file")
	}
}

func TestEncodeDocumentsKeepsOrder(t *testing.T) {
	wp := NewWordPiece(toyVocab(t))
	var docs []Document
	for i := range 50 {
		docs = append(docs, Document{Text: strings.Repeat("the ", i)})
	}
	for i, ids := range wp.EncodeDocuments(docs) {
		if len(ids) != i {
			t.Fatalf("document %d has %d tokens, want %d", i, len(ids), i)
		}
	}
}

// TestWordPieceMatchesReferenceOnRealVocab compares with ids that the Hugging Face
// tokenizers.js implementation (npm @huggingface/tokenizers 0.2.0) produced from the same
// tokenizer.json, for sentences chosen to exercise accents, punctuation, control characters,
// CJK, long words and unknown characters. The one known difference, special tokens written in
// the text, is left out.
func TestWordPieceMatchesReferenceOnRealVocab(t *testing.T) {
	dir := realDataDir(t, TokenizerFile)
	wp, err := LoadWordPiece(filepath.Join(dir, TokenizerFile))
	if err != nil {
		t.Fatal(err)
	}
	if wp.Vocab().Size() != 30522 {
		t.Errorf("vocabulary size %d, want 30522", wp.Vocab().Size())
	}
	content, err := os.ReadFile(filepath.Join("testdata", "wordpiece_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden []struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	}
	if err := json.Unmarshal(content, &golden); err != nil {
		t.Fatal(err)
	}
	for _, g := range golden {
		if got := wp.Encode(g.Text); !slices.Equal(got, g.IDs) {
			t.Errorf("Encode(%q) = %v (%v), want %v", g.Text, got, wp.Tokenize(g.Text), g.IDs)
		}
	}
	if got := strings.Join(wp.Tokenize("unaffable"), " "); got != "una ##ffa ##ble" {
		t.Errorf("Tokenize(\"unaffable\") = %q, want \"una ##ffa ##ble\"", got)
	}
}
