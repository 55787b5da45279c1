package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/tools"
)

func newROICmd(app *App) *cobra.Command {
	var by, from, to, model string
	var lookback int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "roi --by channel|campaign --from DATE --to DATE [--attribution MODEL] [--json]",
		Short: "ROI, ROAS, CPA and CAC by channel or campaign for a date range (the compute_roi tool)",
		Long: "ROI = (attributed revenue − spend) / spend (seed section 4.1), ROAS = revenue / spend, CPA = spend / conversions,\n" +
			"CAC = spend / new customers (each counted once, split by the model's credit for their first purchase); totals are\nratios of sums. Dates are inclusive local days\n" +
			"(ROIBOT_TIMEZONE). --attribution is last_touch (default), first_touch, linear, time_decay, position_based or\n" +
			"markov (the CLI names first, last, time-decay, position also work); campaigns need last_touch.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.roi(cmd.Context(), by, from, to, model, lookback, asJSON)
		},
	}
	cmd.Flags().StringVar(&by, "by", "channel", "channel or campaign")
	cmd.Flags().StringVar(&from, "from", "", "first day included, YYYY-MM-DD (default: first order)")
	cmd.Flags().StringVar(&to, "to", "", "last day included, YYYY-MM-DD (default: last order)")
	cmd.Flags().StringVar(&model, "attribution", "last_touch", "attribution model")
	cmd.Flags().IntVar(&lookback, "lookback", tools.DefaultLookbackDays, "attribution window in days")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the compute_roi JSON")
	return cmd
}

// checkLookback refuses --lookback 0, which the typed cores would read as
// unset and answer with the default window; they refuse other values
// outside 1 to 365 days themselves.
func checkLookback(days int) error {
	if days == 0 {
		return fmt.Errorf("--lookback 0: want 1 to 365 days (default %d)", tools.DefaultLookbackDays)
	}
	return nil
}

func (a *App) roi(ctx context.Context, by, from, to, model string, lookback int, asJSON bool) error {
	if err := checkLookback(lookback); err != nil {
		return fmt.Errorf("roi: %w", err)
	}
	m, ok := cliModels[strings.ToLower(model)]
	if !ok {
		return fmt.Errorf("roi: unknown attribution model %q", model)
	}
	s, err := a.Store(ctx)
	if err != nil {
		return err
	}
	args := tools.ROIArgs{GroupBy: by, Attribution: string(m), LookbackDays: lookback}
	args.From, args.To = from, to
	res, err := tools.ROI{Store: s, Location: a.Config.Location()}.Compute(ctx, args)
	if err != nil {
		return fmt.Errorf("roi: %w", err)
	}
	if asJSON {
		return printToolJSON(a.Stdout, res)
	}
	fmt.Fprintln(a.Stdout, res.Summary)
	for _, t := range res.Display.Tables {
		fmt.Fprintln(a.Stdout)
		writeTable(a.Stdout, agent.Table{Title: t.Title, Columns: t.Columns, Rows: t.Rows}, 1000)
	}
	fmt.Fprintf(a.Stdout, "\nPeriod %s, currency %s.\nDefinition: %s\n", res.Period.Label, res.Currency, res.Definition)
	for _, c := range res.Caveats {
		fmt.Fprintln(a.Stdout, "Caveat:", c)
	}
	return nil
}
