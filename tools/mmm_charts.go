package tools

import (
	"fmt"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/report"
)

// MMMDecompositionChart is the weekly outcome split into baseline and each
// channel's modelled contribution (stacked), with the actual outcome as
// points.
func MMMDecompositionChart(f *analytics.MMMFit) report.LineChart {
	n := len(f.Weeks)
	x := make([]float64, n)
	dates := make([]string, n)
	for t := range x {
		x[t] = float64(t)
		dates[t] = f.Weeks[t].Format("2006-01-02")
	}
	c := report.LineChart{Title: "Weekly outcome: baseline and incremental contribution by channel (MMM)", XLabel: "week", YLabel: "outcome", Stacked: true, XDates: dates}
	c.Series = append(c.Series, report.LineSeries{Name: "baseline", X: x, Y: f.Baseline.Weekly})
	for _, ch := range f.Channels {
		c.Series = append(c.Series, report.LineSeries{Name: ch.Name, X: x, Y: ch.Weekly})
	}
	c.Marks = []report.LineSeries{{Name: "actual", X: x, Y: f.Outcome}}
	return c
}

// MMMResponseCurvesChart is each channel's fitted steady-state weekly
// response to weekly spend, with its current average weekly spend marked.
func MMMResponseCurvesChart(f *analytics.MMMFit) report.LineChart {
	c := report.LineChart{Title: "Response curves: weekly incremental outcome vs weekly spend (MMM)", XLabel: "weekly spend", YLabel: "weekly incremental outcome"}
	mark := report.LineSeries{Name: "current spend"}
	for i, ch := range f.Channels {
		s := report.LineSeries{Name: ch.Name}
		for _, p := range ch.Curve {
			s.X = append(s.X, p.WeeklySpend)
			s.Y = append(s.Y, p.WeeklyContribution)
		}
		c.Series = append(c.Series, s)
		mark.X = append(mark.X, ch.AvgWeeklySpend)
		mark.Y = append(mark.Y, f.WeeklyResponse(i, ch.AvgWeeklySpend))
	}
	c.Marks = []report.LineSeries{mark}
	return c
}

// MMMChartPNGs draws both MMM charts, keyed by file name.
func MMMChartPNGs(f *analytics.MMMFit) (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, ch := range map[string]report.LineChart{"mmm_decomposition.png": MMMDecompositionChart(f), "mmm_response_curves.png": MMMResponseCurvesChart(f)} {
		png, err := report.LineChartPNG(ch)
		if err != nil {
			return nil, fmt.Errorf("mmm chart %s: %w", name, err)
		}
		out[name] = png
	}
	return out, nil
}

// AllocationChannel is one channel of a budget allocation (weekly money).
type AllocationChannel struct {
	Channel             string  `json:"channel"`
	CurrentSpend        float64 `json:"current_weekly_spend"`
	Spend               float64 `json:"weekly_spend"`
	Change              float64 `json:"change"` // fraction of current spend
	CurrentContribution float64 `json:"current_weekly_contribution"`
	Contribution        float64 `json:"weekly_contribution"`
	MarginalROAS        float64 `json:"marginal_roas_at_allocation"`
}

// AllocationResult is the JSON of a budget allocation on a fit.
type AllocationResult struct {
	Currency     string              `json:"currency,omitempty"`
	Budget       float64             `json:"weekly_budget"`
	Channels     []AllocationChannel `json:"channels"`
	Total        float64             `json:"weekly_contribution"`
	CurrentTotal float64             `json:"current_weekly_contribution"`
	Uplift       float64             `json:"uplift"`
	UpliftShare  float64             `json:"uplift_share"`
	Caveat       string              `json:"caveat"`
}

// SummarizeAllocation turns an allocation on f into its JSON.
func SummarizeAllocation(f *analytics.MMMFit, a analytics.Allocation, currency string) AllocationResult {
	r := AllocationResult{Currency: currency, Total: round6(a.Total), CurrentTotal: round6(a.CurrentTotal), Uplift: round6(a.Uplift), UpliftShare: round6(a.UpliftShare),
		Caveat: "Predicted on the fitted response curves at steady state (spend held for weeks); spend outside the range the data has seen is an extrapolation."}
	for i, ch := range f.Channels {
		s := a.Spend[i]
		r.Budget += s
		h := 1e-4 * (1 + s)
		m := (f.WeeklyResponse(i, s+h) - f.WeeklyResponse(i, s)) / h
		ac := AllocationChannel{Channel: ch.Name, CurrentSpend: round6(a.Current[i]), Spend: round6(s), CurrentContribution: round6(a.CurrentContribution[i]), Contribution: round6(a.Contribution[i]), MarginalROAS: round6(m)}
		if a.Current[i] > 0 {
			ac.Change = round6(s/a.Current[i] - 1)
		}
		r.Channels = append(r.Channels, ac)
	}
	r.Budget = round6(r.Budget)
	return r
}

// AllocationTable renders an allocation.
func AllocationTable(r AllocationResult) Table {
	t := Table{Title: "Weekly budget split on the fitted response curves", Columns: []string{"channel", "current spend", "allocated spend", "change", "current contribution", "allocated contribution", "marginal ROAS"}}
	for _, c := range r.Channels {
		t.Rows = append(t.Rows, []string{c.Channel, fmt.Sprintf("%.0f", c.CurrentSpend), fmt.Sprintf("%.0f", c.Spend), fmt.Sprintf("%+.0f%%", 100*c.Change),
			fmt.Sprintf("%.0f", c.CurrentContribution), fmt.Sprintf("%.0f", c.Contribution), fmt.Sprintf("%.3g", sig(c.MarginalROAS))})
	}
	return t
}

// displayChart converts a line chart for the display (kind "line", or
// "area" when stacked).
func displayChart(lc report.LineChart) Chart {
	c := Chart{Title: lc.Title, Kind: "line", Unit: lc.YLabel, XLabel: lc.XLabel, Labels: lc.XDates}
	if lc.Stacked {
		c.Kind = "area"
	}
	for _, s := range lc.Series {
		c.Series = append(c.Series, ChartSeries{Name: s.Name, X: s.X, Y: roundAll(s.Y)})
	}
	for _, s := range lc.Marks {
		c.Marks = append(c.Marks, ChartSeries{Name: s.Name, X: s.X, Y: roundAll(s.Y)})
	}
	return c
}

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = round6(v)
	}
	return out
}

// maxChartPoints bounds the points per series sent in a display chart;
// longer weekly series are averaged over blocks of weeks.
const maxChartPoints = 60

// MMMDisplayCharts are the charts of an mmm answer: the decomposition
// (weekly, or averaged over blocks of weeks beyond 60 weeks) and the
// response curves.
func MMMDisplayCharts(f *analytics.MMMFit) []Chart {
	dec := MMMDecompositionChart(f)
	n := len(f.Weeks)
	if k := (n + maxChartPoints - 1) / maxChartPoints; k > 1 {
		block := func(ys []float64) []float64 {
			var out []float64
			for i := 0; i < n; i += k {
				s, m := 0.0, 0
				for j := i; j < i+k && j < n; j++ {
					s += ys[j]
					m++
				}
				out = append(out, s/float64(m))
			}
			return out
		}
		var xs []float64
		var labels []string
		for i := 0; i < n; i += k {
			xs = append(xs, float64(i))
			labels = append(labels, dec.XDates[i])
		}
		for i := range dec.Series {
			dec.Series[i].X, dec.Series[i].Y = xs, block(dec.Series[i].Y)
		}
		for i := range dec.Marks {
			dec.Marks[i].X, dec.Marks[i].Y = xs, block(dec.Marks[i].Y)
		}
		dec.XDates = labels
		dec.Title = fmt.Sprintf("%s, %d-week averages", dec.Title, k)
	}
	return []Chart{displayChart(dec), displayChart(MMMResponseCurvesChart(f))}
}
