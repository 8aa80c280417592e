package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// idxBytes encodes an unsigned-byte IDX file with the given magic and dimensions.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, content []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// toyImages returns n images of h×w pixels where pixel j of image i is (i*7 + j) mod 256,
// and labels i mod classes.
func toyImages(n, h, w, classes int) (images, labels []byte) {
	images = make([]byte, n*h*w)
	for i := range n {
		for j := range h * w {
			images[i*h*w+j] = byte((i*7 + j) % 256)
		}
		labels = append(labels, byte(i%classes))
	}
	return images, labels
}

// writeToyIDXDir writes the four standard MNIST files (gzipped) into dir: n training and n/2
// test images of 4×3 pixels.
func writeToyIDXDir(t testing.TB, dir string, n int) {
	t.Helper()
	for _, split := range []struct {
		images, labels string
		n              int
	}{{trainImagesFile, trainLabelsFile, n}, {testImagesFile, testLabelsFile, n / 2}} {
		img, lab := toyImages(split.n, 4, 3, 10)
		writeFile(t, filepath.Join(dir, split.images+".gz"),
			gzipBytes(t, idxBytes(idxMagicImages, []uint32{uint32(split.n), 4, 3}, img)))
		writeFile(t, filepath.Join(dir, split.labels+".gz"),
			gzipBytes(t, idxBytes(idxMagicLabels, []uint32{uint32(split.n)}, lab)))
	}
}

// toyTokens is a small WordPiece vocabulary whose tokenizations can be checked by hand.
var toyTokens = []string{
	"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]",
	"un", "##aff", "##able", "aff", "##a", "##ble", "able", "a", "##s",
	",", ".", "!", "'", "hello", "world", "cafe", "the", "run", "##ning", "whale", "i", "t",
}

func toyVocab(t testing.TB) *Vocab {
	t.Helper()
	v, err := newVocab("toy", toyTokens)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writeToyTokenizerJSON writes toyTokens as a Hugging Face tokenizer.json.
func writeToyTokenizerJSON(t testing.TB, path string) string {
	t.Helper()
	var entries []string
	for i, tok := range toyTokens {
		entries = append(entries, `"`+strings.ReplaceAll(tok, `"`, `\"`)+`": `+strconv.Itoa(i))
	}
	return writeFile(t, path, []byte(`{"normalizer": {"type": "BertNormalizer", "lowercase": true,
		"strip_accents": null}, "pre_tokenizer": {"type": "BertPreTokenizer"},
		"model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
		"max_input_chars_per_word": 100, "vocab": {`+strings.Join(entries, ", ")+`}}}`))
}

func countTokens(streams [][]int32) int {
	n := 0
	for _, s := range streams {
		n += len(s)
	}
	return n
}

// realDataDir returns DefaultDir() if sub exists below it, else skips the test loudly.
func realDataDir(t *testing.T, sub string) string {
	t.Helper()
	dir, err := DefaultDir()
	if err == nil {
		if _, err = os.Stat(filepath.Join(dir, sub)); err == nil {
			return dir
		}
	}
	t.Skipf("SKIPPING real-data test: %s not found (%v); run %s to enable it", sub, err, FetchScript)
	return ""
}
