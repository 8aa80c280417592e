package data

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// More corpus sources (fetched by scripts/fetch_data.sh into SubdirKJV and SubdirWordNet),
// read only when asked for by name (LoadCorpusSources), so that LoadCorpus and every study
// that uses it keep their corpus.
const (
	SourceKJV     = "kjv"     // the King James Bible, one document per book
	SourceWordNet = "wordnet" // WordNet 3.0 glosses, in chunks of wordnetChunk glosses

	SubdirKJV     = "kjv"     // kjv.txt
	SubdirWordNet = "wordnet" // data.noun, data.verb, data.adj, data.adv

	wordnetChunk = 1000
)

// DefaultSources are the sources LoadCorpus reads; AllSources adds the Bible and WordNet.
var (
	DefaultSources = []string{SourceSOTU, SourceMobyDick}
	AllSources     = []string{SourceSOTU, SourceMobyDick, SourceKJV, SourceWordNet}
)

// LoadCorpusSources reads the named sources (SourceSOTU, SourceMobyDick, SourceKJV,
// SourceWordNet) from dir, each held out by whole documents: the rules of LoadCorpus for SOTU
// and Moby-Dick, every ValidationEvery-th book of the Bible (2 Samuel, Proverbs, Amos,
// Matthew, Philippians, 1 Peter) and every ValidationEvery-th chunk of each WordNet file. A
// named source that is missing is an error naming it (there is no fallback here).
func LoadCorpusSources(dir string, sources ...string) ([]Document, error) {
	var docs []Document
	for _, src := range sources {
		var got []Document
		var err error
		switch src {
		case SourceSOTU:
			got, err = loadSOTU(filepath.Join(dir, SubdirSOTU))
		case SourceMobyDick:
			got, err = loadMobyDick(filepath.Join(dir, SubdirMobyDick, "data.txt"))
		case SourceKJV:
			got, err = loadKJV(filepath.Join(dir, SubdirKJV, "kjv.txt"))
		case SourceWordNet:
			got, err = loadWordNet(filepath.Join(dir, SubdirWordNet))
		default:
			return nil, fmt.Errorf("data: unknown corpus source %q; known: %s", src, strings.Join(AllSources, ", "))
		}
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			return nil, fmt.Errorf("data: corpus source %s is not in %s: run %s", src, dir, FetchScript)
		}
		docs = append(docs, got...)
	}
	return docs, nil
}

var (
	kjvHeading = regexp.MustCompile(`^(\S.*) (\d+)$`)
	kjvVerse   = regexp.MustCompile(`^\s+\d+ `)
)

// loadKJV splits the output of the `bible` program into one document per book: a chapter
// heading ("Genesis 1", "1 Kings 3") is a line after a blank line that does not start with a
// space; verse numbers are dropped. A missing file gives no documents.
func loadKJV(path string) ([]Document, error) {
	content, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var docs []Document
	var text strings.Builder
	book := ""
	flush := func() {
		if book != "" {
			n := len(docs) + 1
			docs = append(docs, Document{Source: SourceKJV, Name: fmt.Sprintf("%02d-%s", n, strings.ReplaceAll(book, " ", "-")),
				Text: text.String(), Validation: n%ValidationEvery == 0})
		}
		text.Reset()
	}
	prevBlank := true
	for _, line := range strings.Split(string(content), "\n") {
		if m := kjvHeading.FindStringSubmatch(line); m != nil && prevBlank {
			if m[1] != book {
				flush()
				book = m[1]
			}
			prevBlank = false
			continue
		}
		prevBlank = strings.TrimSpace(line) == ""
		if book == "" || prevBlank {
			continue
		}
		text.WriteString(kjvVerse.ReplaceAllString(line, ""))
		text.WriteByte('\n')
	}
	flush()
	if len(docs) != 66 {
		return nil, fmt.Errorf("data: %s holds %d books, want the Bible's 66: is it the output of `bible Gen1:1-Rev22:21`?", path, len(docs))
	}
	return docs, nil
}

// loadWordNet reads the glosses (the text after " | ") of dir/data.{noun,verb,adj,adv}, the
// license header skipped, into documents of wordnetChunk glosses per file. A missing folder
// gives no documents.
func loadWordNet(dir string) ([]Document, error) {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil, nil
	}
	var docs []Document
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		path := filepath.Join(dir, "data."+pos)
		content, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("data: WordNet: %w", err)
		}
		var glosses []string
		for _, line := range strings.Split(string(content), "\n") {
			if strings.HasPrefix(line, "  ") || line == "" {
				continue // the license header, or the end
			}
			i := strings.Index(line, " | ")
			if i < 0 {
				return nil, fmt.Errorf("data: WordNet: %s: a synset line without a gloss (\" | \"): %.60q", path, line)
			}
			glosses = append(glosses, strings.TrimSpace(line[i+3:]))
		}
		if len(glosses) == 0 {
			return nil, fmt.Errorf("data: WordNet: %s holds no glosses", path)
		}
		for c := 0; c*wordnetChunk < len(glosses); c++ {
			chunk := glosses[c*wordnetChunk : min(len(glosses), (c+1)*wordnetChunk)]
			docs = append(docs, Document{Source: SourceWordNet, Name: fmt.Sprintf("%s-%03d", pos, c+1),
				Text: strings.Join(chunk, "\n") + "\n", Validation: (c+1)%ValidationEvery == 0})
		}
	}
	return docs, nil
}
