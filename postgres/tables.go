package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// tableInsert is how rows of one table's generic CSV are stored: the CSV
// columns in the order the importer gives them (ingest.Columns), the
// PostgreSQL type each is staged as, and one INSERT ... SELECT FROM
// rows_stage u statement that merges the staged rows. Identifiers come
// only from this fixed list, never from input.
type tableInsert struct {
	columns []string
	types   []string // text, int8 or timestamptz
	sql     string
}

// tableInserts holds the merge of every table the generic CSV importer
// writes through StoreRows, keyed by table name. Dates arrive as
// YYYY-MM-DD text and are cast to date in SQL, so no time zone can shift
// them; rows imported here are real (synthetic = false) and keys already
// stored are left alone.
var tableInserts = map[string]tableInsert{
	"customers": {
		columns: []string{"customer_id", "country"},
		types:   []string{"text", "text"},
		sql: `insert into customers (customer_id, country, source)
			select u.customer_id, nullif(u.country, ''), 'csv' from rows_stage u
			on conflict (customer_id) do nothing`,
	},
	"products": {
		columns: []string{"stock_code", "description", "category"},
		types:   []string{"text", "text", "text"},
		sql: `insert into products (stock_code, description, category)
			select u.stock_code, u.description, u.category from rows_stage u
			on conflict (stock_code) do nothing`,
	},
	"channels": {
		columns: []string{"channel", "kind"},
		types:   []string{"text", "text"},
		sql: `insert into channels (channel, kind, synthetic)
			select u.channel, u.kind, false from rows_stage u
			on conflict (channel) do nothing`,
	},
	"campaigns": {
		columns: []string{"campaign", "channel", "starts_on", "ends_on"},
		types:   []string{"text", "text", "text", "text"},
		sql: `insert into campaigns (campaign, channel, starts_on, ends_on, synthetic)
			select u.campaign, u.channel, u.starts_on::date, u.ends_on::date, false from rows_stage u
			on conflict (campaign) do nothing`,
	},
	"ad_spend": {
		columns: []string{"day", "channel", "campaign", "cost", "currency"},
		types:   []string{"text", "text", "text", "int8", "text"},
		sql: `insert into ad_spend (day, channel, campaign, cost, currency, synthetic)
			select u.day::date, u.channel, u.campaign, u.cost, u.currency, false from rows_stage u
			on conflict (day, channel, campaign) do nothing`,
	},
	"touchpoints": {
		columns: []string{"touchpoint_id", "customer_id", "channel", "campaign", "touched_at"},
		types:   []string{"text", "text", "text", "text", "timestamptz"},
		sql: `insert into touchpoints (touchpoint_id, customer_id, channel, campaign, touched_at, synthetic)
			select u.touchpoint_id, u.customer_id, u.channel, u.campaign, u.touched_at, false from rows_stage u
			on conflict (touchpoint_id) do nothing`,
	},
	"fx_rates": {
		columns: []string{"day", "currency", "rate", "to_currency"},
		types:   []string{"text", "text", "text", "text"},
		sql: `insert into fx_rates (day, currency, rate, to_currency)
			select u.day::date, u.currency, u.rate::numeric, u.to_currency from rows_stage u
			on conflict (to_currency, currency, day) do nothing`,
	},
	"funnel_events": {
		columns: []string{"event_id", "session_id", "stage", "occurred_at", "channel", "campaign", "customer_id"},
		types:   []string{"text", "text", "text", "timestamptz", "text", "text", "text"},
		sql: `insert into funnel_events (event_id, session_id, stage, occurred_at, channel, campaign, customer_id, synthetic)
			select u.event_id, u.session_id, u.stage, u.occurred_at, u.channel, u.campaign, nullif(u.customer_id, ''), false
			from rows_stage u
			on conflict (event_id) do nothing`,
	},
}

// keyLookups holds, per table rows may refer to, the query returning which
// of the given keys exist.
var keyLookups = map[string]string{
	"channels":  "select channel from channels where channel = any($1::text[])",
	"customers": "select customer_id from customers where customer_id = any($1::text[])",
}

// KnownKeys returns those of keys that exist as the key of table
// ("channels" or "customers").
func (s *Store) KnownKeys(ctx context.Context, table string, keys []string) ([]string, error) {
	q, ok := keyLookups[table]
	if !ok {
		return nil, fmt.Errorf("known keys: table %q: want channels or customers", table)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, q, keys)
	if err != nil {
		return nil, fmt.Errorf("known keys of %s: %w", table, translate(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("known keys of %s: %w", table, translate(err))
	}
	return out, nil
}

// StoreRows stores validated rows of one table's generic CSV (customers,
// products, channels, campaigns, ad_spend, touchpoints or funnel_events;
// orders go through StoreOrderLines) in one transaction: COPY (pgx
// CopyFrom) into a temporary staging table dropped at commit, then one
// INSERT ... SELECT ... ON CONFLICT DO NOTHING. Rows whose key is already
// stored are skipped, so importing a file twice stores nothing the second
// time. It returns the number of rows newly stored. Each row holds one
// value per column of the table's CSV (ingest.Columns), typed as the
// column's kind says (string, int64 or time.Time); a row of another shape
// is an error naming the row and column.
func (s *Store) StoreRows(ctx context.Context, table string, rows [][]any) (int, error) {
	ins, ok := tableInserts[table]
	if !ok {
		return 0, fmt.Errorf("store rows: table %q has no generic insert", table)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if err := ins.check(rows); err != nil {
		return 0, fmt.Errorf("store %s rows: %w", table, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	var stored int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cols := make([]string, len(ins.columns))
		for j, c := range ins.columns {
			cols[j] = pgx.Identifier{c}.Sanitize() + " " + ins.types[j]
		}
		if _, err := tx.Exec(ctx, "create temporary table rows_stage ("+strings.Join(cols, ", ")+") on commit drop"); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"rows_stage"}, ins.columns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			return rows[i], nil
		})); err != nil {
			return fmt.Errorf("copy into staging table: %w", err)
		}
		tag, err := tx.Exec(ctx, ins.sql)
		if err != nil {
			return err
		}
		stored = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store %s rows: %w", table, translate(err))
	}
	return stored, nil
}

// check verifies that every row has one value per column, of the Go type
// the column's staging type takes.
func (t tableInsert) check(rows [][]any) error {
	for i, r := range rows {
		if len(r) != len(t.columns) {
			return fmt.Errorf("row %d has %d values; want %d (%v)", i+1, len(r), len(t.columns), t.columns)
		}
		for j, v := range r {
			ok := false
			switch t.types[j] {
			case "text":
				_, ok = v.(string)
			case "int8":
				_, ok = v.(int64)
			case "timestamptz":
				_, ok = v.(time.Time)
			}
			if !ok {
				return fmt.Errorf("row %d column %s: %T is not %s", i+1, t.columns[j], v, t.types[j])
			}
		}
	}
	return nil
}
