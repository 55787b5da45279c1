package tools

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

type fakeMMM struct {
	data  *MMMData
	calls int
}

func (f *fakeMMM) MMMData(ctx context.Context, dataset string) (*MMMData, error) {
	f.calls++
	if f.data == nil {
		return nil, ErrNoMMMData
	}
	return f.data, nil
}

func exampleMMMData(t *testing.T) *MMMData {
	t.Helper()
	f, err := os.Open("../data/pymc-marketing-mmm/mmm_example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := &MMMData{Name: "example", Currency: "GBP", Version: time.Unix(1, 0)}
	x1, x2, e1, e2 := analytics.MMMSeries{Name: "x1"}, analytics.MMMSeries{Name: "x2"}, analytics.MMMSeries{Name: "event_1"}, analytics.MMMSeries{Name: "event_2"}
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	for _, r := range rows[1:] {
		w, _ := time.Parse("2006-01-02", r[0])
		d.Input.Weeks = append(d.Input.Weeks, w)
		d.Input.Outcome = append(d.Input.Outcome, num(r[1]))
		x1.Values, x2.Values = append(x1.Values, num(r[2])), append(x2.Values, num(r[3]))
		e1.Values, e2.Values = append(e1.Values, num(r[4])), append(e2.Values, num(r[5]))
	}
	d.Input.Media = []analytics.MMMSeries{x1, x2}
	d.Input.Events = []analytics.MMMSeries{e1, e2}
	return d
}

func TestMMMTool(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	data := exampleMMMData(t)
	// A made-up truth, to check the recovery note's arithmetic.
	data.Truth = json.RawMessage(`{"channels":[{"name":"x1","true_roas":5000},{"name":"x2","true_roas":2000}]}`)
	store := &fakeMMM{data: data}
	tool := &MMM{Store: store, Bootstrap: 20}
	ctx := context.Background()
	call := func(args string) MMMResult {
		t.Helper()
		out, err := tool.Call(ctx, args)
		if err != nil {
			t.Fatal(err)
		}
		var r MMMResult
		if err := json.Unmarshal([]byte(out), &r); err != nil || r.Action == "" {
			t.Fatalf("mmm(%s) = %s", args, out)
		}
		return r
	}
	r := call(`{}`)
	if r.Action != "roas" || len(r.Fit.Channels) != 2 || r.Reused || r.Definition != MMMDefinition || r.Fit.Health.Verdict == "" || !strings.HasPrefix(r.Summary, "Incremental ROAS from a media mix model over 179 weeks") {
		t.Fatalf("roas = %+v", r)
	}
	// Fitted ROAS x1 5016.0, x2 2348.3 (docs/mmm.md).
	if r.Recovery != "Parameter recovery against the stored synthetic truth: x1 5016 vs true 5000 (+0.3%), x2 2348 vs true 2000 (+17.4%); largest error 17.4%." {
		t.Errorf("recovery = %q", r.Recovery)
	}
	if r := call(`{"channel":"x2"}`); !strings.HasPrefix(r.Summary, "x2: incremental ROAS 2348 (90% interval ") {
		t.Errorf("roas for x2: summary %q", r.Summary)
	}
	w := call(`{"action":"what_if","channel":"x1","change":-0.2}`)
	if !w.Reused || w.WhatIf == nil || !(w.WhatIf.WeeklyOutcomeChange < 0) || w.WhatIf.NewWeeklySpend >= w.WhatIf.WeeklySpend || !strings.HasPrefix(w.Summary, "Changing x1's weekly spend by -20% (") {
		t.Fatalf("what_if = %+v (reused %v)", w.WhatIf, w.Reused)
	}
	b := call(`{"action":"budget"}`)
	if b.Allocation == nil || b.Allocation.Uplift < 0 {
		t.Fatalf("budget = %+v", b.Allocation)
	}
	c := call(`{"action":"response_curve","channel":"x2"}`)
	if len(c.Curve) != 31 || c.Curve[0].WeeklyContribution != 0 || !(c.Curve[30].WeeklyContribution > c.Curve[10].WeeklyContribution) {
		t.Fatalf("curve = %+v", c.Curve)
	}
	tri := call(`{"action":"triangulate","channel":"x1"}`)
	if tri.Triangulation == nil || len(tri.Triangulation.Rows) != 1 || tri.Triangulation.Rows[0].Source != "mmm" {
		t.Fatalf("triangulation = %+v", tri.Triangulation)
	}
	out, err := tool.Call(ctx, `{"action":"what_if","channel":"tv","change":-0.2}`)
	if err != nil || !strings.Contains(out, `"tv\" is not a channel`) {
		t.Errorf("unknown channel: %s, %v", out, err)
	}
	out, err = (&MMM{Store: &fakeMMM{}}).Call(ctx, `{}`)
	if err != nil || !strings.Contains(out, "roibot import mmm_weekly") {
		t.Errorf("no data: %s, %v", out, err)
	}
}

func TestMMMDisplayCharts_Render(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	d := exampleMMMData(t)
	fit, err := analytics.FitMMM(d.Input, analytics.MMMConfig{MaxLagWeeks: 8, TrendDegree: 1, Ridge: []float64{0}, Bootstrap: -1, NoHealth: true})
	if err != nil {
		t.Fatal(err)
	}
	charts := MMMDisplayCharts(fit)
	// 179 weeks → 3-week averages: 60 points.
	if len(charts) != 2 || charts[0].Kind != "area" || len(charts[0].Series) != 3 || len(charts[0].Series[0].X) != 60 || len(charts[0].Labels) != 60 || charts[1].Kind != "line" {
		t.Fatalf("charts = %+v", charts)
	}
	pngs, err := MMMChartPNGs(fit)
	if err != nil || len(pngs["mmm_decomposition.png"]) < 1000 || string(pngs["mmm_response_curves.png"][1:4]) != "PNG" {
		t.Fatalf("PNGs: %v", err)
	}
}
