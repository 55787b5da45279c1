package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// churnOrders makes 400 customers over 2011: customer k buys every gap_k
// days from a start day; frequent buyers keep buying to the end, and one in
// three stops in the summer, so who churns after a cut-off depends on the
// buying rhythm the features see.
func churnOrders() []analytics.Order {
	var out []analytics.Order
	start := time.Date(2011, 1, 1, 10, 0, 0, 0, time.UTC)
	for k := range 400 {
		gap := 7 + (k*13)%80
		stop := time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)
		if k%3 == 0 {
			stop = time.Date(2011, 7, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%60)
		}
		for at := start.AddDate(0, 0, k%30); at.Before(stop); at = at.AddDate(0, 0, gap) {
			out = append(out, analytics.Order{OrderID: fmt.Sprintf("%d-%s", k, at.Format("0102")), CustomerID: fmt.Sprintf("c%03d", k), At: at, Amount: analytics.Money(1000 + 37*k)})
		}
	}
	return out
}

func TestChurnRisk(t *testing.T) {
	orders := churnOrders()
	var filters []analytics.OrderFilter
	store := &fakeStore{PurchaseOrdersFn: func(_ context.Context, f analytics.OrderFilter) ([]analytics.Order, error) {
		filters = append(filters, f)
		return orders, nil
	}}
	tool := NewChurnRisk(store, time.UTC)
	out, err := tool.Call(context.Background(), `{"limit": 5}`)
	if err != nil {
		t.Fatal(err)
	}
	var res ChurnResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.AsOf != "2011-12-10" || res.TrainingCutoff != "2011-09-11" || res.HorizonDays != 90 {
		t.Errorf("as_of %s, cutoff %s, horizon %d; want 2011-12-10, 2011-09-11, 90", res.AsOf, res.TrainingCutoff, res.HorizonDays)
	}
	if res.Model.TestAUC < 0.8 || res.Model.Model == "" || len(res.Model.Compared) != 4 || len(res.Model.Reasons) == 0 {
		t.Errorf("model = %+v; want a named model with test AUC ≥ 0.8, 4 compared, reasons", res.Model)
	}
	if len(res.Customers) != 5 {
		t.Fatalf("%d customers; want 5", len(res.Customers))
	}
	for i := 1; i < 5; i++ {
		if res.Customers[i].Probability > res.Customers[i-1].Probability {
			t.Errorf("customers not sorted by probability: %+v", res.Customers)
		}
	}
	// The riskiest customers are ones who stopped in the summer (k % 3 == 0).
	var k int
	fmt.Sscanf(res.Customers[0].CustomerID, "c%d", &k)
	if k%3 != 0 || res.Customers[0].RecencyDays < 60 {
		t.Errorf("riskiest = %+v; want a customer who stopped buying in the summer", res.Customers[0])
	}
	if !strings.Contains(res.Caveats[0], "test AUC") || !filters[0].To.Equal(time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("caveats %q, filter %+v", res.Caveats, filters[0])
	}
	// A follow-up for one customer reuses the fit.
	out, _ = tool.Call(context.Background(), `{"customer_id": "c001"}`)
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Customers) != 1 || res.Customers[0].CustomerID != "c001" || len(filters) != 1 {
		t.Errorf("one customer: %s (%d store calls)", out, len(filters))
	}
	out, _ = tool.Call(context.Background(), `{"customer_id": "nobody"}`)
	if !strings.Contains(out, `"error"`) || !strings.Contains(out, "nobody") {
		t.Errorf("unknown customer: %s", out)
	}
}

// fakeTexts implements CustomerTextReader.
type fakeTexts struct {
	CustomerTextsFn func(ctx context.Context, ids []string) ([]analytics.CustomerText, error)
}

func (f *fakeTexts) CustomerTexts(ctx context.Context, ids []string) ([]analytics.CustomerText, error) {
	return f.CustomerTextsFn(ctx, ids)
}

func TestChurnRisk_TextFeatures(t *testing.T) {
	orders := churnOrders()
	store := &fakeStore{PurchaseOrdersFn: func(context.Context, analytics.OrderFilter) ([]analytics.Order, error) { return orders, nil }}
	// Customers c000–c099 left feedback; the summer leavers (k % 3 == 0)
	// complained. An empty source leaves the model behavioural.
	texts := &fakeTexts{CustomerTextsFn: func(_ context.Context, ids []string) ([]analytics.CustomerText, error) {
		var out []analytics.CustomerText
		for k := range 100 {
			s := 0.6
			if k%3 == 0 {
				s = -0.7
			}
			out = append(out, analytics.CustomerText{CustomerID: fmt.Sprintf("c%03d", k), Sentiment: s, Themes: []string{"fit"}})
		}
		return out, nil
	}}
	tool := NewChurnRisk(store, time.UTC)
	tool.Text = FeedbackTextFeatures{Store: texts}
	res, err := tool.Run(context.Background(), ChurnArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TextCustomers != 100 || !strings.Contains(strings.Join(res.Caveats, " "), "100 of 400 training customers have feedback") {
		t.Errorf("text customers %d, caveats %q", res.TextCustomers, res.Caveats)
	}
	empty := NewChurnRisk(store, time.UTC)
	empty.Text = FeedbackTextFeatures{Store: &fakeTexts{CustomerTextsFn: func(context.Context, []string) ([]analytics.CustomerText, error) { return nil, nil }}}
	res, err = empty.Run(context.Background(), ChurnArgs{})
	if err != nil || !strings.Contains(strings.Join(res.Caveats, " "), "no feedback is linked") {
		t.Errorf("no feedback: %v, caveats %q", err, res.Caveats)
	}
}
