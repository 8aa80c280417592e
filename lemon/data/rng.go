package data

import "math/bits"

// rng is a small deterministic generator (SplitMix64). Its sequence is fixed by this file rather
// than by the Go release, so a seed reproduces the same batches and masks on every toolchain.
type rng struct{ state uint64 }

// newRNG returns a generator keyed by all of keys (e.g. seed, epoch, example index): changing any
// key gives an unrelated stream, which is what lets batchers jump to any epoch without replaying.
func newRNG(keys ...uint64) *rng {
	s := uint64(0x243f6a8885a308d3)
	for _, k := range keys {
		s = mix64(s ^ k + golden)
	}
	return &rng{state: s}
}

const golden = 0x9e3779b97f4a7c15

// mix64 is the SplitMix64 output function.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) next() uint64 {
	r.state += golden
	return mix64(r.state)
}

// intn returns a uniform integer in [0, n) (Lemire's multiply-shift with rejection); n > 0.
func (r *rng) intn(n int) int {
	un := uint64(n)
	hi, lo := bits.Mul64(r.next(), un)
	if lo < un {
		threshold := -un % un
		for lo < threshold {
			hi, lo = bits.Mul64(r.next(), un)
		}
	}
	return int(hi)
}

// float64 returns a uniform number in [0, 1).
func (r *rng) float64() float64 {
	return float64(r.next()>>11) / (1 << 53)
}

// permutation returns 0..n-1, shuffled (Fisher–Yates) when shuffle is true.
func (r *rng) permutation(n int, shuffle bool) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	if shuffle {
		for i := n - 1; i > 0; i-- {
			j := r.intn(i + 1)
			p[i], p[j] = p[j], p[i]
		}
	}
	return p
}
