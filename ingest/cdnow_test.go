package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/analytics"
)

func TestReadCDNOW_Elog(t *testing.T) {
	f, err := os.Open("../data/cdnow/cdnowElog.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orders, layout, err := ReadCDNOW(f)
	if err != nil || layout != "elog" {
		t.Fatalf("ReadCDNOW(cdnowElog.csv) layout %q, error %v; want elog, nil", layout, err)
	}
	customers := map[string]bool{}
	var total analytics.Money
	for _, o := range orders {
		customers[o.CustomerID] = true
		total += o.Amount
	}
	// PROVENANCE.md: 6,919 rows, 2,357 customers, total sales 244,091.94.
	if len(orders) != 6919 || len(customers) != 2357 || total != 24409194 {
		t.Errorf("ReadCDNOW(elog) = %d rows, %d customers, total %s; want 6919, 2357, 244091.94", len(orders), len(customers), total)
	}
	if o := orders[0]; o.CustomerID != "1" || !o.At.Equal(time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)) || o.Amount != 2933 {
		t.Errorf("ReadCDNOW(elog)[0] = %+v; want customer 1, 1997-01-01, 29.33", o)
	}
}

func TestReadCDNOW_ElogErrors(t *testing.T) {
	head := "masterid,sampleid,date,cds,sales\n4,1,19970101,2,29.33\n"
	tests := []struct {
		name, in, wantLine, field string
	}{
		{"BadDate", head + "4,1,19971341,2,1.00\n", "line 3", "date"},
		{"BadSales", head + "4,1,19970101,2,abc\n", "line 3", "sales"},
		{"NegativeSales", head + "4,1,19970101,2,-1\n", "line 3", "sales"},
		{"EmptyID", head + "4,1,19970101,2,1\n4,,19970101,2,1\n", "line 4", "sampleid"},
		{"Header", "id,sampleid,date,cds,sales\n", "line 1", "header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadCDNOW(strings.NewReader(tc.in))
			var ie *analytics.InputError
			if err == nil || !strings.Contains(err.Error(), tc.wantLine) || !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("ReadCDNOW(elog) err = %v; want %s, field %s", err, tc.wantLine, tc.field)
			}
		})
	}
	if _, _, err := ReadCDNOW(strings.NewReader("masterid,sampleid,date,cds,sales\n")); !errors.Is(err, analytics.ErrNoData) {
		t.Errorf("ReadCDNOW(elog)(header only) err = %v; want ErrNoData", err)
	}
	if _, _, err := ReadCDNOW(strings.NewReader(head + "4,1,19970101\n")); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("ReadCDNOW(elog)(short record) err = %v; want line 3", err)
	}
}

func TestReadCDNOW_Master(t *testing.T) {
	f, err := os.Open("../data/cdnow/CDNOW_master.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orders, layout, err := ReadCDNOW(f)
	if err != nil || layout != "master" {
		t.Fatalf("ReadCDNOW(CDNOW_master.txt) layout %q, error %v; want master, nil", layout, err)
	}
	customers := map[string]bool{}
	var total analytics.Money
	for _, o := range orders {
		customers[o.CustomerID] = true
		total += o.Amount
	}
	// PROVENANCE.md: 69,659 rows, 23,570 customers, total 2,500,315.63.
	if len(orders) != 69659 || len(customers) != 23570 || total != 250031563 {
		t.Errorf("ReadCDNOW(master) = %d rows, %d customers, total %s; want 69659, 23570, 2500315.63", len(orders), len(customers), total)
	}
	// Every elog row is in the master file (masterid, date, sales).
	master := map[string]int{}
	for _, o := range orders {
		master[fmt.Sprint(o.CustomerID, o.At.Format("20060102"), o.Amount)]++
	}
	fe, err := os.Open("../data/cdnow/cdnowElog.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	recs, err := csv.NewReader(fe).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		v, _ := strconv.ParseFloat(r[4], 64)
		if master[fmt.Sprint(r[0], r[2], analytics.MoneyFromMajor(v))] == 0 {
			t.Fatalf("elog row %v not found in ReadCDNOW(master) output", r)
		}
	}
	_, _, err = ReadCDNOW(strings.NewReader(" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 0000x 19970101 1 1.00\r\n"))
	var ie *analytics.InputError
	if err == nil || !strings.Contains(err.Error(), "line 3") || !errors.As(err, &ie) || ie.Field != "customer_id" {
		t.Errorf("ReadCDNOW(master)(bad id) err = %v; want line 3, field customer_id", err)
	}
}
