package main

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/roibot/roibot/analytics"
)

// partSink records each part it is given and refuses the lines whose
// StockCode is "BAD", as a store refuses lines of a foreign invoice.
type partSink struct {
	mu    sync.Mutex
	parts [][]analytics.OrderLine
}

func (f *partSink) StoreOrderLines(_ context.Context, _ string, lines []analytics.OrderLine) (analytics.StoreResult, error) {
	f.mu.Lock()
	f.parts = append(f.parts, lines)
	f.mu.Unlock()
	var r analytics.StoreResult
	for i, l := range lines {
		if l.StockCode == "BAD" {
			r.Conflicts = append(r.Conflicts, i)
		} else {
			r.Stored++
		}
	}
	return r, nil
}

// TestParallelOrders_Split checks that every invoice stays whole in one
// part with its lines in batch order, that a customer's invoices share a
// part, and that refused lines come back as indexes into the whole batch.
func TestParallelOrders_Split(t *testing.T) {
	var lines []analytics.OrderLine
	var wantConflicts []int
	for i := range 60 {
		inv := strconv.Itoa(500 + i/3) // 3 lines an invoice
		cust := strconv.Itoa(12000 + (i/3)%7)
		if (i/3)%5 == 0 {
			cust = "" // anonymous invoices
		}
		code := "C" + strconv.Itoa(i)
		if i%11 == 4 {
			code = "BAD"
			wantConflicts = append(wantConflicts, i)
		}
		lines = append(lines, analytics.OrderLine{InvoiceNo: inv, LineNo: i%3 + 1, StockCode: code, CustomerID: cust})
	}
	sink := &partSink{}
	res, err := parallelOrders{sink: sink, n: 3}.StoreOrderLines(context.Background(), "test", lines)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != len(lines)-len(wantConflicts) || !slices.Equal(res.Conflicts, wantConflicts) {
		t.Errorf("result = %d stored, conflicts %v; want %d, %v", res.Stored, res.Conflicts, len(lines)-len(wantConflicts), wantConflicts)
	}
	if len(sink.parts) < 2 {
		t.Fatalf("%d parts; want the batch split", len(sink.parts))
	}
	invPart, custPart := map[string]int{}, map[string]int{}
	for k, part := range sink.parts {
		for j, l := range part {
			if p, ok := invPart[l.InvoiceNo]; ok && p != k {
				t.Errorf("invoice %s in parts %d and %d", l.InvoiceNo, p, k)
			}
			invPart[l.InvoiceNo] = k
			if l.CustomerID != "" {
				if p, ok := custPart[l.CustomerID]; ok && p != k {
					t.Errorf("customer %s in parts %d and %d", l.CustomerID, p, k)
				}
				custPart[l.CustomerID] = k
			}
			if j > 0 && part[j-1].InvoiceNo == l.InvoiceNo && part[j-1].LineNo >= l.LineNo {
				t.Errorf("part %d: invoice %s lines out of order", k, l.InvoiceNo)
			}
		}
	}
}
