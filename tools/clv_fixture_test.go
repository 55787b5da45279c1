package tools_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// clvFixtureLines returns a small, seeded order history: 120 customers
// (ids 12346..12465; every fifth in Germany, the rest in the United
// Kingdom) buying from 2011-01-03 to 2011-12-09, each at its own weekly
// rate and with its own chance of dropping out after each purchase, plus
// customer 12347 with a fixed history:
//
//	2011-03-01 £100 (two invoices on one day: £60 + £40, one purchase occasion)
//	2011-06-15 £50, 2011-06-15 return −£10 (net £40)
//	2011-10-20 £80
//	2011-12-07 £30
//
// so x = 3, t_x = (2011-12-07 − 2011-03-01)/7 = 281/7 weeks and, with the
// data's last day 2011-12-09, T = 283/7 weeks; mean repeat value
// (40 + 80 + 30)/3 = £50.
func clvFixtureLines() []ingest.OrderLine {
	rng := rand.New(rand.NewPCG(3, 12347))
	start := time.Date(2011, 1, 3, 10, 0, 0, 0, time.UTC)
	end := time.Date(2011, 12, 9, 12, 0, 0, 0, time.UTC)
	var lines []ingest.OrderLine
	inv := 536000
	add := func(cust, country string, at time.Time, amount analytics.Money, ret bool) {
		inv++
		no := fmt.Sprint(inv)
		qty := int64(1)
		if ret {
			no, qty = "C"+no, -1
		}
		lines = append(lines, ingest.OrderLine{InvoiceNo: no, LineNo: 1, StockCode: "85123A", Description: "WHITE HANGING HEART T-LIGHT HOLDER",
			Quantity: qty, UnitPrice4: int64(amount.Major()*10000) * qty, Amount: amount, At: at, CustomerID: cust, Country: country,
			Currency: "GBP", IsCancellation: ret, IsReturn: ret})
	}
	for i := 0; i < 120; i++ {
		id := fmt.Sprint(12346 + i)
		if id == "12347" {
			continue
		}
		country := "United Kingdom"
		if i%5 == 0 {
			country = "Germany"
		}
		rate := 0.05 + rng.Float64()*0.6 // purchases per week while active
		drop := rng.Float64() * 0.3
		spend := 10 + rng.Float64()*90
		at := start.Add(time.Duration(rng.IntN(240*24)) * time.Hour)
		for at.Before(end) {
			add(id, country, at, analytics.MoneyFromMajor(spend*(0.5+rng.Float64())), false)
			if rng.Float64() < drop {
				break
			}
			at = at.Add(time.Duration(rng.ExpFloat64() / rate * 7 * 24 * float64(time.Hour)))
		}
	}
	d := func(m time.Month, day, h int) time.Time { return time.Date(2011, m, day, h, 0, 0, 0, time.UTC) }
	add("12347", "Iceland", d(3, 1, 9), analytics.MoneyFromMajor(60), false)
	add("12347", "Iceland", d(3, 1, 15), analytics.MoneyFromMajor(40), false)
	add("12347", "Iceland", d(6, 15, 11), analytics.MoneyFromMajor(50), false)
	add("12347", "Iceland", d(6, 15, 12), analytics.MoneyFromMajor(-10), true)
	add("12347", "Iceland", d(10, 20, 10), analytics.MoneyFromMajor(80), false)
	add("12347", "Iceland", d(12, 7, 14), analytics.MoneyFromMajor(30), false)
	// The data's last order: 2011-12-09.
	add("12346", "Germany", d(12, 9, 12), analytics.MoneyFromMajor(25), false)
	return lines
}
