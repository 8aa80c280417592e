// Package study reproduces the experiments behind LEMON's claim (Wang et al., "LEMON:
// Lossless Model Expansion", ICLR 2024, §5 and its learning-rate study §4.3): a target model
// trained from an expanded source reaches the from-scratch model's validation quality with
// less compute.
//
// A Study is one matrix: the source trained once (and cached), the target trained from
// scratch with budget T over several seeds (the reference), the target expanded with LEMON
// and trained with LEMON's schedule (schedule.LEMONRecipe: same peak, decay compressed) at
// several budgets over the same seeds, a peak-LR sweep, LEMON with the scratch schedule
// stopped early, and every baseline of package expand (FPI, AKI, Stack, Zero, HyperClone).
// Each run's evaluations carry cumulative training FLOPs (arch.TrainFLOPs accounting);
// package savings turns them into 1 − C(reach)/C(scratch), with and without the source's
// cost. Run writes results.csv (one row per run), results.md (mean ± std per setting, the
// lossless check of every expanded run's step-0 evaluation) and figures.
//
//	s, err := study.Preset(study.ViT, study.CPU) // or build a Study by hand
//	if err != nil { … }
//	study.DryRun(os.Stdout, s)                   // the matrix and its FLOPs; trains nothing
//	rep, err := study.Run(backend.MustNew(), s, study.Options{Out: "results/cpu/vit", DataDir: ".data"})
//	fmt.Print(rep.Markdown())
//
// Every finished run leaves OUT/runs/<id>/result.json (its settings and evaluation log);
// a re-run skips it, so a matrix can be run in pieces or resumed, and an interrupted run
// continues from its checkpoint. A directory of runs made under other settings is refused.
// The command examples/paper is the front end.
package study
