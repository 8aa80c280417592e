// Command plotlog renders training curves from the runner's CSV logs as PNG and SVG.
//
//	go run ./plotting/cmd/plotlog -out figs/val_loss -x flops -y val_loss -logx \
//		scratch=runs/scratch.csv lemon=runs/lemon.csv
//
// writes figs/val_loss.png and figs/val_loss.svg with one curve per log. An argument without
// "name=" is named after its file. Columns are those of the log header:
// step, examples, tokens, flops, train_loss, val_loss, val_metric, lr, wall_s.
package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/golemon/golemon/plotting"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "plotlog:", err)
		os.Exit(1)
	}
}

// run parses the command line, reads the logs and saves the figure.
func run(args []string) error {
	fs := flag.NewFlagSet("plotlog", flag.ContinueOnError)
	out := fs.String("out", "", "output path without extension; writes OUT.png and OUT.svg (required)")
	xName := fs.String("x", "flops", "x column")
	yName := fs.String("y", "val_loss", "y column")
	logX := fs.Bool("logx", false, "log-scale x axis")
	logY := fs.Bool("logy", false, "log-scale y axis")
	title := fs.String("title", "", `figure title (default "Y vs X")`)
	width := fs.Float64("width", plotting.DefaultWidth, "width in inches")
	height := fs.Float64("height", plotting.DefaultHeight, "height in inches")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: plotlog -out FILE_NO_EXT [-x COL] [-y COL] [-logx] [-logy] name1=run1.csv [name2=run2.csv ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("need -out and at least one log")
	}
	for name, v := range map[string]float64{"-width": *width, "-height": *height} {
		if !(v > 0 && v <= maxInches) {
			return fmt.Errorf("%s %g: want inches in (0, %d]", name, v, maxInches)
		}
	}
	x, err := plotting.ParseColumn(*xName)
	if err != nil {
		return err
	}
	y, err := plotting.ParseColumn(*yName)
	if err != nil {
		return err
	}
	series, err := readSeries(fs.Args(), x, y)
	if err != nil {
		return err
	}
	if *title == "" {
		*title = y.Label() + " vs " + x.Label()
	}
	p, err := plotting.Curves(*title, x.Label(), y.Label(), series, plotting.CurveOptions{LogX: *logX, LogY: *logY})
	if err != nil {
		return err
	}
	if err := plotting.Save(p, *out, *width, *height); err != nil {
		return err
	}
	fmt.Printf("wrote %s.png and %s.svg\n", *out, *out)
	return nil
}

// maxInches bounds -width and -height: a figure beyond it would need gigabytes to render.
const maxInches = 100

// readSeries reads each name=path argument and extracts its (x, y) series. A value that is
// infinite (a diverged run) and a series of fewer than two points (nothing to draw a curve
// through) are errors naming the log, rather than a silently thinner or blank figure.
func readSeries(args []string, x, y plotting.Column) ([]plotting.Series, error) {
	series := make([]plotting.Series, len(args))
	for i, arg := range args {
		name, path, named := strings.Cut(arg, "=")
		if !named {
			path = arg
		}
		l, err := plotting.ReadLog(path)
		if err != nil {
			return nil, err
		}
		if named {
			l.Name = name
		}
		for _, c := range []plotting.Column{x, y} {
			for row, v := range l.Column(c) {
				if math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s: %s is %v in row %d (a diverged run?); not plotting it", path, c, v, row+1)
				}
			}
		}
		series[i] = l.Series(x, y)
		if n := len(series[i].X); n < 2 {
			return nil, fmt.Errorf("%s: %d point(s) with both %s and %s: a curve needs at least 2", path, n, x, y)
		}
	}
	return series, nil
}
