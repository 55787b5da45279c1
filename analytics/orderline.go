package analytics

import "time"

// OrderLine is one validated invoice line ready to store, as the importers
// (ingest) produce it and a store (postgres) takes it.
type OrderLine struct {
	InvoiceNo string
	// LineNo is the line's 1-based position within its invoice in the file,
	// which makes a repeated import of the same file idempotent.
	LineNo      int
	StockCode   string
	Description string
	Quantity    int64
	// UnitPrice4 is the unit price in 1/10000 currency units (2.55 -> 25500).
	UnitPrice4 int64
	// Amount is Quantity × UnitPrice in minor units (pence, cents).
	Amount Money
	At     time.Time
	// CustomerID is empty for anonymous invoices.
	CustomerID string
	Country    string
	Currency   string
	// IsCancellation marks an invoice number starting with "C"; IsReturn marks
	// any line that gives money back (a cancellation or a negative quantity).
	IsCancellation bool
	IsReturn       bool
}

// StoreResult is what a store did with a batch of OrderLines: Stored
// lines were newly written, Conflicts lists the indexes (into the batch, in
// increasing order) of lines refused because their invoice number is
// already stored with another customer, currency, invoiced_at or source;
// the remaining lines were already stored.
type StoreResult struct {
	Stored    int
	Conflicts []int
}
