package analytics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PathSeparator separates channels in a path string, as in the
// ChannelAttribution package's path column ("email > paid search > direct").
const PathSeparator = " > "

// Path is an aggregated customer journey in the layout of the R/Python
// package ChannelAttribution (Altomare and Loris): the ordered channels
// touched, how many journeys along exactly this sequence converted
// (Conversions) and how many did not (Nulls), and the total conversion value
// of the converting ones.
//
// Conversions and Nulls are counts, kept as float64 because aggregated data
// may carry weights. Value is in major currency units (pounds, not pence):
// ChannelAttribution files carry fractional values, so Money would lose
// precision. A Path with no Channels holds conversions that no touchpoint
// preceded; models report them as unattributed.
type Path struct {
	Channels    []string
	Conversions float64
	Value       float64
	Nulls       float64
}

// String returns the channels joined by PathSeparator.
func (p Path) String() string { return strings.Join(p.Channels, PathSeparator) }

// Journey is one customer's ordered touchpoints leading to one conversion,
// or, for a non-converting journey, to the as-of time at which no
// conversion had followed them.
type Journey struct {
	CustomerID string
	// Touchpoints are the customer's touchpoints in the journey, oldest
	// first; empty for a conversion that no touchpoint preceded in the
	// lookback window.
	Touchpoints []Touchpoint
	// End is the conversion time, or the as-of time of a non-converting
	// journey.
	End time.Time
	// Converted reports whether the journey ended in Conversion.
	Converted bool
	// Conversion is the converting order; zero when Converted is false.
	Conversion Conversion
}

// Channels returns the journey's channels in touch order.
func (j Journey) Channels() []string {
	ch := make([]string, len(j.Touchpoints))
	for i, t := range j.Touchpoints {
		ch[i] = t.Channel
	}
	return ch
}

var (
	errEmptyField     = errors.New("empty")
	errNotPositive    = errors.New("must be positive")
	errNotFinite      = errors.New("not a finite number")
	errBadPathChannel = errors.New("empty channel name or stray '>'")
)

// BuildJourneys splits each customer's touchpoints into the journeys that
// attribution models credit. The rule, per customer:
//
//   - Each touchpoint belongs to the customer's first conversion at or after
//     it (the next conversion). A touchpoint at the same instant as a
//     conversion belongs to that conversion, so touchpoints after a
//     conversion start the path of the next one and are never credited twice.
//   - It enters that conversion's journey only if it lies within
//     lookbackDays before the conversion: End − At ≤ lookbackDays. Older
//     touchpoints are dropped.
//   - Touchpoints after the customer's last conversion (or all of them, for
//     a customer who never converted) form one non-converting journey with
//     End = asOf. It keeps the touchpoints within lookbackDays before the
//     newest of them, so null paths span the same window as converting
//     ones; a customer touched long before asOf still counts as a null.
//     Journeys still open at asOf (a conversion may yet follow) count as
//     nulls too: pass an earlier asOf to leave recent touchpoints out.
//   - Touchpoints and conversions after asOf are ignored. A conversion with
//     no touchpoint in its window still yields a journey (with no
//     touchpoints), so totals stay complete.
//
// Journeys come out ordered by customer ID, then End (converting journeys
// before a non-converting one); touchpoints with equal times keep their
// input order. lookbackDays is in days and must be positive. It returns an
// *InputError naming the row and field for an empty CustomerID or Channel,
// a negative Revenue, or a bad lookbackDays, and ErrNoData when no
// touchpoint or conversion lies at or before asOf.
//
// Source: the usual lookback-window rule of multi-touch attribution
// (e.g. Google Analytics' conversion lookback window).
func BuildJourneys(touchpoints []Touchpoint, conversions []Conversion, lookbackDays float64, asOf time.Time) ([]Journey, error) {
	if !(lookbackDays > 0) || math.IsInf(lookbackDays, 0) {
		return nil, &InputError{Row: -1, Field: "lookbackDays", Err: errNotPositive}
	}
	for i, t := range touchpoints {
		switch {
		case t.CustomerID == "":
			return nil, &InputError{Row: i, Field: "CustomerID", Err: errEmptyField}
		case strings.TrimSpace(t.Channel) == "":
			return nil, &InputError{Row: i, Field: "Channel", Err: errEmptyField}
		}
	}
	for i, c := range conversions {
		switch {
		case c.CustomerID == "":
			return nil, &InputError{Row: i, Field: "CustomerID", Err: errEmptyField}
		case c.Revenue < 0:
			return nil, &InputError{Row: i, Field: "Revenue", Err: ErrNegative}
		}
	}
	// Group input indices by customer in flat arrays (a counting sort by
	// customer) so the inputs stay untouched and allocations stay few.
	slot := make(map[string]int)
	var ids []string
	slotOf := func(id string) int {
		k, ok := slot[id]
		if !ok {
			k = len(ids)
			slot[id] = k
			ids = append(ids, id)
		}
		return k
	}
	tpSlot := make([]int, len(touchpoints))
	convSlot := make([]int, len(conversions))
	var nTP, nConv int
	for i, t := range touchpoints {
		tpSlot[i] = -1
		if !t.At.After(asOf) {
			tpSlot[i] = slotOf(t.CustomerID)
			nTP++
		}
	}
	for i, c := range conversions {
		convSlot[i] = -1
		if !c.At.After(asOf) {
			convSlot[i] = slotOf(c.CustomerID)
			nConv++
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("build journeys: %w", ErrNoData)
	}
	group := func(slots []int, n int) (idx []int, start []int) {
		start = make([]int, len(ids)+1)
		for _, k := range slots {
			if k >= 0 {
				start[k+1]++
			}
		}
		for k := range ids {
			start[k+1] += start[k]
		}
		idx = make([]int, n)
		fill := slices.Clone(start[:len(ids)])
		for i, k := range slots {
			if k >= 0 {
				idx[fill[k]] = i
				fill[k]++
			}
		}
		return idx, start
	}
	tpIdx, tpStart := group(tpSlot, nTP)
	convIdx, convStart := group(convSlot, nConv)
	order := make([]int, len(ids))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })

	window := time.Duration(math.MaxInt64) // about 292 years
	if ns := lookbackDays * float64(24*time.Hour); ns < float64(math.MaxInt64) {
		window = time.Duration(ns)
	}
	out := make([]Journey, 0, nConv+len(ids))
	buf := make([]Touchpoint, 0, nTP) // journeys' touchpoints share it; never regrown
	for _, k := range order {
		tps := tpIdx[tpStart[k]:tpStart[k+1]]
		convs := convIdx[convStart[k]:convStart[k+1]]
		slices.SortStableFunc(tps, func(a, b int) int {
			return touchpoints[a].At.Compare(touchpoints[b].At)
		})
		slices.SortStableFunc(convs, func(a, b int) int {
			if c := conversions[a].At.Compare(conversions[b].At); c != 0 {
				return c
			}
			return cmp.Compare(conversions[a].OrderID, conversions[b].OrderID)
		})
		next := 0 // first touchpoint not yet assigned
		collect := func(end time.Time) []Touchpoint {
			from := end.Add(-window)
			begin := len(buf)
			for next < len(tps) && !touchpoints[tps[next]].At.After(end) {
				if t := touchpoints[tps[next]]; !t.At.Before(from) {
					buf = append(buf, t)
				}
				next++
			}
			if len(buf) == begin {
				return nil
			}
			return buf[begin:len(buf):len(buf)]
		}
		for _, ci := range convs {
			c := conversions[ci]
			out = append(out, Journey{
				CustomerID:  ids[k],
				Touchpoints: collect(c.At),
				End:         c.At,
				Converted:   true,
				Conversion:  c,
			})
		}
		if next < len(tps) {
			// All remaining touchpoints lie at or before asOf; the window
			// ends at the newest of them.
			newest := touchpoints[tps[len(tps)-1]].At
			out = append(out, Journey{CustomerID: ids[k], Touchpoints: collect(newest), End: asOf})
		}
	}
	return out, nil
}

// AggregateJourneys collapses journeys with identical channel sequences into
// Paths: Conversions counts converting journeys, Nulls non-converting ones,
// and Value sums Conversion.Revenue in major units. Timestamps are dropped,
// so use TimeDecayJourneyAttribution for time decay on real times. Paths
// come out in order of first appearance; an empty input gives an empty
// result.
func AggregateJourneys(journeys []Journey) []Path {
	index := make(map[string]int)
	var paths []Path
	var revenue []Money // exact sums, converted to major units at the end
	var key []byte
	for _, j := range journeys {
		key = key[:0]
		for _, t := range j.Touchpoints {
			key = strconv.AppendInt(key, int64(len(t.Channel)), 10)
			key = append(key, ':')
			key = append(key, t.Channel...)
		}
		i, ok := index[string(key)]
		if !ok {
			i = len(paths)
			index[string(key)] = i
			paths = append(paths, Path{Channels: j.Channels()})
			revenue = append(revenue, 0)
		}
		if j.Converted {
			paths[i].Conversions++
			revenue[i] += j.Conversion.Revenue
		} else {
			paths[i].Nulls++
		}
	}
	for i := range paths {
		paths[i].Value = revenue[i].Major()
	}
	return paths
}
