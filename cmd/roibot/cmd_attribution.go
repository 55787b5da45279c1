package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/tools"
)

// cliModels maps the attribution command's model names (and the tools'
// names) to analytics models.
var cliModels = map[string]analytics.Model{
	"first": analytics.FirstTouch, "last": analytics.LastTouch, "linear": analytics.Linear,
	"time-decay": analytics.TimeDecay, "position": analytics.PositionBased, "markov": analytics.Markov,
	"first_touch": analytics.FirstTouch, "last_touch": analytics.LastTouch, "time_decay": analytics.TimeDecay,
	"position_based": analytics.PositionBased,
}

func newAttributionCmd(app *App) *cobra.Command {
	var o attributionOpts
	cmd := &cobra.Command{
		Use:   "attribution --model first|last|linear|time-decay|position|markov [--file PATHS.csv] [--from DATE --to DATE] [--json]",
		Short: "Attribute conversions to channels with one model, from the database or a ChannelAttribution paths CSV",
		Long: "Attribute conversions and their value to channels. Without --file, journeys are built from the database's\n" +
			"touchpoints and orders (orders of identified customers in [--from, --to], touchpoints within --lookback days\n" +
			"before each); value is in GBP. With --file, paths come from a CSV in the ChannelAttribution layout\n" +
			"(path of channels separated by \" > \", total_conversions, total_conversion_value, total_null; ',' or ';').\n" +
			"Markov is the exact first-order absorbing chain (removal effects solved, not simulated); time-decay halves\n" +
			"credit every 7 days (one day per step on a CSV); position gives 40% to the first and last touch.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.attribution(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.model, "model", "markov", "first, last, linear, time-decay, position or markov")
	cmd.Flags().StringVar(&o.file, "file", "", "paths CSV in the ChannelAttribution layout (instead of the database)")
	cmd.Flags().StringVar(&o.from, "from", "", "first day included, YYYY-MM-DD (database only; default: first order)")
	cmd.Flags().StringVar(&o.to, "to", "", "last day included, YYYY-MM-DD (database only; default: last order)")
	cmd.Flags().IntVar(&o.lookback, "lookback", tools.DefaultLookbackDays, "attribution window in days (database only)")
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type attributionOpts struct {
	model, file, from, to string
	lookback              int
	json                  bool
}

// AttributionReport is the output of roibot attribution. Value is in the
// unit of the input (GBP from the database; the file's unit for a CSV).
type AttributionReport struct {
	Model                   string                 `json:"model"`
	Source                  string                 `json:"source"`
	Period                  string                 `json:"period,omitempty"`
	LookbackDays            int                    `json:"lookback_days,omitempty"`
	Channels                []AttributionChannel   `json:"channels"`
	Conversions             float64                `json:"total_conversions"`
	Value                   float64                `json:"total_value"`
	UnattributedConversions float64                `json:"unattributed_conversions"`
	UnattributedValue       float64                `json:"unattributed_value"`
	ConversionProbability   *float64               `json:"conversion_probability,omitempty"`
	RemovalEffects          []AttributionRemoval   `json:"removal_effects,omitempty"`
	Transitions             []analytics.Transition `json:"-"`
}

// AttributionChannel is one channel's attributed conversions and value.
type AttributionChannel struct {
	Channel     string  `json:"channel"`
	Conversions float64 `json:"conversions"`
	Value       float64 `json:"value"`
}

// AttributionRemoval is one channel's Markov removal effect.
type AttributionRemoval struct {
	Channel       string  `json:"channel"`
	RemovalEffect float64 `json:"removal_effect"`
}

func (a *App) attribution(ctx context.Context, o attributionOpts) error {
	m, ok := cliModels[strings.ToLower(o.model)]
	if !ok {
		return fmt.Errorf("attribution: unknown model %q (want first, last, linear, time-decay, position or markov)", o.model)
	}
	rep := AttributionReport{Model: string(m)}
	var cmp analytics.Comparison
	if o.file != "" {
		if o.from != "" || o.to != "" {
			return fmt.Errorf("attribution: --from/--to select database orders; a --file holds aggregated paths without dates")
		}
		f, err := os.Open(o.file)
		if err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		defer f.Close()
		paths, err := ingest.ReadChannelAttributionCSV(f)
		if err != nil {
			return fmt.Errorf("attribution: %s: %w", o.file, err)
		}
		rep.Source = o.file
		if cmp, err = analytics.CompareAttribution(paths, []analytics.Model{m}, analytics.AttributionOptions{}, ""); err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
	} else {
		if err := checkLookback(o.lookback); err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		s, err := a.Store(ctx)
		if err != nil {
			return err
		}
		args := tools.AttributionArgs{Models: []string{string(m)}, LookbackDays: o.lookback}
		if args.From, args.To, err = cliDays(ctx, s, o.from, o.to, a.Config.Location()); err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		res, err := tools.Attribution{Store: s, Location: a.Config.Location()}.Compare(ctx, args)
		if err != nil {
			return fmt.Errorf("attribution: %w", err)
		}
		cmp = res.Comparison
		rep.Source, rep.Period, rep.LookbackDays = "database (GBP)", res.Period.Label, res.LookbackDays
	}
	for _, r := range cmp.Rows {
		rep.Channels = append(rep.Channels, AttributionChannel{Channel: r.Channel, Conversions: round6(r.Conversions[0]), Value: round6(r.Value[0])})
	}
	rep.Conversions, rep.Value = round6(cmp.Conversions), round6(cmp.Value)
	rep.UnattributedConversions, rep.UnattributedValue = round6(cmp.UnattributedConversions), round6(cmp.UnattributedValue)
	if cmp.Markov != nil {
		pc := round6(cmp.Markov.ConversionProbability)
		rep.ConversionProbability = &pc
		for _, re := range cmp.Markov.RemovalEffects {
			rep.RemovalEffects = append(rep.RemovalEffects, AttributionRemoval{Channel: re.Channel, RemovalEffect: round6(re.Effect)})
		}
	}
	if o.json {
		printJSON(a.Stdout, rep)
		return nil
	}
	fmt.Fprintf(a.Stdout, "Attribution model %s, source %s", rep.Model, rep.Source)
	if rep.Period != "" {
		fmt.Fprintf(a.Stdout, ", period %s, %d-day lookback", rep.Period, rep.LookbackDays)
	}
	fmt.Fprintln(a.Stdout)
	t := agent.Table{Columns: []string{"channel", "conversions", "value"}}
	if rep.RemovalEffects != nil {
		t.Columns = append(t.Columns, "removal effect")
	}
	for i, c := range rep.Channels {
		row := []string{c.Channel, fmtNum(c.Conversions, 2), fmtNum(c.Value, 2)}
		if rep.RemovalEffects != nil {
			row = append(row, fmtNum(rep.RemovalEffects[i].RemovalEffect, 4))
		}
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, []string{"(unattributed)", fmtNum(rep.UnattributedConversions, 2), fmtNum(rep.UnattributedValue, 2)},
		[]string{"total", fmtNum(rep.Conversions, 2), fmtNum(rep.Value, 2)})
	writeTable(a.Stdout, t, 1000)
	return nil
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func fmtNum(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }

// dataRanger is the part of the store cliDays needs.
type dataRanger interface {
	DataRange(ctx context.Context, currency string) (first, last time.Time, err error)
}

// cliDays fills in missing --from/--to (inclusive local days) with the
// first and last order day, so a command's period is labelled by its days.
func cliDays(ctx context.Context, s dataRanger, from, to string, loc *time.Location) (string, string, error) {
	if from != "" && to != "" {
		return from, to, nil
	}
	first, last, err := s.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return "", "", err
	}
	if from == "" {
		from = first.In(loc).Format(time.DateOnly)
	}
	if to == "" {
		to = last.In(loc).Format(time.DateOnly)
	}
	return from, to, nil
}
