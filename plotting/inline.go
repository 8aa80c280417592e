package plotting

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"
)

// ErrNotNotebook is returned by Inline and DisplaySVG when the program does not run inside a
// GoNB notebook kernel; nothing is displayed then.
var ErrNotNotebook = errors.New("plotting: not running in a GoNB notebook")

// Inline displays p in the output of the current GoNB cell, as an SVG of DefaultWidth ×
// DefaultHeight inches. Outside GoNB it displays nothing and returns ErrNotNotebook, so the
// .go source of a notebook also runs as a plain program.
func Inline(p *plot.Plot) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	svg, err := SVG(p, DefaultWidth, DefaultHeight)
	if err != nil {
		return err
	}
	return DisplaySVG(svg)
}

// DisplaySVG displays an SVG document (e.g. from SVG) in the output of the current GoNB cell.
// Outside GoNB it returns ErrNotNotebook.
func DisplaySVG(svg []byte) error {
	if !gonbui.IsNotebook {
		return ErrNotNotebook
	}
	gonbui.DisplaySvg(string(stripXMLProlog(svg)))
	// Wait until GoNB has the figure: GoNB stops reading a cell's display pipe when the
	// cell's program exits, so a figure shown just before exiting could otherwise be lost.
	gonbui.Sync()
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("plotting: display SVG in GoNB: %w", err)
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
