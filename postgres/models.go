package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// SaveModelVersion stores mv as the next version of mv.Name (returned);
// when mv.Active it becomes the only active version, in one transaction.
func (s *Store) SaveModelVersion(ctx context.Context, mv analytics.ModelVersion) (int, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var version int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialise concurrent trainings of one name.
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtext('roibot.models.' || $1))`, mv.Name); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `select coalesce(max(version), 0) + 1 from models where name = $1`, mv.Name).Scan(&version); err != nil {
			return err
		}
		if mv.Active {
			if _, err := tx.Exec(ctx, `update models set active = false where name = $1 and active`, mv.Name); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `insert into models (name, version, trained_at, window_from, window_to, data_through, features,
			model, params, metrics, holdout_auc, active, note) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			mv.Name, version, mv.TrainedAt, nullTime(mv.WindowFrom), nullTime(mv.WindowTo), nullTime(mv.DataThrough), mv.Features,
			mv.Model, mv.Params, mv.Metrics, mv.HoldoutAUC, mv.Active, mv.Note)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save model %s: %w", mv.Name, translate(err))
	}
	return version, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

const modelCols = `name, version, trained_at, window_from, window_to, data_through, features, model, params, metrics, holdout_auc, active, note`

func scanModel(r pgx.CollectableRow) (analytics.ModelVersion, error) {
	var mv analytics.ModelVersion
	var from, to, through *time.Time
	err := r.Scan(&mv.Name, &mv.Version, &mv.TrainedAt, &from, &to, &through, &mv.Features, &mv.Model, &mv.Params, &mv.Metrics,
		&mv.HoldoutAUC, &mv.Active, &mv.Note)
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{from, &mv.WindowFrom}, {to, &mv.WindowTo}, {through, &mv.DataThrough}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return mv, err
}

// ModelVersions lists the stored versions of name (all names when empty),
// by name and version.
func (s *Store) ModelVersions(ctx context.Context, name string) ([]analytics.ModelVersion, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select `+modelCols+` from models where $1 = '' or name = $1 order by name, version`, name)
	if err != nil {
		return nil, fmt.Errorf("model versions: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, scanModel)
	if err != nil {
		return nil, fmt.Errorf("model versions: %w", translate(err))
	}
	return out, nil
}

// ActiveModel returns the active version of name; ErrNotFound when none.
func (s *Store) ActiveModel(ctx context.Context, name string) (analytics.ModelVersion, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select `+modelCols+` from models where name = $1 and active`, name)
	if err != nil {
		return analytics.ModelVersion{}, fmt.Errorf("active model %s: %w", name, translate(err))
	}
	mv, err := pgx.CollectExactlyOneRow(rows, scanModel)
	if err != nil {
		return analytics.ModelVersion{}, fmt.Errorf("active model %s: %w", name, translate(err))
	}
	return mv, nil
}
