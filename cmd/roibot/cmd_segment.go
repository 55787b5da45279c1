package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/report"
	"github.com/roibot/roibot/tools"
)

func newSegmentCmd(app *App) *cobra.Command {
	var k int
	var country, method string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "segment",
		Short: "Cluster customers (K-means or Ward) and profile each cluster",
		Long: "Cluster the customers on standardized recency, frequency, monetary value, tenure, average basket, return rate\n" +
			"and feedback sentiment (when present) — the segment_customers tool. Without --k, k is chosen by the best\n" +
			"silhouette over 2..8 and the scores are shown. The seed is fixed, so runs repeat exactly.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := app.Store(ctx)
			if err != nil {
				return err
			}
			res, err := tools.Segment{Store: s, Location: app.Config.Location()}.Cluster(ctx, tools.SegmentArgs{K: k, Country: country, Method: method})
			if err != nil {
				return fmt.Errorf("segment: %w", err)
			}
			return app.printResult(res, res.Display, res.Caveats, asJSON)
		},
	}
	cmd.Flags().IntVar(&k, "k", 0, "number of clusters, 2..20 (default: chosen by silhouette over 2..8)")
	cmd.Flags().StringVar(&country, "country", "", "only customers of this country")
	cmd.Flags().StringVar(&method, "method", "", "kmeans (default) or ward (at most 5,000 customers)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the tool's JSON result")
	return cmd
}

func newRulesCmd(app *App) *cobra.Command {
	var country, file, segment string
	var minSupport, minConfidence, minLift float64
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Market basket association rules (FP-Growth) from the database or an Online Retail file",
		Long: "Mine association rules between products bought on the same invoice — the association_rules tool.\n" +
			"Baskets are invoices; cancellations and non-product lines (POSTAGE, fees, manual adjustments) are left out.\n" +
			"With --file, the Online Retail CSV (gzip accepted) is read directly and no database is needed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if limit == 0 { // the core reads 0 as unset and would list 20
				return fmt.Errorf("rules: --limit 0: want 1 to 500")
			}
			args := tools.RulesArgs{Country: country, MinSupport: &minSupport, MinConfidence: minConfidence, Limit: limit}
			if cmd.Flags().Changed("min-lift") {
				args.MinLift = &minLift
			}
			if file == "" {
				s, err := app.Store(ctx)
				if err != nil {
					return err
				}
				args.Segment = segment
				res, err := tools.Rules{Store: s, Orders: s, Location: app.Config.Location()}.Mine(ctx, args)
				if err != nil {
					return fmt.Errorf("rules: %w", err)
				}
				return app.printResult(res, res.Display, res.Caveats, asJSON)
			}
			if segment != "" {
				return fmt.Errorf("rules: --segment needs the database (RFM segments), not --file")
			}
			lines, err := basketLinesFromFile(ctx, file, country)
			if err != nil {
				return err
			}
			res, err := tools.AssociationRulesFromLines(ctx, lines, args)
			if err != nil {
				return fmt.Errorf("rules: %w", err)
			}
			return app.printResult(res, res.Display, res.Caveats, asJSON)
		},
	}
	cmd.Flags().StringVar(&country, "country", "", "only invoices of this country (as spelled in the data)")
	cmd.Flags().StringVar(&segment, "segment", "", "only invoices of customers in this RFM segment (e.g. champions, at_risk)")
	cmd.Flags().Float64Var(&minSupport, "min-support", 0, "minimum support, a fraction of invoices (required), e.g. 0.07")
	cmd.Flags().Float64Var(&minConfidence, "min-confidence", 0, "minimum confidence, a fraction")
	cmd.Flags().Float64Var(&minLift, "min-lift", 0, "minimum lift (default 1)")
	cmd.Flags().IntVar(&limit, "limit", 100, "rules to list, highest lift first (1..500)")
	cmd.Flags().StringVar(&file, "file", "", "read this Online Retail CSV (.csv or .csv.gz) instead of the database")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("min-support")
	return cmd
}

// basketSink collects the basket lines of one country (all when empty)
// from an import; it stores nothing.
type basketSink struct {
	country string
	lines   []analytics.BasketLine
}

// StoreOrderLines implements ingest.OrderSink.
func (b *basketSink) StoreOrderLines(_ context.Context, _ string, lines []ingest.OrderLine) (ingest.StoreResult, error) {
	for _, l := range lines {
		if b.country != "" && !strings.EqualFold(l.Country, b.country) {
			continue
		}
		b.lines = append(b.lines, analytics.BasketLine{InvoiceNo: l.InvoiceNo, Description: l.Description, Quantity: int(l.Quantity)})
	}
	return ingest.StoreResult{Stored: len(lines)}, nil
}

// basketLinesFromFile reads an Online Retail file with the importer's
// validation (rows it rejects are left out, as an import would) and returns
// the lines of country, matched case-insensitively like the database query.
func basketLinesFromFile(ctx context.Context, path, country string) ([]analytics.BasketLine, error) {
	rc, err := ingest.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	defer rc.Close()
	sink := &basketSink{country: country}
	if _, err := ingest.ImportOnlineRetail(ctx, rc, sink, ingest.Options{File: filepath.Base(path)}); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return sink.lines, nil
}

func newReportCmd(app *App) *cobra.Command {
	var def tools.SegmentDefinition
	var cluster int
	var out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write a segment report: summary.md, members.csv and chart.png",
		Long: "Report on a customer segment — the segment_report tool — and write into --out:\n" +
			"  summary.md   size, revenue share, average historical and predicted CLV, top products, feedback themes\n" +
			"  members.csv  one row per member: RFM scores and segment, spend, historical and predicted CLV, tier\n" +
			"  chart.png    bar chart of the segment's top products by revenue\n" +
			"The filters combine with AND (see docs/segments.md, segment definition).",
		Example: "  roibot report --segment at_risk --country Germany --out reports/de_at_risk\n" +
			"  roibot report --cluster 2 --k 5 --clv-tier top --out reports/cluster2",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("cluster") {
				def.Cluster = &cluster
			}
			return app.segmentReport(cmd.Context(), def, out, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&def.Segment, "segment", "", "RFM segment: champions, loyal, potential_loyalists, new, promising, need_attention, about_to_sleep, at_risk, cant_lose_them, hibernating, lost")
	f.StringVar(&def.Country, "country", "", "customer country as spelled in the data")
	f.IntVar(&cluster, "cluster", 0, "cluster number of `roibot segment` with the same --k, --method and --country")
	f.IntVar(&def.K, "k", 0, "k of the clustering --cluster refers to (default: chosen by silhouette)")
	f.StringVar(&def.Method, "method", "", "clustering method --cluster refers to: kmeans (default) or ward")
	f.StringVar(&def.CLVTier, "clv-tier", "", "top, mid or low third by predicted CLV")
	f.StringVar(&def.From, "from", "", "first day of orders, YYYY-MM-DD")
	f.StringVar(&def.To, "to", "", "last day of orders, YYYY-MM-DD")
	f.StringVar(&def.Sentiment, "sentiment", "", "positive, neutral or negative mean feedback sentiment")
	f.StringVar(&out, "out", "", "folder to write summary.md, members.csv and chart.png into (created if missing)")
	f.BoolVar(&asJSON, "json", false, "also print the report as JSON")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// segmentReport builds the report of def and writes its three files into dir.
func (a *App) segmentReport(ctx context.Context, def tools.SegmentDefinition, dir string, asJSON bool) error {
	s, err := a.Store(ctx)
	if err != nil {
		return err
	}
	res, err := tools.SegmentReport{Store: s, Location: a.Config.Location()}.Build(ctx, def)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if res.Customers == 0 {
		return fmt.Errorf("report: no customer matches %s (population %d customers)", res.Description, res.Population)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	files := map[string][]byte{
		"summary.md":  []byte(summaryMarkdown(res)),
		"members.csv": report.CSV(tools.MemberColumns, tools.MemberRows(res.Members)),
	}
	if len(res.Display.Charts) > 0 {
		c := res.Display.Charts[0]
		png, err := report.BarChartPNG(report.BarChart{Title: c.Title, Labels: c.Labels, Values: c.Values, Unit: c.Unit, XLabel: c.XLabel, YLabel: c.YLabel})
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		files["chart.png"] = png
	}
	for _, name := range []string{"summary.md", "members.csv", "chart.png"} {
		b, ok := files[name]
		if !ok {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if asJSON {
		printJSON(a.Stdout, res)
		return nil
	}
	fmt.Fprintf(a.Stdout, "%s: %d of %d customers; wrote %s\n", res.Description, res.Customers, res.Population,
		strings.Join(written(dir, files), ", "))
	return nil
}

func written(dir string, files map[string][]byte) []string {
	var out []string
	for _, name := range []string{"summary.md", "members.csv", "chart.png"} {
		if _, ok := files[name]; ok {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out
}

// summaryMarkdown renders a report's summary for summary.md.
func summaryMarkdown(res tools.SegmentReportResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Segment report: %s\n\n", res.Description)
	fmt.Fprintf(&b, "As of %s", res.AsOf)
	if res.Period != nil {
		fmt.Fprintf(&b, "; orders %s..%s", res.Period.From, res.Period.LastDay)
	}
	fmt.Fprintf(&b, "; currency %s.\n\n", res.Currency)
	if len(res.Display.Tables) > 0 {
		writeMarkdownTable(&b, res.Display.Tables[0].Columns, res.Display.Tables[0].Rows)
	}
	fmt.Fprintf(&b, "\nCLV tiers (top/mid/low third of the population) by %s.\n", strings.ReplaceAll(strings.ReplaceAll(res.CLVTierBasis, "_clv", " CLV"), "_", " "))
	if res.Cluster != nil {
		fmt.Fprintf(&b, "\n## Cluster %d: %s\n\n%d customers, median spend %s, mean recency %.0f days, mean frequency %.1f.\n",
			res.Cluster.Cluster, res.Cluster.Name, res.Cluster.Customers, report.Money(float64(res.Cluster.MedianSpend), res.Currency, 2), res.Cluster.MeanRecencyDays, res.Cluster.MeanFrequency)
	}
	b.WriteString("\n## Top products\n\n")
	rows := make([][]string, len(res.TopProducts))
	for i, p := range res.TopProducts {
		rows[i] = []string{p.Product, report.Money(float64(p.Revenue), res.Currency, 2), strconv.FormatInt(p.Quantity, 10), strconv.Itoa(p.Customers)}
	}
	writeMarkdownTable(&b, []string{"product", "revenue", "units", "customers"}, rows)
	b.WriteString("\n## Feedback themes\n\n")
	if len(res.FeedbackThemes) == 0 {
		fmt.Fprintf(&b, "None: %s.\n", res.FeedbackNote)
	} else {
		for _, t := range res.FeedbackThemes {
			fmt.Fprintf(&b, "- %s: %d mentions (%d negative, %d positive), mean sentiment %.2f\n",
				t.Theme, t.Count, t.Sentiment.Negative, t.Sentiment.Positive, t.MeanSentiment)
		}
		fmt.Fprintf(&b, "\n%s.\n", res.FeedbackNote)
	}
	if len(res.Caveats) > 0 {
		b.WriteString("\n## Caveats\n\n")
		for _, c := range res.Caveats {
			fmt.Fprintf(&b, "- %s\n", c)
		}
	}
	fmt.Fprintf(&b, "\n## Definition\n\n%s\n\nFiles: members.csv (%d rows), chart.png.\n", res.Definition, res.Customers)
	return b.String()
}

func writeMarkdownTable(w io.Writer, cols []string, rows [][]string) {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	line := func(cells []string) {
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = esc(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(parts, " | "))
	}
	line(cols)
	seps := make([]string, len(cols))
	for i := range seps {
		seps[i] = "---"
	}
	line(seps)
	for _, r := range rows {
		line(r)
	}
}

// printResult prints a typed core's result: its JSON as the tool returns
// it (with --json) or its display tables and caveats.
func (a *App) printResult(res any, d tools.Display, caveats []string, asJSON bool) error {
	if asJSON {
		return printToolJSON(a.Stdout, res)
	}
	printDisplay(a.Stdout, d, caveats)
	return nil
}

// printDisplay writes a tool result's tables and caveats as text.
func printDisplay(w io.Writer, d tools.Display, caveats []string) {
	for i, t := range d.Tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeTable(w, agent.Table{Title: t.Title, Columns: t.Columns, Rows: t.Rows}, 100)
	}
	for _, c := range caveats {
		fmt.Fprintln(w, "note:", c)
	}
}
