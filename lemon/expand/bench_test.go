package expand

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bertpkg "github.com/golemon/golemon/lemon/arch/bert"

	"github.com/golemon/golemon/lemon/arch"
)

// BenchmarkExpand times Apply on the paper's sizes in float32 and reports target parameters
// per second of wall clock and of CPU time, and the peak heap during Apply against
// 2.5×(source + target bytes). The BERT
// pair drops the MLM transform, which LEMON cannot expand losslessly to 1024 = 768 + 256.
// The first iteration pays the operating system's first touch of the target's memory, which
// on small VMs costs as much as the arithmetic; later iterations reuse freed heap.
//
//	go test ./lemon/expand -run '^$' -bench Expand -benchtime 1x   # cold
//	go test ./lemon/expand -run '^$' -bench Expand -benchtime 4x   # mostly warm
func BenchmarkExpand(b *testing.B) {
	bert := func(name string) arch.Config {
		c, err := arch.Preset(name)
		if err != nil {
			b.Fatal(err)
		}
		bc, _ := bertpkg.Of(c)
		bc.MLMTransform = false
		return bertpkg.New(bc)
	}
	pairs := []struct {
		name     string
		src, tgt arch.Config
	}{
		{"ViT(6,384)→ViT(12,768)", mustPreset(b, "vit-6-384"), mustPreset(b, "vit-12-768")},
		{"BERT(12,768)→BERT(24,1024)", bert("bert-12-768"), bert("bert-24-1024")},
	}
	for _, pair := range pairs {
		b.Run(pair.name, func(b *testing.B) {
			store, err := arch.Init(pair.src, 1)
			if err != nil {
				b.Fatal(err)
			}
			plan, err := NewPlan(pair.src, SpecOf(pair.tgt.Enc()), LEMON, Options{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			bytes := 4 * float64(pair.src.NumParams()+plan.Target().NumParams())
			b.ResetTimer()
			cpu0 := processCPU()
			peak := watchHeap()
			for b.Loop() {
				if _, err := plan.Apply(arch.Model{Config: plan.Source(), Store: store}); err != nil {
					b.Fatal(err)
				}
			}
			heap := peak()
			if cpu := processCPU() - cpu0; cpu > 0 {
				// CPU time (user + system) is what a loaded machine cannot steal.
				b.ReportMetric(float64(plan.Target().NumParams())*float64(b.N)/cpu.Seconds()/1e6, "Mparams/CPU-s")
			}
			b.ReportMetric(float64(plan.Target().NumParams())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
			b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(heap)/(2.5*bytes), "peak/2.5(S+T)")
		})
	}
}

func mustPreset(b *testing.B, name string) arch.Config {
	c, err := arch.Preset(name)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// watchHeap samples the live heap (runtime/metrics, which does not stop the world) until the
// returned function is called, which reports the peak in bytes, the source store included.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	sample := func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				sample()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak.Load()
	}
}
