package analytics

import "time"

// OrderFilter selects orders for a metric. Zero fields select everything;
// From/To bound the order time as [From, To).
type OrderFilter struct {
	Country    string
	CustomerID string
	// Currency defaults to DefaultCurrency.
	Currency string
	From, To time.Time
}

// RevenueSummary is revenue and customer counts over an OrderFilter.
type RevenueSummary struct {
	Currency string
	// Revenue sums purchase lines (returns excluded), minor units; Returns
	// sums return and cancellation lines (≤ 0); Net = Revenue + Returns.
	Revenue, Returns, Net Money
	// Orders counts invoices with at least one purchase line; Customers
	// counts distinct identified customers among them; AnonymousOrders counts
	// purchase invoices without a customer id.
	Orders, Customers, AnonymousOrders int
	// Countries counts distinct countries of the purchase invoices.
	Countries int
	// First and Last are the first and last order times matched.
	First, Last time.Time
}
