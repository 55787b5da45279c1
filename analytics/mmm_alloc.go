package analytics

import (
	"errors"
	"fmt"
	"math"
)

// ResponseFunc gives the weekly incremental outcome of a constant weekly
// spend s ≥ 0 (currency units per week) on one channel.
type ResponseFunc func(spend float64) float64

// SpendBounds limits one channel's weekly spend to [Min, Max].
type SpendBounds struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Allocation is a budget split. Spend and Contribution have one entry per
// channel (weekly spend and weekly incremental outcome); Current and
// CurrentContribution are the same for the mix it is compared with;
// Uplift = Total − CurrentTotal and UpliftShare = Uplift / CurrentTotal.
type Allocation struct {
	Spend               []float64 `json:"spend"`
	Contribution        []float64 `json:"contribution"`
	Total               float64   `json:"total"`
	Current             []float64 `json:"current"`
	CurrentContribution []float64 `json:"current_contribution"`
	CurrentTotal        float64   `json:"current_total"`
	Uplift              float64   `json:"uplift"`
	UpliftShare         float64   `json:"uplift_share"`
}

// ErrInfeasibleBudget means no split of the budget respects the bounds.
var ErrInfeasibleBudget = errors.New("budget cannot be split within the bounds")

// allocGrid is the number of budget steps of the dynamic programme.
const allocGrid = 1000

// AllocateBudget splits a weekly budget across channels to maximise
// Σ_c curves[c](s_c) subject to Σ_c s_c = budget and bounds[c].Min ≤ s_c ≤
// bounds[c].Max, and compares it with current (one weekly spend per
// channel; nil compares with nothing).
//
// Method: an exact dynamic programme over the budget in 1,000 steps (so an
// S-shaped curve, where greedy equal-marginal rules fail, is handled),
// then pairwise transfers, each a golden-section search, until no transfer
// gains; on concave curves this reaches the equal-marginal-return optimum
// (the Karush–Kuhn–Tucker condition f'_c(s_c) = λ for channels inside their
// bounds), the allocator of Robyn and PyMC-Marketing.
//
// Errors: an *InputError for mismatched lengths, negative or inverted
// bounds, or a negative budget; ErrInfeasibleBudget when Σ Min > budget
// or Σ Max < budget.
func AllocateBudget(curves []ResponseFunc, budget float64, bounds []SpendBounds, current []float64) (Allocation, error) {
	n := len(curves)
	if n == 0 {
		return Allocation{}, &InputError{Row: -1, Field: "curves", Err: ErrNoData}
	}
	if len(bounds) != n {
		return Allocation{}, &InputError{Row: -1, Field: "bounds", Err: fmt.Errorf("%d bounds for %d channels", len(bounds), n)}
	}
	if current != nil && len(current) != n {
		return Allocation{}, &InputError{Row: -1, Field: "current", Err: fmt.Errorf("%d values for %d channels", len(current), n)}
	}
	if !(budget >= 0) || math.IsInf(budget, 0) {
		return Allocation{}, &InputError{Row: -1, Field: "budget", Err: fmt.Errorf("%v: %w", budget, ErrNegative)}
	}
	var sumMin, sumMax float64
	for i, b := range bounds {
		if !(b.Min >= 0) || !(b.Max >= b.Min) || math.IsInf(b.Max, 0) {
			return Allocation{}, &InputError{Row: i, Field: "bounds", Err: fmt.Errorf("[%v, %v]: need 0 ≤ min ≤ max < ∞", b.Min, b.Max)}
		}
		sumMin += b.Min
		sumMax += b.Max
	}
	tol := 1e-9 * math.Max(1, budget)
	if sumMin > budget+tol || sumMax < budget-tol {
		return Allocation{}, fmt.Errorf("budget %v, bounds sum to [%v, %v]: %w", budget, sumMin, sumMax, ErrInfeasibleBudget)
	}
	spend := allocDP(curves, budget-sumMin, bounds)
	allocPolish(curves, spend, bounds)

	a := Allocation{Spend: spend, Contribution: make([]float64, n)}
	for c, s := range spend {
		a.Contribution[c] = curves[c](s)
		a.Total += a.Contribution[c]
	}
	if current != nil {
		a.Current = append([]float64(nil), current...)
		a.CurrentContribution = make([]float64, n)
		for c, s := range current {
			a.CurrentContribution[c] = curves[c](s)
			a.CurrentTotal += a.CurrentContribution[c]
		}
		a.Uplift = a.Total - a.CurrentTotal
		if a.CurrentTotal != 0 {
			a.UpliftShare = a.Uplift / a.CurrentTotal
		}
	}
	return a, nil
}

// allocDP splits the budget above the minima, free, in allocGrid steps.
func allocDP(curves []ResponseFunc, free float64, bounds []SpendBounds) []float64 {
	n := len(curves)
	spend := make([]float64, n)
	for c := range spend {
		spend[c] = bounds[c].Min
	}
	if free <= 0 {
		return spend
	}
	g := allocGrid
	step := free / float64(g)
	negInf := math.Inf(-1)
	// best[b] = best value of the channels so far using b steps; choice[c][b]
	// = steps given to channel c.
	best := make([]float64, g+1)
	for b := range best {
		best[b] = negInf
	}
	best[0] = 0
	choice := make([][]int32, n)
	for c := 0; c < n; c++ {
		maxK := int(math.Floor((bounds[c].Max-bounds[c].Min)/step + 1e-9))
		if maxK > g {
			maxK = g
		}
		vals := make([]float64, maxK+1)
		for k := range vals {
			vals[k] = curves[c](bounds[c].Min + float64(k)*step)
		}
		next := make([]float64, g+1)
		ch := make([]int32, g+1)
		for b := 0; b <= g; b++ {
			next[b] = negInf
			for k := 0; k <= maxK && k <= b; k++ {
				if best[b-k] == negInf {
					continue
				}
				if v := best[b-k] + vals[k]; v > next[b] {
					next[b], ch[b] = v, int32(k)
				}
			}
		}
		best = next
		choice[c] = ch
	}
	b := g
	if best[g] == negInf {
		// Rounding of the per-channel step counts: fall back to the largest
		// reachable budget; the polish step cannot add what is missing, so
		// spread it within the remaining headroom.
		for b > 0 && best[b] == negInf {
			b--
		}
	}
	for c := n - 1; c >= 0; c-- {
		k := int(choice[c][b])
		spend[c] += float64(k) * step
		b -= k
	}
	missing := free - allocSum(spend) + allocSumMin(bounds)
	for c := range spend {
		if missing <= 0 {
			break
		}
		add := math.Min(missing, bounds[c].Max-spend[c])
		spend[c] += add
		missing -= add
	}
	return spend
}

func allocSum(xs []float64) float64 {
	s := 0.0
	for _, v := range xs {
		s += v
	}
	return s
}

func allocSumMin(bounds []SpendBounds) float64 {
	s := 0.0
	for _, b := range bounds {
		s += b.Min
	}
	return s
}

// allocPolish moves budget between pairs of channels while that gains.
func allocPolish(curves []ResponseFunc, spend []float64, bounds []SpendBounds) {
	n := len(spend)
	for sweep := 0; sweep < 100; sweep++ {
		gained := false
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				// t moves budget from j to i: s_i + t, s_j − t.
				lo := -math.Min(spend[i]-bounds[i].Min, bounds[j].Max-spend[j])
				hi := math.Min(spend[j]-bounds[j].Min, bounds[i].Max-spend[i])
				if hi-lo <= 0 {
					continue
				}
				f := func(t float64) float64 { return curves[i](spend[i]+t) + curves[j](spend[j]-t) }
				base := f(0)
				t := goldenMax(f, lo, hi)
				if v := f(t); v > base+1e-12*math.Max(1, math.Abs(base)) {
					spend[i] += t
					spend[j] -= t
					gained = true
				}
			}
		}
		if !gained {
			return
		}
	}
}

// goldenMax returns an argmax of f on [lo, hi] by golden-section search
// (exact for unimodal f), also checking the end points.
func goldenMax(f func(float64) float64, lo, hi float64) float64 {
	r := (math.Sqrt(5) - 1) / 2
	a, b := lo, hi
	x1, x2 := b-r*(b-a), a+r*(b-a)
	f1, f2 := f(x1), f(x2)
	for i := 0; i < 200 && b-a > 1e-12*math.Max(1, math.Abs(a)+math.Abs(b)); i++ {
		if f1 < f2 {
			a, x1, f1 = x1, x2, f2
			x2 = a + r*(b-a)
			f2 = f(x2)
		} else {
			b, x2, f2 = x2, x1, f1
			x1 = b - r*(b-a)
			f1 = f(x1)
		}
	}
	best, fb := (a+b)/2, f((a+b)/2)
	for _, x := range []float64{lo, hi} {
		if v := f(x); v > fb {
			best, fb = x, v
		}
	}
	return best
}

// Allocate splits a weekly budget across the fitted channels on their
// steady-state response curves (WeeklyResponse) and compares it with the
// current mix, each channel's average weekly spend over the fitted weeks.
// bounds nil means each channel may move between half and one and a half
// times its current weekly spend (curves are extrapolations beyond the
// spend the data has seen, so wider bounds deserve caution). A budget of 0
// means the current total.
func (f *MMMFit) Allocate(weeklyBudget float64, bounds []SpendBounds) (Allocation, error) {
	n := len(f.Channels)
	current := make([]float64, n)
	curves := make([]ResponseFunc, n)
	for c := range f.Channels {
		current[c] = f.Channels[c].AvgWeeklySpend
		c := c
		curves[c] = func(s float64) float64 { return f.WeeklyResponse(c, s) }
	}
	if weeklyBudget == 0 {
		weeklyBudget = allocSum(current)
	}
	if bounds == nil {
		bounds = make([]SpendBounds, n)
		for c, s := range current {
			bounds[c] = SpendBounds{Min: 0.5 * s, Max: 1.5 * s}
		}
	}
	return AllocateBudget(curves, weeklyBudget, bounds, current)
}
