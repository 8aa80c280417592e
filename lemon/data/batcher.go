package data

import "fmt"

// BatcherState is where a batcher stands: the epoch (counting from 0) and the position of the
// next example in that epoch's order. It is a plain value, so a training checkpoint can store
// it (it marshals to JSON) and Restore it to resume with exactly the batches that would have
// come next.
type BatcherState struct {
	Epoch    int `json:"epoch"`
	Position int `json:"position"`
}

// schedule yields the example indices of successive batches. Epoch e visits the N examples in
// the order given by a permutation keyed by (seed, e), or in file order if shuffle is false.
// Every batch is full: the last N mod B examples of an epoch's order are skipped (a fresh
// permutation next epoch reaches them), so batch shapes never change.
type schedule struct {
	n, batchSize int
	seed         uint64
	shuffle      bool
	state        BatcherState
	order        []int32 // order of the current epoch
}

func newSchedule(op string, n, batchSize int, seed uint64, shuffle bool) (*schedule, error) {
	if batchSize <= 0 || batchSize > n {
		return nil, fmt.Errorf("data: %s: batch size %d must be in [1, %d], the number of examples", op, batchSize, n)
	}
	s := &schedule{n: n, batchSize: batchSize, seed: seed, shuffle: shuffle}
	s.order = s.orderOf(0)
	return s, nil
}

func (s *schedule) orderOf(epoch int) []int32 {
	return newRNG(s.seed, uint64(epoch)).permutation(s.n, s.shuffle)
}

// next returns the epoch and the example indices of the next batch, moving to the next epoch
// when the current one cannot fill a batch.
func (s *schedule) next() (epoch int, batch []int32) {
	if s.state.Position+s.batchSize > s.n {
		s.state = BatcherState{Epoch: s.state.Epoch + 1}
		s.order = s.orderOf(s.state.Epoch)
	}
	batch = s.order[s.state.Position : s.state.Position+s.batchSize]
	s.state.Position += s.batchSize
	return s.state.Epoch, batch
}

func (s *schedule) restore(op string, st BatcherState) error {
	if st.Epoch < 0 || st.Position < 0 || st.Position > s.n {
		return fmt.Errorf("data: %s: state %+v out of range for %d examples", op, st, s.n)
	}
	s.state = st
	s.order = s.orderOf(st.Epoch)
	return nil
}
