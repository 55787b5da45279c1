package analytics

import (
	"fmt"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// ChannelIndex returns the position of the named channel in f.Channels,
// or −1.
func (f *MMMFit) ChannelIndex(name string) int {
	for i, c := range f.Channels {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// PeriodROAS returns channel c's modelled incremental outcome and spend over
// weeks from..to (indices into f.Weeks, inclusive) and its ROAS with the
// bootstrap interval recomputed over those weeks.
func (f *MMMFit) PeriodROAS(c, from, to int) (contribution, spend float64, roas MMMEstimate) {
	ch := f.Channels[c]
	for t := from; t <= to; t++ {
		contribution += ch.Weekly[t]
		spend += f.spend(c, t)
	}
	if spend <= 0 {
		return contribution, 0, MMMEstimate{}
	}
	r := contribution / spend
	roas = MMMEstimate{r, r, r}
	if c < len(f.bootWeekly) && len(f.bootWeekly[c]) > 0 {
		xs := make([]float64, len(f.bootWeekly[c]))
		for b, w := range f.bootWeekly[c] {
			for t := from; t <= to; t++ {
				xs[b] += w[t]
			}
			xs[b] /= spend
		}
		sort.Float64s(xs)
		a := (1 - f.Interval) / 2
		med := stat.Quantile(0.5, stat.LinInterp, xs, nil)
		roas.Low = r + stat.Quantile(a, stat.LinInterp, xs, nil) - med
		roas.High = r + stat.Quantile(1-a, stat.LinInterp, xs, nil) - med
	}
	return contribution, spend, roas
}

// spend returns channel c's spend in week t.
func (f *MMMFit) spend(c, t int) float64 { return f.media[c][t] }

// TriangulationRow is one source's ROAS for the channel and period. Outcome
// is what that source credits (attribution) or estimates as caused (MMM,
// lift test); rows are different measurements and must never be added.
type TriangulationRow struct {
	Source      string  `json:"source"` // attribution | mmm | lift_test
	Method      string  `json:"method"`
	Outcome     float64 `json:"outcome"`
	Spend       float64 `json:"spend"`
	ROAS        float64 `json:"roas"`
	Low         float64 `json:"low"`
	High        float64 `json:"high"`
	HasInterval bool    `json:"has_interval"`
	From        string  `json:"from"` // first week, YYYY-MM-DD
	To          string  `json:"to"`   // last week
	Why         string  `json:"why"`
}

// Triangulation puts side by side, for one channel and period, the ROAS of
// each attribution model, the MMM's incremental ROAS with its interval, and
// each lift test of the channel, with the reasons they differ.
type Triangulation struct {
	Channel string             `json:"channel"`
	From    string             `json:"from"`
	To      string             `json:"to"`
	Spend   float64            `json:"spend"`
	Rows    []TriangulationRow `json:"rows"`
	Notes   []string           `json:"notes"`
}

// Why each source differs (the answer to "which ROAS should I believe?").
const (
	whyAttribution = "credits every converting journey that touched the channel inside the lookback window, including sales that would have happened anyway; it cannot see channels without clicks and the model decides how credit is split"
	whyMMM         = "estimates the outcome caused by spend from how weekly outcome moved with weekly spend, net of trend, seasonality and controls; a model estimate, biased if spend follows something the model does not see"
	whyLift        = "measures the incremental outcome directly in an experiment, over its own window and spend level; the most credible, but narrow"
)

// Triangulate compares, for channel over the weeks starting from..to
// (inclusive, week starts of fit.Weeks), the attribution ROAS of each model
// in attributions (credited value of the period's journeys / spend), the
// MMM's incremental ROAS (PeriodROAS) and the ROAS of each of lifts on the
// channel (Incremental / the channel's spend in the test's own window, with
// a normal interval ±z·SE at fit.Interval). Spend always comes from the
// fit's weekly data, so every row divides by the same money. Errors: an
// *InputError for an unknown channel or weeks outside the fit.
func Triangulate(fit *MMMFit, channel string, from, to time.Time, attributions []Attribution, lifts []LiftTest) (Triangulation, error) {
	c := fit.ChannelIndex(channel)
	if c < 0 {
		return Triangulation{}, &InputError{Row: -1, Field: "channel", Err: fmt.Errorf("%q is not a channel of the model", channel)}
	}
	i, j := weekIndex(fit.Weeks, from), weekIndex(fit.Weeks, to)
	if i < 0 || j < 0 || j < i {
		return Triangulation{}, &InputError{Row: -1, Field: "period", Err: fmt.Errorf("%s..%s are not weeks of the fit (%s..%s)", from.Format("2006-01-02"), to.Format("2006-01-02"), fit.Weeks[0].Format("2006-01-02"), fit.Weeks[len(fit.Weeks)-1].Format("2006-01-02"))}
	}
	day := func(t int) string { return fit.Weeks[t].Format("2006-01-02") }
	contrib, spend, roas := fit.PeriodROAS(c, i, j)
	tr := Triangulation{Channel: channel, From: day(i), To: day(j), Spend: spend}
	if spend <= 0 {
		tr.Notes = append(tr.Notes, "no spend on the channel in the period: no ROAS can be computed")
		return tr, nil
	}
	for _, a := range attributions {
		cr, ok := a.Channel(channel)
		row := TriangulationRow{Source: "attribution", Method: string(a.Model), Spend: spend, From: day(i), To: day(j), Why: whyAttribution}
		if ok {
			row.Outcome = cr.Value
			row.ROAS = cr.Value / spend
		}
		row.Low, row.High = row.ROAS, row.ROAS
		tr.Rows = append(tr.Rows, row)
	}
	mmm := TriangulationRow{Source: "mmm", Method: fmt.Sprintf("%s adstock + %s saturation regression", fit.Adstock, fit.Saturation), Outcome: contrib, Spend: spend,
		ROAS: roas.Value, Low: roas.Low, High: roas.High, HasInterval: fit.Bootstrap > 0, From: day(i), To: day(j), Why: whyMMM}
	tr.Rows = append(tr.Rows, mmm)
	z := distuv.UnitNormal.Quantile(1 - (1-fit.Interval)/2)
	var lifted []TriangulationRow
	var liftWeeks [][2]int
	for _, lt := range lifts {
		if lt.Channel != channel {
			continue
		}
		a, b := weekIndex(fit.Weeks, lt.Start), weekIndex(fit.Weeks, lt.End)
		if a < 0 || b < 0 {
			tr.Notes = append(tr.Notes, fmt.Sprintf("lift test %s..%s lies outside the fitted weeks and is not shown", lt.Start.Format("2006-01-02"), lt.End.Format("2006-01-02")))
			continue
		}
		s := 0.0
		for t := a; t <= b; t++ {
			s += fit.spend(c, t)
		}
		if s <= 0 {
			continue
		}
		row := TriangulationRow{Source: "lift_test", Method: "experiment", Outcome: lt.Incremental, Spend: s, ROAS: lt.Incremental / s,
			Low: (lt.Incremental - z*lt.SE) / s, High: (lt.Incremental + z*lt.SE) / s, HasInterval: true, From: day(a), To: day(b), Why: whyLift}
		tr.Rows = append(tr.Rows, row)
		lifted = append(lifted, row)
		liftWeeks = append(liftWeeks, [2]int{a, b})
	}
	// Data-driven reasons.
	if !fit.Channels[c].hasAttribution(attributions) && len(attributions) > 0 {
		tr.Notes = append(tr.Notes, "attribution credits nothing to "+channel+": it leaves no touchpoints (e.g. TV, print), so only the MMM and experiments can value it")
	}
	for _, r := range tr.Rows {
		if r.Source == "attribution" && r.ROAS > 0 && mmm.High > 0 && r.ROAS > mmm.High {
			tr.Notes = append(tr.Notes, fmt.Sprintf("%s attribution credits %.1f× the MMM's incremental estimate: much of what it credits would have happened without the spend", r.Method, r.ROAS/mmm.ROAS))
			break
		}
	}
	for _, r := range tr.Rows {
		if r.Source == "attribution" && r.ROAS < mmm.Low {
			tr.Notes = append(tr.Notes, fmt.Sprintf("%s attribution credits less than the MMM's interval: the channel's effect reaches sales it did not click (views, carry-over)", r.Method))
			break
		}
	}
	for k, l := range lifted {
		_, _, mroas := fit.PeriodROAS(c, liftWeeks[k][0], liftWeeks[k][1])
		if l.High < mroas.Low || l.Low > mroas.High {
			tr.Notes = append(tr.Notes, fmt.Sprintf("the lift test (%s..%s, ROAS %.3g) disagrees with the MMM over the same weeks (%.3g, interval %.3g..%.3g): refit the MMM with the test as calibration", l.From, l.To, l.ROAS, mroas.Value, mroas.Low, mroas.High))
		} else {
			tr.Notes = append(tr.Notes, fmt.Sprintf("the lift test (%s..%s, ROAS %.3g) agrees with the MMM over the same weeks (%.3g)", l.From, l.To, l.ROAS, mroas.Value))
		}
	}
	if len(lifted) == 0 {
		tr.Notes = append(tr.Notes, "no lift test on "+channel+": an experiment is the way to check the MMM's estimate")
	}
	tr.Notes = append(tr.Notes, "these are different measurements of different things: never add conversions or revenue across the rows")
	return tr, nil
}

func (ch MMMChannel) hasAttribution(as []Attribution) bool {
	for _, a := range as {
		if cr, ok := a.Channel(ch.Name); ok && cr.Value > 0 {
			return true
		}
	}
	return false
}
