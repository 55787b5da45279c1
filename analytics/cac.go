package analytics

import (
	"fmt"
	"math"
	"sort"
)

// NewCustomerCredits is the result of CreditNewCustomers: how many new
// customers an attribution model credits to each channel or campaign.
type NewCustomerCredits struct {
	Model Model `json:"model"`
	// ByGroup maps a channel (or campaign) to the new customers credited
	// to it, a possibly fractional count; the values sum to NewCustomers −
	// Unattributed.
	ByGroup map[string]float64 `json:"by_group"`
	// NewCustomers counts the distinct customers whose first purchase is
	// among the journeys, each once.
	NewCustomers int `json:"new_customers"`
	// Unattributed counts the new customers whose first purchase had no
	// touchpoint in the lookback window.
	Unattributed int `json:"unattributed"`
}

// CreditNewCustomers splits each new customer over the channels (or, with
// byCampaign, the campaigns) of the journey of their first purchase, with
// the weights model m gives that journey's touchpoints, so that
//
//	CAC_g = spend_g / Σ_{new customers i} credit_{i,g}
//
// counts every new customer once, whole under first and last touch and
// fractionally under linear, position-based, time-decay and Markov:
//
//   - first_touch / last_touch: 1 to the first / last touchpoint;
//   - linear: 1/k to each of the k touchpoints;
//   - position_based: opts.FirstShare, opts.LastShare and the rest split
//     over the middle (PositionBasedAttribution's weights);
//   - time_decay: 2^(−age/halfLife) normalised, age in days before the
//     newest touch (TimeDecayJourneyAttribution's weights);
//   - markov: the Markov chain is fitted on all journeys (converting and
//     not, MarkovAttributionOrder), and a first purchase's credit goes to
//     the distinct channels of its journey in proportion to their removal
//     effects (equally when all are zero). Markov is per channel only.
//
// A journey counts when Converted and Conversion.FirstPurchase; when one
// customer has several such journeys (duplicated input), the earliest
// (then smallest OrderID) counts. First purchases without touchpoints are
// counted in Unattributed. Other journeys (repeat purchases, nulls) give no
// new-customer credit.
//
// It returns an *InputError for an unknown model, Markov with byCampaign,
// or bad opts, and the errors of MarkovAttributionOrder for Markov.
//
// Source: CAC = acquisition spend / new customers acquired (standard
// definition); the split follows the model's credit for the acquiring
// purchase, as in the seed document's section 4.1 attribution discussion.
func CreditNewCustomers(journeys []Journey, m Model, opts AttributionOptions, byCampaign bool) (NewCustomerCredits, error) {
	opts = opts.withDefaults()
	switch m {
	case FirstTouch, LastTouch, Linear, TimeDecay, PositionBased, Markov:
	default:
		return NewCustomerCredits{}, &InputError{Row: -1, Field: "model", Err: fmt.Errorf("%w %q", errUnknownModel, m)}
	}
	if m == PositionBased {
		if err := checkShares(opts.FirstShare, opts.LastShare); err != nil {
			return NewCustomerCredits{}, err
		}
	}
	if m == TimeDecay && (!(opts.HalfLifeDays > 0) || math.IsInf(opts.HalfLifeDays, 0)) {
		return NewCustomerCredits{}, &InputError{Row: -1, Field: "halfLifeDays", Err: errNotPositive}
	}
	if m == Markov && byCampaign {
		return NewCustomerCredits{}, &InputError{Row: -1, Field: "groupBy", Err: fmt.Errorf("markov attribution is per channel, not per campaign")}
	}
	// The first-purchase journey of each customer, counted once.
	first := map[string]int{}
	for i, j := range journeys {
		if !j.Converted || !j.Conversion.FirstPurchase {
			continue
		}
		if k, ok := first[j.CustomerID]; ok {
			c, d := journeys[k].Conversion, j.Conversion
			if !(d.At.Before(c.At) || (d.At.Equal(c.At) && d.OrderID < c.OrderID)) {
				continue
			}
		}
		first[j.CustomerID] = i
	}
	res := NewCustomerCredits{Model: m, ByGroup: map[string]float64{}, NewCustomers: len(first)}
	var removal map[string]float64
	if m == Markov && len(first) > 0 {
		r, err := MarkovAttributionOrder(AggregateJourneys(journeys), opts.MarkovOrder)
		if err != nil {
			return NewCustomerCredits{}, fmt.Errorf("credit new customers: %w", err)
		}
		removal = make(map[string]float64, len(r.RemovalEffects))
		for _, e := range r.RemovalEffects {
			removal[e.Channel] = e.Effect
		}
	}
	idx := make([]int, 0, len(first))
	for _, i := range first {
		idx = append(idx, i)
	}
	sort.Ints(idx) // deterministic float sums
	var w []float64
	for _, i := range idx {
		tps := journeys[i].Touchpoints
		k := len(tps)
		if k == 0 {
			res.Unattributed++
			continue
		}
		w = append(w[:0], make([]float64, k)...)
		switch m {
		case FirstTouch:
			w[0] = 1
		case LastTouch:
			w[k-1] = 1
		case Linear:
			for t := range w {
				w[t] = 1 / float64(k)
			}
		case PositionBased:
			positionWeights(k, w, opts.FirstShare, opts.LastShare)
		case TimeDecay:
			sum := timeDecayWeights(w, tps, opts.HalfLifeDays)
			for t := range w {
				w[t] /= sum
			}
		case Markov:
			// Distinct channels share by removal effect; each touch of a
			// channel carries that channel's share divided by its count.
			count := map[string]int{}
			for _, tp := range tps {
				count[tp.Channel]++
			}
			var sum float64
			for ch := range count {
				sum += removal[ch]
			}
			for t, tp := range tps {
				if sum > 0 {
					w[t] = removal[tp.Channel] / sum / float64(count[tp.Channel])
				} else {
					w[t] = 1 / float64(k)
				}
			}
		}
		for t, tp := range tps {
			g := tp.Channel
			if byCampaign {
				g = tp.Campaign
			}
			res.ByGroup[g] += w[t]
		}
	}
	return res, nil
}
