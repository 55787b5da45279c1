package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roibot/roibot/analytics"
)

// CustomerTexts returns the scored feedback of the given customers (only
// rows with a customer ID and a sentiment score), with each row's
// embedding when the vector table exists, ordered by customer and feedback
// ID. It serves the text features of the predictive models (seed 3.4.1).
func (fs *FeedbackStore) CustomerTexts(ctx context.Context, customerIDs []string) ([]analytics.CustomerText, error) {
	ctx, cancel := fs.s.ctx(ctx)
	defer cancel()
	emb := `null::real[]`
	join := ``
	if fs.vector {
		emb = `e.embedding::real[]`
		join = `left join feedback_embeddings e using (feedback_id)`
	}
	rows, err := fs.s.pool.Query(ctx, `select f.customer_id, f.sentiment, f.themes, `+emb+`
		from feedback f `+join+`
		where f.customer_id = any($1) and f.sentiment is not null
		order by f.customer_id, f.feedback_id`, customerIDs)
	if err != nil {
		return nil, fmt.Errorf("customer texts: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (analytics.CustomerText, error) {
		var c analytics.CustomerText
		err := r.Scan(&c.CustomerID, &c.Sentiment, &c.Themes, &c.Embedding)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("customer texts: %w", translate(err))
	}
	return out, nil
}
