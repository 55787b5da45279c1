package analytics

import "time"

// Order is one purchase occasion line set collapsed to what customer metrics
// need: who bought, when, and the net amount. Returns and cancellations are
// orders with a negative Amount and IsReturn set; purchase metrics
// (frequency, RFM, CLV) ignore them unless a function says otherwise.
type Order struct {
	OrderID    string
	CustomerID string
	At         time.Time
	Amount     Money
	IsReturn   bool
}

// Spend is one day's advertising cost of a channel and campaign.
type Spend struct {
	Day      time.Time // midnight in the business time zone
	Channel  string
	Campaign string // empty when spend is only known per channel
	Cost     Money
	Currency string
}

// Touchpoint is one marketing contact of a customer on a channel
// (and optionally a campaign) at a time.
type Touchpoint struct {
	CustomerID string
	Channel    string
	Campaign   string
	At         time.Time
}

// Conversion is one converting order with the revenue it brought, to which
// attribution models assign credit.
type Conversion struct {
	OrderID    string
	CustomerID string
	At         time.Time
	Revenue    Money
	// FirstPurchase marks the customer's first purchase ever (the
	// earliest purchase order, ties broken by the smallest OrderID), which
	// makes the customer new; CreditNewCustomers counts only these.
	FirstPurchase bool
}
