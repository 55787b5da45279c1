package analytics

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// ifoodPilot sums the iFood pilot campaign from the data file: cost is
// Σ Z_CostContact over contacted customers, revenue Σ Z_Revenue over those
// who accepted (Response = 1), in MU (whole units).
func ifoodPilot(t *testing.T) (cost, revenue Money, accepted int) {
	t.Helper()
	f, err := os.Open("../data/ifood-marketing-campaign/ml_project1_data.csv")
	if err != nil {
		t.Fatalf("open iFood data: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read iFood data: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	atoi := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("iFood data: %v", err)
		}
		return v
	}
	for _, r := range rows[1:] {
		cost += MoneyFromMajor(float64(atoi(r[col["Z_CostContact"]])))
		if atoi(r[col["Response"]]) == 1 {
			revenue += MoneyFromMajor(float64(atoi(r[col["Z_Revenue"]])))
			accepted++
		}
	}
	return cost, revenue, accepted
}

func TestComputeROI_IFoodPilot(t *testing.T) {
	cost, revenue, accepted := ifoodPilot(t)
	// Published (PROVENANCE.md): cost 6,720 MU, revenue 3,674 MU, profit −3,046 MU.
	if cost != MoneyFromMajor(6720) || revenue != MoneyFromMajor(3674) || accepted != 334 {
		t.Fatalf("iFood pilot = cost %s, revenue %s, %d accepted; want 6720.00, 3674.00, 334", cost, revenue, accepted)
	}
	rep, err := ComputeROI([]ROIInput{{Group: "pilot", Spend: cost, Revenue: revenue,
		Conversions: float64(accepted), NewCustomers: float64(accepted), Currency: "MU"}}, BasisRevenue)
	if err != nil {
		t.Fatalf("ComputeROI: %v", err)
	}
	row := rep.Rows[0]
	roi, _ := row.ROI.Get()
	// Published ROI −45.3 % (rounded); exact −3046/6720 = −0.453274.
	if math.Abs(roi-(-0.453)) > 0.0005 || math.Abs(roi-(-3046.0/6720)) > 1e-12 {
		t.Errorf("ROI(iFood pilot) = %.6f; want -0.453 (−3046/6720)", roi)
	}
	if row.Profit != MoneyFromMajor(-3046) || !row.Loss {
		t.Errorf("iFood pilot profit = %s, loss %v; want -3046.00, true", row.Profit, row.Loss)
	}
	roas, _ := row.ROAS.Get()
	cpa, _ := row.CPA.Get()
	if math.Abs(roas-3674.0/6720) > 1e-12 || math.Abs(cpa-672000.0/334) > 1e-9 {
		t.Errorf("iFood pilot ROAS = %g, CPA = %g; want 0.546726, 2011.976 (minor units)", roas, cpa)
	}
	if r, _ := rep.Total.ROI.Get(); r != roi {
		t.Errorf("total ROI = %g; want %g (one row)", r, roi)
	}
}

func TestComputeROI(t *testing.T) {
	t.Run("RatioOfSums", func(t *testing.T) {
		// ROAS 3 on 100 spend and 1 on 900 spend: the mean of ratios is 2,
		// the ratio of sums 1200/1000 = 1.2.
		rep, err := ComputeROI([]ROIInput{
			{Group: "email", Spend: 10000, Revenue: 30000, Conversions: 3, NewCustomers: 2, Currency: "GBP"},
			{Group: "display", Spend: 90000, Revenue: 90000, Conversions: 6, NewCustomers: 0, Currency: "GBP"},
		}, BasisRevenue)
		if err != nil {
			t.Fatalf("ComputeROI: %v", err)
		}
		for _, tc := range []struct {
			name string
			got  NullFloat
			want float64
		}{
			{"email ROI", rep.Rows[0].ROI, 2},
			{"display ROI", rep.Rows[1].ROI, 0},
			{"total ROAS", rep.Total.ROAS, 1.2},
			{"total ROI", rep.Total.ROI, 0.2},
			{"total CPA", rep.Total.CPA, 100000.0 / 9},
			{"total CAC", rep.Total.CAC, 50000},
			{"email CAC", rep.Rows[0].CAC, 5000},
		} {
			if v, ok := tc.got.Get(); !ok || math.Abs(v-tc.want) > 1e-12 {
				t.Errorf("%s = %v; want %g", tc.name, tc.got, tc.want)
			}
		}
		if rep.Rows[1].CAC.Value != nil || rep.Rows[1].CAC.NA != NANoNewCustomers {
			t.Errorf("display CAC = %v; want n/a (%s)", rep.Rows[1].CAC, NANoNewCustomers)
		}
		if rep.Rows[1].Loss || rep.Total.Loss {
			t.Errorf("loss flags = %v, %v; want false at break-even and profit", rep.Rows[1].Loss, rep.Total.Loss)
		}
	})
	t.Run("MarginBasis", func(t *testing.T) {
		m := Money(400)
		rep, err := ComputeROI([]ROIInput{{Group: "a", Spend: 200, Revenue: 1000, Margin: &m, Currency: "GBP"}}, BasisMargin)
		if err != nil {
			t.Fatalf("ComputeROI: %v", err)
		}
		roi, _ := rep.Rows[0].ROI.Get()
		roas, _ := rep.Rows[0].ROAS.Get()
		if roi != 1 || roas != 5 || rep.Rows[0].Return != 400 {
			t.Errorf("margin basis ROI = %g, ROAS = %g, return %d; want 1, 5, 400", roi, roas, rep.Rows[0].Return)
		}
		var ie *InputError
		if _, err := ComputeROI([]ROIInput{{Group: "a", Spend: 200, Revenue: 1000}}, BasisMargin); !errors.As(err, &ie) || ie.Field != "margin" {
			t.Errorf("ComputeROI(margin basis, no margin) error = %v; want InputError margin", err)
		}
	})
	t.Run("ZeroSpend", func(t *testing.T) {
		rep, err := ComputeROI([]ROIInput{
			{Group: "organic_search", Spend: 0, Revenue: 5000, Conversions: 2},
			{Group: "direct", Spend: 0, Revenue: 0},
		}, "")
		if err != nil {
			t.Fatalf("ComputeROI: %v", err)
		}
		for _, r := range append(rep.Rows, rep.Total) {
			if r.ROI.Value != nil || r.ROI.NA != NAZeroSpend || r.ROAS.Value != nil {
				t.Errorf("%s ROI = %v, ROAS = %v; want n/a (zero spend)", r.Group, r.ROI, r.ROAS)
			}
		}
		if cpa, _ := rep.Rows[0].CPA.Get(); cpa != 0 {
			t.Errorf("organic CPA = %g; want 0", cpa)
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatalf("json.Marshal = %v; want valid JSON", err)
		}
		if !strings.Contains(string(b), `"roi":{"value":null,"na":"zero spend"}`) || !json.Valid(b) {
			t.Errorf("json = %s; want roi {value: null, na: zero spend}", b)
		}
	})
	t.Run("MixedCurrency", func(t *testing.T) {
		_, err := ComputeROI([]ROIInput{
			{Group: "a", Spend: 1, Currency: "GBP"},
			{Group: "b", Spend: 1, Currency: "EUR"},
			{Group: "c", Spend: 1, Currency: "GBP"},
			{Group: "d", Spend: 1, Currency: "USD"},
		}, BasisRevenue)
		if !errors.Is(err, ErrMixedCurrency) {
			t.Fatalf("ComputeROI(mixed) error = %v; want ErrMixedCurrency", err)
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Row != 1 || ie.Field != "currency" {
			t.Errorf("ComputeROI(mixed) first InputError = %v; want row 1 currency", ie)
		}
		msg := err.Error()
		if !strings.Contains(msg, "row 1,") || !strings.Contains(msg, "row 3,") || strings.Contains(msg, "row 2,") {
			t.Errorf("ComputeROI(mixed) error = %q; want rows 1 and 3 named, not row 2", msg)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		if _, err := ComputeROI(nil, BasisRevenue); !errors.Is(err, ErrNoData) {
			t.Errorf("ComputeROI(nil) error = %v; want ErrNoData", err)
		}
		var ie *InputError
		if _, err := ComputeROI([]ROIInput{{Spend: -1}}, BasisRevenue); !errors.As(err, &ie) || ie.Field != "spend" {
			t.Errorf("ComputeROI(negative spend) error = %v; want InputError spend", err)
		}
		if _, err := ComputeROI([]ROIInput{{Spend: 1}}, "profit"); !errors.As(err, &ie) || ie.Field != "basis" {
			t.Errorf("ComputeROI(basis profit) error = %v; want InputError basis", err)
		}
	})
}

func TestRatios(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  NullFloat
		want float64
		na   string
	}{
		{"ROI", ROI(367400, 672000), -3046.0 / 6720, ""},
		{"ROI zero", ROI(5, 0), 0, NAZeroSpend},
		{"ROAS", ROAS(30000, 10000), 3, ""},
		{"CPA", CPA(1000, 4), 250, ""},
		{"CPA fractional", CPA(1000, 2.5), 400, ""},
		{"CPA none", CPA(1000, 0), 0, NANoConversions},
		{"CAC", CAC(900, 3), 300, ""},
		{"CAC none", CAC(900, 0), 0, NANoNewCustomers},
	} {
		v, ok := tc.got.Get()
		if tc.na != "" {
			if ok || tc.got.NA != tc.na {
				t.Errorf("%s = %v; want n/a (%s)", tc.name, tc.got, tc.na)
			}
			continue
		}
		if !ok || math.Abs(v-tc.want) > 1e-12 {
			t.Errorf("%s = %v; want %g", tc.name, tc.got, tc.want)
		}
	}
	if f := Float(math.Inf(1)); f.Value != nil {
		t.Errorf("Float(+Inf) = %v; want n/a", f)
	}
}
