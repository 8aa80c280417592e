package study

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/runner"
)

// Data is what a study's runs train and evaluate on. Every run of a study is evaluated on
// the same held-out examples, whatever its seed.
type Data interface {
	// Adapt fits a model config to the data (BERT: the corpus vocabulary size).
	Adapt(cfg arch.Config) arch.Config
	// NewTask builds a training task for cfg with its training order seeded by seed.
	NewTask(name string, cfg arch.Config, seed uint64) (runner.Task, error)
	// Describe is a one-line description for reports.
	Describe() string
}

// valSeed seeds the masking of the BERT validation set, the same for every run.
const valSeed = 1

// Images is image-classification data for a ViT study, or fixed-size examples for a study of
// any family that classifies them (arch.Classifier, trained by runner.ClassifierTask).
type Images struct {
	Name       string
	Train, Val *data.ImageSet
	Batch      int
}

// Adapt implements Data.
func (d *Images) Adapt(cfg arch.Config) arch.Config { return cfg }

// NewTask implements Data.
func (d *Images) NewTask(name string, cfg arch.Config, seed uint64) (runner.Task, error) {
	if _, ok := cfg.Family().(arch.ImageClassifier); ok {
		return runner.NewImageTask(name, cfg, d.Train, d.Val, d.Batch, seed)
	}
	if _, ok := cfg.Family().(arch.Classifier); ok {
		return runner.NewClassifierTask(name, cfg, d.Train, d.Val, d.Batch, seed)
	}
	return nil, fmt.Errorf("study: image data needs a ViT config or a classifier family, got %s", cfg.Kind)
}

// Describe implements Data.
func (d *Images) Describe() string {
	return fmt.Sprintf("%s: %d training images, %d validation images, batch %d", d.Name, d.Train.N, d.Val.N, d.Batch)
}

// Text is packed corpus sequences: masked-LM data for a BERT study, next-token data for a
// decoder (GPT-2) study.
type Text struct {
	Train, Val *data.Sequences
	Vocab      *data.Vocab
	Batch      int
	// Unigram is the validation tokens' cross-entropy under the training unigram
	// distribution (runner.Corpus.UnigramEntropy), the loss of a model that ignores context;
	// 0 when unknown.
	Unigram float64
}

// Adapt implements Data: the model's vocabulary becomes the corpus's.
func (d *Text) Adapt(cfg arch.Config) arch.Config {
	if v, ok := cfg.WithVocab(d.Vocab.Size()); ok {
		return v
	}
	return cfg
}

// NewTask implements Data: masked-LM for a BERT, next-token prediction for a decoder family.
func (d *Text) NewTask(name string, cfg arch.Config, seed uint64) (runner.Task, error) {
	if _, ok := cfg.Family().(arch.CausalLM); ok {
		return runner.NewCausalLMTask(name, cfg, d.Train, d.Val, d.Batch, seed)
	}
	if _, ok := cfg.Family().(arch.MaskedLM); !ok {
		return nil, fmt.Errorf("study: text data needs a masked or a next-token language model (BERT, a decoder family), got %s", cfg.Kind)
	}
	return runner.NewMLMTaskValSeed(name, cfg, d.Train, d.Val, d.Batch, seed, valSeed)
}

// Describe implements Data.
func (d *Text) Describe() string {
	return fmt.Sprintf("corpus: %d training and %d validation sequences of %d tokens, vocabulary %d, batch %d",
		d.Train.Len(), d.Val.Len(), d.Train.T, d.Vocab.Size(), d.Batch)
}

// LoadData loads the data a study's DataSpec names from dataDir (see scripts/fetch_data.sh).
func LoadData(spec DataSpec, dataDir string) (Data, error) {
	switch spec.Dataset {
	case runner.FashionMNIST, runner.MNIST:
		train, test, err := runner.LoadImages(spec.Dataset, dataDir)
		if err != nil {
			return nil, err
		}
		if spec.ValExamples > 0 {
			test = test.Subset(spec.ValExamples)
		}
		return &Images{Name: spec.Dataset, Train: train, Val: test, Batch: spec.Batch}, nil
	case CorpusData, CorpusLargeData:
		var sources []string // CorpusData: SOTU and Moby-Dick (runner.LoadMLMCorpus)
		if spec.Dataset == CorpusLargeData {
			sources = data.AllSources
		}
		c, err := runner.LoadMLMCorpusFrom(dataDir, sources, spec.SeqLen, spec.MinCount)
		if err != nil {
			return nil, err
		}
		val := c.Val
		if n := spec.ValExamples; n > 0 && n < val.Len() {
			val = &data.Sequences{T: val.T, Tokens: val.Tokens[:n*val.T], Vocab: val.Vocab}
		}
		return &Text{Train: c.Train, Val: val, Vocab: c.Vocab, Batch: spec.Batch, Unigram: c.UnigramEntropy}, nil
	case ImageNet:
		return nil, fmt.Errorf("study: this repository has no ImageNet loader: the paper-scale ViT study can be planned (-dry-run) but not run")
	}
	return nil, fmt.Errorf("study: unknown dataset %q: want %q, %q, %q or %q", spec.Dataset, runner.FashionMNIST, runner.MNIST, CorpusData, CorpusLargeData)
}
