package analytics

import "time"

// FXRate is one exchange rate: from Day on (until a later rate), 1 unit of
// Currency is worth Rate units of To, the reporting currency. Amounts in
// minor units convert as minor units (both currencies with 2 decimals).
type FXRate struct {
	Day      time.Time `json:"day"`
	Currency string    `json:"currency"`
	To       string    `json:"to"`
	Rate     float64   `json:"rate"`
}

// CurrencyCoverage says, for one source ("spend" or "orders") and one
// currency in a period, how much was converted to the reporting currency
// and what was left out for want of a rate.
type CurrencyCoverage struct {
	Source   string `json:"source"`
	Currency string `json:"currency"`
	// Rows and Amount (minor units of Currency) cover every row in the
	// period: spend rows, or purchase orders (purchase lines only).
	Rows   int   `json:"rows"`
	Amount Money `json:"amount"`
	// LeftOutRows and LeftOutAmount are the rows with no rate to the
	// reporting currency on or before their day; LeftOutFrom and
	// LeftOutTo are the first and last such day.
	LeftOutRows   int       `json:"left_out_rows"`
	LeftOutAmount Money     `json:"left_out_amount"`
	LeftOutFrom   time.Time `json:"left_out_from,omitzero"`
	LeftOutTo     time.Time `json:"left_out_to,omitzero"`
	// Rates are the rates applied, by day (none for the reporting
	// currency itself).
	Rates []FXRate `json:"rates,omitempty"`
}
