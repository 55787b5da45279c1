package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres/pgtest"
)

// retrainCSV returns the generic customers and orders CSVs of 240
// customers buying every gap days from 2011-01-03 until before `until`;
// one in three stops at a day between June and August.
func retrainCSV(from, until time.Time) (customers, orders string) {
	var c, o strings.Builder
	c.WriteString("customer_id\n")
	o.WriteString("invoice_no,invoiced_at,customer_id,quantity,unit_price,currency\n")
	start := time.Date(2011, 1, 3, 10, 0, 0, 0, time.UTC)
	for k := range 240 {
		fmt.Fprintf(&c, "r%03d\n", k)
		gap := 7 + (k*13)%60
		stop := until
		if k%3 == 0 {
			stop = time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%90)
		}
		for at := start.AddDate(0, 0, k%20); at.Before(stop); at = at.AddDate(0, 0, gap) {
			if !at.Before(from) {
				fmt.Fprintf(&o, "R%03d-%s,%s,r%03d,1,%d.00,GBP\n", k, at.Format("20060102"), at.Format(time.DateTime), k, 10+k%50)
			}
		}
	}
	return c.String(), o.String()
}

// TestRetrainer runs the retraining job against a real database with an
// injected clock and a slacktest server: the first run trains version 1,
// a run without new orders does nothing, new orders trigger a retraining
// whose digest gives the AUC before and after and the drift, and a new
// model that scores lower is stored but not activated.
func TestRetrainer(t *testing.T) {
	s := pgtest.Store(t)
	ctx := context.Background()
	imp := func(table, csv string) {
		t.Helper()
		rep, err := ingest.ImportTable(ctx, table, strings.NewReader(csv), s, ingest.Options{})
		if err != nil || rep.Rejected > 0 {
			t.Fatalf("import %s: %v %v", table, err, rep.Rejects)
		}
	}
	cust, first := retrainCSV(time.Time{}, time.Date(2011, 10, 1, 0, 0, 0, 0, time.UTC))
	imp("customers", cust)
	imp("orders", first)
	rec := newSlackRecorder(t)
	now := time.Date(2011, 10, 1, 6, 0, 0, 0, time.UTC)
	r := &Retrainer{Store: s, Now: func() time.Time { return now }, Location: time.UTC,
		Post: slackPoster("xoxb-test", rec.srv.GetAPIURL(), "C_DIGEST")}

	digest, err := r.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := s.ActiveModel(ctx, "churn")
	if err != nil || v1.Version != 1 || !v1.TrainedAt.Equal(now) || v1.WindowFrom.Format(time.DateOnly) != "2011-07-03" || len(v1.Metrics) != 4 {
		t.Fatalf("after the first run: %+v, %v", v1, err)
	}
	if !strings.Contains(digest, "churn model v1") || !strings.Contains(digest, "First version") {
		t.Errorf("first digest = %q", digest)
	}

	now = now.Add(24 * time.Hour)
	if digest, err := r.RunOnce(ctx); err != nil || digest != "" {
		t.Errorf("no new orders: digest %q, %v; want none", digest, err)
	}

	_, more := retrainCSV(time.Date(2011, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 12, 1, 0, 0, 0, 0, time.UTC))
	imp("orders", more)
	now = time.Date(2011, 12, 1, 6, 0, 0, 0, time.UTC)
	digest, err = r.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(digest, "churn model v2") || !strings.Contains(digest, "AUC on the latest holdout: before ") ||
		!strings.Contains(digest, "recency_days") || !strings.Contains(digest, "PSI") {
		t.Errorf("retraining digest = %q", digest)
	}
	t.Log(digest)
	posts := rec.calls("chat.postMessage")
	if len(posts) != 2 || posts[1]["channel"] != "C_DIGEST" || posts[1]["text"] != digest {
		t.Errorf("slack posts = %v; want the two digests in C_DIGEST", posts)
	}

	// A retrained model that scores lower on the latest holdout is stored
	// but the active version stays.
	active, _ := s.ActiveModel(ctx, "churn")
	_, later := retrainCSV(time.Date(2011, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2011, 12, 20, 0, 0, 0, 0, time.UTC))
	imp("orders", later)
	now = time.Date(2011, 12, 20, 6, 0, 0, 0, time.UTC)
	r.Retrain = func(orders []analytics.Order, old *analytics.ModelVersion, asOf time.Time, h int, cfg analytics.FitConfig) (analytics.ChurnRetrain, error) {
		res, err := analytics.RetrainChurn(orders, old, asOf, h, cfg)
		res.New.HoldoutAUC, res.OldHoldoutAUC = 0.61, 0.74 // the new model is worse
		res.KeepOld, res.New.Active = true, false
		return res, err
	}
	digest, err = r.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	still, _ := s.ActiveModel(ctx, "churn")
	all, _ := s.ModelVersions(ctx, "churn")
	if still.Version != active.Version || len(all) != 3 || all[2].Active || !strings.Contains(all[2].Note, "not activated") {
		t.Errorf("after a worse retraining: active v%d (want v%d), versions %+v", still.Version, active.Version, all)
	}
	if !strings.Contains(digest, fmt.Sprintf("before 0.740 (v%d", active.Version)) || !strings.Contains(digest, "after 0.610 (v3") ||
		!strings.Contains(digest, fmt.Sprintf("Kept v%d", active.Version)) {
		t.Errorf("keep-old digest = %q", digest)
	}
}
