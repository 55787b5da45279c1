package analytics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

// cdnowCalibrationEnd is the last day of the CDNOW calibration period
// (weeks 1-39); cdnowHoldoutEnd the last day of the holdout (weeks 40-78).
// Source: data/cdnow/PROVENANCE.md.
var (
	cdnowCalibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	cdnowHoldoutEnd     = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

// readCDNOWElogFile loads data/cdnow/cdnowElog.csv for these tests:
// one Order per line with CustomerID = sampleid (1..2357, the ids of the
// published summaries), At = the date at midnight UTC and Amount = sales in
// cents. Programs read the file with ingest.ReadCDNOW, which this package's
// own tests cannot import (ingest imports analytics).
func readCDNOWElogFile(t testing.TB) []Order {
	t.Helper()
	orders, err := loadCDNOWElog()
	if err != nil {
		t.Fatal(err)
	}
	return orders
}

func loadCDNOWElog() ([]Order, error) {
	f, err := os.Open("../data/cdnow/cdnowElog.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	orders := make([]Order, 0, len(recs)-1)
	for i, r := range recs[1:] {
		at, err := time.Parse("20060102", r[2])
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			return nil, err
		}
		orders = append(orders, Order{OrderID: "L" + strconv.Itoa(i+2), CustomerID: r[1], At: at, Amount: MoneyFromMajor(v)})
	}
	return orders, nil
}

func cdnowSummary(t testing.TB) []CustomerSummary {
	t.Helper()
	s, err := SummarizeCustomers(readCDNOWElogFile(t), cdnowCalibrationEnd, UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readCDNOWPublishedSummary reads cdnow_customers_summary_with_transactions.csv
// (ID, x, t_x, T, zbar) as CustomerSummary values keyed by ID.
func readCDNOWPublishedSummary(t testing.TB) map[string]CustomerSummary {
	t.Helper()
	f, err := os.Open("../data/cdnow/cdnow_customers_summary_with_transactions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]CustomerSummary, len(recs)-1)
	for _, r := range recs[1:] {
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		out[r[0]] = CustomerSummary{CustomerID: r[0], Frequency: int(v[0]), Recency: v[1], T: v[2], MeanRepeatValue: v[3]}
	}
	return out
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// roundTo rounds v to d decimals, to compare with figures published at
// that precision.
func roundTo(v float64, d int) float64 {
	s := math.Pow(10, float64(d))
	return math.Round(v*s) / s
}

func TestSummarizeCustomers_CDNOW(t *testing.T) {
	got := cdnowSummary(t)
	want := readCDNOWPublishedSummary(t)
	if len(got) != len(want) || len(got) != 2357 {
		t.Fatalf("len(SummarizeCustomers(cdnow)) = %d; want %d (file) and 2357", len(got), len(want))
	}
	var sumX, repeaters int
	var sumZ float64
	for _, g := range got {
		w, ok := want[g.CustomerID]
		if !ok {
			t.Fatalf("customer %s not in published summary", g.CustomerID)
		}
		// The file rounds t_x, T and zbar to 2 decimals.
		if g.Frequency != w.Frequency || math.Abs(g.Recency-w.Recency) > 0.005+1e-9 ||
			math.Abs(g.T-w.T) > 0.005+1e-9 || math.Abs(g.MeanRepeatValue-w.MeanRepeatValue) > 0.005+1e-9 {
			t.Errorf("summary(%s) = %d, %.4f, %.4f, %.4f; want %d, %.2f, %.2f, %.2f",
				g.CustomerID, g.Frequency, g.Recency, g.T, g.MeanRepeatValue, w.Frequency, w.Recency, w.T, w.MeanRepeatValue)
		}
		sumX += g.Frequency
		if g.Frequency > 0 {
			repeaters++
			sumZ += g.MeanRepeatValue
		}
	}
	if sumX != 2457 {
		t.Errorf("sum of frequency = %d; want 2457", sumX)
	}
	// lifetimes docs/Quickstart.md: mean observed monetary value of the
	// 946 repeat customers is 35.078551797, the mean of the file's zbar,
	// which is rounded to cents, so the exact mean is within 0.005.
	if repeaters != 946 || math.Abs(sumZ/float64(repeaters)-35.078551797) > 0.005 {
		t.Errorf("repeat customers, mean monetary value = %d, %.9f; want 946, 35.078551797 ± 0.005", repeaters, sumZ/float64(repeaters))
	}
}

func day(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func TestSummarizeCustomers_SameDayAndReturns(t *testing.T) {
	orders := []Order{
		{CustomerID: "a", At: day(2024, 1, 1, 9), Amount: 1000},
		{CustomerID: "a", At: day(2024, 1, 1, 18), Amount: 500}, // same day: one occasion of 15.00
		{CustomerID: "a", At: day(2024, 1, 8, 10), Amount: 2000},
		{CustomerID: "a", At: day(2024, 1, 8, 12), Amount: -500, IsReturn: true},  // nets to 15.00
		{CustomerID: "a", At: day(2024, 1, 10, 10), Amount: -700, IsReturn: true}, // return-only day
		{CustomerID: "a", At: day(2024, 1, 15, 23), Amount: 3000},
		{CustomerID: "a", At: day(2024, 2, 1, 10), Amount: 9999}, // after as-of: ignored
		{CustomerID: "b", At: day(2024, 1, 20, 10), Amount: 400},
		{CustomerID: "b", At: day(2024, 1, 22, 10), Amount: 400},
		{CustomerID: "b", At: day(2024, 1, 22, 11), Amount: 400, IsReturn: true}, // positive amount taken as -4.00
		{CustomerID: "c", At: day(2024, 1, 5, 10), Amount: -100, IsReturn: true}, // only a return: no customer
	}
	asOf := day(2024, 1, 29, 0)
	got, err := SummarizeCustomers(orders, asOf, UnitDays)
	if err != nil {
		t.Fatal(err)
	}
	want := []CustomerSummary{
		// a: occasions on Jan 1 (15.00), Jan 8 (20.00-5.00), Jan 15 (30.00)
		{CustomerID: "a", Frequency: 2, Recency: 14, T: 28, MeanRepeatValue: (15 + 30) / 2.0, FirstValue: 15, UnmatchedReturns: -7},
		// b: Jan 20 (4.00), Jan 22 (4.00-4.00 = 0)
		{CustomerID: "b", Frequency: 1, Recency: 2, T: 9, MeanRepeatValue: 0, FirstValue: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("SummarizeCustomers = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("SummarizeCustomers[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
	weeks, err := SummarizeCustomers(orders, asOf, UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	if weeks[0].Recency != 2 || weeks[0].T != 4 {
		t.Errorf("weeks: recency, T = %v, %v; want 2, 4", weeks[0].Recency, weeks[0].T)
	}
}

func TestSummarizeCustomers_Errors(t *testing.T) {
	asOf := day(2024, 1, 29, 0)
	ok := Order{CustomerID: "a", At: day(2024, 1, 1, 0), Amount: 100}
	tests := []struct {
		name   string
		orders []Order
		unit   TimeUnit
		row    int
		field  string
		is     error
	}{
		{"EmptyID", []Order{ok, {At: day(2024, 1, 1, 0), Amount: 1}}, UnitDays, 1, "CustomerID", nil},
		{"ZeroTime", []Order{ok, {CustomerID: "b", Amount: 1}}, UnitDays, 1, "At", nil},
		{"NegativePurchase", []Order{ok, {CustomerID: "b", At: day(2024, 1, 1, 0), Amount: -1}}, UnitDays, 1, "Amount", ErrNegative},
		{"BadUnit", []Order{ok}, TimeUnit(3), -1, "unit", nil},
		{"NoPurchaseByAsOf", []Order{{CustomerID: "a", At: day(2024, 3, 1, 0), Amount: 1}}, UnitDays, 0, "", ErrNoData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SummarizeCustomers(tc.orders, asOf, tc.unit)
			if tc.field == "" {
				if !errors.Is(err, tc.is) {
					t.Fatalf("SummarizeCustomers err = %v; want %v", err, tc.is)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Row != tc.row || ie.Field != tc.field {
				t.Fatalf("SummarizeCustomers err = %v; want InputError row %d field %s", err, tc.row, tc.field)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("SummarizeCustomers err = %v; want wrapping %v", err, tc.is)
			}
		})
	}
}

func ExampleSummarizeCustomers() {
	orders := []Order{
		{CustomerID: "c1", At: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC), Amount: 1000},
		{CustomerID: "c1", At: time.Date(2024, 1, 1, 17, 0, 0, 0, time.UTC), Amount: 500}, // same day
		{CustomerID: "c1", At: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC), Amount: 2000},
		{CustomerID: "c1", At: time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC), Amount: -400, IsReturn: true},
	}
	s, _ := SummarizeCustomers(orders, time.Date(2024, 1, 29, 0, 0, 0, 0, time.UTC), UnitWeeks)
	fmt.Printf("x=%d t_x=%.0f T=%.0f weeks, mean repeat value %.2f\n", s[0].Frequency, s[0].Recency, s[0].T, s[0].MeanRepeatValue)
	// Output: x=1 t_x=2 T=4 weeks, mean repeat value 16.00
}

// cdnowCalibration reads the CDNOW sample and summarises it in weeks up to
// 1997-09-30, the calibration period of Fader, Hardie & Lee (2005).
func cdnowCalibration() []CustomerSummary {
	orders, err := loadCDNOWElog()
	if err != nil {
		panic(err)
	}
	s, err := SummarizeCustomers(orders, time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC), UnitWeeks)
	if err != nil {
		panic(err)
	}
	return s
}
