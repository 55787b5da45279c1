package postgres_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

// segmentFixture is a 71-line Online Retail file: ten UK customers
// (20001..20010), three in the Netherlands, one in France, one anonymous
// UK invoice; customer 20004 has a £50 cancellation.
const segmentFixture = "../testdata/segments/retail_fixture.csv"

// fixtureStore returns a store on a fresh, migrated schema with the Online
// Retail file at path imported, and the schema's name.
func fixtureStore(t *testing.T, path string) (*postgres.Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ingest.ImportOnlineRetail(ctx, f, s, ingest.Options{}); err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return s, schema
}

// segmentStore returns a store on a fresh schema with the fixture imported
// and four feedback rows (two for 20001, one for 20002, one anonymous).
func segmentStore(t *testing.T) *postgres.Store {
	t.Helper()
	s, schema := fixtureStore(t, segmentFixture)
	ctx := context.Background()
	// The store has no feedback writer here; insert with qualified names.
	conn := pgtest.Conn(t, "")
	tbl := pgx.Identifier{schema, "feedback"}.Sanitize()
	if _, err := conn.Exec(ctx, `insert into `+tbl+` (body, customer_id, source, source_ref, sentiment, sentiment_label, themes) values
		('Fast delivery, lovely quality', '20001', 'test', '1', 0.6, 'positive', '{delivery,quality}'),
		('Delivery was fine', '20001', 'test', '2', 0.2, 'positive', '{delivery}'),
		('Too expensive now', '20002', 'test', '3', -0.4, 'negative', '{price}'),
		('Anonymous note', null, 'test', '4', -0.9, 'negative', '{price}')`); err != nil {
		t.Fatalf("insert feedback: %v", err)
	}
	return s
}

func TestStore_Segments(t *testing.T) {
	s := segmentStore(t)
	ctx := context.Background()
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)
	uk := analytics.OrderFilter{Country: "United Kingdom", To: asOf}

	t.Run("CustomerFeatures", func(t *testing.T) {
		got, err := s.CustomerFeatures(ctx, uk, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 || got[0].CustomerID != "20001" || got[9].CustomerID != "20010" {
			t.Fatalf("CustomerFeatures(UK) = %d customers from %v; want 10, 20001..20010", len(got), got[0].CustomerID)
		}
		c1, c4 := got[0], got[3]
		// 20001: 5 invoices of £100, last 2011-12-09 11:00 (13 h before
		// as-of: 0 days), first 2011-09-20 12:00 (80.5 days).
		if c1.RecencyDays != 0 || c1.Frequency != 5 || c1.Revenue != 50000 || c1.Returns != 0 || c1.TenureDays != 80 || c1.Country != "United Kingdom" {
			t.Errorf("features(20001) = %+v; want recency 0, frequency 5, revenue 50000, returns 0, tenure 80, United Kingdom", c1)
		}
		if v, ok := c1.Sentiment.Get(); !ok || v < 0.4-1e-9 || v > 0.4+1e-9 || c1.Feedback != 2 {
			t.Errorf("sentiment(20001) = %v over %d rows; want 0.4 = mean(0.6, 0.2) over 2", c1.Sentiment, c1.Feedback)
		}
		// 20004: 3 invoices of £283.33, a £50 cancellation; last purchase
		// 2011-11-30 10:00 (9.6 days), first 2011-10-21 12:00 (49.5 days).
		if c4.RecencyDays != 9 || c4.Frequency != 3 || c4.Revenue != 84999 || c4.Returns != -5000 || c4.TenureDays != 49 {
			t.Errorf("features(20004) = %+v; want recency 9, frequency 3, revenue 84999, returns -5000, tenure 49", c4)
		}
		if _, ok := c4.Sentiment.Get(); ok || c4.Feedback != 0 {
			t.Errorf("sentiment(20004) = %v, %d rows; want unavailable, 0", c4.Sentiment, c4.Feedback)
		}
		nl, err := s.CustomerFeatures(ctx, analytics.OrderFilter{Country: "netherlands", To: asOf}, asOf)
		if err != nil || len(nl) != 3 {
			t.Errorf("CustomerFeatures(netherlands) = %d customers, %v; want 3 (country matched case-insensitively)", len(nl), err)
		}
	})

	t.Run("TopProductsByGroup", func(t *testing.T) {
		got, err := s.TopProductsByGroup(ctx, uk, []string{"20001", "20004"}, []int{0, 1}, 3, analytics.NonProductDescriptions)
		if err != nil {
			t.Fatal(err)
		}
		want := []analytics.ProductSales{
			// 20001 spent £100 on each of five products: ties by name.
			{Group: 0, Product: "ALARM CLOCK BAKELIKE GREEN", Revenue: 10000, Quantity: 3, Customers: 1},
			{Group: 0, Product: "ALARM CLOCK BAKELIKE RED", Revenue: 10000, Quantity: 3, Customers: 1},
			{Group: 0, Product: "JUMBO BAG RED RETROSPOT", Revenue: 10000, Quantity: 3, Customers: 1},
			// 20004: £212.50 + £70.83 on RED and on BUNTING; WHITE HANGING
			// HEART £212.50 less the £50 cancellation, 2 − 1 units.
			{Group: 1, Product: "ALARM CLOCK BAKELIKE RED", Revenue: 28333, Quantity: 3, Customers: 1},
			{Group: 1, Product: "PARTY BUNTING", Revenue: 28333, Quantity: 3, Customers: 1},
			{Group: 1, Product: "WHITE HANGING HEART T-LIGHT HOLDER", Revenue: 16250, Quantity: 1, Customers: 1},
		}
		if !slices.Equal(got, want) {
			t.Errorf("TopProductsByGroup = %+v; want %+v", got, want)
		}
	})

	t.Run("FeedbackThemes", func(t *testing.T) {
		got, err := s.FeedbackThemes(ctx, []string{"20001", "20002"}, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := []knowledge.ThemeCount{
			{Theme: "delivery", Count: 2, Sentiment: knowledge.SentimentSplit{Positive: 2}, MeanSentiment: 0.4},
			{Theme: "price", Count: 1, Sentiment: knowledge.SentimentSplit{Negative: 1}, MeanSentiment: -0.4},
			{Theme: "quality", Count: 1, Sentiment: knowledge.SentimentSplit{Positive: 1}, MeanSentiment: 0.6},
		}
		if len(got) != len(want) {
			t.Fatalf("FeedbackThemes = %+v; want %+v", got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Theme != w.Theme || g.Count != w.Count || g.Sentiment != w.Sentiment || g.MeanSentiment < w.MeanSentiment-1e-9 || g.MeanSentiment > w.MeanSentiment+1e-9 {
				t.Errorf("FeedbackThemes[%d] = %+v; want %+v", i, g, w)
			}
		}
	})

	t.Run("BasketLines", func(t *testing.T) {
		lines, err := s.BasketLines(ctx, analytics.OrderFilter{Country: "United Kingdom"})
		if err != nil {
			t.Fatal(err)
		}
		if len(lines.Lines) != 55 {
			t.Errorf("BasketLines(UK) = %d lines; want 55 (52 customer lines, 1 cancellation, 2 anonymous)", len(lines.Lines))
		}
		b, err := analytics.BasketsFromItemLines(lines, analytics.BasketOptions{Drop: analytics.NonProductDescriptions})
		if err != nil {
			t.Fatal(err)
		}
		// 27 purchase invoices; the anonymous one keeps only its product.
		if len(b.Invoices) != 27 {
			t.Errorf("baskets(UK) = %d; want 27 (cancellation C560017 dropped)", len(b.Invoices))
		}
		i := slices.Index(b.Invoices, "560036")
		var got []string
		if i >= 0 {
			for _, id := range b.Baskets.Baskets[i] {
				got = append(got, b.Baskets.Items[id])
			}
		}
		if !slices.Equal(got, []string{"ALARM CLOCK BAKELIKE RED"}) {
			t.Errorf("basket 560036 = %v; want [ALARM CLOCK BAKELIKE RED] (POSTAGE dropped)", got)
		}
		if inv := slices.Index(lines.Invoices, "560036"); inv < 0 || lines.Customers[inv] != "" {
			t.Errorf("invoice 560036 customer = %q; want anonymous", lines.Customers[max(inv, 0)])
		}
	})
}
