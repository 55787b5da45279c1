package postgres_test

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/demodata"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres/pgtest"
)

const onlineRetailFile = "../data/online-retail/online_retail.csv.gz"

// plainCounts is an independent pass over the Online Retail CSV with the
// rules ImportOnlineRetail documents, written with nothing but encoding/csv.
type plainCounts struct {
	read, rejected, returns, anonymous int
	customers, invoices                map[string]bool
}

func countOnlineRetail(t *testing.T) plainCounts {
	t.Helper()
	f, err := os.Open(onlineRetailFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(zr)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	c := plainCounts{customers: map[string]bool{}, invoices: map[string]bool{}}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.read++
		price, err := strconv.ParseFloat(rec[5], 64)
		qty, qerr := strconv.Atoi(rec[3])
		if err != nil || qerr != nil || price < 0 || qty == 0 {
			c.rejected++
			continue
		}
		if strings.HasPrefix(rec[0], "C") || qty < 0 {
			c.returns++
		}
		if rec[6] == "" {
			c.anonymous++
		} else {
			c.customers[strings.TrimSuffix(rec[6], ".0")] = true
		}
		c.invoices[rec[0]] = true
	}
	return c
}

func TestStore_ImportOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 541,909 lines")
	}
	s := pgtest.Store(t)
	ctx := context.Background()
	want := countOnlineRetail(t)
	if want.read != 541909 {
		t.Fatalf("plain pass read %d rows; want 541909 (the published row count)", want.read)
	}

	rc, err := ingest.Open(onlineRetailFile)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rep, err := ingest.ImportOnlineRetail(ctx, rc, s, ingest.Options{File: "online_retail.csv.gz"})
	if err != nil {
		t.Fatalf("ImportOnlineRetail() error = %v", err)
	}
	stored := want.read - want.rejected
	checks := []struct {
		name      string
		got, want int
	}{
		{"rows read", rep.Read, 541909},
		{"rows rejected", rep.Rejected, want.rejected},
		{"rows stored", rep.Stored, stored},
		{"rows already stored", rep.Skipped, 0},
		{"rows read − stored − already stored − rejected", rep.Read - rep.Stored - rep.Skipped - rep.Rejected, 0},
		{"returns", rep.Returns, want.returns},
		{"anonymous rows", rep.Anonymous, want.anonymous},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("import %s = %d; want %d", c.name, c.got, c.want)
		}
	}
	for _, rj := range rep.Rejects {
		if rj.Field != "UnitPrice" || !strings.Contains(rj.Reason, "negative") {
			t.Errorf("reject %v; want only negative UnitPrice rows (Adjust bad debt)", rj)
		}
	}
	if want.rejected != 2 {
		t.Errorf("plain pass rejected %d rows; want 2 (the two negative Adjust bad debt rows)", want.rejected)
	}

	counts, err := s.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["order_lines"] != int64(stored) {
		t.Errorf("order_lines = %d; want %d", counts["order_lines"], stored)
	}
	if counts["customers"] != int64(len(want.customers)) {
		t.Errorf("customers = %d; want %d", counts["customers"], len(want.customers))
	}
	if counts["orders"] != int64(len(want.invoices)) {
		t.Errorf("orders = %d; want %d", counts["orders"], len(want.invoices))
	}

	t.Run("SyntheticLayerGroundTruth", func(t *testing.T) {
		orders, err := s.PurchaseOrders(ctx, analytics.OrderFilter{})
		if err != nil {
			t.Fatal(err)
		}
		layer, err := demodata.Generate(orders, demodata.DefaultSeed)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.StoreSyntheticLayer(ctx, storedLayer(layer)); err != nil {
			t.Fatal(err)
		}
		all := analytics.Period{From: time.Date(2010, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)}
		got, err := s.LastTouchROIInputs(ctx, all, "channel", demodata.LookbackDays)
		if err != nil {
			t.Fatal(err)
		}
		truth, err := s.SyntheticTruth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byChannel := map[string]analytics.ROIInput{}
		for _, in := range got {
			byChannel[in.Group] = in
		}
		if len(truth) != len(demodata.Channels) {
			t.Fatalf("synthetic truth has %d channels; want %d", len(truth), len(demodata.Channels))
		}
		for _, tr := range truth {
			in := byChannel[tr.Channel]
			if in.Revenue != tr.LastTouchRevenue || in.Spend != tr.Cost || int(in.Conversions) != tr.Conversions {
				t.Errorf("LastTouchROIInputs(%s) = revenue %d, spend %d, conversions %v; want ground truth %d, %d, %d",
					tr.Channel, in.Revenue, in.Spend, in.Conversions, tr.LastTouchRevenue, tr.Cost, tr.Conversions)
			}
			if roi, ok := (demodata.Truth{LastTouchRevenue: tr.LastTouchRevenue, Cost: tr.Cost}).ROI(); ok {
				got, _ := analytics.ROI(in.Revenue, in.Spend).Get()
				if math.Abs(got-roi) > 1e-12 {
					t.Errorf("ROI(%s) = %v; want %v", tr.Channel, got, roi)
				}
			}
		}
	})

	t.Run("ReimportAddsNothing", func(t *testing.T) {
		rc, err := ingest.Open(onlineRetailFile)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		rep, err := ingest.ImportOnlineRetail(ctx, rc, s, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stored != 0 || rep.Skipped != stored || rep.Rejected != want.rejected {
			t.Errorf("second import stored %d, already stored %d, rejected %d rows; want 0, %d, %d", rep.Stored, rep.Skipped, rep.Rejected, stored, want.rejected)
		}
		after, err := s.TableCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"customers", "products", "orders", "order_lines"} {
			if n := counts[table]; after[table] != n {
				t.Errorf("after re-import %s = %d; want %d", table, after[table], n)
			}
		}
	})
}
