package data

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// indexedSet returns n 1×1 images whose single pixel is the example index, so batches reveal
// which examples they hold.
func indexedSet(n int) *ImageSet {
	s := &ImageSet{N: n, Height: 1, Width: 1, Channels: 1, NumClasses: n}
	for i := range n {
		s.Pixels = append(s.Pixels, float32(i))
		s.Labels = append(s.Labels, int32(i))
	}
	return s
}

func TestStandardizeAndMeanStd(t *testing.T) {
	s := &ImageSet{N: 1, Height: 2, Width: 2, Channels: 1, Pixels: []float32{0, 0.5, 0.5, 1}, Labels: []int32{0}}
	mean, std := s.MeanStd()
	// Hand-computed: mean 0.5, variance (0.25+0+0+0.25)/4 = 0.125.
	if math.Abs(float64(mean)-0.5) > 1e-7 || math.Abs(float64(std)-math.Sqrt(0.125)) > 1e-7 {
		t.Fatalf("MeanStd = %g, %g; want 0.5, %g", mean, std, math.Sqrt(0.125))
	}
	s.Standardize(mean, std)
	if mean, std = s.MeanStd(); math.Abs(float64(mean)) > 1e-6 || math.Abs(float64(std)-1) > 1e-6 {
		t.Errorf("after Standardize: mean %g, std %g; want 0, 1", mean, std)
	}
	defer func() {
		if recover() == nil {
			t.Error("Standardize(0, 0) did not panic")
		}
	}()
	s.Standardize(0, 0)
}

func TestSplitAndSubsetCopy(t *testing.T) {
	s := indexedSet(10)
	first, rest := s.Split(7)
	if first.N != 7 || rest.N != 3 || rest.Pixels[0] != 7 || rest.Labels[2] != 9 || rest.NumClasses != 10 {
		t.Fatalf("Split(7): first N=%d, rest N=%d, rest pixels %v", first.N, rest.N, rest.Pixels)
	}
	first.Pixels[0] = 42
	if s.Pixels[0] != 0 {
		t.Error("Split shares memory with its input")
	}
	if got := s.Subset(100).N; got != 10 {
		t.Errorf("Subset(100).N = %d, want 10", got)
	}
	if got := s.Subset(-1).N; got != 0 {
		t.Errorf("Subset(-1).N = %d, want 0", got)
	}
}

// collect returns the example indices (pixel values) of the next k batches.
func collect(t *testing.T, b *ImageBatcher, k int) [][]int {
	t.Helper()
	var out [][]int
	for range k {
		pixels, labels := b.Next()
		batch := make([]int, len(pixels))
		for i, p := range pixels {
			batch[i] = int(p)
			if labels[i] != int32(p) {
				t.Fatalf("label %d travels with image %g", labels[i], p)
			}
		}
		out = append(out, batch)
	}
	return out
}

func TestImageBatcherEpochs(t *testing.T) {
	const n, b = 12, 4
	batcher, err := NewImageBatcher(indexedSet(n), b, 7, true)
	if err != nil {
		t.Fatal(err)
	}
	var epochs [][]int
	for range 3 {
		epoch := slices.Concat(collect(t, batcher, n/b)...)
		sorted := slices.Sorted(slices.Values(epoch))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %v is not a permutation of 0..%d", epoch, n-1)
			}
		}
		epochs = append(epochs, epoch)
	}
	if slices.Equal(epochs[0], epochs[1]) || slices.Equal(epochs[1], epochs[2]) {
		t.Errorf("epochs are not reshuffled: %v", epochs)
	}
	again, _ := NewImageBatcher(indexedSet(n), b, 7, true)
	if got := slices.Concat(collect(t, again, n/b)...); !slices.Equal(got, epochs[0]) {
		t.Errorf("same seed, different order: %v vs %v", got, epochs[0])
	}
	other, _ := NewImageBatcher(indexedSet(n), b, 8, true)
	if got := slices.Concat(collect(t, other, n/b)...); slices.Equal(got, epochs[0]) {
		t.Errorf("seeds 7 and 8 give the same order %v", got)
	}
}

func TestImageBatcherInOrderDropsPartialBatch(t *testing.T) {
	batcher, err := NewImageBatcher(indexedSet(5), 2, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, batcher, 3)
	want := [][]int{{0, 1}, {2, 3}, {0, 1}} // example 4 cannot fill a batch
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	if st := batcher.State(); st != (BatcherState{Epoch: 1, Position: 2}) {
		t.Errorf("State() = %+v, want epoch 1, position 2", st)
	}
	if batcher.BatchesPerEpoch() != 2 {
		t.Errorf("BatchesPerEpoch() = %d, want 2", batcher.BatchesPerEpoch())
	}
}

func TestImageBatcherRestoreResumesExactly(t *testing.T) {
	const n, b = 10, 3
	ref, _ := NewImageBatcher(indexedSet(n), b, 99, true)
	collect(t, ref, 4) // into the second epoch
	saved, err := json.Marshal(ref.State())
	if err != nil {
		t.Fatal(err)
	}
	want := collect(t, ref, 5)

	resumed, _ := NewImageBatcher(indexedSet(n), b, 99, true)
	var st BatcherState
	if err := json.Unmarshal(saved, &st); err != nil {
		t.Fatal(err)
	}
	if err := resumed.Restore(st); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, resumed, 5); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after Restore(%s): got %v, want %v", saved, got, want)
	}
	if err := resumed.Restore(BatcherState{Epoch: 0, Position: n + 1}); err == nil {
		t.Error("Restore accepted a position past the end")
	}
}

func TestNewImageBatcherRejectsBadBatchSize(t *testing.T) {
	for _, b := range []int{0, -1, 11} {
		if _, err := NewImageBatcher(indexedSet(10), b, 0, true); err == nil {
			t.Errorf("batch size %d accepted for 10 examples", b)
		}
	}
}
