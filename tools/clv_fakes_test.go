package tools_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// orderStore is an in-memory OrderReader over order lines, aggregating
// them like postgres.Store.PurchaseOrders: per invoice, a purchase part and
// a return part; anonymous invoices left out.
type orderStore struct {
	lines []ingest.OrderLine
	// calls counts PurchaseOrders calls (to see the cache work).
	mu    sync.Mutex
	calls int
}

func (s *orderStore) StoreOrderLines(_ context.Context, _ string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	s.lines = append(s.lines, lines...)
	return ingest.StoreResult{Stored: len(lines)}, nil
}

func (s *orderStore) PurchaseOrders(_ context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	type key struct {
		inv string
		ret bool
	}
	idx := map[key]int{}
	var out []analytics.Order
	for _, l := range s.lines {
		if l.CustomerID == "" || (f.Country != "" && !strings.EqualFold(l.Country, f.Country)) ||
			(f.CustomerID != "" && l.CustomerID != f.CustomerID) ||
			(!f.From.IsZero() && l.At.Before(f.From)) || (!f.To.IsZero() && !l.At.Before(f.To)) {
			continue
		}
		k := key{l.InvoiceNo, l.IsReturn}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, analytics.Order{OrderID: l.InvoiceNo, CustomerID: l.CustomerID, At: l.At.UTC(), IsReturn: l.IsReturn})
		}
		out[i].Amount += l.Amount
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].CustomerID != out[j].CustomerID {
			return out[i].CustomerID < out[j].CustomerID
		}
		return out[i].At.Before(out[j].At)
	})
	return out, nil
}

func (s *orderStore) DataRange(_ context.Context, _ string) (first, last time.Time, err error) {
	if len(s.lines) == 0 {
		return first, last, analytics.ErrNoData
	}
	first, last = s.lines[0].At, s.lines[0].At
	for _, l := range s.lines {
		if l.At.Before(first) {
			first = l.At
		}
		if l.At.After(last) {
			last = l.At
		}
	}
	return first.UTC(), last.UTC(), nil
}

var (
	retailOnce  sync.Once
	retailStore *orderStore
	retailErr   error
)

// onlineRetail loads the Online Retail file into an orderStore (once per
// test binary; about 3 s).
func onlineRetail(t testing.TB) *orderStore {
	t.Helper()
	if testing.Short() {
		t.Skip("loads 541,909 Online Retail lines")
	}
	retailOnce.Do(func() {
		rc, err := ingest.Open("../data/online-retail/online_retail.csv.gz")
		if err != nil {
			retailErr = err
			return
		}
		defer rc.Close()
		s := &orderStore{}
		if _, err := ingest.ImportOnlineRetail(context.Background(), rc, s, ingest.Options{File: "online_retail.csv.gz"}); err != nil {
			retailErr = err
			return
		}
		retailStore = s
	})
	if retailErr != nil {
		t.Fatal(retailErr)
	}
	return retailStore
}

// CustomerCountries gives each customer the country of their first line.
func (s *orderStore) CustomerCountries(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range s.lines {
		if _, ok := out[l.CustomerID]; !ok && l.CustomerID != "" {
			out[l.CustomerID] = l.Country
		}
	}
	return out, nil
}

// ordersOnly hides orderStore's CustomerCountries.
type ordersOnly struct{ s *orderStore }

func (o ordersOnly) PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
	return o.s.PurchaseOrders(ctx, f)
}

func (o ordersOnly) DataRange(ctx context.Context, c string) (time.Time, time.Time, error) {
	return o.s.DataRange(ctx, c)
}
