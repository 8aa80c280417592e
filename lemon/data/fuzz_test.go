package data

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadWordPiece: no tokenizer.json makes the loader panic, and a vocabulary it accepts
// tokenizes text without panicking. Its seeds run with go test.
func FuzzLoadWordPiece(f *testing.F) {
	good, err := os.ReadFile(writeToyTokenizerJSON(f, filepath.Join(f.TempDir(), "tokenizer.json")))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"normalizer": {"type": "BertNormalizer"}, "model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}}`))
	f.Add([]byte(`{"model": null}`))
	path := filepath.Join(f.TempDir(), "fuzz.json")
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		wp, err := LoadWordPiece(path)
		if err != nil {
			return
		}
		for _, id := range wp.Encode("Call me Ishmael. Some years ago — never mind how long précisément!") {
			if id < 0 || int(id) >= wp.Vocab().Size() {
				t.Fatalf("token id %d outside the vocabulary of %d", id, wp.Vocab().Size())
			}
		}
	})
}
