package analytics

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestPredictCLV_HandComputed(t *testing.T) {
	// E[Y(t)] = 0.5·t·(x+1): per 4-week step 2·(x+1) transactions.
	model := fakeModel{
		expected: func(x int, _, _, t float64) (float64, error) { return 0.5 * t * float64(x+1), nil },
		pAlive:   func(int, float64, float64) (float64, error) { return 0.8, nil },
	}
	// Population mean spend pγ/(q−1) = 2·10/2 = 10; for x=2, z̄=20:
	// (10 + 2·20)·2/(2·2 + 3 − 1) = 100/6.
	spend := GammaGammaParams{P: 2, Q: 3, Gamma: 10}
	customers := []CustomerSummary{
		{CustomerID: "new", Frequency: 0, T: 10},
		{CustomerID: "loyal", Frequency: 2, Recency: 8, T: 10, MeanRepeatValue: 20},
	}
	cfg := CLVConfig{Periods: 3, PeriodLength: 4, DiscountRate: 0.1, Margin: 0.5}
	got, err := PredictCLV(customers, model, spend, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Σ_{k=1}^{3} 1/1.1^k = 0.9090909 + 0.8264463 + 0.7513148 = 2.4868520.
	// new:   0.5 · 10 · 2 · 2.4868520 = 24.868520 → 24.87
	// loyal: 0.5 · 100/6 · 6 · 2.4868520 = 124.342600 → 124.34
	want := []CustomerCLV{
		{CustomerID: "new", PAlive: 0.8, ExpectedTransactions: 6, ExpectedSpend: 1000, CLV: 2487},
		{CustomerID: "loyal", PAlive: 0.8, ExpectedTransactions: 18, ExpectedSpend: 1667, CLV: 12434},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("PredictCLV[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
	cfg.DiscountRate = 0
	got, err = PredictCLV(customers, model, spend, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Undiscounted: 0.5 · 100/6 · 18 = 150.
	if got[1].CLV != 15000 {
		t.Errorf("PredictCLV(rate 0)[loyal].CLV = %s; want 150.00", got[1].CLV)
	}
}

func TestPredictCLV_CDNOW(t *testing.T) {
	s := cdnowSummary(t)
	bg := fitCDNOWBGNBD(t).Params
	gg, err := FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	// Undiscounted, the steps telescope: 9 steps of 39/9 weeks give the
	// 39-week conditional expectation times the expected spend.
	got, err := PredictCLV(s, bg, gg.Params, CLVConfig{Periods: 9, PeriodLength: 39.0 / 9, DiscountRate: 0, Margin: 1})
	if err != nil {
		t.Fatal(err)
	}
	var total, totalTx float64
	for i, c := range s {
		e, _ := bg.ConditionalExpectedTransactions(c.Frequency, c.Recency, c.T, 39)
		m, _ := gg.Params.ConditionalExpectedSpend(c.Frequency, c.MeanRepeatValue)
		if math.Abs(got[i].ExpectedTransactions-e) > 1e-12 || math.Abs(got[i].CLV.Major()-e*m) > 0.005+1e-9 {
			t.Fatalf("PredictCLV(%s) = %+v; want %v transactions, CLV %.2f", c.CustomerID, got[i], e, e*m)
		}
		total += got[i].CLV.Major()
		totalTx += e
	}
	// Discounting at 1% per step lowers every CLV and the total.
	disc, err := PredictCLV(s, bg, gg.Params, CLVConfig{Periods: 9, PeriodLength: 39.0 / 9, DiscountRate: 0.01, Margin: 1})
	if err != nil {
		t.Fatal(err)
	}
	var dTotal float64
	for i := range disc {
		if disc[i].CLV > got[i].CLV {
			t.Fatalf("discounted CLV(%s) = %s > undiscounted %s", s[i].CustomerID, disc[i].CLV, got[i].CLV)
		}
		dTotal += disc[i].CLV.Major()
	}
	// Every step is discounted by 1/1.01^k for k in 1..9, so the ratio lies
	// between 1/1.01^9 and 1/1.01.
	if r := dTotal / total; r < math.Pow(1.01, -9) || r > 1/1.01 {
		t.Errorf("discounted/undiscounted total = %.4f; want in [%.4f, %.4f]", r, math.Pow(1.01, -9), 1/1.01)
	}
	t.Logf("CDNOW 39-week CLV total %.2f (%.1f transactions), discounted %.2f", total, totalTx, dTotal)
}

func TestPredictCLV_Errors(t *testing.T) {
	s := []CustomerSummary{{CustomerID: "a", T: 3}}
	spend := GammaGammaParams{P: 2, Q: 3, Gamma: 10}
	ok := CLVConfig{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01, Margin: 1}
	for _, tc := range []struct {
		name  string
		cfg   CLVConfig
		field string
	}{
		{"Periods", CLVConfig{Periods: 0, PeriodLength: 1, Margin: 1}, "Periods"},
		{"Length", CLVConfig{Periods: 1, PeriodLength: math.Inf(1), Margin: 1}, "PeriodLength"},
		{"Rate", CLVConfig{Periods: 1, PeriodLength: 1, DiscountRate: 1, Margin: 1}, "DiscountRate"},
		{"Margin", CLVConfig{Periods: 1, PeriodLength: 1}, "Margin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ie *InputError
			if _, err := PredictCLV(s, btydBGNBD, spend, tc.cfg); !errors.As(err, &ie) || ie.Field != tc.field {
				t.Errorf("PredictCLV(%+v) err = %v; want InputError field %s", tc.cfg, err, tc.field)
			}
		})
	}
	if _, err := PredictCLV(s, btydBGNBD, spend, CLVConfig{Periods: 1, PeriodLength: 1, DiscountRate: -0.1, Margin: 1}); !errors.Is(err, ErrInvalidRate) {
		t.Errorf("PredictCLV(rate -0.1) err = %v; want ErrInvalidRate", err)
	}
	if _, err := PredictCLV(nil, btydBGNBD, spend, ok); !errors.Is(err, ErrNoData) {
		t.Errorf("PredictCLV(nil) err = %v; want ErrNoData", err)
	}
	if _, err := PredictCLV(s, btydBGNBD, GammaGammaParams{P: 1, Q: 1, Gamma: 1}, ok); err == nil {
		t.Errorf("PredictCLV(q = 1) err = nil; want an error")
	}
	var ie *InputError
	if _, err := PredictCLV([]CustomerSummary{{CustomerID: "a", T: 3}, {CustomerID: "b", Frequency: 1, Recency: 4, T: 3}}, btydBGNBD, spend, ok); !errors.As(err, &ie) || ie.Row != 1 {
		t.Errorf("PredictCLV(t_x > T) err = %v; want InputError row 1", err)
	}
}

func TestForecastTransactions(t *testing.T) {
	s := []CustomerSummary{
		{CustomerID: "1516", Frequency: 26, Recency: 30.85714, T: 31},
		{CustomerID: "new", T: 39},
	}
	got, err := ForecastTransactions(s, btydBGNBD, 52)
	if err != nil {
		t.Fatal(err)
	}
	// BTYD walkthrough: customer 1516 expects 25.75659 transactions in 52
	// weeks with P(alive) 0.9688523 (1e-5: 7 printed digits).
	if relErr(got[0].ExpectedTransactions, 25.75659) > 1e-5 || relErr(got[0].PAlive, 0.9688523) > 1e-5 || got[1].PAlive != 1 {
		t.Errorf("ForecastTransactions = %+v; want 1516: 25.75659, P(alive) 0.9688523; new: P(alive) 1", got)
	}
	if _, err := ForecastTransactions(s, btydBGNBD, -1); err == nil {
		t.Errorf("ForecastTransactions(horizon -1) err = nil; want an error")
	}
}

func TestGroupCLV(t *testing.T) {
	clvs := []CustomerCLV{
		{CustomerID: "uk-1", CLV: 1000, ExpectedTransactions: 1, PAlive: 1},
		{CustomerID: "fr-1", CLV: 3000, ExpectedTransactions: 2, PAlive: 0.5},
		{CustomerID: "uk-2", CLV: 501, ExpectedTransactions: 0.5, PAlive: 0.5},
	}
	got, err := GroupCLV(clvs, func(id string) string { return id[:2] })
	if err != nil {
		t.Fatal(err)
	}
	want := []CLVGroup{
		{Key: "fr", Customers: 1, TotalCLV: 3000, MeanCLV: 3000, ExpectedTransactions: 2, MeanPAlive: 0.5},
		{Key: "uk", Customers: 2, TotalCLV: 1501, MeanCLV: 751, ExpectedTransactions: 1.5, MeanPAlive: 0.75},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("GroupCLV = %+v; want %+v", got, want)
	}
	if _, err := GroupCLV(nil, func(string) string { return "" }); !errors.Is(err, ErrNoData) {
		t.Errorf("GroupCLV(nil) err = %v; want ErrNoData", err)
	}
}

func BenchmarkPredictCLVCDNOW(b *testing.B) {
	s := cdnowSummary(b)
	cfg := CLVConfig{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01, Margin: 1}
	for b.Loop() {
		if _, err := PredictCLV(s, btydBGNBD, GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func ExamplePredictCLV() {
	customers := []CustomerSummary{
		// CDNOW customer 1 (weeks): 2 repeat purchases averaging 22.35.
		{CustomerID: "1", Frequency: 2, Recency: 30.43, T: 38.86, MeanRepeatValue: 22.35},
		{CustomerID: "3", Frequency: 0, Recency: 0, T: 38.86},
	}
	model := BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	spend := GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}
	// One year in monthly steps, 1% a month, revenue CLV.
	cfg := CLVConfig{Periods: 12, PeriodLength: 52.0 / 12, DiscountRate: 0.01, Margin: 1}
	clvs, _ := PredictCLV(customers, model, spend, cfg)
	for _, c := range clvs {
		fmt.Printf("customer %s: P(alive) %.2f, %.2f transactions, %s per transaction, CLV %s\n",
			c.CustomerID, c.PAlive, c.ExpectedTransactions, c.ExpectedSpend, c.CLV)
	}
	// Output:
	// customer 1: P(alive) 0.73, 1.56 transactions, 24.66 per transaction, CLV 36.21
	// customer 3: P(alive) 1.00, 0.25 transactions, 35.22 per transaction, CLV 8.35
}

func ExampleForecastTransactions() {
	model := BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	customers := []CustomerSummary{
		{CustomerID: "1516", Frequency: 26, Recency: 30.86, T: 31},
		{CustomerID: "lapsed", Frequency: 5, Recency: 5, T: 39},
	}
	f, _ := ForecastTransactions(customers, model, 52)
	for _, c := range f {
		fmt.Printf("%s: P(alive) %.2f, %.2f transactions in 52 weeks\n", c.CustomerID, c.PAlive, c.ExpectedTransactions)
	}
	// Output:
	// 1516: P(alive) 0.97, 25.76 transactions in 52 weeks
	// lapsed: P(alive) 0.00, 0.01 transactions in 52 weeks
}

func ExampleGroupCLV() {
	clvs := []CustomerCLV{
		{CustomerID: "email-1", CLV: 4000, PAlive: 0.9},
		{CustomerID: "email-2", CLV: 1000, PAlive: 0.5},
		{CustomerID: "search-1", CLV: 3000, PAlive: 0.7},
	}
	groups, _ := GroupCLV(clvs, func(id string) string { return id[:len(id)-2] })
	for _, g := range groups {
		fmt.Printf("%s: %d customers, total %s, mean %s\n", g.Key, g.Customers, g.TotalCLV, g.MeanCLV)
	}
	// Output:
	// email: 2 customers, total 50.00, mean 25.00
	// search: 1 customers, total 30.00, mean 30.00
}
