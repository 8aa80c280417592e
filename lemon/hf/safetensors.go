package hf

// A small safetensors reader and writer of our own. The format is one page long (an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
// then the raw little-endian data), and the only Go package for it on the module proxy is an
// unreleased pseudo-version that reads the whole file into memory; this project depends on
// released versions only. The reader validates everything the header claims before a byte of
// data is read, and reads each tensor straight from the file (ReadAt, in chunks) into the
// slice it decodes into, so a large file is read once and never held twice.
//
// Format: https://github.com/huggingface/safetensors (README, "Format").

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// MaxHeaderBytes bounds the JSON header, as the upstream implementation does (100 MB).
const MaxHeaderBytes = 100 << 20

// Safetensors dtype names.
const (
	F64  = "F64"
	F32  = "F32"
	F16  = "F16"
	BF16 = "BF16"
	I64  = "I64"
	I32  = "I32"
)

// dtypeSize is the size in bytes of every dtype the format defines; those this package can
// decode are F64, F32, F16, BF16 (as floats) and I64, I32 (as integers).
var dtypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, F16: 2, BF16: 2,
	I32: 4, "U32": 4, F32: 4,
	F64: 8, I64: 8, "U64": 8,
}

// TensorInfo is one tensor as a safetensors header describes it, with its byte range made
// absolute in the file.
type TensorInfo struct {
	Name       string
	DType      string
	Shape      []int
	Begin, End int64 // byte range in the file
}

// Size is the number of elements.
func (t TensorInfo) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is an open, validated safetensors file.
type File struct {
	Path     string
	Metadata map[string]string
	tensors  map[string]TensorInfo
	names    []string // in file order
	f        *os.File
}

// Open reads and validates the header of a safetensors file: its length against the file's,
// the JSON (no duplicate names), every dtype, shape and byte range (inside the data, no
// overlaps, no holes, each exactly as long as its shape and dtype say). The data is not read.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	st, err := parseHeader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	st.f = f
	return st, nil
}

// Close closes the file.
func (s *File) Close() error {
	if s == nil || s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Names lists the tensors in the order of their data in the file.
func (s *File) Names() []string { return slices.Clone(s.names) }

// Info returns a tensor's header entry.
func (s *File) Info(name string) (TensorInfo, bool) {
	t, ok := s.tensors[name]
	return t, ok
}

func parseHeader(f *os.File, path string) (*File, error) {
	name := filepath.Base(path)
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: %w", name, err)
	}
	size := fi.Size()
	if size < 8 {
		return nil, fmt.Errorf("safetensors %s: file is %d bytes, shorter than the 8-byte header length", name, size)
	}
	var lenBuf [8]byte
	if _, err := f.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("safetensors %s: reading the header length: %w", name, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderBytes {
		return nil, fmt.Errorf("safetensors %s: header length %d exceeds the %d-byte limit (not a safetensors file?)", name, n, MaxHeaderBytes)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("safetensors %s: header length %d is longer than the file's %d bytes after the length (truncated file?)", name, n, size-8)
	}
	header := make([]byte, n)
	if _, err := f.ReadAt(header, 8); err != nil {
		return nil, fmt.Errorf("safetensors %s: reading the header: %w", name, err)
	}
	st, err := decodeHeader(header, 8+int64(n), size, name)
	if err != nil {
		return nil, err
	}
	st.Path = path
	return st, nil
}

// decodeHeader parses the JSON header; dataStart is the file offset of the data buffer and
// size the file's length.
func decodeHeader(header []byte, dataStart, size int64, name string) (*File, error) {
	if len(bytes.TrimSpace(header)) == 0 || bytes.TrimLeft(header, " \t\r\n")[0] != '{' {
		return nil, fmt.Errorf("safetensors %s: header is not a JSON object", name)
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("safetensors %s: header: %w", name, err)
	}
	st := &File{tensors: map[string]TensorInfo{}}
	type entry struct {
		DType   *string  `json:"dtype"`
		Shape   *[]int64 `json:"shape"`
		Offsets *[]int64 `json:"data_offsets"`
	}
	dataLen := size - dataStart
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("safetensors %s: header: %w", name, err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("safetensors %s: header key %v is not a string", name, tok)
		}
		if key == "__metadata__" {
			if st.Metadata != nil {
				return nil, fmt.Errorf("safetensors %s: header has __metadata__ twice", name)
			}
			if err := dec.Decode(&st.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors %s: __metadata__ must map strings to strings: %v", name, err)
			}
			if st.Metadata == nil {
				st.Metadata = map[string]string{}
			}
			continue
		}
		if _, dup := st.tensors[key]; dup {
			return nil, fmt.Errorf("safetensors %s: tensor %q appears twice in the header", name, key)
		}
		var e entry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("safetensors %s: tensor %q: header entry: %v", name, key, err)
		}
		switch {
		case e.DType == nil:
			return nil, fmt.Errorf("safetensors %s: tensor %q has no dtype", name, key)
		case e.Shape == nil:
			return nil, fmt.Errorf("safetensors %s: tensor %q has no shape", name, key)
		case e.Offsets == nil || len(*e.Offsets) != 2:
			return nil, fmt.Errorf("safetensors %s: tensor %q needs data_offsets [begin, end]", name, key)
		}
		width, known := dtypeSize[*e.DType]
		if !known {
			return nil, fmt.Errorf("safetensors %s: tensor %q has unknown dtype %q", name, key, *e.DType)
		}
		count := int64(1)
		shape := make([]int, len(*e.Shape))
		for i, d := range *e.Shape {
			if d < 0 || d > math.MaxInt32 {
				return nil, fmt.Errorf("safetensors %s: tensor %q has shape %v: dimension %d out of range", name, key, *e.Shape, d)
			}
			shape[i] = int(d)
			if count > 0 && d > 0 && count > math.MaxInt64/16/d {
				return nil, fmt.Errorf("safetensors %s: tensor %q has shape %v: too many elements", name, key, *e.Shape)
			}
			count *= d
		}
		begin, end := (*e.Offsets)[0], (*e.Offsets)[1]
		if begin < 0 || end < begin || end > dataLen {
			return nil, fmt.Errorf("safetensors %s: tensor %q has data_offsets [%d, %d] outside the %d data bytes (truncated file?)", name, key, begin, end, dataLen)
		}
		if want := count * int64(width); end-begin != want {
			return nil, fmt.Errorf("safetensors %s: tensor %q spans %d bytes, but %s%v needs %d", name, key, end-begin, *e.DType, *e.Shape, want)
		}
		st.tensors[key] = TensorInfo{Name: key, DType: *e.DType, Shape: shape, Begin: dataStart + begin, End: dataStart + end}
		st.names = append(st.names, key)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("safetensors %s: header: %w", name, err)
	}
	if rest, _ := io.ReadAll(dec.Buffered()); len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("safetensors %s: header has trailing bytes after its JSON object", name)
	}
	// The data buffer must be exactly covered: sorted ranges, each starting where the last ended.
	sort.SliceStable(st.names, func(i, j int) bool {
		a, b := st.tensors[st.names[i]], st.tensors[st.names[j]]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		return a.End < b.End
	})
	at := dataStart
	for _, n := range st.names {
		t := st.tensors[n]
		if t.Begin < at {
			return nil, fmt.Errorf("safetensors %s: tensor %q's bytes [%d, %d] overlap the previous tensor's", name, n, t.Begin-dataStart, t.End-dataStart)
		}
		if t.Begin > at {
			return nil, fmt.Errorf("safetensors %s: %d bytes before tensor %q belong to no tensor", name, t.Begin-at, n)
		}
		at = t.End
	}
	if at != size {
		return nil, fmt.Errorf("safetensors %s: %d bytes after the last tensor belong to no tensor", name, size-at)
	}
	return st, nil
}

// chunk bounds each ReadAt, so decoding needs one small buffer and no copy of the tensor.
const chunk = 1 << 20

// ReadFloat64 reads a float tensor (F64, F32, F16 or BF16) as float64 values, exactly.
func (s *File) ReadFloat64(name string) ([]float64, []int, error) {
	t, ok := s.tensors[name]
	if !ok {
		return nil, nil, fmt.Errorf("safetensors %s: no tensor %q", filepath.Base(s.Path), name)
	}
	var decode func(b []byte) float64
	switch t.DType {
	case F64:
		decode = func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	case F32:
		decode = func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case F16:
		decode = func(b []byte) float64 { return halfToFloat64(binary.LittleEndian.Uint16(b)) }
	case BF16:
		decode = func(b []byte) float64 {
			return float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
		}
	default:
		return nil, nil, fmt.Errorf("safetensors %s: tensor %q has dtype %s; want a float (F64, F32, F16 or BF16)", filepath.Base(s.Path), name, t.DType)
	}
	out := make([]float64, t.Size())
	err := s.readElems(t, func(i int, b []byte) { out[i] = decode(b) })
	return out, t.Shape, err
}

// ReadInt64 reads an integer tensor (I64 or I32).
func (s *File) ReadInt64(name string) ([]int64, []int, error) {
	t, ok := s.tensors[name]
	if !ok {
		return nil, nil, fmt.Errorf("safetensors %s: no tensor %q", filepath.Base(s.Path), name)
	}
	var decode func(b []byte) int64
	switch t.DType {
	case I64:
		decode = func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) }
	case I32:
		decode = func(b []byte) int64 { return int64(int32(binary.LittleEndian.Uint32(b))) }
	default:
		return nil, nil, fmt.Errorf("safetensors %s: tensor %q has dtype %s; want I64 or I32", filepath.Base(s.Path), name, t.DType)
	}
	out := make([]int64, t.Size())
	err := s.readElems(t, func(i int, b []byte) { out[i] = decode(b) })
	return out, t.Shape, err
}

func (s *File) readElems(t TensorInfo, put func(i int, b []byte)) error {
	if s.f == nil {
		return fmt.Errorf("safetensors %s: file is closed", filepath.Base(s.Path))
	}
	width := dtypeSize[t.DType]
	buf := make([]byte, min(int64(chunk), t.End-t.Begin))
	i := 0
	for off := t.Begin; off < t.End; {
		n := min(int64(len(buf)), t.End-off)
		if _, err := s.f.ReadAt(buf[:n], off); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("safetensors %s: tensor %q: file ends inside its data (truncated?)", filepath.Base(s.Path), t.Name)
			}
			return fmt.Errorf("safetensors %s: tensor %q: %w", filepath.Base(s.Path), t.Name, err)
		}
		for p := int64(0); p < n; p += int64(width) {
			put(i, buf[p:p+int64(width)])
			i++
		}
		off += n
	}
	return nil
}

// halfToFloat64 converts an IEEE 754 binary16 value exactly.
func halfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// Tensor is one tensor to write: Data is []float64, []float32, []int64 or []int32, in
// row-major order; DType says how it is stored (F64, F32, I64, I32; floats may be narrowed from
// float64 to F32).
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  any
}

func (t Tensor) size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

func (t Tensor) length() int {
	switch d := t.Data.(type) {
	case []float64:
		return len(d)
	case []float32:
		return len(d)
	case []int64:
		return len(d)
	case []int32:
		return len(d)
	}
	return -1
}

// Write writes tensors (in the given order) and metadata to path as a safetensors file: into a
// temporary file beside it, synced, then renamed into place, so path is never half-written.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var offset int64
	for _, t := range tensors {
		if _, dup := header[t.Name]; dup || t.Name == "" {
			return fmt.Errorf("safetensors: tensor name %q is empty or repeated", t.Name)
		}
		width, ok := dtypeSize[t.DType]
		if !ok || !encodable(t) {
			return fmt.Errorf("safetensors: tensor %q: cannot write %T as %s", t.Name, t.Data, t.DType)
		}
		if t.length() != t.size() {
			return fmt.Errorf("safetensors: tensor %q has %d values for shape %v", t.Name, t.length(), t.Shape)
		}
		n := int64(t.size()) * int64(width)
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = map[string]any{"dtype": t.DType, "shape": shape, "data_offsets": []int64{offset, offset + n}}
		offset += n
	}
	hdr, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if pad := (8 - len(hdr)%8) % 8; pad > 0 { // the data starts 8-aligned, as upstream writes it
		hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
	w.Write(lenBuf[:])
	w.Write(hdr)
	for _, t := range tensors {
		writeData(w, t)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("safetensors: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("safetensors: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

func encodable(t Tensor) bool {
	switch t.Data.(type) {
	case []float64:
		return t.DType == F64 || t.DType == F32
	case []float32:
		return t.DType == F32 || t.DType == F64
	case []int64, []int32:
		return t.DType == I64 || t.DType == I32
	}
	return false
}

func writeData(w *bufio.Writer, t Tensor) {
	var b [8]byte
	putFloat := func(v float64) {
		if t.DType == F64 {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			w.Write(b[:8])
		} else {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(v)))
			w.Write(b[:4])
		}
	}
	putInt := func(v int64) {
		if t.DType == I64 {
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			w.Write(b[:8])
		} else {
			binary.LittleEndian.PutUint32(b[:], uint32(int32(v)))
			w.Write(b[:4])
		}
	}
	switch d := t.Data.(type) {
	case []float64:
		for _, v := range d {
			putFloat(v)
		}
	case []float32:
		for _, v := range d {
			putFloat(float64(v))
		}
	case []int64:
		for _, v := range d {
			putInt(v)
		}
	case []int32:
		for _, v := range d {
			putInt(int64(v))
		}
	}
}
