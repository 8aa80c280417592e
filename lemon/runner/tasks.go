package runner

import (
	"encoding/json"
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/data"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// ImageTask trains an image classifier (a family implementing arch.ImageClassifier: ViT) on
// an image set.
type ImageTask struct {
	cfg        arch.Config
	img        arch.ImageClassifier
	head       arch.Head
	Train, Val *data.ImageSet
	batcher    *data.ImageBatcher
	batchSize  int
	val        []Batch
	label      string
}

// NewImageTask checks that cfg classifies images (arch.ImageClassifier) that fit the sets and
// prepares seeded batching.
func NewImageTask(name string, cfg arch.Config, train, val *data.ImageSet, batchSize int, seed uint64) (*ImageTask, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	img, ok := cfg.Family().(arch.ImageClassifier)
	if !ok {
		return nil, fmt.Errorf("runner: a %s model does not classify images (arch.ImageClassifier)", cfg.Kind)
	}
	heads, err := cfg.Heads()
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		split string
		set   *data.ImageSet
	}{{"training", train}, {"test", val}} {
		if err := checkImages(s.split, s.set, cfg.Kind, img); err != nil {
			return nil, err
		}
	}
	b, err := data.NewImageBatcher(train, batchSize, seed, true)
	if err != nil {
		return nil, err
	}
	t := &ImageTask{cfg: cfg, img: img, head: heads[0], Train: train, Val: val, batcher: b, batchSize: batchSize, label: name}
	t.val = imageBatches(val, min(256, val.N))
	return t, nil
}

// checkImages checks that one split fits the classifier: its image size, at least one image,
// and labels within the config's classes (the first bad one is named).
func checkImages(split string, set *data.ImageSet, kind arch.Kind, img arch.ImageClassifier) error {
	side, channels, classes := img.ImageInput()
	if set == nil {
		return fmt.Errorf("runner: no %s split", split)
	}
	if set.Height != side || set.Width != side || set.Channels != channels {
		return fmt.Errorf("runner: %s images are %d×%d×%d but the %s config wants %d×%d×%d",
			split, set.Height, set.Width, set.Channels, kind, side, side, channels)
	}
	if set.N < 1 || len(set.Labels) != set.N {
		return fmt.Errorf("runner: %s split has %d images and %d labels: want at least one, one label each", split, set.N, len(set.Labels))
	}
	if set.NumClasses > classes {
		return fmt.Errorf("runner: %s data has %d classes, %s num_classes is %d", split, set.NumClasses, kind, classes)
	}
	for i, l := range set.Labels {
		if l < 0 || int(l) >= classes {
			return fmt.Errorf("runner: %s label %d of image %d is outside the %d classes", split, l, i, classes)
		}
	}
	return nil
}

// imageBatches cuts set into batches in file order; the last one may be smaller, so that
// every example counts.
func imageBatches(set *data.ImageSet, batchSize int) []Batch {
	var out []Batch
	size := set.ExampleSize()
	for from := 0; from < set.N; from += batchSize {
		to := min(from+batchSize, set.N)
		out = append(out, Batch{
			Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(
				set.Pixels[from*size:to*size], to-from, set.Height, set.Width, set.Channels)},
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(set.Labels[from:to], to-from)},
		})
	}
	return out
}

func imageBatch(set *data.ImageSet, b *data.ImageBatcher) Batch {
	pixels, labels := b.Next()
	n := len(labels)
	return Batch{
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(pixels, n, set.Height, set.Width, set.Channels)},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, n)},
	}
}

func (t *ImageTask) Name() string        { return t.label }
func (t *ImageTask) Config() arch.Config { return t.cfg }
func (t *ImageTask) NextTrain() Batch    { return imageBatch(t.Train, t.batcher) }
func (t *ImageTask) Validation() []Batch { return t.val }

func (t *ImageTask) Logits(scope *model.Scope, inputs []*Node) *Node {
	return t.head.Logits(scope, inputs[:1])
}

func (t *ImageTask) StepCost() (int64, int64, float64) {
	b := int64(t.batchSize)
	return b, b * int64(t.img.ImageTokens()), float64(b) * arch.TrainFLOPs(t.img.ForwardFLOPs())
}

func (t *ImageTask) DataState() (json.RawMessage, error) { return json.Marshal(t.batcher.State()) }

func (t *ImageTask) RestoreDataState(raw json.RawMessage) error {
	return restoreImageBatcher(t.batcher, raw, "image")
}

// restoreImageBatcher restores an image batcher's position from its JSON state.
func restoreImageBatcher(b *data.ImageBatcher, raw json.RawMessage, what string) error {
	var st data.BatcherState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("runner: %s data state: %w", what, err)
	}
	return b.Restore(st)
}

// MLMTask trains a masked language model (a family implementing arch.MaskedLM: BERT) with the
// masked-LM objective on packed sequences.
type MLMTask struct {
	cfg       arch.Config
	mlm       arch.MaskedLM
	batcher   *data.MLMBatcher
	batchSize int
	seqLen    int
	val       []Batch
	maxPred   int
	label     string
}

// NewMLMTask prepares seeded masking and a fixed validation set.
func NewMLMTask(name string, cfg arch.Config, train, val *data.Sequences, batchSize int, seed uint64) (*MLMTask, error) {
	return NewMLMTaskValSeed(name, cfg, train, val, batchSize, seed, seed)
}

// NewMLMTaskValSeed is NewMLMTask with the validation masking seeded by valSeed apart from
// the training data's seed, so that runs with different seeds are evaluated on the same
// masked validation set.
func NewMLMTaskValSeed(name string, cfg arch.Config, train, val *data.Sequences, batchSize int, seed, valSeed uint64) (*MLMTask, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mlm, ok := cfg.Family().(arch.MaskedLM)
	if !ok {
		return nil, fmt.Errorf("runner: a %s model is not a masked language model (arch.MaskedLM)", cfg.Kind)
	}
	if train == nil || val == nil {
		return nil, fmt.Errorf("runner: the masked-LM task needs training and validation sequences")
	}
	vocab, positions := mlm.MaskedLM()
	if train.T > positions {
		return nil, fmt.Errorf("runner: sequence length %d exceeds %s max_positions %d", train.T, cfg.Kind, positions)
	}
	if train.Vocab.Size() > vocab {
		return nil, fmt.Errorf("runner: vocabulary has %d tokens, %s vocab_size is %d", train.Vocab.Size(), cfg.Kind, vocab)
	}
	maxPred := data.MaxPredictions(train.T)
	b, err := data.NewMLMBatcher(train, batchSize, maxPred, seed, true)
	if err != nil {
		return nil, err
	}
	vb, err := data.MLMValidationBatches(val, batchSize, maxPred, valSeed^0x5eed)
	if err != nil {
		return nil, err
	}
	t := &MLMTask{cfg: cfg, mlm: mlm, batcher: b, batchSize: batchSize, seqLen: train.T, maxPred: maxPred, label: name}
	for _, mb := range vb {
		t.val = append(t.val, mlmBatch(mb))
	}
	return t, nil
}

func mlmBatch(mb data.MLMBatch) Batch {
	b, s, m := mb.BatchSize, mb.SeqLen, mb.MaxPred
	return Batch{
		Inputs: []*tensors.Tensor{
			tensors.FromFlatDataAndDimensions(mb.TokenIDs, b, s),
			tensors.FromFlatDataAndDimensions(mb.SegmentIDs, b, s),
			tensors.FromFlatDataAndDimensions(mb.MaskedPositions, b, m),
		},
		Labels: []*tensors.Tensor{
			tensors.FromFlatDataAndDimensions(mb.MaskedLabels, b, m),
			tensors.FromFlatDataAndDimensions(mb.MaskedWeights, b, m),
		},
	}
}

func (t *MLMTask) Name() string        { return t.label }
func (t *MLMTask) Config() arch.Config { return t.cfg }
func (t *MLMTask) NextTrain() Batch    { return mlmBatch(t.batcher.Next()) }
func (t *MLMTask) Validation() []Batch { return t.val }

func (t *MLMTask) Logits(scope *model.Scope, inputs []*Node) *Node {
	return t.mlm.MaskedLMLogits(scope, inputs[0], inputs[1], inputs[2])
}

func (t *MLMTask) StepCost() (int64, int64, float64) {
	b, seq := int64(t.batchSize), int64(t.seqLen)
	return b, b * seq, float64(b) * arch.TrainFLOPs(t.mlm.MLMForwardFLOPs(int(seq), t.maxPred))
}

func (t *MLMTask) DataState() (json.RawMessage, error) { return json.Marshal(t.batcher.State()) }

func (t *MLMTask) RestoreDataState(raw json.RawMessage) error {
	var st data.BatcherState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("runner: MLM data state: %w", err)
	}
	return t.batcher.Restore(st)
}
