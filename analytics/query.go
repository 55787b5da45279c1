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
	// NewCustomers counts the identified customers whose first purchase in
	// all the data (of the currency) falls in the filter's period and
	// country.
	NewCustomers int
	// First and Last are the first and last order times matched.
	First, Last time.Time
}

// RevenueGroup is the revenue of one group of orders (a country, a
// product): Key names it (for a product, "stock code description").
// Revenue, Returns and Net are in minor units as in RevenueSummary; Orders
// counts purchase invoices with a line of the group and Customers the
// distinct identified customers among them.
type RevenueGroup struct {
	Key                   string
	Revenue, Returns, Net Money
	Orders, Customers     int
}
