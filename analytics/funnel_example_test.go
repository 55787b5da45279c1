package analytics_test

import (
	"fmt"
	"time"

	"github.com/roibot/roibot/analytics"
)

func ExampleFunnel() {
	rep, err := analytics.Funnel([]analytics.StageCount{
		{Stage: "visit", Count: 1000}, {Stage: "product_view", Count: 600},
		{Stage: "add_to_cart", Count: 150}, {Stage: "checkout", Count: 90}, {Stage: "purchase", Count: 45},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range rep.Steps[1:] {
		fmt.Printf("%s: %d (step %v)\n", s.Stage, s.Count, s.StepConversion)
	}
	fmt.Println("overall", rep.Overall)
	fmt.Println("lowest conversion:", rep.LowestConversion.From, "->", rep.LowestConversion.To)
	fmt.Println("largest drop-off:", rep.LargestDropOff.From, "->", rep.LargestDropOff.To, rep.LargestDropOff.Lost)
	// Output:
	// product_view: 600 (step 0.6)
	// add_to_cart: 150 (step 0.25)
	// checkout: 90 (step 0.6)
	// purchase: 45 (step 0.5)
	// overall 0.045
	// lowest conversion: product_view -> add_to_cart
	// largest drop-off: product_view -> add_to_cart 450
}

func ExampleCompareFunnels() {
	cur := []analytics.StageCount{{Stage: "visit", Count: 1000}, {Stage: "purchase", Count: 60}}
	prev := []analytics.StageCount{{Stage: "visit", Count: 1000}, {Stage: "purchase", Count: 50}}
	res, err := analytics.CompareFunnels(cur, prev)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := res.Steps[0]
	fmt.Printf("%s->%s: change %.3f, z %.3f, p %.3f, %s\n", s.From, s.To, *s.Change.Value, *s.Z.Value, *s.PValue.Value, s.Verdict)
	// Output:
	// visit->purchase: change 0.010, z 0.981, p 0.327, not significant
}

func ExampleDailyCounts() {
	cet := time.FixedZone("UTC+1", 3600)
	events := []time.Time{
		time.Date(2011, 12, 1, 23, 30, 0, 0, time.UTC), // 00:30 on Dec 2 local time
		time.Date(2011, 12, 1, 10, 0, 0, 0, time.UTC),
	}
	p := analytics.Period{From: time.Date(2011, 12, 1, 0, 0, 0, 0, cet), To: time.Date(2011, 12, 3, 0, 0, 0, 0, cet)}
	days, _ := analytics.DailyCounts(events, p, cet)
	fmt.Println(days)
	// Output:
	// [{2011-12-01 1} {2011-12-02 1}]
}

func ExampleFunnelFromEvents() {
	t0 := time.Date(2011, 12, 1, 10, 0, 0, 0, time.UTC)
	events := []analytics.FunnelEvent{
		{SessionID: "s1", Stage: "visit", At: t0},
		{SessionID: "s1", Stage: "product_view", At: t0.Add(2 * time.Minute)},
		{SessionID: "s1", Stage: "add_to_cart", At: t0.Add(5 * time.Minute)},
		{SessionID: "s2", Stage: "visit", At: t0},
		{SessionID: "s2", Stage: "product_view", At: t0.Add(3 * time.Hour)}, // outside the window
	}
	counts, _ := analytics.FunnelFromEvents(events, analytics.DefaultFunnelStages(), time.Hour)
	fmt.Println(counts)
	// Output:
	// [{visit 2} {product_view 1} {add_to_cart 1} {checkout 0} {purchase 0}]
}
