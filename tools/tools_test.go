package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// stubStore is a hand-written fake with one func field per method.
type stubStore struct {
	dataRange      func() (time.Time, time.Time)
	revenueSummary func(f analytics.OrderFilter) analytics.RevenueSummary
	orders         func(f analytics.OrderFilter) []analytics.Order
	lastTouch      func(p analytics.Period, groupBy string) []analytics.ROIInput
	synthetic      bool
}

func (f stubStore) DataRange(context.Context, string) (time.Time, time.Time, error) {
	a, b := f.dataRange()
	return a, b, nil
}
func (f stubStore) RevenueSummary(_ context.Context, of analytics.OrderFilter) (analytics.RevenueSummary, error) {
	return f.revenueSummary(of), nil
}
func (f stubStore) PurchaseOrders(_ context.Context, of analytics.OrderFilter) ([]analytics.Order, error) {
	return f.orders(of), nil
}
func (f stubStore) LastTouchROIInputs(_ context.Context, p analytics.Period, g string, _ int) ([]analytics.ROIInput, error) {
	return f.lastTouch(p, g), nil
}
func (f stubStore) AttributionInputs(context.Context, analytics.Period, int) ([]analytics.Touchpoint, []analytics.Conversion, error) {
	return nil, nil, nil
}
func (f stubStore) SpendBy(context.Context, analytics.Period, string) (map[string]analytics.Money, error) {
	return nil, nil
}
func (f stubStore) HasSyntheticMarketing(context.Context) (bool, error) { return f.synthetic, nil }

var dataRange = func() (time.Time, time.Time) {
	return time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC), time.Date(2011, 12, 9, 12, 50, 0, 0, time.UTC)
}

func call(t *testing.T, tool Tool, args string) map[string]any {
	t.Helper()
	out, err := tool.Call(context.Background(), args)
	if err != nil {
		t.Fatalf("%s.Call(%s) error = %v", tool.Name(), args, err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%s.Call(%s) = %q: not JSON: %v", tool.Name(), args, out, err)
	}
	return m
}

func TestRevenue_Call(t *testing.T) {
	var got analytics.OrderFilter
	tool := Revenue{Store: stubStore{dataRange: dataRange, revenueSummary: func(f analytics.OrderFilter) analytics.RevenueSummary {
		got = f
		return analytics.RevenueSummary{Currency: "GBP", Revenue: 123456, Returns: -456, Net: 123000, Orders: 3, Customers: 2}
	}}}
	m := call(t, tool, `{"period": "2011-Q4", "country": "Germany"}`)
	if !got.From.Equal(time.Date(2011, 10, 1, 0, 0, 0, 0, time.UTC)) || !got.To.Equal(time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)) || got.Country != "Germany" {
		t.Errorf("filter = %+v; want [2011-10-01, 2012-01-01) Germany", got)
	}
	if m["revenue"] != 1234.56 || m["returns"] != -4.56 || m["customers"] != 2.0 {
		t.Errorf("result = %v; want revenue 1234.56, returns -4.56, customers 2", m)
	}
	// The data end on 2011-12-09: Q4 2011 is partial and the answer says so.
	if c := strings.Join(toStrings(m["caveats"]), " | "); !strings.Contains(c, "the data end on 2011-12-09, so 2011-Q4 is partial") {
		t.Errorf("caveats = %q; want the partial-period caveat", c)
	}
	if m := call(t, tool, `{"period": "2011-Q3"}`); m["caveats"] != nil {
		t.Errorf("2011-Q3 caveats = %v; want none (inside the data)", m["caveats"])
	}
	t.Run("DefaultIsAllData", func(t *testing.T) {
		call(t, tool, `{}`)
		if !got.From.Equal(time.Date(2010, 12, 1, 0, 0, 0, 0, time.UTC)) || !got.To.Equal(time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("filter = [%s, %s); want [2010-12-01, 2011-12-10)", got.From, got.To)
		}
	})
	t.Run("BadArguments", func(t *testing.T) {
		for _, in := range []string{`{"period": "last quarter"}`, `{"country": 3}`, `{"colour": "red"}`, `not json`} {
			m := call(t, tool, in)
			if e, _ := m["error"].(string); e == "" {
				t.Errorf("Call(%s) = %v; want an error observation", in, m)
			}
		}
	})
}

func TestROI_Call(t *testing.T) {
	store := stubStore{dataRange: dataRange, synthetic: true, lastTouch: func(p analytics.Period, g string) []analytics.ROIInput {
		return []analytics.ROIInput{
			{Group: "display", Spend: 100000, Revenue: 75000, Conversions: 10, NewCustomers: 4, Currency: "GBP"},
			{Group: "email", Spend: 10000, Revenue: 110000, Conversions: 20, NewCustomers: 0, Currency: "GBP"},
			{Group: "organic_search", Spend: 0, Revenue: 50000, Conversions: 5, Currency: "GBP"},
		}
	}}
	m := call(t, ROI{Store: store}, `{"group_by": "channel", "period": "2011"}`)
	rows := m["rows"].([]any)
	display := rows[0].(map[string]any)
	if display["roi"] != -0.25 || display["loss"] != true || display["roas"] != 0.75 || display["cpa"] != 100.0 || display["cac"] != 250.0 {
		t.Errorf("display row = %v; want ROI -0.25 (loss), ROAS 0.75, CPA £100, CAC £250", display)
	}
	organic := rows[2].(map[string]any)
	if organic["roi"] != "n/a: zero spend" {
		t.Errorf("organic ROI = %v; want n/a: zero spend", organic["roi"])
	}
	// Total over channels with spend: (1850 − 1100) / 1100 = 0.6818; a mean
	// of the two ROIs would be (−0.25 + 10) / 2 = 4.875.
	total := m["total"].(map[string]any)
	if total["roi"] != 0.6818 || total["group"] != "total (with spend)" {
		t.Errorf("total = %v; want ROI 0.6818 over channels with spend", total)
	}
	caveats := strings.Join(toStrings(m["caveats"]), " | ")
	if !strings.Contains(caveats, "SYNTHETIC") || !strings.Contains(caveats, "organic_search") {
		t.Errorf("caveats = %q; want the synthetic label and the excluded organic_search", caveats)
	}
	t.Run("AllDataIncludesLookbackSpend", func(t *testing.T) {
		var got analytics.Period
		st := store
		st.lastTouch = func(p analytics.Period, g string) []analytics.ROIInput { got = p; return store.lastTouch(p, g) }
		call(t, ROI{Store: st}, `{}`)
		// First order 2010-12-01: spend and touches from 30 days before count.
		if want := time.Date(2010, 11, 1, 0, 0, 0, 0, time.UTC); !got.From.Equal(want) {
			t.Errorf("all-data period from %s; want %s", got.From, want)
		}
	})
	t.Run("UnknownChannel", func(t *testing.T) {
		m := call(t, ROI{Store: store}, `{"channel": "tv"}`)
		if h, _ := m["hint"].(string); !strings.Contains(h, "email") {
			t.Errorf("result = %v; want a hint listing the known channels", m)
		}
	})
	t.Run("MarginBasis", func(t *testing.T) {
		m := call(t, ROI{Store: store}, `{"basis": "margin"}`)
		if m["error"] == nil {
			t.Errorf("basis margin = %v; want an error observation (no cost data)", m)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestRFM_Call(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2011, 12, d, 12, 0, 0, 0, time.UTC) }
	var orders []analytics.Order
	// Customer k buys k times, the last on day k: higher k = more recent,
	// more frequent and bigger.
	for k := 1; k <= 5; k++ {
		for i := 0; i < k; i++ {
			orders = append(orders, analytics.Order{OrderID: string(rune('A'+k)) + string(rune('a'+i)), CustomerID: string(rune('0' + k)), At: day(k), Amount: analytics.Money(1000 * k)})
		}
	}
	var gotTo time.Time
	tool := RFM{Store: stubStore{dataRange: dataRange, orders: func(f analytics.OrderFilter) []analytics.Order { gotTo = f.To; return orders }}}
	m := call(t, tool, `{"customer_id": "5"}`)
	if m["as_of"] != "2011-12-10" || !gotTo.Equal(time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("as_of = %v (orders to %s); want 2011-12-10", m["as_of"], gotTo)
	}
	c := m["listed_customers"].([]any)[0].(map[string]any)
	// Five customers, one per quintile: customer 5 scores 555 and is
	// 4 whole days (4.5 days) before the as-of date.
	if c["score"] != 555.0 || c["recency_days"] != 4.0 || c["segment"] != "champions" {
		t.Errorf("customer 5 = %v; want score 555, recency 4 days, champions", c)
	}
	t.Run("CountryRankedAmongAll", func(t *testing.T) {
		// Iceland has one customer (5): ranked alone it would score 111
		// ("lost"); among all customers it is a 555 champion.
		st := countryStub{stubStore: tool.Store.(stubStore), countries: map[string]string{"1": "UK", "2": "UK", "3": "UK", "4": "UK", "5": "Iceland"}}
		m := call(t, RFM{Store: st}, `{"country": "Iceland"}`)
		listed := m["listed_customers"].([]any)
		if len(listed) != 1 || listed[0].(map[string]any)["score"] != 555.0 {
			t.Fatalf("Iceland listed = %v; want customer 5 with score 555", listed)
		}
		for _, seg := range m["segments"].([]any) {
			s := seg.(map[string]any)
			want := 0.0
			if s["segment"] == "champions" {
				want = 1
			}
			if s["customers"] != want {
				t.Errorf("segment %v counts %v Iceland customers; want %v", s["segment"], s["customers"], want)
			}
		}
	})
	m = call(t, tool, `{"customer_id": "9"}`)
	if m["error"] == nil {
		t.Errorf("unknown customer = %v; want an error observation", m)
	}
	m = call(t, tool, `{"segment": "vip"}`)
	if e, _ := m["error"].(string); !strings.Contains(e, "segment") {
		t.Errorf("segment vip = %v; want a schema error naming segment", m)
	}
}

func TestCatalog_Descriptions(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalog(Config{}) {
		name := e.Tool.Name()
		if seen[name] {
			t.Errorf("tool %s listed twice", name)
		}
		seen[name] = true
		if n := len(e.Tool.Description()); n > 600 {
			t.Errorf("%s description is %d characters; want ≤ 600 (the model reads it)", name, n)
		}
		if e.Tool.Parameters()["type"] != "object" {
			t.Errorf("%s parameters are not a JSON object schema", name)
		}
	}
}

type basketsFunc func() []analytics.BasketLine

func (f basketsFunc) BasketLines(context.Context, analytics.OrderFilter) (analytics.ItemLines, error) {
	return analytics.NumberLines(f()), nil
}

// TestRules_Segment: rules mined over the baskets of one RFM segment only.
// Customers 1..5 buy k times each (customer 5 is the only champion); every
// invoice holds MUG, champions' invoices also hold TEAPOT, the others' SPOON.
func TestRules_Segment(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2011, 12, d, 12, 0, 0, 0, time.UTC) }
	var orders []analytics.Order
	var lines []analytics.BasketLine
	for k := 1; k <= 5; k++ {
		cust := string(rune('0' + k))
		for i := 0; i < k; i++ {
			inv := cust + string(rune('a'+i))
			orders = append(orders, analytics.Order{OrderID: inv, CustomerID: cust, At: day(k), Amount: analytics.Money(1000 * k)})
			other := "SPOON"
			if k == 5 {
				other = "TEAPOT"
			}
			lines = append(lines, analytics.BasketLine{InvoiceNo: inv, Description: "MUG", Quantity: 1, CustomerID: cust},
				analytics.BasketLine{InvoiceNo: inv, Description: other, Quantity: 1, CustomerID: cust})
		}
	}
	store := stubStore{dataRange: dataRange, orders: func(analytics.OrderFilter) []analytics.Order { return orders }}
	tool := Rules{Store: basketsFunc(func() []analytics.BasketLine { return lines }), Orders: store}
	m := call(t, tool, `{"segment": "champions", "min_support": 0.5}`)
	// 5 champion invoices, all {MUG, TEAPOT}: MUG -> TEAPOT has support 1,
	// confidence 1 and lift 1 (TEAPOT is in every basket of the segment).
	if m["baskets"] != 5.0 || m["segment"] != "champions" {
		t.Fatalf("result = %v; want 5 baskets of segment champions", m)
	}
	for _, r := range m["rules"].([]any) {
		rule := r.(map[string]any)
		for _, side := range []string{"antecedent", "consequent"} {
			for _, item := range rule[side].([]any) {
				if item == "SPOON" {
					t.Errorf("rule %v uses SPOON, which no champion bought", rule)
				}
			}
		}
	}
	all := call(t, tool, `{"min_support": 0.1}`)
	if all["baskets"] != 15.0 {
		t.Errorf("without segment baskets = %v; want all 15 invoices", all["baskets"])
	}
	if m := call(t, Rules{Store: tool.Store}, `{"segment": "champions"}`); m["error"] == nil {
		t.Errorf("segment without an order reader = %v; want an error observation", m)
	}
}

type countryStub struct {
	stubStore
	countries map[string]string
}

func (c countryStub) CustomerCountries(context.Context) (map[string]string, error) {
	return c.countries, nil
}

// TestCatalog_GrammarFriendlySchemas: no schema sent to a model carries a
// string maxLength above grammarMaxLength (llama.cpp expands maxLength n
// into n grammar rules; record_feedback's 5,500 crashed its server), and
// the bound still holds after decoding.
func TestCatalog_GrammarFriendlySchemas(t *testing.T) {
	var bad []string
	var walk func(tool, path string, v any)
	walk = func(tool, path string, v any) {
		switch m := v.(type) {
		case map[string]any:
			for k, e := range m {
				if n, ok := e.(int); ok && k == "maxLength" && n > grammarMaxLength {
					bad = append(bad, fmt.Sprintf("%s %s maxLength %d", tool, path, n))
				}
				walk(tool, path+"/"+k, e)
			}
		case []any:
			for _, e := range m {
				walk(tool, path, e)
			}
		}
	}
	for _, e := range Catalog(Config{}) {
		walk(e.Tool.Name(), "", e.Tool.Parameters())
	}
	if len(bad) > 0 {
		t.Errorf("schemas sent to the model with maxLength > %d: %v", grammarMaxLength, bad)
	}
	st := &fakeFeedback{states: map[string]knowledge.State{}, rows: map[string]int64{}}
	tool := RecordFeedback{Store: st, ConversationID: func(context.Context) string { return "c-long" }}
	long := strings.Repeat("x", knowledge.MaxTextRunes+501)
	out, err := tool.Call(context.Background(), `{"message":"`+long+`"}`)
	if err != nil || !strings.Contains(out, "/message") || len(st.states) != 0 {
		t.Errorf("record_feedback with %d characters = %.300s, %v; want a correctable error naming /message, no dialogue step", len(long), out, err)
	}
}
