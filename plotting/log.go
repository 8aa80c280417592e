package plotting

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Column is one column of a training log, in header order.
type Column int

// The columns of a training log, in the order the runner writes them.
const (
	Step        Column = iota // optimizer step, 0-based
	Examples                  // training examples seen so far
	Tokens                    // training tokens seen so far
	FLOPs                     // training FLOPs spent so far
	TrainLoss                 // training loss
	ValLoss                   // validation loss
	ValMetric                 // validation accuracy (ViT) or masked-LM accuracy (BERT)
	LR                        // learning rate used by the step
	WallSeconds               // wall-clock seconds since the run started

	numColumns = iota
)

// columnNames are the header names, indexed by Column.
var columnNames = [numColumns]string{
	"step", "examples", "tokens", "flops", "train_loss", "val_loss", "val_metric", "lr", "wall_s",
}

// columnLabels are axis labels, indexed by Column.
var columnLabels = [numColumns]string{
	"step", "examples", "tokens", "FLOPs", "train loss", "val loss", "val metric", "learning rate",
	"wall time (s)",
}

// LogHeader is the exact header line of a training log.
var LogHeader = strings.Join(columnNames[:], ",")

// String returns the column's header name, e.g. "val_loss".
func (c Column) String() string {
	if c < 0 || c >= numColumns {
		return fmt.Sprintf("Column(%d)", int(c))
	}
	return columnNames[c]
}

// Label returns a human-readable axis label for the column, e.g. "val loss".
func (c Column) Label() string {
	c.mustBeValid()
	return columnLabels[c]
}

// mustBeValid panics on a Column outside the log's columns: a programming error.
func (c Column) mustBeValid() {
	if c < 0 || c >= numColumns {
		panic(fmt.Sprintf("plotting: invalid Column(%d)", int(c)))
	}
}

// ParseColumn returns the column with the given header name.
func ParseColumn(name string) (Column, error) {
	for c, n := range columnNames {
		if n == name {
			return Column(c), nil
		}
	}
	return 0, fmt.Errorf("plotting: unknown log column %q, want one of %s", name, LogHeader)
}

// Log is one training run's log: one row per logged step.
//
// A missing value (an empty field, e.g. val_loss on steps without evaluation) reads as NaN.
type Log struct {
	// Name names the run in legends; ReadLog sets it to the file name without ".csv".
	Name string
	// Path is the file the log was read from.
	Path string

	cols [numColumns][]float64
}

// ReadLog reads a training log written by the runner. The header must be exactly LogHeader;
// every field must be a number or empty. Errors name the path, line and column.
func ReadLog(path string) (Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return Log{}, fmt.Errorf("plotting: read log: %w", err)
	}
	defer f.Close()
	l := Log{Name: strings.TrimSuffix(filepath.Base(path), ".csv"), Path: path}
	if err := l.parse(f); err != nil {
		return Log{}, fmt.Errorf("plotting: read log %s: %w", path, err)
	}
	return l, nil
}

// parse fills l from CSV text.
func (l *Log) parse(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = int(numColumns)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("file is empty, want header %q", LogHeader)
	}
	if err != nil {
		return csvError(err)
	}
	if got := strings.Join(header, ","); got != LogHeader {
		return fmt.Errorf("line 1: header is %q, want %q", got, LogHeader)
	}
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		for c, field := range record {
			v, err := parseField(field)
			if err != nil {
				line, col := cr.FieldPos(c)
				return fmt.Errorf("line %d, column %d (%s, byte %d): %w",
					line, c+1, columnNames[c], col, err)
			}
			l.cols[c] = append(l.cols[c], v)
		}
	}
}

// parseField reads one number; an empty field is a missing value (NaN).
func parseField(field string) (float64, error) {
	field = strings.TrimSpace(field)
	if field == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(field, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", field)
	}
	return v, nil
}

// csvError rewords encoding/csv errors as "line L, column C: ...".
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("line %d: %w (want %d fields: %s)", pe.StartLine, pe.Err, numColumns, LogHeader)
		}
		return fmt.Errorf("line %d, byte %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// Len returns the number of rows.
func (l Log) Len() int { return len(l.cols[Step]) }

// Column returns a copy of one column; missing values are NaN.
func (l Log) Column(c Column) []float64 {
	c.mustBeValid()
	return append([]float64(nil), l.cols[c]...)
}

// Series returns the (x, y) pairs of two columns, named after the log. Rows where either
// value is missing, NaN or infinite are skipped, so Series(Step, ValLoss) holds only the
// evaluation steps.
func (l Log) Series(x, y Column) Series {
	x.mustBeValid()
	y.mustBeValid()
	s := Series{Name: l.Name}
	for i := range l.Len() {
		xv, yv := l.cols[x][i], l.cols[y][i]
		if isFinite(xv) && isFinite(yv) {
			s.X = append(s.X, xv)
			s.Y = append(s.Y, yv)
		}
	}
	return s
}

// Final returns the last finite value of a column, e.g. a run's final validation loss,
// and false if the column has none.
func (l Log) Final(c Column) (float64, bool) {
	c.mustBeValid()
	for i := l.Len() - 1; i >= 0; i-- {
		if v := l.cols[c][i]; isFinite(v) {
			return v, true
		}
	}
	return math.NaN(), false
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
