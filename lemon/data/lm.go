package data

import (
	"fmt"
	"math/rand/v2"
)

// SequenceBatcher yields batches of whole sequences for next-token (causal LM) training:
// no masking, the model predicts token t+1 from tokens ≤ t. Order and epochs are as for
// NewImageBatcher; a batcher restored to a state reproduces the batches exactly.
type SequenceBatcher struct {
	seqs  *Sequences
	sched *schedule
}

// NewSequenceBatcher returns a batcher over seqs with batch size B.
func NewSequenceBatcher(seqs *Sequences, batchSize int, seed uint64, shuffle bool) (*SequenceBatcher, error) {
	if seqs == nil || seqs.T < 2 {
		return nil, fmt.Errorf("data: NewSequenceBatcher: sequences of at least 2 tokens are needed")
	}
	sched, err := newSchedule("NewSequenceBatcher", seqs.Len(), batchSize, seed, shuffle)
	if err != nil {
		return nil, err
	}
	return &SequenceBatcher{seqs: seqs, sched: sched}, nil
}

// Next returns the next batch's tokens [B, T], in a newly allocated slice.
func (b *SequenceBatcher) Next() []int32 {
	_, idx := b.sched.next()
	out := make([]int32, 0, len(idx)*b.seqs.T)
	for _, i := range idx {
		out = append(out, b.seqs.Seq(int(i))...)
	}
	return out
}

// BatchesPerEpoch is N / B, rounded down.
func (b *SequenceBatcher) BatchesPerEpoch() int { return b.sched.n / b.sched.batchSize }

// State returns where the batcher stands (see ImageBatcher.State).
func (b *SequenceBatcher) State() BatcherState { return b.sched.state }

// Restore moves the batcher to st, as returned by State.
func (b *SequenceBatcher) Restore(st BatcherState) error {
	return b.sched.restore("SequenceBatcher.Restore", st)
}

// LMBatch is one validation batch of whole sequences: tokens [B, T] and a weight per row
// (1 for a real sequence, 0 for the filler that completes the last batch).
type LMBatch struct {
	BatchSize, SeqLen int
	Tokens            []int32
	RowWeights        []float32
}

// LMValidationBatches returns every sequence once, in order, as batches of B; the last batch
// is completed with copies of the first sequences at weight 0, so that every sequence counts
// exactly once in Σ weight·loss / Σ weight.
func LMValidationBatches(seqs *Sequences, batchSize int) ([]LMBatch, error) {
	if seqs == nil || seqs.Len() == 0 || batchSize < 1 {
		return nil, fmt.Errorf("data: LMValidationBatches: need at least one sequence and a positive batch size")
	}
	n := seqs.Len()
	var out []LMBatch
	for start := 0; start < n; start += batchSize {
		b := LMBatch{BatchSize: batchSize, SeqLen: seqs.T, Tokens: make([]int32, 0, batchSize*seqs.T), RowWeights: make([]float32, batchSize)}
		for row := range batchSize {
			i := start + row
			if i < n {
				b.RowWeights[row] = 1
			}
			b.Tokens = append(b.Tokens, seqs.Seq(i%n)...)
		}
		out = append(out, b)
	}
	return out, nil
}

// StrideSequences is a synthetic next-token task for tests and teaching: n sequences of t
// tokens over a vocabulary of v, each a random start followed by t_{i+1} = t_i + s (mod v)
// with a stride s ∈ {1, 2, 5} drawn per sequence. Only the first prediction is uncertain
// (the stride shows from the second token), so a model that reads its context reaches
// ln(3)/(t−1) nats per predicted token, against ln(v) for the (uniform) unigram distribution.
func StrideSequences(n, t, v int, seed uint64) *Sequences {
	rng := rand.New(rand.NewPCG(seed, 11))
	s := &Sequences{T: t, Tokens: make([]int32, 0, n*t)}
	for range n {
		x, step := int32(rng.IntN(v)), []int32{1, 2, 5}[rng.IntN(3)]
		for range t {
			s.Tokens = append(s.Tokens, x)
			x = (x + step) % int32(v)
		}
	}
	return s
}
