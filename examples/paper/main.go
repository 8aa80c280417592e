// Command paper reproduces LEMON's claim (Wang et al., ICLR 2024): an expanded model reaches
// the from-scratch model's validation metric with less compute. For a task and a scale it
// trains the source (or reuses it), the target from scratch over several seeds, the target
// expanded by LEMON and by every baseline at several budgets, sweeps LEMON's peak LR, and
// writes results.csv, results.md and figures (curves, savings, schedules) into -out/<task>.
//
//	go run ./examples/paper -task all -scale cpu -out results/cpu   # both tasks, ~40 CPU-minutes
//	go run ./examples/paper -task vit -scale cpu -out results/cpu   # one task
//	go run ./examples/paper -task all -scale cpu -out results/cpu -report   # tables and figures only
//	go run ./examples/paper -task vit -scale paper -dry-run           # the paper-sized matrix
//	go run ./examples/paper -task gpt2 -scale cpu -out results/cpu    # the GPT-2 decoder study
//	go run ./examples/paper -task vit -out results/cpu -shard 0/4 -parallel 4   # a quarter, 4 runs at a time
//	go run ./examples/paper -sweep growth -out results/sweeps/growth            # saving against the growth factor
//	go run ./examples/paper -sweep source-budget -dry-run                       # when to grow: the matrix
//
// Finished runs are recorded in -out and skipped when the command is run again, so the
// matrix can be run in pieces (-only scratch,lemon) or resumed after an interruption.
// The logic lives in package lemon/study.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golemon/golemon/lemon/backend"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/study"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "paper:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		taskFlag = flag.String("task", "vit", "vit, bert, gpt2 (the decoder study, scale cpu) or all (vit and bert)")
		scale    = flag.String("scale", "cpu", "cpu, cpu-plateau, paper, or cpu-long (ViT only)")
		out      = flag.String("out", "", "output directory; each task writes into <out>/<task> (required unless -dry-run)")
		dataDir  = flag.String("datadir", "", "data directory (default $LEMON_DATA or <repo>/.data)")
		only     = flag.String("only", "", "train only these comma-separated arms (source, scratch, lemon, lemon-truncated, lemon-optstate, fpi, aki, stack, zero, hyperclone)")
		report   = flag.Bool("report", false, "train nothing: write tables and figures from the finished runs in -out")
		dryRun   = flag.Bool("dry-run", false, "print the matrix with estimated FLOPs and check every expansion plan; train nothing")
		shard    = flag.String("shard", "", "i/n: train only run i, i+n, i+2n, … of the matrix (0-based); -report over the merged -out covers all shards")
		par      = flag.Int("parallel", 1, "train up to this many runs at once (for many cores)")
		variants = flag.String("variants", "", "with -sweep: train only these comma-separated variants (their folder names, e.g. growth-vit-3-48); the others are reported from what they have")
		sweep    = flag.String("sweep", "", "run a ViT sweep instead of a study: growth (saving against the growth factor) or source-budget (against the source's training budget); -out is the sweep's folder")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only; see -h)", flag.Args())
	}
	var opts study.Options
	if *shard != "" {
		if _, err := fmt.Sscanf(*shard, "%d/%d", &opts.Shard, &opts.Shards); err != nil || opts.Shards < 1 || opts.Shard < 0 || opts.Shard >= opts.Shards {
			return fmt.Errorf("-shard %q: want i/n with 0 ≤ i < n", *shard)
		}
	}
	if *par < 1 {
		return fmt.Errorf("-parallel must be ≥ 1, got %d", *par)
	}
	opts.Parallel = *par
	if *variants != "" && *sweep == "" {
		return fmt.Errorf("-variants selects variants of a sweep: it needs -sweep")
	}
	if *sweep != "" {
		return runSweep(*sweep, opts, *out, *dataDir, *only, *variants, *report, *dryRun)
	}
	sc, err := study.ParseScale(*scale)
	if err != nil {
		return err
	}
	tasks := []string{*taskFlag}
	if *taskFlag == "all" {
		tasks = []string{study.ViT.String(), study.BERT.String()}
	}
	for _, name := range tasks {
		task, err := study.ParseTask(name)
		if err != nil {
			return err
		}
		s, err := study.Preset(task, sc)
		if err != nil {
			return err
		}
		if *dryRun {
			if err := study.DryRun(os.Stdout, s); err != nil {
				return err
			}
			fmt.Println()
			continue
		}
		if err := runStudy(s, opts, *out, *dataDir, *only, *report); err != nil {
			return err
		}
	}
	return nil
}

func runStudy(s study.Study, opts study.Options, out, dataDir, only string, report bool) error {
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	if dataDir == "" {
		var err error
		if dataDir, err = data.DefaultDir(); err != nil {
			return err
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	opts.Out, opts.DataDir = filepath.Join(out, s.Task.String()), dataDir
	switch {
	case report:
		opts.Only = []string{}
	case only != "":
		opts.Only = strings.Split(only, ",")
	}
	fmt.Printf("study %s/%s on %s → %s\n", s.Task, s.Name, backend.Describe(b), opts.Out)
	rep, err := study.Run(b, s, opts)
	if err != nil {
		return err
	}
	fmt.Print("\n" + rep.Markdown())
	return nil
}

func runSweep(name string, opts study.Options, out, dataDir, only, variants string, report, dryRun bool) error {
	sw, err := study.SweepPreset(name)
	if err != nil {
		return err
	}
	if dryRun {
		return study.DryRunSweep(os.Stdout, sw)
	}
	if out == "" {
		return fmt.Errorf("-out is required")
	}
	if dataDir == "" {
		if dataDir, err = data.DefaultDir(); err != nil {
			return err
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	opts.Out, opts.DataDir = out, dataDir
	switch {
	case report:
		opts.Only = []string{}
	case only != "":
		opts.Only = strings.Split(only, ",")
	}
	if variants != "" {
		opts.Variants = strings.Split(variants, ",")
	}
	fmt.Printf("sweep %s (%d variants) on %s → %s\n", sw.Name, len(sw.Variants), backend.Describe(b), out)
	rep, err := study.RunSweep(b, sw, opts)
	if err != nil {
		return err
	}
	fmt.Print("\n" + rep.Markdown())
	return nil
}
