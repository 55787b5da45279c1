package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/migrations"
)

// Sentinel errors returned by the store; no pgx type leaks out.
var (
	// ErrNotFound means the requested row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique or foreign-key constraint refused the write.
	ErrConflict = errors.New("conflict")
	// ErrNoVector means the vector extension is not installed, so semantic
	// search is unavailable and full text is used instead.
	ErrNoVector = errors.New("vector extension not available")
)

// Config configures a Store.
type Config struct {
	// URL is a PostgreSQL connection string.
	URL string
	// Schema, when set, is created if missing and put first on the
	// search_path (tests use one fresh schema each).
	Schema string
	// MaxConns bounds the pool (0: pgxpool's default, the larger of 4 and
	// the number of CPUs; roibot sets it from ROIBOT_DB_MAX_CONNS).
	MaxConns int32
	// QueryTimeout is the deadline of each statement the store runs when
	// the caller's context has none shorter (default 30 s).
	QueryTimeout time.Duration
	// Logger receives pgx trace output at debug level (nil: slog.Default()).
	Logger *slog.Logger
	// EmbeddingDimension is the length of the feedback vectors the
	// migrations create the feedback_embeddings column for (0 means
	// DefaultEmbeddingDimension, 384). Up to MaxVectorDimension (2,000)
	// the column is vector(n) with an HNSW vector_cosine_ops index; above
	// that, up to MaxHalfvecDimension (4,000), it is halfvec(n) (16-bit
	// floats) with halfvec_cosine_ops, because pgvector's HNSW index
	// holds at most 2,000 dimensions of vector and 4,000 of halfvec. It
	// only matters when the migrations run; an existing column keeps its
	// size, and Feedback checks the embedder against it.
	EmbeddingDimension int
	// Location is the business time zone (ROIBOT_TIMEZONE; nil means UTC):
	// order and touchpoint times come back in it, so that days counted from
	// them (recency, purchase occasions, daily buckets) are local days, the
	// same days spend is recorded on.
	Location *time.Location
	// ReportingCurrency is the currency ROI inputs are added up in
	// (ROIBOT_REPORTING_CURRENCY; empty means analytics.DefaultCurrency):
	// spend and orders in other currencies are converted with fx_rates, and
	// rows without a rate are left out (CurrencyCoverage names them).
	ReportingCurrency string
}

// Embedding column limits, from pgvector's HNSW index: at most 2,000
// dimensions for vector and 4,000 for halfvec.
const (
	// DefaultEmbeddingDimension is the column size without configuration:
	// the local HashEmbedder's default (knowledge.DefaultDimension).
	DefaultEmbeddingDimension = 384
	// MaxVectorDimension is the largest dimension stored as vector.
	MaxVectorDimension = 2000
	// MaxHalfvecDimension is the largest dimension stored at all (as halfvec).
	MaxHalfvecDimension = 4000
)

// Embedding column types, as EmbeddingColumn reports them.
const (
	ColumnVector  = "vector"
	ColumnHalfvec = "halfvec"
)

// embeddingColumn returns the column type and HNSW operator class for dim
// vectors, or an error for a dimension no HNSW index can hold.
func embeddingColumn(dim int) (typ, ops string, err error) {
	switch {
	case dim < 1 || dim > MaxHalfvecDimension:
		return "", "", fmt.Errorf("embedding dimension %d: want 1..%d (pgvector's HNSW limit, as halfvec above %d)",
			dim, MaxHalfvecDimension, MaxVectorDimension)
	case dim > MaxVectorDimension:
		return ColumnHalfvec, "halfvec_cosine_ops", nil
	default:
		return ColumnVector, "vector_cosine_ops", nil
	}
}

// Store is roibot's PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
	// delivery is a pool of its own (deliveryConns connections) for the
	// short statements of Slack delivery bookkeeping (claims, pending
	// turns), so that they never queue behind analytics queries holding
	// every connection of pool.
	delivery *pgxpool.Pool
	version  string
	timeout  time.Duration
	log      *slog.Logger
	// searchPath is every pool connection's search_path, sent as a startup
	// parameter: the configured schema (or public), public, and the schema
	// of the vector extension. versionTable is tern's table in that schema.
	searchPath   string
	versionTable string
	// embeddingDim is the dimension the migrations create the vector
	// column for.
	embeddingDim int
	// loc is the business time zone times are returned in.
	loc *time.Location
	// reportingCur is Config.ReportingCurrency.
	reportingCur string
}

// ReportingCurrency returns the currency ROI inputs are added up in.
func (s *Store) ReportingCurrency() string {
	if s.reportingCur == "" {
		return analytics.DefaultCurrency
	}
	return s.reportingCur
}

// zone returns the business time zone (UTC when none was configured).
func (s *Store) zone() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Open connects and returns a Store. It does not migrate.
//
// Every pool connection gets the same search_path as a startup parameter
// (so tern's "reset all" after each migration returns to it): the
// configured schema, public, and the schema the vector extension is
// installed in, where that is another one (e.g. extensions). Settings that
// differ between callers (hnsw.ef_search) are set with SET LOCAL inside the
// transaction that needs them, so nothing one caller sets reaches another.
// Open fails, naming the fix, where the extension lives in a schema the
// user cannot use or in another roibot schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("open store: empty database URL")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	timeout := cfg.QueryTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	dim := cfg.EmbeddingDimension
	if dim == 0 {
		dim = DefaultEmbeddingDimension
	}
	if _, _, err := embeddingColumn(dim); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("open store: parse database URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	probeCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pr, err := probe(probeCtx, pcfg.ConnConfig.Copy(), cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := []string{"public"}
	versionTable := "public.schema_version"
	if cfg.Schema != "" {
		path = []string{pgx.Identifier{cfg.Schema}.Sanitize(), "public"}
		versionTable = pgx.Identifier{cfg.Schema, "schema_version"}.Sanitize()
	}
	if pr.vectorSchema != "" && pr.vectorSchema != "public" && pr.vectorSchema != cfg.Schema {
		path = append(path, pgx.Identifier{pr.vectorSchema}.Sanitize())
	}
	searchPath := strings.Join(path, ", ")
	pcfg.ConnConfig.RuntimeParams["search_path"] = searchPath
	pcfg.AfterConnect = registerVectorTypes
	pcfg.ConnConfig.Tracer = &tracer{log: log}
	dcfg := pcfg.Copy()
	dcfg.MaxConns, dcfg.MinConns = deliveryConns, 0
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	delivery, err := pgxpool.NewWithConfig(ctx, dcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{pool: pool, delivery: delivery, version: pr.version, timeout: timeout, log: log,
		searchPath: searchPath, versionTable: versionTable, embeddingDim: dim, loc: cfg.Location,
		reportingCur: cfg.ReportingCurrency}, nil
}

// probed is what Open learns on one connection before the pool opens.
type probed struct {
	version string
	// vectorSchema is the schema of the installed vector extension, or
	// empty where it is not installed.
	vectorSchema string
}

// probe reads the server version, creates schema when set and missing,
// and finds the vector extension's schema, checking that the user can use
// it and that it is not another roibot schema.
func probe(ctx context.Context, cc *pgx.ConnConfig, schema string) (probed, error) {
	var p probed
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return p, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(ctx, "select version()").Scan(&p.version); err != nil {
		return p, fmt.Errorf("select version(): %w", err)
	}
	if schema != "" {
		if _, err := conn.Exec(ctx, "create schema if not exists "+pgx.Identifier{schema}.Sanitize()); err != nil {
			return p, fmt.Errorf("create schema %s: %w", schema, translate(err))
		}
	}
	var usable, roibot bool
	var user string
	err = conn.QueryRow(ctx, `select n.nspname::text, has_schema_privilege(n.oid, 'usage'), current_user::text,
			exists (select 1 from pg_class c where c.relnamespace = n.oid and c.relname = 'schema_version')
		from pg_extension e join pg_namespace n on n.oid = e.extnamespace
		where e.extname = 'vector'`).Scan(&p.vectorSchema, &usable, &user, &roibot)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return p, nil // not installed (yet): the migrations create it in public where available
	case err != nil:
		return p, fmt.Errorf("find the vector extension: %w", translate(err))
	}
	ident := pgx.Identifier{p.vectorSchema}.Sanitize()
	if !usable {
		return p, fmt.Errorf("the vector extension is installed in schema %s, which user %s may not use: grant usage on schema %s to %s",
			p.vectorSchema, user, ident, pgx.Identifier{user}.Sanitize())
	}
	if roibot && p.vectorSchema != "public" && p.vectorSchema != schema {
		return p, fmt.Errorf("the vector extension is installed in schema %s, which holds another roibot's tables; "+
			"move it where every schema can use it: create schema if not exists extensions; alter extension vector set schema extensions",
			p.vectorSchema)
	}
	return p, nil
}

// registerVectorTypes registers pgvector-go's vector and halfvec types on
// a new pool connection (AfterConnect) where the extension is installed;
// without it (a PostgreSQL without pgvector) search uses full text.
func registerVectorTypes(ctx context.Context, c *pgx.Conn) error {
	var installed bool
	if err := c.QueryRow(ctx, "select exists (select 1 from pg_extension where extname = 'vector')").Scan(&installed); err != nil {
		return fmt.Errorf("after connect: %w", err)
	}
	if !installed {
		return nil
	}
	if err := pgxvec.RegisterTypes(ctx, c); err != nil {
		return fmt.Errorf("after connect: register pgvector types: %w", err)
	}
	return nil
}

// deliveryConns is the size of the delivery bookkeeping pool.
const deliveryConns = 2

// Close closes the pools.
func (s *Store) Close() {
	s.pool.Close()
	s.delivery.Close()
}

// Version returns the server's version() string.
func (s *Store) Version() string { return s.version }

// ctx bounds a statement by the store's QueryTimeout.
func (s *Store) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// Migrate applies the embedded migrations (migrations.FS) with tern under its
// advisory lock, up to the newest version. It is safe to run repeatedly.
//
// The migrations are Go text/template files (tern evaluates them with
// Migrator.Data); they see EmbeddingDim (Config.EmbeddingDimension),
// EmbeddingType ("vector" or "halfvec") and EmbeddingOps (the HNSW
// operator class, "vector_cosine_ops" or "halfvec_cosine_ops").
func (s *Store) Migrate(ctx context.Context) error {
	typ, ops, err := embeddingColumn(s.embeddingDim)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	err = s.pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
		m, err := migrate.NewMigrator(ctx, c.Conn(), s.versionTable)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		m.OnStart = func(seq int32, name, direction, _ string) {
			s.log.Info("migration", "sequence", seq, "name", name, "direction", direction)
		}
		m.Data["EmbeddingDim"] = s.embeddingDim
		m.Data["EmbeddingType"] = typ
		m.Data["EmbeddingOps"] = ops
		if err := m.LoadMigrations(migrations.FS); err != nil {
			return fmt.Errorf("migrate: load: %w", err)
		}
		if err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Connections opened before the migrations created the vector
	// extension have no pgvector types registered: open new ones.
	s.pool.Reset()
	s.delivery.Reset()
	return nil
}

// SchemaVersion returns the applied migration version (0 before any).
func (s *Store) SchemaVersion(ctx context.Context) (int32, error) {
	var v int32
	err := s.pool.AcquireFunc(ctx, func(c *pgxpool.Conn) error {
		m, err := migrate.NewMigrator(ctx, c.Conn(), s.versionTable)
		if err != nil {
			return err
		}
		v, err = m.GetCurrentVersion(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// HasVector reports whether the feedback embedding table (and so pgvector)
// is available in this database.
func (s *Store) HasVector(ctx context.Context) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	var ok bool
	err := s.pool.QueryRow(ctx, "select to_regclass('feedback_embeddings') is not null").Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("has vector: %w", translate(err))
	}
	return ok, nil
}

// EmbeddingDimension returns the dimension of the feedback_embeddings
// column, or ErrNoVector where pgvector is missing.
func (s *Store) EmbeddingDimension(ctx context.Context) (int, error) {
	_, dim, err := s.EmbeddingColumn(ctx)
	return dim, err
}

// EmbeddingColumn returns the type of the feedback_embeddings column
// (ColumnVector or ColumnHalfvec) and its dimension, read from the
// catalog (pg_attribute, pg_type), or ErrNoVector where pgvector is
// missing.
func (s *Store) EmbeddingColumn(ctx context.Context) (typ string, dim int, err error) {
	ok, err := s.HasVector(ctx)
	if err != nil {
		return "", 0, err
	}
	if !ok {
		return "", 0, ErrNoVector
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	err = s.pool.QueryRow(ctx, `select t.typname::text, a.atttypmod from pg_attribute a
		join pg_type t on t.oid = a.atttypid
		where a.attrelid = 'feedback_embeddings'::regclass and a.attname = 'embedding'`).Scan(&typ, &dim)
	if err != nil {
		return "", 0, fmt.Errorf("embedding column: %w", translate(err))
	}
	if typ != ColumnVector && typ != ColumnHalfvec {
		return "", 0, fmt.Errorf("embedding column: feedback_embeddings.embedding is %s; want vector or halfvec", typ)
	}
	return typ, dim, nil
}

// translate maps pgx errors to the store's sentinels.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "23503":
			return fmt.Errorf("%w: %s", ErrConflict, pgErr.Message)
		}
		return fmt.Errorf("%s (SQLSTATE %s)", pgErr.Message, pgErr.Code)
	}
	return err
}

// tracer logs each statement at debug level.
type tracer struct{ log *slog.Logger }

type traceKey struct{}

type traceStart struct {
	sql string
	at  time.Time
}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, traceStart{sql: d.SQL, at: time.Now()})
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	st, ok := ctx.Value(traceKey{}).(traceStart)
	if !ok {
		return
	}
	sql := st.sql
	if len(sql) > 200 {
		sql = sql[:200] + "…"
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "sql", slog.String("sql", sql),
		slog.Int64("latency_ms", time.Since(st.at).Milliseconds()),
		slog.Bool("error", d.Err != nil))
}
