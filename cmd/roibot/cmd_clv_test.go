package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/roibot/roibot/tools"
)

// TestCLVFit_CDNOW reproduces the published BG/NBD fit of the CDNOW
// 2,357-customer sample (weeks, calibration end 1997-09-30): CLVTools'
// r = 0.2425945, α = 4.4136019, a = 0.7929199, b = 2.4258881,
// LL = −9582.429 (data/cdnow/PROVENANCE.md), printed to 4 and 2 decimals,
// and the BTYD holdout table (weeks 40-78).
func TestCLVFit_CDNOW(t *testing.T) {
	out := runRoibot(t, map[string]string{}, "clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30", "--unit", "week")
	for _, want := range []struct{ name, value string }{
		{"r", "0.2426"}, {"alpha", "4.4136"}, {"a", "0.7929"}, {"b", "2.4259"},
	} {
		re := regexp.MustCompile(`(?m)^` + want.name + `\s+(\S+)\s+\S+$`)
		m := re.FindStringSubmatch(out)
		if m == nil || m[1] != want.value {
			t.Errorf("clv fit printed %s = %v; want %s\n%s", want.name, m, want.value, out)
		}
	}
	if m := regexp.MustCompile(`log-likelihood (\S+)`).FindStringSubmatch(out); m == nil || m[1] != "-9582.43" {
		t.Errorf("clv fit printed log-likelihood %v; want -9582.43", m)
	}
	// BTYD walkthrough: frequency 0 -> 1411 customers, actual 0.2367, expected 0.2251;
	// 7+ -> 64, 6.3594, 6.1570; total actual 1,882 holdout transactions.
	for _, row := range []struct{ group, customers, actual, expected string }{
		{"0", "1411", "0.2367", "0.2251"}, {"1", "439", "0.6970", "0.5231"}, {"7\\+", "64", "6.3594", "6.157[0-9]"},
	} {
		re := regexp.MustCompile(`(?m)^` + row.group + `\s+` + row.customers + `\s+` + row.actual + `\s+` + row.expected + `$`)
		if !re.MatchString(out) {
			t.Errorf("clv fit holdout row %s = missing; want customers %s, actual %s, expected %s\n%s", row.group, row.customers, row.actual, row.expected, out)
		}
	}
	if !regexp.MustCompile(`(?m)^total\s+2357\s+1882\s`).MatchString(out) {
		t.Errorf("clv fit holdout total row missing; want 2357 customers, 1882 actual\n%s", out)
	}
}

func TestCLVFit_JSON(t *testing.T) {
	t.Run("BGNBD", func(t *testing.T) {
		var rep tools.CLVFitResult
		out := runRoibot(t, map[string]string{}, "clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30", "--unit", "week", "--json")
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("clv fit --json: %v\n%s", err, out)
		}
		want := []float64{0.2425945, 4.4136019, 0.7929199, 2.4258881}
		for i, p := range rep.Parameters {
			if e := math.Abs(p.Value-want[i]) / want[i]; e > 1e-3 {
				t.Errorf("clv fit --json %s = %.7f; want %.7f (rel err %.1e > 1e-3)", p.Name, p.Value, want[i], e)
			}
		}
		if math.Abs(rep.LogLikelihood-(-9582.429))/9582.429 > 1e-3 {
			t.Errorf("clv fit --json LL = %.3f; want -9582.429", rep.LogLikelihood)
		}
		if rep.Holdout == nil || rep.Holdout.ActualTotal != 1882 || len(rep.Holdout.Groups) != 8 {
			t.Fatalf("clv fit --json holdout = %+v; want 1882 actual in 8 groups", rep.Holdout)
		}
	})
	t.Run("ParetoNBD", func(t *testing.T) {
		// PROVENANCE.md: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL −9595.0 (published to these decimals).
		var rep tools.CLVFitResult
		out := runRoibot(t, map[string]string{}, "clv", "fit", "--model", "paretonbd", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30", "--unit", "week", "--json")
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("clv fit --json: %v\n%s", err, out)
		}
		want := []string{"0.553", "10.578", "0.606", "11.669"}
		for i, p := range rep.Parameters {
			if got := strconv.FormatFloat(p.Value, 'f', 3, 64); got != want[i] {
				t.Errorf("clv fit paretonbd %s = %s (%.5f); want %s", p.Name, got, p.Value, want[i])
			}
		}
		if got := strconv.FormatFloat(rep.LogLikelihood, 'f', 1, 64); got != "-9595.0" {
			t.Errorf("clv fit paretonbd LL = %s; want -9595.0", got)
		}
	})
	t.Run("GammaGamma", func(t *testing.T) {
		// Fader & Hardie (2013) / CLVTools: p = 6.25, q = 3.74, γ = 15.44, LL −4055.92 on 946 repeat customers.
		var rep tools.CLVFitResult
		out := runRoibot(t, map[string]string{}, "clv", "fit", "--model", "gammagamma", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30", "--unit", "week", "--json")
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("clv fit --json: %v\n%s", err, out)
		}
		// Published to 2 decimals: compare at that precision.
		want := []string{"6.25", "3.74", "15.44"}
		for i, p := range rep.Parameters {
			if got := strconv.FormatFloat(p.Value, 'f', 2, 64); got != want[i] {
				t.Errorf("clv fit gammagamma %s = %s (%.5f); want %s", p.Name, got, p.Value, want[i])
			}
		}
		if rep.Customers != 946 || strconv.FormatFloat(rep.LogLikelihood, 'f', 2, 64) != "-4055.92" {
			t.Errorf("clv fit gammagamma customers, LL = %d, %.2f; want 946, -4055.92", rep.Customers, rep.LogLikelihood)
		}
	})
}

func TestCLVFit_BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30", "--unit", "month"},
		{"clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "30/09/1997"},
		{"clv", "fit", "--model", "gompertz", "--file", "../../data/cdnow/cdnowElog.csv", "--calibration-end", "1997-09-30"},
	} {
		cmd := newRootCmd(map[string]string{})
		cmd.SetArgs(args)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		if err := cmd.Execute(); err == nil {
			t.Errorf("roibot %v err = nil; want an error", args)
		}
	}
}

// TestCLVFit_DefaultsAutoAndExclusions: without --calibration-end the
// calibration is the first half of the data (CDNOW: 1997-01-01..1998-06-30,
// 546 days, so 1997-09-30, the published split), said on the first line;
// --model auto fits BG/NBD, MBG/NBD and Pareto/NBD and keeps the lowest
// holdout MAE (CDNOW: Pareto/NBD 0.7545 < MBG/NBD 0.7648 < BG/NBD 0.7855);
// --excluded-csv lists Gamma-Gamma's 1,411 one-time buyers with the reason.
func TestCLVFit_DefaultsAutoAndExclusions(t *testing.T) {
	out := runRoibot(t, map[string]string{}, "clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--model", "auto")
	for _, want := range []string{
		"no calibration end given: 1997-09-30, the middle of the data (1997-01-01 to 1998-06-30, 546 days)",
		"Model chosen by holdout error: Pareto/NBD has the lowest holdout error: mean absolute error 0.7545 transactions per customer over the last 39 weeks (MBG/NBD 0.7648, BG/NBD 0.7855)",
		"Pareto/NBD fit on 2357 customers",
		"MAE per customer 0.7545 transactions",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("clv fit --model auto lacks %q:\n%s", want, out)
		}
	}
	var rep tools.CLVFitResult
	out = runRoibot(t, map[string]string{}, "clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--model", "mbgnbd", "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Model != "mbgnbd" || len(rep.Parameters) != 4 || math.Abs(rep.Parameters[0].Value-0.5248) > 1e-4 || rep.Parameters[0].StdError == nil || rep.Holdout == nil || math.Abs(rep.Holdout.MAE-0.7648) > 1e-4 {
		t.Errorf("clv fit --model mbgnbd = %+v; want r 0.5248 with a standard error and holdout MAE 0.7648", rep)
	}
	csvPath := filepath.Join(t.TempDir(), "excluded.csv")
	runRoibot(t, map[string]string{}, "clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--model", "gammagamma", "--calibration-end", "1997-09-30", "--excluded-csv", csvPath)
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1412 || lines[0] != "customer_id,reason,frequency,mean_repeat_value" || !strings.Contains(lines[1], "one-time buyer") {
		t.Errorf("excluded CSV: %d lines, header %q, first %q; want 1411 customers + header, one-time buyers", len(lines), lines[0], lines[1])
	}
}
