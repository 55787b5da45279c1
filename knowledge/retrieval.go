package knowledge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/tmc/langchaingo/embeddings"
)

// DefaultRRFK is the rank constant k of reciprocal rank fusion used when
// none is given: 60, the value Cormack, Clarke and Büttcher found robust.
const DefaultRRFK = 60.0

// Search limits: the number of fused results returned when the caller
// gives none, and the most it may ask for.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 100
)

// Search modes reported in SearchResult.Mode.
const (
	// ModeHybrid means vector and full-text results were fused.
	ModeHybrid = "hybrid"
	// ModeTextOnly means only full-text search ran because the index has
	// no vector search (ErrNoVectorSearch).
	ModeTextOnly = "text_only"
)

// Sentinel errors of retrieval.
var (
	// ErrNoVectorSearch is what an Index returns from VectorSearch when it
	// cannot search by vector (no pgvector extension, no embeddings yet).
	// Searcher then falls back to full-text search.
	ErrNoVectorSearch = errors.New("vector search unavailable")
	// ErrEmptyQuery means a search query with no words.
	ErrEmptyQuery = errors.New("empty query")
	// ErrInvalidFilter means a Filter field out of range; it is wrapped in
	// an *analytics.InputError naming the field.
	ErrInvalidFilter = errors.New("invalid filter")
)

// Scored is one identifier with its fused score.
type Scored struct {
	ID    int64   `json:"id"`
	Score float64 `json:"score"`
}

// FuseRRF merges ranked lists of identifiers by reciprocal rank fusion:
//
//	score(d) = Σ_lists 1 / (k + rank_list(d))
//
// where rank is 1-based and a list that lacks d adds nothing. k ≤ 0 means
// DefaultRRFK. A repeated identifier within one list counts at its first
// (best) rank only. The result is sorted by score descending, ties by ID
// ascending, so it is deterministic; it is empty (not nil) for no input.
//
// Source: G.V. Cormack, C.L.A. Clarke, S. Büttcher, "Reciprocal Rank
// Fusion outperforms Condorcet and individual rank learning methods",
// SIGIR 2009.
func FuseRRF(lists [][]int64, k float64) []Scored {
	if k <= 0 {
		k = DefaultRRFK
	}
	score := make(map[int64]float64)
	for _, list := range lists {
		seen := make(map[int64]bool, len(list))
		for i, id := range list {
			if seen[id] {
				continue
			}
			seen[id] = true
			score[id] += 1 / (k + float64(i+1))
		}
	}
	out := make([]Scored, 0, len(score))
	for id, s := range score {
		out = append(out, Scored{ID: id, Score: s})
	}
	slices.SortFunc(out, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// Filter narrows a feedback search. Zero values mean "no restriction".
type Filter struct {
	// From and To bound CreatedAt to the half-open range [From, To).
	From, To time.Time
	// RatingMin and RatingMax bound Rating to [RatingMin, RatingMax], each 1..5.
	// A rating bound excludes feedback without a rating.
	RatingMin, RatingMax int
	// Sentiment keeps one SentimentLabel: negative, neutral or positive.
	Sentiment string
	// Category and Product keep an exact product category or product.
	Category, Product string
	// Segment names a customer segment (e.g. an RFM segment) for display;
	// the caller resolves it into CustomerIDs, which the Index filters on.
	Segment string
	// CustomerIDs, when not nil, keeps feedback of these customers only
	// (an empty, non-nil slice matches nothing).
	CustomerIDs []string
}

// Validate returns an *analytics.InputError (Row −1) wrapping
// ErrInvalidFilter and naming the field for a rating bound outside 1..5,
// RatingMin above RatingMax, an unknown Sentiment label, or To not after
// From when both are set.
func (f Filter) Validate() error {
	bad := func(field, msg string, args ...any) error {
		return &analytics.InputError{Row: -1, Field: field, Err: fmt.Errorf("%w: "+msg, append([]any{ErrInvalidFilter}, args...)...)}
	}
	switch {
	case f.RatingMin < 0 || f.RatingMin > 5:
		return bad("rating_min", "%d outside 1..5", f.RatingMin)
	case f.RatingMax < 0 || f.RatingMax > 5:
		return bad("rating_max", "%d outside 1..5", f.RatingMax)
	case f.RatingMin > 0 && f.RatingMax > 0 && f.RatingMin > f.RatingMax:
		return bad("rating_min", "%d above rating_max %d", f.RatingMin, f.RatingMax)
	case !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From):
		return bad("to", "%s not after from %s", f.To.Format(time.RFC3339), f.From.Format(time.RFC3339))
	}
	switch f.Sentiment {
	case "", LabelNegative, LabelNeutral, LabelPositive:
	default:
		return bad("sentiment", "%q is not negative, neutral or positive", f.Sentiment)
	}
	return nil
}

// Hit is one feedback an Index found, with the index's own relevance
// score (cosine similarity for vector search, a text rank for full-text
// search; higher is better). Hits come best first.
type Hit struct {
	Feedback Feedback
	Score    float64
}

// Index is what Searcher needs from a feedback store: vector and
// full-text search, each applying the Filter and returning at most k
// hits, best first. VectorSearch returns ErrNoVectorSearch (possibly
// wrapped) when it cannot search by vector.
type Index interface {
	VectorSearch(ctx context.Context, vec []float32, f Filter, k int) ([]Hit, error)
	TextSearch(ctx context.Context, query string, f Filter, k int) ([]Hit, error)
}

// Match is one search result: the feedback, its fused RRF score and its
// 1-based rank in each result list (0 when the list did not contain it).
type Match struct {
	Feedback   Feedback `json:"feedback"`
	Score      float64  `json:"score"`
	VectorRank int      `json:"vector_rank,omitempty"`
	TextRank   int      `json:"text_rank,omitempty"`
}

// SearchResult is what Searcher.Search returns.
type SearchResult struct {
	// Query is the query as searched: redacted of PII.
	Query string `json:"query"`
	// Mode is ModeHybrid or ModeTextOnly.
	Mode string `json:"mode"`
	// Note explains a fallback in plain words; empty in ModeHybrid.
	Note string `json:"note,omitempty"`
	// Matches are the fused results, best first, at most the limit asked.
	Matches []Match `json:"matches"`
}

// Searcher runs hybrid feedback search: it embeds the redacted query,
// runs vector and full-text search on the Index with the same Filter,
// and fuses the two rankings with FuseRRF.
type Searcher struct {
	// Index is the store searched.
	Index Index
	// Embedder embeds the query; its vectors must match the stored ones.
	Embedder embeddings.Embedder
	// K is the RRF rank constant; 0 means DefaultRRFK.
	K float64
	// Candidates is how many hits each search fetches before fusion;
	// 0 means max(3 × limit, 30).
	Candidates int
}

// NewSearcher returns a Searcher over idx using emb for queries, with
// the default RRF constant and candidate count.
func NewSearcher(idx Index, emb embeddings.Embedder) *Searcher {
	return &Searcher{Index: idx, Embedder: emb}
}

// Search returns up to limit feedback items relevant to query under f
// (limit ≤ 0 means DefaultSearchLimit; it is capped at MaxSearchLimit).
// The query is redacted with Redact before it is embedded or searched.
// When VectorSearch reports ErrNoVectorSearch, Search uses full-text
// results alone, sets Mode to ModeTextOnly and says so in Note. It returns
// ErrEmptyQuery for a query with no words, an *analytics.InputError for a
// bad filter, and wrapped errors from the embedder or index.
func (s *Searcher) Search(ctx context.Context, query string, f Filter, limit int) (SearchResult, error) {
	if err := f.Validate(); err != nil {
		return SearchResult{}, err
	}
	q, _ := Redact(query)
	q = strings.TrimSpace(q)
	if len(words(q)) == 0 {
		return SearchResult{}, ErrEmptyQuery
	}
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	n := s.Candidates
	if n <= 0 {
		n = max(3*limit, 30)
	}
	res := SearchResult{Query: q, Mode: ModeHybrid}

	vec, err := s.Embedder.EmbedQuery(ctx, q)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search feedback: %w", err)
	}
	if err := ValidateVector(vec); err != nil {
		return SearchResult{}, fmt.Errorf("search feedback: query embedding: %w", err)
	}
	vhits, err := s.Index.VectorSearch(ctx, vec, f, n)
	switch {
	case errors.Is(err, ErrNoVectorSearch):
		vhits = nil
		res.Mode = ModeTextOnly
		res.Note = "Vector search is unavailable, so these results come from full-text search only."
	case err != nil:
		return SearchResult{}, fmt.Errorf("search feedback: vector search: %w", err)
	}
	thits, err := s.Index.TextSearch(ctx, q, f, n)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search feedback: text search: %w", err)
	}

	byID := make(map[int64]*Match)
	rankList := func(hits []Hit, setRank func(m *Match, r int)) []int64 {
		ids := make([]int64, 0, len(hits))
		for i, h := range hits {
			m, ok := byID[h.Feedback.ID]
			if !ok {
				m = &Match{Feedback: h.Feedback}
				byID[h.Feedback.ID] = m
			}
			setRank(m, i+1)
			ids = append(ids, h.Feedback.ID)
		}
		return ids
	}
	lists := [][]int64{
		rankList(vhits, func(m *Match, r int) {
			if m.VectorRank == 0 {
				m.VectorRank = r
			}
		}),
		rankList(thits, func(m *Match, r int) {
			if m.TextRank == 0 {
				m.TextRank = r
			}
		}),
	}
	fused := FuseRRF(lists, s.K)
	res.Matches = make([]Match, 0, min(limit, len(fused)))
	for _, sc := range fused[:min(limit, len(fused))] {
		m := *byID[sc.ID]
		m.Score = sc.Score
		res.Matches = append(res.Matches, m)
	}
	return res, nil
}
