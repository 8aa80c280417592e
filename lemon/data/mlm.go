package data

import (
	"fmt"
	"math"
	"slices"
)

// BERT's masking rule: MaskRate of the maskable positions are selected; of those, MaskToMask
// become [MASK], MaskToRandom a random ordinary token, and the rest keep their token.
const (
	MaskRate     = 0.15
	MaskToMask   = 0.8
	MaskToRandom = 0.1
)

// maskStream keys the masking generator apart from the batch-order generator.
const maskStream = 0x6d61736b

// MaxPredictions is ceil(MaskRate*T), a safe M for sequences of length T: masking selects
// round(MaskRate * maskable positions) ≤ MaskRate*T of them.
func MaxPredictions(T int) int { return int(math.Ceil(MaskRate * float64(T))) }

// Sequences are token sequences of one length T packed for masked-LM training.
type Sequences struct {
	T      int
	Tokens []int32 // [N, T], each row [CLS] t_1 … t_{T-2} [SEP]
	Vocab  *Vocab  // vocabulary the ids belong to
}

// Pack concatenates the streams (e.g. one per document, in order) and cuts the result into
// sequences [CLS] + T-2 tokens + [SEP], dropping the final partial piece. Segment ids are all 0
// and no padding is needed; a sequence may span the boundary of two documents. Pack the
// training and validation splits separately so that no sequence mixes them.
func Pack(streams [][]int32, v *Vocab, T int) (*Sequences, error) {
	if T < 3 {
		return nil, fmt.Errorf("data: Pack: sequence length T=%d must be at least 3", T)
	}
	seqs := &Sequences{T: T, Vocab: v}
	body := make([]int32, 0, T-2)
	for _, s := range streams {
		for _, id := range s {
			body = append(body, id)
			if len(body) == T-2 {
				seqs.Tokens = append(seqs.Tokens, v.special.Cls)
				seqs.Tokens = append(seqs.Tokens, body...)
				seqs.Tokens = append(seqs.Tokens, v.special.Sep)
				body = body[:0]
			}
		}
	}
	if len(seqs.Tokens) == 0 {
		return nil, fmt.Errorf("data: Pack: streams hold fewer than T-2=%d tokens, not one sequence", T-2)
	}
	return seqs, nil
}

// Len is the number of sequences, N.
func (s *Sequences) Len() int { return len(s.Tokens) / s.T }

// Head returns the first n sequences (all of them when n ≥ Len), sharing memory with s.
func (s *Sequences) Head(n int) *Sequences {
	n = max(0, min(n, s.Len()))
	return &Sequences{T: s.T, Tokens: s.Tokens[:n*s.T], Vocab: s.Vocab}
}

// Seq returns sequence i, [T], sharing memory with s.
func (s *Sequences) Seq(i int) []int32 { return s.Tokens[i*s.T : (i+1)*s.T] }

// MLMBatch is one masked-LM batch: B sequences of length T with M prediction slots each.
// Slot j of sequence b asks for the original token MaskedLabels[b*M+j] at position
// MaskedPositions[b*M+j]; unused slots have position 0, label 0 ([PAD]) and weight 0. The
// loss is Σ weight·loss / Σ weight.
type MLMBatch struct {
	BatchSize, SeqLen, MaxPred int       // B, T, M
	TokenIDs                   []int32   // [B, T], after masking
	SegmentIDs                 []int32   // [B, T], all 0
	MaskedPositions            []int32   // [B, M]
	MaskedLabels               []int32   // [B, M]
	MaskedWeights              []float32 // [B, M], 1 for used slots, else 0
}

func newMLMBatch(b, t, m int) MLMBatch {
	return MLMBatch{BatchSize: b, SeqLen: t, MaxPred: m,
		TokenIDs: make([]int32, b*t), SegmentIDs: make([]int32, b*t),
		MaskedPositions: make([]int32, b*m), MaskedLabels: make([]int32, b*m), MaskedWeights: make([]float32, b*m)}
}

// fill writes seq, masked with r, into row row of the batch.
func (mb *MLMBatch) fill(row int, seq []int32, v *Vocab, r *rng) {
	tokens := mb.TokenIDs[row*mb.SeqLen : (row+1)*mb.SeqLen]
	copy(tokens, seq)
	sp := v.special
	var candidates []int32
	for p, id := range seq {
		if id != sp.Pad && id != sp.Cls && id != sp.Sep && id != sp.Mask {
			candidates = append(candidates, int32(p))
		}
	}
	if len(candidates) == 0 {
		return
	}
	n := min(mb.MaxPred, max(1, int(math.Round(MaskRate*float64(len(candidates))))))
	for i := range n { // partial Fisher–Yates: candidates[:n] is a uniform sample
		j := i + r.intn(len(candidates)-i)
		candidates[i], candidates[j] = candidates[j], candidates[i]
	}
	chosen := candidates[:n]
	slices.Sort(chosen)
	for j, p := range chosen {
		slot := row*mb.MaxPred + j
		mb.MaskedPositions[slot], mb.MaskedLabels[slot], mb.MaskedWeights[slot] = p, seq[p], 1
		switch u := r.float64(); {
		case u < MaskToMask:
			tokens[p] = sp.Mask
		case u < MaskToMask+MaskToRandom && len(v.normal) > 0:
			tokens[p] = v.normal[r.intn(len(v.normal))]
		}
	}
}

// MLMBatcher yields masked-LM training batches. Masking is dynamic but deterministic: sequence
// i in epoch e is masked by a generator keyed by (seed, e, i), so it differs between epochs,
// and a batcher restored to a state reproduces the batches exactly.
type MLMBatcher struct {
	seqs    *Sequences
	maxPred int
	seed    uint64
	sched   *schedule
}

// NewMLMBatcher returns a batcher over seqs with batch size B and M = maxPred slots per
// sequence (MaxPredictions(T) is a good choice). Order and epochs are as for
// NewImageBatcher.
func NewMLMBatcher(seqs *Sequences, batchSize, maxPred int, seed uint64, shuffle bool) (*MLMBatcher, error) {
	if maxPred < 1 || maxPred > seqs.T {
		return nil, fmt.Errorf("data: NewMLMBatcher: maxPred=%d must be in [1, T=%d]", maxPred, seqs.T)
	}
	sched, err := newSchedule("NewMLMBatcher", seqs.Len(), batchSize, seed, shuffle)
	if err != nil {
		return nil, err
	}
	return &MLMBatcher{seqs: seqs, maxPred: maxPred, seed: seed, sched: sched}, nil
}

// Next returns the next batch, in newly allocated slices.
func (b *MLMBatcher) Next() MLMBatch {
	epoch, idx := b.sched.next()
	mb := newMLMBatch(len(idx), b.seqs.T, b.maxPred)
	for row, i := range idx {
		mb.fill(row, b.seqs.Seq(int(i)), b.seqs.Vocab, newRNG(b.seed, maskStream, uint64(epoch), uint64(i)))
	}
	return mb
}

// BatchesPerEpoch is N / B, rounded down.
func (b *MLMBatcher) BatchesPerEpoch() int { return b.sched.n / b.sched.batchSize }

// State returns where the batcher stands (see ImageBatcher.State).
func (b *MLMBatcher) State() BatcherState { return b.sched.state }

// Restore moves the batcher to st, as returned by State.
func (b *MLMBatcher) Restore(st BatcherState) error { return b.sched.restore("MLMBatcher.Restore", st) }

// MLMValidationBatches masks every sequence once, with a generator keyed by (seed, i) only, and
// returns them in order as batches of B. The last batch is completed with copies of the first
// sequences whose weights are all 0, so every sequence counts exactly once in Σ weight·loss /
// Σ weight. With the same seqs and seed, every run sees the same masks: validation losses are
// comparable across runs.
func MLMValidationBatches(seqs *Sequences, batchSize, maxPred int, seed uint64) ([]MLMBatch, error) {
	if batchSize < 1 || maxPred < 1 || maxPred > seqs.T {
		return nil, fmt.Errorf("data: MLMValidationBatches: batch size %d must be positive and "+
			"maxPred=%d in [1, T=%d]", batchSize, maxPred, seqs.T)
	}
	n := seqs.Len()
	var batches []MLMBatch
	for start := 0; start < n; start += batchSize {
		mb := newMLMBatch(batchSize, seqs.T, maxPred)
		for row := range batchSize {
			i := start + row
			if i < n {
				mb.fill(row, seqs.Seq(i), seqs.Vocab, newRNG(seed, maskStream, uint64(i)))
				continue
			}
			copy(mb.TokenIDs[row*seqs.T:(row+1)*seqs.T], seqs.Seq(i%n)) // filler, weight 0
		}
		batches = append(batches, mb)
	}
	return batches, nil
}
