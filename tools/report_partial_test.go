package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

// TestPredictCLVs_SpendFitFails: CDNOW with every repeat purchase cancelled
// by a same-day return leaves Gamma-Gamma nothing to fit (no repeat
// customer with positive spend), so predicted CLV is not available and
// says why, while BG/NBD's P(alive) is still given for every customer.
func TestPredictCLVs_SpendFitFails(t *testing.T) {
	rc, err := ingest.Open("../data/cdnow/cdnowElog.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	orders, _, err := ingest.ReadCDNOW(rc)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var all []analytics.Order
	for _, o := range orders {
		all = append(all, o)
		if seen[o.CustomerID] && !o.IsReturn {
			all = append(all, analytics.Order{OrderID: o.OrderID + "R", CustomerID: o.CustomerID, At: o.At, Amount: -o.Amount, IsReturn: true})
		}
		seen[o.CustomerID] = true
	}
	pred, pa, predNote, paNote := predictCLVs(all, time.Date(1998, 7, 1, 0, 0, 0, 0, time.UTC))
	if pred != nil || !strings.Contains(predNote, "Gamma-Gamma fit") {
		t.Errorf("predicted CLV = %d customers, note %q; want none, naming the Gamma-Gamma fit", len(pred), predNote)
	}
	if len(pa) != 2357 || paNote != "" {
		t.Errorf("P(alive) for %d customers, note %q; want all 2357, no note", len(pa), paNote)
	}
}
