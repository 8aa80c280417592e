package data

import (
	"slices"
	"testing"
)

// TestSequenceBatcher: whole sequences in a seeded order, resumable exactly from a state;
// validation batches count every sequence once (filler rows at weight 0).
func TestSequenceBatcher(t *testing.T) {
	s := &Sequences{T: 3}
	for i := range 10 {
		s.Tokens = append(s.Tokens, int32(3*i), int32(3*i+1), int32(3*i+2))
	}
	b, err := NewSequenceBatcher(s, 4, 7, true)
	if err != nil {
		t.Fatal(err)
	}
	first := b.Next()
	if len(first) != 12 || first[0]%3 != 0 || first[1] != first[0]+1 {
		t.Fatalf("a batch is whole sequences: %v", first)
	}
	st := b.State()
	want := [][]int32{b.Next(), b.Next(), b.Next()} // crosses into epoch 1
	again, _ := NewSequenceBatcher(s, 4, 7, true)
	if err := again.Restore(st); err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if got := again.Next(); !slices.Equal(got, w) {
			t.Errorf("batch %d after Restore: %v, want %v", i, got, w)
		}
	}
	if _, err := NewSequenceBatcher(s, 11, 7, true); err == nil {
		t.Error("a batch larger than the set was accepted")
	}
	vb, err := LMValidationBatches(s, 4)
	if err != nil {
		t.Fatal(err)
	}
	total := float32(0)
	for _, v := range vb {
		for _, w := range v.RowWeights {
			total += w
		}
	}
	if len(vb) != 3 || total != 10 || vb[2].RowWeights[2] != 0 || vb[2].Tokens[6] != 0 {
		t.Errorf("%d validation batches of total weight %g (want 3, 10, filler from sequence 0)", len(vb), total)
	}
}

// TestStrideSequences: every sequence steps by one stride of {1, 2, 5} modulo the vocabulary.
func TestStrideSequences(t *testing.T) {
	s := StrideSequences(50, 6, 7, 3)
	if s.Len() != 50 || s.T != 6 {
		t.Fatalf("%d sequences of %d", s.Len(), s.T)
	}
	for i := range s.Len() {
		q := s.Seq(i)
		step := (q[1] - q[0] + 7) % 7
		for j := 1; j < len(q); j++ {
			if (q[j]-q[j-1]+7)%7 != step || q[j] < 0 || q[j] >= 7 {
				t.Fatalf("sequence %d is not a stride progression: %v", i, q)
			}
		}
		if step != 1 && step != 2 && step != 5 {
			t.Fatalf("sequence %d has stride %d", i, step)
		}
	}
}
