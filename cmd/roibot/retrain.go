package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/postgres"
)

// retrainStore is what the retrainer needs from storage.
type retrainStore interface {
	DataRange(ctx context.Context, currency string) (time.Time, time.Time, error)
	PurchaseOrders(ctx context.Context, f analytics.OrderFilter) ([]analytics.Order, error)
	ActiveModel(ctx context.Context, name string) (analytics.ModelVersion, error)
	SaveModelVersion(ctx context.Context, mv analytics.ModelVersion) (int, error)
}

// Retrainer retrains the churn model (seed section 3.4.3) when orders newer
// than the active model's data have arrived, keeps the old model when the
// new one scores a lower AUC on the latest holdout, stores the new version
// either way, and posts a digest.
type Retrainer struct {
	Store    retrainStore
	Now      func() time.Time // the clock; tests inject one
	Location *time.Location
	// HorizonDays is the churn window (0 means 90).
	HorizonDays int
	// Post sends the digest (nil: none).
	Post func(ctx context.Context, text string) error
	// Retrain is the training step (nil: analytics.RetrainChurn).
	Retrain func(orders []analytics.Order, old *analytics.ModelVersion, asOf time.Time, horizonDays int, cfg analytics.FitConfig) (analytics.ChurnRetrain, error)
	Logger  *slog.Logger
	// Force retrains even without new orders (roibot model train churn).
	Force bool
}

// RunOnce checks for new data and retrains; it returns the digest posted
// ("" when nothing was new).
func (r *Retrainer) RunOnce(ctx context.Context) (string, error) {
	horizon := r.HorizonDays
	if horizon == 0 {
		horizon = 90
	}
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	now := r.Now()
	_, last, err := r.Store.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return "", fmt.Errorf("retrain: %w", err)
	}
	if last.After(now) {
		last = now
	}
	var old *analytics.ModelVersion
	active, err := r.Store.ActiveModel(ctx, "churn")
	switch {
	case err == nil:
		old = &active
		if !r.Force && !last.After(active.DataThrough) {
			r.logger().Info("retrain: no orders newer than the active model's", "model", "churn", "version", active.Version, "data_through", active.DataThrough)
			return "", nil
		}
	case errors.Is(err, postgres.ErrNotFound):
	default:
		return "", fmt.Errorf("retrain: %w", err)
	}
	last = last.In(loc)
	asOf := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	orders, err := r.Store.PurchaseOrders(ctx, analytics.OrderFilter{To: asOf})
	if err != nil {
		return "", fmt.Errorf("retrain: %w", err)
	}
	train := r.Retrain
	if train == nil {
		train = analytics.RetrainChurn
	}
	res, err := train(orders, old, asOf, horizon, analytics.FitConfig{Seed: 42, Forest: analytics.ForestConfig{Trees: 200},
		Models: []string{analytics.ModelLogistic, analytics.ModelTree, analytics.ModelForest, analytics.ModelAverage}, ImportanceRepeats: -1})
	if err != nil {
		return "", fmt.Errorf("retrain churn: %w", err)
	}
	res.New.TrainedAt = now
	if res.KeepOld {
		res.New.Note = fmt.Sprintf("not activated: holdout AUC %.4f below the active version's %.4f", res.New.HoldoutAUC, res.OldHoldoutAUC)
	}
	v, err := r.Store.SaveModelVersion(ctx, res.New)
	if err != nil {
		return "", fmt.Errorf("retrain: %w", err)
	}
	digest := retrainDigest(res, old, v, now)
	r.logger().Info("retrained", "model", "churn", "version", v, "active", res.New.Active, "holdout_auc", res.New.HoldoutAUC, "old_holdout_auc", res.OldHoldoutAUC)
	if r.Post != nil {
		if err := r.Post(ctx, digest); err != nil {
			return digest, fmt.Errorf("retrain digest: %w", err)
		}
	}
	return digest, nil
}

func (r *Retrainer) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// retrainDigest is the message posted after a retraining: what was
// retrained, AUC before and after on the latest holdout, the decision and
// the drift per feature (PSI).
func retrainDigest(res analytics.ChurnRetrain, old *analytics.ModelVersion, version int, now time.Time) string {
	var b strings.Builder
	n := res.New
	fmt.Fprintf(&b, "roibot retraining, %s: churn model v%d trained on orders through %s (features before %s, churn read to %s); model %s.\n",
		now.UTC().Format("2006-01-02 15:04 UTC"), version, n.DataThrough.Format(time.DateOnly), n.WindowFrom.Format(time.DateOnly),
		n.WindowTo.AddDate(0, 0, -1).Format(time.DateOnly), n.Model)
	if old == nil {
		fmt.Fprintf(&b, "First version: test AUC %.3f; it is now active.\n", n.HoldoutAUC)
		return b.String()
	}
	fmt.Fprintf(&b, "AUC on the latest holdout: before %.3f (v%d, %s), after %.3f (v%d, %s). ", res.OldHoldoutAUC, old.Version, old.Model, n.HoldoutAUC, version, n.Model)
	if res.KeepOld {
		fmt.Fprintf(&b, "Kept v%d: the new model scored lower.\n", old.Version)
	} else {
		fmt.Fprintf(&b, "v%d is now active.\n", version)
	}
	var parts []string
	for _, d := range res.Drift {
		level := "stable"
		switch {
		case d.PSI > 0.25:
			level = "major shift"
		case d.PSI >= 0.1:
			level = "moderate shift"
		}
		parts = append(parts, fmt.Sprintf("%s %.3f (%s)", d.Column, d.PSI, level))
	}
	fmt.Fprintf(&b, "Drift per feature (PSI; < 0.1 stable, 0.1–0.25 moderate, > 0.25 major): %s.\n", strings.Join(parts, ", "))
	return b.String()
}

// startRetraining schedules r on spec (cron syntax, e.g. "0 6 * * *")
// until ctx ends; each run gets timeout. The returned stop waits for a
// running job.
func startRetraining(ctx context.Context, spec string, loc *time.Location, timeout time.Duration, r *Retrainer) (stop func(), err error) {
	c := cron.New(cron.WithLocation(loc))
	if _, err := c.AddFunc(spec, func() {
		jctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if _, err := r.RunOnce(jctx); err != nil {
			r.logger().Error("scheduled retraining failed", "error", err)
		}
	}); err != nil {
		return nil, fmt.Errorf("ROIBOT_RETRAIN_SCHEDULE %q: %w", spec, err)
	}
	c.Start()
	return func() { <-c.Stop().Done() }, nil
}

// slackPoster posts text to channel with the bot token.
func slackPoster(token, apiURL, channel string) func(ctx context.Context, text string) error {
	opts := []slack.Option{}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	api := slack.New(token, opts...)
	return func(ctx context.Context, text string) error {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, _, err := api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false))
		return err
	}
}
