package runner

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch/bert"
	"github.com/golemon/golemon/lemon/arch/vit"
	"github.com/golemon/golemon/lemon/data"
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
	if b, _ := bert.Of(task.Config()); b.VocabSize != 50 {
		t.Errorf("synthetic BERT vocabulary %d, want 50", b.VocabSize)
	}
}

// TestImageTaskChecksBothSplits: the test split is checked as the training split is (image
// size, labels within the classes, not empty), before any batch is built.
func TestImageTaskChecksBothSplits(t *testing.T) {
	cfg, _ := vit.Preset("vit-cpu-2-32")
	good := func(n, side int) *data.ImageSet {
		s := &data.ImageSet{N: n, Height: side, Width: side, Channels: 1, NumClasses: 10,
			Pixels: make([]float32, n*side*side), Labels: make([]int32, n)}
		return s
	}
	badLabel := good(4, 28)
	badLabel.Labels[2] = 12
	negLabel := good(4, 28)
	negLabel.Labels[0] = -1
	for _, c := range []struct {
		name        string
		train, test *data.ImageSet
		want        string
	}{
		{"test label out of range", good(8, 28), badLabel, "test label 12 of image 2"},
		{"negative training label", negLabel, good(8, 28), "training label -1"},
		{"32×32 test images", good(8, 28), good(4, 32), "test images are 32×32×1"},
		{"empty test split", good(8, 28), good(0, 28), "test split has 0 images"},
	} {
		if _, err := NewImageTask("x", cfg, c.train, c.test, 4, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestCorpusMinCountBounds: a min count below 1, or one that leaves almost no vocabulary, is
// refused with the number of tokens it keeps (needs the corpus of scripts/fetch_data.sh).
func TestCorpusMinCountBounds(t *testing.T) {
	dir, err := data.DefaultDir()
	if err != nil {
		t.Skip(err)
	}
	if _, err := data.LoadWordPiece(dir + "/vocab/tokenizer.json"); err != nil {
		t.Skipf("no WordPiece vocabulary (scripts/fetch_data.sh): %v", err)
	}
	for _, c := range []struct {
		minCount int
		want     string
	}{{0, "min count must be ≥ 1"}, {1_000_000_000, "keeps 0 WordPiece tokens"}} {
		if _, err := LoadMLMCorpus(dir, 64, c.minCount); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("min count %d: %v, want an error containing %q", c.minCount, err, c.want)
		}
	}
}

// TestBlankImagesAreAnError: training images without any variance (all pixels equal) are a
// clear error from LoadImages, not a panic in standardisation.
func TestBlankImagesAreAnError(t *testing.T) {
	dir := t.TempDir()
	mnist := filepath.Join(dir, data.SubdirMNIST)
	if err := os.MkdirAll(mnist, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, magic uint32, dims []uint32, payload []byte) {
		var b []byte
		for _, v := range append([]uint32{magic}, dims...) {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		if err := os.WriteFile(filepath.Join(mnist, name), append(b, payload...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const n = 4
	for _, split := range []string{"train", "t10k"} {
		write(split+"-images-idx3-ubyte", 2051, []uint32{n, 28, 28}, make([]byte, n*28*28)) // all black
		write(split+"-labels-idx1-ubyte", 2049, []uint32{n}, []byte{0, 1, 2, 3})
	}
	if _, _, err := LoadImages(MNIST, dir); err == nil || !strings.Contains(err.Error(), "standard deviation 0") {
		t.Fatalf("blank images: %v, want an error about their standard deviation", err)
	}
}
