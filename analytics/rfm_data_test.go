package analytics

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// onlineRetailOrders collapses the Online Retail lines that have a
// CustomerID into one Order per invoice: Amount = Σ round(Quantity ×
// UnitPrice × 100) pence; invoices starting with "C" are returns.
func onlineRetailOrders(t *testing.T) []Order {
	t.Helper()
	f, err := os.Open("../data/online-retail/online_retail.csv.gz")
	if err != nil {
		t.Fatalf("open Online Retail: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("gunzip Online Retail: %v", err)
	}
	r := csv.NewReader(gz)
	if _, err := r.Read(); err != nil { // header
		t.Fatalf("read header: %v", err)
	}
	idx := map[string]int{}
	var orders []Order
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read Online Retail: %v", err)
		}
		// InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
		if rec[6] == "" {
			continue
		}
		qty, err1 := strconv.ParseFloat(rec[3], 64)
		price, err2 := strconv.ParseFloat(rec[5], 64)
		at, err3 := time.Parse(time.DateTime, rec[4])
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("parse %v: %v %v %v", rec, err1, err2, err3)
		}
		i, ok := idx[rec[0]]
		if !ok {
			i = len(orders)
			idx[rec[0]] = i
			orders = append(orders, Order{OrderID: rec[0], CustomerID: strings.TrimSuffix(rec[6], ".0"),
				At: at, IsReturn: strings.HasPrefix(rec[0], "C")})
		}
		orders[i].Amount += Money(math.Round(qty * price * 100))
	}
	return orders
}

// TestRFM_OnlineRetail checks RFMInputs against the counts in
// data/online-retail/PROVENANCE.md (rows with a CustomerID, no "C"
// invoice: 4,339 customers, 18,536 invoices) and ScoreRFM's invariants on
// real, heavily tied data.
func TestRFM_OnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 541,909 rows")
	}
	orders := onlineRetailOrders(t)
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC) // day after the last invoice
	in, err := RFMInputs(orders, asOf)
	if err != nil {
		t.Fatalf("RFMInputs(Online Retail): %v", err)
	}
	invoices := 0
	var net Money
	for _, c := range in {
		invoices += c.Frequency
		net += c.Monetary
	}
	if len(in) != 4339 || invoices != 18536 {
		t.Errorf("RFMInputs(Online Retail) = %d customers, %d invoices; want 4339, 18536", len(in), invoices)
	}
	res, err := ScoreRFM(in, RFMConfig{})
	if err != nil {
		t.Fatalf("ScoreRFM(Online Retail): %v", err)
	}
	n, share := 0, 0.0
	var rev Money
	for _, s := range res.Segments {
		n += s.Customers
		rev += s.Revenue
		v, _ := s.RevenueShare.Get()
		share += v
	}
	if n != len(in) || rev != net || math.Abs(share-1) > 1e-9 {
		t.Errorf("segments sum to %d customers, revenue %s, share %g; want %d, %s, 1", n, rev, share, len(in), net)
	}
	for _, d := range [][]RFMBin{res.Thresholds.Recency, res.Thresholds.Frequency, res.Thresholds.Monetary} {
		for i := 1; i < len(d); i++ {
			if d[i].Score <= d[i-1].Score {
				t.Errorf("bins %+v; want increasing scores", d)
			}
		}
	}
	// Higher frequency bins hold larger values; recency bins fewer days.
	f := res.Thresholds.Frequency
	for i := 1; i < len(f); i++ {
		if f[i].Min <= f[i-1].Max {
			t.Errorf("frequency bins %+v overlap; want disjoint increasing ranges", f)
		}
	}
	r := res.Thresholds.Recency
	for i := 1; i < len(r); i++ {
		if r[i].Max >= r[i-1].Min {
			t.Errorf("recency bins %+v overlap; want fewer days for higher scores", r)
		}
	}
	t.Logf("Online Retail RFM: %d customers; frequency bins %+v; warnings %q", len(in), f, res.Warnings)
}
