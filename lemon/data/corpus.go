package data

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Corpus sources, as found in Document.Source.
const (
	SourceSOTU     = "sotu"
	SourceMobyDick = "moby-dick"
	SourceOpticks  = "opticks" // the zero-fetch fallback shipped with Go
)

// Validation split, by whole document: State of the Union speeches from ValidationFromYear on
// (12 speeches, 2010–2021), every ValidationEvery-th chapter of Moby-Dick (chapters 10, 20, …,
// 130), and, in the fallback corpus, every ValidationEvery-th chunk (the 10th, 20th, …).
const (
	ValidationFromYear = 2010
	ValidationEvery    = 10
	opticksChunkWords  = 1000
)

// Document is one unit of the text corpus: a speech, a chapter, or a chunk of the fallback.
type Document struct {
	Source     string // SourceSOTU, SourceMobyDick or SourceOpticks
	Name       string // e.g. "2021_joseph_r_biden_d", "chapter-042", "chunk-007"
	Text       string
	Validation bool // held out for validation (see ValidationFromYear)
}

// LoadCorpus reads the masked-LM corpus from the data directory dir (see DefaultDir): every
// dir/sotu/*.txt as one document named after its file (YEAR_president_party), and
// dir/moby-dick/data.txt split into one document per chapter. If dir holds neither, it falls
// back to the text of Newton's Opticks that ships with Go (GOROOT/src/testdata), split into
// chunks of about 1000 words, so that examples run without fetching anything. Each document's
// Validation flag is set by the rule above; use SplitDocuments to separate the two sets.
func LoadCorpus(dir string) ([]Document, error) {
	sotu, err := loadSOTU(filepath.Join(dir, SubdirSOTU))
	if err != nil {
		return nil, err
	}
	moby, err := loadMobyDick(filepath.Join(dir, SubdirMobyDick, "data.txt"))
	if err != nil {
		return nil, err
	}
	if docs := append(sotu, moby...); len(docs) > 0 {
		return docs, nil
	}
	return loadOpticks()
}

// SplitDocuments separates training documents from validation ones, keeping their order.
func SplitDocuments(docs []Document) (train, validation []Document) {
	for _, d := range docs {
		if d.Validation {
			validation = append(validation, d)
		} else {
			train = append(train, d)
		}
	}
	return train, validation
}

var sotuName = regexp.MustCompile(`^(\d{4})_.+\.txt$`)

// loadSOTU reads dir/*.txt; a missing or empty dir gives no documents.
func loadSOTU(dir string) ([]Document, error) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.txt")) // only error: bad pattern
	var docs []Document
	for _, p := range paths {
		m := sotuName.FindStringSubmatch(filepath.Base(p))
		if m == nil {
			return nil, fmt.Errorf("data: LoadCorpus: %s: name is not YEAR_president_party.txt", p)
		}
		year, _ := strconv.Atoi(m[1])
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("data: LoadCorpus: %w", err)
		}
		docs = append(docs, Document{Source: SourceSOTU, Name: strings.TrimSuffix(filepath.Base(p), ".txt"),
			Text: string(text), Validation: year >= ValidationFromYear})
	}
	return docs, nil
}

var chapterHeading = regexp.MustCompile(`(?m)^CHAPTER (\d+)\.`)

// loadMobyDick splits the novel at its "CHAPTER n." headings; a missing file gives no documents.
// Text before the first heading, if any, is dropped.
func loadMobyDick(path string) ([]Document, error) {
	content, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("data: LoadCorpus: %w", err)
	}
	text := string(content)
	heads := chapterHeading.FindAllStringSubmatchIndex(text, -1)
	if len(heads) == 0 {
		return nil, fmt.Errorf("data: LoadCorpus: %s: no \"CHAPTER n.\" headings; is it Moby-Dick?", path)
	}
	docs := make([]Document, len(heads))
	for i, h := range heads {
		end := len(text)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		chapter, _ := strconv.Atoi(text[h[2]:h[3]])
		docs[i] = Document{Source: SourceMobyDick, Name: fmt.Sprintf("chapter-%03d", chapter),
			Text: text[h[0]:end], Validation: chapter%ValidationEvery == 0}
	}
	return docs, nil
}

// loadOpticks reads the fallback corpus and cuts it at paragraph breaks into chunks of at
// least opticksChunkWords words (the last may be shorter).
func loadOpticks() ([]Document, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("data: LoadCorpus: no corpus fetched and `go env GOROOT` failed "+
			"(run %s): %w", FetchScript, err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "src", "testdata", "Isaac.Newton-Opticks.txt")
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: LoadCorpus: no corpus fetched (run %s) and no fallback: %w", FetchScript, err)
	}
	var docs []Document
	var chunk strings.Builder
	words := 0
	flush := func() {
		n := len(docs) + 1
		docs = append(docs, Document{Source: SourceOpticks, Name: fmt.Sprintf("chunk-%03d", n),
			Text: chunk.String(), Validation: n%ValidationEvery == 0})
		chunk.Reset()
		words = 0
	}
	for _, para := range strings.Split(strings.ReplaceAll(string(content), "\r\n", "\n"), "\n\n") {
		chunk.WriteString(para)
		chunk.WriteString("\n\n")
		if words += len(strings.Fields(para)); words >= opticksChunkWords {
			flush()
		}
	}
	if words > 0 {
		flush()
	}
	return docs, nil
}

// UnigramEntropy is the baseline a masked LM must beat: the cross-entropy, in nats per token,
// of the validation tokens under the add-one-smoothed unigram distribution of the training
// tokens,
//
//	H = -(1/|val|) Σ_{w ∈ val} ln p(w),   p(w) = (count_train(w) + 1) / (|train| + V),
//
// where V = vocabSize is the number of classes the model predicts over (the compact vocabulary's
// size when training on it), and |train|, |val| count token occurrences. Pass the token streams
// without [CLS]/[SEP] (as Encode and Remap.Apply give them): these are exactly the tokens the
// masking may select, so an MLM's mean masked-token loss is directly comparable. exp(H) is the
// unigram perplexity. It returns NaN if val holds no token.
func UnigramEntropy(train, val [][]int32, vocabSize int) float64 {
	counts := make([]int, vocabSize)
	total := 0
	for _, s := range train {
		for _, id := range s {
			counts[id]++
			total++
		}
	}
	var sum float64
	n := 0
	for _, s := range val {
		for _, id := range s {
			sum -= math.Log(float64(counts[id]+1) / float64(total+vocabSize))
			n++
		}
	}
	return sum / float64(n)
}
