package postgres

import (
	"context"
	"fmt"
)

// countedTables are the tables TableCounts reports, in display order.
var countedTables = []string{"customers", "products", "orders", "order_lines", "channels", "campaigns",
	"ad_spend", "touchpoints", "funnel_events", "fx_rates", "feedback"}

// TableCounts returns the row count of each data table.
func (s *Store) TableCounts(ctx context.Context) (map[string]int64, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	out := make(map[string]int64, len(countedTables))
	for _, t := range countedTables {
		var n int64
		// Table names come from the fixed list above, never from input.
		if err := s.pool.QueryRow(ctx, "select count(*) from "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, translate(err))
		}
		out[t] = n
	}
	return out, nil
}
