package analytics

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestHistoricalCLV(t *testing.T) {
	flows := []CashFlow{{1000, 200}, {500, 100}, {0, 0}, {2100, 100}}
	for _, tc := range []struct {
		name  string
		flows []CashFlow
		r     float64
		want  Money
	}{
		// 800 + 400/1.1 + 0 + 2000/1.1³ = 800 + 363.636 + 1502.630 = 2666.27
		{"TenPercent", flows, 0.1, 2666},
		{"ZeroRate", flows, 0, 3200},
		{"OnePeriod", flows[:1], 0.5, 800},
		// 600 + 600/1.01² = 600 + 588.178 = 1188.18
		{"Monthly", []CashFlow{{1500, 900}, {0, 0}, {1500, 900}}, 0.01, 1188},
		// −300 + 100/1.2 = −216.67: rounds half away from zero to −217
		{"Negative", []CashFlow{{-500, -200}, {100, 0}}, 0.2, -217},
	} {
		got, err := HistoricalCLV(tc.flows, tc.r)
		if err != nil || got != tc.want {
			t.Errorf("%s: HistoricalCLV(%v, %g) = %d, %v; want %d", tc.name, tc.flows, tc.r, got, err, tc.want)
		}
	}
	t.Run("Errors", func(t *testing.T) {
		for _, r := range []float64{-0.01, 1, 1.5, math.NaN()} {
			if _, err := HistoricalCLV(flows, r); !errors.Is(err, ErrInvalidRate) {
				t.Errorf("HistoricalCLV(r=%g) error = %v; want ErrInvalidRate", r, err)
			}
		}
		if _, err := HistoricalCLV(nil, 0.1); !errors.Is(err, ErrNoData) {
			t.Errorf("HistoricalCLV(nil) error = %v; want ErrNoData", err)
		}
	})
}

func TestMonthlyCashFlows(t *testing.T) {
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2011, m, d, h, min, 0, 0, time.UTC) }
	orders := []Order{
		{OrderID: "1", CustomerID: "X", At: utc(1, 31, 23, 30), Amount: 1000},
		{OrderID: "2", CustomerID: "X", At: utc(1, 5, 10, 0), Amount: 500},
		{OrderID: "3", CustomerID: "X", At: utc(3, 1, 10, 0), Amount: 2000},
		{OrderID: "4", CustomerID: "X", At: utc(3, 2, 10, 0), Amount: -500, IsReturn: true},
		{OrderID: "5", CustomerID: "X", At: utc(4, 1, 10, 0), Amount: 9999}, // after asOf
		{OrderID: "6", CustomerID: "Y", At: utc(3, 10, 10, 0), Amount: 300},
		{OrderID: "7", CustomerID: "Z", At: utc(2, 10, 10, 0), Amount: -50, IsReturn: true},
	}
	t.Run("UTC", func(t *testing.T) {
		asOf := utc(3, 15, 0, 0)
		got, err := MonthlyCashFlows(orders, asOf, 0.4)
		if err != nil {
			t.Fatalf("MonthlyCashFlows: %v", err)
		}
		want := []CustomerCashFlows{
			{"X", time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC), []CashFlow{{1500, 900}, {0, 0}, {1500, 900}}},
			{"Y", time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), []CashFlow{{300, 180}}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("MonthlyCashFlows = %+v; want %+v", got, want)
		}
		clv, err := CustomerHistoricalCLV(orders, asOf, 0.01, 0.4)
		if err != nil {
			t.Fatalf("CustomerHistoricalCLV: %v", err)
		}
		wantCLV := []HistoricalCustomerCLV{
			{"X", want[0].FirstMonth, 3, 3000, 1188}, // 600 + 600/1.01²
			{"Y", want[1].FirstMonth, 1, 300, 120},
		}
		if !reflect.DeepEqual(clv, wantCLV) {
			t.Errorf("CustomerHistoricalCLV = %+v; want %+v", clv, wantCLV)
		}
	})
	t.Run("LocalMonths", func(t *testing.T) {
		// At UTC+1, 2011-01-31 23:30 UTC is 2011-02-01 00:30: February.
		cet := time.FixedZone("UTC+1", 3600)
		asOf := time.Date(2011, 3, 15, 0, 0, 0, 0, cet)
		got, err := MonthlyCashFlows(orders[:5], asOf, 1)
		if err != nil {
			t.Fatalf("MonthlyCashFlows: %v", err)
		}
		want := []CashFlow{{500, 0}, {1000, 0}, {1500, 0}}
		if len(got) != 1 || !reflect.DeepEqual(got[0].Flows, want) {
			t.Errorf("MonthlyCashFlows(UTC+1) = %+v; want X with %v", got, want)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		asOf := utc(3, 15, 0, 0)
		if _, err := MonthlyCashFlows(orders, asOf, 1.2); !errors.Is(err, ErrInvalidRate) {
			t.Errorf("MonthlyCashFlows(margin 1.2) error = %v; want ErrInvalidRate", err)
		}
		if _, err := CustomerHistoricalCLV(orders, asOf, 1, 1); !errors.Is(err, ErrInvalidRate) {
			t.Errorf("CustomerHistoricalCLV(r=1) error = %v; want ErrInvalidRate", err)
		}
		if _, err := CustomerHistoricalCLV(orders[6:], asOf, 0.01, 1); !errors.Is(err, ErrNoData) {
			t.Errorf("CustomerHistoricalCLV(returns only) error = %v; want ErrNoData", err)
		}
		var ie *InputError
		if _, err := MonthlyCashFlows([]Order{{At: asOf, Amount: 1}}, asOf, 1); !errors.As(err, &ie) || ie.Field != "customer_id" {
			t.Errorf("MonthlyCashFlows(empty id) error = %v; want InputError customer_id", err)
		}
	})
}
