package expand

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Apply builds the target model from the source model, whose config must be the plan's
// source config. The source store is never modified. Every model variable of the source config must be present with
// its shape and dtype, and the store may hold no other model variable; optimizer and
// bookkeeping variables (outside the encoder/vit/bert scopes) are not copied: the target
// starts with fresh optimizer state, as in the paper (see ApplyOptimizerState to carry it).
// All checks run before anything is built.
func (p *Plan) Apply(m arch.Model) (arch.Model, error) {
	if m.Store == nil {
		return arch.Model{}, fmt.Errorf("expand.Apply: the source model has no weights (nil store)")
	}
	if !arch.SameConfig(m.Config, p.src) {
		return arch.Model{}, fmt.Errorf("expand.Apply: the model is %s, the plan expands %s", m, p.src.Describe())
	}
	src := m.Store
	if err := p.CheckStore(src); err != nil {
		return arch.Model{}, fmt.Errorf("expand.Apply: %w", err)
	}
	var values []*tensors.Tensor
	var err error
	switch arch.DTypeOf(p.src.Enc()) {
	case dtypes.Float64:
		values, err = build[float64](p, src)
	default:
		values, err = build[float32](p, src)
	}
	if err != nil {
		return arch.Model{}, fmt.Errorf("expand.Apply: %w", err)
	}
	dst := model.NewStore()
	if err := dst.SetRNGStateFromSeed(int64(p.opts.Seed)); err != nil {
		return arch.Model{}, fmt.Errorf("expand.Apply: %w", err)
	}
	for i, st := range p.steps {
		if _, err := dst.CreateVariable("/"+st.Target, values[i]); err != nil {
			return arch.Model{}, fmt.Errorf("expand.Apply: %s: %w", st.Target, err)
		}
	}
	return arch.Model{Config: p.tgt, Store: dst}, nil
}

// maxProblems bounds the problems an error lists.
const maxProblems = 8

// CheckStore verifies that store holds exactly the source's model variables with the
// source config's shapes and dtype; the error lists every problem.
func (p *Plan) CheckStore(store *model.Store) error {
	dtype := arch.DTypeOf(p.src.Enc())
	want := map[string]bool{}
	var problems []string
	for _, v := range p.src.Vars() {
		want["/"+v.Path] = true
		got := store.GetVariable("/" + v.Path)
		switch {
		case got == nil:
			problems = append(problems, fmt.Sprintf("variable /%s missing", v.Path))
		case got.DType() != dtype || !slices.Equal(got.Shape().Dimensions, v.Shape):
			problems = append(problems, fmt.Sprintf("variable /%s is %s, the source config wants %s", v.Path, got.Shape(), shapes.Make(dtype, v.Shape...)))
		}
	}
	for v := range store.IterVariables() {
		if arch.IsModelPath(v.Path()) && !want[v.Path()] {
			problems = append(problems, fmt.Sprintf("unknown variable %s (not part of the source config: wrong config for this checkpoint?)", v.Path()))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		if n := len(problems); n > maxProblems {
			problems = append(problems[:maxProblems], fmt.Sprintf("and %d more", n-maxProblems))
		}
		return fmt.Errorf("store does not match the source config %s: %s", describe(p.src.Enc()), strings.Join(problems, "; "))
	}
	return nil
}

// build computes every target variable in parallel; values[i] belongs to p.steps[i].
func build[T float](p *Plan, store *model.Store) ([]*tensors.Tensor, error) {
	src := map[string]*tensors.Tensor{} // resolved up front: workers only take tensor locks
	for _, st := range p.steps {
		for _, path := range []string{st.Source, st.Next} {
			if _, done := src[path]; path == "" || done {
				continue
			}
			v, err := store.GetVariable("/" + path).Value()
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", path, err)
			}
			src[path] = v
		}
	}
	values := make([]*tensors.Tensor, len(p.steps))
	order := make([]int, len(p.steps)) // largest first, for load balance
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(size(p.steps[b].TargetShape), size(p.steps[a].TargetShape))
	})
	workers := p.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				values[i] = buildStep[T](p, &p.steps[i], src)
			}
		})
	}
	for _, i := range order {
		work <- i
	}
	close(work)
	wg.Wait()
	return values, nil
}

// buildStep creates the target tensor of one step, reading its sources under their locks
// (source before next block, a fixed order, so concurrent steps cannot deadlock).
func buildStep[T float](p *Plan, st *Step, src map[string]*tensors.Tensor) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtypes.FromGenericsType[T](), st.TargetShape...))
	read(src[st.Source], func(s []T) {
		next := func(n []T) { tensors.MustMutableFlatData(t, func(dst []T) { runStep(p, st, s, n, dst) }) }
		if st.Next == st.Source {
			next(s)
			return
		}
		read(src[st.Next], next)
	})
	return t
}

// read calls f with the flat data of t, or with nil when t is nil.
func read[T float](t *tensors.Tensor, f func([]T)) {
	if t == nil {
		f(nil)
		return
	}
	tensors.MustConstFlatData(t, f)
}

// runStep dispatches on the rule.
func runStep[T float](p *Plan, st *Step, src, next, dst []T) {
	out := p.maps.get(st.Out, lastDim(st.TargetShape))
	switch st.Rule {
	case RuleZero:
		clear(dst)
	case RuleOnes:
		for i := range dst {
			dst[i] = 1
		}
	case RuleGain:
		normGain(dst, src, p.maps.get(st.In, 0), out, math.Sqrt(p.z.eta2))
	case RuleOffset:
		normOffset(dst, src, out)
	case RuleExpand, RuleCancel:
		if len(st.TargetShape) == 1 {
			expandVector(dst, src, next, out)
			return
		}
		j := matrixJob[T]{src: src, next: next, dst: dst, in: p.maps.get(st.In, st.TargetShape[0]), out: out,
			split: splitProject, rng: newNormal(p.opts.Seed, st.Target, arch.InitStd)}
		if st.Rule == RuleCancel {
			j.src, j.next = nil, nil
		}
		switch row := p.method.row(); {
		case row.noisy && p.opts.Noise > 0: // the equal split plus paired noise summing to zero
			j.rng.std = p.opts.Noise
		case row.equalSplit:
			j.split = splitEqual
		}
		j.run()
	}
}

func lastDim(shape []int) int { return shape[len(shape)-1] }

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
