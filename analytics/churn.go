package analytics

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// ChurnConfig configures ChurnTable.
type ChurnConfig struct {
	// Cutoff splits time: features use only orders strictly before it; the
	// outcome is read from [Cutoff, Cutoff + HorizonDays days).
	Cutoff time.Time
	// HorizonDays is the churn window (0 means 90): a customer who bought
	// before Cutoff and makes no purchase in the window has churned.
	HorizonDays int
	// Labelled asks for the target; false builds the features of customers
	// whose future is unknown (scoring), with every Target false.
	Labelled bool
}

// ChurnFeatureNames are the numeric columns ChurnTable builds, in order:
// recency_days (days from the last purchase to the cutoff), frequency
// (purchase orders), monetary (net value of purchases and returns, major
// units), tenure_days (days from the first purchase to the cutoff),
// avg_order_value (gross purchase value per purchase order, major units),
// return_rate (return orders per purchase order), returned_share (returned
// value over gross purchase value), orders_last_90d (purchase orders in the
// 90 days before the cutoff) and mean_gap_days (mean days between
// consecutive purchase orders; missing for a one-order customer).
var ChurnFeatureNames = []string{"recency_days", "frequency", "monetary", "tenure_days", "avg_order_value",
	"return_rate", "returned_share", "orders_last_90d", "mean_gap_days"}

// ChurnTable builds the churn modelling table of seed section 3.3 from
// orders: one row per customer with at least one purchase (a non-return
// order with a positive amount) before cfg.Cutoff, IDs the customer IDs in
// ascending order, the columns of ChurnFeatureNames computed from orders
// before the cutoff only (RFM, tenure, basket value, return rate), and, when
// cfg.Labelled, Target = no purchase in the HorizonDays days from the
// cutoff. Money is converted to major units (Money.Major). Orders without a
// customer ID are ignored. It returns an *InputError wrapping ErrNoData when
// no customer bought before the cutoff, and ErrOneClass (labelled only)
// when every customer churned or none did.
func ChurnTable(orders []Order, cfg ChurnConfig) (ModelTable, error) {
	if cfg.HorizonDays == 0 {
		cfg.HorizonDays = 90
	}
	if cfg.HorizonDays < 0 {
		return ModelTable{}, &InputError{Row: -1, Field: "horizon_days", Err: fmt.Errorf("%d is negative", cfg.HorizonDays)}
	}
	end := cfg.Cutoff.AddDate(0, 0, cfg.HorizonDays)
	type acc struct {
		first, last     time.Time
		purchases       int
		returns         int
		gross, returned float64
		net             float64
		recent          int
		future          bool
	}
	by := map[string]*acc{}
	recentFrom := cfg.Cutoff.AddDate(0, 0, -90)
	for _, o := range orders {
		if o.CustomerID == "" {
			continue
		}
		purchase := !o.IsReturn && o.Amount > 0
		if !o.At.Before(cfg.Cutoff) {
			if purchase && o.At.Before(end) {
				if a := by[o.CustomerID]; a != nil {
					a.future = true
				} else {
					by[o.CustomerID] = &acc{future: true}
				}
			}
			continue
		}
		a := by[o.CustomerID]
		if a == nil {
			a = &acc{}
			by[o.CustomerID] = a
		}
		v := o.Amount.Major()
		a.net += v
		if purchase {
			a.purchases++
			a.gross += v
			if a.first.IsZero() || o.At.Before(a.first) {
				a.first = o.At
			}
			if o.At.After(a.last) {
				a.last = o.At
			}
			if !o.At.Before(recentFrom) {
				a.recent++
			}
		} else {
			a.returns++
			a.returned += -v
		}
	}
	ids := make([]string, 0, len(by))
	for id, a := range by {
		if a.purchases > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ModelTable{}, &InputError{Row: -1, Field: "orders", Err: fmt.Errorf("no purchase before %s: %w", cfg.Cutoff.Format(time.DateOnly), ErrNoData)}
	}
	sort.Strings(ids)
	n := len(ids)
	cols := make([]ModelColumn, len(ChurnFeatureNames))
	for j, name := range ChurnFeatureNames {
		cols[j] = ModelColumn{Name: name, Num: make([]float64, n)}
	}
	t := ModelTable{Columns: cols, Target: make([]bool, n), IDs: ids}
	day := 24 * time.Hour
	var churned int
	for i, id := range ids {
		a := by[id]
		gap := math.NaN()
		if a.purchases > 1 {
			gap = a.last.Sub(a.first).Hours() / 24 / float64(a.purchases-1)
		}
		vals := []float64{
			float64(cfg.Cutoff.Sub(a.last) / day),
			float64(a.purchases),
			a.net,
			float64(cfg.Cutoff.Sub(a.first) / day),
			a.gross / float64(a.purchases),
			float64(a.returns) / float64(a.purchases),
			a.returned / a.gross,
			float64(a.recent),
			gap,
		}
		for j, v := range vals {
			cols[j].Num[i] = v
		}
		if cfg.Labelled {
			t.Target[i] = !a.future
			if t.Target[i] {
				churned++
			}
		}
	}
	if cfg.Labelled && (churned == 0 || churned == n) {
		return ModelTable{}, fmt.Errorf("churn within %d days of %s: %d of %d customers churned: %w", cfg.HorizonDays, cfg.Cutoff.Format(time.DateOnly), churned, n, ErrOneClass)
	}
	return t, nil
}

// AddColumn appends a column to t whose values come from byID (keyed by
// t.IDs); rows without an entry get NaN (numeric) or "" (categorical), which
// FitEncoder reports and imputes. It is how features from other sources
// (text sentiment, themes, embeddings) join the behavioural ones.
func (t *ModelTable) AddColumn(name string, numeric map[string]float64, categorical map[string]string) error {
	if len(t.IDs) != t.Rows() {
		return &InputError{Row: -1, Field: "ids", Err: errors.New("the table has no row IDs to join on")}
	}
	for _, c := range t.Columns {
		if c.Name == name {
			return &InputError{Row: -1, Field: name, Err: errors.New("duplicate column name")}
		}
	}
	c := ModelColumn{Name: name}
	if categorical != nil {
		c.Cat = make([]string, t.Rows())
		for i, id := range t.IDs {
			c.Cat[i] = categorical[id]
		}
	} else {
		c.Num = make([]float64, t.Rows())
		for i, id := range t.IDs {
			v, ok := numeric[id]
			if !ok {
				v = math.NaN()
			}
			c.Num[i] = v
		}
	}
	t.Columns = append(t.Columns, c)
	return nil
}
