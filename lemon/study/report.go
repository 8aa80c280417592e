package study

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/golemon/golemon/lemon/runner"
	"github.com/golemon/golemon/lemon/savings"
)

// Record is one finished target run: one row of results.csv.
type Record struct {
	Spec         RunSpec
	PeakLR       float64
	Final        runner.Row // the last evaluation
	Initial      runner.Row // the step-0 evaluation, before any training
	Exactness    string     // of the expansion ("exact", "lossy", …); empty for scratch
	Saving       savings.Saving
	HasReference bool // whether a scratch reference existed to measure Saving against
	rows         []runner.Row
}

// Report is what a study produced so far: every finished run measured against the
// scratch reference.
type Report struct {
	Study        Study
	Data         string
	Source       *runner.Row // the source's final evaluation (nil until it is trained)
	SourceFLOPs  float64
	Target       float64 // mean final metric of the scratch seeds (NaN without scratch runs)
	ScratchFLOPs float64
	ScratchRuns  int
	Records      []Record
}

// metric is the value savings are measured on: accuracy (ViT) or MLM loss (BERT).
func (s *Study) metric(r runner.Row) float64 {
	if s.Task == BERT {
		return r.ValLoss
	}
	return r.ValMetric
}

// collect reads the record of every finished run of the matrix and measures the savings.
func (e *env) collect() (*Report, error) {
	rep := &Report{Study: e.s, Data: e.data.Describe(), Target: math.NaN()}
	if src, ok, err := e.readRecord(e.sourceDir()); err != nil {
		return nil, err
	} else if ok {
		final := src.Rows[len(src.Rows)-1]
		rep.Source, rep.SourceFLOPs = &final, final.FLOPs
	}
	var scratchFinal, scratchFLOPs []float64
	for _, r := range e.s.Runs() {
		rec, ok, err := e.readRunRecord(r)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		rows := rec.Rows
		rep.Records = append(rep.Records, Record{Spec: r, PeakLR: e.s.ScheduleOf(r).Peak, Final: rows[len(rows)-1],
			Initial: rows[0], Exactness: rec.Exactness, rows: rows})
		if r.Scratch {
			scratchFinal = append(scratchFinal, e.s.metric(rows[len(rows)-1]))
			scratchFLOPs = append(scratchFLOPs, rows[len(rows)-1].FLOPs)
		}
	}
	rep.ScratchRuns = len(scratchFinal)
	if rep.ScratchRuns == 0 {
		return rep, nil
	}
	rep.Target, rep.ScratchFLOPs = savings.StatOf(scratchFinal).Mean, savings.StatOf(scratchFLOPs).Mean
	for i := range rep.Records {
		r := &rep.Records[i]
		curve := make([]savings.Point, len(r.rows))
		for j, row := range r.rows {
			curve[j] = savings.Point{FLOPs: row.FLOPs, Metric: e.s.metric(row)}
		}
		src := rep.SourceFLOPs
		if r.Spec.Scratch {
			src = 0
		}
		r.Saving = savings.Compute(rep.Target, rep.ScratchFLOPs, curve, src, e.s.Task.Better())
		r.HasReference = true
	}
	return rep, nil
}

// CSVHeader is the header of results.csv.
const CSVHeader = "task,method,budget,steps,peak_lr,seed,final_val_metric,final_val_loss,flops," +
	"initial_val_metric,initial_val_loss,exactness,reached,reach_flops,saving_excl_source,saving_incl_source,wall_s"

// CSV is results.csv: one row per finished run. Savings of a run that never reached the
// scratch reference are empty (not a number), with reached=false.
func (rep *Report) CSV() string {
	var sb strings.Builder
	sb.WriteString(CSVHeader + "\n")
	g := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	for _, r := range rep.Records {
		s := r.Saving
		reached := ""
		if r.HasReference {
			reached = strconv.FormatBool(s.Reached)
		} else {
			s.ReachFLOPs, s.Excl, s.Incl = math.NaN(), math.NaN(), math.NaN()
		}
		fmt.Fprintf(&sb, "%s,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.1f\n",
			rep.Study.Task, r.Spec.Name(), g(r.Spec.Budget), r.Spec.Steps, g(r.PeakLR), r.Spec.Seed,
			g(r.Final.ValMetric), g(r.Final.ValLoss), g(r.Final.FLOPs), g(r.Initial.ValMetric), g(r.Initial.ValLoss),
			r.Exactness, reached, g(s.ReachFLOPs), g(s.Excl), g(s.Incl), r.Final.WallS)
	}
	return sb.String()
}

// Write saves results.csv, results.md and the figures into dir, atomically per file.
func (rep *Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	for name, text := range map[string]string{"results.csv": rep.CSV(), "results.md": rep.Markdown()} {
		if err := writeFile(filepath.Join(dir, name), text); err != nil {
			return err
		}
	}
	return rep.SaveFigures(dir)
}

func writeFile(path, text string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("study: %w", err)
	}
	return nil
}

// group is the runs of one setting (arm, budget, LR scale) over seeds.
type group struct {
	key  string
	recs []Record
}

// groups gathers records by setting, in matrix order.
func (rep *Report) groups() []group {
	var out []group
	for _, r := range rep.Records {
		key := fmt.Sprintf("%s|%g|%g", r.Spec.Name(), r.Spec.Budget, r.Spec.LRScale)
		i := slices.IndexFunc(out, func(g group) bool { return g.key == key })
		if i < 0 {
			out = append(out, group{key: key})
			i = len(out) - 1
		}
		out[i].recs = append(out[i].recs, r)
	}
	return out
}

func (g group) stat(f func(Record) float64) savings.Stat {
	xs := make([]float64, len(g.recs))
	for i, r := range g.recs {
		xs[i] = f(r)
	}
	return savings.StatOf(xs)
}

func (g group) summary() savings.Summary {
	ss := make([]savings.Saving, len(g.recs))
	for i, r := range g.recs {
		ss[i] = r.Saving
	}
	return savings.Summarize(ss)
}
