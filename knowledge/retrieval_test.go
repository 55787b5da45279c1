package knowledge

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

func TestFuseRRF(t *testing.T) {
	// Hand-computed, k = 60:
	//   id 1: 1/61 + 1/62 = 0.0325224748
	//   id 3: 1/63 + 1/61 = 0.0322664585
	//   id 2: 1/62        = 0.0161290323
	//   id 4: 1/63        = 0.0158730159
	lists := [][]int64{{1, 2, 3}, {3, 1, 4}}
	want := []Scored{{1, 0.0325224748}, {3, 0.0322664585}, {2, 0.0161290323}, {4, 0.0158730159}}
	for _, k := range []float64{60, 0} { // 0 means DefaultRRFK = 60
		got := FuseRRF(lists, k)
		if len(got) != len(want) {
			t.Fatalf("FuseRRF(%v, %v) = %v; want %v", lists, k, got, want)
		}
		for i := range want {
			if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-9 {
				t.Errorf("FuseRRF(%v, %v)[%d] = %+v; want %+v", lists, k, i, got[i], want[i])
			}
		}
	}

	t.Run("SmallK", func(t *testing.T) {
		// k = 1: id 1: 1/2+1/3 = 0.8333; id 3: 1/4+1/2 = 0.75
		got := FuseRRF(lists, 1)
		if got[0].ID != 1 || math.Abs(got[0].Score-5.0/6) > 1e-12 || got[1].ID != 3 || math.Abs(got[1].Score-0.75) > 1e-12 {
			t.Errorf("FuseRRF(%v, 1)[:2] = %v; want [{1 0.8333} {3 0.75}]", lists, got[:2])
		}
	})
	t.Run("TiesByID", func(t *testing.T) {
		got := FuseRRF([][]int64{{6, 5}, {5, 6}}, 60)
		if got[0].ID != 5 || got[1].ID != 6 || got[0].Score != got[1].Score {
			t.Errorf("FuseRRF tie = %v; want ids [5 6] with equal scores", got)
		}
	})
	t.Run("DuplicateCountsOnce", func(t *testing.T) {
		got := FuseRRF([][]int64{{7, 7, 8}}, 60)
		if len(got) != 2 || math.Abs(got[0].Score-1.0/61) > 1e-12 || math.Abs(got[1].Score-1.0/63) > 1e-12 {
			t.Errorf("FuseRRF([[7 7 8]], 60) = %v; want [{7 1/61} {8 1/63}]", got)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if got := FuseRRF(nil, 60); got == nil || len(got) != 0 {
			t.Errorf("FuseRRF(nil, 60) = %#v; want empty non-nil", got)
		}
	})
}

// fakeIndex is a hand-written Index: one func field per method.
type fakeIndex struct {
	vectorSearch func(ctx context.Context, vec []float32, f Filter, k int) ([]Hit, error)
	textSearch   func(ctx context.Context, query string, f Filter, k int) ([]Hit, error)
}

func (x *fakeIndex) VectorSearch(ctx context.Context, vec []float32, f Filter, k int) ([]Hit, error) {
	return x.vectorSearch(ctx, vec, f, k)
}

func (x *fakeIndex) TextSearch(ctx context.Context, query string, f Filter, k int) ([]Hit, error) {
	return x.textSearch(ctx, query, f, k)
}

func hits(ids ...int64) []Hit {
	out := make([]Hit, len(ids))
	for i, id := range ids {
		out[i] = Hit{Feedback: Feedback{ID: id, Text: "feedback"}, Score: 1 / float64(i+1)}
	}
	return out
}

func matchIDs(ms []Match) []int64 {
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.Feedback.ID)
	}
	return ids
}

func TestSearcher_Search(t *testing.T) {
	ctx := context.Background()
	emb := mustEmbedder(t, 0)
	filter := Filter{
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
		RatingMax: 2, Category: "Dresses", Sentiment: LabelNegative,
	}

	t.Run("Hybrid", func(t *testing.T) {
		var gotVec []float32
		var gotQuery string
		var gotFilters []Filter
		var gotK []int
		idx := &fakeIndex{
			vectorSearch: func(_ context.Context, vec []float32, f Filter, k int) ([]Hit, error) {
				gotVec, gotFilters, gotK = vec, append(gotFilters, f), append(gotK, k)
				return hits(1, 2, 3), nil
			},
			textSearch: func(_ context.Context, q string, f Filter, k int) ([]Hit, error) {
				gotQuery, gotFilters, gotK = q, append(gotFilters, f), append(gotK, k)
				return hits(3, 1, 4), nil
			},
		}
		res, err := NewSearcher(idx, emb).Search(ctx, "runs small, mail me at jo@example.com", filter, 0)
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		const redacted = "runs small, mail me at [EMAIL]"
		if res.Query != redacted || gotQuery != redacted {
			t.Errorf("Search query = %q, text search got %q; want %q", res.Query, gotQuery, redacted)
		}
		if want := embedQuery(t, emb, redacted); !slices.Equal(gotVec, want) {
			t.Errorf("VectorSearch vector is not the embedding of the redacted query")
		}
		for i, f := range gotFilters {
			if !reflect.DeepEqual(f, filter) {
				t.Errorf("search %d filter = %+v; want %+v", i, f, filter)
			}
		}
		if !slices.Equal(gotK, []int{30, 30}) {
			t.Errorf("candidate counts = %v; want [30 30] (max(3×10, 30))", gotK)
		}
		if res.Mode != ModeHybrid || res.Note != "" {
			t.Errorf("Search mode, note = %q, %q; want %q, empty", res.Mode, res.Note, ModeHybrid)
		}
		if ids := matchIDs(res.Matches); !slices.Equal(ids, []int64{1, 3, 2, 4}) {
			t.Errorf("Search ids = %v; want [1 3 2 4] (RRF of [1 2 3] and [3 1 4])", ids)
		}
		m := res.Matches[1] // id 3: vector rank 3, text rank 1
		if m.VectorRank != 3 || m.TextRank != 1 || math.Abs(m.Score-(1.0/63+1.0/61)) > 1e-12 {
			t.Errorf("Search match id 3 = ranks (%d, %d), score %v; want (3, 1), %v", m.VectorRank, m.TextRank, m.Score, 1.0/63+1.0/61)
		}
		if m := res.Matches[3]; m.VectorRank != 0 || m.TextRank != 3 {
			t.Errorf("Search match id 4 ranks = (%d, %d); want (0, 3)", m.VectorRank, m.TextRank)
		}
	})

	t.Run("Limit", func(t *testing.T) {
		idx := &fakeIndex{
			vectorSearch: func(context.Context, []float32, Filter, int) ([]Hit, error) { return hits(1, 2, 3), nil },
			textSearch:   func(context.Context, string, Filter, int) ([]Hit, error) { return hits(3, 1, 4), nil },
		}
		res, err := NewSearcher(idx, emb).Search(ctx, "fabric", Filter{}, 2)
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if ids := matchIDs(res.Matches); !slices.Equal(ids, []int64{1, 3}) {
			t.Errorf("Search(limit 2) ids = %v; want [1 3]", ids)
		}
	})

	t.Run("FallbackToText", func(t *testing.T) {
		idx := &fakeIndex{
			vectorSearch: func(context.Context, []float32, Filter, int) ([]Hit, error) {
				return nil, errors.New("pgvector missing: " + ErrNoVectorSearch.Error())
			},
			textSearch: func(context.Context, string, Filter, int) ([]Hit, error) { return hits(9, 8), nil },
		}
		// A plain error that only mentions the sentinel's text is a failure.
		if _, err := NewSearcher(idx, emb).Search(ctx, "fabric", Filter{}, 5); err == nil {
			t.Errorf("Search with a non-sentinel vector error = nil; want an error")
		}
		idx.vectorSearch = func(context.Context, []float32, Filter, int) ([]Hit, error) {
			return nil, errors.Join(errors.New("no vector extension"), ErrNoVectorSearch)
		}
		res, err := NewSearcher(idx, emb).Search(ctx, "fabric", Filter{}, 5)
		if err != nil {
			t.Fatalf("Search with ErrNoVectorSearch: %v; want fallback", err)
		}
		if res.Mode != ModeTextOnly || !strings.Contains(res.Note, "full-text") {
			t.Errorf("Search mode, note = %q, %q; want %q and a note naming full-text", res.Mode, res.Note, ModeTextOnly)
		}
		if ids := matchIDs(res.Matches); !slices.Equal(ids, []int64{9, 8}) {
			t.Errorf("Search text-only ids = %v; want [9 8]", ids)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		boom := errors.New("connection reset")
		idx := &fakeIndex{
			vectorSearch: func(context.Context, []float32, Filter, int) ([]Hit, error) { return hits(1), nil },
			textSearch:   func(context.Context, string, Filter, int) ([]Hit, error) { return nil, boom },
		}
		s := NewSearcher(idx, emb)
		if _, err := s.Search(ctx, "fabric", Filter{}, 5); !errors.Is(err, boom) {
			t.Errorf("Search with failing text search = %v; want wrapped %v", err, boom)
		}
		if _, err := s.Search(ctx, "  ?! ", Filter{}, 5); !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("Search(%q) = %v; want ErrEmptyQuery", "  ?! ", err)
		}
		var ie *analytics.InputError
		if _, err := s.Search(ctx, "fabric", Filter{RatingMin: 4, RatingMax: 2}, 5); !errors.As(err, &ie) || ie.Field != "rating_min" {
			t.Errorf("Search with RatingMin 4 > RatingMax 2 = %v; want InputError on rating_min", err)
		}
	})
}

func TestFilter_Validate(t *testing.T) {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		f     Filter
		field string // "" = valid
	}{
		{"Zero", Filter{}, ""},
		{"Full", Filter{From: day, To: day.AddDate(0, 1, 0), RatingMin: 1, RatingMax: 5, Sentiment: LabelPositive}, ""},
		{"RatingMax6", Filter{RatingMax: 6}, "rating_max"},
		{"RatingMinNegative", Filter{RatingMin: -1}, "rating_min"},
		{"ToBeforeFrom", Filter{From: day, To: day}, "to"},
		{"BadSentiment", Filter{Sentiment: "angry"}, "sentiment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			var ie *analytics.InputError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("Validate(%+v) = %v; want nil", tt.f, err)
			case tt.field != "" && (!errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, ErrInvalidFilter)):
				t.Errorf("Validate(%+v) = %v; want ErrInvalidFilter on field %s", tt.f, err, tt.field)
			}
		})
	}
}
