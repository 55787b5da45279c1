package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// threeBlobs returns 15 customers in three well-separated groups of five,
// in row order A, B, C:
//   - A: bought 20 times, recently (recency 5..9 days), £5,000..£5,400;
//   - B: bought once 300..304 days ago, £50..£54;
//   - C: new (tenure 40..44 days), 3 invoices, £300..£340.
func threeBlobs() []analytics.CustomerFeatures {
	var out []analytics.CustomerFeatures
	for i := range 5 {
		out = append(out, analytics.CustomerFeatures{CustomerID: fmt.Sprintf("A%d", i), Country: "United Kingdom",
			RecencyDays: 5 + i, Frequency: 20, Revenue: analytics.Money(500000 + 10000*i), TenureDays: 360 - i})
	}
	for i := range 5 {
		out = append(out, analytics.CustomerFeatures{CustomerID: fmt.Sprintf("B%d", i), Country: []string{"France", "Germany"}[i%2],
			RecencyDays: 300 + i, Frequency: 1, Revenue: analytics.Money(5000 + 100*i), TenureDays: 300 + i})
	}
	for i := range 5 {
		out = append(out, analytics.CustomerFeatures{CustomerID: fmt.Sprintf("C%d", i), Country: "United Kingdom",
			RecencyDays: 10 + i, Frequency: 3, Revenue: analytics.Money(30000 + 1000*i), TenureDays: 40 + i})
	}
	return out
}

func blobStore() *fakeStore {
	return &fakeStore{
		CustomerFeaturesFn: func(_ context.Context, f analytics.OrderFilter, asOf time.Time) ([]analytics.CustomerFeatures, error) {
			if !asOf.Equal(time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)) || !f.To.Equal(asOf) {
				return nil, fmt.Errorf("as-of %v, filter to %v; want 2011-12-10 for both", asOf, f.To)
			}
			return threeBlobs(), nil
		},
		TopProductsByGroupFn: func(_ context.Context, _ analytics.OrderFilter, ids []string, groups []int, limit int, exclude []string) ([]analytics.ProductSales, error) {
			if len(ids) != 15 || len(groups) != 15 || limit != 3 || len(exclude) == 0 {
				return nil, fmt.Errorf("top products called with %d ids, %d groups, limit %d, %d exclusions", len(ids), len(groups), limit, len(exclude))
			}
			return []analytics.ProductSales{{Group: groups[0], Product: "REGENCY CAKESTAND 3 TIER", Revenue: 123450, Quantity: 10, Customers: 5}}, nil
		},
	}
}

func TestSegment_ChooseK(t *testing.T) {
	out, err := Segment{Store: blobStore()}.Call(context.Background(), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	var res SegmentResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("result %s: %v", out, err)
	}
	if res.K != 3 || res.KChosenBy != "silhouette" || len(res.Scores) != 7 || res.Scores[0].K != 2 || res.Scores[6].K != 8 {
		t.Fatalf("segment_customers {} = k %d chosen by %q, scores %v; want k 3 by silhouette over 2..8", res.K, res.KChosenBy, res.Scores)
	}
	if res.AsOf != "2011-12-10" || res.Customers != 15 || len(res.Features) != 6 {
		t.Errorf("as_of %s, customers %d, features %v; want 2011-12-10, 15, six without sentiment", res.AsOf, res.Customers, res.Features)
	}
	// Clusters are numbered by first appearance: A, B, C.
	a, b, c := res.Clusters[0], res.Clusters[1], res.Clusters[2]
	if a.Customers != 5 || b.Customers != 5 || c.Customers != 5 {
		t.Fatalf("cluster sizes = %d, %d, %d; want 5 each", a.Customers, b.Customers, c.Customers)
	}
	// A spends £5,000, 5,100, …, 5,400: median £5,200, revenue 26,000 of
	// 26,000 + 260 + 1,600 = 27,860.
	if float64(a.MedianSpend) != 5200 || float64(a.Revenue) != 26000 || math.Abs(a.RevenueShare.(float64)-0.9332) > 1e-4 {
		t.Errorf("cluster A median %v, revenue %v, share %v; want 5200, 26000, 0.9332 (26000/27860)", a.MedianSpend, a.Revenue, a.RevenueShare)
	}
	if float64(b.MedianSpend) != 52 || b.MeanRecencyDays != 302 || b.MeanFrequency != 1 {
		t.Errorf("cluster B median %v, recency %v, frequency %v; want 52, 302, 1", b.MedianSpend, b.MeanRecencyDays, b.MeanFrequency)
	}
	if len(b.TopCountries) != 2 || b.TopCountries[0] != (CountryCount{"France", 3}) || b.TopCountries[1] != (CountryCount{"Germany", 2}) {
		t.Errorf("cluster B countries = %v; want France 3, Germany 2", b.TopCountries)
	}
	if len(a.TopProducts) != 1 || a.TopProducts[0].Product != "REGENCY CAKESTAND 3 TIER" || float64(a.TopProducts[0].Revenue) != 1234.5 {
		t.Errorf("cluster A products = %v; want the store's REGENCY CAKESTAND at £1,234.50", a.TopProducts)
	}
	if !strings.Contains(a.Name, "frequent") && !strings.Contains(a.Name, "high-value") {
		t.Errorf("cluster A name = %q; want it to say frequent or high-value", a.Name)
	}
	if !strings.Contains(b.Name, "lapsed") && !strings.Contains(b.Name, "infrequent") && !strings.Contains(b.Name, "low-spend") {
		t.Errorf("cluster B name = %q; want lapsed, infrequent or low-spend", b.Name)
	}
	if !strings.Contains(c.Name, "new") {
		t.Errorf("cluster C name = %q; want new (tenure 40 days against 230 on average)", c.Name)
	}
	if len(res.Display.Tables) != 2 || len(res.Display.Tables[0].Rows) != 3 || len(res.Display.Charts) != 1 {
		t.Errorf("display = %d tables, %d charts; want cluster and silhouette tables and one chart", len(res.Display.Tables), len(res.Display.Charts))
	}
}

func TestSegment_GivenK(t *testing.T) {
	tool := Segment{Store: blobStore()}
	first, err := tool.Call(context.Background(), `{"k": 5, "method": "kmeans"}`)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := tool.Call(context.Background(), `{"k": 5, "method": "kmeans"}`)
	if first != again {
		t.Errorf("segment_customers k=5 twice differs:\n%s\n%s", first, again)
	}
	var res SegmentResult
	if err := json.Unmarshal([]byte(first), &res); err != nil {
		t.Fatal(err)
	}
	if res.K != 5 || len(res.Clusters) != 5 || res.KChosenBy != "given" || len(res.Scores) != 0 {
		t.Errorf("k=5: k %d, %d clusters, chosen by %q, %d scores; want 5, 5, given, none", res.K, len(res.Clusters), res.KChosenBy, len(res.Scores))
	}
	if _, ok := res.Silhouette.(float64); !ok {
		t.Errorf("k=5 silhouette = %v; want a number", res.Silhouette)
	}

	ward, err := tool.Call(context.Background(), `{"k": 3, "method": "ward"}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(ward), &res); err != nil {
		t.Fatal(err)
	}
	if res.Method != "ward" || res.Clusters[0].Customers != 5 || res.Clusters[1].Customers != 5 {
		t.Errorf("ward k=3 = method %s, sizes %d, %d; want ward with the three blobs", res.Method, res.Clusters[0].Customers, res.Clusters[1].Customers)
	}
}

func TestSegment_Problems(t *testing.T) {
	many := make([]analytics.CustomerFeatures, analytics.WardMaxPoints+1)
	for i := range many {
		many[i] = analytics.CustomerFeatures{CustomerID: fmt.Sprint(i), RecencyDays: i % 97, Frequency: 1 + i%5, Revenue: analytics.Money(100 * i)}
	}
	tests := []struct {
		name, input, want string
		feats             []analytics.CustomerFeatures
	}{
		{"KTooSmall", `{"k": 1}`, "arguments do not match the schema", threeBlobs()},
		{"UnknownMethod", `{"method": "dbscan"}`, "arguments do not match the schema", threeBlobs()},
		{"MoreClustersThanCustomers", `{"k": 16}`, "more clusters than distinct points", threeBlobs()},
		{"NoCustomers", `{"country": "Atlantis"}`, "no customers with purchases before 2011-12-10 in Atlantis", nil},
		{"WardTooMany", `{"method": "ward", "k": 3}`, "ward clustering handles at most 5000 customers; the selection has 5001", many},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := blobStore()
			st.CustomerFeaturesFn = func(context.Context, analytics.OrderFilter, time.Time) ([]analytics.CustomerFeatures, error) {
				return tt.feats, nil
			}
			out, err := Segment{Store: st}.Call(context.Background(), tt.input)
			if err != nil {
				t.Fatalf("Call(%s) error = %v; want a hint", tt.input, err)
			}
			var p problem
			if json.Unmarshal([]byte(out), &p); !strings.Contains(p.Error, tt.want) || p.Hint == "" {
				t.Errorf("Call(%s) = %s; want an error containing %q and a hint", tt.input, out, tt.want)
			}
		})
	}
}
