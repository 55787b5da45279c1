package analytics

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// State names of the Markov chain besides the channels, as the
// ChannelAttribution package prints them in its transition matrix.
const (
	StartState      = "(start)"
	ConversionState = "(conversion)"
	NullState       = "(null)"
)

// MarkovResult is the Markov-chain attribution of a path set.
//
// Attribution holds the attributed conversions and value per channel.
// ConversionProbability is the probability that a journey started at
// StartState is absorbed in ConversionState; on the data the chain was
// estimated from it equals the observed conversion rate
// Σ Conversions / Σ (Conversions + Nulls) over paths with touchpoints.
// RemovalEffects has one entry per channel, sorted by name. Transitions
// lists every observed transition (non-zero count), ordered by from-state
// then to-state, with states ordered StartState, the channels by name (for
// order > 1, the channel tuples in order of first appearance),
// ConversionState, NullState.
type MarkovResult struct {
	Attribution
	ConversionProbability float64
	RemovalEffects        []RemovalEffect
	Transitions           []Transition
}

// RemovalEffect is the effect on the chain of removing one channel:
// ConversionProbability is P(conversion) when the channel is made an
// absorbing null state, and Effect = 1 − ConversionProbability / P(conversion),
// a fraction in [0, 1].
type RemovalEffect struct {
	Channel               string
	ConversionProbability float64
	Effect                float64
}

// Transition is one edge of the Markov chain: the weighted number of
// observed moves From → To and its probability Count / Σ_To Count.
type Transition struct {
	From, To    string
	Count       float64
	Probability float64
}

var errSingularChain = errors.New("absorption system is singular")

// MarkovAttribution attributes conversions with a first-order absorbing
// Markov chain over the states StartState, one state per channel,
// ConversionState and NullState (Anderl et al. 2016; the ChannelAttribution
// package's markov_model with order 1).
//
// Transition counts: a path c1 > … > ck with Conversions a and Nulls b
// adds a + b to START→c1 and to each ci→ci+1 (repeated channels give
// self-transitions, which are kept; they do not change absorption
// probabilities), a to ck→CONVERSION and b to ck→NULL. Probabilities are
// counts divided by their row sums.
//
// The absorption probabilities h of the transient states (START and the
// channels) solve (I − Q) h = r exactly, where Q is the transient block of
// the transition matrix and r the column of moves into CONVERSION; the
// system is solved by LU decomposition (gonum/mat), not by simulation.
// P(conversion) = h_START. Removing channel c makes it an absorbing null
// state, giving P_c. One factorization yields every P_c: with G = (I − Q)⁻¹
// (expected visits), P_c = P(conversion) − (G_START,c / G_c,c) · h_c, the
// probability of converting without passing through c. Then
//
//	RE_c = 1 − P_c / P(conversion)
//	conversions_c = C × RE_c / Σ_d RE_d,  value_c = V × RE_c / Σ_d RE_d
//
// with C and V the total conversions and value of the paths with
// touchpoints, so attributed totals equal C and V. Value is split with the
// conversion removal effects (ChannelAttribution computes separate value
// removal effects by simulation; this model does not).
//
// Paths without touchpoints stay out of the chain and are reported as
// unattributed. It returns ErrNoData when paths is empty or holds no
// conversion on a path with touchpoints, an *InputError for a negative or
// non-finite count or value or an empty channel name, and an error if the
// linear system is singular (which valid input does not produce: every
// state reached leads to absorption).
//
// Source: E. Anderl, I. Becker, F. von Wangenheim, J. H. Schumann (2016),
// "Mapping the customer journey: Lessons learned from graph-based online
// attribution modeling", International Journal of Research in Marketing
// 33(3); D. Altomare, D. Loris, "ChannelAttribution" vignette (2015).
func MarkovAttribution(paths []Path) (MarkovResult, error) {
	return markovAttribution(paths, 1, "markov attribution")
}

// MaxMarkovOrder and MaxMarkovStates bound MarkovAttributionOrder: the
// exact solve is a dense LU with one row per observed state, repeated for
// each channel, so time grows as states³ × channels (order 3 on Data.csv,
// 966 states and 12 channels, takes about 2 s).
const (
	MaxMarkovOrder  = 4
	MaxMarkovStates = 1000
)

// MarkovAttributionOrder is MarkovAttribution with a chain of the given
// order k (1 ≤ k ≤ MaxMarkovOrder): a state is the tuple of the last up to
// k channels, so the path c1 > c2 > c3 visits (c1), (c1,c2), (c2,c3) for
// k = 2. Removing a channel makes every state that contains it an
// absorbing null state. Transitions name tuple states by joining their
// channels with ","; RemovalEffects and the attribution stay per channel.
// Order 1 equals MarkovAttribution.
//
// It returns an *InputError naming "order" for an order outside
// [1, MaxMarkovOrder] or when the paths have more than MaxMarkovStates
// distinct states, and the errors of MarkovAttribution.
//
// Source: ChannelAttribution's markov_model(order = k); Anderl et al.
// (2016) (higher-order graph-based attribution).
func MarkovAttributionOrder(paths []Path, order int) (MarkovResult, error) {
	op := "markov attribution"
	if order != 1 {
		op += " order " + strconv.Itoa(order)
	}
	return markovAttribution(paths, order, op)
}

var errTooManyStates = fmt.Errorf("more than %d chain states", MaxMarkovStates)

func markovAttribution(paths []Path, order int, op string) (MarkovResult, error) {
	if order < 1 || order > MaxMarkovOrder {
		return MarkovResult{}, fmt.Errorf("%s: %w", op, &InputError{Row: -1, Field: "order", Err: fmt.Errorf("must lie in [1, %d]", MaxMarkovOrder)})
	}
	ps, err := newPathSet(paths)
	if err != nil {
		return MarkovResult{}, fmt.Errorf("%s: %w", op, err)
	}
	n := len(ps.names)
	if order > 1 && n >= 1<<16-1 {
		return MarkovResult{}, fmt.Errorf("%s: %w", op, &InputError{Row: -1, Field: "order", Err: errTooManyStates})
	}

	// Chain states: 0 start, then the transient channel states 1..m (for
	// order 1, state c+1 is channel c), then m+1 conversion and m+2 null.
	// tuples[i-1] lists the channels of state i.
	var tuples [][]int
	var stateOf [][]int // order > 1: per path, the state of each touch
	if order == 1 {
		tuples = make([][]int, n)
		for c := range tuples {
			tuples[c] = []int{c}
		}
	} else {
		total := 0
		for _, seq := range ps.seqs {
			total += len(seq)
		}
		flat := make([]int, total)
		stateOf = make([][]int, len(ps.seqs))
		index := make(map[uint64]int)
		for i, seq := range ps.seqs {
			st := flat[:len(seq):len(seq)]
			flat = flat[len(seq):]
			for j := range seq {
				from := max(0, j-order+1)
				var key uint64
				for _, c := range seq[from : j+1] {
					key = key<<16 | uint64(c+1)
				}
				k, ok := index[key]
				if !ok {
					if len(tuples) >= MaxMarkovStates {
						return MarkovResult{}, fmt.Errorf("%s: %w", op, &InputError{Row: -1, Field: "order", Err: errTooManyStates})
					}
					tuples = append(tuples, seq[from:j+1])
					k = len(tuples)
					index[key] = k
				}
				st[j] = k
			}
			stateOf[i] = st
		}
	}
	m := len(tuples)
	s := m + 3
	conv, null := m+1, m+2
	counts := make([]float64, s*s)
	var chainConv, chainValue, outConv, outValue float64
	for i, st := range ps.seqs {
		off := 1 // order 1: state c+1 is channel c
		if order > 1 {
			st, off = stateOf[i], 0
		}
		p := ps.paths[i]
		w := p.Conversions + p.Nulls
		if len(st) == 0 || w == 0 {
			outConv += p.Conversions
			outValue += p.Value
			continue
		}
		chainConv += p.Conversions
		chainValue += p.Value
		from := 0
		for _, to := range st {
			to += off
			counts[from*s+to] += w
			from = to
		}
		counts[from*s+conv] += p.Conversions
		counts[from*s+null] += p.Nulls
	}
	if chainConv == 0 {
		return MarkovResult{}, fmt.Errorf("%s: %w: %w", op, ErrNoData, errNoConversions)
	}
	probs := make([]float64, s*s)
	for i := 0; i < conv; i++ {
		row := counts[i*s : (i+1)*s]
		var sum float64
		for _, c := range row {
			sum += c
		}
		if sum > 0 {
			for j, c := range row {
				probs[i*s+j] = c / sum
			}
		}
	}

	var base float64
	removal := make([]float64, n) // P(conversion) with channel c removed
	if order == 1 {
		base, removal, err = firstOrderRemoval(probs, s, m)
		if err != nil {
			return MarkovResult{}, fmt.Errorf("%s: %w", op, err)
		}
	} else {
		if base, err = absorption(probs, s, m, nil); err != nil {
			return MarkovResult{}, fmt.Errorf("%s: %w", op, err)
		}
		removed := make([]bool, m+1)
		for c := range removal {
			for i, t := range tuples {
				removed[i+1] = slices.Contains(t, c)
			}
			if removal[c], err = absorption(probs, s, m, removed); err != nil {
				return MarkovResult{}, fmt.Errorf("%s: removing %q: %w", op, ps.names[c], err)
			}
		}
	}
	res := MarkovResult{ConversionProbability: base, RemovalEffects: make([]RemovalEffect, n)}
	var sumRE float64
	for c, pc := range removal {
		re := 1 - pc/base
		// Removal can only lower P(conversion); clamp rounding.
		re = min(max(re, 0), 1)
		res.RemovalEffects[c] = RemovalEffect{Channel: ps.names[c], ConversionProbability: pc, Effect: re}
		sumRE += re
	}
	convs := make([]float64, n)
	values := make([]float64, n)
	for c, re := range res.RemovalEffects {
		convs[c] = chainConv * re.Effect / sumRE
		values[c] = chainValue * re.Effect / sumRE
	}
	res.Attribution = ps.result(Markov, convs, values)
	// Paths with touchpoints but neither conversions nor nulls carry value
	// the chain cannot see; count it as unattributed so totals conserve.
	res.UnattributedConversions, res.UnattributedValue = outConv, outValue

	name := func(i int) string {
		switch i {
		case 0:
			return StartState
		case conv:
			return ConversionState
		case null:
			return NullState
		}
		t := tuples[i-1]
		if len(t) == 1 {
			return ps.names[t[0]]
		}
		parts := make([]string, len(t))
		for k, c := range t {
			parts[k] = ps.names[c]
		}
		return strings.Join(parts, ",")
	}
	for i := 0; i < conv; i++ {
		for j := 1; j < s; j++ {
			if c := counts[i*s+j]; c > 0 {
				res.Transitions = append(res.Transitions, Transition{From: name(i), To: name(j), Count: c, Probability: probs[i*s+j]})
			}
		}
	}
	return res, nil
}

// firstOrderRemoval returns P(conversion) from the start state and, for
// each transient state c = 1..m, P(conversion) with c made an absorbing
// null state, from one LU factorization of A = I − Q:
//
//	G = A⁻¹ (expected visits), h = G r (absorption in conversion)
//	P = h_0,  P_c = P − (G_0c / G_cc) · h_c
//
// because a journey either converts before reaching c (probability P_c) or
// reaches c first, with probability G_0c / G_cc, and then converts with
// probability h_c (strong Markov property). This costs O(m³) for all
// removals instead of one O(m³) solve per removal.
func firstOrderRemoval(probs []float64, s, m int) (float64, []float64, error) {
	k := m + 1
	a := mat.NewDense(k, k, nil)
	r := mat.NewVecDense(k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			v := -probs[i*s+j]
			if i == j {
				v++
			}
			a.Set(i, j, v)
		}
		r.SetVec(i, probs[i*s+m+1])
	}
	var lu mat.LU
	lu.Factorize(a)
	eye := mat.NewDiagDense(k, nil)
	for i := 0; i < k; i++ {
		eye.SetDiag(i, 1)
	}
	var g mat.Dense
	if err := lu.SolveTo(&g, false, eye); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", errSingularChain, err)
	}
	var h mat.VecDense
	h.MulVec(&g, r)
	base := h.AtVec(0)
	removal := make([]float64, m)
	for c := 1; c < k; c++ {
		reach := g.At(0, c) / g.At(c, c) // G_cc ≥ 1: c is visited at least once from c
		removal[c-1] = min(max(base-reach*h.AtVec(c), 0), base)
	}
	return base, removal, nil
}

// absorption returns P(absorbed in conversion | start) for the chain with
// transition matrix probs (s×s, row-major; transient states 0..m, m+1 the
// conversion state). Transient states i with removed[i] become absorbing
// null states; removed may be nil.
func absorption(probs []float64, s, m int, removed []bool) (float64, error) {
	keep := make([]int, 0, m+1)
	for i := 0; i <= m; i++ {
		if removed == nil || !removed[i] {
			keep = append(keep, i)
		}
	}
	k := len(keep)
	a := mat.NewDense(k, k, nil)
	b := mat.NewVecDense(k, nil)
	for r, i := range keep {
		for c, j := range keep {
			v := -probs[i*s+j]
			if r == c {
				v++
			}
			a.Set(r, c, v)
		}
		b.SetVec(r, probs[i*s+m+1])
	}
	var lu mat.LU
	lu.Factorize(a)
	var h mat.VecDense
	if err := lu.SolveVecTo(&h, false, b); err != nil {
		return 0, fmt.Errorf("%w: %w", errSingularChain, err)
	}
	return h.AtVec(0), nil
}
