package data

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// writeToyCorpus writes three speeches and a three-chapter novel in the fetched layout.
func writeToyCorpus(t testing.TB, dir string) {
	t.Helper()
	for name, text := range map[string]string{
		"1790_george_washington_n.txt": "Fellow citizens of the Senate.",
		"2009_barack_obama_d.txt":      "Madam Speaker.",
		"2010_barack_obama_d.txt":      "Madam Speaker, Mr. Vice President.",
	} {
		writeFile(t, filepath.Join(dir, SubdirSOTU, name), []byte(text))
	}
	writeFile(t, filepath.Join(dir, SubdirMobyDick, "data.txt"), []byte(
		"CHAPTER 1. Loomings.\n\nCall me Ishmael.\n\n"+
			"CHAPTER 2. The Carpet-Bag.\n\nI stuffed a shirt or two.\n\n"+
			"CHAPTER 10. A Bosom Friend.\n\nReturning to the Spouter-Inn.\n"))
}

func TestLoadCorpusSplitsByDocument(t *testing.T) {
	dir := t.TempDir()
	writeToyCorpus(t, dir)
	docs, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Source+"/"+d.Name)
	}
	want := "sotu/1790_george_washington_n sotu/2009_barack_obama_d sotu/2010_barack_obama_d " +
		"moby-dick/chapter-001 moby-dick/chapter-002 moby-dick/chapter-010"
	if strings.Join(got, " ") != want {
		t.Fatalf("documents %v, want %s", got, want)
	}
	if !strings.HasPrefix(docs[4].Text, "CHAPTER 2. The Carpet-Bag.") || !strings.HasSuffix(docs[4].Text, "two.\n\n") {
		t.Errorf("chapter 2 text is %q", docs[4].Text)
	}
	train, val := SplitDocuments(docs)
	if len(train) != 4 || len(val) != 2 || val[0].Name != "2010_barack_obama_d" || val[1].Name != "chapter-010" {
		t.Errorf("validation split %v, want the 2010 speech and chapter 10", val)
	}
}

func TestLoadCorpusRejectsUnexpectedFiles(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, filepath.Join(dir, SubdirSOTU, "speech-1999.txt"), []byte("text"))
	if _, err := LoadCorpus(dir); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("badly named speech: got error %v, want one naming %s", err, bad)
	}
	dir = t.TempDir()
	novel := writeFile(t, filepath.Join(dir, SubdirMobyDick, "data.txt"), []byte("Call me Ishmael."))
	if _, err := LoadCorpus(dir); err == nil || !strings.Contains(err.Error(), novel) {
		t.Errorf("novel without chapters: got error %v, want one naming %s", err, novel)
	}
}

func TestLoadCorpusFallsBackToOpticks(t *testing.T) {
	docs, err := LoadCorpus(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	train, val := SplitDocuments(docs)
	if len(docs) < 50 || len(val) != len(docs)/ValidationEvery {
		t.Errorf("fallback gave %d documents, %d for validation", len(docs), len(val))
	}
	for _, d := range docs[:len(docs)-1] {
		if d.Source != SourceOpticks || len(strings.Fields(d.Text)) < opticksChunkWords {
			t.Fatalf("fallback chunk %s (%s) has %d words", d.Name, d.Source, len(strings.Fields(d.Text)))
		}
	}
	if !strings.Contains(train[0].Text, "OPTICKS") {
		t.Errorf("first chunk does not look like Opticks: %.100q", train[0].Text)
	}
}

func TestUnigramEntropyHandComputed(t *testing.T) {
	// V = 4, training counts {1: 2, 2: 1}, |train| = 3, so p(1) = 3/7 and p(3) = 1/7.
	got := UnigramEntropy([][]int32{{1, 1}, {2}}, [][]int32{{1}, {3}}, 4)
	want := -(math.Log(3.0/7) + math.Log(1.0/7)) / 2
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("UnigramEntropy = %.15f, want %.15f", got, want)
	}
	// With no training data the distribution is uniform: ln V.
	if got := UnigramEntropy(nil, [][]int32{{0, 1, 2}}, 8); math.Abs(got-math.Log(8)) > 1e-12 {
		t.Errorf("uniform: %g, want ln 8 = %g", got, math.Log(8))
	}
	if got := UnigramEntropy([][]int32{{1}}, nil, 4); !math.IsNaN(got) {
		t.Errorf("empty validation: %g, want NaN", got)
	}
}
