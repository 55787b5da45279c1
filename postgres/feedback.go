package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// Embedder turns feedback texts into vectors, one per text, in order;
// langchaingo's embeddings.Embedder and knowledge.HashEmbedder satisfy it.
type Embedder interface {
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
}

// FeedbackConfig configures a FeedbackStore.
type FeedbackConfig struct {
	// Embedder embeds feedback texts as they are stored. Nil stores no
	// vectors, and VectorSearch then reports knowledge.ErrNoVectorSearch.
	Embedder Embedder
	// Dimension is the length of the Embedder's vectors; it must equal the
	// dimension of the feedback_embeddings column.
	Dimension int
	// Model names the embedder in feedback_embeddings.model (e.g.
	// "hash-384"); vectors of other models are not searched.
	Model string
}

// FeedbackStore stores and searches customer feedback: rows in feedback,
// vectors in feedback_embeddings (pgvector, HNSW cosine) when the vector
// extension exists, and collection dialogue state in feedback_dialogues.
// It implements knowledge.Index and knowledge.Recorder.
type FeedbackStore struct {
	s      *Store
	emb    Embedder
	model  string
	vector bool
	// column is the type of feedback_embeddings.embedding, ColumnVector
	// or ColumnHalfvec; vectors are sent as pgvector-go's Vector or
	// HalfVector accordingly.
	column string
	// iterative is true where pgvector (0.8+) has iterative index scans.
	iterative bool
}

var (
	_ knowledge.Index    = (*FeedbackStore)(nil)
	_ knowledge.Recorder = (*FeedbackStore)(nil)
)

// Feedback returns the store's FeedbackStore. It checks at start-up that
// cfg.Dimension equals the dimension of the vector column, returning an
// error wrapping knowledge.ErrDimensionMismatch that names both sizes
// otherwise. It reads the column's type from the catalog (vector, or
// halfvec above 2,000 dimensions; see Config.EmbeddingDimension) and sends
// the vectors it stores and searches with as that type (pgvector-go's
// Vector or HalfVector). Where the vector extension is missing (plain PostgreSQL) it
// succeeds without vectors: feedback is stored with full text only and
// VectorSearch reports knowledge.ErrNoVectorSearch.
func (s *Store) Feedback(ctx context.Context, cfg FeedbackConfig) (*FeedbackStore, error) {
	fs := &FeedbackStore{s: s, emb: cfg.Embedder, model: cfg.Model}
	if fs.model == "" {
		fs.model = "default"
	}
	typ, dim, err := s.EmbeddingColumn(ctx)
	switch {
	case errors.Is(err, ErrNoVector):
		return fs, nil
	case err != nil:
		return nil, fmt.Errorf("feedback store: %w", err)
	}
	if cfg.Embedder == nil {
		return fs, nil
	}
	if err := knowledge.CheckDimension(cfg.Dimension, dim); err != nil {
		return nil, fmt.Errorf("feedback store: %w (feedback_embeddings.embedding is %s(%d))", err, typ, dim)
	}
	qctx, cancel := s.ctx(ctx)
	defer cancel()
	var ver string
	if err := s.pool.QueryRow(qctx, "select extversion from pg_extension where extname = 'vector'").Scan(&ver); err != nil {
		return nil, fmt.Errorf("feedback store: pgvector version: %w", translate(err))
	}
	fs.vector, fs.column, fs.iterative = true, typ, versionAtLeast(ver, 0, 8)
	return fs, nil
}

// versionAtLeast reports whether a "major.minor[.patch]" version is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// HasVectorSearch reports whether feedback is embedded and searched by vector.
func (fs *FeedbackStore) HasVectorSearch() bool { return fs.vector }

// VectorColumn returns the type vectors are stored and searched as,
// ColumnVector or ColumnHalfvec; empty without vector search.
func (fs *FeedbackStore) VectorColumn() string { return fs.column }

// embedBatchSize bounds the vectors sent in one insert statement (in
// pgvector's binary format, 4 bytes a dimension: 1.5 KB each for 384).
const embedBatchSize = 1000

// RecordFeedback stores one feedback f under idempotencyKey, which becomes
// its SourceRef: a second call with the same Source and key stores nothing
// and returns the first call's ID. f is stored as given (call
// knowledge.Enrich and Validate first); its vector is computed and
// checked with knowledge.ValidateVector before anything is written.
func (fs *FeedbackStore) RecordFeedback(ctx context.Context, f knowledge.Feedback, idempotencyKey string) (int64, error) {
	if idempotencyKey == "" {
		return 0, errors.New("record feedback: empty idempotency key")
	}
	f.SourceRef = idempotencyKey
	ids, err := fs.store(ctx, []knowledge.Feedback{f})
	if err != nil {
		return 0, fmt.Errorf("record feedback: %w", err)
	}
	if ids[0] != 0 {
		return ids[0], nil
	}
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	var id int64
	err = fs.s.pool.QueryRow(ctx, "select feedback_id from feedback where source = $1 and source_ref = $2",
		f.Source, idempotencyKey).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record feedback %s: %w", idempotencyKey, translate(err))
	}
	return id, nil
}

// StoreFeedback stores a batch of feedback (e.g. imported reviews) in one
// transaction, with their vectors, and returns how many rows were new.
// Every item needs a Source and SourceRef; items whose (Source,
// SourceRef) is already stored are skipped, so importing a file twice
// stores nothing the second time. Each item is
// checked with Validate and each vector with knowledge.ValidateVector
// before anything is written; a failure returns an *analytics.InputError
// whose Row is the item's index.
func (fs *FeedbackStore) StoreFeedback(ctx context.Context, items []knowledge.Feedback) (int, error) {
	ids, err := fs.store(ctx, items)
	if err != nil {
		return 0, fmt.Errorf("store feedback: %w", err)
	}
	stored := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id != 0 {
			stored[id] = true
		}
	}
	return len(stored), nil
}

// store inserts items and their vectors and returns the new row's ID per
// item, 0 for an item already stored.
func (fs *FeedbackStore) store(ctx context.Context, items []knowledge.Feedback) ([]int64, error) {
	ids := make([]int64, len(items))
	if len(items) == 0 {
		return ids, nil
	}
	for i, f := range items {
		if err := f.Validate(); err != nil {
			var ie *analytics.InputError
			if errors.As(err, &ie) {
				ie.Row = i
			}
			return nil, err
		}
		if f.Source == "" || f.SourceRef == "" {
			return nil, &analytics.InputError{Row: i, Field: "source_ref", Err: errors.New("empty source or source_ref")}
		}
	}
	var vecs [][]float32
	if fs.vector && fs.emb != nil {
		texts := make([]string, len(items))
		for i, f := range items {
			texts[i] = f.Text
		}
		vs, err := fs.emb.EmbedDocuments(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("embed: %w", err)
		}
		if len(vs) != len(items) {
			return nil, fmt.Errorf("embed: %d vectors for %d texts", len(vs), len(items))
		}
		for i, v := range vs {
			if err := knowledge.ValidateVector(v); err != nil {
				return nil, &analytics.InputError{Row: i, Field: "embedding", Err: err}
			}
		}
		vecs = vs
	}

	n := len(items)
	var (
		body, cust, order, prod, cat, src, ref, label, themes = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		sentSrc                                               = make([]string, n)
		rating                                                = make([]int16, n)
		consent                                               = make([]bool, n)
		at                                                    = make([]time.Time, n)
		sent                                                  = make([]float64, n)
		pos                                                   = make([]int32, n)
	)
	now := time.Now().UTC()
	for i, f := range items {
		body[i], cust[i], order[i], prod[i], cat[i] = f.Text, f.CustomerID, f.OrderID, f.Product, f.Category
		src[i], ref[i], label[i], sentSrc[i] = f.Source, f.SourceRef, f.SentimentLabel, f.SentimentSource
		themes[i] = strings.Join(f.Themes, ",")
		rating[i], consent[i], sent[i], pos[i] = int16(f.Rating), f.Consent, f.Sentiment, int32(i)
		at[i] = f.CreatedAt.UTC()
		if f.CreatedAt.IsZero() {
			at[i] = now
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*fs.s.timeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, fs.s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `insert into feedback (body, rating, customer_id, order_id, product, category,
				source, source_ref, consent, created_at, sentiment, sentiment_label, sentiment_source, themes)
			select u.body, nullif(u.rating, 0), nullif(u.cust, ''), u.ord, u.prod, u.cat,
				u.src, u.ref, u.consent, u.at, u.sent, nullif(u.label, ''), nullif(u.sent_src, ''),
				case when u.themes = '' then '{}'::text[] else string_to_array(u.themes, ',') end
			from unnest($1::text[], $2::int2[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::text[], $9::boolean[], $10::timestamptz[], $11::float8[], $12::text[], $13::text[], $14::int4[], $15::text[])
				as u(body, rating, cust, ord, prod, cat, src, ref, consent, at, sent, label, themes, pos, sent_src)
			order by u.pos
			on conflict (source, source_ref) do nothing
			returning feedback_id, source, source_ref`,
			body, rating, cust, order, prod, cat, src, ref, consent, at, sent, label, themes, pos, sentSrc)
		if err != nil {
			return err
		}
		type key struct{ src, ref string }
		byKey := make(map[key]int64)
		for rows.Next() {
			var id int64
			var k key
			if err := rows.Scan(&id, &k.src, &k.ref); err != nil {
				rows.Close()
				return err
			}
			byKey[k] = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range items {
			ids[i] = byKey[key{src[i], ref[i]}]
		}
		if vecs == nil {
			return nil
		}
		var eIDs []int64
		var eVecs [][]float32
		embedded := make(map[int64]bool, len(ids))
		for i, id := range ids {
			if id != 0 && !embedded[id] { // a key repeated within the batch is one row
				embedded[id] = true
				eIDs = append(eIDs, id)
				eVecs = append(eVecs, vecs[i])
			}
		}
		for start := 0; start < len(eIDs); start += embedBatchSize {
			end := min(start+embedBatchSize, len(eIDs))
			if _, err := tx.Exec(ctx, `insert into feedback_embeddings (feedback_id, model, embedding)
				select u.id, $3, u.v from unnest($1::int8[], $2::`+fs.column+`[]) as u(id, v)`,
				eIDs[start:end], fs.vectorsArg(eVecs[start:end]), fs.model); err != nil {
				return fmt.Errorf("embeddings: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return ids, nil
}

// Reembed embeds, in batches of batchSize (≤ 0 means 500), every
// feedback row without a vector of the store's model (rows imported
// without pgvector, or embedded by another model) and stores the vector,
// replacing another model's. It returns how many rows it embedded, and
// knowledge.ErrNoVectorSearch where pgvector or the embedder is missing.
func (fs *FeedbackStore) Reembed(ctx context.Context, batchSize int) (int, error) {
	if !fs.vector || fs.emb == nil {
		return 0, knowledge.ErrNoVectorSearch
	}
	if batchSize <= 0 {
		batchSize = 500
	}
	total := 0
	for {
		qctx, cancel := fs.s.ctx(ctx)
		rows, err := fs.s.pool.Query(qctx, `select f.feedback_id, f.body from feedback f
			left join feedback_embeddings e on e.feedback_id = f.feedback_id
			where e.feedback_id is null or e.model <> $1
			order by f.feedback_id limit $2`, fs.model, batchSize)
		if err != nil {
			cancel()
			return total, fmt.Errorf("reembed: %w", translate(err))
		}
		var ids []int64
		var texts []string
		for rows.Next() {
			var id int64
			var body string
			if err := rows.Scan(&id, &body); err != nil {
				rows.Close()
				cancel()
				return total, fmt.Errorf("reembed: %w", translate(err))
			}
			ids, texts = append(ids, id), append(texts, body)
		}
		err = rows.Err()
		cancel()
		if err != nil {
			return total, fmt.Errorf("reembed: %w", translate(err))
		}
		if len(ids) == 0 {
			return total, nil
		}
		vs, err := fs.emb.EmbedDocuments(ctx, texts)
		if err != nil {
			return total, fmt.Errorf("reembed: %w", err)
		}
		for i, v := range vs {
			if err := knowledge.ValidateVector(v); err != nil {
				return total, fmt.Errorf("reembed feedback %d: %w", ids[i], err)
			}
		}
		qctx, cancel = fs.s.ctx(ctx)
		_, err = fs.s.pool.Exec(qctx, `insert into feedback_embeddings (feedback_id, model, embedding)
			select u.id, $3, u.v from unnest($1::int8[], $2::`+fs.column+`[]) as u(id, v)
			on conflict (feedback_id) do update set model = excluded.model, embedding = excluded.embedding`,
			ids, fs.vectorsArg(vs), fs.model)
		cancel()
		if err != nil {
			return total, fmt.Errorf("reembed: %w", translate(err))
		}
		total += len(ids)
	}
}

// vectorArg returns v as a pgvector-go value of the column's type
// (pgvector.Vector, or pgvector.HalfVector for a halfvec column), sent in
// pgvector's binary format.
func (fs *FeedbackStore) vectorArg(v []float32) any {
	if fs.column == ColumnHalfvec {
		return pgvector.NewHalfVector(v)
	}
	return pgvector.NewVector(v)
}

// vectorsArg is vectorArg for an array parameter ($n::vector[] or
// $n::halfvec[]).
func (fs *FeedbackStore) vectorsArg(vs [][]float32) any {
	if fs.column == ColumnHalfvec {
		out := make([]pgvector.HalfVector, len(vs))
		for i, v := range vs {
			out[i] = pgvector.NewHalfVector(v)
		}
		return out
	}
	out := make([]pgvector.Vector, len(vs))
	for i, v := range vs {
		out[i] = pgvector.NewVector(v)
	}
	return out
}

// feedbackCols are the feedback columns scanned by scanFeedback, for a
// table aliased f.
const feedbackCols = `f.feedback_id, f.body, coalesce(f.rating, 0), coalesce(f.customer_id, ''), f.order_id,
	f.product, f.category, f.source, coalesce(f.source_ref, ''), f.consent, f.created_at,
	coalesce(f.sentiment, 0), coalesce(f.sentiment_label, ''), coalesce(f.sentiment_source, ''), f.themes`

func scanFeedback(r pgx.Row, extra ...any) (knowledge.Feedback, error) {
	var f knowledge.Feedback
	var rating int16
	dest := append([]any{&f.ID, &f.Text, &rating, &f.CustomerID, &f.OrderID, &f.Product, &f.Category,
		&f.Source, &f.SourceRef, &f.Consent, &f.CreatedAt, &f.Sentiment, &f.SentimentLabel, &f.SentimentSource, &f.Themes}, extra...)
	err := r.Scan(dest...)
	f.Rating = int(rating)
	if len(f.Themes) == 0 {
		f.Themes = nil
	}
	return f, err
}

// feedbackWhere returns the condition filtering feedback f by the eight
// feedbackFilterArgs parameters, numbered from $first (ratings 0 and
// empty strings mean no bound).
func feedbackWhere(first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `(` + p(0) + `::timestamptz is null or f.created_at >= ` + p(0) + `)
	and (` + p(1) + `::timestamptz is null or f.created_at < ` + p(1) + `)
	and (` + p(2) + `::int = 0 or f.rating >= ` + p(2) + `)
	and (` + p(3) + `::int = 0 or f.rating <= ` + p(3) + `)
	and (` + p(4) + `::text = '' or f.sentiment_label = ` + p(4) + `)
	and (` + p(5) + `::text = '' or lower(f.category) = lower(` + p(5) + `))
	and (` + p(6) + `::text = '' or lower(f.product) = lower(` + p(6) + `))
	and (` + p(7) + `::text[] is null or f.customer_id = any(` + p(7) + `::text[]))`
}

// feedbackFilterArgs validates f and returns its eight query arguments.
// Category and product match without regard to case.
func feedbackFilterArgs(f knowledge.Filter) ([]any, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Segment != "" && f.CustomerIDs == nil {
		return nil, &analytics.InputError{Row: -1, Field: "segment",
			Err: fmt.Errorf("%w: segment %q was not resolved to its customers", knowledge.ErrInvalidFilter, f.Segment)}
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	var customers []string // nil: no customer restriction
	if f.CustomerIDs != nil {
		customers = append([]string{}, f.CustomerIDs...)
	}
	return []any{from, to, f.RatingMin, f.RatingMax, f.Sentiment, f.Category, f.Product, customers}, nil
}

// Vector search tuning. hnsw.ef_search is the size of the candidate list
// of one HNSW scan (pgvector's default is 40; at most 1000); with
// hnsw.iterative_scan = relaxed_order (pgvector ≥ 0.8) a filtered scan
// continues past the first candidate list until it has k rows or has
// visited hnsw.max_scan_tuples (default 20,000) tuples.
const (
	minEFSearch = 100
	maxEFSearch = 1000
)

// VectorSearch returns the k feedback items nearest to vec by cosine
// distance among those matching f, best first; Score is the cosine
// similarity 1 − distance. It uses the HNSW index with ef_search =
// max(2k, 100) and, on pgvector 0.8 or later, an iterative scan
// (relaxed_order); when that returns fewer than k
// rows (a selective filter can exhaust the scan) it runs the same query
// as an exact scan, so a filtered search never returns fewer rows than
// exist. It returns knowledge.ErrNoVectorSearch where pgvector is missing
// or the store has no embedder, and an *analytics.InputError for a bad
// filter.
func (fs *FeedbackStore) VectorSearch(ctx context.Context, vec []float32, f knowledge.Filter, k int) ([]knowledge.Hit, error) {
	if !fs.vector {
		return nil, knowledge.ErrNoVectorSearch
	}
	if k <= 0 {
		return nil, nil
	}
	if err := knowledge.ValidateVector(vec); err != nil {
		return nil, fmt.Errorf("vector search: %w", err)
	}
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return nil, err
	}
	hits, err := fs.vectorSearch(ctx, vec, args, k, false)
	if err != nil {
		return nil, err
	}
	if len(hits) < k {
		hits, err = fs.vectorSearch(ctx, vec, args, k, true)
	}
	return hits, err
}

// ExactVectorSearch is VectorSearch without the index: a sequential scan
// computing every distance. It is the reference for index recall.
func (fs *FeedbackStore) ExactVectorSearch(ctx context.Context, vec []float32, f knowledge.Filter, k int) ([]knowledge.Hit, error) {
	if !fs.vector {
		return nil, knowledge.ErrNoVectorSearch
	}
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return nil, err
	}
	return fs.vectorSearch(ctx, vec, args, k, true)
}

// IndexOnlyVectorSearch is VectorSearch without the exact fallback: what
// the HNSW index returns under f, possibly fewer than k rows. Tests and
// benchmarks use it to measure the index itself.
func (fs *FeedbackStore) IndexOnlyVectorSearch(ctx context.Context, vec []float32, f knowledge.Filter, k int) ([]knowledge.Hit, error) {
	if !fs.vector {
		return nil, knowledge.ErrNoVectorSearch
	}
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return nil, err
	}
	return fs.vectorSearch(ctx, vec, args, k, false)
}

func (fs *FeedbackStore) vectorSearch(ctx context.Context, vec []float32, filter []any, k int, exact bool) ([]knowledge.Hit, error) {
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	args := append([]any{fs.vectorArg(vec)}, filter...)
	args = append(args, k, fs.model)
	// One round trip: the transaction, its settings (set_config with
	// is_local = true is SET LOCAL) and the search go to the server as one
	// pipelined batch, so the settings stay scoped to this transaction.
	var names, values []string
	if exact {
		names, values = []string{"enable_indexscan", "enable_bitmapscan"}, []string{"off", "off"}
	} else {
		ef := min(max(2*k, minEFSearch), maxEFSearch)
		names, values = []string{"hnsw.ef_search"}, []string{strconv.Itoa(ef)}
		if fs.iterative {
			names, values = append(names, "hnsw.iterative_scan"), append(values, "relaxed_order")
		}
	}
	var hits []knowledge.Hit
	err := fs.s.pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
		b := &pgx.Batch{}
		b.Queue("begin")
		b.Queue("select set_config(n, v, true) from unnest($1::text[], $2::text[]) as s(n, v)", names, values)
		b.Queue(`select `+feedbackCols+`, e.embedding <=> $1::`+fs.column+` as dist
			from feedback_embeddings e join feedback f on f.feedback_id = e.feedback_id
			where e.model = $11 and `+feedbackWhere(2)+`
			order by e.embedding <=> $1::`+fs.column+`
			limit $10`, args...).Query(func(rows pgx.Rows) error {
			var err error
			hits, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Hit, error) {
				var dist float64
				f, err := scanFeedback(r, &dist)
				return knowledge.Hit{Feedback: f, Score: 1 - dist}, err
			})
			return err
		})
		b.Queue("commit")
		// A failed statement leaves the transaction open; the pool then
		// closes the connection instead of reusing it.
		return c.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return nil, fmt.Errorf("vector search: %w", translate(err))
	}
	// relaxed_order may return rows slightly out of order.
	slices.SortStableFunc(hits, func(a, b knowledge.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Feedback.ID, b.Feedback.ID)
	})
	return hits, nil
}

// maxTextQueryWords bounds the words of a full-text query: a
// review-length question relaxed to OR matches nearly every row and ranks
// each against every term, so its cost grows with its length; the first
// words carry the question (the vector side of a hybrid search reads it
// whole).
const maxTextQueryWords = 12

// boundTextQuery keeps the first maxTextQueryWords whitespace-separated
// words of q.
func boundTextQuery(q string) string {
	w := strings.Fields(q)
	if len(w) <= maxTextQueryWords {
		return q
	}
	return strings.Join(w[:maxTextQueryWords], " ")
}

// TextSearch returns up to k feedback items matching query under f by
// PostgreSQL full-text search, best first: the query (its first
// maxTextQueryWords words) is parsed with
// websearch_to_tsquery('english', …) (quoted phrases, "-word", "or"),
// its AND-ed terms relaxed to OR so a natural-language question still
// matches texts holding some of its words, and ranked by
// ts_rank(tsv, query, 1) (rank divided by 1 + log length), ties by ID.
// Score is that rank. A query of stop words only matches nothing.
func (fs *FeedbackStore) TextSearch(ctx context.Context, query string, f knowledge.Filter, k int) ([]knowledge.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return nil, err
	}
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	args = append([]any{boundTextQuery(query)}, args...)
	args = append(args, k)
	rows, err := fs.s.pool.Query(ctx, `with q as (
			select replace(websearch_to_tsquery('english', $1)::text, ' & ', ' | ')::tsquery as q)
		select `+feedbackCols+`, ts_rank(f.tsv, q.q, 1) as rank
		from feedback f, q
		where f.tsv @@ q.q and `+feedbackWhere(2)+`
		order by rank desc, f.feedback_id
		limit $10`, args...)
	if err != nil {
		return nil, fmt.Errorf("text search: %w", translate(err))
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Hit, error) {
		var rank float32
		f, err := scanFeedback(r, &rank)
		return knowledge.Hit{Feedback: f, Score: float64(rank)}, err
	})
	if err != nil {
		return nil, fmt.Errorf("text search: %w", translate(err))
	}
	return hits, nil
}

// ListFeedback returns up to limit feedback items matching f, newest
// first (ties by ID descending), for summaries without a query.
func (fs *FeedbackStore) ListFeedback(ctx context.Context, f knowledge.Filter, limit int) ([]knowledge.Feedback, error) {
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return nil, err
	}
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	args = append(args, limit)
	rows, err := fs.s.pool.Query(ctx, `select `+feedbackCols+` from feedback f
		where `+feedbackWhere(1)+`
		order by f.created_at desc, f.feedback_id desc limit $9`, args...)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Feedback, error) { return scanFeedback(r) })
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", translate(err))
	}
	return out, nil
}

// CountFeedback returns how many feedback items match f.
func (fs *FeedbackStore) CountFeedback(ctx context.Context, f knowledge.Filter) (int, error) {
	args, err := feedbackFilterArgs(f)
	if err != nil {
		return 0, err
	}
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	var n int
	if err := fs.s.pool.QueryRow(ctx, `select count(*) from feedback f where `+feedbackWhere(1), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count feedback: %w", translate(err))
	}
	return n, nil
}

// FeedbackByIDs returns the feedback items with the given IDs, in the
// order asked; unknown IDs are left out.
func (fs *FeedbackStore) FeedbackByIDs(ctx context.Context, ids []int64) ([]knowledge.Feedback, error) {
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	rows, err := fs.s.pool.Query(ctx, `select `+feedbackCols+` from unnest($1::int8[]) with ordinality as u(id, n)
		join feedback f on f.feedback_id = u.id order by u.n`, ids)
	if err != nil {
		return nil, fmt.Errorf("feedback by ids: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Feedback, error) { return scanFeedback(r) })
	if err != nil {
		return nil, fmt.Errorf("feedback by ids: %w", translate(err))
	}
	return out, nil
}

// LoadDialogue returns the saved collection dialogue state of a
// conversation, and false when none is saved.
func (fs *FeedbackStore) LoadDialogue(ctx context.Context, conversationID string) (knowledge.State, bool, error) {
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	var raw string
	err := fs.s.pool.QueryRow(ctx, "select state::text from feedback_dialogues where conversation_id = $1", conversationID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return knowledge.State{}, false, nil
	}
	if err != nil {
		return knowledge.State{}, false, fmt.Errorf("load dialogue %s: %w", conversationID, translate(err))
	}
	var st knowledge.State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return knowledge.State{}, false, fmt.Errorf("load dialogue %s: %w", conversationID, err)
	}
	return st, true, nil
}

// SaveDialogue saves st as the dialogue state of st.ConversationID,
// replacing any earlier state.
func (fs *FeedbackStore) SaveDialogue(ctx context.Context, st knowledge.State) error {
	if st.ConversationID == "" {
		return fmt.Errorf("save dialogue: %w: no conversation ID", knowledge.ErrInvalidState)
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save dialogue %s: %w", st.ConversationID, err)
	}
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	if _, err := fs.s.pool.Exec(ctx, `insert into feedback_dialogues (conversation_id, state, updated_at)
		values ($1, $2::jsonb, now())
		on conflict (conversation_id) do update set state = excluded.state, updated_at = excluded.updated_at`,
		st.ConversationID, string(b)); err != nil {
		return fmt.Errorf("save dialogue %s: %w", st.ConversationID, translate(err))
	}
	return nil
}
