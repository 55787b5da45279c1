package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/roibot/roibot/tools"
)

// TestMMMFit_ROASData runs `roibot mmm fit --json` on mmm_roas_data.csv with
// the confounder z as a control: each channel's ROAS within 10% of the truth
// from the file's ground-truth columns (x1 93.388, x2 171.409) and inside
// its interval.
func TestMMMFit_ROASData(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	out := runRoibot(t, map[string]string{}, "mmm", "fit", "--file", "../../data/pymc-marketing-mmm/mmm_roas_data.csv",
		"--date", "date", "--target", "y", "--channels", "x1,x2", "--controls", "z", "--max-lag", "4", "--bootstrap", "100", "--json")
	var s tools.MMMSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	truth := map[string]float64{"x1": 93.388, "x2": 171.409}
	if len(s.Channels) != 2 || s.Weeks != 131 || s.Health.Verdict == "" {
		t.Fatalf("summary = %+v", s)
	}
	for _, c := range s.Channels {
		tr := truth[c.Channel]
		if math.Abs(c.ROAS.Value-tr)/tr > 0.1 || tr < c.ROAS.Low || tr > c.ROAS.High {
			t.Errorf("%s ROAS %v; want within 10%% of %v and covering it", c.Channel, c.ROAS, tr)
		}
	}
}

// TestMMMScenarioAllocate writes the synthetic scenario and allocates its
// budget: the allocation keeps the weekly budget and beats the current mix.
func TestMMMScenarioAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	dir := t.TempDir()
	runRoibot(t, map[string]string{}, "mmm", "scenario", "--out", dir)
	for _, f := range []string{"mmm_weekly.csv", "lift_tests.csv", "truth.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	out := runRoibot(t, map[string]string{}, "mmm", "allocate", "--file", filepath.Join(dir, "mmm_weekly.csv"), "--lift-tests", filepath.Join(dir, "lift_tests.csv"), "--bootstrap", "0", "--max-lag", "8", "--json")
	var r tools.AllocationResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cur := 0.0
	for _, c := range r.Channels {
		cur += c.CurrentSpend
		if c.Spend < 0.5*c.CurrentSpend-1e-6 || c.Spend > 1.5*c.CurrentSpend+1e-6 {
			t.Errorf("%s spend %v outside the default bounds around %v", c.Channel, c.Spend, c.CurrentSpend)
		}
	}
	if math.Abs(r.Budget-cur) > 1e-3*cur || r.Uplift < 0 || r.Total < r.CurrentTotal {
		t.Errorf("budget %v vs current %v, uplift %v; want the same budget and no loss", r.Budget, cur, r.Uplift)
	}
}
