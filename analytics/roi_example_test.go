package analytics_test

import (
	"encoding/json"
	"fmt"

	"github.com/roibot/roibot/analytics"
)

func ExampleROI() {
	// iFood pilot campaign: cost 6,720 MU, revenue 3,674 MU.
	fmt.Printf("%.3f\n", *analytics.ROI(analytics.MoneyFromMajor(3674), analytics.MoneyFromMajor(6720)).Value)
	fmt.Println(analytics.ROI(500, 0))
	// Output:
	// -0.453
	// n/a (zero spend)
}

func ExampleROAS() {
	fmt.Println(analytics.ROAS(30000, 10000))
	// Output:
	// 3
}

func ExampleCPA() {
	fmt.Println(analytics.CPA(100000, 40)) // pence per conversion
	// Output:
	// 2500
}

func ExampleCAC() {
	fmt.Println(analytics.CAC(100000, 0))
	// Output:
	// n/a (no new customers)
}

func ExampleComputeROI() {
	rep, err := analytics.ComputeROI([]analytics.ROIInput{
		{Group: "email", Spend: 10000, Revenue: 30000, Conversions: 3, NewCustomers: 2, Currency: "GBP"},
		{Group: "display", Spend: 90000, Revenue: 60000, Conversions: 6, NewCustomers: 1, Currency: "GBP"},
		{Group: "organic_search", Spend: 0, Revenue: 20000, Conversions: 4, Currency: "GBP"},
	}, analytics.BasisRevenue)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range append(rep.Rows, rep.Total) {
		fmt.Printf("%s: ROI %v, ROAS %v, loss %v\n", r.Group, r.ROI, r.ROAS, r.Loss)
	}
	b, _ := json.Marshal(rep.Rows[2].ROI)
	fmt.Println(string(b))
	// Output:
	// email: ROI 2, ROAS 3, loss false
	// display: ROI -0.3333333333333333, ROAS 0.6666666666666666, loss true
	// organic_search: ROI n/a (zero spend), ROAS n/a (zero spend), loss false
	// total: ROI 0.1, ROAS 1.1, loss false
	// {"value":null,"na":"zero spend"}
}
