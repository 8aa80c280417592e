package plotting

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PNGDPI is the resolution of PNG output: a 6×4 in figure is 900×600 pixels.
const PNGDPI = 150

// Default figure size in inches, used by SVG callers such as gonbplot.Show.
const (
	DefaultWidth  = 6.0
	DefaultHeight = 4.0
)

// PNG renders p as a PNG image of the given size in inches, at PNGDPI.
func PNG(p *plot.Plot, widthInches, heightInches float64) ([]byte, error) {
	b, err := render(p, widthInches, heightInches, renderPNG)
	if err != nil {
		return nil, fmt.Errorf("plotting: render PNG: %w", err)
	}
	return b, nil
}

// SVG renders p as an SVG document of the given size in inches.
func SVG(p *plot.Plot, widthInches, heightInches float64) ([]byte, error) {
	b, err := render(p, widthInches, heightInches, renderSVG)
	if err != nil {
		return nil, fmt.Errorf("plotting: render SVG: %w", err)
	}
	return b, nil
}

// Save writes p to pathWithoutExt+".png" and pathWithoutExt+".svg". Both are rendered before
// anything is written, and each file is written to a temporary file in the same directory
// and then renamed, so a failure never leaves a half-written figure behind.
func Save(p *plot.Plot, pathWithoutExt string, widthInches, heightInches float64) error {
	png, err := PNG(p, widthInches, heightInches)
	if err != nil {
		return fmt.Errorf("plotting: save %s: %w", pathWithoutExt, err)
	}
	svg, err := SVG(p, widthInches, heightInches)
	if err != nil {
		return fmt.Errorf("plotting: save %s: %w", pathWithoutExt, err)
	}
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".png", png}, {".svg", svg}} {
		if err := writeAtomic(pathWithoutExt+f.ext, f.data); err != nil {
			return fmt.Errorf("plotting: save: %w", err)
		}
	}
	return nil
}

// renderer draws p onto a canvas of size w×h and encodes it.
type renderer func(p *plot.Plot, w, h vg.Length) ([]byte, error)

// render checks the size and turns a panic inside gonum/plot (e.g. a log axis over a
// non-positive range set by hand) into an error.
func render(p *plot.Plot, widthInches, heightInches float64, r renderer) (b []byte, err error) {
	if !(widthInches > 0 && heightInches > 0) {
		return nil, fmt.Errorf("size %g×%g in, want positive", widthInches, heightInches)
	}
	defer func() {
		if e := recover(); e != nil {
			b, err = nil, fmt.Errorf("drawing failed: %v", e)
		}
	}()
	return r(p, vg.Length(widthInches)*vg.Inch, vg.Length(heightInches)*vg.Inch)
}

func renderPNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func renderSVG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAtomic writes data to a temporary file next to path, then renames it over path.
func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
