package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers: unsigned bytes, with 3 dimensions (images) or 1 dimension (labels).
const (
	idxMagicImages = 2051
	idxMagicLabels = 2049
	// idxMaxElements bounds what a header may claim, so a corrupt header cannot make us
	// allocate more than the largest sensible image file (4 GiB of pixels).
	idxMaxElements = 1 << 32
)

// ImageSet is a labelled image data set held in memory.
//
// Pixels is laid out as [N, H, W, C] (row-major, channels last), scaled to [0, 1] by LoadIDX and
// optionally standardised afterwards; Labels is [N] with values in [0, NumClasses).
type ImageSet struct {
	N, Height, Width, Channels int
	Pixels                     []float32
	Labels                     []int32
	NumClasses                 int
}

// ExampleSize is H*W*C, the number of pixels of one image.
func (s *ImageSet) ExampleSize() int { return s.Height * s.Width * s.Channels }

// LoadIDX reads an image file (IDX magic 2051, dims [N, H, W]) and a label file (magic 2049,
// dims [N]), each gzipped or plain (detected from the content, not the name). It checks magic
// numbers, dimensions, that both files hold exactly the bytes their headers promise, and that
// both hold the same N. NumClasses is the largest label plus one. Channels is 1.
func LoadIDX(imagesPath, labelsPath string) (*ImageSet, error) {
	return loadIDX("LoadIDX", imagesPath, labelsPath)
}

// loadIDX is LoadIDX with op, the name of the exported function, heading its errors.
func loadIDX(op, imagesPath, labelsPath string) (*ImageSet, error) {
	dims, pixels, err := readIDX(op, imagesPath, idxMagicImages, 3)
	if err != nil {
		return nil, err
	}
	labelDims, labelBytes, err := readIDX(op, labelsPath, idxMagicLabels, 1)
	if err != nil {
		return nil, err
	}
	if labelDims[0] != dims[0] {
		return nil, fmt.Errorf("data: %s: %s holds %d images but %s holds %d labels",
			op, imagesPath, dims[0], labelsPath, labelDims[0])
	}
	set := &ImageSet{N: dims[0], Height: dims[1], Width: dims[2], Channels: 1,
		Pixels: make([]float32, len(pixels)), Labels: make([]int32, len(labelBytes))}
	for i, b := range pixels {
		set.Pixels[i] = float32(b) / 255
	}
	for i, b := range labelBytes {
		set.Labels[i] = int32(b)
		set.NumClasses = max(set.NumClasses, int(b)+1)
	}
	return set, nil
}

// readIDX reads an unsigned-byte IDX file with the given magic and rank, returning its
// dimensions and payload.
func readIDX(op, path string, magic uint32, rank int) ([]int, []byte, error) {
	fail := func(format string, args ...any) ([]int, []byte, error) {
		return nil, nil, fmt.Errorf("data: %s %s: "+format, append([]any{op, path}, args...)...)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", op, err)
	}
	defer f.Close()
	r, err := maybeGunzip(bufio.NewReader(f))
	if err != nil {
		return fail("bad gzip stream: %w", err)
	}
	var gotMagic uint32
	if err := binary.Read(r, binary.BigEndian, &gotMagic); err != nil {
		return fail("truncated header: no magic number: %w", err)
	}
	if gotMagic != magic {
		return fail("magic number %d, want %d (wrong file or not an IDX file?)", gotMagic, magic)
	}
	header := make([]uint32, rank)
	if err := binary.Read(r, binary.BigEndian, header); err != nil {
		return fail("truncated header: %d dimensions expected: %w", rank, err)
	}
	dims := make([]int, rank)
	total := uint64(1)
	for i, d := range header {
		if d == 0 {
			return fail("dimension %d is zero", i)
		}
		dims[i] = int(d)
		total *= uint64(d)
		if total > idxMaxElements {
			return fail("header claims more than %d elements (dims %v)", uint64(idxMaxElements), header)
		}
	}
	// ReadAll grows its buffer with the data actually present, so a lying header costs nothing.
	payload, err := io.ReadAll(io.LimitReader(r, int64(total)+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fail("truncated: compressed stream ends early: %w", err)
	} else if err != nil {
		return fail("reading payload: %w", err)
	}
	switch {
	case uint64(len(payload)) < total:
		return fail("truncated: %d of %d payload bytes for dims %v", len(payload), total, dims)
	case uint64(len(payload)) > total:
		return fail("trailing bytes after the %d payload bytes for dims %v", total, dims)
	}
	return dims, payload, nil
}

// maybeGunzip returns a decompressing reader if r starts with the gzip magic bytes, else r.
func maybeGunzip(r *bufio.Reader) (io.Reader, error) {
	head, err := r.Peek(2)
	if err == nil && head[0] == 0x1f && head[1] == 0x8b {
		return gzip.NewReader(r)
	}
	return r, nil
}
