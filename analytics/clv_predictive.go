package analytics

import (
	"fmt"
	"math"
	"sort"
)

// CLVConfig sets the discounting of PredictCLV.
type CLVConfig struct {
	// Periods is the number of discounting steps in the horizon, e.g. 12
	// monthly steps for a one-year CLV. Must be > 0.
	Periods int
	// PeriodLength is the length of one step in the summaries' time unit,
	// e.g. 52.0/12 for months when the model was fitted in weeks, or
	// 365.0/12 in days. Must be > 0.
	PeriodLength float64
	// DiscountRate is the discount rate per step, a fraction in [0, 1),
	// e.g. 0.01 per month (about 12.7% a year).
	DiscountRate float64
	// Margin is the fraction of spend that is profit, in (0, 1]; 1 gives a
	// revenue CLV.
	Margin float64
}

func (c CLVConfig) validate() error {
	switch {
	case c.Periods <= 0:
		return &InputError{Row: -1, Field: "Periods", Err: fmt.Errorf("%d periods, want > 0", c.Periods)}
	case !(c.PeriodLength > 0) || math.IsInf(c.PeriodLength, 0):
		return &InputError{Row: -1, Field: "PeriodLength", Err: fmt.Errorf("period length %v, want finite > 0", c.PeriodLength)}
	case !(c.DiscountRate >= 0 && c.DiscountRate < 1):
		return &InputError{Row: -1, Field: "DiscountRate", Err: fmt.Errorf("%w: %v, want [0, 1)", ErrInvalidRate, c.DiscountRate)}
	case !(c.Margin > 0 && c.Margin <= 1):
		return &InputError{Row: -1, Field: "Margin", Err: fmt.Errorf("%w: margin %v, want (0, 1]", ErrInvalidRate, c.Margin)}
	}
	return nil
}

// CustomerCLV is one customer's predictive CLV.
type CustomerCLV struct {
	CustomerID string `json:"customer_id"`
	// PAlive is the probability the customer is still active at the
	// calibration end.
	PAlive float64 `json:"p_alive"`
	// ExpectedTransactions is the undiscounted expected number of
	// transactions over the whole horizon (Periods × PeriodLength).
	ExpectedTransactions float64 `json:"expected_transactions"`
	// ExpectedSpend is the Gamma-Gamma expected value per transaction.
	ExpectedSpend Money `json:"expected_spend"`
	// CLV is the discounted expected margin over the horizon.
	CLV Money `json:"clv"`
}

// PredictCLV returns the predictive CLV of each customer, in the order of
// customers: expected future transactions from a buy-till-you-die model
// (BG/NBD or Pareto/NBD) times the Gamma-Gamma expected spend per
// transaction, times the margin, discounted per step as in the seed
// document's CLV = Σ_t value_t / (1+r)^t:
//
//	E_k  = E[Y(k·Δ) | x, t_x, T]            (cumulative, k = 0..K, E_0 = 0)
//	CLV  = Σ_{k=1}^{K} margin · E[M] · (E_k − E_{k−1}) / (1+r)^k
//
// Δ = cfg.PeriodLength in the model's time unit, K = cfg.Periods and
// r = cfg.DiscountRate per step. Step k covers (T+(k−1)Δ, T+kΔ] after the
// calibration end and its value is discounted as received at the end of the
// step (k = 1 is discounted once); past purchases (the seed's t = 0) are not
// included. E[M] is spend.ConditionalExpectedSpend(x, MeanRepeatValue),
// which is the population mean for one-time buyers. Money is in minor
// units, converted from the major units of MeanRepeatValue.
//
// It returns ErrNoData for no customers, an *InputError for an invalid
// config (ErrInvalidRate for the rates) or customer (naming the row), and
// the model's error if an expectation cannot be computed.
//
// Sources: seed document section 4.2; Fader, Hardie & Lee (2005) and Fader
// & Hardie (2013) for the components.
func PredictCLV(customers []CustomerSummary, model RepeatPurchaseModel, spend GammaGammaParams, cfg CLVConfig) ([]CustomerCLV, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("predict CLV: %w", err)
	}
	if model == nil {
		return nil, fmt.Errorf("predict CLV: %w", &InputError{Row: -1, Field: "model", Err: ErrNoData})
	}
	if len(customers) == 0 {
		return nil, fmt.Errorf("predict CLV: %w", ErrNoData)
	}
	disc := make([]float64, cfg.Periods+1)
	for k := 1; k <= cfg.Periods; k++ {
		disc[k] = math.Pow(1+cfg.DiscountRate, -float64(k))
	}
	out := make([]CustomerCLV, len(customers))
	for i, c := range customers {
		if err := checkXTxT(c.Frequency, c.Recency, c.T); err != nil {
			err.Row = i
			return nil, fmt.Errorf("predict CLV: %w", err)
		}
		m, err := spend.ConditionalExpectedSpend(c.Frequency, c.MeanRepeatValue)
		if err != nil {
			return nil, fmt.Errorf("predict CLV customer %s: %w", c.CustomerID, err)
		}
		pa, err := model.PAlive(c.Frequency, c.Recency, c.T)
		if err != nil {
			return nil, fmt.Errorf("predict CLV customer %s: %w", c.CustomerID, err)
		}
		var prev, value float64
		for k := 1; k <= cfg.Periods; k++ {
			e, err := model.ConditionalExpectedTransactions(c.Frequency, c.Recency, c.T, float64(k)*cfg.PeriodLength)
			if err != nil {
				return nil, fmt.Errorf("predict CLV customer %s: %w", c.CustomerID, err)
			}
			value += (e - prev) * disc[k]
			prev = e
		}
		out[i] = CustomerCLV{
			CustomerID:           c.CustomerID,
			PAlive:               pa,
			ExpectedTransactions: prev,
			ExpectedSpend:        MoneyFromMajor(m),
			CLV:                  MoneyFromMajor(value * m * cfg.Margin),
		}
	}
	return out, nil
}

// CustomerForecast is one customer's probability of being active and
// expected number of transactions over a horizon.
type CustomerForecast struct {
	CustomerID           string  `json:"customer_id"`
	PAlive               float64 `json:"p_alive"`
	ExpectedTransactions float64 `json:"expected_transactions"`
}

// ForecastTransactions returns, for each customer in order, P(alive) at
// the calibration end and E[Y(t) | x, t_x, T], the expected number of
// transactions in the next horizon time units (the unit of the summaries
// the model was fitted on), from a BG/NBD or Pareto/NBD model.
//
// It returns ErrNoData for no customers, an *InputError for a negative or
// non-finite horizon or an inconsistent customer (naming the row), and the
// model's error if an expectation cannot be computed.
func ForecastTransactions(customers []CustomerSummary, model RepeatPurchaseModel, horizon float64) ([]CustomerForecast, error) {
	if model == nil {
		return nil, fmt.Errorf("forecast transactions: %w", &InputError{Row: -1, Field: "model", Err: ErrNoData})
	}
	if err := checkHorizon(horizon); err != nil {
		return nil, fmt.Errorf("forecast transactions: %w", err)
	}
	if len(customers) == 0 {
		return nil, fmt.Errorf("forecast transactions: %w", ErrNoData)
	}
	out := make([]CustomerForecast, len(customers))
	for i, c := range customers {
		if err := checkXTxT(c.Frequency, c.Recency, c.T); err != nil {
			err.Row = i
			return nil, fmt.Errorf("forecast transactions: %w", err)
		}
		pa, err := model.PAlive(c.Frequency, c.Recency, c.T)
		if err != nil {
			return nil, fmt.Errorf("forecast transactions customer %s: %w", c.CustomerID, err)
		}
		e, err := model.ConditionalExpectedTransactions(c.Frequency, c.Recency, c.T, horizon)
		if err != nil {
			return nil, fmt.Errorf("forecast transactions customer %s: %w", c.CustomerID, err)
		}
		out[i] = CustomerForecast{CustomerID: c.CustomerID, PAlive: pa, ExpectedTransactions: e}
	}
	return out, nil
}

// CLVGroup aggregates the predictive CLV of the customers sharing a key.
type CLVGroup struct {
	Key       string `json:"key"`
	Customers int    `json:"customers"`
	// TotalCLV is the sum of the customers' CLV; MeanCLV is TotalCLV /
	// Customers rounded to the minor unit.
	TotalCLV Money `json:"total_clv"`
	MeanCLV  Money `json:"mean_clv"`
	// ExpectedTransactions is the sum over the group.
	ExpectedTransactions float64 `json:"expected_transactions"`
	// MeanPAlive is the mean P(alive) of the group.
	MeanPAlive float64 `json:"mean_p_alive"`
}

// GroupCLV sums per-customer CLV by the key that key returns for each
// customer ID (e.g. an acquisition channel or an RFM segment), sorted by
// descending TotalCLV, then Key. It returns ErrNoData for no customers and
// an *InputError if key is nil.
func GroupCLV(clvs []CustomerCLV, key func(customerID string) string) ([]CLVGroup, error) {
	if key == nil {
		return nil, &InputError{Row: -1, Field: "key", Err: ErrNoData}
	}
	if len(clvs) == 0 {
		return nil, fmt.Errorf("group CLV: %w", ErrNoData)
	}
	idx := make(map[string]int)
	var groups []CLVGroup
	for _, c := range clvs {
		k := key(c.CustomerID)
		j, ok := idx[k]
		if !ok {
			j = len(groups)
			idx[k] = j
			groups = append(groups, CLVGroup{Key: k})
		}
		g := &groups[j]
		g.Customers++
		g.TotalCLV += c.CLV
		g.ExpectedTransactions += c.ExpectedTransactions
		g.MeanPAlive += c.PAlive
	}
	for i := range groups {
		g := &groups[i]
		g.MeanCLV = Money(math.Round(float64(g.TotalCLV) / float64(g.Customers)))
		g.MeanPAlive /= float64(g.Customers)
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].TotalCLV != groups[j].TotalCLV {
			return groups[i].TotalCLV > groups[j].TotalCLV
		}
		return groups[i].Key < groups[j].Key
	})
	return groups, nil
}
