// Package gonbplot shows golemon's figures in a GoNB notebook cell: a figure once (Show), or
// a training curve with a progress bar redrawn in place as a run evaluates (Live). It is the
// only package that talks to GoNB, so the plotting package and the library stay free of it.
// Outside a GoNB kernel every function displays nothing and Show returns ErrNotNotebook, so
// the .go source of a notebook also runs as a plain program.
//
//	p, err := plotting.Curves(…)
//	err = gonbplot.Show(p)
//
//	live := gonbplot.NewLive("scratch ViT(4,64)", plotting.ValMetric, steps)
//	res, err := runner.Run(b, task, m, runner.Options{…, OnEval: live.Add, Out: io.Discard})
//	live.Done()
package gonbplot

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/golemon/golemon/plotting"
	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"
)

// ErrNotNotebook is returned by Show and ShowSVG when the program does not run inside a GoNB
// notebook kernel; nothing is displayed then.
var ErrNotNotebook = errors.New("gonbplot: not running in a GoNB notebook")

// InNotebook reports whether the program runs inside a GoNB kernel.
func InNotebook() bool { return gonbui.IsNotebook }

// Show displays p in the output of the current GoNB cell, as an SVG of plotting.DefaultWidth
// × plotting.DefaultHeight inches. Outside GoNB it displays nothing and returns ErrNotNotebook.
func Show(p *plot.Plot) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	svg, err := plotting.SVG(p, plotting.DefaultWidth, plotting.DefaultHeight)
	if err != nil {
		return err
	}
	return ShowSVG(svg)
}

// ShowSized is Show at w × h inches (e.g. the size a study saves a figure at).
func ShowSized(p *plot.Plot, w, h float64) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	svg, err := plotting.SVG(p, w, h)
	if err != nil {
		return err
	}
	return ShowSVG(svg)
}

// ShowMarkdown displays Markdown (a study's tables) in the current GoNB cell and waits until
// GoNB has it. Outside GoNB it returns ErrNotNotebook.
func ShowMarkdown(md string) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	gonbui.DisplayMarkdown(md)
	return waitDisplayed()
}

// ShowSVG displays an SVG document (e.g. from plotting.SVG) in the output of the current GoNB
// cell. Outside GoNB it returns ErrNotNotebook.
func ShowSVG(svg []byte) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	gonbui.DisplaySvg(string(stripXMLProlog(svg)))
	return waitDisplayed()
}

// waitDisplayed waits until GoNB has what was sent: GoNB stops reading a cell's display pipe when the
// cell's program exits, so a figure shown just before exiting could otherwise be lost.
func waitDisplayed() error {
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("gonbplot: display in GoNB: %w", err)
	}
	return nil
}

// stripXMLProlog drops what precedes the <svg> element (the XML declaration and comments),
// since GoNB embeds the SVG in HTML.
func stripXMLProlog(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		return svg[i:]
	}
	return svg
}
