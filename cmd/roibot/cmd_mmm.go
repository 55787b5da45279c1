package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/demodata"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/tools"
)

// mmmFlags are the data and model flags shared by the mmm subcommands.
type mmmFlags struct {
	file, date, target, liftTests string
	channels, controls, events    []string
	seed                          uint64
	bootstrap, maxLag             int
	asJSON                        bool
}

func (f *mmmFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "file", "", "weekly CSV (one row per week)")
	cmd.Flags().StringVar(&f.date, "date", "week", "column with the week's first day (YYYY-MM-DD) or ISO week (YYYY-Www)")
	cmd.Flags().StringVar(&f.target, "target", "outcome", "outcome column (revenue or conversions)")
	cmd.Flags().StringSliceVar(&f.channels, "channels", nil, "spend columns, one per channel (comma-separated); without it the file must be in the mmm_weekly import format (week,outcome,currency,spend_<channel>…)")
	cmd.Flags().StringSliceVar(&f.controls, "controls", nil, "control columns (e.g. price, a known confounder)")
	cmd.Flags().StringSliceVar(&f.events, "events", nil, "0/1 event columns (promotions, outages)")
	cmd.Flags().StringVar(&f.liftTests, "lift-tests", "", "CSV of lift tests: channel,start,end,incremental,se")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "random seed (the fit is deterministic for a seed)")
	cmd.Flags().IntVar(&f.bootstrap, "bootstrap", 200, "bootstrap refits for the intervals (0: none)")
	cmd.Flags().IntVar(&f.maxLag, "max-lag", 0, "adstock window in weeks (0: choose 4 or 8 by cross-validation)")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("file")
}

func newMMMCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mmm",
		Short: "Media mix modelling: incremental ROAS from weekly spend, response curves, budget allocation",
		Long: "A media mix model regresses weekly outcome on adstocked (carry-over), saturating (diminishing returns) spend per\n" +
			"channel plus trend, yearly seasonality, controls and events, and reports each channel's incremental ROAS with a\n" +
			"bootstrap interval. It is a model estimate from variation in spend; see docs/mmm.md.",
	}
	cmd.AddCommand(newMMMFitCmd(app), newMMMAllocateCmd(app), newMMMScenarioCmd(app))
	return cmd
}

func newMMMFitCmd(app *App) *cobra.Command {
	var f mmmFlags
	var chartDir string
	cmd := &cobra.Command{
		Use:   "fit --file CSV --date COL --target COL --channels COLS [--controls COLS] [--events COLS] [--lift-tests CSV] [--json]",
		Short: "Fit a media mix model to a weekly CSV and print incremental ROAS per channel with its interval",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fit, cur, err := app.mmmFit(f)
			if err != nil {
				return err
			}
			s := tools.SummarizeMMM(fit, cur)
			if chartDir != "" {
				if err := writeMMMCharts(fit, chartDir); err != nil {
					return err
				}
			}
			if f.asJSON {
				printJSON(app.Stdout, s)
				return nil
			}
			printMMMSummary(app, s)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&chartDir, "charts", "", "also write decomposition and response-curve PNGs to this folder")
	return cmd
}

func newMMMAllocateCmd(app *App) *cobra.Command {
	var f mmmFlags
	var budget float64
	var bounds []string
	cmd := &cobra.Command{
		Use:   "allocate --file CSV … [--budget WEEKLY] [--bounds CH=MIN:MAX,…] [--json]",
		Short: "Split a weekly budget across channels to maximise the fitted incremental outcome",
		Long: "Fits the model as `mmm fit` does, then allocates the weekly budget (default: the current average weekly total)\n" +
			"on the fitted response curves within per-channel bounds (default: half to one and a half times each channel's\n" +
			"current weekly spend) and compares the result with the current mix.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fit, cur, err := app.mmmFit(f)
			if err != nil {
				return err
			}
			b, err := parseBounds(fit, bounds)
			if err != nil {
				return err
			}
			a, err := fit.Allocate(budget, b)
			if err != nil {
				return fmt.Errorf("mmm allocate: %w", err)
			}
			res := tools.SummarizeAllocation(fit, a, cur)
			if f.asJSON {
				printJSON(app.Stdout, res)
				return nil
			}
			writeTable(app.Stdout, toAgentTable(tools.AllocationTable(res)), 100)
			fmt.Fprintf(app.Stdout, "\nPredicted weekly incremental outcome %.0f vs %.0f now: uplift %.0f (%+.1f%%).\n", res.Total, res.CurrentTotal, res.Uplift, 100*res.UpliftShare)
			fmt.Fprintln(app.Stdout, res.Caveat)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().Float64Var(&budget, "budget", 0, "weekly budget (default: current weekly total)")
	cmd.Flags().StringSliceVar(&bounds, "bounds", nil, "per-channel weekly bounds, CHANNEL=MIN:MAX")
	return cmd
}

func newMMMScenarioCmd(app *App) *cobra.Command {
	var out string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "scenario --out DIR",
		Short: "Write the SYNTHETIC MMM scenario (weekly CSV in the mmm_weekly format, its lift test, its truth)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc := demodata.GenerateMMM(seed)
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			if err := writeScenario(sc, out); err != nil {
				return err
			}
			fmt.Fprint(app.Stdout, sc.String())
			fmt.Fprintf(app.Stdout, "wrote %s, %s and %s\n", filepath.Join(out, "mmm_weekly.csv"), filepath.Join(out, "lift_tests.csv"), filepath.Join(out, "truth.json"))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write to")
	cmd.Flags().Uint64Var(&seed, "seed", demodata.DefaultSeed, "scenario seed")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// mmmFit reads the flags' files and fits.
func (a *App) mmmFit(f mmmFlags) (*analytics.MMMFit, string, error) {
	rc, err := ingest.Open(f.file)
	if err != nil {
		return nil, "", fmt.Errorf("mmm: %w", err)
	}
	defer rc.Close()
	loc := a.Config.Location()
	var d *ingest.WeeklyData
	var rep *ingest.Result
	if len(f.channels) == 0 {
		d, rep, err = ingest.ReadMMMWeekly(rc, loc, filepath.Base(f.file))
	} else {
		d, rep, err = ingest.ReadWeekly(rc, ingest.WeeklyColumns{Week: f.date, Outcome: f.target, Channels: f.channels, Controls: f.controls, Events: f.events}, loc, filepath.Base(f.file))
	}
	if err != nil {
		if rep != nil && rep.Rejected > 0 {
			rep.PrintLimit(a.Stderr, 20)
		}
		return nil, "", fmt.Errorf("mmm: %w", err)
	}
	if f.liftTests != "" {
		lf, err := os.Open(f.liftTests)
		if err != nil {
			return nil, "", fmt.Errorf("mmm: %w", err)
		}
		defer lf.Close()
		if d.Input.LiftTests, err = ingest.ReadLiftTests(lf, loc); err != nil {
			return nil, "", fmt.Errorf("mmm: %w", err)
		}
	}
	cfg := analytics.MMMConfig{Seed: f.seed, Bootstrap: f.bootstrap, MaxLagWeeks: f.maxLag}
	if f.bootstrap == 0 {
		cfg.Bootstrap = -1
	}
	fit, err := analytics.FitMMM(d.Input, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("mmm fit: %w", err)
	}
	return fit, d.Currency, nil
}

func parseBounds(fit *analytics.MMMFit, specs []string) ([]analytics.SpendBounds, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	b := make([]analytics.SpendBounds, len(fit.Channels))
	for i, c := range fit.Channels {
		b[i] = analytics.SpendBounds{Min: 0.5 * c.AvgWeeklySpend, Max: 1.5 * c.AvgWeeklySpend}
	}
	for _, s := range specs {
		name, rng, ok := strings.Cut(s, "=")
		lo, hi, ok2 := strings.Cut(rng, ":")
		i := fit.ChannelIndex(strings.TrimSpace(name))
		if !ok || !ok2 || i < 0 {
			return nil, fmt.Errorf("--bounds %q: want CHANNEL=MIN:MAX with a fitted channel", s)
		}
		mn, err1 := strconv.ParseFloat(lo, 64)
		mx, err2 := strconv.ParseFloat(hi, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("--bounds %q: MIN and MAX must be numbers", s)
		}
		b[i] = analytics.SpendBounds{Min: mn, Max: mx}
	}
	return b, nil
}

func printMMMSummary(app *App, s tools.MMMSummary) {
	fmt.Fprintf(app.Stdout, "Media mix model, %d weeks %s..%s (%s); fit R² %.3f, MAPE %.1f%%, NRMSE %.3f.\n\n",
		s.Weeks, s.From, s.To, s.Model, s.R2, 100*s.MAPE, s.NRMSE)
	writeTable(app.Stdout, toAgentTable(tools.MMMTable(s)), 100)
	fmt.Fprintf(app.Stdout, "\nModel health: %s — %s\n", s.Health.Verdict, strings.Join(s.Health.Reasons, "; "))
	for i, f := range s.Health.Folds {
		fmt.Fprintf(app.Stdout, "  CV fold %d: fit on %d weeks, next %d: MAPE %.1f%%, NRMSE %.3f\n", i+1, f.TrainWeeks, f.TestWeeks, 100*f.MAPE, f.NRMSE)
	}
	if len(s.LiftPriority) > 0 {
		fmt.Fprintf(app.Stdout, "Next lift test: %s (widest ROAS interval × spend).\n", s.LiftPriority[0].Channel)
	}
	fmt.Fprintln(app.Stdout, "\n"+s.Definition)
}

func toAgentTable(t tools.Table) agent.Table {
	return agent.Table{Title: t.Title, Columns: t.Columns, Rows: t.Rows}
}

// writeScenario writes the scenario in the mmm_weekly format, its lift
// test and its truth.
func writeScenario(sc *demodata.MMMScenario, dir string) error {
	f, err := os.Create(filepath.Join(dir, "mmm_weekly.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := []string{"week", "outcome", "currency"}
	for _, m := range sc.Input.Media {
		head = append(head, "spend_"+m.Name)
	}
	for _, e := range sc.Input.Events {
		head = append(head, "event_"+e.Name)
	}
	_ = w.Write(head)
	for t, wk := range sc.Input.Weeks {
		rec := []string{wk.Format("2006-01-02"), strconv.FormatFloat(sc.Input.Outcome[t], 'f', 2, 64), sc.Currency}
		for _, m := range sc.Input.Media {
			rec = append(rec, strconv.FormatFloat(m.Values[t], 'f', -1, 64))
		}
		for _, e := range sc.Input.Events {
			rec = append(rec, strconv.FormatFloat(e.Values[t], 'f', -1, 64))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	lt := sc.Lift
	lift := fmt.Sprintf("channel,start,end,incremental,se\n%s,%s,%s,%s,%s\n", lt.Channel, lt.Start.Format("2006-01-02"), lt.End.Format("2006-01-02"),
		strconv.FormatFloat(lt.Incremental, 'f', -1, 64), strconv.FormatFloat(lt.SE, 'f', -1, 64))
	if err := os.WriteFile(filepath.Join(dir, "lift_tests.csv"), []byte(lift), 0o644); err != nil {
		return err
	}
	truth, _ := json.MarshalIndent(map[string]any{"synthetic": true, "seed": sc.Seed, "channels": sc.Channels, "lift_true_incremental": sc.LiftTrue,
		"noise_sd": sc.NoiseSD, "generated_by": "roibot mmm scenario (demodata.GenerateMMM)", "weeks_from": sc.Input.Weeks[0].Format(time.DateOnly)}, "", "  ")
	return os.WriteFile(filepath.Join(dir, "truth.json"), append(truth, '\n'), 0o644)
}

// writeMMMCharts writes the decomposition and response-curve PNGs.
func writeMMMCharts(fit *analytics.MMMFit, dir string) error {
	pngs, err := tools.MMMChartPNGs(fit)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range pngs {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
