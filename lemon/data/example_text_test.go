package data_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/golemon/golemon/lemon/data"
)

func ExampleLoadCorpus() {
	dir, _ := os.MkdirTemp("", "corpus")
	defer os.RemoveAll(dir)
	// The fetched layout, in miniature: speeches in sotu/, the novel in moby-dick/data.txt.
	os.MkdirAll(filepath.Join(dir, data.SubdirSOTU), 0o755)
	os.MkdirAll(filepath.Join(dir, data.SubdirMobyDick), 0o755)
	os.WriteFile(filepath.Join(dir, data.SubdirSOTU, "1801_thomas_jefferson_dr.txt"), []byte("..."), 0o644)
	os.WriteFile(filepath.Join(dir, data.SubdirSOTU, "2013_barack_obama_d.txt"), []byte("..."), 0o644)
	os.WriteFile(filepath.Join(dir, data.SubdirMobyDick, "data.txt"),
		[]byte("CHAPTER 9. The Sermon.\n...\nCHAPTER 10. A Bosom Friend.\n..."), 0o644)

	docs, err := data.LoadCorpus(dir)
	if err != nil {
		log.Fatal(err)
	}
	train, val := data.SplitDocuments(docs)
	for _, d := range train {
		fmt.Println("train:", d.Source, d.Name)
	}
	for _, d := range val {
		fmt.Println("validation:", d.Source, d.Name)
	}
	// Output:
	// train: sotu 1801_thomas_jefferson_dr
	// train: moby-dick chapter-009
	// validation: sotu 2013_barack_obama_d
	// validation: moby-dick chapter-010
}

// toyStreams returns token streams over a vocabulary of 5 special and 20 ordinary tokens.
func toyStreams() (*data.Vocab, [][]int32) {
	dir, _ := os.MkdirTemp("", "vocab")
	defer os.RemoveAll(dir)
	text := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
	for i := range 20 {
		text += fmt.Sprintf("w%d\n", i)
	}
	path := filepath.Join(dir, "vocab.txt")
	os.WriteFile(path, []byte(text), 0o644)
	vocab, err := data.LoadVocab(path)
	if err != nil {
		log.Fatal(err)
	}
	var stream []int32
	for i := range 100 {
		stream = append(stream, int32(5+(i*7)%20))
	}
	return vocab, [][]int32{stream[:60], stream[60:]}
}

func ExampleNewMLMBatcher() {
	vocab, streams := toyStreams()
	const T = 20
	seqs, err := data.Pack(streams, vocab, T) // [CLS] + 18 tokens + [SEP], 5 sequences
	if err != nil {
		log.Fatal(err)
	}
	batcher, err := data.NewMLMBatcher(seqs, 2, data.MaxPredictions(T), 1, false)
	if err != nil {
		log.Fatal(err)
	}
	b := batcher.Next()
	fmt.Printf("B=%d T=%d M=%d, %d sequences, %d batches per epoch\n",
		b.BatchSize, b.SeqLen, b.MaxPred, seqs.Len(), batcher.BatchesPerEpoch())
	fmt.Println("original:", seqs.Seq(0))
	fmt.Println("tokens:  ", b.TokenIDs[:T])
	fmt.Println("positions:", b.MaskedPositions[:b.MaxPred])
	fmt.Println("labels:   ", b.MaskedLabels[:b.MaxPred])
	fmt.Println("weights:  ", b.MaskedWeights[:b.MaxPred])
	// Output:
	// B=2 T=20 M=3, 5 sequences, 2 batches per epoch
	// original: [2 5 12 19 6 13 20 7 14 21 8 15 22 9 16 23 10 17 24 3]
	// tokens:   [2 5 12 4 4 13 20 7 14 21 8 4 22 9 16 23 10 17 24 3]
	// positions: [3 4 11]
	// labels:    [19 6 15]
	// weights:   [1 1 1]
}

func ExampleMLMValidationBatches() {
	vocab, streams := toyStreams()
	seqs, _ := data.Pack(streams, vocab, 20)
	batches, err := data.MLMValidationBatches(seqs, 2, data.MaxPredictions(20), 0)
	if err != nil {
		log.Fatal(err)
	}
	for i, b := range batches {
		var weight float32
		for _, w := range b.MaskedWeights {
			weight += w
		}
		fmt.Printf("batch %d: %d rows, %g predictions\n", i, b.BatchSize, weight)
	}
	// Output:
	// batch 0: 2 rows, 6 predictions
	// batch 1: 2 rows, 6 predictions
	// batch 2: 2 rows, 3 predictions
}

func ExampleUnigramEntropy() {
	// Training tokens: id 5 three times, id 6 once; V = 8.
	// p(5) = (3+1)/(4+8) = 1/3 and p(7) = (0+1)/(4+8) = 1/12.
	train := [][]int32{{5, 5, 6}, {5}}
	val := [][]int32{{5, 7}}
	fmt.Printf("%.4f nats\n", data.UnigramEntropy(train, val, 8))
	// Output:
	// 1.7918 nats
}

func ExampleLoadSentiment() {
	dir, _ := os.MkdirTemp("", "sentiment")
	defer os.RemoveAll(dir)
	for _, source := range data.SentimentSources {
		os.WriteFile(filepath.Join(dir, source+".json"),
			[]byte(`[{"text": "Great `+source+`!", "class": 1}, {"text": "", "class": null}]`), 0o644)
	}
	sentences, err := data.LoadSentiment(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range sentences {
		fmt.Println(s.Source, s.Label, s.Text)
	}
	// Output:
	// imdb 1 Great imdb!
	// yelp 1 Great yelp!
	// amazon 1 Great amazon!
}
