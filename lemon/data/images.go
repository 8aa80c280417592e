package data

import (
	"fmt"
	"math"
)

// Standardize maps every pixel x to (x - mean) / std, in place. Use the training set's
// statistics (MeanStd, or the MNISTMean/MNISTStd constants) for the test set too. It panics if
// std is not positive.
func (s *ImageSet) Standardize(mean, std float32) {
	if !(std > 0) {
		panic(fmt.Sprintf("data: ImageSet.Standardize: std must be positive, got %g", std))
	}
	inv := 1 / std
	for i, x := range s.Pixels {
		s.Pixels[i] = (x - mean) * inv
	}
}

// MeanStd returns the mean and (population) standard deviation over all pixels of the set.
func (s *ImageSet) MeanStd() (mean, std float32) {
	if len(s.Pixels) == 0 {
		return 0, 0
	}
	var sum, sumSq float64
	for _, x := range s.Pixels {
		sum += float64(x)
		sumSq += float64(x) * float64(x)
	}
	n := float64(len(s.Pixels))
	m := sum / n
	return float32(m), float32(math.Sqrt(max(sumSq/n-m*m, 0)))
}

// Subset returns a copy of the first n examples (all of them if n >= N).
func (s *ImageSet) Subset(n int) *ImageSet {
	first, _ := s.Split(n)
	return first
}

// Split returns copies of the first n examples and of the rest, e.g. to hold out a validation
// set from the end of a training set. n is clamped to [0, N]. NumClasses is kept in both.
func (s *ImageSet) Split(n int) (first, rest *ImageSet) {
	n = min(max(n, 0), s.N)
	return s.slice(0, n), s.slice(n, s.N)
}

func (s *ImageSet) slice(from, to int) *ImageSet {
	size := s.ExampleSize()
	out := *s
	out.N = to - from
	out.Pixels = append([]float32(nil), s.Pixels[from*size:to*size]...)
	out.Labels = append([]int32(nil), s.Labels[from:to]...)
	return &out
}

// ImageBatcher yields batches of images in a deterministic order (see BatcherState).
type ImageBatcher struct {
	set   *ImageSet
	sched *schedule
}

// NewImageBatcher returns a batcher over set. With shuffle, every epoch visits the examples in
// a fresh order determined by (seed, epoch) alone; without, in file order. Each epoch yields
// N/batchSize (rounded down) full batches. It fails if batchSize is not in [1, N].
func NewImageBatcher(set *ImageSet, batchSize int, seed uint64, shuffle bool) (*ImageBatcher, error) {
	sched, err := newSchedule("NewImageBatcher", set.N, batchSize, seed, shuffle)
	if err != nil {
		return nil, err
	}
	return &ImageBatcher{set: set, sched: sched}, nil
}

// Next returns the next batch: pixels [B, H, W, C] and labels [B], in newly allocated slices.
func (b *ImageBatcher) Next() (pixels []float32, labels []int32) {
	_, idx := b.sched.next()
	size := b.set.ExampleSize()
	pixels = make([]float32, 0, len(idx)*size)
	labels = make([]int32, len(idx))
	for i, j := range idx {
		pixels = append(pixels, b.set.Pixels[int(j)*size:(int(j)+1)*size]...)
		labels[i] = b.set.Labels[j]
	}
	return pixels, labels
}

// BatchesPerEpoch is N / B, rounded down.
func (b *ImageBatcher) BatchesPerEpoch() int { return b.sched.n / b.sched.batchSize }

// State returns where the batcher stands; Restore(State()) on a batcher built with the same
// set, batch size, seed and shuffle flag resumes with the same batches.
func (b *ImageBatcher) State() BatcherState { return b.sched.state }

// Restore moves the batcher to st, as returned by State.
func (b *ImageBatcher) Restore(st BatcherState) error {
	return b.sched.restore("ImageBatcher.Restore", st)
}
