package analytics

import (
	"math"
	"os"
	"testing"
	"time"
)

// cdnowCalibrationEnd is the last day of the CDNOW calibration period
// (weeks 1-39), data/cdnow/PROVENANCE.md.
var cdnowCalibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)

func readCDNOWElogFile(t testing.TB) []Order {
	t.Helper()
	f, err := os.Open("../data/cdnow/cdnowElog.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orders, err := ReadCDNOWElog(f)
	if err != nil {
		t.Fatal(err)
	}
	return orders
}

func cdnowSummary(t testing.TB) []CustomerSummary {
	t.Helper()
	s, err := SummarizeCustomers(readCDNOWElogFile(t), cdnowCalibrationEnd, UnitWeeks)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func TestFitBGNBD_CDNOW(t *testing.T) {
	fit, err := FitBGNBD(cdnowSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", fit)
}

func TestScratchPareto(t *testing.T) {
	fit, err := FitParetoNBD(cdnowSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", fit)
}

func TestScratchGG(t *testing.T) {
	fit, err := FitGammaGamma(cdnowSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", fit)
}
