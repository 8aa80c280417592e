package arch

import (
	"fmt"
	"strconv"
	"strings"
)

// The roles of every variable's axes, declared with the models (they moved here from package
// expand): the expansion engine reads them through ParseVar. A family's roles say how its
// activations grow; the methods' rules per role live in expand.

// Role is what an axis of a weight carries. A weight [in, out] is expanded from the roles of
// its two axes: its output axis (columns here, "rows" in the paper's [out, in] layout) makes
// the produced activation an expansion of the source's, and its input axis splits the
// fan-in over the copies of each source input.
type Role int

const (
	RoleNone     Role = iota // no axis (the input side of a bias)
	RoleFixed                // vocabulary, classes, pixels, positions, segments: never expanded
	RoleResidual             // the residual stream D: V_avg (LEMON), circular (FPI/AKI), zero-padded (Zero)
	RoleNormed               // a LayerNorm output read by a block: V_zero of the source's
	RoleTop                  // what the heads read (final LN, or the last Post-LN block); 1/k when a tied decoder reads it
	RoleTied                 // the MLM LayerNorm output read by the tied decoder: V_zero/k
	RoleHidden               // MLM hidden units F: circular copies
	RoleQuery                // the H·d axis of Q: heads circular, new head dims zero, scaled √(d_T/d_S)
	RoleKey                  // the KV·d axis of K (key/value heads; H·d without grouped-query attention): heads circular, new head dims random
	RoleValue                // the H·d axis of V and the input of W_O: heads and head dims circular
	RolePooled               // BERT pooler output: circular copies (tanh is elementwise)
	RoleMLMDense             // MLM transform output (before GELU): tiled copies (divisible width only)
	RoleBlockIn              // what a block's Q/K/V/fc1 read: Normed (Pre-LN) or Residual (Post-LN)
	RoleKVValue              // the KV·d axis of V under grouped-query attention (V's output when key/value heads are fewer than query heads)
	NumRoles                 // the number of roles
)

var roleNames = [NumRoles]string{"-", "fixed", "residual", "normed", "top", "tied", "hidden", "query", "key", "value", "pooled", "mlm-dense", "block-in", "kv-value"}

// String implements fmt.Stringer.
func (r Role) String() string {
	if r >= 0 && r < NumRoles {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// AxisRoles say how one model parameter's axes expand. A linear map's "weights" are [in, out]
// and its "biases" [out]; a LayerNorm's "gain" and "offset" are [D] with in = the role of the
// LN's input and out = the role of its output.
type AxisRoles struct {
	In, Out Role
	Norm    bool // a LayerNorm (gain, offset)
	Writer  bool // writes into the residual stream: identity blocks cancel or zero it
}

// blockParams are the roles of the parameters inside an encoder block, keyed on sub-paths.
var blockParams = map[string]AxisRoles{
	LN1:        {In: RoleResidual, Out: RoleNormed, Norm: true},
	Query:      {In: RoleBlockIn, Out: RoleQuery},
	Key:        {In: RoleBlockIn, Out: RoleKey},
	Value:      {In: RoleBlockIn, Out: RoleValue},
	AttnOutput: {In: RoleValue, Out: RoleResidual, Writer: true},
	LN2:        {In: RoleResidual, Out: RoleNormed, Norm: true},
	FC1:        {In: RoleBlockIn, Out: RoleHidden},
	Gate:       {In: RoleBlockIn, Out: RoleHidden}, // SwiGLU: gate and up share the hidden axis map
	FC2:        {In: RoleHidden, Out: RoleResidual, Writer: true},
}

// modelParams are the roles of the parameters outside the blocks that belong to no family
// (each family declares its own in its Family.Roles), keyed on paths.
var modelParams = map[string]AxisRoles{
	EncoderFinalLN: {In: RoleResidual, Out: RoleTop, Norm: true},
}

// VarRef is a variable path split along the naming scheme.
type VarRef struct {
	Block int    // encoder block, −1 outside the blocks
	Key   string // the path (outside the blocks) or the sub-path inside a block, e.g. FC1
	Leaf  string // Weights, Biases, Gain, Offset, or "" when the key is the variable
}

// Path rebuilds the variable path of r inside block b (ignored outside the blocks).
func (r VarRef) Path(b int) string {
	p := r.Key
	if r.Block >= 0 {
		p = InBlock(b, r.Key)
	}
	if r.Leaf != "" {
		p = Join(p, r.Leaf)
	}
	return p
}

// ParseVar splits a variable path (no leading "/") along the naming scheme and returns the
// roles of its axes: what the expansion engine needs to know about a model's variable.
func ParseVar(path string) (VarRef, AxisRoles, error) {
	if p, ok := modelParams[path]; ok {
		return VarRef{Block: -1, Key: path}, p, nil
	}
	if p, ok := familyRoles(path); ok {
		return VarRef{Block: -1, Key: path}, p, nil
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return VarRef{}, AxisRoles{}, fmt.Errorf("arch: variable %q is not in the naming scheme", path)
	}
	parent, leaf := path[:i], path[i+1:]
	if p, ok := modelParams[parent]; ok {
		return VarRef{Block: -1, Key: parent, Leaf: leaf}, p, nil
	}
	if p, ok := familyRoles(parent); ok {
		return VarRef{Block: -1, Key: parent, Leaf: leaf}, p, nil
	}
	prefix := ScopeEncoder + "/block_"
	if rest, ok := strings.CutPrefix(parent, prefix); ok {
		num, sub, _ := strings.Cut(rest, "/")
		j, err := strconv.Atoi(num)
		if p, ok := blockParams[sub]; ok && err == nil {
			return VarRef{Block: j, Key: sub, Leaf: leaf}, p, nil
		}
	}
	return VarRef{}, AxisRoles{}, fmt.Errorf("arch: variable %q has no axis roles (not in the naming scheme)", path)
}
