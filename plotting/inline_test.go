package plotting

import (
	"errors"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
)

func TestInlineOutsideNotebook(t *testing.T) {
	if gonbui.IsNotebook {
		t.Skip("running inside GoNB")
	}
	p, err := Curves("t", "x", "y", []Series{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 2}}}, CurveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Inline(p); !errors.Is(err, ErrNotNotebook) {
		t.Errorf("Inline outside GoNB: error %v, want ErrNotNotebook", err)
	}
	if err := DisplaySVG([]byte("<svg></svg>")); !errors.Is(err, ErrNotNotebook) {
		t.Errorf("DisplaySVG outside GoNB: error %v, want ErrNotNotebook", err)
	}
}

func TestStripXMLProlog(t *testing.T) {
	for in, want := range map[string]string{
		"<?xml version=\"1.0\"?>\n<!-- c -->\n<svg a=\"1\"></svg>": "<svg a=\"1\"></svg>",
		"<svg></svg>": "<svg></svg>",
		"not svg":     "not svg",
	} {
		if got := string(stripXMLProlog([]byte(in))); got != want {
			t.Errorf("stripXMLProlog(%q) = %q, want %q", in, got, want)
		}
	}
}
