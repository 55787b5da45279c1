package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/demodata"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/postgres"
)

func newMigrateCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.migrate(cmd.Context())
		},
	}
}

func (a *App) migrate(ctx context.Context) error {
	s, err := a.migratedStore(ctx)
	if err != nil {
		return err
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "database schema at version %d\n", v)
	return nil
}

// importers maps an import kind to its streaming importer.
var importers = map[string]func(ctx context.Context, r io.Reader, sink ingest.OrderSink, opt ingest.Options) (*ingest.Result, error){
	ingest.FormatOnlineRetail: ingest.ImportOnlineRetail,
	ingest.FormatCDNOW:        ingest.ImportCDNOW,
}

// importKinds lists every import kind: the file formats of importers, then
// the tables whose generic CSV ingest.ImportTable reads.
func importKinds() []string {
	out := make([]string, 0, len(importers))
	for k := range importers {
		out = append(out, k)
	}
	for k := range feedbackImporters {
		out = append(out, k)
	}
	out = append(out, ingest.FormatMMMWeekly)
	sort.Strings(out)
	return append(out, ingest.Tables()...)
}

func newImportCmd(app *App) *cobra.Command {
	var opt importOptions
	cmd := &cobra.Command{
		Use:   "import KIND FILE",
		Short: "Import a file: online-retail, cdnow, reviews, mmm_weekly, or a table's documented CSV (see docs/data.md)",
		Long: "Import a data file, streaming (gzip accepted) and idempotently: importing the same file twice adds nothing.\n" +
			"KIND is online-retail (UCI Online Retail CSV), cdnow (CDNOW_master.txt or cdnowElog.csv),\n" +
			"reviews (Women's E-Commerce Clothing Reviews CSV, stored as feedback; see docs/feedback.md),\n" +
			"mmm_weekly (weekly media-mix data: week,outcome,currency,spend_<channel>…; see docs/mmm.md),\n" +
			"or a table name for the generic CSV of that table (see docs/data.md).\n" +
			"Each rejected row is reported with its line number and reason.\n" +
			"With --llm-sentiment (reviews only) the configured LLM provider scores each review's sentiment,\n" +
			"falling back to VADER per review when its answer is invalid; the offline provider is refused.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.importFile(cmd.Context(), args[0], args[1], opt)
		},
	}
	cmd.Flags().BoolVar(&opt.JSON, "json", false, "print the import result (rows read, stored, rejected) as JSON")
	cmd.Flags().BoolVar(&opt.LLMSentiment, "llm-sentiment", false,
		"reviews: score sentiment with the configured LLM (ROIBOT_LLM_PROVIDER openai, anthropic or ollama) instead of VADER")
	return cmd
}

// importOptions are the flags of roibot import.
type importOptions struct {
	// JSON prints the import result as JSON.
	JSON bool
	// LLMSentiment scores imported feedback's sentiment with the LLM.
	LLMSentiment bool
}

func (a *App) importFile(ctx context.Context, kind, path string, flags importOptions) (err error) {
	defer a.refreshVocabulary(ctx, &err)
	asJSON := flags.JSON
	if kind == ingest.FormatMMMWeekly {
		return a.importMMMWeekly(ctx, path, asJSON)
	}
	if _, ok := feedbackImporters[kind]; ok {
		if err := a.migrate(ctx); err != nil {
			return err
		}
		return a.importFeedback(ctx, kind, path, 0, flags)
	}
	if flags.LLMSentiment {
		return fmt.Errorf("import %s: --llm-sentiment applies to feedback imports only (%s)", kind, ingest.FormatReviews)
	}
	imp, ok := importers[kind]
	if !ok {
		if _, isTable := ingest.Columns(kind); !isTable {
			return fmt.Errorf("import: unknown kind %q (want one of %s)", kind, strings.Join(importKinds(), ", "))
		}
	}
	s, err := a.migratedStore(ctx)
	if err != nil {
		return err
	}
	rc, err := ingest.Open(path)
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	defer rc.Close()
	prog := newProgress(a.Stderr, "importing "+filepath.Base(path), "rows", -1)
	opt := ingest.Options{
		File:     filepath.Base(path),
		Location: a.Config.Location(),
		Progress: func(n int) { prog.Set(int64(n)) },
	}
	var rep *ingest.Result
	if ok {
		rep, err = imp(ctx, rc, newParallelOrders(s, int(a.Config.DBMaxConns)), opt)
	} else {
		rep, err = ingest.ImportTable(ctx, kind, rc, s, opt)
	}
	prog.Finish()
	if rep != nil {
		if asJSON {
			printJSON(a.Stdout, rep)
		} else {
			rep.PrintLimit(a.Stdout, 20)
		}
	}
	return err
}

func newDemoDataCmd(app *App) *cobra.Command {
	var seed uint64
	var force bool
	cmd := &cobra.Command{
		Use:   "demo-data",
		Short: "Generate the SYNTHETIC marketing layer (channels, campaigns, spend, touchpoints, funnel) over the imported orders",
		Long: "Online Retail has real orders but no marketing data. demo-data generates, from a fixed seed, channels,\n" +
			"named campaigns, daily spend, touchpoints leading to the real orders and funnel events, all marked synthetic,\n" +
			"and stores the ROI per channel it built in (synthetic_truth) so the tools can be checked against it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.demoData(cmd.Context(), seed, force)
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", demodata.DefaultSeed, "random seed")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing synthetic layer")
	return cmd
}

func (a *App) demoData(ctx context.Context, seed uint64, force bool) (err error) {
	defer a.refreshVocabulary(ctx, &err)
	s, err := a.migratedStore(ctx)
	if err != nil {
		return err
	}
	if err := a.storeMMMScenario(ctx, s, seed, force); err != nil {
		return err
	}
	if have, err := s.HasSyntheticLayer(ctx); err != nil {
		return err
	} else if have && !force {
		fmt.Fprintln(a.Stdout, "synthetic marketing layer already present (use --force to regenerate)")
		return nil
	}
	orders, err := s.PurchaseOrders(ctx, analytics.OrderFilter{})
	if err != nil {
		return err
	}
	start := time.Now()
	layer, err := demodata.Generate(orders, seed)
	if err != nil {
		return fmt.Errorf("demo-data: %w (import orders first: roibot import online-retail FILE)", err)
	}
	fmt.Fprintf(a.Stdout, "generating SYNTHETIC marketing layer (seed %d): %d campaigns, %d spend rows, %d touchpoints, %d funnel events\n",
		seed, len(layer.Campaigns), len(layer.Spend), len(layer.Touchpoints), len(layer.Funnel))
	if err := s.StoreSyntheticLayer(ctx, syntheticLayer(layer)); err != nil {
		return err
	}
	fmt.Fprintf(a.Stdout, "stored in %s; ground truth (last touch, whole range):\n", time.Since(start).Round(time.Second))
	for _, t := range layer.Truth {
		roi := "n/a (no spend)"
		if v, ok := t.ROI(); ok {
			roi = fmt.Sprintf("%.1f%%", v*100)
		}
		fmt.Fprintf(a.Stdout, "  %-15s revenue £%12s  spend £%11s  ROI %s\n", t.Channel, t.LastTouchRevenue, t.Cost, roi)
	}
	return nil
}

func newDemoCmd(app *App) *cobra.Command {
	var noChat bool
	var dataDir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Set up the demo (migrate, import Online Retail, synthetic marketing layer) and open the chat",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := app.setupDemo(ctx, dataDir); err != nil {
				return err
			}
			if noChat {
				return nil
			}
			return app.chat(ctx, "marketer")
		},
	}
	cmd.Flags().BoolVar(&noChat, "no-chat", false, "only set up the data")
	cmd.Flags().StringVar(&dataDir, "data", "data", "folder with the bundled datasets")
	return cmd
}

// setupDemo makes the demo database ready; a second run reuses the data.
// Each step is announced with its number and, when done, how long it
// took, so a first run (a few minutes) shows where it is.
func (a *App) setupDemo(ctx context.Context, dataDir string) error {
	start := time.Now()
	total := 3 + len(demoHooks)
	stepN, stepStart := 0, time.Now()
	step := func(what string) {
		if stepN > 0 {
			fmt.Fprintf(a.Stdout, "  done in %s\n", time.Since(stepStart).Round(100*time.Millisecond))
		}
		stepN++
		stepStart = time.Now()
		fmt.Fprintf(a.Stdout, "demo step %d/%d: %s\n", stepN, total, what)
	}
	step("database schema")
	if err := a.migrate(ctx); err != nil {
		return err
	}
	s, _ := a.Store(ctx)
	counts, err := s.TableCounts(ctx)
	if err != nil {
		return err
	}
	// A complete import of the bundled file stores onlineRetailStored
	// lines; fewer means an earlier run was interrupted, and the idempotent
	// import adds what is missing.
	step("orders (Online Retail)")
	if counts["order_lines"] < onlineRetailStored {
		path := filepath.Join(dataDir, "online-retail", "online_retail.csv.gz")
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("demo: %w (run from the repository root)", err)
		}
		fmt.Fprintln(a.Stdout, "importing Online Retail (541,909 lines; about a minute on the embedded database)…")
		if err := a.importFile(ctx, ingest.FormatOnlineRetail, path, importOptions{}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.Stdout, "orders already imported (%d order lines)\n", counts["order_lines"])
	}
	step("synthetic marketing layer")
	if err := a.demoData(ctx, demodata.DefaultSeed, false); err != nil {
		return err
	}
	for i, h := range demoHooks {
		step(fmt.Sprintf("further data (%d of %d)", i+1, len(demoHooks)))
		if err := h(ctx, a, dataDir); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Stdout, "  done in %s\ndemo ready in %s\n", time.Since(stepStart).Round(100*time.Millisecond), time.Since(start).Round(time.Second))
	return nil
}

// onlineRetailStored is the number of order lines a complete import of
// the bundled Online Retail file stores (541,909 read, 2 rejected).
const onlineRetailStored = 541_907

// demoHooks are further demo set-up steps (e.g. feedback import), run in order.
var demoHooks []func(ctx context.Context, a *App, dataDir string) error

// syntheticLayer converts the generator's layer to the store's: the
// adapters take inner packages' types, never each other's (STYLE.md).
// Spend is in GBP, Online Retail's currency.
func syntheticLayer(l *demodata.Layer) postgres.SyntheticLayer {
	out := postgres.SyntheticLayer{Seed: l.Seed,
		Channels:    make([]postgres.SyntheticChannel, len(l.Channels)),
		Campaigns:   make([]postgres.SyntheticCampaign, len(l.Campaigns)),
		Spend:       make([]analytics.Spend, len(l.Spend)),
		Touchpoints: make([]postgres.SyntheticTouchpoint, len(l.Touchpoints)),
		Funnel:      make([]postgres.SyntheticFunnelEvent, len(l.Funnel)),
		Truth:       make([]postgres.ChannelTruth, len(l.Truth)),
	}
	for i, c := range l.Channels {
		out.Channels[i] = postgres.SyntheticChannel{Name: c.Name, Kind: c.Kind}
	}
	for i, c := range l.Campaigns {
		out.Campaigns[i] = postgres.SyntheticCampaign{Name: c.Name, Channel: c.Channel, Start: c.Start, End: c.End}
	}
	for i, r := range l.Spend {
		out.Spend[i] = analytics.Spend{Day: r.Day, Channel: r.Channel, Campaign: r.Campaign, Cost: r.Cost, Currency: "GBP"}
	}
	for i, r := range l.Touchpoints {
		out.Touchpoints[i] = postgres.SyntheticTouchpoint{ID: r.ID,
			Touchpoint: analytics.Touchpoint{CustomerID: r.CustomerID, Channel: r.Channel, Campaign: r.Campaign, At: r.At}}
	}
	for i, r := range l.Funnel {
		out.Funnel[i] = postgres.SyntheticFunnelEvent{ID: r.ID, Channel: r.Channel, Campaign: r.Campaign, CustomerID: r.CustomerID,
			FunnelEvent: analytics.FunnelEvent{SessionID: r.SessionID, Stage: r.Stage, At: r.At}}
	}
	for i, t := range l.Truth {
		out.Truth[i] = postgres.ChannelTruth{Channel: t.Channel, LastTouchRevenue: t.LastTouchRevenue, Cost: t.Cost, Conversions: t.Conversions}
	}
	return out
}
