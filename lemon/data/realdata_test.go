package data

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// The tests in this file read the files that scripts/fetch_data.sh fetches, and skip (saying
// so) where they are absent. The numbers they pin were measured on those pinned files.

func TestRealMNISTAndFashionMNIST(t *testing.T) {
	for _, c := range []struct {
		sub       string
		load      func(string) (*ImageSet, *ImageSet, error)
		mean, std float32
	}{
		{SubdirMNIST, LoadMNIST, MNISTMean, MNISTStd},
		{SubdirFashionMNIST, LoadFashionMNIST, FashionMNISTMean, FashionMNISTStd},
	} {
		t.Run(c.sub, func(t *testing.T) {
			dir := realDataDir(t, c.sub)
			train, test, err := c.load(filepath.Join(dir, c.sub))
			if err != nil {
				t.Fatal(err)
			}
			if train.N != 60000 || test.N != 10000 || train.Height != 28 || train.Width != 28 || train.NumClasses != 10 {
				t.Errorf("train N=%d %d×%d, test N=%d, classes %d; want 60000 28×28, 10000, 10",
					train.N, train.Height, train.Width, test.N, train.NumClasses)
			}
			mean, std := train.MeanStd()
			if math.Abs(float64(mean-c.mean)) > 1e-4 || math.Abs(float64(std-c.std)) > 1e-4 {
				t.Errorf("training mean %g, std %g; the constants say %g, %g", mean, std, c.mean, c.std)
			}
		})
	}
}

func TestMNISTModuleDirFromModuleCache(t *testing.T) {
	t.Setenv("GOPROXY", "off") // never reach out from a test: use the module cache or skip
	dir, err := MNISTModuleDir()
	if err != nil {
		t.Skipf("SKIPPING: %s is not in the module cache (%v); run %s", MNISTModule, err, FetchScript)
	}
	if _, _, err := LoadMNIST(dir); err != nil {
		t.Error(err)
	}
}

// TestRealCorpusPipeline pins the corpus statistics quoted in the docs: documents, tokens of
// each split, compact vocabulary sizes and the unigram baseline.
func TestRealCorpusPipeline(t *testing.T) {
	dir := realDataDir(t, SubdirSOTU)
	realDataDir(t, TokenizerFile)
	docs, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	wp, err := LoadWordPiece(filepath.Join(dir, TokenizerFile))
	if err != nil {
		t.Fatal(err)
	}
	trainDocs, valDocs := SplitDocuments(docs)
	if len(docs) != 233+135 || len(valDocs) != 12+13 {
		t.Errorf("%d documents, %d for validation; want 368 (233 speeches, 135 chapters), 25", len(docs), len(valDocs))
	}
	train, val := wp.EncodeDocuments(trainDocs), wp.EncodeDocuments(valDocs)
	if countTokens(train) != 2273279 || countTokens(val) != 117840 {
		t.Errorf("tokens: train %d, validation %d; want 2273279, 117840", countTokens(train), countTokens(val))
	}
	for _, c := range []struct {
		minCount, size int
		entropy        float64
	}{{1, 19058, 6.9732}, {5, 13017, 6.7882}} {
		vocab, remap := wp.Vocab().Restrict(train, c.minCount)
		h := UnigramEntropy(remap.Apply(train), remap.Apply(val), vocab.Size())
		if vocab.Size() != c.size || math.Abs(h-c.entropy) > 1e-4 {
			t.Errorf("minCount %d: V=%d, unigram entropy %.4f nats; want %d, %.4f", c.minCount, vocab.Size(), h, c.size, c.entropy)
		}
	}
}

func TestRealSentiment(t *testing.T) {
	dir := realDataDir(t, SubdirSentiment)
	sentences, err := LoadSentiment(filepath.Join(dir, SubdirSentiment))
	if err != nil {
		t.Fatal(err)
	}
	positive := 0
	for _, s := range sentences {
		positive += int(s.Label)
	}
	if len(sentences) != 3000 || positive != 1500 {
		t.Errorf("%d sentences, %d positive; want 3000, 1500", len(sentences), positive)
	}
}

// TestRealKJVAndWordNet: the fetched Bible splits into its 66 books (6 held out) and WordNet
// into chunks of glosses from all four files; the counts are those of the pinned packages.
func TestRealKJVAndWordNet(t *testing.T) {
	dir := realDataDir(t, SubdirKJV)
	realDataDir(t, SubdirWordNet)
	docs, err := LoadCorpusSources(dir, SourceKJV, SourceWordNet)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][2]int{}
	words := map[string]int{}
	for _, d := range docs {
		c := count[d.Source]
		c[0]++
		if d.Validation {
			c[1]++
		}
		count[d.Source] = c
		words[d.Source] += len(strings.Fields(d.Text))
	}
	t.Logf("documents (held out): %v; words: %v", count, words)
	if count[SourceKJV] != [2]int{66, 6} || docs[0].Name != "01-Genesis" || !strings.HasPrefix(docs[65].Name, "66-Revelation") {
		t.Errorf("Bible: %v, first %s, last %s", count[SourceKJV], docs[0].Name, docs[65].Name)
	}
	if words[SourceKJV] < 780_000 || words[SourceKJV] > 800_000 {
		t.Errorf("Bible: %d words without verse numbers, want ≈ 790 k", words[SourceKJV])
	}
	if n := count[SourceWordNet]; n[0] < 100 || n[1] < 10 {
		t.Errorf("WordNet: %v chunks (held out)", n)
	}
}
