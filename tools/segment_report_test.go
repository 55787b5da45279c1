package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// reportStore serves nine Dutch customers P1..P9: Pi bought i times, 30
// days apart, the last i days before 2011-12-09, £40·i each time. P1, P2
// and P3 have feedback with mean sentiment −0.5, 0.03 and 0.7.
func reportStore(seen *analytics.OrderFilter) *fakeStore {
	last := time.Date(2011, 12, 9, 10, 0, 0, 0, time.UTC)
	var orders []analytics.Order
	var feats []analytics.CustomerFeatures
	sent := map[int]float64{1: -0.5, 2: 0.03, 3: 0.7}
	for i := 1; i <= 9; i++ {
		id := fmt.Sprintf("P%d", i)
		for k := range i {
			orders = append(orders, analytics.Order{OrderID: fmt.Sprintf("%d-%d", i, k), CustomerID: id,
				At: last.AddDate(0, 0, -i-30*k), Amount: analytics.Money(4000 * i)})
		}
		f := analytics.CustomerFeatures{CustomerID: id, Country: "Netherlands", RecencyDays: i, Frequency: i,
			Revenue: analytics.Money(4000 * i * i), TenureDays: i + 30*(i-1), Sentiment: analytics.NA("no feedback")}
		if v, ok := sent[i]; ok {
			f.Sentiment, f.Feedback = analytics.Float(v), 1
		}
		feats = append(feats, f)
	}
	sort.Slice(orders, func(a, b int) bool { return orders[a].CustomerID < orders[b].CustomerID })
	return &fakeStore{
		PurchaseOrdersFn: func(_ context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
			if seen != nil {
				*seen = f
			}
			var out []analytics.Order
			for _, o := range orders {
				if (f.From.IsZero() || !o.At.Before(f.From)) && o.At.Before(f.To) {
					out = append(out, o)
				}
			}
			return out, nil
		},
		CustomerFeaturesFn: func(context.Context, analytics.OrderFilter, time.Time) ([]analytics.CustomerFeatures, error) {
			return feats, nil
		},
		TopProductsByGroupFn: func(_ context.Context, _ analytics.OrderFilter, ids []string, groups []int, limit int, _ []string) ([]analytics.ProductSales, error) {
			return []analytics.ProductSales{{Group: 0, Product: "PARTY BUNTING", Revenue: analytics.Money(1000 * len(ids)), Quantity: 3, Customers: len(ids)}}, nil
		},
		FeedbackThemesFn: func(_ context.Context, ids []string, limit int) ([]knowledge.ThemeCount, error) {
			if slices.Contains(ids, "P1") {
				return []knowledge.ThemeCount{{Theme: "delivery", Count: 1, Sentiment: knowledge.SentimentSplit{Negative: 1}, MeanSentiment: -0.5}}, nil
			}
			return nil, nil
		},
	}
}

func callReport(t *testing.T, store SegmentReportReader, input string) SegmentReportResult {
	t.Helper()
	out, err := SegmentReport{Store: store}.Call(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	var res SegmentReportResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Definition == "" {
		t.Fatalf("segment_report %s = %s; want a report", input, out)
	}
	// Members are not in the JSON; the display's last table has them all.
	mt := res.Display.Tables[len(res.Display.Tables)-1]
	if res.Customers == 0 {
		if len(res.Display.Tables) != 1 {
			t.Errorf("segment_report %s with no members has %d tables; want only the summary", input, len(res.Display.Tables))
		}
		return res
	}
	if !strings.HasPrefix(mt.Title, "Members of ") || len(mt.Rows) != res.Customers {
		t.Fatalf("last display table %q has %d rows; want the %d members", mt.Title, len(mt.Rows), res.Customers)
	}
	for _, r := range mt.Rows {
		res.Members = append(res.Members, ReportMember{CustomerID: r[0], CLVTier: r[12]})
	}
	return res
}

func TestReport(t *testing.T) {
	var seen analytics.OrderFilter
	store := reportStore(&seen)

	all := callReport(t, store, `{"country": "Netherlands"}`)
	// Net spend 40·i² for i = 1..9: Σ = 40·285 = £11,400.
	if all.Customers != 9 || all.Population != 9 || float64(all.Revenue) != 11400 || all.RevenueShare != 1.0 {
		t.Fatalf("all customers = %d of %d, revenue %v (share %v); want 9 of 9, 11400, 1", all.Customers, all.Population, all.Revenue, all.RevenueShare)
	}
	if all.AsOf != "2011-12-10" || !seen.To.Equal(time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)) || seen.Country != "Netherlands" {
		t.Errorf("as_of %s, orders filter %+v; want 2011-12-10 and Netherlands", all.AsOf, seen)
	}
	if all.TopMembers[0].CustomerID != "P9" || len(all.Display.Charts) != 1 || all.Display.Charts[0].Labels[0] != "PARTY BUNTING" {
		t.Errorf("top member %s, charts %v; want P9 (highest spend) and a top-products chart", all.TopMembers[0].CustomerID, all.Display.Charts)
	}
	tiers := map[string]string{}
	for _, m := range all.Members {
		tiers[m.CustomerID] = m.CLVTier
	}

	t.Run("CLVTierTop", func(t *testing.T) {
		res := callReport(t, store, `{"country": "Netherlands", "clv_tier": "top"}`)
		var want []string
		for id, tier := range tiers {
			if tier == "top" {
				want = append(want, id)
			}
		}
		var got []string
		for _, m := range res.Members {
			got = append(got, m.CustomerID)
		}
		slices.Sort(want)
		slices.Sort(got)
		// ⌊3·rank/9⌋ = 0 for ranks 0..2: a third of nine.
		if len(got) != 3 || !slices.Equal(got, want) {
			t.Errorf("top tier = %v; want the 3 customers tiered top in the full report %v", got, want)
		}
	})
	t.Run("Sentiment", func(t *testing.T) {
		for _, tt := range []struct{ sentiment, want string }{{"negative", "P1"}, {"neutral", "P2"}, {"positive", "P3"}} {
			res := callReport(t, store, `{"sentiment": "`+tt.sentiment+`"}`)
			if res.Customers != 1 || res.Members[0].CustomerID != tt.want {
				t.Errorf("sentiment %s = %v; want only %s", tt.sentiment, res.Members, tt.want)
			}
		}
		res := callReport(t, store, `{"sentiment": "negative"}`)
		if len(res.FeedbackThemes) != 1 || res.FeedbackThemes[0].Theme != "delivery" || res.FeedbackNote != "1 of 1 members have feedback linked to their customer id" {
			t.Errorf("negative members' themes = %v, note %q; want delivery and 1 of 1", res.FeedbackThemes, res.FeedbackNote)
		}
	})
	t.Run("DateRange", func(t *testing.T) {
		res := callReport(t, store, `{"from": "2011-11-01", "to": "2011-11-30"}`)
		if res.AsOf != "2011-12-01" || res.Period == nil || res.Period.LastDay != "2011-11-30" ||
			!seen.From.Equal(time.Date(2011, 11, 1, 0, 0, 0, 0, time.UTC)) || !seen.To.Equal(time.Date(2011, 12, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("from/to report: as_of %s, period %+v, orders filter %+v; want as-of 2011-12-01 and orders in November", res.AsOf, res.Period, seen)
		}
		// Pi's second purchase is 30+i days before 2011-12-09: only P2..P9
		// have one in November (P1 bought once, on 2011-12-08).
		if res.Customers != 8 {
			t.Errorf("November customers = %d; want 8", res.Customers)
		}
	})
	t.Run("Problems", func(t *testing.T) {
		for _, tt := range []struct{ input, want string }{
			{`{"cluster": 7, "k": 3}`, "cluster 7 does not exist: the clustering has k = 3"},
			{`{"segment": "vip"}`, "arguments do not match the schema"},
			{`{"clv_tier": "gold"}`, "arguments do not match the schema"},
			{`{"from": "2012-01-01"}`, "invalid period"},
			// Nobody bought on 2011-12-09 (P1's purchase was the day before).
			{`{"from": "2011-12-09", "to": "2011-12-09"}`, "no purchases before 2011-12-10"},
		} {
			out, err := SegmentReport{Store: store}.Call(context.Background(), tt.input)
			var p problem
			if err != nil || json.Unmarshal([]byte(out), &p) != nil || !strings.Contains(p.Error, tt.want) {
				t.Errorf("segment_report %s = %s, %v; want an error containing %q", tt.input, out, err, tt.want)
			}
		}
	})
}

func TestSegmentDefinition_String(t *testing.T) {
	two := 2
	tests := []struct {
		d    SegmentDefinition
		want string
	}{
		{SegmentDefinition{}, "all customers"},
		{SegmentDefinition{Segment: "champions", Country: "United Kingdom"}, "champions in United Kingdom"},
		{SegmentDefinition{Cluster: &two, K: 5, CLVTier: "top", From: "2011-01-01"}, "cluster 2 (k = 5), top CLV tier (orders 2011-01-01..…)"},
		{SegmentDefinition{Segment: "at_risk", Sentiment: "negative", Country: "Netherlands"}, "at_risk, negative feedback in Netherlands"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%+v.String() = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestSegmentDefinition_Who(t *testing.T) {
	two := 2
	for _, tc := range []struct {
		d    SegmentDefinition
		want string
	}{
		{SegmentDefinition{Segment: "at_risk", Country: "Germany"}, "at-risk customers in Germany"},
		{SegmentDefinition{Segment: "champions"}, "champion customers"},
		{SegmentDefinition{Cluster: &two, CLVTier: "top"}, "top-CLV-tier customers in cluster 2"},
		{SegmentDefinition{Sentiment: "negative"}, "customers with negative feedback"},
	} {
		if got := tc.d.Who(); got != tc.want {
			t.Errorf("%+v.Who() = %q; want %q", tc.d, got, tc.want)
		}
	}
	res := SegmentReportResult{Segment: SegmentDefinition{Segment: "at_risk", Country: "Germany"}, Period: &PeriodJSON{Label: "2011"}}
	if got, want := segmentChartTitle(res), "Top products bought by at-risk customers in Germany, 2011"; got != want {
		t.Errorf("segmentChartTitle = %q; want %q", got, want)
	}
}
