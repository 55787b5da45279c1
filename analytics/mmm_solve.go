package analytics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// liftRow is a lift test written as one weighted pseudo-observation of the
// regression: the channel's summed transformed media over the test window,
// times its coefficient, should equal the measured incremental outcome.
type liftRow struct {
	channel  int
	from, to int // week indices, inclusive
	value    float64
	se       float64
}

// lsProblem is one regularised least-squares solve: columns (baseline
// first, column 0 the intercept, then one per media channel), the rows
// [0, end) of y, optional lift pseudo-rows and a ridge penalty.
type lsProblem struct {
	cols    [][]float64
	nBase   int
	y       []float64
	end     int
	lifts   []liftRow
	liftVar float64 // σ² of the weekly residual; lift rows get weight σ²/se²
	ridge   float64
	// moments, when set, holds the baseline block of the Gram matrix for
	// these rows and y (it does not change while only media parameters do).
	moments *baseMoments
}

// baseMoments are the Gram entries, moments with y, means and variances of
// the baseline columns over rows [0, end).
type baseMoments struct {
	nb          int
	g           []float64 // nb×nb
	r, mean, vr []float64
}

func columnMoments(c, y []float64) (sum, ry float64) {
	for t, v := range c {
		sum += v
		ry += v * y[t]
	}
	return sum, ry
}

func dot(a, b []float64) float64 {
	d := 0.0
	for t, v := range a {
		d += v * b[t]
	}
	return d
}

func newBaseMoments(base [][]float64, y []float64, end int) *baseMoments {
	nb := len(base)
	m := &baseMoments{nb: nb, g: make([]float64, nb*nb), r: make([]float64, nb), mean: make([]float64, nb), vr: make([]float64, nb)}
	for j := 0; j < nb; j++ {
		cj := base[j][:end]
		s, ry := columnMoments(cj, y[:end])
		m.mean[j] = s / float64(end)
		m.r[j] = ry
		for k := 0; k <= j; k++ {
			d := dot(cj, base[k][:end])
			m.g[j*nb+k], m.g[k*nb+j] = d, d
		}
		m.vr[j] = m.g[j*nb+j]/float64(end) - m.mean[j]*m.mean[j]
		if m.vr[j] < 0 {
			m.vr[j] = 0
		}
	}
	return m
}

// lsSolution holds the coefficients (zero for dropped columns) and the
// penalised objective: Σ_t (y_t − x_tβ)² + Σ_lift w(m − x_ℓβ)² + Σ_j pen_j β_j².
type lsSolution struct {
	beta []float64
	obj  float64
	sse  float64 // data rows only
	ok   bool
}

func (q *lsProblem) liftX(l liftRow) (j int, x float64) {
	j = q.nBase + l.channel
	for t := l.from; t <= l.to; t++ {
		x += q.cols[j][t]
	}
	return j, x
}

func (q *lsProblem) solve() lsSolution {
	p := len(q.cols)
	n := q.end
	// Gram matrix and moment vector over the data rows.
	g := make([]float64, p*p)
	r := make([]float64, p)
	mean := make([]float64, p)
	vr := make([]float64, p)
	nb := 0
	if q.moments != nil {
		nb = q.moments.nb
		for j := 0; j < nb; j++ {
			copy(g[j*p:j*p+nb], q.moments.g[j*nb:(j+1)*nb])
			r[j], mean[j], vr[j] = q.moments.r[j], q.moments.mean[j], q.moments.vr[j]
		}
	}
	for j := nb; j < p; j++ {
		cj := q.cols[j][:n]
		s, ry := columnMoments(cj, q.y[:n])
		mean[j] = s / float64(n)
		r[j] = ry
		for k := 0; k <= j; k++ {
			d := dot(cj, q.cols[k][:n])
			g[j*p+k] = d
			g[k*p+j] = d
		}
		vr[j] = g[j*p+j]/float64(n) - mean[j]*mean[j]
		if vr[j] < 0 {
			vr[j] = 0
		}
	}
	liftTouches := make([]bool, p)
	if q.liftVar > 0 {
		for _, l := range q.lifts {
			j, x := q.liftX(l)
			w := q.liftVar / (l.se * l.se)
			g[j*p+j] += w * x * x
			r[j] += w * x * l.value
			liftTouches[j] = true
		}
	}
	pen := make([]float64, p)
	active := make([]bool, p)
	for j := range active {
		if j == 0 {
			active[j] = true
			continue
		}
		if j >= q.nBase {
			pen[j] = q.ridge * float64(n) * vr[j]
		}
		active[j] = vr[j] > 1e-12*(1+mean[j]*mean[j]) || liftTouches[j]
	}
	beta := make([]float64, p)
	for iter := 0; iter <= p; iter++ {
		idx := make([]int, 0, p)
		for j, a := range active {
			if a {
				idx = append(idx, j)
			}
		}
		k := len(idx)
		a := mat.NewSymDense(k, nil)
		b := mat.NewVecDense(k, nil)
		trace := 0.0
		for i, ji := range idx {
			for m := i; m < k; m++ {
				v := g[ji*p+idx[m]]
				if m == i {
					v += pen[ji]
					trace += v
				}
				a.SetSym(i, m, v)
			}
			b.SetVec(i, r[ji])
		}
		var chol mat.Cholesky
		if !chol.Factorize(a) {
			jit := 1e-10 * trace / float64(k)
			for i := 0; i < k; i++ {
				a.SetSym(i, i, a.At(i, i)+jit)
			}
			if !chol.Factorize(a) {
				return lsSolution{obj: math.Inf(1)}
			}
		}
		var x mat.VecDense
		if err := chol.SolveVecTo(&x, b); err != nil {
			return lsSolution{obj: math.Inf(1)}
		}
		for j := range beta {
			beta[j] = 0
		}
		worst, worstJ := 0.0, -1
		for i, j := range idx {
			beta[j] = x.AtVec(i)
			if j >= q.nBase && beta[j] < worst {
				worst, worstJ = beta[j], j
			}
		}
		if worstJ < 0 {
			break
		}
		// Media effects are non-negative: drop the most negative and refit
		// (an active-set step of Lawson and Hanson's NNLS, 1974, ch. 23).
		active[worstJ] = false
		beta[worstJ] = 0
	}
	sol := lsSolution{beta: beta, ok: true}
	for t := 0; t < n; t++ {
		f := 0.0
		for j, bj := range beta {
			if bj != 0 {
				f += bj * q.cols[j][t]
			}
		}
		e := q.y[t] - f
		sol.sse += e * e
	}
	sol.obj = sol.sse
	if q.liftVar > 0 {
		for _, l := range q.lifts {
			j, x := q.liftX(l)
			e := l.value - beta[j]*x
			sol.obj += q.liftVar / (l.se * l.se) * e * e
		}
	}
	for j, bj := range beta {
		sol.obj += pen[j] * bj * bj
	}
	if math.IsNaN(sol.obj) {
		sol.obj = math.Inf(1)
		sol.ok = false
	}
	return sol
}

// predict returns Σ_j β_j·cols[j][t] for t in [from, to).
func predict(cols [][]float64, beta []float64, from, to int) []float64 {
	out := make([]float64, to-from)
	for j, bj := range beta {
		if bj == 0 {
			continue
		}
		for t := from; t < to; t++ {
			out[t-from] += bj * cols[j][t]
		}
	}
	return out
}
