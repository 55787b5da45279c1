package demodata

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
)

// MMMDataset is the name under which the MMM scenario is stored.
const MMMDataset = "synthetic_mmm"

// MMMChannelTruth is one channel of the MMM scenario's data-generating
// process: weekly spend Base·(1 + Amplitude·sin(2π(t/52 + Phase)))·LogNormal
// (0, Noise) (zero in the weeks a flighted channel is dark), incremental
// outcome Beta·tanh(Lambda·a_t/2) with a_t the geometric adstock (decay
// Alpha, 8 weeks, weights normalised) of spend divided by its largest week
// (PyMC-Marketing's parameterisation). TrueROAS and TrueContribution are
// computed from that process over the whole scenario: Σ_t contribution_t
// and Σ_t contribution_t / Σ_t spend_t. Touchpoints says whether the
// channel leaves clicks that attribution can see (TV does not).
type MMMChannelTruth struct {
	Name             string  `json:"name"`
	Base             float64 `json:"base"`
	Amplitude        float64 `json:"amplitude"`
	Phase            float64 `json:"phase"`
	Noise            float64 `json:"noise"`
	Flighted         bool    `json:"flighted"`
	Alpha            float64 `json:"alpha"`
	Lambda           float64 `json:"lambda"`
	Beta             float64 `json:"beta"`
	Touchpoints      bool    `json:"touchpoints"`
	TrueContribution float64 `json:"true_contribution"`
	TrueSpend        float64 `json:"true_spend"`
	TrueROAS         float64 `json:"true_roas"`
}

// MMMScenario is a SYNTHETIC weekly media-mix data set simulated from one
// seeded truth, with that truth: the weekly input (spend per channel,
// revenue, one event), touchpoint paths for attribution over the same
// weeks, one lift test with stated noise, and each channel's true
// contribution and ROAS. Money is in GBP (major units).
type MMMScenario struct {
	Seed     uint64
	Currency string
	Input    analytics.MMMInput
	Channels []MMMChannelTruth
	// Paths are the converting and non-converting touchpoint paths of the
	// orders (one order = AOV of revenue), for attribution.
	Paths []analytics.Path
	// Lift is the scenario's lift test; LiftTrue is the true incremental
	// outcome over its window (the measurement is LiftTrue + N(0, Lift.SE)).
	Lift     analytics.LiftTest
	LiftTrue float64
	// Baseline and noise of the outcome, for the record.
	BaselineWeekly float64
	NoiseSD        float64
	AOV            float64
}

// MMMWeeks is the length of the scenario.
const MMMWeeks = 208

// mmmTruth lists the scenario's channels. Display is built to have a low
// incremental ROAS and TV a high one without any touchpoint.
var mmmTruth = []MMMChannelTruth{
	{Name: "tv", Base: 10000, Amplitude: 0.5, Phase: 0.1, Noise: 0.5, Flighted: true, Alpha: 0.6, Lambda: 1.5, Beta: 40000},
	{Name: "paid_search", Base: 8000, Amplitude: 0.3, Phase: 0.4, Noise: 0.5, Alpha: 0.2, Lambda: 1.5, Beta: 45000},
	{Name: "paid_social", Base: 5000, Amplitude: 0.4, Phase: 0.7, Noise: 0.5, Alpha: 0.4, Lambda: 1.5, Beta: 20000},
	{Name: "display", Base: 4000, Amplitude: 0.3, Phase: 0.25, Noise: 0.5, Alpha: 0.3, Lambda: 1.5, Beta: 12000},
}

// GenerateMMM simulates the MMM scenario from seed: 208 weeks from Monday
// 2022-01-03 (UTC), four channels (mmmTruth), revenue = 60,000 + 150·t +
// 8,000·sin(2πt/52.18) + 5,000 in the event week (Black Friday) + Σ channel
// contributions + N(0, 1,000²). The lift test is on display over weeks
// 100..107: the true incremental revenue there plus N(0, SE²) with SE 10%
// of the truth.
func GenerateMMM(seed uint64) *MMMScenario {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	n := MMMWeeks
	start := time.Date(2022, 1, 3, 0, 0, 0, 0, time.UTC)
	sc := &MMMScenario{Seed: seed, Currency: "GBP", BaselineWeekly: 60000, NoiseSD: 1000, AOV: 50}
	weeks := make([]time.Time, n)
	for t := range weeks {
		weeks[t] = start.AddDate(0, 0, 7*t)
	}
	sc.Input.Weeks = weeks
	y := make([]float64, n)
	event := make([]float64, n)
	for t := range y {
		y[t] = sc.BaselineWeekly + 150*float64(t) + 8000*math.Sin(2*math.Pi*float64(t)/(365.25/7))
		// Black Friday weeks (week containing the last Friday of November).
		d := weeks[t]
		fri := d.AddDate(0, 0, 4)
		if fri.Month() == time.November && fri.AddDate(0, 0, 7).Month() == time.December {
			event[t] = 1
			y[t] += 5000
		}
	}
	contrib := make([][]float64, len(mmmTruth))
	for c, tr := range mmmTruth {
		x := make([]float64, n)
		dark := false
		for t := range x {
			if tr.Flighted && t%6 == 0 {
				dark = rng.Float64() < 0.5 // TV runs in flights: some 6-week blocks dark
			}
			v := tr.Base * (1 + tr.Amplitude*math.Sin(2*math.Pi*(float64(t)/52+tr.Phase))) * math.Exp(tr.Noise*rng.NormFloat64()-tr.Noise*tr.Noise/2)
			if dark {
				v = 0
			}
			x[t] = math.Round(v)
		}
		mx := 0.0
		for _, v := range x {
			mx = math.Max(mx, v)
		}
		w, _ := analytics.GeometricAdstockWeights(tr.Alpha, 8)
		ad := analytics.Adstock(x, w)
		contrib[c] = make([]float64, n)
		tr.TrueSpend = 0
		for t := range x {
			contrib[c][t] = tr.Beta * analytics.LogisticSaturationValue(ad[t]/mx, tr.Lambda)
			y[t] += contrib[c][t]
			tr.TrueContribution += contrib[c][t]
			tr.TrueSpend += x[t]
		}
		tr.TrueROAS = tr.TrueContribution / tr.TrueSpend
		tr.Touchpoints = tr.Name != "tv"
		sc.Channels = append(sc.Channels, tr)
		sc.Input.Media = append(sc.Input.Media, analytics.MMMSeries{Name: tr.Name, Values: x})
	}
	for t := range y {
		y[t] = math.Round((y[t]+sc.NoiseSD*rng.NormFloat64())*100) / 100
	}
	sc.Input.Outcome = y
	sc.Input.Events = []analytics.MMMSeries{{Name: "black_friday", Values: event}}

	// Lift test on display, weeks 100..107.
	from, to := 100, 107
	di := 3
	for t := from; t <= to; t++ {
		sc.LiftTrue += contrib[di][t]
	}
	se := 0.1 * sc.LiftTrue
	sc.Lift = analytics.LiftTest{Channel: "display", Start: weeks[from], End: weeks[to], Incremental: math.Round(sc.LiftTrue + se*rng.NormFloat64()), SE: math.Round(se)}

	sc.Paths = mmmPaths(sc, contrib, rng)
	return sc
}

// mmmPaths draws one path per order (revenue / AOV orders a week): each
// order has 1–3 touches from the clickable channels, organic_search and
// direct, chosen in proportion to that week's spend share of each paid
// channel (a click-through weight) and fixed organic/direct weights; paid
// channels also leave non-converting paths. So attribution sees every
// order, incremental or not, and credits the channels that were touched.
func mmmPaths(sc *MMMScenario, contrib [][]float64, rng *rand.Rand) []analytics.Path {
	type agg struct{ conv, value, nulls float64 }
	paths := map[string]*agg{}
	click := map[string]float64{"paid_search": 3.0, "paid_social": 1.2, "display": 0.8}
	names := []string{"paid_search", "paid_social", "display", "organic_search", "direct"}
	for t := range sc.Input.Weeks {
		weights := make([]float64, len(names))
		total := 0.0
		for i, nm := range names {
			switch nm {
			case "organic_search":
				weights[i] = 1.0
			case "direct":
				weights[i] = 0.8
			default:
				for c, tr := range sc.Channels {
					if tr.Name == nm {
						weights[i] = click[nm] * sc.Input.Media[c].Values[t] / tr.Base
					}
				}
			}
			total += weights[i]
		}
		pick := func() string {
			u := rng.Float64() * total
			for i, w := range weights {
				if u < w {
					return names[i]
				}
				u -= w
			}
			return names[len(names)-1]
		}
		orders := int(math.Round(sc.Input.Outcome[t] / sc.AOV))
		value := sc.Input.Outcome[t] / float64(orders)
		for o := 0; o < orders; o++ {
			k := 1 + rng.IntN(3)
			var p []string
			for j := 0; j < k; j++ {
				p = append(p, pick())
			}
			key := strings.Join(p, analytics.PathSeparator)
			a := paths[key]
			if a == nil {
				a = &agg{}
				paths[key] = a
			}
			a.conv++
			a.value += value
			// Non-converting journeys: two for every converting one.
			a.nulls += 2
		}
	}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]analytics.Path, 0, len(keys))
	for _, k := range keys {
		a := paths[k]
		out = append(out, analytics.Path{Channels: strings.Split(k, analytics.PathSeparator), Conversions: a.conv, Value: math.Round(a.value*100) / 100, Nulls: a.nulls})
	}
	return out
}

// String summarises the scenario's truth.
func (sc *MMMScenario) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SYNTHETIC MMM scenario (seed %d, %d weeks, %s)\n", sc.Seed, len(sc.Input.Weeks), sc.Currency)
	for _, c := range sc.Channels {
		fmt.Fprintf(&b, "  %-12s spend %12.0f  true contribution %12.0f  true ROAS %.3f\n", c.Name, c.TrueSpend, c.TrueContribution, c.TrueROAS)
	}
	return b.String()
}
