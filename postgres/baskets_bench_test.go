package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

// BenchmarkStore_BasketLines is the database fetch of association_rules
// (the rest of its path is tools.BenchmarkAssociationRulesFromItemLines):
// all 541,909 Online Retail lines, numbered as they arrive. It needs the
// data imported into schema perf_retail of the database named by
// ROIBOT_BENCH_DATABASE_URL and is skipped without it:
//
//	url=$(scripts/db.sh start)
//	DATABASE_URL=$url ROIBOT_DB_SCHEMA=perf_retail roibot import online-retail data/online-retail/online_retail.csv.gz
//	ROIBOT_BENCH_DATABASE_URL=$url go test ./postgres -run '^$' -bench Store_BasketLines -benchtime 5x
func BenchmarkStore_BasketLines(b *testing.B) {
	url := os.Getenv("ROIBOT_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("ROIBOT_BENCH_DATABASE_URL not set; see the comment for the command")
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: url, Schema: "perf_retail", QueryTimeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var il analytics.ItemLines
	for b.Loop() {
		if il, err = s.BasketLines(ctx, analytics.OrderFilter{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(il.Lines)), "lines")
}
