package tools_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// TestChooseTransactionModel_OnlineRetail: on Online Retail (calibration to
// 2011-09-10, 90-day holdout to 2011-12-09, weeks) BG/NBD and MBG/NBD both
// run to the no-churn boundary (a → 0, b → ∞, Hessian not positive
// definite) and coincide, Pareto/NBD cannot be fitted, and the choice says
// all of that (docs/clv.md).
func TestChooseTransactionModel_OnlineRetail(t *testing.T) {
	orders, err := onlineRetail(t).PurchaseOrders(context.Background(), analytics.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	split, err := analytics.SplitHoldout(orders, time.Date(2011, 9, 10, 0, 0, 0, 0, time.UTC), time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC), analytics.UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	sums := make([]analytics.CustomerSummary, len(split.Customers))
	for i, c := range split.Customers {
		sums[i] = c.CustomerSummary
	}
	cands, bg, mbg, _ := analytics.FitTransactionModels(sums, true)
	if !bg.Degenerate() || bg.Params.A > 1e-4 || bg.StdErrUnavailable == "" {
		t.Errorf("BG/NBD on Online Retail: a = %.3g, at boundary %v, std err %q; want degenerate with a → 0 and no standard errors", bg.Params.A, bg.AtBoundary, bg.StdErrUnavailable)
	}
	if !mbg.Degenerate() || mbg.Params.A > 1e-4 {
		t.Errorf("MBG/NBD on Online Retail: a = %.3g, at boundary %v; want degenerate", mbg.Params.A, mbg.AtBoundary)
	}
	if cands[2].FitError == "" || !strings.Contains(cands[2].FitError, "no churn") {
		t.Errorf("Pareto/NBD on Online Retail: fit error %q; want no churn", cands[2].FitError)
	}
	ch, err := analytics.ChooseTransactionModel(split, cands)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Online Retail to 2011-09-10: BG/NBD a = %.2g, MBG/NBD a = %.2g; MAE %.4f (%s)", bg.Params.A, mbg.Params.A, ch.Scores[0].MAE, ch.Reason)
	if ch.Chosen != analytics.ModelBGNBD || math.Abs(ch.Scores[0].MAE-0.9418) > 1e-4 || ch.Scores[0].ActualTotal != 4483 ||
		!strings.Contains(ch.Reason, "ties with MBG/NBD") || !strings.Contains(ch.Reason, "every fit is degenerate") {
		t.Errorf("ChooseTransactionModel(Online Retail) = %s, MAE %.4f, actual %d: %s", ch.Chosen, ch.Scores[0].MAE, ch.Scores[0].ActualTotal, ch.Reason)
	}
	for _, c := range []struct {
		model string
		a, b  float64
	}{{analytics.ModelBGNBD, bg.Params.A, bg.Params.B}, {analytics.ModelMBGNBD, mbg.Params.A, mbg.Params.B}} {
		if why := analytics.PAliveUnavailable(c.model, 3, c.a, c.b, cands[0].Degenerate); !strings.Contains(why, "degenerate") {
			t.Errorf("PAliveUnavailable(%s, Online Retail) = %q; want degenerate named", c.model, why)
		}
	}
}
