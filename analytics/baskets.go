package analytics

import (
	"fmt"
	"math"
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

// ItemLines is invoice lines with their invoices and items numbered, as
// the store reads them for market-basket analysis: Invoices[i] is invoice
// i's number and Customers[i] its customer ("" when anonymous); Items[id]
// is an item's description as stored (trimmed when baskets are built);
// Lines has one entry per invoice line.
type ItemLines struct {
	Invoices  []string
	Customers []string
	Items     []string
	Lines     []ItemLine
}

// ItemLine is one invoice line of ItemLines: indexes into Invoices and
// Items, and the quantity in units (negative on returns and adjustments).
type ItemLine struct {
	Invoice, Item, Quantity int32
}

// NumberLines numbers the invoices and descriptions of lines in order of
// first appearance (an invoice's customer is that of its first line).
func NumberLines(lines []BasketLine) ItemLines {
	var il ItemLines
	inv := make(map[string]int32)
	item := make(map[string]int32)
	il.Lines = make([]ItemLine, len(lines))
	for k, l := range lines {
		i, ok := inv[l.InvoiceNo]
		if !ok {
			i = int32(len(il.Invoices))
			inv[l.InvoiceNo] = i
			il.Invoices = append(il.Invoices, l.InvoiceNo)
			il.Customers = append(il.Customers, l.CustomerID)
		}
		d, ok := item[l.Description]
		if !ok {
			d = int32(len(il.Items))
			item[l.Description] = d
			il.Items = append(il.Items, l.Description)
		}
		il.Lines[k] = ItemLine{Invoice: i, Item: d, Quantity: int32(max(min(l.Quantity, math.MaxInt32), math.MinInt32))}
	}
	return il
}

// KeepInvoices returns il with only the lines of the invoices for which
// keep returns true (the dictionaries are shared).
func (il ItemLines) KeepInvoices(keep func(invoice int) bool) ItemLines {
	ok := make([]bool, len(il.Invoices))
	for i := range ok {
		ok[i] = keep(i)
	}
	out := il
	out.Lines = make([]ItemLine, 0, len(il.Lines))
	for _, l := range il.Lines {
		if ok[l.Invoice] {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}

// InvoiceBaskets is the result of BasketsFromItemLines: one basket per
// invoice, Invoices[i] being the number of the invoice of basket i of
// Baskets (invoices sorted by number). Baskets.Items are the trimmed
// descriptions.
type InvoiceBaskets struct {
	Invoices []string
	Baskets  ItemBaskets
}

// BasketsFromItemLines builds one basket per invoice of il by the method of
// BasketsFromLines, on integer ids throughout: descriptions are trimmed
// and matched once per distinct description, the lines are grouped by
// invoice by a counting sort, and the quantities of an invoice are summed
// in an array indexed by item. It returns an *InputError on "lines"
// wrapping ErrNoData when no invoice remains, and one naming the line for
// an invoice or item index out of range.
func BasketsFromItemLines(il ItemLines, opt BasketOptions) (InvoiceBaskets, error) {
	nInv, nRaw := len(il.Invoices), len(il.Items)
	// Trimmed descriptions, numbered; -1: empty (the line is ignored),
	// -2: dropped (the invoice still counts).
	drop := make(map[string]bool, len(opt.Drop))
	for _, d := range opt.Drop {
		drop[strings.TrimSpace(d)] = true
	}
	var names []string
	canon := make([]int32, nRaw)
	byName := make(map[string]int32, nRaw)
	for id, raw := range il.Items {
		d := strings.TrimSpace(raw)
		switch {
		case d == "":
			canon[id] = -1
		case drop[d]:
			canon[id] = -2
		default:
			c, ok := byName[d]
			if !ok {
				c = int32(len(names))
				byName[d] = c
				names = append(names, d)
			}
			canon[id] = c
		}
	}
	valid := make([]bool, nInv)
	for i, inv := range il.Invoices {
		valid[i] = inv != "" && !strings.Contains(inv, "C")
	}
	// Counting sort of the kept lines by invoice.
	start := make([]int32, nInv+1)
	counted := make([]bool, nInv)
	for k, l := range il.Lines {
		if l.Invoice < 0 || int(l.Invoice) >= nInv || l.Item < 0 || int(l.Item) >= nRaw {
			return InvoiceBaskets{}, &InputError{Row: k, Field: "lines", Err: fmt.Errorf("invoice %d or item %d out of range", l.Invoice, l.Item)}
		}
		if valid[l.Invoice] && canon[l.Item] != -1 {
			counted[l.Invoice] = true
			if canon[l.Item] >= 0 {
				start[l.Invoice+1]++
			}
		}
	}
	for i := 1; i <= nInv; i++ {
		start[i] += start[i-1]
	}
	sorted := make([]ItemLine, start[nInv])
	fill := slices.Clone(start[:nInv])
	for _, l := range il.Lines {
		if valid[l.Invoice] && canon[l.Item] >= 0 {
			sorted[fill[l.Invoice]] = ItemLine{Invoice: l.Invoice, Item: canon[l.Item], Quantity: l.Quantity}
			fill[l.Invoice]++
		}
	}
	// Invoices that count, by number.
	order := make([]int32, 0, nInv)
	for i, ok := range counted {
		if ok {
			order = append(order, int32(i))
		}
	}
	if len(order) == 0 {
		return InvoiceBaskets{}, &InputError{Row: -1, Field: "lines", Err: ErrNoData}
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(il.Invoices[a], il.Invoices[b]) })
	out := InvoiceBaskets{Invoices: make([]string, 0, len(order)), Baskets: ItemBaskets{Items: names, Baskets: make([][]int32, 0, len(order))}}
	qty := make([]int64, len(names))
	seen := make([]bool, len(names))
	flat := make([]int32, 0, len(sorted))
	var touched []int32
	for _, inv := range order {
		touched = touched[:0]
		for _, l := range sorted[start[inv]:start[inv+1]] {
			if !seen[l.Item] {
				seen[l.Item] = true
				touched = append(touched, l.Item)
			}
			qty[l.Item] += int64(l.Quantity)
		}
		b := len(flat)
		for _, it := range touched {
			if qty[it] >= 1 {
				flat = append(flat, it)
			}
			qty[it], seen[it] = 0, false
		}
		if len(flat) == b && opt.SkipEmpty {
			continue
		}
		out.Invoices = append(out.Invoices, il.Invoices[inv])
		out.Baskets.Baskets = append(out.Baskets.Baskets, flat[b:len(flat):len(flat)])
	}
	if len(out.Invoices) == 0 {
		return InvoiceBaskets{}, &InputError{Row: -1, Field: "lines", Err: fmt.Errorf("no invoice holds a product: %w", ErrNoData)}
	}
	return out, nil
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
// remains. It is NumberLines, then BasketsFromItemLines with the items
// named.
func BasketsFromLines(lines []BasketLine, opt BasketOptions) (Baskets, error) {
	ib, err := BasketsFromItemLines(NumberLines(lines), opt)
	if err != nil {
		return Baskets{}, err
	}
	b := Baskets{Invoices: ib.Invoices, Items: make([][]string, len(ib.Invoices))}
	for i, basket := range ib.Baskets.Baskets {
		items := make([]string, len(basket))
		for j, id := range basket {
			items[j] = ib.Baskets.Items[id]
		}
		slices.Sort(items)
		b.Items[i] = items
	}
	return b, nil
}
