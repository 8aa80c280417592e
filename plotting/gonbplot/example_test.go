package gonbplot_test

import (
	"errors"
	"fmt"

	"github.com/golemon/golemon/plotting"
	"github.com/golemon/golemon/plotting/gonbplot"
)

func ExampleShow() {
	p, _ := plotting.Curves("t", "x", "y", []plotting.Series{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 0}}},
		plotting.CurveOptions{})
	if err := gonbplot.Show(p); errors.Is(err, gonbplot.ErrNotNotebook) {
		fmt.Println("not in GoNB: nothing shown")
	}
	// Output: not in GoNB: nothing shown
}
