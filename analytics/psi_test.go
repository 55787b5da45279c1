package analytics

import (
	"math"
	"testing"
)

func TestPSI(t *testing.T) {
	// Shares a/b go from ½/½ to ¼/¾: PSI = (¼ − ½)·ln(½) + (¾ − ½)·ln(3/2)
	// = ¼·(ln 2 + ln 1.5) = ¼·ln 3.
	base := ModelColumn{Name: "g", Cat: []string{"a", "b", "a", "b"}}
	cur := ModelColumn{Name: "g", Cat: []string{"a", "b", "b", "b"}}
	got, err := PSI(base, cur)
	if err != nil || !near(got, math.Log(3)/4, 1e-12) {
		t.Errorf("PSI = %v, %v; want ln(3)/4 = %v", got, err, math.Log(3)/4)
	}
	// Numeric: the same sample has PSI 0; moving every value above the
	// baseline's maximum puts all of the current share in the top bin.
	x := make([]float64, 100)
	y := make([]float64, 100)
	for i := range x {
		x[i] = float64(i)
		y[i] = 1000 + float64(i)
	}
	if got, _ := PSI(ModelColumn{Name: "x", Num: x}, ModelColumn{Name: "x", Num: x}); got != 0 {
		t.Errorf("PSI(x, x) = %v; want 0", got)
	}
	// Baseline deciles: 10 bins of 0.1; current: all in the last bin.
	// PSI = 9·(0.0001 − 0.1)·ln(0.001) + (1 − 0.1)·ln(10).
	want := 9*(psiFloor-0.1)*math.Log(psiFloor/0.1) + 0.9*math.Log(10)
	if got, _ := PSI(ModelColumn{Name: "x", Num: x}, ModelColumn{Name: "x", Num: y}); !near(got, want, 1e-9) {
		t.Errorf("PSI shifted = %v; want %v", got, want)
	}
	if _, err := PSI(base, ModelColumn{Name: "g", Num: x}); err == nil {
		t.Error("kinds differ: no error")
	}
}
