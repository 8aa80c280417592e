package llama_test

import (
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/schedule"
)

// strides is the synthetic context task data.StrideSequences over sequences of 12 tokens.
func strides(n int, seed uint64) *data.Sequences { return data.StrideSequences(n, 12, 19, seed) }

// TestCausalLMTrains: a LLaMA-style decoder (RMSNorm, SwiGLU, RoPE, grouped-query attention)
// learns to read its context through runner.CausalLMTask, and its LEMON expansion (2× width,
// 2× heads with the kv heads, 2× depth) starts at exactly the source's validation loss.
func TestCausalLMTrains(t *testing.T) {
	be := backend.MustNew()
	cfg := tiny("float32", false)
	train, val := strides(1024, 1), strides(128, 2)
	task, err := runner.NewCausalLMTask("strides", cfg, train, val, 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	src, err := arch.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts := runner.Options{Steps: 600, EvalEvery: 200, Schedule: schedule.WarmupCosine{Peak: 1e-2, Warmup: 20, Total: 600, Floor: 1e-4},
		WeightDecay: 0.01, Out: &strings.Builder{}}
	res, err := runner.Run(be, task, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Rows[0], res.Final()
	t.Logf("source: val loss %.4f → %.4f (perplexity %.2f → %.2f), next-token accuracy %.3f → %.3f",
		first.ValLoss, last.ValLoss, math.Exp(first.ValLoss), math.Exp(last.ValLoss), first.ValMetric, last.ValMetric)
	if last.ValLoss > 1.0 || first.ValLoss < 2.5 {
		t.Errorf("the decoder did not learn its context: val loss %.3f → %.3f (unigram %.2f)", first.ValLoss, last.ValLoss, math.Log(19))
	}
	plan, err := expand.NewPlan(cfg, expand.Spec{Width: 16, Heads: 8, MLPDim: 24, Layers: 4}, expand.LEMON, expand.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := plan.Apply(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	tgtTask, err := runner.NewCausalLMTask("strides expanded", tgt.Config, train, val, 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts.Steps, opts.EvalEvery, opts.Schedule = 40, 20, schedule.WarmupCosine{Peak: 3e-3, Warmup: 4, Total: 40, Floor: 3e-5}
	res2, err := runner.Run(be, tgtTask, tgt, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(res2.Rows[0].ValLoss - last.ValLoss); d > 1e-5 {
		t.Errorf("the expansion starts at val loss %.7f, the source ended at %.7f", res2.Rows[0].ValLoss, last.ValLoss)
	}
	t.Logf("expanded: val loss %.4f → %.4f", res2.Rows[0].ValLoss, res2.Final().ValLoss)
}

// TestSymmetryBreaking: after a few AdamW steps on the strides task, the duplicated SwiGLU
// units of a LEMON expansion (F 12 → 24) have become different units (their down rows start
// apart, their up columns move apart), while FPI's equal split keeps every pair identical.
func TestSymmetryBreaking(t *testing.T) {
	be := backend.MustNew()
	cfg := tiny("float64", false)
	src, err := arch.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	train, val := strides(256, 1), strides(32, 2)
	for _, c := range []struct {
		m         expand.Method
		symmetric bool
	}{{expand.LEMON, false}, {expand.FPI, true}} {
		plan, err := expand.NewPlan(cfg, expand.Spec{MLPDim: 24}, c.m, expand.Options{Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		before, err := plan.Apply(src)
		if err != nil {
			t.Fatal(err)
		}
		trained, err := plan.Apply(src) // the same target (Apply is deterministic), trained in place
		if err != nil {
			t.Fatal(err)
		}
		task, err := runner.NewCausalLMTask("strides", trained.Config, train, val, 16, 1)
		if err != nil {
			t.Fatal(err)
		}
		res, err := runner.Run(be, task, trained, runner.Options{Steps: 5, EvalEvery: 5,
			Schedule: schedule.WarmupCosine{Peak: 1e-2, Warmup: 1, Total: 5, Floor: 1e-3}, WeightDecay: 0.01, Out: &strings.Builder{}})
		if err != nil {
			t.Fatal(err)
		}
		outBefore, outAfter, inMove, err := expand.HiddenCopyGaps(before, res.Model, 0, 12)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-6s duplicated SwiGLU units: down rows differ by %.3g before, %.3g after; up columns moved apart by %.3g", c.m, outBefore, outAfter, inMove)
		if c.symmetric && (outBefore != 0 || outAfter != 0 || inMove != 0) {
			t.Errorf("%s: an equal split should keep the copies identical: %g %g %g", c.m, outBefore, outAfter, inMove)
		}
		if !c.symmetric && (outBefore < 1e-3 || inMove < 1e-6) {
			t.Errorf("%s: the copies did not become different units: %g %g %g", c.m, outBefore, outAfter, inMove)
		}
	}
}
