package analytics

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Transaction model names used by FitTransactionModels and
// ChooseTransactionModel.
const (
	ModelBGNBD     = "BG/NBD"
	ModelMBGNBD    = "MBG/NBD"
	ModelParetoNBD = "Pareto/NBD"
)

// TransactionModelCandidate is one fitted (or failed) repeat-purchase model
// offered to ChooseTransactionModel.
type TransactionModelCandidate struct {
	Name string `json:"name"`
	// Model is nil when the fit failed; FitError then says why.
	Model    RepeatPurchaseModel `json:"-"`
	FitError string              `json:"fit_error,omitempty"`
	// Degenerate is non-empty when the fit sits at a boundary of the
	// parameter space or has no standard errors; it says which.
	Degenerate string `json:"degenerate,omitempty"`
}

// DegenerateReason describes a degenerate fit for people: the parameters
// at a boundary and the reason standard errors are unavailable, or "".
func DegenerateReason(atBoundary []string, stdErrUnavailable string) string {
	var parts []string
	if len(atBoundary) > 0 {
		parts = append(parts, "parameters at the boundary of the parameter space: "+strings.Join(atBoundary, ", "))
	}
	if stdErrUnavailable != "" {
		parts = append(parts, stdErrUnavailable)
	}
	return strings.Join(parts, "; ")
}

// FitTransactionModels fits BG/NBD, MBG/NBD and, with withPareto,
// Pareto/NBD to the same customer summaries and returns one candidate per
// model, in that order, with the fit's error or degeneracy recorded rather
// than returned. The fits themselves are returned too (zero where the fit
// failed or was not tried) so callers can show parameters. Pareto/NBD is
// optional because its likelihood's hypergeometric series can take minutes
// on small populations with extreme estimates; interactive callers leave
// it out.
func FitTransactionModels(customers []CustomerSummary, withPareto bool) ([]TransactionModelCandidate, BGNBDFit, MBGNBDFit, ParetoNBDFit) {
	var out []TransactionModelCandidate
	bg, bgErr := FitBGNBD(customers)
	c := TransactionModelCandidate{Name: ModelBGNBD}
	if bgErr != nil {
		c.FitError = bgErr.Error()
	} else {
		c.Model, c.Degenerate = bg.Params, DegenerateReason(bg.AtBoundary, bg.StdErrUnavailable)
	}
	out = append(out, c)
	mbg, err := FitMBGNBD(customers)
	c = TransactionModelCandidate{Name: ModelMBGNBD}
	if err != nil {
		c.FitError = err.Error()
	} else {
		c.Model, c.Degenerate = mbg.Params, DegenerateReason(mbg.AtBoundary, mbg.StdErrUnavailable)
	}
	out = append(out, c)
	if !withPareto {
		return out, bg, mbg, ParetoNBDFit{}
	}
	// The BG/NBD fit above serves Pareto/NBD's identification check.
	pn, err := fitParetoNBD(customers, func() (BGNBDFit, error) { return bg, bgErr })
	c = TransactionModelCandidate{Name: ModelParetoNBD}
	if err != nil {
		c.FitError = err.Error()
	} else {
		c.Model, c.Degenerate = pn.Params, DegenerateReason(pn.AtBoundary, pn.StdErrUnavailable)
	}
	out = append(out, c)
	return out, bg, mbg, pn
}

// TransactionModelScore is one candidate's holdout performance.
type TransactionModelScore struct {
	Name string `json:"name"`
	// MAE is the per-customer mean absolute error of predicted holdout
	// transactions; ExpectedTotal and ActualTotal sum them.
	MAE           float64 `json:"mae,omitempty"`
	ExpectedTotal float64 `json:"expected_total,omitempty"`
	ActualTotal   int     `json:"actual_total,omitempty"`
	Degenerate    string  `json:"degenerate,omitempty"`
	Error         string  `json:"error,omitempty"`
}

// TransactionModelChoice is the result of ChooseTransactionModel.
type TransactionModelChoice struct {
	// Chosen names the chosen model; Reason says why in one sentence.
	Chosen string                  `json:"chosen"`
	Reason string                  `json:"reason"`
	Scores []TransactionModelScore `json:"scores"`
}

// ChooseTransactionModel picks the repeat-purchase model with the lowest
// per-customer holdout mean absolute error (ValidateHoldout with censor
// 7) among the candidates that fitted and are not degenerate; only when
// every fitted candidate is degenerate does it choose among those, and the
// reason says so. Ties (MAE equal to 1e-6 relative, as when BG/NBD and
// MBG/NBD both find no churn and coincide) go to the earlier candidate,
// and the reason says they tie.
//
// It returns ErrNoData for an empty split and an error wrapping
// ErrFitFailed when no candidate has a model.
//
// Source: Batislam, Denizel & Filiztekin (2007) compare BG/NBD, MBG/NBD and
// Pareto/NBD the same way, by holdout forecast error.
func ChooseTransactionModel(split HoldoutSplit, candidates []TransactionModelCandidate) (TransactionModelChoice, error) {
	if len(split.Customers) == 0 {
		return TransactionModelChoice{}, fmt.Errorf("choose transaction model: %w", ErrNoData)
	}
	var ch TransactionModelChoice
	type scored struct {
		i   int
		mae float64
	}
	var ok, degenerate []scored
	for i, c := range candidates {
		s := TransactionModelScore{Name: c.Name, Degenerate: c.Degenerate}
		switch {
		case c.Model == nil:
			s.Error = c.FitError
			if s.Error == "" {
				s.Error = "no model"
			}
		default:
			rep, err := ValidateHoldout(split, c.Model, 7)
			if err != nil {
				s.Error = err.Error()
				break
			}
			s.MAE, s.ExpectedTotal, s.ActualTotal = rep.MAE, rep.ExpectedTotal, rep.ActualTotal
			if c.Degenerate != "" {
				degenerate = append(degenerate, scored{i, rep.MAE})
			} else {
				ok = append(ok, scored{i, rep.MAE})
			}
		}
		ch.Scores = append(ch.Scores, s)
	}
	pool := ok
	if len(pool) == 0 {
		pool = degenerate
	}
	if len(pool) == 0 {
		var why []string
		for _, s := range ch.Scores {
			why = append(why, s.Name+": "+s.Error)
		}
		return TransactionModelChoice{}, fmt.Errorf("choose transaction model: no model could be fitted (%s): %w", strings.Join(why, "; "), ErrFitFailed)
	}
	tie := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(math.Abs(a), math.Abs(b)) }
	sort.SliceStable(pool, func(a, b int) bool { return pool[a].mae < pool[b].mae && !tie(pool[a].mae, pool[b].mae) })
	best := ch.Scores[pool[0].i]
	ch.Chosen = best.Name
	var others, tied []string
	for _, p := range pool[1:] {
		if tie(p.mae, best.MAE) {
			tied = append(tied, ch.Scores[p.i].Name)
		}
		others = append(others, fmt.Sprintf("%s %.4f", ch.Scores[p.i].Name, p.mae))
	}
	unit := split.Unit.String()
	reason := fmt.Sprintf("%s has the lowest holdout error: mean absolute error %.4f transactions per customer over the last %.4g %s", best.Name, best.MAE, split.Length, unit)
	if len(others) > 0 {
		reason += " (" + strings.Join(others, ", ") + ")"
	} else {
		reason += " (the only usable model)"
	}
	if len(tied) > 0 {
		reason += fmt.Sprintf("; it ties with %s (the fits coincide), and %s is listed first", strings.Join(tied, ", "), best.Name)
	}
	if len(ok) == 0 {
		reason += "; every fit is degenerate, so treat it with care"
	} else {
		var skipped []string
		for _, d := range degenerate {
			skipped = append(skipped, fmt.Sprintf("%s (MAE %.4f) is degenerate", ch.Scores[d.i].Name, d.mae))
		}
		for _, s := range ch.Scores {
			if s.Error != "" {
				skipped = append(skipped, s.Name+" could not be fitted")
			}
		}
		if len(skipped) > 0 {
			reason += "; " + strings.Join(skipped, "; ")
		}
	}
	ch.Reason = reason
	return ch, nil
}

// PAliveUnavailable returns why a model cannot tell whether a customer with
// x repeat purchases is still active, or "" when P(alive) is informative:
//
//   - BG/NBD assumes customers drop out only right after a repeat
//     purchase, so for x = 0 its P(alive) is 1 by assumption, not evidence;
//   - a degenerate fit (degenerate non-empty) does not identify drop-out;
//   - a fitted drop-out probability per purchase a/(a+b) below
//     MinParetoDropout means the fit finds (almost) no churn, so P(alive)
//     is ≈ 1 for everyone whatever their recency.
//
// model is ModelBGNBD or ModelMBGNBD (a, b are the Beta parameters of the
// drop-out probability) or ModelParetoNBD (a, b ignored).
func PAliveUnavailable(model string, x int, a, b float64, degenerate string) string {
	if model == ModelBGNBD && x == 0 {
		return "BG/NBD lets customers drop out only after a repeat purchase, so for a customer without one P(alive) is 1 by assumption, not evidence (MBG/NBD can tell)"
	}
	if degenerate != "" {
		return "the " + model + " fit is degenerate (" + degenerate + "), so it cannot tell active from lapsed customers"
	}
	if model != ModelParetoNBD && a/(a+b) < MinParetoDropout {
		return fmt.Sprintf("the %s fit finds almost no churn (drop-out probability per purchase a/(a+b) = %.4f), so P(alive) is about 1 for everyone whatever their recency", model, a/(a+b))
	}
	return ""
}
