package expand

import (
	"fmt"
	"strings"
)

// Method is the expansion operator family. LEMON is the default; the others are the
// baselines a user wants side by side (docs/method.md#baselines).
type Method int

const (
	// LEMON (Wang et al. 2024): residual stream V_avg, LayerNorm gain η·V_rand and ε·η²,
	// fan-in columns split unequally at random (projection of the target's initializer onto
	// "copies sum to the source column"), new blocks with cancelling or zero writers.
	// Lossless for Pre-LN at any width D_T ≥ D_S; Post-LN needs D_T a multiple of D_S and is
	// exact up to O(ε/σ²) when layers are added.
	LEMON Method = iota
	// FPI is Net2Net / bert2BERT function-preserving initialisation: circular copies
	// everywhere (the residue channels copy the first channels), equal fan-in split W/n,
	// LayerNorm copied with ε kept, new blocks with zero writers. Lossless when D_T is a
	// multiple of D_S; lossy otherwise (the circular residue changes LayerNorm statistics).
	// Copies stay symmetric under training.
	FPI
	// AKI is bert2BERT's advanced knowledge initialisation: as FPI, but the new hidden units
	// and heads of layer l take their fan-in weights from layer l+1 (the top layer from
	// itself), and each new block is a full copy of the next source block. Lossy whenever F,
	// H or L grows.
	AKI
	// Stack is StackBERT: new blocks are full copies of the source blocks stacked on top
	// (block j copies block j mod L_S). Width uses LEMON's rules. Lossy whenever L grows.
	Stack
	// Zero gives every new unit zero output: new residual channels are zero, new hidden units
	// and heads have zero fan-out, new blocks zero writers (MSG-style, without MSG's masks).
	// Lossless when D is unchanged; when D grows the zero channels change the LayerNorm
	// statistics, so it is lossy.
	Zero
	// HyperClone (Samragh et al. 2024) clones width by an integer factor: D, F and H must be
	// multiples of the source's, depth unchanged; equal split, optionally plus paired noise
	// that sums to zero (Options.Noise). Lossless.
	HyperClone
)

var methodNames = []string{"lemon", "fpi", "aki", "stack", "zero", "hyperclone"}

// String implements fmt.Stringer.
func (m Method) String() string {
	switch m {
	case LEMON, FPI, AKI, Stack, Zero, HyperClone:
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod reads a method name as written by String (case-insensitive).
func ParseMethod(s string) (Method, error) {
	for i, name := range methodNames {
		if strings.EqualFold(s, name) {
			return Method(i), nil
		}
	}
	return 0, fmt.Errorf("expand: unknown method %q; known: %s", s, strings.Join(methodNames, ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Method) UnmarshalText(b []byte) error {
	v, err := ParseMethod(string(b))
	*m = v
	return err
}

// splitsEqually reports whether the method divides fan-in weights equally among copies.
func (m Method) splitsEqually() bool {
	switch m {
	case FPI, AKI, HyperClone:
		return true
	case LEMON, Stack, Zero:
		return false
	}
	panic(fmt.Sprintf("expand: unknown method %d", int(m)))
}

// Layout says where new blocks go when depth grows.
type Layout int

const (
	// Interleave is the LEMON reference layout: with L_S ≤ L_T ≤ 2L_S the first 2L_S−L_T
	// source blocks map one to one and every remaining block i is followed by a new block i′
	// (6→9: 1,2,3,4,4′,5,5′,6,6′). Beyond 2× each block gets ⌊L_T/L_S⌋ or one more copies,
	// the later blocks the extra ones.
	Interleave Layout = iota
	// Stacked puts the new blocks on top: block j ≥ L_S copies source block (j−L_S) mod L_S.
	Stacked
)

var layoutNames = []string{"interleave", "stack"}

// String implements fmt.Stringer.
func (l Layout) String() string {
	switch l {
	case Interleave, Stacked:
		return layoutNames[l]
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ParseLayout reads "interleave" or "stack".
func ParseLayout(s string) (Layout, error) {
	for i, name := range layoutNames {
		if strings.EqualFold(s, name) {
			return Layout(i), nil
		}
	}
	return 0, fmt.Errorf("expand: unknown layout %q; known: %s", s, strings.Join(layoutNames, ", "))
}

// Writers says how a new block's output writers (attention output and second MLP layer)
// make the block the identity.
type Writers int

const (
	// CancelWriters gives the copies of each unit writer rows that sum to zero ([A, −A] for two
	// copies), so gradients reach every weight at step one. Units with a single copy get zero
	// rows. Under an equal-split method this is the same as ZeroWriters.
	CancelWriters Writers = iota
	// ZeroWriters sets every writer weight and bias to zero.
	ZeroWriters
)

var writersNames = []string{"cancel", "zero"}

// String implements fmt.Stringer.
func (w Writers) String() string {
	switch w {
	case CancelWriters, ZeroWriters:
		return writersNames[w]
	}
	return fmt.Sprintf("Writers(%d)", int(w))
}

// ParseWriters reads "cancel" or "zero".
func ParseWriters(s string) (Writers, error) {
	for i, name := range writersNames {
		if strings.EqualFold(s, name) {
			return Writers(i), nil
		}
	}
	return 0, fmt.Errorf("expand: unknown writers %q; known: %s", s, strings.Join(writersNames, ", "))
}

// Exactness says how closely the target reproduces the source's logits.
type Exactness int

const (
	// Exact: equal up to floating-point rounding.
	Exact Exactness = iota
	// UpToEpsilon: equal up to O(ε/σ²) from LayerNorm ε (Post-LN with added blocks).
	UpToEpsilon
	// Lossy: the method does not preserve the function for this expansion.
	Lossy
)

// String implements fmt.Stringer.
func (e Exactness) String() string {
	switch e {
	case Exact:
		return "exact"
	case UpToEpsilon:
		return "exact up to O(ε/σ²)"
	case Lossy:
		return "lossy"
	}
	return fmt.Sprintf("Exactness(%d)", int(e))
}
