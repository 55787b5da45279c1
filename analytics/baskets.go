package analytics

import (
	"fmt"
	"slices"
	"strings"
)

// BasketLine is one invoice line as market-basket analysis needs it: the
// invoice number, the product description and the quantity in units
// (negative on returns and adjustments).
type BasketLine struct {
	InvoiceNo   string
	Description string
	Quantity    int
	// CustomerID is the invoice's customer ("" when anonymous); used only
	// to select baskets by customer segment.
	CustomerID string
}

// BasketOptions tunes BasketsFromLines. Drop lists descriptions (compared
// after trimming spaces, case-sensitive) that are not products and are
// removed from every basket; the invoice itself still counts.
type BasketOptions struct {
	Drop []string
	// SkipEmpty leaves out invoices left without any product (postage,
	// manual or fee lines only, or all quantities ≤ 0), so they do not
	// count as baskets in the support denominator. The published tutorial
	// keeps them (DefaultBasketOptions leaves this false).
	SkipEmpty bool
}

// NonProductDescriptions are the descriptions of the Online Retail data's
// non-product stock codes: POST (POSTAGE), DOT (DOTCOM POSTAGE), C2
// (CARRIAGE), M/m (Manual), D (Discount), S (SAMPLES), BANK CHARGES,
// AMAZONFEE (AMAZON FEE), CRUK (CRUK Commission) and B (Adjust bad debt).
// The published tutorial drops only POSTAGE (DefaultBasketOptions); pass
// BasketOptions{Drop: NonProductDescriptions} to keep products only.
var NonProductDescriptions = []string{
	"POSTAGE", "DOTCOM POSTAGE", "CARRIAGE", "Manual", "Discount", "SAMPLES",
	"Bank Charges", "AMAZON FEE", "CRUK Commission", "Adjust bad debt",
}

// DefaultBasketOptions returns the options of the published France/Germany
// market-basket analysis (Moffitt, pbpython.com "Introduction to Market
// Basket Analysis in Python"): drop POSTAGE only.
func DefaultBasketOptions() BasketOptions {
	return BasketOptions{Drop: []string{"POSTAGE"}}
}

// Baskets holds one basket per invoice: Invoices[i] is the invoice number
// and Items[i] its item names, sorted. Invoices are sorted by number.
type Baskets struct {
	Invoices []string
	Items    [][]string
}

// BasketsFromLines builds one basket per invoice from invoice lines by the
// method of the Online Retail tutorial (data/online-retail/PROVENANCE.md):
//
//   - descriptions are trimmed of surrounding spaces; lines with no
//     invoice number or an empty description are ignored;
//   - invoices whose number contains "C" (cancellations) are dropped;
//   - an item is in a basket when its summed Quantity over the invoice's
//     lines with that description is at least 1;
//   - descriptions in opt.Drop are removed from the baskets.
//
// Every remaining invoice is a basket, even one left empty (for example
// postage only, or all quantities ≤ 0): it still counts in the support
// denominator, as in the tutorial's one-hot table, unless opt.SkipEmpty.
// It returns an *InputError on "lines" wrapping ErrNoData when no invoice
// remains.
func BasketsFromLines(lines []BasketLine, opt BasketOptions) (Baskets, error) {
	drop := make(map[string]bool, len(opt.Drop))
	for _, d := range opt.Drop {
		drop[strings.TrimSpace(d)] = true
	}
	type key struct{ inv, desc string }
	qty := make(map[key]int)
	invoices := make(map[string]bool)
	for _, l := range lines {
		inv := l.InvoiceNo
		desc := strings.TrimSpace(l.Description)
		if inv == "" || desc == "" || strings.Contains(inv, "C") {
			continue
		}
		invoices[inv] = true
		if !drop[desc] {
			qty[key{inv, desc}] += l.Quantity
		}
	}
	if len(invoices) == 0 {
		return Baskets{}, &InputError{Row: -1, Field: "lines", Err: ErrNoData}
	}
	b := Baskets{Invoices: make([]string, 0, len(invoices))}
	for inv := range invoices {
		b.Invoices = append(b.Invoices, inv)
	}
	slices.Sort(b.Invoices)
	index := make(map[string]int, len(b.Invoices))
	for i, inv := range b.Invoices {
		index[inv] = i
	}
	b.Items = make([][]string, len(b.Invoices))
	for k, q := range qty {
		if q >= 1 {
			i := index[k.inv]
			b.Items[i] = append(b.Items[i], k.desc)
		}
	}
	for _, items := range b.Items {
		slices.Sort(items)
	}
	if opt.SkipEmpty {
		kept := 0
		for i, items := range b.Items {
			if len(items) > 0 {
				b.Invoices[kept], b.Items[kept] = b.Invoices[i], items
				kept++
			}
		}
		b.Invoices, b.Items = b.Invoices[:kept], b.Items[:kept]
		if kept == 0 {
			return Baskets{}, &InputError{Row: -1, Field: "lines", Err: fmt.Errorf("no invoice holds a product: %w", ErrNoData)}
		}
	}
	return b, nil
}
