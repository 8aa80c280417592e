package plotting

import "testing"

func TestShiftXCopies(t *testing.T) {
	s := Series{Name: "a", X: []float64{0, 1}, Y: []float64{3, 4}}
	got := s.ShiftX(10)
	if got.X[0] != 10 || got.X[1] != 11 || got.Y[1] != 4 || got.Name != "a" || s.X[0] != 0 {
		t.Errorf("ShiftX: %+v (original %+v)", got, s)
	}
}
