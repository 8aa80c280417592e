package expand

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"

	"github.com/golemon/golemon/lemon/arch"
)

// Rule is how one target variable is built.
type Rule int

const (
	// RuleExpand: expand the output axis by its role, then split the fan-in over the copies of
	// each source input (LEMON: unequal random split; FPI/AKI/HyperClone: equal split).
	RuleExpand Rule = iota
	// RuleCancel: writers of a new block; the copies of each unit get rows summing to zero.
	RuleCancel
	// RuleZero: all zero.
	RuleZero
	// RuleGain: LayerNorm gain, η·γ on copies (×1/k before a tied decoder), free on the
	// zero residue, 0 on zero-padded channels.
	RuleGain
	// RuleOffset: LayerNorm offset, β on copies (×1/k before a tied decoder), 0 elsewhere.
	RuleOffset
	// RuleOnes: the gain of an affine-free LayerNorm (Post-LN identity blocks).
	RuleOnes
)

var ruleNames = []string{"expand", "cancel", "zero", "ln-gain", "ln-offset", "ones"}

// String implements fmt.Stringer.
func (r Rule) String() string {
	if r >= 0 && int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// Step builds one target variable.
type Step struct {
	Target      string // target variable path (no leading "/")
	TargetShape []int
	Source      string // source variable read, "" when the rule reads none
	SourceShape []int
	Next        string // AKI: the next source block's variable, source of new units
	Rule        Rule
	In, Out     Role // roles of the input and output axes (In is RoleNone for vectors)
}

// Plan is a validated expansion: every target variable with its source and rule. Build it
// with NewPlan, print it with String, run it with Apply.
type Plan struct {
	src, tgt arch.Config
	spec     Spec
	method   Method
	opts     Options
	z        sizes
	blocks   []block
	maps     *axisMaps
	steps    []Step
	exact    Exactness
	why      []string
}

// NewPlan validates the request and plans every target variable; nothing is read or written.
// An impossible request returns an error saying why and what would work.
func NewPlan(src arch.Config, spec Spec, method Method, opts Options) (*Plan, error) {
	if !method.valid() {
		return nil, fmt.Errorf("expand.NewPlan: unknown method %s; known: %v", method, Methods())
	}
	if err := src.Validate(); err != nil {
		return nil, fmt.Errorf("expand.NewPlan: source: %w", err)
	}
	z, problems := checkSizes(src, spec, method)
	switch {
	case !(opts.Noise >= 0) || math.IsInf(opts.Noise, 0):
		problems = append(problems, fmt.Sprintf("noise %g: the paired noise's std must be finite and ≥ 0", opts.Noise))
	case opts.Noise > 0 && !method.TakesNoise():
		problems = append(problems, fmt.Sprintf("noise %g: only %s takes paired noise, not %s", opts.Noise, joinMethods(noisyMethods()), method))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("expand.NewPlan: cannot expand %s with %s: %s", describe(src.Enc()), method, strings.Join(problems, "; "))
	}
	p := &Plan{src: src, tgt: targetConfig(src, z.tgt), spec: spec, method: method, opts: opts, z: z}
	limit := opts.MaxParams
	if limit <= 0 {
		limit = DefaultMaxParams
	}
	if n := p.tgt.ParamsFloat(); !(n <= limit) {
		bytes := 4.0
		if arch.DTypeOf(src.Enc()) == dtypes.Float64 {
			bytes = 8
		}
		return nil, fmt.Errorf("expand.NewPlan: the target %s would have %.3g parameters (%.3g GB of weights), beyond the limit of %.3g (raise Options.MaxParams, expand -max-params)",
			describe(z.tgt), n, n*bytes/1e9, limit)
	}
	if err := p.tgt.Validate(); err != nil {
		return nil, fmt.Errorf("expand.NewPlan: target: %w", err)
	}
	p.blocks = blockLayout(z, method, spec)
	p.maps = buildAxisMaps(z, method, topTied(src))
	p.exact, p.why = exactness(src, z, method, p.blocks)
	srcShapes := map[string][]int{}
	for _, v := range src.Vars() {
		srcShapes[v.Path] = v.Shape
	}
	var errs []error
	for _, v := range p.tgt.Vars() {
		st, err := p.step(v, srcShapes)
		errs = append(errs, err)
		p.steps = append(p.steps, st)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("expand.NewPlan: %w", err)
	}
	return p, nil
}

// step plans one target variable.
func (p *Plan) step(v arch.VarSpec, srcShapes map[string][]int) (Step, error) {
	ref, par, err := parseVar(v.Path)
	if err != nil {
		return Step{}, err
	}
	st := Step{Target: v.Path, TargetShape: v.Shape, Rule: RuleExpand, Out: p.resolve(par.Out, ref)}
	if len(v.Shape) == 2 || par.Norm {
		st.In = p.resolve(par.In, ref)
	}
	srcBlock := -1 // ignored outside the blocks
	switch {
	case ref.Block >= 0:
		b := p.blocks[ref.Block]
		st.Rule, srcBlock = blockSource(b, ref, par)
		if b.next >= 0 && st.Rule == RuleExpand && p.hasNewUnits(st.Out) {
			st.Next = ref.Path(b.next)
		}
	case par.Norm:
		st.Rule = normRule(ref.Leaf)
	}
	switch st.Rule {
	case RuleExpand, RuleGain, RuleOffset:
		st.Source = ref.Path(srcBlock)
		shape, ok := srcShapes[st.Source]
		if !ok {
			return st, fmt.Errorf("expand: target %s needs source %s, which the source config lacks", v.Path, st.Source)
		}
		st.SourceShape = shape
	case RuleCancel, RuleZero, RuleOnes:
	}
	return st, nil
}

// blockSource returns the rule of a variable inside target block b and the source block it
// reads (−1: none).
func blockSource(b block, ref varRef, par param) (Rule, int) {
	switch {
	case par.Norm:
		src := b.ln1
		if ref.Key == arch.LN2 {
			src = b.ln2
		}
		switch {
		case src >= 0:
			return normRule(ref.Leaf), src
		case ref.Leaf == arch.Gain:
			return RuleOnes, -1
		}
		return RuleZero, -1
	case par.Writer && b.writers == wCancel && ref.Leaf == arch.Weights:
		return RuleCancel, -1
	case par.Writer && b.writers != wCopy:
		return RuleZero, -1
	}
	return RuleExpand, b.src
}

func normRule(leaf string) Rule {
	if leaf == arch.Gain {
		return RuleGain
	}
	return RuleOffset
}

// resolve turns a contextual role into a concrete one.
func (p *Plan) resolve(r Role, ref varRef) Role {
	postLN := p.z.src.Norm == arch.PostLN
	switch {
	case r == RoleBlockIn && postLN:
		return RoleResidual
	case r == RoleBlockIn:
		return RoleNormed
	case postLN && ref.Key == arch.LN2 && ref.Block == p.z.tgt.Layers-1 && r == RoleNormed:
		return RoleTop // the last Post-LN block's output is what the heads read
	case r == RoleValue && ref.Key == arch.Value && p.z.src.KV() != p.z.src.Heads:
		return RoleKVValue // grouped-query attention: V has the key/value heads, W_O the query heads
	}
	return r
}

// hasNewUnits reports whether an output role holds AKI units taken from the next block.
func (p *Plan) hasNewUnits(r Role) bool {
	if r == RoleNone || r == RoleFixed {
		return false
	}
	return slices.ContainsFunc(p.maps.get(r, 0).e, func(x entry) bool { return x.kind == kNext })
}

// exactness says whether the method preserves the function for this expansion, and why not.
func exactness(cfg arch.Config, z sizes, m Method, blocks []block) (Exactness, []string) {
	why := m.row().lossy(z, len(blocks) > z.src.Layers)
	if len(why) > 0 {
		return Lossy, why
	}
	if z.src.Norm == arch.PostLN && slices.ContainsFunc(blocks, block.identityOut) {
		return UpToEpsilon, []string{fmt.Sprintf("Post-LN identity blocks pass through two extra LayerNorms: error O(ε/σ²) with ε = %g", z.src.LayerNormEps)}
	}
	return Exact, nil
}

// Source returns the source config.
func (p *Plan) Source() arch.Config { return p.src }

// Target returns the target config (ε already scaled by η² where the method needs it).
func (p *Plan) Target() arch.Config { return p.tgt }

// Method returns the plan's method.
func (p *Plan) Method() Method { return p.method }

// Exactness says whether the target computes the source's function, with the reasons when not.
func (p *Plan) Exactness() (Exactness, []string) { return p.exact, p.why }

// Steps returns the planned steps in target-variable order.
func (p *Plan) Steps() []Step { return slices.Clone(p.steps) }

func describe(e arch.Encoder) string { return e.Describe() }

// String prints the plan: a header with the sizes, LEMON's width quantities and the block
// layout, then one line per target variable: target [shape] ← source [shape]: rule, roles.
func (p *Plan) String() string {
	var sb strings.Builder
	sb.WriteString(p.Header())
	for _, st := range p.steps {
		sb.WriteString("  " + st.String() + "\n")
	}
	return sb.String()
}

// Header is the plan's summary, the lines of String before the per-variable ones: the sizes,
// the method and its exactness (with the reasons when lossy), LEMON's width quantities and the
// block layout.
func (p *Plan) Header() string {
	var sb strings.Builder
	z := p.z
	fmt.Fprintf(&sb, "expand %s %s → %s with %s: %s\n", p.src.Kind, describe(z.src), describe(z.tgt), p.method, p.exact)
	for _, w := range p.why {
		fmt.Fprintf(&sb, "  %s: %s\n", p.exact, w)
	}
	fmt.Fprintf(&sb, "  width D_T = %d·%d + %d, η² = %.6g, LayerNorm ε %.6g → %.6g\n", z.k, z.src.Width, z.r, z.eta2, z.src.LayerNormEps, z.tgt.LayerNormEps)
	if present, _ := tiedDecoder(p.src); present && tiedCopies(z, p.method) > 1 {
		k := tiedCopies(z, p.method)
		fmt.Fprintf(&sb, "  tied MLM decoder: the LayerNorm before it is scaled by 1/%d\n", k)
	}
	fmt.Fprintf(&sb, "  blocks: %s\n", describeBlocks(p.blocks))
	return sb.String()
}

// String is one plan line: target [shape] ← source [shape]: rule, roles.
func (st Step) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %v ← ", st.Target, st.TargetShape)
	if st.Source != "" {
		fmt.Fprintf(&sb, "%s %v", st.Source, st.SourceShape)
	} else {
		sb.WriteString("(none)")
	}
	fmt.Fprintf(&sb, ": %s", st.Rule)
	if st.In != RoleNone {
		fmt.Fprintf(&sb, " in=%s", st.In)
	}
	fmt.Fprintf(&sb, " out=%s", st.Out)
	if st.Next != "" {
		fmt.Fprintf(&sb, " new-units←%s", st.Next)
	}
	return sb.String()
}

// tiedDecoder reports whether the model has a tied decoder and whether it reads the top
// representation directly (arch.TiedDecoder).
func tiedDecoder(c arch.Config) (present, readsTop bool) {
	if t, ok := c.Family().(arch.TiedDecoder); ok {
		return t.TiedDecoder()
	}
	return false, false
}

// topTied reports whether the model's top representation feeds a tied decoder directly.
func topTied(c arch.Config) bool {
	present, readsTop := tiedDecoder(c)
	return present && readsTop
}
