package analytics

import (
	"math/rand"
	"strconv"
	"testing"
	"time"
)

// benchLine is one invoice line as it leaves the import: invoice,
// customer, time, amount (negative for returns).
type benchLine struct {
	invoice, customer string
	at                time.Time
	amount            Money
	ret               bool
}

// syntheticOrderLines returns n seeded invoice lines of 4,339 customers
// over 2010-12-01..2011-12-09, about 20 lines per invoice (Online
// Retail's shape), 2% of invoices returns.
func syntheticOrderLines(n int) []benchLine {
	rng := rand.New(rand.NewSource(1))
	t0 := time.Date(2010, 12, 1, 8, 0, 0, 0, time.UTC)
	span := int64(373 * 24 * time.Hour)
	lines := make([]benchLine, 0, n)
	for inv := 0; len(lines) < n; inv++ {
		cust := strconv.Itoa(12346 + rng.Intn(4339))
		at := t0.Add(time.Duration(rng.Int63n(span)))
		ret := rng.Float64() < 0.02
		id := strconv.Itoa(536365 + inv)
		if ret {
			id = "C" + id
		}
		for k := 1 + rng.Intn(40); k > 0 && len(lines) < n; k-- {
			amt := Money(50 + rng.Intn(5000))
			if ret {
				amt = -amt
			}
			lines = append(lines, benchLine{id, cust, at, amt, ret})
		}
	}
	return lines
}

// linesToOrders collapses invoice lines into one Order per invoice and
// kind (purchase or return), as the store's PurchaseOrders query does.
func linesToOrders(lines []benchLine) []Order {
	idx := make(map[string]int, len(lines)/16)
	orders := make([]Order, 0, len(lines)/16)
	for _, l := range lines {
		i, ok := idx[l.invoice]
		if !ok {
			i = len(orders)
			idx[l.invoice] = i
			orders = append(orders, Order{OrderID: l.invoice, CustomerID: l.customer, At: l.at, IsReturn: l.ret})
		}
		orders[i].Amount += l.amount
	}
	return orders
}

// BenchmarkScoreRFM1MLines scores RFM from 1,000,000 seeded order lines:
// lines → orders (one per invoice), RFMInputs and ScoreRFM.
//
//	go test ./analytics -run '^$' -bench ScoreRFM1MLines -benchtime=5x
func BenchmarkScoreRFM1MLines(b *testing.B) {
	lines := syntheticOrderLines(1_000_000)
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		in, err := RFMInputs(linesToOrders(lines), asOf)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ScoreRFM(in, RFMConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}
