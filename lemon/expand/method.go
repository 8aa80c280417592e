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
	// SOLAR is depth up-scaling (Kim et al. 2023, SOLAR 10.7B): two copies of the source's
	// blocks, the last m of the first copy and the first m of the second dropped, so that
	// L_T = 2·(L_S − m); width uses LEMON's rules. Lossy by design: the blocks at the seam
	// read representations they were not trained on, and every block writes.
	SOLAR
	// LLaMAPro is LLaMA Pro's block expansion (Wu et al. 2024): depth only, one new block after
	// every L_S/P source blocks (P = L_T − L_S new blocks, which must divide L_S), each a copy
	// of the block before it with zero attention-output and MLP-output writers, so it starts
	// as the identity. Lossless for Pre-LN (exact up to O(ε/σ²) under Post-LN).
	LLaMAPro
)

// methodRule is one method as one row: its rule for every axis role and for new blocks, what
// makes it exact, the requests it refuses and its one-line doc. Every method-specific choice
// of the package reads this row; a Method without a row is refused by NewPlan (and ParseMethod),
// so an unknown method can never fall into another method's path.
type methodRule struct {
	name string // as ParseMethod reads it
	doc  string // one line

	// Width. What a D-sized axis holds beyond the tiled copies of the source's channels:
	// the residual stream, what LayerNorm outputs (and the tied decoder and top LayerNorm
	// read), the MLM dense layer's output and the pooled classifier input.
	residual, normed, dense, pooled kind
	// padded: new channels are appended after the source's instead of tiled copies (Zero).
	padded bool
	// etaRule: LayerNorm γ·η and ε·η² with η² = k·D/D* (LEMON's rule); else γ and ε kept.
	etaRule bool

	// Fan-in split among copies of one unit: equal (W/n), else LEMON's projection of the
	// target's random initialiser onto "copies sum to the source column". noisy: with
	// Options.Noise > 0 the equal split gets paired noise of that std that sums to zero.
	equalSplit, noisy bool

	// New units (hidden units and heads beyond the source's count): newUnits says what they
	// hold (kCopy: circular copies, kNext: the next block's units, kLive: fresh units with
	// zero fan-out); liveValueDims: V's head dims beyond d are fresh units too.
	newUnits      kind
	liveValueDims bool

	// Depth. stacked: new blocks go on top whatever Spec.Layout says; writers: the output
	// writers of new blocks; nextBlock: new blocks and new units read the next source block
	// (bert2BERT's AKI).
	stacked   bool
	solar     bool // SOLAR's layout: blocks 0 … L−m−1, then m … L−1
	spread    bool // LLaMA Pro's layout: a new block after every L_S/P source blocks
	writers   func(Writers) writerRule
	nextBlock bool

	// Requests refused (methods that promise exactness refuse what they cannot do exactly):
	// integerFactor: D, F and H must be multiples of the source's; widthOnly: depth is fixed;
	// depthOnly: every width (D, F, H, d) is fixed; indivisibleChecks: the residue checks of
	// Post-LN, the MLM transform and a Pre-LN embedding LayerNorm at indivisible width.
	integerFactor, widthOnly, depthOnly, indivisibleChecks bool

	// lossy lists why the method does not preserve the function for this expansion (empty:
	// exact, or exact up to ε under Post-LN identity blocks); added: the target has more blocks.
	lossy func(z sizes, added bool) []string
}

// cancelOrZero is LEMON's choice of new-block writers: cancelling pairs unless asked for zero.
func cancelOrZero(w Writers) writerRule {
	if w == ZeroWriters {
		return wZero
	}
	return wCancel
}

func always(r writerRule) func(Writers) writerRule { return func(Writers) writerRule { return r } }

// when returns reason as a one-element list if cond holds.
func when(cond bool, reason string) []string {
	if cond {
		return []string{reason}
	}
	return nil
}

const circularResidue = "circular residue channels change LayerNorm statistics (width not divisible)"

// methods is the table of methods, indexed by Method.
var methods = []methodRule{
	LEMON: {
		name: "lemon", doc: "LEMON: lossless at any width (Pre-LN), V_avg residue, η-scaled LayerNorm, unequal random split, cancelling or zero writers",
		residual: kMean, normed: kZero, dense: kCopy, pooled: kCopy, etaRule: true,
		newUnits: kCopy, writers: cancelOrZero, indivisibleChecks: true,
		lossy: func(sizes, bool) []string { return nil },
	},
	FPI: {
		name: "fpi", doc: "FPI (Net2Net / bert2BERT): circular copies, equal split, ε kept, zero writers; lossless at multiples of the width",
		residual: kCopy, normed: kCopy, dense: kCopy, pooled: kCopy, equalSplit: true,
		newUnits: kCopy, writers: always(wZero),
		lossy: func(z sizes, _ bool) []string { return when(z.r > 0, circularResidue) },
	},
	AKI: {
		name: "aki", doc: "AKI (bert2BERT): as FPI, but new units and blocks take the next block's weights; lossy when F, H or L grows",
		residual: kCopy, normed: kCopy, dense: kCopy, pooled: kCopy, equalSplit: true,
		newUnits: kNext, writers: always(wCopy), nextBlock: true,
		lossy: func(z sizes, added bool) []string {
			var why []string
			why = append(why, when(z.r > 0, circularResidue)...)
			why = append(why, when(z.src.Layers > 1 && (z.tgt.MLPDim > z.src.MLPDim || z.tgt.Heads > z.src.Heads),
				"new hidden units and heads compute the next block's features")...) // the top block takes from itself
			return append(why, when(added, "new blocks are full copies of the next block")...)
		},
	},
	Stack: {
		name: "stack", doc: "StackBERT: LEMON's width rules, new blocks are copies stacked on top; lossy when L grows",
		residual: kMean, normed: kZero, dense: kCopy, pooled: kCopy, etaRule: true,
		newUnits: kCopy, stacked: true, writers: always(wCopy), indivisibleChecks: true,
		lossy: func(_ sizes, added bool) []string {
			return when(added, "stacked blocks are full copies that add their outputs")
		},
	},
	Zero: {
		name: "zero", doc: "Zero: new channels zero, new units with zero fan-out, zero writers; lossy when D grows",
		residual: kZero, normed: kZero, dense: kZero, pooled: kLive, padded: true,
		newUnits: kLive, liveValueDims: true, writers: always(wZero),
		lossy: func(z sizes, _ bool) []string {
			return when(z.widthGrows(), "zero residual channels change LayerNorm mean and variance")
		},
	},
	HyperClone: {
		name: "hyperclone", doc: "HyperCloning: width ×integer factors, equal split with optional paired noise; lossless",
		residual: kMean, normed: kZero, dense: kCopy, pooled: kCopy, etaRule: true, equalSplit: true, noisy: true,
		newUnits: kCopy, writers: always(wZero), integerFactor: true, widthOnly: true, indivisibleChecks: true,
		lossy: func(sizes, bool) []string { return nil },
	},
	SOLAR: {
		name: "solar", doc: "SOLAR depth up-scaling: two copies of the blocks, m dropped at the seam (L_T = 2·(L_S − m)); lossy by design",
		residual: kMean, normed: kZero, dense: kCopy, pooled: kCopy, etaRule: true,
		newUnits: kCopy, solar: true, writers: always(wCopy), indivisibleChecks: true,
		lossy: func(_ sizes, added bool) []string {
			return when(added, "the second copy's blocks add their outputs again, and the seam's blocks read representations they were not trained on")
		},
	},
	LLaMAPro: {
		name: "llama-pro", doc: "LLaMA Pro block expansion: depth only, a copy of every (L_S/P)-th block with zero writers after it; lossless",
		residual: kMean, normed: kZero, dense: kCopy, pooled: kCopy, etaRule: true,
		newUnits: kCopy, spread: true, writers: always(wZero), depthOnly: true,
		lossy: func(sizes, bool) []string { return nil },
	},
}

// row is m's row of the table; only NewPlan's callers reach it, after valid.
func (m Method) row() *methodRule {
	if !m.valid() {
		panic(fmt.Sprintf("expand: unknown method %d (NewPlan refuses it)", int(m)))
	}
	return &methods[m]
}

// valid reports whether m has a row in the table.
func (m Method) valid() bool { return m >= 0 && int(m) < len(methods) && methods[m].name != "" }

// Methods lists every method, in table order.
func Methods() []Method {
	var out []Method
	for i := range methods {
		if Method(i).valid() {
			out = append(out, Method(i))
		}
	}
	return out
}

// String implements fmt.Stringer.
func (m Method) String() string {
	if m.valid() {
		return methods[m].name
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Doc is the method's one-line description.
func (m Method) Doc() string {
	if m.valid() {
		return methods[m].doc
	}
	return "unknown method"
}

// WidthOnly reports whether the method grows width only (depth must stay), as HyperClone.
func (m Method) WidthOnly() bool { return m.valid() && methods[m].widthOnly }

// TakesNoise reports whether the method accepts Options.Noise.
func (m Method) TakesNoise() bool { return m.valid() && methods[m].noisy }

// ParseMethod reads a method name as written by String (case-insensitive).
func ParseMethod(s string) (Method, error) {
	var names []string
	for _, m := range Methods() {
		if strings.EqualFold(s, m.String()) {
			return m, nil
		}
		names = append(names, m.String())
	}
	return 0, fmt.Errorf("expand: unknown method %q; known: %s", s, strings.Join(names, ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Method) UnmarshalText(b []byte) error {
	v, err := ParseMethod(string(b))
	*m = v
	return err
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

// noisyMethods lists the methods that take Options.Noise.
func noisyMethods() []Method {
	var out []Method
	for _, m := range Methods() {
		if m.TakesNoise() {
			out = append(out, m)
		}
	}
	return out
}

// joinMethods is "a, b and c".
func joinMethods(ms []Method) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.String()
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
