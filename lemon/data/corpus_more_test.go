package data

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLoadKJVAndWordNet reads files in the formats the fetch script writes (a made-up
// 66-book Bible in the `bible` program's layout, and WordNet data files with a license header)
// and checks documents, names, verse numbers dropped and the held-out documents.
func TestLoadKJVAndWordNet(t *testing.T) {
	dir := t.TempDir()
	var bible strings.Builder
	for b := 1; b <= 66; b++ {
		name := "Book" + strings.Repeat("x", b%3)
		if b%2 == 0 {
			name = "2 " + name
		}
		name += string(rune('A' + b%26))
		for ch := 1; ch <= 2; ch++ {
			bible.WriteString("\n" + name + " " + itoa(ch) + "\n\n  1 In the beginning of " + name + " there was\ntext that wraps.\n  2 And more.\n")
		}
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, SubdirKJV), 0o755))
	must(os.WriteFile(filepath.Join(dir, SubdirKJV, "kjv.txt"), []byte(bible.String()), 0o644))
	must(os.MkdirAll(filepath.Join(dir, SubdirWordNet), 0o755))
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		var sb strings.Builder
		sb.WriteString("  1 This software and database is being provided  \n  2 license text  \n")
		for i := range 2500 {
			sb.WriteString("00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | gloss " + pos + " " + itoa(i) + "; \"an example\"  \n")
		}
		must(os.WriteFile(filepath.Join(dir, SubdirWordNet, "data."+pos), []byte(sb.String()), 0o644))
	}
	docs, err := LoadCorpusSources(dir, SourceKJV, SourceWordNet)
	if err != nil {
		t.Fatal(err)
	}
	var kjv, wn, kjvVal, wnVal int
	for _, d := range docs {
		switch d.Source {
		case SourceKJV:
			kjv++
			if d.Validation {
				kjvVal++
			}
			if strings.Contains(d.Text, "  1 ") || !strings.Contains(d.Text, "In the beginning") || !strings.Contains(d.Text, "text that wraps.") {
				t.Errorf("book %s: %q", d.Name, d.Text)
			}
		case SourceWordNet:
			wn++
			if d.Validation {
				wnVal++
			}
			if strings.Contains(d.Text, "license") || strings.Contains(d.Text, "00001740") {
				t.Errorf("gloss chunk %s holds header or pointer text: %.80q", d.Name, d.Text)
			}
		}
	}
	if kjv != 66 || kjvVal != 6 || wn != 12 || wnVal != 0 {
		t.Errorf("books %d (held out %d), WordNet chunks %d (held out %d); want 66 (6), 12 (0)", kjv, kjvVal, wn, wnVal)
	}
	if docs[1].Name != "02-2-BookxxC" {
		t.Errorf("second book named %q", docs[1].Name)
	}
	// Missing and unknown sources are errors naming them.
	if _, err := LoadCorpusSources(t.TempDir(), SourceKJV); err == nil || !strings.Contains(err.Error(), "kjv is not in") {
		t.Errorf("missing source: %v", err)
	}
	if _, err := LoadCorpusSources(dir, "gutenberg"); err == nil || !strings.Contains(err.Error(), "unknown corpus source") {
		t.Errorf("unknown source: %v", err)
	}
	must(os.WriteFile(filepath.Join(dir, SubdirKJV, "kjv.txt"), []byte("\nGenesis 1\n\n  1 Only one book.\n"), 0o644))
	if _, err := LoadCorpusSources(dir, SourceKJV); err == nil || !strings.Contains(err.Error(), "66") {
		t.Errorf("a one-book Bible: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
