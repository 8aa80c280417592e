package study

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golemon/golemon/lemon/arch"
	"github.com/golemon/golemon/lemon/ckpt"
	"github.com/golemon/golemon/lemon/data"
	"github.com/golemon/golemon/lemon/expand"
	"github.com/golemon/golemon/lemon/runner"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"
)

// SourceArm names the source model in Options.Only.
const SourceArm = "source"

// Options configure Run.
type Options struct {
	Out     string // the study's directory: source/, runs/<id>/, results and figures
	Data    Data   // nil: LoadData(study.Data, DataDir)
	DataDir string
	// Only restricts training to these arms (RunSpec.Name: "scratch", "lemon",
	// "lemon-truncated", "fpi", …, or SourceArm for the source alone; expanded arms train
	// the source too when it is missing); nil trains all. Results cover every finished run.
	Only         []string
	Log          io.Writer     // progress and evaluation lines; nil: os.Stdout
	StallTimeout time.Duration // passed to the runner (0: its default)
	// Shard and Shards split the matrix between processes or machines: this one trains the
	// runs whose index in Study.Runs() is Shard modulo Shards (Shards 0 or 1: every run).
	// Shards writing to one Out (or whose Out folders are copied together) report the whole
	// matrix; each trains the source if it needs it and finds none (training is deterministic).
	Shard, Shards int
	// Parallel trains up to this many runs at once (0 or 1: one at a time), for many cores.
	Parallel int
	// ScratchOut, if set, holds the scratch runs (ScratchOut/runs/<id>) instead of Out, so
	// that studies differing only in their source (a sweep over the source's budget) share
	// them: a scratch run depends on the target, the data and the schedule, not the source.
	ScratchOut string
	// SourceOut, if set, holds the source (SourceOut/source) instead of Out, so that studies
	// growing one source to several targets (a growth sweep) train it once.
	SourceOut string
	// OnRun, when set, is called as each run (the source included, named "source") starts
	// training, with its total steps; the function it returns gets every evaluation row
	// (runner.Options.OnEval), e.g. a live notebook figure (gonbplot.Live.Add). A nil result
	// leaves that run without one.
	OnRun func(run string, steps int) func(runner.Row)
	// Variants, for a sweep (RunSweep), trains only the variants with these folder names
	// (Variant.Dir, e.g. "growth-vit-3-48"); the others are reported from the runs they have.
	// nil trains every variant. An unknown name is an error before anything trains.
	Variants []string
}

// onEval is the evaluation hook of one run, or nil.
func (o Options) onEval(run string, steps int) func(runner.Row) {
	if o.OnRun == nil {
		return nil
	}
	return o.OnRun(run, steps)
}

func (o Options) validate() error {
	var errs []error
	if o.Shards < 0 || o.Shard < 0 || o.Shard >= max(o.Shards, 1) {
		errs = append(errs, fmt.Errorf("shard %d of %d: want 0 ≤ shard < shards", o.Shard, o.Shards))
	}
	if o.Parallel < 0 {
		errs = append(errs, fmt.Errorf("parallel must be ≥ 0, got %d", o.Parallel))
	}
	if len(errs) > 0 {
		return fmt.Errorf("study: %w", errors.Join(errs...))
	}
	return nil
}

// record is what a finished run leaves in result.json: the request, the settings it ran
// under and its whole evaluation log. A run with a record is never trained again.
type record struct {
	Settings  string       `json:"settings"`
	Spec      RunSpec      `json:"spec"`
	Schedule  string       `json:"schedule"`
	Exactness string       `json:"exactness,omitempty"` // of the expansion; empty for scratch and source
	Rows      []runner.Row `json:"rows"`
}

// resultFile is the record of a finished run inside its directory.
const resultFile = "result.json"

// Run trains every run of the study that has no record in opts.Out yet (the source first,
// when an expanded run needs it), then writes results.csv, results.md and the figures
// from every finished run. Expansion plans are built and checked before any training.
func Run(b compute.Backend, s Study, opts Options) (*Report, error) {
	if opts.Only != nil && len(opts.Only) == 0 && opts.Data == nil && s.Task == ViT {
		opts.Data = specData{s.Data} // trains nothing: a fresh clone reports without the images
	}
	rep, err := run(b, s, opts, true)
	if err != nil {
		return nil, err
	}
	return rep, rep.Write(opts.Out)
}

// run trains the study (if train) and collects its finished runs; it is an error when none
// has finished.
func run(b compute.Backend, s Study, opts Options, train bool) (*Report, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	e, err := newEnv(b, s, opts)
	if err != nil {
		return nil, err
	}
	if train {
		if err := e.trainAll(); err != nil {
			return nil, err
		}
	}
	rep, err := e.collect()
	if err != nil {
		return nil, err
	}
	// A source shared with other studies (opts.SourceOut, the sweeps) is not this study's run.
	if (rep.Source == nil || opts.SourceOut != "") && len(rep.Records) == 0 {
		return nil, fmt.Errorf("study: no finished runs in %s: nothing to report (train the matrix first); nothing written", opts.Out)
	}
	return rep, nil
}

// Load reads the finished runs of a study from opts.Out (and opts.ScratchOut and
// opts.SourceOut) into a report, training and writing nothing. A ViT study needs no data for
// it (opts.Data may be nil without the dataset being present); a BERT study loads its corpus
// (the vocabulary fixes the model's size).
func Load(s Study, opts Options) (*Report, error) {
	if opts.Data == nil && s.Task == ViT {
		opts.Data = specData{s.Data}
	}
	opts.Only = []string{}
	return run(nil, s, opts, false)
}

// specData stands for image data that is described but not loaded: reports only.
type specData struct{ spec DataSpec }

func (d specData) Adapt(cfg arch.Config) arch.Config { return cfg }

func (d specData) NewTask(string, arch.Config, uint64) (runner.Task, error) {
	return nil, fmt.Errorf("study: %s is not loaded (reading results only)", d.spec.Dataset)
}

func (d specData) Describe() string {
	if d.spec.Dataset == runner.FashionMNIST || d.spec.Dataset == runner.MNIST {
		// What Images.Describe prints once loaded: both sets have 60,000 training and 10,000
		// test images (scripts/fetch_data.sh pins the files by size and hash).
		val := data.MNISTTestImages
		if n := d.spec.ValExamples; n > 0 && n < val {
			val = n
		}
		return fmt.Sprintf("%s: %d training images, %d validation images, batch %d", d.spec.Dataset, data.MNISTTrainImages, val, d.spec.Batch)
	}
	return fmt.Sprintf("%s: batch %d, validation on the first %d test images", d.spec.Dataset, d.spec.Batch, d.spec.ValExamples)
}

// env is one study run: the data, the adapted configs and the output directory.
type env struct {
	backend  compute.Backend
	s        Study
	opts     Options
	log      io.Writer
	data     Data
	src, tgt arch.Config
	settings string
	// scratchSettings identifies what a scratch run depends on (no source); scratch records
	// carry it (older ones carry settings, also accepted).
	scratchSettings string
	sourceSettings  string // the same for the source: its config, the data, its steps and schedule
}

func newEnv(b compute.Backend, s Study, opts Options) (*env, error) {
	if opts.Out == "" {
		return nil, fmt.Errorf("study: an output directory is required")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if err := checkOnly(s, opts.Only); err != nil {
		return nil, err
	}
	e := &env{backend: b, s: s, opts: opts, log: opts.Log, data: opts.Data}
	if e.log == nil {
		e.log = os.Stdout
	}
	if e.data == nil {
		var err error
		if e.data, err = LoadData(s.Data, opts.DataDir); err != nil {
			return nil, err
		}
	}
	e.src, e.tgt = e.data.Adapt(s.Source), e.data.Adapt(s.Target)
	e.settings = fingerprint(s, e.src, e.tgt)
	e.scratchSettings = scratchFingerprint(s, e.tgt)
	e.sourceSettings = sourceFingerprint(s, e.src)
	for _, m := range expandedMethods(s) { // every plan is checked before anything trains
		if _, err := newExpansion(m, e.src, e.tgt, 0, e.s.HyperCloneNoise); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// checkOnly rejects arm names the study does not have.
func checkOnly(s Study, only []string) error {
	known := []string{SourceArm}
	for _, r := range s.Runs() {
		if !slices.Contains(known, r.Name()) {
			known = append(known, r.Name())
		}
	}
	for _, name := range only {
		if !slices.Contains(known, name) {
			return fmt.Errorf("study: no arm %q in this study; arms: %s", name, strings.Join(known, ", "))
		}
	}
	return nil
}

func expandedMethods(s Study) []expand.Method {
	var ms []expand.Method
	for _, r := range s.Runs() {
		if !r.Scratch && !slices.Contains(ms, r.Method) {
			ms = append(ms, r.Method)
		}
	}
	return ms
}

// fingerprint identifies the settings a run's result depends on beyond its RunSpec, so that
// a directory holding runs of other settings is refused rather than mixed in.
func fingerprint(s Study, src, tgt arch.Config) string {
	sch := s.Schedule
	sch.Total = s.Steps
	return fmt.Sprintf("%s %s→%s %+v T=%d source=%d eval=%d %s wd=%g cfg=%x",
		s.Task, s.SourceName, s.TargetName, s.Data, s.Steps, s.SourceSteps, s.EvalEvery, sch, s.WeightDecay, cfgHash(src, tgt))
}

// scratchFingerprint is fingerprint for scratch runs: the target, the data and the schedule.
func scratchFingerprint(s Study, tgt arch.Config) string {
	sch := s.Schedule
	sch.Total = s.Steps
	return fmt.Sprintf("%s scratch %s %+v T=%d eval=%d %s wd=%g cfg=%x",
		s.Task, s.TargetName, s.Data, s.Steps, s.EvalEvery, sch, s.WeightDecay, cfgHash(tgt))
}

// sourceFingerprint is fingerprint for the source: its config, the data and its schedule.
func sourceFingerprint(s Study, src arch.Config) string {
	sch := s.Schedule
	sch.Total = s.SourceSteps
	return fmt.Sprintf("%s source %s %+v steps=%d eval=%d %s wd=%g cfg=%x seed=%d",
		s.Task, s.SourceName, s.Data, s.SourceSteps, s.EvalEvery, sch, s.WeightDecay, cfgHash(src), s.Seeds[0])
}

// cfgHash hashes the configs' JSON as the study records have always hashed it, so that the
// committed runs keep their fingerprints: ViT and BERT configs with "kind" first (as
// arch.Config writes every config now), the other families' with their two keys in name
// order (as arch.Config wrote them before ViT and BERT became registered families).
func cfgHash(cfgs ...arch.Config) uint64 {
	h := fnv.New64a()
	for _, c := range cfgs {
		j, _ := c.MarshalIndent()
		if c.Kind != "vit" && c.Kind != "bert" && c.Validate() == nil {
			j, _ = json.MarshalIndent(map[string]any{"kind": c.Kind, string(c.Kind): c.Other}, "", "  ")
		}
		h.Write(j)
	}
	return h.Sum64()
}

func (e *env) selected(r RunSpec) bool {
	return e.opts.Only == nil || slices.Contains(e.opts.Only, r.Name())
}

// inShard reports whether run number i belongs to this process's shard.
func (e *env) inShard(i int) bool { return e.opts.Shards <= 1 || i%e.opts.Shards == e.opts.Shard }

// trainAll trains the source if needed and every selected run of this shard without a record,
// up to Options.Parallel at a time.
func (e *env) trainAll() error {
	runs := e.s.Runs()
	var todo []int
	needSource := false
	for i, r := range runs {
		_, ok, err := e.readRunRecord(r)
		switch {
		case err != nil:
			return err
		case ok:
			fmt.Fprintf(e.log, "[%d/%d] %s: done before, skipped\n", i+1, len(runs), r.ID())
		case e.selected(r) && e.inShard(i):
			todo = append(todo, i)
			needSource = needSource || !r.Scratch
		}
	}
	var srcStore *model.Store
	if needSource || (e.opts.Only != nil && slices.Contains(e.opts.Only, SourceArm)) {
		var err error
		if srcStore, _, err = e.source(); err != nil {
			return err
		}
	}
	start := time.Now()
	one := func(i int) error {
		r := runs[i]
		fmt.Fprintf(e.log, "[%d/%d] %s: %d steps, %s (%.0fs into this session)\n", i+1, len(runs), r.ID(), r.Steps,
			e.s.ScheduleOf(r), time.Since(start).Seconds())
		return e.train(r, srcStore)
	}
	if e.opts.Parallel <= 1 {
		for _, i := range todo {
			if err := one(i); err != nil {
				return err
			}
		}
		return nil
	}
	e.log = &syncWriter{w: e.log}
	return parallel(todo, e.opts.Parallel, one)
}

// parallel calls fn on every item, at most k at a time, and returns the first error (items not
// yet started when it occurs are skipped).
func parallel(items []int, k int, fn func(int) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	slots := make(chan struct{}, k)
	for _, it := range items {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := fn(it); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// syncWriter serialises writes from runs trained in parallel (each write is one line).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (e *env) runDir(r RunSpec) string {
	if r.Scratch && e.opts.ScratchOut != "" {
		return filepath.Join(e.opts.ScratchOut, "runs", r.ID())
	}
	return filepath.Join(e.opts.Out, "runs", r.ID())
}

func (e *env) sourceDir() string {
	if e.opts.SourceOut != "" {
		return filepath.Join(e.opts.SourceOut, "source")
	}
	return filepath.Join(e.opts.Out, "source")
}

// readSource reads the source's record: it carries the source's settings, or (older
// records) the study's.
func (e *env) readSource() (record, bool, error) {
	return e.readRecord(e.sourceDir(), e.settings, e.sourceSettings)
}

// source returns the trained source model, training it (or finishing its training) first
// when its directory has no record.
func (e *env) source() (*model.Store, record, error) {
	dir := e.sourceDir()
	rec, ok, err := e.readSource()
	if err != nil {
		return nil, rec, err
	}
	if ok {
		ck := runner.CheckpointDir(dir)
		if _, err := os.Stat(ck); errors.Is(err, fs.ErrNotExist) {
			// Committed results carry the source's record but not its checkpoint: train it
			// again, deterministically, and use it only if it ends where the record says.
			store, err := e.rebuildSource(rec)
			return store, rec, err
		}
		m, err := ckpt.Load(ck)
		return m.Store, rec, err
	}
	store, rec, _, err := e.trainSource(dir)
	if err != nil {
		return nil, rec, err
	}
	return store, rec, writeRecord(dir, rec)
}

// rebuildSourceDir is where a source whose checkpoint is missing is trained again, next to
// its record (which it never overwrites).
const rebuildSourceDir = "rebuild"

// sourceRebuildTol is how far the rebuilt source's final validation loss and metric may be
// from the recorded ones: training is deterministic on one build and machine, so anything
// beyond float noise means the source is not the one the finished runs started from.
const sourceRebuildTol = 1e-6

// rebuildSource trains the source again into <source>/rebuild, checks its final evaluation
// against the record and moves the checkpoint to <source>/ckpt.
func (e *env) rebuildSource(rec record) (*model.Store, error) {
	dir := e.sourceDir()
	tmp := filepath.Join(dir, rebuildSourceDir)
	fmt.Fprintf(e.log, "source %s: record found but no checkpoint (checkpoints are not committed); training it again in %s\n", e.s.SourceName, tmp)
	store, _, res, err := e.trainSource(tmp)
	if err != nil {
		return nil, err
	}
	if len(rec.Rows) == 0 || len(res.Rows) == 0 {
		return nil, fmt.Errorf("study: source %s: rebuilt source or its record has no evaluation rows", e.s.SourceName)
	}
	want, got := rec.Rows[len(rec.Rows)-1], res.Rows[len(res.Rows)-1]
	if want.Step != got.Step || math.Abs(want.ValLoss-got.ValLoss) > sourceRebuildTol || math.Abs(want.ValMetric-got.ValMetric) > sourceRebuildTol {
		return nil, fmt.Errorf("study: source %s trained again ends at step %d with val loss %.9g, metric %.9g, but its record says step %d, %.9g, %.9g: "+
			"the finished runs started from another source (other build or machine?); use a fresh -out, or copy the original checkpoint to %s",
			e.s.SourceName, got.Step, got.ValLoss, got.ValMetric, want.Step, want.ValLoss, want.ValMetric, runner.CheckpointDir(dir))
	}
	if err := os.Rename(runner.CheckpointDir(tmp), runner.CheckpointDir(dir)); err != nil {
		return nil, fmt.Errorf("study: source %s: %w", e.s.SourceName, err)
	}
	if err := os.RemoveAll(tmp); err != nil { // its log and record duplicate the committed ones
		return nil, fmt.Errorf("study: source %s: %w", e.s.SourceName, err)
	}
	fmt.Fprintf(e.log, "source %s: rebuilt, ends at val loss %.9g, metric %.9g as recorded\n", e.s.SourceName, got.ValLoss, got.ValMetric)
	return store, nil
}

// trainSource trains the source from its seed into dir (resuming an interrupted run there).
func (e *env) trainSource(dir string) (*model.Store, record, *runner.Result, error) {
	var rec record
	seed := e.s.Seeds[0]
	task, err := e.data.NewTask("source "+e.s.SourceName, e.src, seed)
	if err != nil {
		return nil, rec, nil, err
	}
	store, err := arch.Init(e.src, seed)
	if err != nil {
		return nil, rec, nil, err
	}
	sch := e.s.Schedule
	sch.Total = e.s.SourceSteps
	fmt.Fprintf(e.log, "source %s: %d steps, %s\n", e.s.SourceName, e.s.SourceSteps, sch)
	res, err := runner.Run(e.backend, task, arch.Model{Config: e.src, Store: store}, runner.Options{Steps: e.s.SourceSteps, EvalEvery: e.s.EvalEvery,
		Schedule: sch, WeightDecay: e.s.WeightDecay, OutDir: dir, Resume: true, Out: e.log, StallTimeout: e.opts.StallTimeout,
		OnEval: e.opts.onEval(SourceArm, e.s.SourceSteps)})
	if err != nil {
		return nil, rec, nil, err
	}
	rec = record{Settings: e.sourceSettings, Spec: RunSpec{Steps: e.s.SourceSteps, LRScale: 1, Seed: seed}, Schedule: sch.String(), Rows: res.Rows}
	return res.Model.Store, rec, res, nil
}

// train runs one target run and leaves its log and record (its checkpoint is removed once
// the run is finished; an interrupted run resumes from it).
func (e *env) train(r RunSpec, srcStore *model.Store) error {
	dir := e.runDir(r)
	cfg, store, exactness := e.tgt, (*model.Store)(nil), ""
	var err error
	if r.Scratch {
		store, err = arch.Init(cfg, r.Seed)
	} else {
		var x *expansion
		if x, err = newExpansion(r.Method, e.src, e.tgt, r.Seed, r.Noise); err == nil {
			var m arch.Model
			m, err = x.apply(arch.Model{Config: e.src, Store: srcStore})
			store, cfg, exactness = m.Store, m.Config, x.exactness().String()
			if err == nil && r.OptState {
				err = x.applyOptimizerState(arch.Model{Config: e.src, Store: srcStore}, m)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("study: %s: %w", r.ID(), err)
	}
	task, err := e.data.NewTask(r.ID(), cfg, r.Seed)
	if err != nil {
		return err
	}
	sch := e.s.ScheduleOf(r)
	res, err := runner.Run(e.backend, task, arch.Model{Config: cfg, Store: store}, runner.Options{Steps: r.Steps, EvalEvery: e.s.EvalEvery, Schedule: sch,
		WeightDecay: e.s.WeightDecay, OutDir: dir, Resume: true, Out: e.log, StallTimeout: e.opts.StallTimeout,
		OnEval: e.opts.onEval(r.ID(), r.Steps)})
	if err != nil {
		return err
	}
	rec := record{Settings: e.settings, Spec: r, Schedule: sch.String(), Exactness: exactness, Rows: res.Rows}
	if r.Scratch {
		rec.Settings = e.scratchSettings
	}
	if err := writeRecord(dir, rec); err != nil {
		return err
	}
	return os.RemoveAll(runner.CheckpointDir(dir))
}

// readRecord reads dir's record; ok is false when the run has not finished. A record made
// under other settings than want (one of them) is an error.
func (e *env) readRecord(dir string, want ...string) (rec record, ok bool, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, resultFile))
	if os.IsNotExist(err) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("study: %w", err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return rec, false, fmt.Errorf("study: %s: %w", filepath.Join(dir, resultFile), err)
	}
	if !slices.Contains(want, rec.Settings) {
		return rec, false, fmt.Errorf("study: %s was made under other settings (%q, now %q): use another output directory",
			dir, rec.Settings, want[len(want)-1])
	}
	return rec, true, nil
}

// readRunRecord is readRecord for run r, which must be the run recorded.
func (e *env) readRunRecord(r RunSpec) (record, bool, error) {
	dir := e.runDir(r)
	want := []string{e.settings}
	if r.Scratch {
		want = []string{e.settings, e.scratchSettings}
	}
	rec, ok, err := e.readRecord(dir, want...)
	if ok && rec.Spec != r {
		return rec, false, fmt.Errorf("study: %s records the run %+v, not %+v: use another output directory", dir, rec.Spec, r)
	}
	return rec, ok, err
}

// writeRecord writes dir/result.json atomically.
func writeRecord(dir string, rec record) error {
	raw, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return fmt.Errorf("study: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	tmp := filepath.Join(dir, resultFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	return os.Rename(tmp, filepath.Join(dir, resultFile))
}

// expansion turns the source into an expanded target: one plan, or for a width-only method
// (HyperClone) a widening plan followed by Zero's identity blocks for the added depth.
type expansion struct{ plans []*expand.Plan }

func newExpansion(m expand.Method, src, tgt arch.Config, seed uint64, noise float64) (*expansion, error) {
	spec, opts := expand.SpecOf(tgt.Enc()), expand.Options{Seed: seed}
	if m.TakesNoise() {
		opts.Noise = noise
	}
	if m.WidthOnly() && spec.Layers != src.Enc().Layers {
		wide := spec
		wide.Layers = src.Enc().Layers
		p1, err := expand.NewPlan(src, wide, m, opts)
		if err != nil {
			return nil, err
		}
		p2, err := expand.NewPlan(p1.Target(), expand.Spec{Layers: spec.Layers}, expand.Zero, expand.Options{Seed: seed})
		if err != nil {
			return nil, err
		}
		return &expansion{plans: []*expand.Plan{p1, p2}}, nil
	}
	p, err := expand.NewPlan(src, spec, m, opts)
	if err != nil {
		return nil, err
	}
	return &expansion{plans: []*expand.Plan{p}}, nil
}

func (x *expansion) apply(m arch.Model) (arch.Model, error) {
	var err error
	for _, p := range x.plans {
		if m, err = p.Apply(m); err != nil {
			return arch.Model{}, err
		}
	}
	return m, nil
}

// applyOptimizerState expands the source's AdamW state into the expanded store; only a
// single-plan expansion carries it (a second plan would need the first one's moments).
func (x *expansion) applyOptimizerState(src, dst arch.Model) error {
	if len(x.plans) != 1 {
		return fmt.Errorf("study: expanded optimizer state needs a one-plan expansion, this one has %d plans", len(x.plans))
	}
	return x.plans[0].ApplyOptimizerState(src, dst)
}

// exactness is the least exact of the plans.
func (x *expansion) exactness() expand.Exactness {
	worst := expand.Exact
	for _, p := range x.plans {
		if e, _ := p.Exactness(); e > worst {
			worst = e
		}
	}
	return worst
}
