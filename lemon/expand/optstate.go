package expand

import (
	"fmt"
	"math"
	"slices"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/optim"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// ApplyOptimizerState expands the AdamW state of src (package optim's layout: moments at
// /adamw/m/<path> and /adamw/v/<path>, the step at /adamw/step) into dst, the store Apply
// returned. The paper starts the target with fresh state; this is for experiments that
// continue the source's optimizer instead. Nothing is written unless every moment checks out.
//
// The rule. Let target weight coordinate (c, o) read input c, a copy of source input i
// scaled by s_c, and write output o, one of n_o copies of source output j scaled by s_o.
// The input copies are equal activations, so the gradient of a fan-in weight does not
// split: ∂L/∂W*[c,o] = Σ x_i·δ*_o. When the copies of j are symmetric (equal split, or
// n_o = 1), δ*_o = δ_j/(n_o·s_o), hence
//
//	g*[c,o] = g[i,j]·s_c/(n_o·s_o),   m* = m·s_c/(n_o·s_o),   v* = v·(s_c/(n_o·s_o))²
//
// for every past iterate: m and v are exponential averages of g and g², both mapped by
// the same fixed per-coordinate factor (LayerNorm gains carry an extra 1/η).
//
// Exact: every coordinate of FPI and HyperClone without noise when D_T is a multiple of
// D_S; under LEMON, every coordinate whose output is not duplicated (n_o = 1): e.g. Q, K,
// V and fc1 when only D grows, fc2 and W_O when only F or H grows, the classifier head.
// Zero: inputs that read an exact zero (the LEMON residue) and K's new head dims.
// Estimates: under LEMON's unequal split, δ*_o of a duplicated output depends on its
// random fan-out row, not on the source's gradient statistics, so m/n_o (the expectation
// over the random split) is used, and v/n_o² underestimates E[g*²]. New residue channels,
// new Q head dims, Zero's and AKI's new units and every new block get fresh (absent) state.
//
// The step count is copied, so AdamW would bias-correct fresh moments as if they were t steps
// old: after a long-trained source (1 − β₂ᵗ ≈ 1) a fresh coordinate's first update would be
// (1−β₁)/√(1−β₂) ≈ 3.2 times AdamW's first update. So every variable with fresh moments gets
// a start step (optim.StartScope): t for a variable without moments, and t at each coordinate
// whose v* is zero (no gradient history) for the others; AdamW corrects by the age t − start.
func (p *Plan) ApplyOptimizerState(srcModel, dstModel arch.Model) error {
	if srcModel.Store == nil || dstModel.Store == nil {
		return fmt.Errorf("expand.ApplyOptimizerState: a model has no weights (nil store)")
	}
	if !arch.SameConfig(srcModel.Config, p.src) || !arch.SameConfig(dstModel.Config, p.tgt) {
		return fmt.Errorf("expand.ApplyOptimizerState: the models are %s → %s, the plan is %s → %s", srcModel, dstModel, p.src.Describe(), p.tgt.Describe())
	}
	src, dst := srcModel.Store, dstModel.Store
	if src.GetVariable(optim.Scope+"/"+optim.StepVar) == nil {
		return fmt.Errorf("expand.ApplyOptimizerState: the source holds no optimizer state (no %s/%s): only checkpoints of training runs have it", optim.Scope, optim.StepVar)
	}
	type moment struct {
		path  string
		value *tensors.Tensor
	}
	tSrc, err := stepCount(src)
	if err != nil {
		return fmt.Errorf("expand.ApplyOptimizerState: %w", err)
	}
	dtype := arch.DTypeOf(p.tgt.Enc())
	var out []moment
	for i := range p.steps {
		st := &p.steps[i]
		var m, v *tensors.Tensor
		if !p.freshState(st) {
			if m, v, err = p.expandMoments(st, src); err != nil {
				return fmt.Errorf("expand.ApplyOptimizerState: %w", err)
			}
		}
		if m == nil { // fresh: its moments start now, and are bias-corrected by their own age
			out = append(out, moment{optim.StartPath(st.Target), scalarOf(dtype, float64(tSrc))})
			continue
		}
		mp, vp := optim.MomentPaths(st.Target)
		out = append(out, moment{mp, m}, moment{vp, v})
		if start := freshCoordinates(v, float64(tSrc)); start != nil {
			out = append(out, moment{optim.StartPath(st.Target), start})
		}
	}
	for _, name := range []string{optim.StepVar, optim.LRVar} {
		if v := src.GetVariable(optim.Scope + "/" + name); v != nil {
			t, err := v.Value()
			if err == nil {
				t, err = t.LocalClone()
			}
			if err != nil {
				return fmt.Errorf("expand.ApplyOptimizerState: %s: %w", name, err)
			}
			out = append(out, moment{optim.Scope + "/" + name, t})
		}
	}
	for _, m := range out {
		v, err := dst.CreateVariable(m.path, m.value)
		if err != nil {
			return fmt.Errorf("expand.ApplyOptimizerState: %w", err)
		}
		v.SetTrainable(false)
	}
	return nil
}

// stepCount is the optimizer step count of a store (optim's /adamw/step, an int64 scalar).
func stepCount(store *model.Store) (int64, error) {
	v := store.GetVariable(optim.Scope + "/" + optim.StepVar)
	t, err := v.Value()
	if err != nil {
		return 0, err
	}
	if t.DType() != dtypes.Int64 || !t.Shape().IsScalar() {
		return 0, fmt.Errorf("%s is %s, want an int64 scalar", v.Path(), t.Shape())
	}
	return tensors.ToScalar[int64](t), nil
}

// scalarOf is x as a scalar tensor of dtype (float32 or float64).
func scalarOf(dtype dtypes.DType, x float64) *tensors.Tensor {
	if dtype == dtypes.Float64 {
		return tensors.FromScalar(x)
	}
	return tensors.FromScalar(float32(x))
}

// freshCoordinates is the start-step tensor (optim.StartScope) of an expanded variable whose
// second moment v is zero at some coordinates: those coordinates have no gradient history
// (new units, new residue channels), so their moments start at step t; the others started
// with the source's, at 0. Nil when every coordinate carries history; a scalar when none does.
func freshCoordinates(v *tensors.Tensor, t float64) *tensors.Tensor {
	switch v.DType() {
	case dtypes.Float64:
		return freshCoordinatesOf[float64](v, t)
	default:
		return freshCoordinatesOf[float32](v, t)
	}
}

func freshCoordinatesOf[T float](v *tensors.Tensor, t float64) *tensors.Tensor {
	flat := tensors.MustCopyFlatData[T](v)
	zeros := 0
	for _, x := range flat {
		if x == 0 {
			zeros++
		}
	}
	switch zeros {
	case 0:
		return nil
	case len(flat):
		return tensors.FromScalar(T(t))
	}
	start := make([]T, len(flat))
	for i, x := range flat {
		if x == 0 {
			start[i] = T(t)
		}
	}
	return tensors.FromFlatDataAndDimensions(start, v.Shape().Dimensions...)
}

// freshState reports whether a target variable starts with fresh optimizer state.
func (p *Plan) freshState(st *Step) bool {
	switch st.Rule {
	case RuleCancel, RuleZero, RuleOnes:
		return true
	case RuleExpand, RuleGain, RuleOffset:
	}
	ref, _, err := parseVar(st.Target)
	return err != nil || (ref.Block >= 0 && p.blocks[ref.Block].isNew)
}

// expandMoments expands the source's m and v of one step; nil when the source has none.
func (p *Plan) expandMoments(st *Step, src *model.Store) (m, v *tensors.Tensor, err error) {
	mp, vp := optim.MomentPaths(st.Source)
	mv, vv := src.GetVariable(mp), src.GetVariable(vp)
	if mv == nil || vv == nil {
		return nil, nil, nil
	}
	dtype := arch.DTypeOf(p.src.Enc())
	for _, x := range []*model.Variable{mv, vv} {
		if x.DType() != dtype || !slices.Equal(x.Shape().Dimensions, st.SourceShape) {
			return nil, nil, fmt.Errorf("%s is %s, want %s like %s", x.Path(), x.Shape(), shapes.Make(dtype, st.SourceShape...), st.Source)
		}
	}
	gather := func(x *model.Variable, power int) (*tensors.Tensor, error) {
		t, err := x.Value()
		if err != nil {
			return nil, err
		}
		if dtype == dtypes.Float64 {
			return expandMoment[float64](p, st, t, power), nil
		}
		return expandMoment[float32](p, st, t, power), nil
	}
	if m, err = gather(mv, 1); err == nil {
		v, err = gather(vv, 2)
	}
	return m, v, err
}

// expandMoment applies the rule of ApplyOptimizerState to one moment tensor.
func expandMoment[T float](p *Plan, st *Step, t *tensors.Tensor, power int) *tensors.Tensor {
	srcFlat := tensors.MustCopyFlatData[T](t)
	out := p.maps.get(st.Out, lastDim(st.TargetShape))
	var in *axisMap
	if len(st.TargetShape) == 2 {
		in = p.maps.get(st.In, st.TargetShape[0])
	}
	extra := 1.0
	if st.Rule == RuleGain {
		extra = 1 / math.Sqrt(p.z.eta2)
	}
	res := tensors.FromShape(shapes.Make(dtypes.FromGenericsType[T](), st.TargetShape...))
	tensors.MustMutableFlatData(res, func(dst []T) {
		rows, outT, outS := len(dst)/len(out.e), len(out.e), out.srcN
		for c := range rows {
			i, sc := 0, 1.0
			if in != nil {
				x := in.e[c]
				if x.kind != kCopy {
					continue // reads zero or a new unit: fresh
				}
				i, sc = int(x.src), x.scale
			}
			for o, x := range out.e {
				if x.kind != kCopy {
					continue
				}
				f := extra * sc / (float64(out.copies(int(x.src))) * x.scale)
				if power == 2 {
					f *= f
				}
				dst[c*outT+o] = T(float64(srcFlat[i*outS+int(x.src)]) * f)
			}
		}
	})
	return res
}
