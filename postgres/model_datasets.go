package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// datasetColumn is one entry of model_datasets.columns.
type datasetColumn struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// StoreModelDataset stores t as the modelling dataset info.Name, replacing
// any dataset of that name, in one transaction (rows by COPY). Row IDs are
// t.IDs, or the 1-based row number when t has none. info.Rows, Positives
// and Columns are filled from t.
func (s *Store) StoreModelDataset(ctx context.Context, info analytics.DatasetInfo, t analytics.ModelTable) error {
	if err := t.Validate(); err != nil {
		return err
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	cols := make([]datasetColumn, len(t.Columns))
	var numIdx, catIdx []int
	for j, c := range t.Columns {
		cols[j] = datasetColumn{Name: c.Name, Kind: "numeric"}
		if c.Categorical() {
			cols[j].Kind = "categorical"
			catIdx = append(catIdx, j)
		} else {
			numIdx = append(numIdx, j)
		}
	}
	colJSON, _ := json.Marshal(cols)
	pos := 0
	for _, y := range t.Target {
		if y {
			pos++
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `delete from model_datasets where name = $1`, info.Name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `insert into model_datasets (name, source, target, id_column, columns, row_count, positives)
			values ($1, $2, $3, $4, $5, $6, $7)`, info.Name, info.Source, info.Target, info.IDColumn, colJSON, t.Rows(), pos); err != nil {
			return err
		}
		i := 0
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"model_dataset_rows"}, []string{"dataset", "row_no", "row_id", "target", "num", "cat"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == t.Rows() {
					return nil, nil
				}
				id := fmt.Sprint(i + 1)
				if len(t.IDs) > 0 {
					id = t.IDs[i]
				}
				num := make([]float64, len(numIdx))
				for k, j := range numIdx {
					num[k] = t.Columns[j].Num[i]
				}
				cat := make([]string, len(catIdx))
				for k, j := range catIdx {
					cat[k] = t.Columns[j].Cat[i]
				}
				row := []any{info.Name, i, id, t.Target[i], num, cat}
				i++
				return row, nil
			}))
		return err
	})
	if err != nil {
		return fmt.Errorf("store model dataset %s: %w", info.Name, translate(err))
	}
	return nil
}

// ModelDatasets lists the stored modelling datasets by name.
func (s *Store) ModelDatasets(ctx context.Context) ([]analytics.DatasetInfo, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select name, source, target, id_column, columns, row_count, positives, imported_at
		from model_datasets order by name`)
	if err != nil {
		return nil, fmt.Errorf("model datasets: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.DatasetInfo, error) {
		var d analytics.DatasetInfo
		var cols []datasetColumn
		err := r.Scan(&d.Name, &d.Source, &d.Target, &d.IDColumn, &cols, &d.Rows, &d.Positives, &d.ImportedAt)
		for _, c := range cols {
			d.Columns = append(d.Columns, c.Name)
		}
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("model datasets: %w", translate(err))
	}
	return out, nil
}

// ModelDataset returns the stored dataset name as a ModelTable (IDs the
// row IDs, rows in import order) with its description; ErrNotFound when
// there is none.
func (s *Store) ModelDataset(ctx context.Context, name string) (analytics.ModelTable, analytics.DatasetInfo, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var d analytics.DatasetInfo
	var cols []datasetColumn
	err := s.pool.QueryRow(ctx, `select name, source, target, id_column, columns, row_count, positives, imported_at
		from model_datasets where name = $1`, name).Scan(&d.Name, &d.Source, &d.Target, &d.IDColumn, &cols, &d.Rows, &d.Positives, &d.ImportedAt)
	if err != nil {
		return analytics.ModelTable{}, d, fmt.Errorf("model dataset %s: %w", name, translate(err))
	}
	t := analytics.ModelTable{Columns: make([]analytics.ModelColumn, len(cols)), Target: make([]bool, 0, d.Rows), IDs: make([]string, 0, d.Rows)}
	var numIdx, catIdx []int
	for j, c := range cols {
		d.Columns = append(d.Columns, c.Name)
		t.Columns[j].Name = c.Name
		if c.Kind == "categorical" {
			t.Columns[j].Cat = make([]string, 0, d.Rows)
			catIdx = append(catIdx, j)
		} else {
			t.Columns[j].Num = make([]float64, 0, d.Rows)
			numIdx = append(numIdx, j)
		}
	}
	rows, err := s.pool.Query(ctx, `select row_id, target, num, cat from model_dataset_rows where dataset = $1 order by row_no`, name)
	if err != nil {
		return analytics.ModelTable{}, d, fmt.Errorf("model dataset %s: %w", name, translate(err))
	}
	defer rows.Close()
	var id string
	var y bool
	var num []float64
	var cat []string
	for rows.Next() {
		if err := rows.Scan(&id, &y, &num, &cat); err != nil {
			return analytics.ModelTable{}, d, fmt.Errorf("model dataset %s: %w", name, err)
		}
		if len(num) != len(numIdx) || len(cat) != len(catIdx) {
			return analytics.ModelTable{}, d, fmt.Errorf("model dataset %s: row %s has %d numeric and %d categorical values; want %d and %d", name, id, len(num), len(cat), len(numIdx), len(catIdx))
		}
		t.IDs = append(t.IDs, id)
		t.Target = append(t.Target, y)
		for k, j := range numIdx {
			t.Columns[j].Num = append(t.Columns[j].Num, num[k])
		}
		for k, j := range catIdx {
			t.Columns[j].Cat = append(t.Columns[j].Cat, cat[k])
		}
	}
	if err := rows.Err(); err != nil {
		return analytics.ModelTable{}, d, fmt.Errorf("model dataset %s: %w", name, translate(err))
	}
	return t, d, nil
}
