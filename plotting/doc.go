// Package plotting draws the figures of a LEMON study with gonum/plot: training curves from
// the runner's CSV logs, learning-rate schedules, compute-saving bars and an expansion-
// exactness chart. Figures are *plot.Plot values, so gonum users can restyle them; Save
// writes each as PNG and SVG; package gonbplot shows them in a GoNB notebook cell.
//
//	scratch, err := plotting.ReadLog("runs/vit_scratch.csv")
//	lemon, err := plotting.ReadLog("runs/vit_lemon.csv")
//	final, _ := scratch.Final(plotting.ValLoss)
//	p, err := plotting.Curves("ViT(12,768)", plotting.FLOPs.Label(), plotting.ValLoss.Label(),
//		[]plotting.Series{scratch.Series(plotting.FLOPs, plotting.ValLoss), lemon.Series(plotting.FLOPs, plotting.ValLoss)},
//		plotting.CurveOptions{LogX: true, Ref: &plotting.RefLine{Y: final, Label: "scratch final val loss"}})
//	err = gonbplot.Show(p)                            // in GoNB; gonbplot.ErrNotNotebook elsewhere
//	err = plotting.Save(p, "figs/vit_val_loss", 6, 4) // figs/vit_val_loss.png and .svg
//
// The figures are those the paper (Wang et al., "LEMON: Lossless Model Expansion", ICLR 2024)
// argues with: validation loss or accuracy against compute for scratch, LEMON and baseline
// runs; the learning-rate schedules compared (the expanded model's compressed schedule
// against the scratch one); the compute saved (56.7% for ViT, 33.2% for BERT, reported with
// and without the source model's own cost); and the lossless check, max |Δ| between source
// and expanded outputs against a named tolerance, that precedes any training.
//
// Logs: one CSV per run with the header LogHeader,
// step,examples,tokens,flops,train_loss,val_loss,val_metric,lr,wall_s. An empty field is a
// missing value (e.g. val_loss between evaluations) and Log.Series skips it.
//
// Errors: every exported function returns an error naming the figure or file and the bad
// input (a non-positive value on a log axis, a malformed CSV line and column) rather than
// panicking inside gonum/plot. The command plotlog (./plotting/cmd/plotlog) renders curves
// from logs without writing Go.
package plotting
