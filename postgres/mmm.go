package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// MMMDataset is a stored weekly media-mix data set: its input (weeks,
// outcome, spend per channel, controls, events and lift tests), its
// currency, and, for a synthetic one, its touchpoint paths and generating
// truth (JSON).
type MMMDataset struct {
	Name       string
	Currency   string
	Synthetic  bool
	Source     string
	Input      analytics.MMMInput
	Paths      []analytics.Path
	Truth      json.RawMessage
	ImportedAt time.Time
}

// MMMDatasetInfo lists a stored data set.
type MMMDatasetInfo struct {
	Name       string    `json:"dataset"`
	Weeks      int       `json:"weeks"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Synthetic  bool      `json:"synthetic"`
	ImportedAt time.Time `json:"imported_at"`
}

// ErrNoMMMData means no weekly media-mix data set is stored (or none of
// the asked name).
var ErrNoMMMData = errors.New("no weekly media-mix data stored (roibot import mmm_weekly FILE, or roibot demo-data)")

// StoreMMMDataset replaces the data set d.Name with d in one transaction:
// importing the same file twice leaves one copy, and a failure leaves the
// previous copy as it was. Weeks are stored as dates (their first day in
// the caller's time zone).
func (s *Store) StoreMMMDataset(ctx context.Context, d MMMDataset) error {
	ctx, cancel := context.WithTimeout(ctx, 5*s.timeout)
	defer cancel()
	in := d.Input
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "delete from mmm_datasets where dataset = $1", d.Name); err != nil {
			return err
		}
		var truth any
		if len(d.Truth) > 0 {
			truth = string(d.Truth)
		}
		if _, err := tx.Exec(ctx, `insert into mmm_datasets (dataset, currency, synthetic, source, truth) values ($1, $2, $3, $4, $5::jsonb)`,
			d.Name, d.Currency, d.Synthetic, d.Source, truth); err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		weeks := make([]string, len(in.Weeks))
		for i, w := range in.Weeks {
			weeks[i] = day(w)
		}
		if _, err := tx.Exec(ctx, `insert into mmm_weeks (dataset, week, outcome)
			select $1, u.w::date, u.y from unnest($2::text[], $3::float8[]) as u(w, y)`, d.Name, weeks, in.Outcome); err != nil {
			return fmt.Errorf("weeks: %w", err)
		}
		var sw, kind, name []string
		var val []float64
		for _, g := range []struct {
			kind   string
			series []analytics.MMMSeries
		}{{"spend", in.Media}, {"control", in.Controls}, {"event", in.Events}} {
			for _, ser := range g.series {
				for i, v := range ser.Values {
					sw, kind, name, val = append(sw, weeks[i]), append(kind, g.kind), append(name, ser.Name), append(val, v)
				}
			}
		}
		if _, err := tx.Exec(ctx, `insert into mmm_series (dataset, week, kind, name, value)
			select $1, u.w::date, u.k, u.n, u.v from unnest($2::text[], $3::text[], $4::text[], $5::float8[]) as u(w, k, n, v)`,
			d.Name, sw, kind, name, val); err != nil {
			return fmt.Errorf("series: %w", err)
		}
		for _, lt := range in.LiftTests {
			if _, err := tx.Exec(ctx, `insert into mmm_lift_tests (dataset, channel, start_week, end_week, incremental, se) values ($1, $2, $3::date, $4::date, $5, $6)`,
				d.Name, lt.Channel, day(lt.Start), day(lt.End), lt.Incremental, lt.SE); err != nil {
				return fmt.Errorf("lift test %s: %w", lt.Channel, err)
			}
		}
		var pk []string
		var pc, pv, pn []float64
		for _, p := range d.Paths {
			pk, pc, pv, pn = append(pk, p.String()), append(pc, p.Conversions), append(pv, p.Value), append(pn, p.Nulls)
		}
		if _, err := tx.Exec(ctx, `insert into mmm_paths (dataset, path, conversions, value, nulls)
			select $1, u.p, u.c, u.v, u.n from unnest($2::text[], $3::float8[], $4::float8[], $5::float8[]) as u(p, c, v, n)`,
			d.Name, pk, pc, pv, pn); err != nil {
			return fmt.Errorf("paths: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store mmm dataset %s: %w", d.Name, translate(err))
	}
	return nil
}

// MMMDatasets lists the stored data sets, the most recently stored first.
func (s *Store) MMMDatasets(ctx context.Context) ([]MMMDatasetInfo, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select d.dataset, count(w.week), coalesce(min(w.week)::text, ''), coalesce(max(w.week)::text, ''), d.synthetic, d.imported_at
		from mmm_datasets d left join mmm_weeks w using (dataset)
		group by d.dataset order by d.imported_at desc, d.dataset`)
	if err != nil {
		return nil, fmt.Errorf("mmm datasets: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MMMDatasetInfo, error) {
		var i MMMDatasetInfo
		err := r.Scan(&i.Name, &i.Weeks, &i.From, &i.To, &i.Synthetic, &i.ImportedAt)
		return i, err
	})
	if err != nil {
		return nil, fmt.Errorf("mmm datasets: %w", translate(err))
	}
	return out, nil
}

// LoadMMMDataset reads a stored data set; name "" means the most recently
// stored one. Weeks come back at midnight in loc (nil: UTC). It returns an
// error wrapping ErrNoMMMData when there is none.
func (s *Store) LoadMMMDataset(ctx context.Context, name string, loc *time.Location) (*MMMDataset, error) {
	if loc == nil {
		loc = time.UTC
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	d := &MMMDataset{}
	var truth []byte
	err := s.pool.QueryRow(ctx, `select dataset, currency, synthetic, source, truth, imported_at from mmm_datasets
		where $1 = '' or dataset = $1 order by imported_at desc, dataset limit 1`, name).
		Scan(&d.Name, &d.Currency, &d.Synthetic, &d.Source, &truth, &d.ImportedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		if name != "" {
			return nil, fmt.Errorf("mmm dataset %q: %w", name, ErrNoMMMData)
		}
		return nil, ErrNoMMMData
	}
	if err != nil {
		return nil, fmt.Errorf("mmm dataset %q: %w", name, translate(err))
	}
	d.Truth = truth
	date := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc) }
	rows, err := s.pool.Query(ctx, "select week, outcome from mmm_weeks where dataset = $1 order by week", d.Name)
	if err != nil {
		return nil, fmt.Errorf("mmm weeks: %w", translate(err))
	}
	idx := map[string]int{}
	for rows.Next() {
		var w time.Time
		var y float64
		if err := rows.Scan(&w, &y); err != nil {
			rows.Close()
			return nil, fmt.Errorf("mmm weeks: %w", translate(err))
		}
		idx[w.Format("2006-01-02")] = len(d.Input.Weeks)
		d.Input.Weeks = append(d.Input.Weeks, date(w))
		d.Input.Outcome = append(d.Input.Outcome, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mmm weeks: %w", translate(err))
	}
	n := len(d.Input.Weeks)
	rows, err = s.pool.Query(ctx, "select kind, name, week, value from mmm_series where dataset = $1 order by kind, name, week", d.Name)
	if err != nil {
		return nil, fmt.Errorf("mmm series: %w", translate(err))
	}
	series := map[string]*analytics.MMMSeries{}
	var order []string
	for rows.Next() {
		var kind, nm string
		var w time.Time
		var v float64
		if err := rows.Scan(&kind, &nm, &w, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("mmm series: %w", translate(err))
		}
		key := kind + "\x00" + nm
		ser := series[key]
		if ser == nil {
			ser = &analytics.MMMSeries{Name: nm, Values: make([]float64, n)}
			series[key] = ser
			order = append(order, key)
		}
		ser.Values[idx[w.Format("2006-01-02")]] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mmm series: %w", translate(err))
	}
	for _, key := range order {
		kind, _, _ := strings.Cut(key, "\x00")
		switch kind {
		case "spend":
			d.Input.Media = append(d.Input.Media, *series[key])
		case "control":
			d.Input.Controls = append(d.Input.Controls, *series[key])
		default:
			d.Input.Events = append(d.Input.Events, *series[key])
		}
	}
	rows, err = s.pool.Query(ctx, "select channel, start_week, end_week, incremental, se from mmm_lift_tests where dataset = $1 order by channel, start_week", d.Name)
	if err != nil {
		return nil, fmt.Errorf("mmm lift tests: %w", translate(err))
	}
	d.Input.LiftTests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.LiftTest, error) {
		var lt analytics.LiftTest
		err := r.Scan(&lt.Channel, &lt.Start, &lt.End, &lt.Incremental, &lt.SE)
		lt.Start, lt.End = date(lt.Start), date(lt.End)
		return lt, err
	})
	if err != nil {
		return nil, fmt.Errorf("mmm lift tests: %w", translate(err))
	}
	rows, err = s.pool.Query(ctx, "select path, conversions, value, nulls from mmm_paths where dataset = $1 order by path", d.Name)
	if err != nil {
		return nil, fmt.Errorf("mmm paths: %w", translate(err))
	}
	d.Paths, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.Path, error) {
		var p analytics.Path
		var key string
		err := r.Scan(&key, &p.Conversions, &p.Value, &p.Nulls)
		p.Channels = strings.Split(key, analytics.PathSeparator)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("mmm paths: %w", translate(err))
	}
	return d, nil
}
