package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CustomerCountries returns each identified customer's country as recorded
// on the customer (the country of the first imported invoice; "" when
// unknown), by customer id.
func (s *Store) CustomerCountries(ctx context.Context) (map[string]string, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, "select customer_id, coalesce(country, '') from customers")
	if err != nil {
		return nil, fmt.Errorf("customer countries: %w", translate(err))
	}
	out := map[string]string{}
	var id, country string
	_, err = pgx.ForEachRow(rows, []any{&id, &country}, func() error {
		out[id] = country
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("customer countries: %w", translate(err))
	}
	return out, nil
}
