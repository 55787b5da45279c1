package tools

import (
	"fmt"
	"math"

	"github.com/roibot/roibot/analytics"
)

// MMMDefinition states what MMM ROAS is, for every answer that shows one.
const MMMDefinition = "Incremental ROAS = outcome caused by the channel's spend / that spend, estimated by a media mix model " +
	"(weekly outcome regressed on adstocked, saturating spend plus trend, seasonality and controls). It is a model estimate " +
	"from variation in spend, not a measurement: attribution ROAS credits touchpoints inside a window (including sales that " +
	"would have happened anyway) and a lift test measures incrementality in an experiment."

// MMMChannelSummary is one channel of an MMM answer: spend and modelled
// incremental contribution over the fitted weeks (currency and outcome
// units of the data), incremental and marginal ROAS with their intervals,
// share of the fitted outcome, and the transformation parameters.
type MMMChannelSummary struct {
	Channel      string                `json:"channel"`
	Spend        float64               `json:"spend"`
	Contribution analytics.MMMEstimate `json:"contribution"`
	Share        float64               `json:"share"`
	ROAS         analytics.MMMEstimate `json:"roas"`
	MarginalROAS analytics.MMMEstimate `json:"marginal_roas"`
	Params       analytics.MMMParams   `json:"params"`
	LiftTests    int                   `json:"lift_tests"`
}

// MMMSummary is the JSON of an MMM fit as the mmm tool and `roibot mmm fit
// --json` print it (weekly series and curves are left to the charts).
type MMMSummary struct {
	Definition    string                      `json:"definition"`
	Currency      string                      `json:"currency,omitempty"`
	From          string                      `json:"from"`
	To            string                      `json:"to"`
	Weeks         int                         `json:"weeks"`
	MinWeeks      int                         `json:"min_weeks"`
	Model         string                      `json:"model"`
	Interval      float64                     `json:"interval"`
	Bootstrap     int                         `json:"bootstrap"`
	Channels      []MMMChannelSummary         `json:"channels"`
	Baseline      float64                     `json:"baseline"`
	BaselineParts map[string]float64          `json:"baseline_parts"`
	R2            float64                     `json:"r2"`
	MAPE          float64                     `json:"mape"`
	NRMSE         float64                     `json:"nrmse"`
	Health        analytics.MMMHealth         `json:"health"`
	LiftPriority  []analytics.MMMLiftPriority `json:"lift_test_priority"`
	Seed          uint64                      `json:"seed"`
}

// SummarizeMMM turns a fit into its summary.
func SummarizeMMM(f *analytics.MMMFit, currency string) MMMSummary {
	s := MMMSummary{
		Definition: MMMDefinition, Currency: currency,
		From: f.Weeks[0].Format("2006-01-02"), To: f.Weeks[len(f.Weeks)-1].Format("2006-01-02"),
		Weeks: len(f.Weeks), MinWeeks: f.MinWeeks,
		Model:    fmt.Sprintf("%s adstock (max %d weeks) + %s saturation, trend degree %d, ridge %g", f.Adstock, f.MaxLagWeeks, f.Saturation, f.TrendDegree, f.Ridge),
		Interval: f.Interval, Bootstrap: f.Bootstrap,
		Baseline: round6(f.Baseline.Total), BaselineParts: map[string]float64{},
		R2: round6(f.R2), MAPE: round6(f.MAPE), NRMSE: round6(f.NRMSE),
		Health: f.Health, LiftPriority: f.LiftPriority, Seed: f.Seed,
	}
	for _, p := range f.BaselineParts {
		s.BaselineParts[p.Name] = round6(p.Total)
	}
	for _, c := range f.Channels {
		s.Channels = append(s.Channels, MMMChannelSummary{
			Channel: c.Name, Spend: round6(c.Spend), Contribution: roundEst(c.Contribution), Share: round6(c.Share),
			ROAS: roundEst(c.ROAS), MarginalROAS: roundEst(c.MarginalROAS), Params: c.Params, LiftTests: c.LiftTests,
		})
	}
	return s
}

func round6(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, 6-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

func roundEst(e analytics.MMMEstimate) analytics.MMMEstimate {
	return analytics.MMMEstimate{Value: round6(e.Value), Low: round6(e.Low), High: round6(e.High)}
}

// MMMTable renders the per-channel ROAS table of a summary.
func MMMTable(s MMMSummary) Table {
	t := Table{Title: "Incremental ROAS by channel (media mix model)", Columns: []string{"channel", "spend", "incremental outcome", "ROAS", fmt.Sprintf("%.0f%% interval", 100*s.Interval), "marginal ROAS", "share"}}
	for _, c := range s.Channels {
		t.Rows = append(t.Rows, []string{c.Channel, fmt.Sprintf("%.0f", c.Spend), fmt.Sprintf("%.0f", c.Contribution.Value),
			fmt.Sprintf("%.3g", sig(c.ROAS.Value)), fmt.Sprintf("%.3g–%.3g", sig(c.ROAS.Low), sig(c.ROAS.High)), fmt.Sprintf("%.3g", sig(c.MarginalROAS.Value)), fmt.Sprintf("%.1f%%", 100*c.Share)})
	}
	return t
}

// sig formats a ratio for people: three significant digits (%.3g), but
// whole numbers from 1,000 up, never exponent notation.
type sig float64

// Format implements fmt.Formatter.
func (v sig) Format(f fmt.State, verb rune) {
	x := float64(v)
	if math.Abs(x) >= 1000 {
		fmt.Fprintf(f, "%.0f", x)
		return
	}
	p, ok := f.Precision()
	if !ok {
		p = 3
	}
	fmt.Fprintf(f, "%.*g", p, x)
}
