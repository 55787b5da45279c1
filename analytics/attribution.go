package analytics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Model names a multi-touch attribution model. The values are the names the
// tools accept (compute_roi, compare_attribution).
type Model string

// The attribution models.
const (
	FirstTouch    Model = "first_touch"
	LastTouch     Model = "last_touch"
	Linear        Model = "linear"
	TimeDecay     Model = "time_decay"
	PositionBased Model = "position_based"
	Markov        Model = "markov"
)

// AttributionModels returns every Model in a fixed order: first_touch,
// last_touch, linear, time_decay, position_based, markov.
func AttributionModels() []Model {
	return []Model{FirstTouch, LastTouch, Linear, TimeDecay, PositionBased, Markov}
}

// Defaults of AttributionOptions, from the Google Analytics (Universal
// Analytics) Model Comparison Tool: time decay with a 7-day half-life and
// position-based 40/20/40.
const (
	DefaultHalfLifeDays = 7.0
	DefaultFirstShare   = 0.4
	DefaultLastShare    = 0.4
)

// AttributionOptions holds the parameters of the parametric models.
type AttributionOptions struct {
	// HalfLifeDays is the time-decay half-life in days; 0 means
	// DefaultHalfLifeDays.
	HalfLifeDays float64
	// FirstShare and LastShare are the position-based shares (fractions)
	// of the first and last touch; both 0 means DefaultFirstShare and
	// DefaultLastShare.
	FirstShare, LastShare float64
	// MarkovOrder is the order of the Markov chain; 0 means 1.
	MarkovOrder int
}

func (o AttributionOptions) withDefaults() AttributionOptions {
	if o.HalfLifeDays == 0 {
		o.HalfLifeDays = DefaultHalfLifeDays
	}
	if o.FirstShare == 0 && o.LastShare == 0 {
		o.FirstShare, o.LastShare = DefaultFirstShare, DefaultLastShare
	}
	if o.MarkovOrder == 0 {
		o.MarkovOrder = 1
	}
	return o
}

// ChannelCredit is the credit one model gives one channel: attributed
// conversions (a count, fractional) and attributed conversion value (in
// the unit of Path.Value, major currency units).
type ChannelCredit struct {
	Channel     string
	Conversions float64
	Value       float64
}

// Attribution is the result of one model over a set of paths.
//
// Channels has one entry per distinct channel of the input paths, sorted by
// name, including channels that received no credit. Conversions and Value
// are the input totals; they equal the sums over Channels plus
// UnattributedConversions and UnattributedValue, which hold the
// conversions of paths without any touchpoint.
type Attribution struct {
	Model                   Model
	Channels                []ChannelCredit
	Conversions             float64
	Value                   float64
	UnattributedConversions float64
	UnattributedValue       float64
}

// Channel returns the credit of the named channel and whether it appears.
func (a Attribution) Channel(name string) (ChannelCredit, bool) {
	i, ok := slices.BinarySearchFunc(a.Channels, name, func(c ChannelCredit, n string) int {
		switch {
		case c.Channel < n:
			return -1
		case c.Channel > n:
			return 1
		}
		return 0
	})
	if !ok {
		return ChannelCredit{}, false
	}
	return a.Channels[i], true
}

var (
	errUnknownModel      = errors.New("unknown attribution model")
	errShares            = errors.New("shares must lie in [0, 1] and sum to at most 1")
	errTouchAfterJourney = errors.New("touchpoint after the journey's end")
	errNoConversions     = errors.New("no conversions to attribute")
)

// pathSet is validated paths with channels interned as indices.
type pathSet struct {
	names       []string // sorted channel names
	seqs        [][]int  // per path, channel indices
	paths       []Path
	conversions float64
	value       float64
}

// newPathSet validates paths and interns their channels. It returns
// ErrNoData for no paths or zero total conversions, and an *InputError for
// a negative or non-finite count or value, or an empty channel name.
func newPathSet(paths []Path) (*pathSet, error) {
	if len(paths) == 0 {
		return nil, ErrNoData
	}
	ps := &pathSet{paths: paths, seqs: make([][]int, len(paths))}
	// One map lookup per touch: intern in first-seen order into one flat
	// buffer, then renumber by sorted name.
	total := 0
	for _, p := range paths {
		total += len(p.Channels)
	}
	flat := make([]int, total)
	index := make(map[string]int)
	at := 0
	for i, p := range paths {
		for _, f := range [...]struct {
			name string
			v    float64
		}{{"Conversions", p.Conversions}, {"Value", p.Value}, {"Nulls", p.Nulls}} {
			if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
				return nil, &InputError{Row: i, Field: f.name, Err: errNotFinite}
			}
			if f.v < 0 {
				return nil, &InputError{Row: i, Field: f.name, Err: ErrNegative}
			}
		}
		seq := flat[at : at+len(p.Channels) : at+len(p.Channels)]
		at += len(p.Channels)
		for j, c := range p.Channels {
			k, ok := index[c]
			if !ok {
				if c == "" {
					return nil, &InputError{Row: i, Field: "Channels", Err: errBadPathChannel}
				}
				k = len(ps.names)
				index[c] = k
				ps.names = append(ps.names, c)
			}
			seq[j] = k
		}
		ps.seqs[i] = seq
		ps.conversions += p.Conversions
		ps.value += p.Value
	}
	if ps.conversions == 0 {
		return nil, fmt.Errorf("%w: %w", ErrNoData, errNoConversions)
	}
	order := make([]int, len(ps.names)) // order[sorted] = first-seen index
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ps.names[a], ps.names[b]) })
	renumber := make([]int, len(order))
	names := make([]string, len(order))
	for sorted, seen := range order {
		renumber[seen] = sorted
		names[sorted] = ps.names[seen]
	}
	ps.names = names
	for i, k := range flat {
		flat[i] = renumber[k]
	}
	return ps, nil
}

// result builds an Attribution from per-channel sums.
func (ps *pathSet) result(m Model, conv, value []float64) Attribution {
	a := Attribution{Model: m, Conversions: ps.conversions, Value: ps.value, Channels: make([]ChannelCredit, len(ps.names))}
	for i, n := range ps.names {
		a.Channels[i] = ChannelCredit{Channel: n, Conversions: conv[i], Value: value[i]}
	}
	for _, p := range ps.paths {
		if len(p.Channels) == 0 {
			a.UnattributedConversions += p.Conversions
			a.UnattributedValue += p.Value
		}
	}
	return a
}

// weighted attributes each path's conversions and value over its touches by
// weights(k, w), which fills w[:k] with fractions summing to 1.
func (ps *pathSet) weighted(m Model, weights func(k int, w []float64)) Attribution {
	conv := make([]float64, len(ps.names))
	value := make([]float64, len(ps.names))
	var w []float64
	for i, seq := range ps.seqs {
		p := ps.paths[i]
		if len(seq) == 0 || (p.Conversions == 0 && p.Value == 0) {
			continue
		}
		w = slices.Grow(w[:0], len(seq))[:len(seq)]
		weights(len(seq), w)
		for j, c := range seq {
			conv[c] += p.Conversions * w[j]
			value[c] += p.Value * w[j]
		}
	}
	return ps.result(m, conv, value)
}

// FirstTouchAttribution gives each path's conversions and value to its
// first channel. It returns ErrNoData when paths is empty or holds no
// conversions, and an *InputError naming the path and field for a
// negative or non-finite count or value or an empty channel name.
//
// Source: the heuristic models of the ChannelAttribution package
// (heuristic_models, first_touch).
func FirstTouchAttribution(paths []Path) (Attribution, error) {
	ps, err := newPathSet(paths)
	if err != nil {
		return Attribution{}, fmt.Errorf("first touch attribution: %w", err)
	}
	return ps.weighted(FirstTouch, func(k int, w []float64) {
		clear(w)
		w[0] = 1
	}), nil
}

// LastTouchAttribution gives each path's conversions and value to its last
// channel. Errors are those of FirstTouchAttribution.
//
// Source: ChannelAttribution heuristic_models, last_touch.
func LastTouchAttribution(paths []Path) (Attribution, error) {
	ps, err := newPathSet(paths)
	if err != nil {
		return Attribution{}, fmt.Errorf("last touch attribution: %w", err)
	}
	return ps.weighted(LastTouch, func(k int, w []float64) {
		clear(w)
		w[k-1] = 1
	}), nil
}

// LinearAttribution splits each path's conversions and value equally over
// its k touches, 1/k each; a channel touched twice gets 2/k. Errors are
// those of FirstTouchAttribution.
//
// Source: ChannelAttribution heuristic_models, linear_touch.
func LinearAttribution(paths []Path) (Attribution, error) {
	ps, err := newPathSet(paths)
	if err != nil {
		return Attribution{}, fmt.Errorf("linear attribution: %w", err)
	}
	return ps.weighted(Linear, func(k int, w []float64) {
		for i := range w {
			w[i] = 1 / float64(k)
		}
	}), nil
}

// PositionBasedAttribution (U-shaped) gives the first touch of each path
// firstShare of its conversions and value, the last touch lastShare, and
// splits the rest, 1 − firstShare − lastShare, equally over the touches in
// between. A one-touch path gives its channel everything; a two-touch path
// splits in the ratio firstShare : lastShare (50/50 for the usual 40/20/40,
// and 50/50 when both shares are 0). Shares are fractions in [0, 1] with
// firstShare + lastShare ≤ 1, else it returns ErrInvalidRate in an
// *InputError; other errors are those of FirstTouchAttribution.
//
// Source: Google Analytics' position-based model (40/20/40 default).
func PositionBasedAttribution(paths []Path, firstShare, lastShare float64) (Attribution, error) {
	if err := checkShares(firstShare, lastShare); err != nil {
		return Attribution{}, fmt.Errorf("position based attribution: %w", err)
	}
	ps, err := newPathSet(paths)
	if err != nil {
		return Attribution{}, fmt.Errorf("position based attribution: %w", err)
	}
	return ps.weighted(PositionBased, func(k int, w []float64) {
		positionWeights(k, w, firstShare, lastShare)
	}), nil
}

func checkShares(first, last float64) error {
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"firstShare", first}, {"lastShare", last}} {
		if !(f.v >= 0 && f.v <= 1) {
			return &InputError{Row: -1, Field: f.name, Err: fmt.Errorf("%w: %w", ErrInvalidRate, errShares)}
		}
	}
	if first+last > 1+1e-12 {
		return &InputError{Row: -1, Field: "lastShare", Err: fmt.Errorf("%w: %w", ErrInvalidRate, errShares)}
	}
	return nil
}

func positionWeights(k int, w []float64, first, last float64) {
	switch k {
	case 1:
		w[0] = 1
	case 2:
		if first+last == 0 {
			w[0], w[1] = 0.5, 0.5
		} else {
			w[0], w[1] = first/(first+last), last/(first+last)
		}
	default:
		mid := (1 - first - last) / float64(k-2)
		for i := range w {
			w[i] = mid
		}
		w[0], w[k-1] = first, last
		if first+last == 1 {
			// Keep the sum exactly 1 despite the subtraction above.
			for i := 1; i < k-1; i++ {
				w[i] = 0
			}
		}
	}
}

// TimeDecayAttribution splits each path's conversions and value over its
// touches with weights halving every halfLifeDays of age:
//
//	w_i = 2^(−age_i / halfLifeDays) / Σ_j 2^(−age_j / halfLifeDays)
//
// Aggregated paths carry no times, so touches are taken as one day apart
// with the last touch on the conversion day: touch i of k (0-based) has
// age k−1−i days. For real timestamps use TimeDecayJourneyAttribution.
// halfLifeDays must be positive and finite, else it returns an *InputError;
// other errors are those of FirstTouchAttribution.
//
// Source: Google Analytics' time-decay model (7-day half-life default).
func TimeDecayAttribution(paths []Path, halfLifeDays float64) (Attribution, error) {
	if !(halfLifeDays > 0) || math.IsInf(halfLifeDays, 0) {
		return Attribution{}, fmt.Errorf("time decay attribution: %w", &InputError{Row: -1, Field: "halfLifeDays", Err: errNotPositive})
	}
	ps, err := newPathSet(paths)
	if err != nil {
		return Attribution{}, fmt.Errorf("time decay attribution: %w", err)
	}
	return ps.weighted(TimeDecay, func(k int, w []float64) {
		var sum float64
		for i := range w {
			w[i] = math.Exp2(-float64(k-1-i) / halfLifeDays)
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
	}), nil
}

// TimeDecayJourneyAttribution is TimeDecayAttribution on real times: the
// age of a touch is End − At in days (fractional), and each converting
// journey's Conversion.Revenue (as Value, major units) is split with
//
//	w_i = 2^(−age_i / halfLifeDays) / Σ_j 2^(−age_j / halfLifeDays)
//
// Non-converting journeys carry no credit; converting journeys without
// touchpoints count as unattributed. It returns ErrNoData when no journey
// converted, and an *InputError for a bad halfLifeDays, an empty channel
// or a touchpoint after the journey's End.
//
// Source: Google Analytics' time-decay model (7-day half-life default).
func TimeDecayJourneyAttribution(journeys []Journey, halfLifeDays float64) (Attribution, error) {
	const op = "time decay journey attribution"
	if !(halfLifeDays > 0) || math.IsInf(halfLifeDays, 0) {
		return Attribution{}, fmt.Errorf("%s: %w", op, &InputError{Row: -1, Field: "halfLifeDays", Err: errNotPositive})
	}
	for i, j := range journeys {
		for _, t := range j.Touchpoints {
			if t.At.After(j.End) {
				return Attribution{}, fmt.Errorf("%s: %w", op, &InputError{Row: i, Field: "Touchpoints", Err: errTouchAfterJourney})
			}
		}
	}
	ps, err := newPathSet(AggregateJourneys(journeys))
	if err != nil {
		return Attribution{}, fmt.Errorf("%s: %w", op, err)
	}
	index := make(map[string]int, len(ps.names))
	for i, n := range ps.names {
		index[n] = i
	}
	conv := make([]float64, len(ps.names))
	value := make([]float64, len(ps.names))
	var w []float64
	for _, j := range journeys {
		if !j.Converted || len(j.Touchpoints) == 0 {
			continue
		}
		w = slices.Grow(w[:0], len(j.Touchpoints))[:len(j.Touchpoints)]
		sum := timeDecayWeights(w, j.Touchpoints, halfLifeDays)
		v := j.Conversion.Revenue.Major()
		for i, t := range j.Touchpoints {
			c := index[t.Channel]
			conv[c] += w[i] / sum
			value[c] += v * w[i] / sum
		}
	}
	return ps.result(TimeDecay, conv, value), nil
}

// timeDecayWeights fills w[i] = 2^(−age_i / halfLifeDays) for the
// touchpoints tps (len(w) = len(tps)), age_i in days before the newest
// touch (relative to it, so old touches do not underflow), and returns
// Σ w_i for the caller to normalise by.
func timeDecayWeights(w []float64, tps []Touchpoint, halfLifeDays float64) float64 {
	newest := tps[0].At
	for _, t := range tps {
		if t.At.After(newest) {
			newest = t.At
		}
	}
	var sum float64
	for i, t := range tps {
		w[i] = math.Exp2(-newest.Sub(t.At).Hours() / 24 / halfLifeDays)
		sum += w[i]
	}
	return sum
}

// Attribute runs one model on paths with opts (zero fields take the
// defaults). For Markov it returns the Attribution part of
// MarkovAttributionOrder(paths, opts.MarkovOrder). It returns an
// *InputError for an unknown model and the errors of the model's function.
func Attribute(paths []Path, m Model, opts AttributionOptions) (Attribution, error) {
	opts = opts.withDefaults()
	switch m {
	case FirstTouch:
		return FirstTouchAttribution(paths)
	case LastTouch:
		return LastTouchAttribution(paths)
	case Linear:
		return LinearAttribution(paths)
	case TimeDecay:
		return TimeDecayAttribution(paths, opts.HalfLifeDays)
	case PositionBased:
		return PositionBasedAttribution(paths, opts.FirstShare, opts.LastShare)
	case Markov:
		r, err := MarkovAttributionOrder(paths, opts.MarkovOrder)
		return r.Attribution, err
	}
	return Attribution{}, &InputError{Row: -1, Field: "model", Err: fmt.Errorf("%w %q", errUnknownModel, m)}
}

// Comparison sets several models side by side.
//
// Rows has one entry per channel (sorted by name; only the requested
// channel when one was given), with Conversions[i] and Value[i] the credit
// under Models[i]. Conversions and Value are the input totals over all
// channels; UnattributedConversions and UnattributedValue are those of
// paths without touchpoints. Markov is the full Markov result (all
// channels) when Models includes Markov, else nil.
type Comparison struct {
	Models                  []Model
	Rows                    []ComparisonRow
	Conversions             float64
	Value                   float64
	UnattributedConversions float64
	UnattributedValue       float64
	Markov                  *MarkovResult
}

// ComparisonRow is one channel's credit under each compared model.
type ComparisonRow struct {
	Channel     string
	Conversions []float64
	Value       []float64
}

// CompareAttribution runs models (all of AttributionModels when empty) on
// paths with opts and sets the results side by side, for every channel or,
// when channel is not empty, for that channel only. Time decay treats
// touches as one day apart (see TimeDecayAttribution). It returns an
// *InputError naming "models" for an unknown or repeated model, one naming
// "channel" wrapping ErrNoData when channel does not appear in paths, and
// the errors of the models.
func CompareAttribution(paths []Path, models []Model, opts AttributionOptions, channel string) (Comparison, error) {
	return compare(paths, nil, models, opts, channel)
}

// CompareJourneyAttribution is CompareAttribution on journeys: it
// aggregates them with AggregateJourneys for every model but time decay,
// which uses their real times (TimeDecayJourneyAttribution).
func CompareJourneyAttribution(journeys []Journey, models []Model, opts AttributionOptions, channel string) (Comparison, error) {
	return compare(AggregateJourneys(journeys), journeys, models, opts, channel)
}

func compare(paths []Path, journeys []Journey, models []Model, opts AttributionOptions, channel string) (Comparison, error) {
	const op = "compare attribution"
	if len(models) == 0 {
		models = AttributionModels()
	}
	for i, m := range models {
		if !slices.Contains(AttributionModels(), m) {
			return Comparison{}, fmt.Errorf("%s: %w", op, &InputError{Row: i, Field: "models", Err: fmt.Errorf("%w %q", errUnknownModel, m)})
		}
		if slices.Index(models, m) != i {
			return Comparison{}, fmt.Errorf("%s: %w", op, &InputError{Row: i, Field: "models", Err: fmt.Errorf("repeated model %q", m)})
		}
	}
	opts = opts.withDefaults()
	cmp := Comparison{Models: slices.Clone(models)}
	results := make([]Attribution, len(models))
	for i, m := range models {
		var err error
		switch {
		case m == Markov:
			var r MarkovResult
			r, err = MarkovAttributionOrder(paths, opts.MarkovOrder)
			cmp.Markov = &r
			results[i] = r.Attribution
		case m == TimeDecay && journeys != nil:
			results[i], err = TimeDecayJourneyAttribution(journeys, opts.HalfLifeDays)
		default:
			results[i], err = Attribute(paths, m, opts)
		}
		if err != nil {
			return Comparison{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	first := results[0]
	cmp.Conversions, cmp.Value = first.Conversions, first.Value
	cmp.UnattributedConversions, cmp.UnattributedValue = first.UnattributedConversions, first.UnattributedValue
	for _, c := range first.Channels {
		if channel != "" && c.Channel != channel {
			continue
		}
		row := ComparisonRow{Channel: c.Channel, Conversions: make([]float64, len(models)), Value: make([]float64, len(models))}
		for i, r := range results {
			cc, _ := r.Channel(c.Channel)
			row.Conversions[i], row.Value[i] = cc.Conversions, cc.Value
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	if channel != "" && len(cmp.Rows) == 0 {
		return Comparison{}, fmt.Errorf("%s: %w", op, &InputError{Row: -1, Field: "channel", Err: fmt.Errorf("%q: %w", channel, ErrNoData)})
	}
	return cmp, nil
}
