package analytics_test

import (
	"fmt"
	"time"

	"github.com/roibot/roibot/analytics"
)

func ExampleRFMInputs() {
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)
	orders := []analytics.Order{
		{OrderID: "536365", CustomerID: "17850", At: time.Date(2011, 12, 1, 9, 0, 0, 0, time.UTC), Amount: 13934},
		{OrderID: "536366", CustomerID: "17850", At: time.Date(2011, 12, 8, 9, 0, 0, 0, time.UTC), Amount: 2220},
		{OrderID: "C536379", CustomerID: "17850", At: time.Date(2011, 12, 9, 9, 0, 0, 0, time.UTC), Amount: -2220, IsReturn: true},
		{OrderID: "536367", CustomerID: "13047", At: time.Date(2011, 11, 20, 8, 0, 0, 0, time.UTC), Amount: 27873},
	}
	in, err := analytics.RFMInputs(orders, asOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range in {
		fmt.Printf("%s: recency %d days, frequency %d, monetary %s\n", c.CustomerID, c.RecencyDays, c.Frequency, c.Monetary)
	}
	// Output:
	// 13047: recency 19 days, frequency 1, monetary 278.73
	// 17850: recency 1 days, frequency 2, monetary 139.34
}

func ExampleScoreRFM() {
	in := []analytics.RFMInput{
		{CustomerID: "a", RecencyDays: 2, Frequency: 12, Monetary: 250000},
		{CustomerID: "b", RecencyDays: 10, Frequency: 4, Monetary: 60000},
		{CustomerID: "c", RecencyDays: 35, Frequency: 2, Monetary: 15000},
		{CustomerID: "d", RecencyDays: 120, Frequency: 6, Monetary: 90000},
		{CustomerID: "e", RecencyDays: 300, Frequency: 1, Monetary: 2000},
	}
	res, err := analytics.ScoreRFM(in, analytics.RFMConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Customers {
		fmt.Println(c.CustomerID, c.Score, c.Segment)
	}
	for _, s := range res.Segments {
		if s.Customers > 0 {
			fmt.Printf("%s: %d customers, revenue share %.3f\n", s.Segment, s.Customers, *s.RevenueShare.Value)
		}
	}
	// Output:
	// a 555 champions
	// b 433 potential_loyalists
	// c 322 about_to_sleep
	// d 244 at_risk
	// e 111 lost
	// champions: 1 customers, revenue share 0.600
	// potential_loyalists: 1 customers, revenue share 0.144
	// about_to_sleep: 1 customers, revenue share 0.036
	// at_risk: 1 customers, revenue share 0.216
	// lost: 1 customers, revenue share 0.005
}

func ExampleDefaultRFMSegments() {
	rules := analytics.DefaultRFMSegments()
	seg, _ := analytics.RFMSegmentOf(rules, 2, 5) // R = 2, FM = 5
	fmt.Println(seg, analytics.ValidateRFMSegments(rules))
	// Output:
	// cant_lose_them <nil>
}
