package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/report"
	"github.com/roibot/roibot/tools"
)

func newCLVCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clv",
		Short: "Customer lifetime value models for analysts (BG/NBD, Pareto/NBD, Gamma-Gamma)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCLVFitCmd(app))
	return cmd
}

// clvFitOptions are the flags of roibot clv fit.
type clvFitOptions struct {
	model, calibrationEnd, holdoutEnd, unit, file, country, currency, excludedCSV string
	asJSON                                                                        bool
}

func newCLVFitCmd(app *App) *cobra.Command {
	var o clvFitOptions
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Fit a CLV model on a calibration period and check it on the holdout period after it",
		Long: "Fit BG/NBD, Pareto/NBD or Gamma-Gamma by maximum likelihood to the customer summaries (frequency, recency, T,\n" +
			"mean repeat value) at --calibration-end (inclusive; several orders of a day are one purchase; returns never count),\n" +
			"and print parameters, standard errors and log-likelihood. For BG/NBD and Pareto/NBD it also prints the holdout\n" +
			"table: per calibration frequency 0..7+, the actual and expected mean repeat transactions from the day after\n" +
			"--calibration-end to --holdout-end (default: the last order day), totals and the per-customer MAE.\n" +
			"Orders come from the database, or from --file: BTYD's cdnowElog.csv (header masterid,sampleid,date,cds,sales;\n" +
			"customers are the sampleid 1..2357) or CDNOW_master.txt (customer_id date cds dollars), detected from the first line.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.clvFit(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "bgnbd", "bgnbd, mbgnbd, paretonbd, gammagamma, or auto (the lowest holdout error of bgnbd, mbgnbd, paretonbd)")
	f.StringVar(&o.calibrationEnd, "calibration-end", "", "last day of the calibration period, YYYY-MM-DD (default: the middle of the data)")
	f.StringVar(&o.excludedCSV, "excluded-csv", "", "gammagamma: write the customers left out of the fit, with the reason, to this CSV file")
	f.StringVar(&o.holdoutEnd, "holdout-end", "", "last day of the holdout period, YYYY-MM-DD (default: the last order day)")
	f.StringVar(&o.unit, "unit", "week", "time unit of recency, T and the holdout: week or day")
	f.StringVar(&o.file, "file", "", "CDNOW transaction file (cdnowElog.csv or CDNOW_master.txt) instead of the database")
	f.StringVar(&o.country, "country", "", "database only: customers of this country")
	f.StringVar(&o.currency, "currency", analytics.DefaultCurrency, "database only: currency of the orders (CDNOW imports are USD)")
	f.BoolVar(&o.asJSON, "json", false, "print JSON")
	return cmd
}

func parseDay(flag, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return t, fmt.Errorf("--%s %q: want YYYY-MM-DD", flag, s)
	}
	return t, nil
}

// readCDNOWFile reads a CDNOW elog or master file (ingest.ReadCDNOW) and
// names its source.
func readCDNOWFile(path string) ([]analytics.Order, string, error) {
	rc, err := ingest.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	orders, layout, err := ingest.ReadCDNOW(rc)
	return orders, filepath.Base(path) + " (CDNOW " + layout + ")", err
}

func (a *App) clvFit(ctx context.Context, o clvFitOptions) error {
	var unit analytics.TimeUnit
	switch o.unit {
	case "week", "weeks":
		unit = analytics.UnitWeeks
	case "day", "days":
		unit = analytics.UnitDays
	default:
		return fmt.Errorf("--unit %q: want week or day", o.unit)
	}
	switch o.model {
	case "bgnbd", "mbgnbd", "paretonbd", "gammagamma", "auto":
	default:
		return fmt.Errorf("--model %q: want bgnbd, mbgnbd, paretonbd, gammagamma or auto", o.model)
	}
	var calEnd time.Time
	var err error
	if o.calibrationEnd != "" {
		if calEnd, err = parseDay("calibration-end", o.calibrationEnd); err != nil {
			return err
		}
	}
	var orders []analytics.Order
	var source string
	if o.file != "" {
		if orders, source, err = readCDNOWFile(o.file); err != nil {
			return fmt.Errorf("clv fit: %w", err)
		}
	} else {
		s, err := a.Store(ctx)
		if err != nil {
			return err
		}
		if orders, err = s.PurchaseOrders(ctx, analytics.OrderFilter{Country: o.country, Currency: o.currency}); err != nil {
			return err
		}
		source = "database orders (" + o.currency + inCountryText(o.country) + ")"
		for i := range orders {
			orders[i].At = orders[i].At.In(a.Config.Location())
		}
	}
	args := tools.CLVFitArgs{Model: o.model, Unit: unit, CalibrationEnd: calEnd, Orders: orders, Source: source}
	if o.holdoutEnd != "" {
		if args.HoldoutEnd, err = parseDay("holdout-end", o.holdoutEnd); err != nil {
			return err
		}
	}
	rep, err := tools.FitCLV(ctx, args)
	if err != nil {
		return fmt.Errorf("clv fit: %w", err)
	}
	if o.excludedCSV != "" {
		if err := writeExcludedCSV(o.excludedCSV, rep.ExcludedCustomers); err != nil {
			return fmt.Errorf("clv fit: %w", err)
		}
	}
	if o.asJSON {
		printJSON(a.Stdout, rep)
		return nil
	}
	printCLVFit(a.Stdout, rep)
	return nil
}

// writeExcludedCSV writes the customers Gamma-Gamma left out
// (customer_id, reason, frequency, mean_repeat_value) to path.
func writeExcludedCSV(path string, ex []analytics.GammaGammaExclusion) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"customer_id", "reason", "frequency", "mean_repeat_value"})
	for _, e := range ex {
		_ = w.Write([]string{e.CustomerID, e.Reason, strconv.Itoa(e.Frequency), strconv.FormatFloat(e.MeanRepeatValue, 'f', 2, 64)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func inCountryText(c string) string {
	if c == "" {
		return ""
	}
	return ", " + c
}

var modelTitles = map[string]string{"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD", "gammagamma": "Gamma-Gamma"}

// printCLVFit prints parameters to 4 decimals, the log-likelihood to 2
// and the holdout table means to 4.
func printCLVFit(w io.Writer, r tools.CLVFitResult) {
	if r.CalibrationDefault != "" {
		fmt.Fprintln(w, r.CalibrationDefault)
	}
	if c := r.ModelChoice; c != nil {
		fmt.Fprintln(w, "Model chosen by holdout error:", c.Reason)
	}
	fmt.Fprintf(w, "%s fit on %d customers, %s, calibration end %s (%s)\n", modelTitles[r.Model], r.Customers, r.Source, r.CalibrationEnd, r.Unit)
	if r.Degenerate != "" {
		fmt.Fprintln(w, "DEGENERATE fit:", r.Degenerate)
	}
	if r.Excluded != "" {
		fmt.Fprintln(w, r.Excluded)
	}
	t := agent.Table{Columns: []string{"parameter", "estimate", "std. error"}}
	for _, p := range r.Parameters {
		se := report.NA(p.StdErrorNA)
		if p.StdError != nil {
			se = strconv.FormatFloat(*p.StdError, 'f', 4, 64)
		}
		t.Rows = append(t.Rows, []string{p.Name, strconv.FormatFloat(p.Value, 'f', 4, 64), se})
	}
	writeTable(w, t, len(t.Rows))
	fmt.Fprintf(w, "log-likelihood %.2f (%d iterations)\n", r.LogLikelihood, r.Iterations)
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
	if r.Holdout == nil {
		if r.Model == "gammagamma" {
			fmt.Fprintln(w, "(no holdout table: Gamma-Gamma models spend, not transactions)")
		}
		return
	}
	h := r.Holdout
	fmt.Fprintf(w, "\nHoldout %s to %s (%s %s; %d customers whose first purchase is in the holdout are left out): mean repeat transactions per customer\n",
		dayAfter(r.CalibrationEnd), r.HoldoutEnd, strconv.FormatFloat(r.HoldoutLength, 'f', 2, 64), r.Unit, r.NewInHoldout)
	ht := agent.Table{Columns: []string{"calibration frequency", "customers", "actual", "expected"}}
	for _, g := range h.Groups {
		f := strconv.Itoa(g.Frequency)
		if g.AndMore {
			f += "+"
		}
		ht.Rows = append(ht.Rows, []string{f, strconv.Itoa(g.Customers), strconv.FormatFloat(g.ActualMean, 'f', 4, 64), strconv.FormatFloat(g.ExpectedMean, 'f', 4, 64)})
	}
	ht.Rows = append(ht.Rows, []string{"total", strconv.Itoa(len(h.Customers)), strconv.Itoa(h.ActualTotal), strconv.FormatFloat(h.ExpectedTotal, 'f', 1, 64)})
	writeTable(w, ht, len(ht.Rows))
	fmt.Fprintf(w, "MAE per customer %.4f transactions\n", h.MAE)
}

func dayAfter(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

func newRFMCmd(app *App) *cobra.Command {
	var asOf, country string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rfm",
		Short: "RFM segments of the customers in the database: counts, revenue shares and score thresholds",
		Long: "Score every customer 1-5 on recency, frequency and monetary value by rank quintiles (ties share a score),\n" +
			"score = R*100 + F*10 + M (seed section 4.3), and print the segment counts, revenue shares and the bins in use —\n" +
			"the rfm_segments tool. With --country, customers are ranked among all customers and the counts cover that country's.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.rfm(cmd.Context(), asOf, country, asJSON)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "as-of date YYYY-MM-DD (default: the day after the last order)")
	cmd.Flags().StringVar(&country, "country", "", "only customers of this country")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *App) rfm(ctx context.Context, asOfFlag, country string, asJSON bool) error {
	s, err := a.Store(ctx)
	if err != nil {
		return err
	}
	scored, err := tools.RFM{Store: s, Location: a.Config.Location()}.Score(ctx, tools.RFMArgs{AsOf: asOfFlag, Country: country})
	if err != nil {
		return fmt.Errorf("rfm: %w", err)
	}
	res, asOf := scored.Result, scored.AsOf
	if asJSON {
		// rfmSegmentJSON is one segment; revenue in major units, shares as
		// fractions (revenue_share null with a reason when the total is ≤ 0).
		type rfmSegmentJSON struct {
			Segment        string   `json:"segment"`
			Customers      int      `json:"customers"`
			CustomerShare  float64  `json:"customer_share"`
			Revenue        float64  `json:"revenue"`
			RevenueShare   *float64 `json:"revenue_share"`
			RevenueShareNA string   `json:"revenue_share_na,omitempty"`
		}
		segs := make([]rfmSegmentJSON, len(res.Segments))
		for i, g := range res.Segments {
			segs[i] = rfmSegmentJSON{Segment: string(g.Segment), Customers: g.Customers, CustomerShare: g.CustomerShare, Revenue: g.Revenue.Major()}
			if v, ok := g.RevenueShare.Get(); ok {
				segs[i].RevenueShare = &v
			} else {
				segs[i].RevenueShareNA = g.RevenueShare.NA
			}
		}
		printJSON(a.Stdout, struct {
			AsOf       string                  `json:"as_of"`
			Country    string                  `json:"country,omitempty"`
			Currency   string                  `json:"currency"`
			Customers  int                     `json:"customers"`
			Segments   []rfmSegmentJSON        `json:"segments"`
			Thresholds analytics.RFMThresholds `json:"thresholds"`
			Warnings   []string                `json:"warnings,omitempty"`
		}{asOf, country, analytics.DefaultCurrency, len(res.Customers), segs, res.Thresholds, res.Warnings})
		return nil
	}
	fmt.Fprintf(a.Stdout, "RFM as of %s%s: %d customers (score = R*100 + F*10 + M, quintiles 1-5)\n", asOf, inCountryText(country), len(res.Customers))
	st := agent.Table{Columns: []string{"segment", "customers", "customer share", "net revenue", "revenue share"}}
	for _, g := range res.Segments {
		share := report.NA(g.RevenueShare.NA)
		if v, ok := g.RevenueShare.Get(); ok {
			share = strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
		}
		st.Rows = append(st.Rows, []string{string(g.Segment), strconv.Itoa(g.Customers), strconv.FormatFloat(g.CustomerShare*100, 'f', 1, 64) + "%",
			report.Money(float64(g.Revenue)/100, analytics.DefaultCurrency, 2), share})
	}
	writeTable(a.Stdout, st, len(st.Rows))
	fmt.Fprintln(a.Stdout, "\nThresholds (values per score; recency in days, frequency in invoices, monetary as net spend)")
	tt := agent.Table{Columns: []string{"dimension", "score", "min", "max", "customers"}}
	for _, d := range []struct {
		name string
		bins []analytics.RFMBin
	}{{"recency", res.Thresholds.Recency}, {"frequency", res.Thresholds.Frequency}, {"monetary", res.Thresholds.Monetary}} {
		for _, b := range d.bins {
			lo, hi := report.Number(b.Min, report.Auto(b.Min)), report.Number(b.Max, report.Auto(b.Max))
			if d.name == "monetary" { // minor units (pence) in the result
				lo, hi = report.Money(b.Min/100, analytics.DefaultCurrency, 2), report.Money(b.Max/100, analytics.DefaultCurrency, 2)
			}
			tt.Rows = append(tt.Rows, []string{d.name, strconv.Itoa(b.Score), lo, hi, report.Number(float64(b.Customers), 0)})
		}
	}
	writeTable(a.Stdout, tt, len(tt.Rows))
	for _, w := range res.Warnings {
		fmt.Fprintln(a.Stdout, "warning:", w)
	}
	for _, c := range scored.Caveats {
		fmt.Fprintln(a.Stdout, "caveat:", c)
	}
	return nil
}
