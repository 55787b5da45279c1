package analytics

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// HoldoutCustomer is a customer's calibration summary and the number of
// purchase occasions (distinct purchase days) in the holdout period.
type HoldoutCustomer struct {
	CustomerSummary
	HoldoutTransactions int `json:"holdout_transactions"`
}

// HoldoutSplit is the result of SplitHoldout.
type HoldoutSplit struct {
	// Customers are those with a purchase in the calibration period, sorted
	// by CustomerID.
	Customers []HoldoutCustomer `json:"customers"`
	// Length is the holdout length in Unit (T* of the BTYD literature).
	Length float64  `json:"length"`
	Unit   TimeUnit `json:"unit"`
	// NewInHoldout counts customers whose first purchase falls in the
	// holdout period; they are not part of the calibration cohort.
	NewInHoldout int `json:"new_in_holdout"`
}

// SplitHoldout splits orders by calendar day into a calibration period
// (up to calibrationEnd inclusive) and a holdout period (the days after
// calibrationEnd up to holdoutEnd inclusive), with the day, same-day
// merging and return conventions of SummarizeCustomers. Each customer with
// a calibration purchase gets the calibration summary and the count of
// holdout purchase occasions; Length = (holdoutEnd − calibrationEnd) in
// unit. Orders after holdoutEnd are ignored.
//
// It returns ErrInvalidPeriod unless holdoutEnd is on a later day than
// calibrationEnd, ErrNoData when nobody purchased in calibration, and the
// errors of SummarizeCustomers for bad orders.
func SplitHoldout(orders []Order, calibrationEnd, holdoutEnd time.Time, unit TimeUnit) (HoldoutSplit, error) {
	if err := unit.validate(); err != nil {
		return HoldoutSplit{}, err
	}
	if calibrationEnd.IsZero() || holdoutEnd.IsZero() {
		return HoldoutSplit{}, &InputError{Row: -1, Field: "calibrationEnd", Err: errZeroTime}
	}
	calDay, endDay := dayNumber(calibrationEnd), dayNumber(holdoutEnd)
	if endDay <= calDay {
		return HoldoutSplit{}, fmt.Errorf("split holdout %s..%s: %w", calibrationEnd.Format(time.DateOnly), holdoutEnd.Format(time.DateOnly), ErrInvalidPeriod)
	}
	byCustomer, err := customerDays(orders, endDay)
	if err != nil {
		return HoldoutSplit{}, err
	}
	split := HoldoutSplit{Length: float64(endDay-calDay) / float64(unit), Unit: unit}
	for id, days := range byCustomer {
		cut := sort.Search(len(days), func(i int) bool { return days[i].day > calDay })
		s, ok := summarize(id, days[:cut], calDay, unit)
		if !ok {
			for _, l := range days[cut:] {
				if l.purchases > 0 {
					split.NewInHoldout++
					break
				}
			}
			continue
		}
		h := HoldoutCustomer{CustomerSummary: s}
		for _, l := range days[cut:] {
			if l.purchases > 0 {
				h.HoldoutTransactions++
			}
		}
		split.Customers = append(split.Customers, h)
	}
	if len(split.Customers) == 0 {
		return HoldoutSplit{}, fmt.Errorf("split holdout: no purchases by %s: %w", calibrationEnd.Format(time.DateOnly), ErrNoData)
	}
	sort.Slice(split.Customers, func(i, j int) bool { return split.Customers[i].CustomerID < split.Customers[j].CustomerID })
	return split, nil
}

// HoldoutPrediction is one customer's actual and predicted holdout
// transactions.
type HoldoutPrediction struct {
	CustomerID string  `json:"customer_id"`
	Frequency  int     `json:"frequency"`
	Actual     int     `json:"actual"`
	Predicted  float64 `json:"predicted"`
}

// HoldoutGroup is one row of the conditional-expectation table: customers
// with calibration frequency Frequency (or at least Frequency when AndMore).
type HoldoutGroup struct {
	Frequency    int     `json:"frequency"`
	AndMore      bool    `json:"and_more"`
	Customers    int     `json:"customers"`
	ActualMean   float64 `json:"actual_mean"`
	ExpectedMean float64 `json:"expected_mean"`
}

// HoldoutReport compares a model's predictions with the holdout period.
type HoldoutReport struct {
	Customers []HoldoutPrediction `json:"customers"`
	// Groups has one row per calibration frequency 0..censor−1 and a last
	// row for censor and more; groups without customers are omitted.
	Groups        []HoldoutGroup `json:"groups"`
	ActualTotal   int            `json:"actual_total"`
	ExpectedTotal float64        `json:"expected_total"`
	// MAE is the mean over customers of |actual − predicted| transactions.
	MAE float64 `json:"mae"`
}

// ValidateHoldout predicts each customer's holdout transactions as
// E[Y(T*) | x, t_x, T] with T* = split.Length and compares them with the
// actual counts: per customer, per calibration-frequency group 0, 1, …,
// censor−1, censor+ (the classic BTYD conditional-expectation table, e.g.
// censor = 7 for CDNOW), in total, and as the per-customer mean absolute
// error. It returns ErrNoData for an empty split, an *InputError for
// censor < 1 and the model's error if an expectation fails.
//
// Source: Fader, Hardie & Lee (2005), figure 4; BTYD's bgnbd.PlotFreqVsConditionalExpectedFrequency.
func ValidateHoldout(split HoldoutSplit, model RepeatPurchaseModel, censor int) (HoldoutReport, error) {
	if censor < 1 {
		return HoldoutReport{}, &InputError{Row: -1, Field: "censor", Err: fmt.Errorf("censor %d, want >= 1", censor)}
	}
	if model == nil {
		return HoldoutReport{}, &InputError{Row: -1, Field: "model", Err: ErrNoData}
	}
	if len(split.Customers) == 0 {
		return HoldoutReport{}, fmt.Errorf("validate holdout: %w", ErrNoData)
	}
	rep := HoldoutReport{Customers: make([]HoldoutPrediction, len(split.Customers))}
	groups := make([]HoldoutGroup, censor+1)
	for i := range groups {
		groups[i].Frequency = i
	}
	groups[censor].AndMore = true
	var absErr float64
	for i, c := range split.Customers {
		e, err := model.ConditionalExpectedTransactions(c.Frequency, c.Recency, c.T, split.Length)
		if err != nil {
			return HoldoutReport{}, fmt.Errorf("validate holdout customer %s: %w", c.CustomerID, err)
		}
		rep.Customers[i] = HoldoutPrediction{CustomerID: c.CustomerID, Frequency: c.Frequency, Actual: c.HoldoutTransactions, Predicted: e}
		g := &groups[min(c.Frequency, censor)]
		g.Customers++
		g.ActualMean += float64(c.HoldoutTransactions)
		g.ExpectedMean += e
		rep.ActualTotal += c.HoldoutTransactions
		rep.ExpectedTotal += e
		absErr += math.Abs(float64(c.HoldoutTransactions) - e)
	}
	for _, g := range groups {
		if g.Customers == 0 {
			continue
		}
		g.ActualMean /= float64(g.Customers)
		g.ExpectedMean /= float64(g.Customers)
		rep.Groups = append(rep.Groups, g)
	}
	rep.MAE = absErr / float64(len(split.Customers))
	return rep, nil
}
