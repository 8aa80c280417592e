// Package runner trains lemon's models on GoMLX's training machinery (train.Trainer and
// train.Loop, with its progress bar) and keeps the record a compute study needs.
//
// A Task pairs a model config with its data, for any family through the interface it
// implements: NewImageTask (arch.ImageClassifier, e.g. ViT, on MNIST or Fashion-MNIST, see
// LoadImages), NewMLMTask (arch.MaskedLM, e.g. BERT, masked-LM on the text corpus, see
// LoadMLMCorpus), NewCausalLMTask (arch.CausalLM: the decoders, next-token prediction) and
// NewClassifierTask (arch.Classifier: fixed-size examples). The runner knows no family. Run trains with AdamW (package optim) under any learning-rate schedule
// (package schedule, asked once per step), evaluates on the held-out split every EvalEvery
// steps and once before the first step, and writes after each evaluation:
//
//	OUT/log.csv   step,examples,tokens,flops,train_loss,val_loss,val_metric,lr,wall_s
//	OUT/ckpt/     weights, optimizer state and RNG (package ckpt) + config.json + meta.json
//
// FLOPs are training FLOPs from the config (arch.TrainFLOPs: 3× the forward matmuls).
// With Options.Resume, a run continues from OUT/ckpt: N steps, stop, resume to 2N gives the
// same losses as 2N steps straight (seeded data order, masking and dropout; tested).
//
//	cfg, _ := vit.Preset("vit-cpu-2-64")
//	task, _ := runner.NewImageTask("vit/mnist", cfg, train, test, 64, seed)
//	m, _ := arch.New(task.Config(), seed) // an arch.Model: config + weights
//	res, err := runner.Run(backend.MustNew(), task, m, runner.Options{
//		Steps: 2000, EvalEvery: 500, OutDir: "runs/vit", WeightDecay: 0.05,
//		Schedule: schedule.WarmupCosine{Peak: 3e-3, Warmup: 100, Total: 2000, Floor: 3e-5}})
//
// A watchdog turns a stalled backend (seen with GoMLX's pure-Go backend on 2-core machines)
// into an error after Options.StallTimeout.
package runner
