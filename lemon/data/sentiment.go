package data

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SentimentSources are the three files of the Sentiment Labelled Sentences data set
// (Kotzias et al., 2015, CC BY 4.0), each holding 500 positive and 500 negative sentences.
var SentimentSources = []string{"imdb", "yelp", "amazon"}

// Sentence is one labelled sentence.
type Sentence struct {
	Text   string
	Label  int32  // 0 negative, 1 positive
	Source string // one of SentimentSources
}

// LoadSentiment reads dir/{imdb,yelp,amazon}.json (DefaultDir()/sentiment after
// scripts/fetch_data.sh), each a JSON array of {"text", "class"}, in that order. Entries
// without a class (each file has one empty entry) are dropped; a class other than 0 or 1 is an
// error.
func LoadSentiment(dir string) ([]Sentence, error) {
	var out []Sentence
	for _, source := range SentimentSources {
		path := filepath.Join(dir, source+".json")
		content, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("data: LoadSentiment: %w (run %s)", err, FetchScript)
		}
		var entries []struct {
			Text  string `json:"text"`
			Class *int   `json:"class"`
		}
		if err := json.Unmarshal(content, &entries); err != nil {
			return nil, fmt.Errorf("data: LoadSentiment %s: %w", path, err)
		}
		for i, e := range entries {
			if e.Class == nil {
				continue
			}
			if *e.Class != 0 && *e.Class != 1 {
				return nil, fmt.Errorf("data: LoadSentiment %s: entry %d has class %d, want 0 or 1", path, i, *e.Class)
			}
			out = append(out, Sentence{Text: strings.TrimSpace(e.Text), Label: int32(*e.Class), Source: source})
		}
	}
	return out, nil
}
