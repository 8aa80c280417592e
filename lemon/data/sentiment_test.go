package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSentimentDropsUnlabelled(t *testing.T) {
	dir := t.TempDir()
	for _, source := range SentimentSources {
		writeFile(t, filepath.Join(dir, source+".json"), []byte(`[
			{"text": "Loved this `+source+`.  ", "class": 1},
			{"text": "Awful.", "class": 0},
			{"text": "", "class": null}]`))
	}
	got, err := LoadSentiment(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("got %d sentences, want 6: %v", len(got), got)
	}
	if want := (Sentence{Text: "Loved this yelp.", Label: 1, Source: "yelp"}); got[2] != want {
		t.Errorf("sentence 2 = %+v, want %+v", got[2], want)
	}
}

func TestLoadSentimentErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadSentiment(dir); err == nil || !strings.Contains(err.Error(), FetchScript) {
		t.Errorf("missing files: got %v, want an error telling to run %s", err, FetchScript)
	}
	writeFile(t, filepath.Join(dir, "imdb.json"), []byte(`[{"text": "Meh.", "class": 2}]`))
	_, err := LoadSentiment(dir)
	if err == nil || !strings.Contains(err.Error(), "class 2") || !strings.Contains(err.Error(), "imdb.json") {
		t.Errorf("class 2: got %v", err)
	}
	writeFile(t, filepath.Join(dir, "imdb.json"), []byte(`{"text": "not an array"}`))
	if _, err := LoadSentiment(dir); err == nil || !strings.Contains(err.Error(), "imdb.json") {
		t.Errorf("not an array: got %v", err)
	}
}
