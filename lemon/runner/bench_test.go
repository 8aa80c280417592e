package runner

// Throughput benchmarks. Run with
//
//	go test ./lemon/runner -run '^$' -bench . -benchtime 10x
//
// Each reports examples/s, achieved GFLOP/s of a full training step (arch.TrainFLOPs
// accounting) and the process's peak resident memory; BenchmarkMatMul reports the GFLOP/s of
// one large matmul on the same backend, so GFLOP/s(step) / GFLOP/s(matmul) says how close
// training runs to what the backend can do.

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/schedule"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

const benchBatch = 64

func BenchmarkTrainStep(b *testing.B) {
	for _, preset := range []string{"vit-cpu-2-64", "vit-cpu-4-64", "vit-cpu-4-128", "bert-cpu-2-64", "bert-cpu-4-128"} {
		b.Run(preset, func(b *testing.B) { benchTrain(b, preset) })
	}
}

// BenchmarkTrainStepStudyBERT is the BERT study's shape (issue 10): batch 32 × 64 tokens over
// a 7,140-token vocabulary, where the MLM head and the embedding tables are largest.
func BenchmarkTrainStepStudyBERT(b *testing.B) {
	for _, preset := range []string{"bert-cpu-2-32", "bert-cpu-4-64"} {
		b.Run(preset, func(b *testing.B) {
			task, err := SyntheticTask(preset, 32, 7140)
			if err != nil {
				b.Fatal(err)
			}
			benchTrainTask(b, task)
		})
	}
}

func benchTrain(b *testing.B, preset string) { benchTrainTask(b, benchTask(b, preset)) }

func benchTrainTask(b *testing.B, task Task) {
	store, err := arch.Init(task.Config(), 1)
	if err != nil {
		b.Fatal(err)
	}
	r := &run{backend: backend.MustNew(), task: task, store: store,
		opts: Options{Schedule: schedule.Constant{LR: 1e-4}}}
	r.buildExecs()
	step := func() {
		batch := task.NextTrain()
		if _, err := r.trainer.TrainStep(train.Batch{Inputs: batch.Inputs, Labels: batch.Labels}); err != nil {
			b.Fatal(err)
		}
	}
	step() // compile
	b.ResetTimer()
	for range b.N {
		step()
	}
	sec := b.Elapsed().Seconds()
	examples, _, flops := task.StepCost()
	b.ReportMetric(float64(examples)*float64(b.N)/sec, "examples/s")
	b.ReportMetric(flops*float64(b.N)/sec/1e9, "GFLOP/s")
	b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
}

// benchTask is SyntheticTask with a 2,000-token vocabulary for BERT presets.
func benchTask(b *testing.B, preset string) Task {
	task, err := SyntheticTask(preset, benchBatch, 2000)
	if err != nil {
		b.Fatal(err)
	}
	return task
}

// BenchmarkMatMul times one [n, n]×[n, n] float32 product on the same backend.
func BenchmarkMatMul(b *testing.B) {
	const n = 1024
	x := make([]float32, n*n)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	exec := model.MustNewExec(backend.MustNew(), model.NewStore(), func(_ *model.Scope, a, c *Node) *Node {
		return MatMul(a, c)
	})
	ta, tc := tensors.FromFlatDataAndDimensions(x, n, n), tensors.FromFlatDataAndDimensions(x, n, n)
	exec.MustCall1(ta, tc)
	b.ResetTimer()
	for range b.N {
		exec.MustCall1(ta, tc)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// peakRSSMiB reads the process's peak resident set size (Linux); 0 elsewhere.
func peakRSSMiB() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
