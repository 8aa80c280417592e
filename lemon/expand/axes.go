package expand

import (
	"fmt"

	"github.com/golemon/golemon/lemon/arch"
)

// Role is what an axis of a weight carries (declared with the models, package arch).
type Role = arch.Role

// The roles, as arch declares them.
const (
	RoleNone     = arch.RoleNone
	RoleFixed    = arch.RoleFixed
	RoleResidual = arch.RoleResidual
	RoleNormed   = arch.RoleNormed
	RoleTop      = arch.RoleTop
	RoleTied     = arch.RoleTied
	RoleHidden   = arch.RoleHidden
	RoleQuery    = arch.RoleQuery
	RoleKey      = arch.RoleKey
	RoleValue    = arch.RoleValue
	RolePooled   = arch.RolePooled
	RoleMLMDense = arch.RoleMLMDense
	RoleBlockIn  = arch.RoleBlockIn
	RoleKVValue  = arch.RoleKVValue
	numRoles     = arch.NumRoles
)

// kind is what one target index along an axis holds, relative to the source activations.
type kind uint8

const (
	kCopy kind = iota // a copy of source index src, times scale
	kNext             // AKI: index src of the next source layer's tensor
	kMean             // V_avg residue: the mean over all source indices
	kZero             // exactly zero
	kLive             // a new unit with its own (random) value
)

type entry struct {
	kind  kind
	src   int32
	scale float64
}

// axisMap describes one expanded axis: entry t says what target index t holds.
type axisMap struct {
	role   Role
	srcN   int
	e      []entry
	groups [][]int32 // per source index: the target indices holding it (kCopy, kNext)
	mean   []int32   // target indices holding the mean (kMean)
}

func newAxisMap(role Role, srcN int, e []entry) *axisMap {
	m := &axisMap{role: role, srcN: srcN, e: e, groups: make([][]int32, srcN)}
	for t, x := range e {
		switch x.kind {
		case kCopy, kNext:
			m.groups[x.src] = append(m.groups[x.src], int32(t))
		case kMean:
			m.mean = append(m.mean, int32(t))
		case kZero, kLive:
		}
	}
	return m
}

// copies returns the number of target indices holding source index s.
func (m *axisMap) copies(s int) int { return len(m.groups[s]) }

func fixedMap(n int) *axisMap {
	e := make([]entry, n)
	for t := range e {
		e[t] = entry{kCopy, int32(t), 1}
	}
	return newAxisMap(RoleFixed, n, e)
}

// widthMap expands a D-sized axis: k tiled copies then the residue (V_avg: residue kMean,
// V_zero: kZero), circular (residue copies the first channels), or zero-padded (Zero method).
func widthMap(role Role, z sizes, m Method, residue kind, scale float64) *axisMap {
	s, n := z.src.Width, z.tgt.Width
	e := make([]entry, n)
	for t := range e {
		switch {
		case m.row().padded && t >= s:
			e[t] = entry{kind: residue}
		case m.row().padded:
			e[t] = entry{kCopy, int32(t), scale}
		case t < z.k*s || residue == kCopy:
			e[t] = entry{kCopy, int32(t % s), scale}
		default:
			e[t] = entry{kind: residue}
		}
	}
	return newAxisMap(role, s, e)
}

// hiddenMap expands the MLP hidden axis: circular copies; AKI's new units come from the next
// layer; Zero's new units are live with zero fan-out.
func hiddenMap(z sizes, m Method) *axisMap {
	s, n := z.src.MLPDim, z.tgt.MLPDim
	e := make([]entry, n)
	for t := range e {
		e[t] = entry{kCopy, int32(t % s), 1}
		if t >= s {
			e[t] = newUnit(e[t], m)
		}
	}
	return newAxisMap(RoleHidden, s, e)
}

// newUnit turns a circular copy into what the method gives a unit beyond the source's count.
func newUnit(x entry, m Method) entry {
	switch m.row().newUnits {
	case kNext:
		if x.kind == kCopy {
			x.kind = kNext
		}
	case kLive:
		return entry{kind: kLive}
	case kCopy, kMean, kZero:
	}
	return x
}

// headMap expands an H·d axis (head h owns indices h·d … h·d+d−1). Target head h copies
// source head h mod H_S; head dims beyond d_S are zero (Q), random (K) or circular copies (V).
// K's axis and, under grouped-query attention, V's have the key/value heads instead: target
// kv head u copies source kv head u mod KV_S, which with the group size kept is the one that
// every copied query head read (docs/method.md#llama-style-layers-implemented).
func headMap(role Role, z sizes, m Method) *axisMap {
	hs, ds, ht, dt := z.src.Heads, z.src.HeadDim, z.tgt.Heads, z.tgt.HeadDim
	if role == RoleKey || role == RoleKVValue {
		hs, ht = z.src.KV(), z.tgt.KV()
	}
	value := role == RoleValue || role == RoleKVValue
	e := make([]entry, ht*dt)
	for h := range ht {
		for j := range dt {
			x := headEntry(role, h%hs, j, ds, qScale(z))
			if m.row().liveValueDims && j >= ds && value {
				x = entry{kind: kLive}
			}
			if h >= hs {
				x = newUnit(x, m)
			}
			e[h*dt+j] = x
		}
	}
	return newAxisMap(role, hs*ds, e)
}

func headEntry(role Role, h, j, ds int, qs float64) entry {
	base := int32(h * ds)
	switch {
	case role == RoleValue || role == RoleKVValue:
		return entry{kCopy, base + int32(j%ds), 1}
	case j >= ds && role == RoleQuery:
		return entry{kind: kZero}
	case j >= ds:
		return entry{kind: kLive}
	case role == RoleQuery:
		return entry{kCopy, base + int32(j), qs}
	}
	return entry{kCopy, base + int32(j), 1}
}

// axisMaps holds the map of every concrete role for one plan.
type axisMaps struct {
	byRole [numRoles]*axisMap
}

func buildAxisMaps(z sizes, m Method, topTied bool) *axisMaps {
	// What a D-sized axis holds beyond the copies, per role.
	row := m.row()
	residual, normed, dense, pooled := row.residual, row.normed, row.dense, row.pooled
	if z.src.RMS() && residual == kMean {
		// RMSNorm has no mean to subtract: a V_avg residue would add r·mean² to the sum of
		// squares. The residue stays exactly zero instead (docs/method.md#llama-style-layers-implemented).
		residual = kZero
	}
	tied := 1 / float64(max(1, tiedCopies(z, m)))
	top := 1.0
	if topTied {
		top = tied
	}
	a := &axisMaps{}
	a.byRole[RoleResidual] = widthMap(RoleResidual, z, m, residual, 1)
	a.byRole[RoleNormed] = widthMap(RoleNormed, z, m, normed, 1)
	a.byRole[RoleTop] = widthMap(RoleTop, z, m, normed, top)
	a.byRole[RoleTied] = widthMap(RoleTied, z, m, normed, tied)
	a.byRole[RoleMLMDense] = widthMap(RoleMLMDense, z, m, dense, 1)
	a.byRole[RolePooled] = widthMap(RolePooled, z, m, pooled, 1)
	a.byRole[RoleHidden] = hiddenMap(z, m)
	for _, r := range []Role{RoleQuery, RoleKey, RoleValue, RoleKVValue} {
		a.byRole[r] = headMap(r, z, m)
	}
	return a
}

// get returns the map of a concrete role; fixed axes are built from their size.
func (a *axisMaps) get(r Role, n int) *axisMap {
	switch r {
	case RoleFixed:
		return fixedMap(n)
	case RoleNone, RoleBlockIn, numRoles:
		panic(fmt.Sprintf("expand: role %s has no axis map", r))
	case RoleResidual, RoleNormed, RoleTop, RoleTied, RoleHidden, RoleQuery, RoleKey, RoleValue, RolePooled, RoleMLMDense, RoleKVValue:
	}
	return a.byRole[r]
}
