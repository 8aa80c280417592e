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
	Spec      RunSpec
	PeakLR    float64
	Final     runner.Row // the last evaluation
	Initial   runner.Row // the step-0 evaluation, before any training
	Exactness string     // of the expansion ("exact", "lossy", …); empty for scratch
	// Savings against the scratch reference, one per Task.Metrics (headline first); nil
	// before any scratch run has finished.
	Savings []savings.Saving
	rows    []runner.Row
}

// Rows is the run's whole evaluation log, the step-0 evaluation first.
func (r Record) Rows() []runner.Row { return r.rows }

// Report is what a study produced so far: every finished run measured against the
// scratch reference.
type Report struct {
	Study        Study
	Data         string
	Source       *runner.Row // the source's final evaluation (nil until it is trained)
	SourceFLOPs  float64
	Targets      []float64 // per Task.Metrics: the mean final value of the scratch seeds
	ScratchFLOPs float64
	ScratchRuns  int
	Records      []Record
	// Unigram is the text data's unigram entropy in nats (BERT: the loss of a model that
	// ignores context); 0 for images or when unknown.
	Unigram float64
}

// collect reads the record of every finished run of the matrix and measures the savings.
func (e *env) collect() (*Report, error) {
	rep := &Report{Study: e.s, Data: e.data.Describe()}
	if t, ok := e.data.(*Text); ok {
		rep.Unigram = t.Unigram
	}
	if src, ok, err := e.readSource(); err != nil {
		return nil, err
	} else if ok {
		final := src.Rows[len(src.Rows)-1]
		rep.Source, rep.SourceFLOPs = &final, final.FLOPs
	}
	var scratch []runner.Row
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
			scratch = append(scratch, rows[len(rows)-1])
		}
	}
	rep.measure(scratch)
	return rep, nil
}

// measure sets the scratch reference from the scratch runs' final rows and every record's
// savings against it, for each metric.
func (rep *Report) measure(scratch []runner.Row) {
	rep.ScratchRuns = len(scratch)
	if len(scratch) == 0 {
		return
	}
	rep.ScratchFLOPs = mean(scratch, func(r runner.Row) float64 { return r.FLOPs })
	metrics := rep.Study.Task.Metrics()
	rep.Targets = make([]float64, len(metrics))
	for k, m := range metrics {
		rep.Targets[k] = mean(scratch, m.Of)
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		src := rep.SourceFLOPs
		if r.Spec.Scratch {
			src = 0
		}
		r.Savings = make([]savings.Saving, len(metrics))
		for k, m := range metrics {
			curve := make([]savings.Point, len(r.rows))
			for j, row := range r.rows {
				curve[j] = savings.Point{FLOPs: row.FLOPs, Metric: m.Of(row)}
			}
			r.Savings[k] = savings.Compute(rep.Targets[k], rep.ScratchFLOPs, curve, src, m.Better())
		}
	}
}

func mean(rows []runner.Row, f func(runner.Row) float64) float64 {
	xs := make([]float64, len(rows))
	for i, r := range rows {
		xs[i] = f(r)
	}
	return savings.StatOf(xs).Mean
}

// CSVHeader is the header of results.csv. The savings columns come for the task's headline
// metric (saving_metric: val_metric for ViT accuracy, val_loss for BERT) and for the other
// one (alt_metric).
const CSVHeader = "task,method,budget,steps,peak_lr,seed,final_val_metric,final_val_loss,flops," +
	"initial_val_metric,initial_val_loss,exactness," +
	"saving_metric,reached,reach_flops,saving_excl_source,saving_incl_source," +
	"alt_metric,alt_reached,alt_saving_excl_source,alt_saving_incl_source,wall_s"

// CSV is results.csv: one row per finished run. Savings of a run that never reached the
// scratch reference are empty (not a number), with reached=false; all savings are empty
// before a scratch run has finished.
func (rep *Report) CSV() string {
	var sb strings.Builder
	sb.WriteString(CSVHeader + "\n")
	metrics := rep.Study.Task.Metrics()
	for _, r := range rep.Records {
		fmt.Fprintf(&sb, "%s,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s", rep.Study.Task, r.Spec.Name(), g(r.Spec.Budget), r.Spec.Steps,
			g(r.PeakLR), r.Spec.Seed, g(r.Final.ValMetric), g(r.Final.ValLoss), g(r.Final.FLOPs), g(r.Initial.ValMetric),
			g(r.Initial.ValLoss), r.Exactness)
		for k, m := range metrics {
			reached, s := "", savings.Saving{ReachFLOPs: math.NaN(), Excl: math.NaN(), Incl: math.NaN()}
			if r.Savings != nil {
				s = r.Savings[k]
				reached = strconv.FormatBool(s.Reached)
			}
			fmt.Fprintf(&sb, ",%s,%s", m.Column(), reached)
			if k == 0 {
				fmt.Fprintf(&sb, ",%s", g(s.ReachFLOPs))
			}
			fmt.Fprintf(&sb, ",%s,%s", g(s.Excl), g(s.Incl))
		}
		fmt.Fprintf(&sb, ",%.1f\n", r.Final.WallS)
	}
	return sb.String()
}

// g formats a number for the CSV; NaN is an empty field.
func g(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
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

// summary aggregates the group's savings on metric k of Task.Metrics.
func (g group) summary(k int) savings.Summary {
	ss := make([]savings.Saving, len(g.recs))
	for i, r := range g.recs {
		ss[i] = r.Savings[k]
	}
	return savings.Summarize(ss)
}
