package demodata

import (
	"math"
	"strings"
	"testing"

	"github.com/roibot/roibot/analytics"
)

func TestGenerateMMM_Deterministic(t *testing.T) {
	a, b := GenerateMMM(DefaultSeed), GenerateMMM(DefaultSeed)
	if a.String() != b.String() || a.Input.Outcome[77] != b.Input.Outcome[77] || len(a.Paths) != len(b.Paths) {
		t.Fatal("GenerateMMM is not deterministic for one seed")
	}
	if len(a.Input.Weeks) != MMMWeeks || a.Input.Weeks[0].Weekday().String() != "Monday" {
		t.Fatalf("weeks = %d starting %s; want %d Mondays", len(a.Input.Weeks), a.Input.Weeks[0].Weekday(), MMMWeeks)
	}
	// The truth is what the stated process gives: recompute TV's
	// contribution in week 10 by hand from its parameters.
	tv := a.Channels[0]
	x := a.Input.Media[0].Values
	mx := 0.0
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	var ad, norm float64
	for l := 0; l < 8; l++ {
		norm += math.Pow(tv.Alpha, float64(l))
		if 10-l >= 0 {
			ad += math.Pow(tv.Alpha, float64(l)) * x[10-l]
		}
	}
	want := tv.Beta * math.Tanh(tv.Lambda*ad/norm/mx/2)
	w, _ := analytics.GeometricAdstockWeights(tv.Alpha, 8)
	got := tv.Beta * analytics.LogisticSaturationValue(analytics.Adstock(x, w)[10]/mx, tv.Lambda)
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("TV contribution week 10 = %v; want %v", got, want)
	}
	// The stored truth is the hand formula summed over every week.
	var total, spend float64
	for wk := range x {
		var a float64
		for l := 0; l < 8 && wk-l >= 0; l++ {
			a += math.Pow(tv.Alpha, float64(l)) * x[wk-l]
		}
		total += tv.Beta * math.Tanh(tv.Lambda*a/norm/mx/2)
		spend += x[wk]
	}
	if math.Abs(tv.TrueContribution-total) > 1e-6*total || math.Abs(tv.TrueROAS-total/spend) > 1e-9 {
		t.Errorf("TV truth: contribution %v, ROAS %v; want %v, %v (hand formula over %d weeks)", tv.TrueContribution, tv.TrueROAS, total, total/spend, len(x))
	}
	t.Log(a.String())
}

func TestGenerateMMM_FitRecoversTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("MMM fits take seconds")
	}
	sc := GenerateMMM(DefaultSeed)
	in := sc.Input
	in.LiftTests = []analytics.LiftTest{sc.Lift}
	fit, err := analytics.FitMMM(in, analytics.MMMConfig{Seed: 1, Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range fit.Channels {
		tr := sc.Channels[i]
		t.Logf("%-12s ROAS %.3f [%.3f, %.3f] truth %.3f  alpha %.2f/%.2f lam %.2f/%.2f", ch.Name, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, tr.TrueROAS, ch.Params.Alpha, tr.Alpha, ch.Params.Lambda, tr.Lambda)
		if math.Abs(ch.ROAS.Value-tr.TrueROAS)/tr.TrueROAS > 0.10 {
			t.Errorf("ROAS %s = %.3f; want within 10%% of the stored truth %.3f", ch.Name, ch.ROAS.Value, tr.TrueROAS)
		}
	}
	t.Logf("R² %.3f lag %d trend %d verdict %s %v", fit.R2, fit.MaxLagWeeks, fit.TrendDegree, fit.Health.Verdict, fit.Health.Reasons)
	triangulateScenario(t, sc, fit)
}

func triangulateScenario(t *testing.T, sc *MMMScenario, fit *analytics.MMMFit) {
	t.Helper()
	var atts []analytics.Attribution
	for _, m := range []analytics.Model{analytics.LastTouch, analytics.Linear, analytics.Markov} {
		a, err := analytics.Attribute(sc.Paths, m, analytics.AttributionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		atts = append(atts, a)
	}
	weeks := sc.Input.Weeks
	tri, err := analytics.Triangulate(fit, "display", weeks[0], weeks[len(weeks)-1], atts, []analytics.LiftTest{sc.Lift})
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, r := range tri.Rows {
		sources = append(sources, r.Source+":"+r.Method)
		t.Logf("%-12s %-45s ROAS %.3f [%.3f, %.3f] %s..%s", r.Source, r.Method, r.ROAS, r.Low, r.High, r.From, r.To)
	}
	if len(tri.Rows) != 5 || tri.Rows[3].Source != "mmm" || tri.Rows[4].Source != "lift_test" {
		t.Fatalf("rows = %v; want 3 attribution models, the MMM, the lift test", sources)
	}
	disp := sc.Channels[3]
	if got, want := tri.Spend, disp.TrueSpend; math.Abs(got-want) > 1e-6 {
		t.Errorf("spend = %v; want %v", got, want)
	}
	lift := tri.Rows[4]
	lspend := 0.0
	for w := 100; w <= 107; w++ {
		lspend += sc.Input.Media[3].Values[w]
	}
	if math.Abs(lift.ROAS-sc.Lift.Incremental/lspend) > 1e-12 || lift.From != "2023-12-04" {
		t.Errorf("lift row = %+v; want ROAS %v from 2023-12-04", lift, sc.Lift.Incremental/lspend)
	}
	// Attribution credits display with the baseline sales its clicks sit
	// on, so it lands above the MMM's interval, and the notes say why.
	for _, n := range tri.Notes {
		t.Log("note: ", n)
	}
	if tri.Rows[0].ROAS <= tri.Rows[3].High || !strings.HasPrefix(tri.Notes[0], "last_touch attribution credits ") {
		t.Errorf("last-touch ROAS %.3f vs MMM high %.3f, first note %q; want attribution above the MMM and the note naming it", tri.Rows[0].ROAS, tri.Rows[3].High, tri.Notes[0])
	}
	if last := tri.Notes[len(tri.Notes)-1]; last != "these are different measurements of different things: never add conversions or revenue across the rows" {
		t.Errorf("last note = %q", last)
	}
	tv, err := analytics.Triangulate(fit, "tv", weeks[0], weeks[len(weeks)-1], atts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tv.Rows[0].ROAS != 0 || tv.Notes[0][:36] != "attribution credits nothing to tv: i" {
		t.Errorf("tv triangulation = %+v; want zero attribution and the no-touchpoint note first", tv)
	}
}
