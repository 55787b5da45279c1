package demodata

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/roibot/roibot/analytics"
)

// DefaultSeed is the seed `roibot demo-data` uses.
const DefaultSeed = 20111209

// Channel describes one marketing channel of the synthetic layer.
type Channel struct {
	Name string
	Kind string // paid | owned | earned
	// Weight is the channel's relative share of touchpoints.
	Weight float64
	// TargetROAS is the revenue per unit of spend built into the channel
	// (last-touch basis); 0 means the channel has no spend (organic, direct).
	TargetROAS float64
	// SessionsPerOrder is how many non-converting sessions the channel
	// brings per converting one, and Continue the probability that a
	// non-converting session goes on from each stage to the next
	// (visit→product_view, →add_to_cart, →checkout).
	SessionsPerOrder float64
	Continue         [3]float64
}

// Channels is the synthetic channel mix. ROI = ROAS − 1: display is built to
// lose money, email to return the most per pound.
var Channels = []Channel{
	{Name: "email", Kind: "owned", Weight: 0.16, TargetROAS: 11.0, SessionsPerOrder: 2, Continue: [3]float64{0.70, 0.35, 0.50}},
	{Name: "paid_search", Kind: "paid", Weight: 0.24, TargetROAS: 4.2, SessionsPerOrder: 3, Continue: [3]float64{0.65, 0.30, 0.45}},
	{Name: "paid_social", Kind: "paid", Weight: 0.16, TargetROAS: 2.1, SessionsPerOrder: 4, Continue: [3]float64{0.50, 0.20, 0.40}},
	{Name: "display", Kind: "paid", Weight: 0.10, TargetROAS: 0.75, SessionsPerOrder: 5, Continue: [3]float64{0.40, 0.15, 0.35}},
	{Name: "affiliate", Kind: "paid", Weight: 0.08, TargetROAS: 3.0, SessionsPerOrder: 2, Continue: [3]float64{0.60, 0.30, 0.50}},
	{Name: "organic_search", Kind: "earned", Weight: 0.16, SessionsPerOrder: 3, Continue: [3]float64{0.60, 0.25, 0.45}},
	{Name: "direct", Kind: "earned", Weight: 0.10, SessionsPerOrder: 1, Continue: [3]float64{0.75, 0.40, 0.55}},
}

// Stages are the funnel stages in order (seed section 4.4).
var Stages = []string{"visit", "product_view", "add_to_cart", "checkout", "purchase"}

// Campaign is a named campaign of a channel, active on [Start, End] (days).
type Campaign struct {
	Name    string
	Channel string
	Start   time.Time
	End     time.Time
}

// TouchRow, SpendRow and FunnelRow are the generated rows.
type TouchRow struct {
	ID         string
	CustomerID string
	Channel    string
	Campaign   string
	At         time.Time
}

// SpendRow is one day's cost of a channel and campaign, in minor units.
type SpendRow struct {
	Day      time.Time
	Channel  string
	Campaign string
	Cost     analytics.Money
}

// FunnelRow is one funnel event of a session.
type FunnelRow struct {
	ID         string
	SessionID  string
	Stage      string
	At         time.Time
	Channel    string
	Campaign   string
	CustomerID string
}

// Truth is what the generator built into one channel over the whole range:
// the revenue of the orders whose last touch is on the channel (the latest
// touchpoint of the order's journey: a touchpoint credits the customer's
// next order within LookbackDays, as analytics.BuildJourneys defines it),
// the spend it generated, and the resulting ROI = (revenue − cost)/cost.
type Truth struct {
	Channel          string
	LastTouchRevenue analytics.Money
	Cost             analytics.Money
	Conversions      int
}

// Layer is the generated synthetic marketing layer.
type Layer struct {
	Seed        uint64
	Channels    []Channel
	Campaigns   []Campaign
	Spend       []SpendRow
	Touchpoints []TouchRow
	Funnel      []FunnelRow
	Truth       []Truth
}

// LookbackDays is the attribution window the generator places touchpoints in.
const LookbackDays = 30

// Generate builds the layer for the given purchase orders (returns excluded;
// orders without a customer are ignored) from seed. Each order gets 1–4
// touchpoints inside (previous order of the customer, order], at most
// LookbackDays before it (none when it is at the same instant as the
// previous order); its last touch (lastTouches) decides the ground truth. Spend per
// paid channel is its last-touch revenue divided by its TargetROAS, spread
// over the days on which it touched customers, exact to the penny.
func Generate(orders []analytics.Order, seed uint64) (*Layer, error) {
	var buys []analytics.Order
	for _, o := range orders {
		if !o.IsReturn && o.CustomerID != "" && o.Amount > 0 {
			buys = append(buys, o)
		}
	}
	if len(buys) == 0 {
		return nil, fmt.Errorf("generate synthetic layer: %w", analytics.ErrNoData)
	}
	sort.Slice(buys, func(i, j int) bool {
		if buys[i].CustomerID != buys[j].CustomerID {
			return buys[i].CustomerID < buys[j].CustomerID
		}
		if !buys[i].At.Equal(buys[j].At) {
			return buys[i].At.Before(buys[j].At)
		}
		return buys[i].OrderID < buys[j].OrderID
	})
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	first, last := buys[0].At, buys[0].At
	for _, o := range buys {
		if o.At.Before(first) {
			first = o.At
		}
		if o.At.After(last) {
			last = o.At
		}
	}
	l := &Layer{Seed: seed, Channels: Channels}
	l.Campaigns = campaigns(first.AddDate(0, 0, -LookbackDays), last)

	weights := make([]float64, len(Channels))
	for i, c := range Channels {
		weights[i] = c.Weight
	}
	truth := map[string]*Truth{}
	for _, c := range Channels {
		truth[c.Name] = &Truth{Channel: c.Name}
	}
	touchDays := map[string]map[time.Time]int{} // channel -> day -> touches
	var prevCust string
	var prevAt time.Time
	tid := 0
	for _, o := range buys {
		lo := o.At.Add(-LookbackDays * 24 * time.Hour)
		if o.CustomerID == prevCust && prevAt.After(lo) {
			lo = prevAt
		}
		// An order at the same instant as the customer's previous one gets
		// no touchpoints: by the journey rule the previous order takes them.
		if o.At.After(lo) {
			n := 1 + rng.IntN(4)
			span := o.At.Sub(lo)
			offsets := make([]time.Duration, n)
			for i := range offsets {
				// Strictly after lo, at or before the order.
				offsets[i] = time.Duration(rng.Int64N(int64(span))) + 1
			}
			sort.Slice(offsets, func(i, j int) bool { return offsets[i] < offsets[j] })
			for _, off := range offsets {
				ch := Channels[pick(rng, weights)].Name
				at := lo.Add(off).Truncate(time.Second)
				if !at.After(lo) {
					at = lo.Add(time.Second)
				}
				if at.After(o.At) {
					at = o.At
				}
				tid++
				l.Touchpoints = append(l.Touchpoints, TouchRow{
					ID: fmt.Sprintf("syn-t%07d", tid), CustomerID: o.CustomerID, Channel: ch,
					Campaign: campaignOn(l.Campaigns, ch, at), At: at,
				})
				day := at.UTC().Truncate(24 * time.Hour)
				if touchDays[ch] == nil {
					touchDays[ch] = map[time.Time]int{}
				}
				touchDays[ch][day]++
			}
		}
		prevCust, prevAt = o.CustomerID, o.At
	}
	lastTouch, err := lastTouches(buys, l.Touchpoints, last)
	if err != nil {
		return nil, fmt.Errorf("generate synthetic layer: %w", err)
	}
	for _, o := range buys {
		if lt, ok := lastTouch[o.OrderID]; ok {
			truth[lt.Channel].LastTouchRevenue += o.Amount
			truth[lt.Channel].Conversions++
		}
	}
	for _, c := range Channels {
		t := truth[c.Name]
		if c.TargetROAS > 0 && t.LastTouchRevenue > 0 {
			t.Cost = analytics.Money(float64(t.LastTouchRevenue)/c.TargetROAS + 0.5)
			l.Spend = append(l.Spend, spreadSpend(c.Name, t.Cost, touchDays[c.Name], l.Campaigns)...)
		}
		l.Truth = append(l.Truth, *t)
	}
	l.Funnel = funnel(rng, buys, lastTouch, l)
	return l, nil
}

// ROI returns the ground-truth ROI of t as a fraction, and false when the
// channel has no spend.
func (t Truth) ROI() (float64, bool) {
	if t.Cost == 0 {
		return 0, false
	}
	return float64(t.LastTouchRevenue-t.Cost) / float64(t.Cost), true
}

func pick(rng *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	r := rng.Float64() * sum
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// campaigns makes quarterly named campaigns for every paid or owned channel.
func campaigns(from, to time.Time) []Campaign {
	themes := map[string][]string{
		"email":       {"Newsletter", "Win-back", "New Arrivals"},
		"paid_search": {"Brand Search", "Generic Gifts Search"},
		"paid_social": {"Social Prospecting", "Social Retargeting"},
		"display":     {"Display Awareness"},
		"affiliate":   {"Affiliate Partners"},
	}
	var out []Campaign
	start := time.Date(from.Year(), time.Month(3*((int(from.Month())-1)/3)+1), 1, 0, 0, 0, 0, time.UTC)
	for q := start; !q.After(to); q = q.AddDate(0, 3, 0) {
		end := q.AddDate(0, 3, -1)
		label := fmt.Sprintf("Q%d %d", (int(q.Month())-1)/3+1, q.Year())
		for _, c := range Channels {
			for _, th := range themes[c.Name] {
				out = append(out, Campaign{Name: th + " " + label, Channel: c.Name, Start: q, End: end})
			}
		}
	}
	return out
}

// campaignOn returns the campaign of ch active at t (the first by name when
// several are), or "" for channels without campaigns.
func campaignOn(cs []Campaign, ch string, t time.Time) string {
	day := t.UTC().Truncate(24 * time.Hour)
	for _, c := range cs {
		if c.Channel == ch && !day.Before(c.Start) && !day.After(c.End) {
			// Alternate between the channel's campaigns by day parity so
			// every campaign gets traffic.
			var alts []string
			for _, d := range cs {
				if d.Channel == ch && d.Start.Equal(c.Start) {
					alts = append(alts, d.Name)
				}
			}
			return alts[(day.YearDay())%len(alts)]
		}
	}
	return ""
}

// spreadSpend divides total over the days (and so campaigns) in proportion
// to touches, using the largest-remainder method so the rows sum to total.
func spreadSpend(ch string, total analytics.Money, days map[time.Time]int, cs []Campaign) []SpendRow {
	if len(days) == 0 {
		return nil
	}
	keys := make([]time.Time, 0, len(days))
	var touches int
	for d, n := range days {
		keys = append(keys, d)
		touches += n
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	type share struct {
		i    int
		frac float64
	}
	rows := make([]SpendRow, len(keys))
	fracs := make([]share, len(keys))
	var given analytics.Money
	for i, d := range keys {
		exact := float64(total) * float64(days[d]) / float64(touches)
		whole := analytics.Money(exact)
		rows[i] = SpendRow{Day: d, Channel: ch, Campaign: campaignOn(cs, ch, d), Cost: whole}
		fracs[i] = share{i, exact - float64(whole)}
		given += whole
	}
	sort.SliceStable(fracs, func(a, b int) bool { return fracs[a].frac > fracs[b].frac })
	for k := 0; given < total; k++ {
		rows[fracs[k%len(fracs)].i].Cost++
		given++
	}
	return rows
}

// lastTouches returns each order's last touch under the journey rule that
// defines last-touch attribution (analytics.BuildJourneys: a touchpoint
// credits the customer's next order within LookbackDays): the latest
// touchpoint of the order's journey, keyed by OrderID; orders without one
// are absent. Touchpoints are in ID order, so equal times go to the later ID.
func lastTouches(buys []analytics.Order, rows []TouchRow, asOf time.Time) (map[string]analytics.Touchpoint, error) {
	tps := make([]analytics.Touchpoint, len(rows))
	for i, t := range rows {
		tps[i] = analytics.Touchpoint{CustomerID: t.CustomerID, Channel: t.Channel, Campaign: t.Campaign, At: t.At}
	}
	convs := make([]analytics.Conversion, len(buys))
	for i, o := range buys {
		convs[i] = analytics.Conversion{OrderID: o.OrderID, CustomerID: o.CustomerID, At: o.At, Revenue: o.Amount}
	}
	journeys, err := analytics.BuildJourneys(tps, convs, LookbackDays, asOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]analytics.Touchpoint, len(buys))
	for _, j := range journeys {
		if j.Converted && len(j.Touchpoints) > 0 {
			out[j.Conversion.OrderID] = j.Touchpoints[len(j.Touchpoints)-1]
		}
	}
	return out, nil
}

// funnel makes one converting session per attributed order (all five
// stages, on the order's last-touch channel and campaign, ending at the
// order) and non-converting sessions per channel that stop at a stage
// drawn from Continue.
func funnel(rng *rand.Rand, buys []analytics.Order, lastTouch map[string]analytics.Touchpoint, l *Layer) []FunnelRow {
	var out []FunnelRow
	sid, eid := 0, 0
	add := func(session string, stage string, at time.Time, ch, camp, cust string) {
		eid++
		out = append(out, FunnelRow{ID: fmt.Sprintf("syn-e%08d", eid), SessionID: session, Stage: stage, At: at,
			Channel: ch, Campaign: camp, CustomerID: cust})
	}
	chIdx := map[string]int{}
	for i, c := range Channels {
		chIdx[c.Name] = i
	}
	for _, o := range buys {
		lt, ok := lastTouch[o.OrderID]
		if !ok {
			continue
		}
		sid++
		s := fmt.Sprintf("syn-s%07d", sid)
		for i, st := range Stages {
			at := o.At.Add(-time.Duration(len(Stages)-1-i) * 3 * time.Minute)
			add(s, st, at, lt.Channel, lt.Campaign, o.CustomerID)
		}
		c := Channels[chIdx[lt.Channel]]
		n := int(c.SessionsPerOrder)
		if rng.Float64() < c.SessionsPerOrder-float64(n) {
			n++
		}
		for j := 0; j < n; j++ {
			sid++
			s := fmt.Sprintf("syn-s%07d", sid)
			at := o.At.Add(-time.Duration(rng.Int64N(int64(LookbackDays * 24 * time.Hour)))).Truncate(time.Second)
			camp := campaignOn(l.Campaigns, c.Name, at)
			add(s, Stages[0], at, c.Name, camp, "")
			for st := 1; st < len(Stages)-1; st++ {
				if rng.Float64() >= c.Continue[st-1] {
					break
				}
				at = at.Add(2 * time.Minute)
				add(s, Stages[st], at, c.Name, camp, "")
			}
		}
	}
	return out
}
