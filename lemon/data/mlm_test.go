package data

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

// toySequences packs n sequences of length T whose body tokens cycle through the ordinary toy
// tokens, spread over two streams.
func toySequences(t *testing.T, n, T int) *Sequences {
	t.Helper()
	v := toyVocab(t)
	var stream []int32
	for i := range n * (T - 2) {
		stream = append(stream, v.normal[i%len(v.normal)])
	}
	half := len(stream) / 2
	seqs, err := Pack([][]int32{stream[:half], stream[half:]}, v, T)
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestPack(t *testing.T) {
	v := toyVocab(t)
	seqs, err := Pack([][]int32{{10, 11, 12}, {13}, {14, 15, 16}}, v, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Bodies of T-2 = 3 tokens across document boundaries; the last token (16) is dropped.
	want := []int32{2, 10, 11, 12, 3, 2, 13, 14, 15, 3}
	if seqs.Len() != 2 || !slices.Equal(seqs.Tokens, want) {
		t.Errorf("Pack gave %d sequences %v, want %v", seqs.Len(), seqs.Tokens, want)
	}
	if _, err := Pack([][]int32{{10}}, v, 5); err == nil {
		t.Error("Pack accepted too few tokens for one sequence")
	}
	if _, err := Pack([][]int32{{10, 11}}, v, 2); err == nil {
		t.Error("Pack accepted T = 2")
	}
}

func TestMLMMaskingFollowsBERTRule(t *testing.T) {
	const n, T = 400, 64
	seqs := toySequences(t, n, T)
	M := MaxPredictions(T)
	b, err := NewMLMBatcher(seqs, 50, M, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	sp := seqs.Vocab.Special()
	wantPerSeq := int(math.Round(MaskRate * (T - 2))) // 9 of the 62 body tokens
	var masked, random, kept, total int
	for range b.BatchesPerEpoch() {
		mb := b.Next()
		for row := range mb.BatchSize {
			tokens := mb.TokenIDs[row*T : (row+1)*T]
			if tokens[0] != sp.Cls || tokens[T-1] != sp.Sep {
				t.Fatalf("row %d lost [CLS]/[SEP]: %v", row, tokens)
			}
			used := 0
			for j := range M {
				slot := row*M + j
				if mb.MaskedWeights[slot] == 0 {
					if mb.MaskedPositions[slot] != 0 || mb.MaskedLabels[slot] != 0 {
						t.Fatalf("unused slot %d has position %d, label %d", j, mb.MaskedPositions[slot], mb.MaskedLabels[slot])
					}
					continue
				}
				used++
				p, label := mb.MaskedPositions[slot], mb.MaskedLabels[slot]
				if p == 0 || p == T-1 || (j > 0 && p <= mb.MaskedPositions[slot-1]) {
					t.Fatalf("slot %d: position %d (special or unsorted)", j, p)
				}
				switch tok := tokens[p]; {
				case tok == sp.Mask:
					masked++
				case tok == label:
					kept++
				case seqs.Vocab.IsSpecial(tok):
					t.Fatalf("random replacement drew special token %d", tok)
				default:
					random++
				}
			}
			if used != wantPerSeq {
				t.Fatalf("row %d: %d masked positions, want %d", row, used, wantPerSeq)
			}
			total += used
		}
	}
	// 3600 selections: the standard error of each fraction is below 0.007.
	for name, got := range map[string]struct{ frac, want float64 }{
		"[MASK]": {float64(masked) / float64(total), MaskToMask},
		"random": {float64(random) / float64(total), MaskToRandom},
		"kept":   {float64(kept) / float64(total), 1 - MaskToMask - MaskToRandom},
	} {
		if math.Abs(got.frac-got.want) > 0.03 {
			t.Errorf("%s fraction %.3f, want %.2f ± 0.03", name, got.frac, got.want)
		}
	}
}

func TestMLMAtLeastOnePrediction(t *testing.T) {
	seqs := toySequences(t, 4, 4) // 2 body tokens: round(0.3) = 0, raised to 1
	b, err := NewMLMBatcher(seqs, 4, 2, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	mb := b.Next()
	for row := range 4 {
		if w := mb.MaskedWeights[row*2 : row*2+2]; w[0] != 1 || w[1] != 0 {
			t.Errorf("row %d weights %v, want [1 0]", row, w)
		}
	}
}

func TestMLMBatcherDeterministicAndResumable(t *testing.T) {
	seqs := toySequences(t, 10, 16)
	newBatcher := func(seed uint64) *MLMBatcher {
		b, err := NewMLMBatcher(seqs, 3, MaxPredictions(16), seed, true)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ref := newBatcher(5)
	var first []MLMBatch
	for range 7 { // into the third epoch (3 batches per epoch)
		first = append(first, ref.Next())
	}
	again := newBatcher(5)
	for i := range 7 {
		if got := again.Next(); !reflect.DeepEqual(got, first[i]) {
			t.Fatalf("batch %d differs between two batchers with seed 5", i)
		}
	}
	if got := newBatcher(6).Next(); reflect.DeepEqual(got, first[0]) {
		t.Error("seeds 5 and 6 give the same first batch")
	}

	resumed := newBatcher(5)
	st := BatcherState{Epoch: 1, Position: 3} // what ref.State() was after 4 batches
	if err := resumed.Restore(st); err != nil {
		t.Fatal(err)
	}
	for i := 4; i < 7; i++ {
		if got := resumed.Next(); !reflect.DeepEqual(got, first[i]) {
			t.Fatalf("after Restore(%+v), batch %d differs", st, i)
		}
	}
	if _, err := NewMLMBatcher(seqs, 3, 17, 0, true); err == nil {
		t.Error("maxPred > T accepted")
	}
}

func TestMLMMasksChangeBetweenEpochs(t *testing.T) {
	seqs := toySequences(t, 4, 32)
	b, _ := NewMLMBatcher(seqs, 4, MaxPredictions(32), 1, false) // same order each epoch
	e0, e1 := b.Next(), b.Next()
	if slices.Equal(e0.MaskedPositions, e1.MaskedPositions) {
		t.Error("epochs 0 and 1 mask the same positions: masking is not dynamic")
	}
}

func TestMLMValidationBatches(t *testing.T) {
	seqs := toySequences(t, 7, 16)
	M := MaxPredictions(16)
	batches, err := MLMValidationBatches(seqs, 3, M, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 3 {
		t.Fatalf("%d batches for 7 sequences of batch size 3, want 3", len(batches))
	}
	again, _ := MLMValidationBatches(seqs, 3, M, 11)
	if !reflect.DeepEqual(batches, again) {
		t.Error("validation batches differ between calls with the same seed")
	}
	last := batches[2] // holds sequence 6, then two weightless fillers
	for row := range 3 {
		var weight float32
		for _, w := range last.MaskedWeights[row*M : (row+1)*M] {
			weight += w
		}
		if (row == 0) != (weight > 0) {
			t.Errorf("last batch row %d has total weight %g", row, weight)
		}
	}
	if _, err := MLMValidationBatches(seqs, 0, M, 11); err == nil {
		t.Error("batch size 0 accepted")
	}
}

func TestSequencesHead(t *testing.T) {
	s := &Sequences{T: 2, Tokens: []int32{1, 2, 3, 4, 5, 6}}
	for n, want := range map[int]int{0: 0, 2: 2, 3: 3, 9: 3, -1: 0} {
		h := s.Head(n)
		if h.Len() != want || h.T != 2 || (want > 0 && h.Seq(want - 1)[1] != int32(2*want)) {
			t.Errorf("Head(%d): %d sequences %v, want %d", n, h.Len(), h.Tokens, want)
		}
	}
}
