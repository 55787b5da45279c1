package analytics

import (
	"errors"
	"slices"
	"testing"
)

// TestBasketsFromLines_SkipEmpty: invoices holding only postage, carriage
// or manual lines are not baskets when SkipEmpty is set, so they do not
// dilute support: {A,B}, {A}, postage-only, manual+carriage-only gives 2
// baskets and support(A) = 1, not 2/4.
func TestBasketsFromLines_SkipEmpty(t *testing.T) {
	lines := []BasketLine{
		{"1", "A", 1, ""}, {"1", "B", 2, ""}, {"1", "POSTAGE", 1, ""},
		{"2", "A", 1, ""},
		{"3", "POSTAGE", 1, ""},
		{"4", "Manual", 1, ""}, {"4", "CARRIAGE", 1, ""},
	}
	b, err := BasketsFromLines(lines, BasketOptions{Drop: NonProductDescriptions, SkipEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Invoices, []string{"1", "2"}) || len(b.Items) != 2 {
		t.Errorf("SkipEmpty baskets = %v %q; want invoices 1, 2", b.Invoices, b.Items)
	}
	all, _ := BasketsFromLines(lines, BasketOptions{Drop: NonProductDescriptions})
	if len(all.Invoices) != 4 {
		t.Errorf("without SkipEmpty: %d baskets; want 4 (the tutorial's convention)", len(all.Invoices))
	}
	if _, err := BasketsFromLines(lines[4:], BasketOptions{Drop: NonProductDescriptions, SkipEmpty: true}); !errors.Is(err, ErrNoData) {
		t.Errorf("only non-product invoices err = %v; want ErrNoData", err)
	}
}
