package tools

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/roibot/roibot/analytics"
)

// retailItemLines reads all 541,909 Online Retail lines
// (../data/online-retail) numbered as postgres.Store.BasketLines returns
// them.
func retailItemLines(b *testing.B) analytics.ItemLines {
	b.Helper()
	f, err := os.Open("../data/online-retail/online_retail.csv.gz")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	r := csv.NewReader(zr)
	if _, err := r.Read(); err != nil {
		b.Fatal(err)
	}
	var lines []analytics.BasketLine
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		q, err := strconv.Atoi(rec[3])
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, analytics.BasketLine{InvoiceNo: rec[0], Description: rec[2], Quantity: q, CustomerID: rec[6]})
	}
	return analytics.NumberLines(lines)
}

// BenchmarkAssociationRulesFromItemLines is the association_rules path
// from the order lines in memory (as the store returns them; the database
// fetch is measured separately): baskets of all Online Retail invoices,
// FP-Growth and rules, at the default min_support (0.05, relaxed stepwise
// while no rule passes) and at 0.01. It reports the baskets, the support
// the rules were found at and the highest lift, which docs/segments.md quotes.
func BenchmarkAssociationRulesFromItemLines(b *testing.B) {
	il := retailItemLines(b)
	for _, sup := range []float64{DefaultMinSupport, 0.01} {
		b.Run("support="+strconv.FormatFloat(sup, 'g', -1, 64), func(b *testing.B) {
			var res RulesResult
			for b.Loop() {
				var err error
				if res, err = AssociationRulesFromItemLines(context.Background(), il, RulesArgs{MinSupport: &sup}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(il.Lines)), "lines")
			b.ReportMetric(float64(res.RulesFound), "rules")
			b.ReportMetric(float64(res.Baskets), "baskets")
			b.ReportMetric(res.MinSupport, "support-used")
			if len(res.Rules) > 0 {
				b.ReportMetric(res.Rules[0].Lift, "top-lift")
			}
		})
	}
}
