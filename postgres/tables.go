package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/ingest"
)

// Store satisfies the importer's sink for the generic table CSVs.
var _ ingest.TableSink = (*Store)(nil)

// tableInsert is how rows of one table's generic CSV are stored: the CSV
// columns in the order of ingest.Columns, the array type each is passed as,
// and one INSERT ... SELECT FROM unnest(...) statement taking one array
// parameter per column. Identifiers come only from this fixed list, never
// from input.
type tableInsert struct {
	columns []string
	types   []string // text, int8 or timestamptz
	sql     string
}

// tableInserts holds the insert of every table ingest.ImportTable writes
// through StoreRows. Dates arrive as YYYY-MM-DD text and are cast to date in
// SQL, so no time zone can shift them; rows imported here are real
// (synthetic = false) and keys already stored are left alone.
var tableInserts = map[string]tableInsert{
	ingest.TableCustomers: {
		columns: []string{"customer_id", "country"},
		types:   []string{"text", "text"},
		sql: `insert into customers (customer_id, country, source)
			select u.id, nullif(u.country, ''), 'csv'
			from unnest($1::text[], $2::text[]) as u(id, country)
			on conflict (customer_id) do nothing`,
	},
	ingest.TableProducts: {
		columns: []string{"stock_code", "description", "category"},
		types:   []string{"text", "text", "text"},
		sql: `insert into products (stock_code, description, category)
			select u.code, u.descr, u.cat
			from unnest($1::text[], $2::text[], $3::text[]) as u(code, descr, cat)
			on conflict (stock_code) do nothing`,
	},
	ingest.TableChannels: {
		columns: []string{"channel", "kind"},
		types:   []string{"text", "text"},
		sql: `insert into channels (channel, kind, synthetic)
			select u.channel, u.kind, false
			from unnest($1::text[], $2::text[]) as u(channel, kind)
			on conflict (channel) do nothing`,
	},
	ingest.TableCampaigns: {
		columns: []string{"campaign", "channel", "starts_on", "ends_on"},
		types:   []string{"text", "text", "text", "text"},
		sql: `insert into campaigns (campaign, channel, starts_on, ends_on, synthetic)
			select u.campaign, u.channel, u.starts_on::date, u.ends_on::date, false
			from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(campaign, channel, starts_on, ends_on)
			on conflict (campaign) do nothing`,
	},
	ingest.TableAdSpend: {
		columns: []string{"day", "channel", "campaign", "cost", "currency"},
		types:   []string{"text", "text", "text", "int8", "text"},
		sql: `insert into ad_spend (day, channel, campaign, cost, currency, synthetic)
			select u.day::date, u.channel, u.campaign, u.cost, u.currency, false
			from unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[]) as u(day, channel, campaign, cost, currency)
			on conflict (day, channel, campaign) do nothing`,
	},
	ingest.TableTouchpoints: {
		columns: []string{"touchpoint_id", "customer_id", "channel", "campaign", "touched_at"},
		types:   []string{"text", "text", "text", "text", "timestamptz"},
		sql: `insert into touchpoints (touchpoint_id, customer_id, channel, campaign, touched_at, synthetic)
			select u.id, u.customer_id, u.channel, u.campaign, u.touched_at, false
			from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) as u(id, customer_id, channel, campaign, touched_at)
			on conflict (touchpoint_id) do nothing`,
	},
	ingest.TableFXRates: {
		columns: []string{"day", "currency", "rate", "to_currency"},
		types:   []string{"text", "text", "text", "text"},
		sql: `insert into fx_rates (day, currency, rate, to_currency)
			select u.day::date, u.currency, u.rate::numeric, u.to_currency
			from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as u(day, currency, rate, to_currency)
			on conflict (to_currency, currency, day) do nothing`,
	},
	ingest.TableFunnelEvents: {
		columns: []string{"event_id", "session_id", "stage", "occurred_at", "channel", "campaign", "customer_id"},
		types:   []string{"text", "text", "text", "timestamptz", "text", "text", "text"},
		sql: `insert into funnel_events (event_id, session_id, stage, occurred_at, channel, campaign, customer_id, synthetic)
			select u.id, u.session_id, u.stage, u.occurred_at, u.channel, u.campaign, nullif(u.customer_id, ''), false
			from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
				as u(id, session_id, stage, occurred_at, channel, campaign, customer_id)
			on conflict (event_id) do nothing`,
	},
}

// keyLookups holds, per table rows may refer to, the query returning which
// of the given keys exist.
var keyLookups = map[string]string{
	ingest.TableChannels:  "select channel from channels where channel = any($1::text[])",
	ingest.TableCustomers: "select customer_id from customers where customer_id = any($1::text[])",
}

// KnownKeys returns those of keys that exist as the key of table
// (ingest.TableChannels or ingest.TableCustomers).
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

// StoreRows stores validated rows of one table's generic CSV (any table of
// ingest.Tables but orders, which go through StoreOrderLines) in one
// transaction, batchRows rows per INSERT ... SELECT FROM unnest(...). Rows
// whose key is already stored are skipped, so importing a file twice stores
// nothing the second time. It returns the number of rows newly stored.
// Each row holds one value per column of ingest.Columns(table), typed as
// the column's Kind says; a row of another shape is an error.
func (s *Store) StoreRows(ctx context.Context, table string, rows []ingest.Row) (int, error) {
	ins, ok := tableInserts[table]
	if !ok {
		return 0, fmt.Errorf("store rows: table %q has no generic insert", table)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	var stored int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for start := 0; start < len(rows); start += batchRows {
			args, err := ins.arrays(rows[start:min(start+batchRows, len(rows))])
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "with ins as ("+ins.sql+" returning 1) select count(*) from ins", args...).Scan(&n); err != nil {
				return err
			}
			stored += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store %s rows: %w", table, translate(err))
	}
	return stored, nil
}

// arrays turns rows into one typed array per column.
func (t tableInsert) arrays(rows []ingest.Row) ([]any, error) {
	args := make([]any, len(t.columns))
	for j, typ := range t.types {
		switch typ {
		case "text":
			args[j] = make([]string, len(rows))
		case "int8":
			args[j] = make([]int64, len(rows))
		case "timestamptz":
			args[j] = make([]time.Time, len(rows))
		}
	}
	for i, r := range rows {
		if len(r) != len(t.columns) {
			return nil, fmt.Errorf("row %d has %d values; want %d (%v)", i+1, len(r), len(t.columns), t.columns)
		}
		for j, v := range r {
			ok := false
			switch a := args[j].(type) {
			case []string:
				a[i], ok = v.(string)
			case []int64:
				a[i], ok = v.(int64)
			case []time.Time:
				var at time.Time
				at, ok = v.(time.Time)
				a[i] = at.UTC()
			}
			if !ok {
				return nil, fmt.Errorf("row %d column %s: %T is not %s", i+1, t.columns[j], v, t.types[j])
			}
		}
	}
	return args, nil
}
