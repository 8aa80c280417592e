package gpt2_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/schedule"
	"github.com/golemon/golemon/lemon/study"
)

// TestDecoderStudy: the study runner takes a GPT-2 through a (tiny) matrix of the decoder
// task — source, scratch, LEMON and a baseline — on next-token data, adapts the vocabulary to
// the data's, reports the context rule against the unigram entropy, and LEMON starts exactly
// where the source ended.
func TestDecoderStudy(t *testing.T) {
	tokens := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for i := len(tokens); i < 23; i++ {
		tokens = append(tokens, fmt.Sprintf("t%d", i))
	}
	vocab, err := data.NewVocab(tokens)
	if err != nil {
		t.Fatal(err)
	}
	src := tiny("float32")
	c := src.Other.(interface{ WithVocab(int) arch.FamilyConfig }).WithVocab(999) // the data replaces it
	src = arch.Config{Kind: src.Kind, Other: c}
	e := src.Enc()
	e.Layers, e.Width, e.Heads, e.MLPDim = 3, 12, 3, 24
	tgt := src.WithEncoder(e)
	s := study.Study{
		Task: study.GPT2, Name: "tiny", SourceName: "gpt2-2-8", TargetName: "gpt2-3-12", Source: src, Target: tgt,
		Data:  study.DataSpec{Dataset: "strides", Batch: 32, SeqLen: 12},
		Steps: 60, SourceSteps: 60, EvalEvery: 20,
		Schedule:    schedule.WarmupDecay{Peak: 1e-2, Warmup: 5, Floor: 1e-4, Decay: schedule.Cosine},
		WeightDecay: 0.01, Seeds: []uint64{1, 2}, Budgets: []float64{0.5},
		Baselines: []expand.Method{expand.Stack}, BaselineBudgets: []float64{0.5}, EverySeed: true,
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	d := &study.Text{Train: strides(512, 1), Val: strides(64, 2), Vocab: vocab, Batch: 32, Unigram: math.Log(23)}
	rep, err := study.Run(backend.MustNew(), s, study.Options{Out: t.TempDir(), Data: d, Log: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source == nil || len(rep.Records) != 6 {
		t.Fatalf("source %v, %d records, want 6 (scratch, lemon, stack × 2 seeds)", rep.Source, len(rep.Records))
	}
	for _, r := range rep.Records {
		if r.Spec.Name() == "lemon" && math.Abs(r.Initial.ValLoss-rep.Source.ValLoss) > 1e-5 {
			t.Errorf("lemon starts at %.6f, the source ended at %.6f", r.Initial.ValLoss, rep.Source.ValLoss)
		}
	}
	if f, ok, err := rep.Figure(study.PerplexityFigure); err != nil || !ok || f.Plot.Y.Label.Text != "val perplexity" {
		t.Errorf("no perplexity figure (ok %v, err %v)", ok, err)
	}
	md := rep.Markdown()
	for _, want := range []string{"Decoder LM", "unigram entropy", "gpt2-3-12"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// A decoder task needs a decoder family.
	s.Task, s.Source, s.Target = study.GPT2, arch.Config{}, arch.Config{}
	if bert, err := arch.Preset("bert-cpu-2-32"); err == nil {
		s.Source, s.Target = bert, bert
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "decoder family") {
		t.Errorf("a BERT under the gpt2 task: %v", err)
	}
}
