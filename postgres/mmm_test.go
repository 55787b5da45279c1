package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/postgres"
	"github.com/roibot/roibot/postgres/pgtest"
)

func TestStore_MMMDataset(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	if _, err := s.LoadMMMDataset(ctx, "", nil); !errors.Is(err, postgres.ErrNoMMMData) {
		t.Fatalf("empty store: err = %v; want ErrNoMMMData", err)
	}
	london, _ := time.LoadLocation("Europe/London")
	w0 := time.Date(2024, 3, 25, 0, 0, 0, 0, london) // the week BST starts
	in := analytics.MMMInput{
		Weeks:     []time.Time{w0, w0.AddDate(0, 0, 7), w0.AddDate(0, 0, 14)},
		Outcome:   []float64{1000.5, 1100, 990.25},
		Media:     []analytics.MMMSeries{{Name: "tv", Values: []float64{0, 500, 250}}, {Name: "search", Values: []float64{40, 45.5, 50}}},
		Controls:  []analytics.MMMSeries{{Name: "price", Values: []float64{9.99, 9.99, 10.49}}},
		Events:    []analytics.MMMSeries{{Name: "promo", Values: []float64{0, 1, 0}}},
		LiftTests: []analytics.LiftTest{{Channel: "tv", Start: w0.AddDate(0, 0, 7), End: w0.AddDate(0, 0, 14), Incremental: 300, SE: 30}},
	}
	d := postgres.MMMDataset{Name: "weekly", Currency: "GBP", Source: "weekly.csv", Input: in,
		Paths: []analytics.Path{{Channels: []string{"search", "tv"}, Conversions: 3, Value: 150, Nulls: 6}},
		Truth: json.RawMessage(`{"synthetic": true}`)}
	for i := 0; i < 2; i++ { // storing twice keeps one copy
		if err := s.StoreMMMDataset(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.LoadMMMDataset(ctx, "", london)
	if err != nil {
		t.Fatal(err)
	}
	// Series come back grouped by kind and sorted by name.
	want := in
	want.Media = []analytics.MMMSeries{in.Media[1], in.Media[0]}
	if !reflect.DeepEqual(got.Input.Outcome, want.Outcome) || !reflect.DeepEqual(got.Input.Media, want.Media) ||
		!reflect.DeepEqual(got.Input.Controls, want.Controls) || !reflect.DeepEqual(got.Input.Events, want.Events) {
		t.Errorf("input = %+v; want %+v", got.Input, want)
	}
	for i, w := range got.Input.Weeks {
		if !w.Equal(in.Weeks[i]) || w.Location() != london {
			t.Errorf("week %d = %v; want %v", i, w, in.Weeks[i])
		}
	}
	if len(got.Input.LiftTests) != 1 || !got.Input.LiftTests[0].Start.Equal(in.LiftTests[0].Start) || got.Input.LiftTests[0].Incremental != 300 {
		t.Errorf("lift tests = %+v", got.Input.LiftTests)
	}
	if len(got.Paths) != 1 || !reflect.DeepEqual(got.Paths[0], d.Paths[0]) || got.Currency != "GBP" || string(got.Truth) != `{"synthetic": true}` {
		t.Errorf("paths %+v, currency %q, truth %s", got.Paths, got.Currency, got.Truth)
	}
	list, err := s.MMMDatasets(ctx)
	if err != nil || len(list) != 1 || list[0].Weeks != 3 || list[0].From != "2024-03-25" {
		t.Errorf("MMMDatasets = %+v, %v", list, err)
	}
	if _, err := s.LoadMMMDataset(ctx, "nope", nil); !errors.Is(err, postgres.ErrNoMMMData) {
		t.Errorf("unknown dataset: err = %v", err)
	}
}
