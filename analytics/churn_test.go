package analytics

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestChurnTable(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	orders := []Order{
		// a: buys 2011-01-01 (£100) and 2011-03-02 (£50), returns £30, buys again after the cutoff.
		{CustomerID: "a", At: d("2011-01-01"), Amount: 10000},
		{CustomerID: "a", At: d("2011-03-02"), Amount: 5000},
		{CustomerID: "a", At: d("2011-03-05"), Amount: -3000, IsReturn: true},
		{CustomerID: "a", At: d("2011-05-01"), Amount: 2000},
		// b: one purchase, nothing after: churned.
		{CustomerID: "b", At: d("2010-12-01"), Amount: 4000},
		// c: first buys after the cutoff: not in the table.
		{CustomerID: "c", At: d("2011-04-15"), Amount: 1000},
		// anonymous orders are ignored.
		{At: d("2011-02-01"), Amount: 999},
	}
	tbl, err := ChurnTable(orders, ChurnConfig{Cutoff: d("2011-04-01"), HorizonDays: 90, Labelled: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tbl.IDs, []string{"a", "b"}) || !slices.Equal(tbl.Target, []bool{false, true}) {
		t.Fatalf("ids %v, churned %v; want [a b], [false true]", tbl.IDs, tbl.Target)
	}
	// a: recency 2011-03-02 → 04-01 = 30 days; 2 purchases; net 100 + 50 − 30
	// = 120; tenure 90 days; AOV 75; 1 return per 2 purchases; 30/150 of the
	// value returned; both purchases in the 90 days from 2011-01-01 (the
	// first on the boundary, included); mean gap 60 days.
	wantA := []float64{30, 2, 120, 90, 75, 0.5, 0.2, 2, 60}
	for j, c := range tbl.Columns {
		if !near(c.Num[0], wantA[j], 1e-12) {
			t.Errorf("a %s = %v; want %v", c.Name, c.Num[0], wantA[j])
		}
	}
	if g := tbl.Columns[8].Num[1]; !math.IsNaN(g) {
		t.Errorf("b mean_gap_days = %v; want NaN (one order)", g)
	}
	if _, err := ChurnTable(orders[4:5], ChurnConfig{Cutoff: d("2011-04-01"), Labelled: true}); !errors.Is(err, ErrOneClass) {
		t.Errorf("all churned: err = %v; want ErrOneClass", err)
	}
	if err := tbl.AddColumn("sentiment", map[string]float64{"b": 0.5}, nil); err != nil || !math.IsNaN(tbl.Columns[9].Num[0]) || tbl.Columns[9].Num[1] != 0.5 {
		t.Errorf("AddColumn: %v, %v", err, tbl.Columns[9].Num)
	}
}
