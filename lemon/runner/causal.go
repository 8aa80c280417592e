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

// CausalLMTask trains a decoder family (arch.CausalLM) on next-token prediction over packed
// sequences: the logits at positions 0 … T−2 predict the tokens at 1 … T−1. Validation loss
// is nats per predicted token (perplexity = e^loss); the metric is next-token accuracy.
type CausalLMTask struct {
	cfg       arch.Config
	head      arch.Head
	lm        arch.CausalLM
	batcher   *data.SequenceBatcher
	batchSize int
	seqLen    int
	val       []Batch
	label     string
}

// NewCausalLMTask checks that cfg is a decoder LM whose vocabulary holds the sequences' ids
// and whose positions cover their length, and prepares seeded batching and a fixed
// validation set.
func NewCausalLMTask(name string, cfg arch.Config, train, val *data.Sequences, batchSize int, seed uint64) (*CausalLMTask, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	lm, ok := cfg.Family().(arch.CausalLM)
	if !ok {
		return nil, fmt.Errorf("runner: a %s model is not a next-token language model (arch.CausalLM)", cfg.Kind)
	}
	heads, err := cfg.Heads()
	if err != nil {
		return nil, err
	}
	vocab, positions := lm.CausalLM()
	for _, s := range []struct {
		split string
		seqs  *data.Sequences
	}{{"training", train}, {"validation", val}} {
		if s.seqs == nil || s.seqs.Len() == 0 {
			return nil, fmt.Errorf("runner: the %s split holds no sequence", s.split)
		}
		if s.seqs.T > positions || s.seqs.T < 2 {
			return nil, fmt.Errorf("runner: %s sequences of %d tokens: the %s model reads 2 to %d positions", s.split, s.seqs.T, cfg.Kind, positions)
		}
		for i, id := range s.seqs.Tokens {
			if id < 0 || int(id) >= vocab {
				return nil, fmt.Errorf("runner: %s token %d (sequence %d) is outside the model's vocabulary of %d", s.split, id, i/s.seqs.T, vocab)
			}
		}
	}
	if train.T != val.T {
		return nil, fmt.Errorf("runner: training sequences of %d tokens, validation of %d: want one length", train.T, val.T)
	}
	b, err := data.NewSequenceBatcher(train, batchSize, seed, true)
	if err != nil {
		return nil, err
	}
	vb, err := data.LMValidationBatches(val, batchSize)
	if err != nil {
		return nil, err
	}
	t := &CausalLMTask{cfg: cfg, head: heads[0], lm: lm, batcher: b, batchSize: batchSize, seqLen: train.T, label: name}
	for _, v := range vb {
		t.val = append(t.val, t.batch(v.Tokens, v.RowWeights))
	}
	return t, nil
}

// batch holds the tokens [B, T] as input, the next tokens [B, T−1] as labels, and each row's
// weight on every predicted position.
func (t *CausalLMTask) batch(tokens []int32, rowWeights []float32) Batch {
	b, n := len(tokens)/t.seqLen, t.seqLen
	next := make([]int32, 0, b*(n-1))
	w := make([]float32, 0, b*(n-1))
	for r := range b {
		next = append(next, tokens[r*n+1:(r+1)*n]...)
		for range n - 1 {
			w = append(w, rowWeights[r])
		}
	}
	return Batch{
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(tokens, b, n)},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(next, b, n-1), tensors.FromFlatDataAndDimensions(w, b, n-1)},
	}
}

func (t *CausalLMTask) Name() string        { return t.label }
func (t *CausalLMTask) Config() arch.Config { return t.cfg }
func (t *CausalLMTask) Validation() []Batch { return t.val }

func (t *CausalLMTask) NextTrain() Batch {
	ones := make([]float32, t.batchSize)
	for i := range ones {
		ones[i] = 1
	}
	return t.batch(t.batcher.Next(), ones)
}

// Logits are the head's logits at positions 0 … T−2: [B, T−1, V].
func (t *CausalLMTask) Logits(scope *model.Scope, inputs []*Node) *Node {
	logits := t.head.Logits(scope, inputs)
	return Slice(logits, AxisRange(), AxisRange(0, t.seqLen-1))
}

func (t *CausalLMTask) StepCost() (int64, int64, float64) {
	b, n := int64(t.batchSize), int64(t.seqLen)
	return b, b * n, float64(b) * arch.TrainFLOPs(t.lm.ForwardFLOPs(t.seqLen))
}

func (t *CausalLMTask) DataState() (json.RawMessage, error) { return json.Marshal(t.batcher.State()) }

func (t *CausalLMTask) RestoreDataState(raw json.RawMessage) error {
	var st data.BatcherState
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("runner: causal LM data state: %w", err)
	}
	return t.batcher.Restore(st)
}
