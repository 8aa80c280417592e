package expand

import (
	"fmt"
	"math"
	"strings"

	"github.com/golemon/golemon/lemon/arch"
)

// Spec is the requested target size. Zero fields keep the source's value.
type Spec struct {
	Width   int // D_T, residual stream
	MLPDim  int // F_T, MLP hidden size
	Heads   int // H_T
	HeadDim int // d_T
	Layers  int // L_T
	// Layout of new blocks when Layers grows (ignored by Stack, which always stacks).
	Layout Layout
	// NewWriters: how new blocks are made the identity (LEMON only; FPI and Zero use zero
	// writers, AKI and Stack copy full blocks).
	NewWriters Writers
}

// SpecOf returns the Spec that expands to the encoder sizes of e.
func SpecOf(e arch.Encoder) Spec {
	return Spec{Width: e.Width, MLPDim: e.MLPDim, Heads: e.Heads, HeadDim: e.HeadDim, Layers: e.Layers}
}

// String is a one-line description, e.g. "D=768 F=3072 H=12 d=64 L=12 interleave cancel".
func (s Spec) String() string {
	f := func(name string, v int) string {
		if v == 0 {
			return name + "=keep"
		}
		return fmt.Sprintf("%s=%d", name, v)
	}
	return strings.Join([]string{f("D", s.Width), f("F", s.MLPDim), f("H", s.Heads), f("d", s.HeadDim),
		f("L", s.Layers), s.Layout.String(), s.NewWriters.String()}, " ")
}

// Options are the knobs that do not change the target's shape.
type Options struct {
	// Seed of every random choice (LEMON's projection of the target initializer, random
	// residue rows, new units). The same seed gives the same target on every machine.
	Seed uint64
	// Noise is the standard deviation of HyperClone's paired noise (0: plain equal split).
	Noise float64
	// Workers bounds the goroutines of Apply (0: GOMAXPROCS).
	Workers int
	// MaxParams refuses targets with more parameters (0: DefaultMaxParams), checked from the
	// sizes before anything is allocated.
	MaxParams float64
}

// DefaultMaxParams is the default Options.MaxParams: 1e9 parameters, 4 GB in float32.
const DefaultMaxParams = 1e9

// sizes are the resolved source and target encoder sizes with LEMON's width quantities.
type sizes struct {
	src, tgt arch.Encoder
	k, r     int     // D_T = k·D_S + r
	eta2     float64 // η² = k·D_S/D_T for methods with LEMON's LayerNorm rule, else 1
}

func (z sizes) widthGrows() bool { return z.tgt.Width > z.src.Width }

// resolve fills the zero fields of spec from src.
func resolve(src arch.Encoder, spec Spec) arch.Encoder {
	tgt := src
	keep := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	keep(&tgt.Width, spec.Width)
	keep(&tgt.MLPDim, spec.MLPDim)
	keep(&tgt.Heads, spec.Heads)
	keep(&tgt.HeadDim, spec.HeadDim)
	keep(&tgt.Layers, spec.Layers)
	if src.KVHeads > 0 && src.Heads > 0 && src.KVHeads <= src.Heads {
		// Grouped-query attention keeps its group size g = H/KV, so that each copied query
		// head keeps reading (a copy of) the key/value head it read.
		tgt.KVHeads = tgt.Heads / (src.Heads / src.KVHeads)
	}
	return tgt
}

// checkSizes lists every way the target is not an expansion the method can perform.
func checkSizes(cfg arch.Config, spec Spec, method Method) (sizes, []string) {
	src := cfg.Enc()
	tgt := resolve(src, spec)
	var p []string
	for _, a := range []struct {
		name     string
		s, t, in int
	}{{"width", src.Width, tgt.Width, spec.Width}, {"mlp_dim", src.MLPDim, tgt.MLPDim, spec.MLPDim},
		{"heads", src.Heads, tgt.Heads, spec.Heads}, {"head_dim", src.HeadDim, tgt.HeadDim, spec.HeadDim},
		{"layers", src.Layers, tgt.Layers, spec.Layers}} {
		if a.in < 0 {
			p = append(p, fmt.Sprintf("target %s %d is negative (0 keeps the source's %d)", a.name, a.in, a.s))
		} else if a.t < a.s {
			p = append(p, fmt.Sprintf("target %s %d is smaller than the source's %d: expansion only grows a model (use %d or more, or 0 to keep it)",
				a.name, a.t, a.s, a.s))
		}
	}
	if g := src.Heads / max(1, src.KV()); src.KVHeads > 0 && g > 0 && tgt.Heads%g != 0 {
		p = append(p, fmt.Sprintf("grouped-query attention: target heads %d must be a multiple of the group size %d (%d query heads / %d key/value heads), so that every query head keeps reading the key/value head it read; use %d or %d heads",
			tgt.Heads, g, src.Heads, src.KV(), tgt.Heads/g*g, (tgt.Heads/g+1)*g))
	}
	if src.RoPETheta > 0 && tgt.HeadDim != src.HeadDim {
		p = append(p, fmt.Sprintf("RoPE: head_dim %d → %d would change every rotary frequency θ^(−2i/d) and the rotate-half pairing (i, i+d/2) of the source's heads; keep the head dimension and add heads instead",
			src.HeadDim, tgt.HeadDim))
	}
	if spec.Layout != Interleave && spec.Layout != Stacked {
		p = append(p, fmt.Sprintf("unknown layout %d", int(spec.Layout)))
	}
	if spec.NewWriters != CancelWriters && spec.NewWriters != ZeroWriters {
		p = append(p, fmt.Sprintf("unknown new-block writers %d", int(spec.NewWriters)))
	}
	if !method.valid() {
		p = append(p, fmt.Sprintf("unknown method %d", int(method)))
	}
	z := sizes{src: src, tgt: tgt, eta2: 1}
	if len(p) > 0 || src.Width <= 0 {
		return z, p
	}
	z.k, z.r = tgt.Width/src.Width, tgt.Width%src.Width
	p = append(p, methodProblems(cfg, z, method)...)
	if method.row().etaRule {
		z.eta2 = float64(z.k*src.Width) / float64(tgt.Width)
	}
	z.tgt.LayerNormEps = src.LayerNormEps * z.eta2
	return z, p
}

// methodProblems lists the requests that the method cannot serve losslessly and refuses.
// Lossy baselines (FPI, AKI, Zero) accept them and the plan reports them as lossy.
func methodProblems(cfg arch.Config, z sizes, m Method) []string {
	var p []string
	row := m.row()
	if row.integerFactor {
		for _, a := range []struct {
			name string
			s, t int
		}{{"width", z.src.Width, z.tgt.Width}, {"mlp_dim", z.src.MLPDim, z.tgt.MLPDim}, {"heads", z.src.Heads, z.tgt.Heads}} {
			if a.t%a.s != 0 {
				p = append(p, fmt.Sprintf("%s clones by an integer factor: target %s %d is not a multiple of %d (use lemon for any size)", m, a.name, a.t, a.s))
			}
		}
	}
	if row.solar && z.tgt.Layers != z.src.Layers && (z.tgt.Layers%2 != 0 || z.tgt.Layers > 2*z.src.Layers) {
		p = append(p, fmt.Sprintf("%s stacks two copies of the %d blocks with m dropped from each at the seam: target layers %d must be even and at most %d (L_T = 2·(L_S − m))",
			m, z.src.Layers, z.tgt.Layers, 2*z.src.Layers))
	}
	if row.depthOnly && (z.tgt.Width != z.src.Width || z.tgt.MLPDim != z.src.MLPDim || z.tgt.Heads != z.src.Heads || z.tgt.HeadDim != z.src.HeadDim) {
		p = append(p, fmt.Sprintf("%s expands depth only: target width/mlp_dim/heads/head_dim %d/%d/%d/%d ≠ source %d/%d/%d/%d (use lemon to grow width too)",
			m, z.tgt.Width, z.tgt.MLPDim, z.tgt.Heads, z.tgt.HeadDim, z.src.Width, z.src.MLPDim, z.src.Heads, z.src.HeadDim))
	}
	if added := z.tgt.Layers - z.src.Layers; row.spread && added > 0 && z.src.Layers%added != 0 {
		p = append(p, fmt.Sprintf("%s adds one block after every L_S/P source blocks: the %d new blocks must divide the %d source blocks (e.g. target layers %d or %d)",
			m, added, z.src.Layers, z.src.Layers+largestDivisorAtMost(z.src.Layers, added), 2*z.src.Layers))
	}
	if row.widthOnly && z.tgt.Layers != z.src.Layers {
		p = append(p, fmt.Sprintf("%s expands width only: target layers %d ≠ source %d (use lemon or stack for depth)", m, z.tgt.Layers, z.src.Layers))
	}
	if !row.indivisibleChecks || z.r == 0 {
		return p
	}
	hint := fmt.Sprintf("use a width that is a multiple of %d (e.g. %d)", z.src.Width, (z.k+1)*z.src.Width)
	if z.k > 1 {
		hint = fmt.Sprintf("use a width that is a multiple of %d (e.g. %d or %d)", z.src.Width, z.k*z.src.Width, (z.k+1)*z.src.Width)
	}
	if z.src.Norm == arch.PostLN {
		p = append(p, fmt.Sprintf("Post-LN width %d → %d is not divisible: plain LayerNorm cannot keep residue channels at an input-dependent mean; %s", z.src.Width, z.tgt.Width, hint))
	}
	if wl, ok := cfg.Family().(arch.WidthLimited); ok {
		for _, l := range wl.IndivisibleWidthLimits(z.src.Norm) {
			p = append(p, fmt.Sprintf("%s (width %d → %d); %s, or %s", l.Reason, z.src.Width, z.tgt.Width, hint, l.Alternative))
		}
	}
	return p
}

// largestDivisorAtMost is the largest divisor of n that is ≤ k (k ≥ 1).
func largestDivisorAtMost(n, k int) int {
	for d := min(k, n); d > 1; d-- {
		if n%d == 0 {
			return d
		}
	}
	return 1
}

// targetConfig is the source config with the expanded encoder.
func targetConfig(cfg arch.Config, enc arch.Encoder) arch.Config { return cfg.WithEncoder(enc) }

// tiedCopies is the number of copies of a residual channel that the tied MLM decoder sums
// (k for copy-based methods, 1 for Zero, whose new channels are zero).
func tiedCopies(z sizes, m Method) int {
	if m.row().padded {
		return 1
	}
	return z.k
}

// qScale is LEMON's head-dim rule: Q is scaled by √(d_T/d_S) so q*·k*/√d_T = q·k/√d_S.
func qScale(z sizes) float64 { return math.Sqrt(float64(z.tgt.HeadDim) / float64(z.src.HeadDim)) }
