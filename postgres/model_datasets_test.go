package postgres_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/postgres"
)

func TestStore_ModelDataset(t *testing.T) {
	s := zonedStore(t, time.UTC)
	ctx := context.Background()
	tbl := analytics.ModelTable{
		IDs:    []string{"5524", "2174", "4141"},
		Target: []bool{true, false, false},
		Columns: []analytics.ModelColumn{
			{Name: "Education", Cat: []string{"Graduation", "", "PhD"}},
			{Name: "Income", Num: []float64{58138, math.NaN(), 71613}},
			{Name: "Recency", Num: []float64{58, 38, 26}},
		},
	}
	info := analytics.DatasetInfo{Name: "ifood", Source: "ml_project1_data.csv", Target: "Response", IDColumn: "ID"}
	if err := s.StoreModelDataset(ctx, info, tbl); err != nil {
		t.Fatal(err)
	}
	// A second import replaces the first.
	if err := s.StoreModelDataset(ctx, info, tbl); err != nil {
		t.Fatal(err)
	}
	got, d, err := s.ModelDataset(ctx, "ifood")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows != 3 || d.Positives != 1 || d.Target != "Response" || !slices.Equal(d.Columns, []string{"Education", "Income", "Recency"}) {
		t.Errorf("info = %+v", d)
	}
	if !slices.Equal(got.IDs, tbl.IDs) || !slices.Equal(got.Target, tbl.Target) || !slices.Equal(got.Columns[0].Cat, tbl.Columns[0].Cat) ||
		got.Columns[1].Num[0] != 58138 || !math.IsNaN(got.Columns[1].Num[1]) || !slices.Equal(got.Columns[2].Num, tbl.Columns[2].Num) {
		t.Errorf("read back %+v; want %+v", got, tbl)
	}
	list, err := s.ModelDatasets(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "ifood" {
		t.Errorf("ModelDatasets = %+v, %v", list, err)
	}
	if _, _, err := s.ModelDataset(ctx, "nope"); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("missing dataset: err = %v; want ErrNotFound", err)
	}
}
