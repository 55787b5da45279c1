package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/ingest"
)

func newModelCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Predictive models (logistic regression, decision tree, random forest, ensembles) for analysts",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newModelFitCmd(app))
	return cmd
}

// modelFitOptions are the flags of roibot model fit.
type modelFitOptions struct {
	file, target, id, drop, models string
	seed                           uint64
	trees, depth, folds, repeats   int
	balanced, asJSON               bool
}

func newModelFitCmd(app *App) *cobra.Command {
	var o modelFitOptions
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Fit and compare classifiers for a yes/no column of a CSV on a stratified train/validation/test split",
		Long: "Read --file (CSV with a header; comma, semicolon or tab; gzip is fine), predict the binary column --target\n" +
			"(yes/no, true/false, 1/0) from every other column (numeric columns as numbers, the rest one-hot; missing\n" +
			"values imputed and reported), on a stratified 60/20/20 train/validation/test split. Each model's threshold\n" +
			"is the one that maximises F1 on the validation rows; the test rows are used only for the figures printed:\n" +
			"ROC AUC, Brier score, precision/recall/F1 and confusion matrix at that threshold, lift and captured share\n" +
			"at the top 10%, and permutation importance. Models: logistic (L2, C=1, standardised inputs), tree (CART,\n" +
			"gini), forest (random forest, sqrt(p) features per split), average (weights chosen on validation), stack\n" +
			"(logistic meta-model on out-of-fold predictions).",
		Example: "  roibot model fit --file data/bank-marketing/bank-additional-full.csv.gz --target y --drop duration",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.modelFit(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.file, "file", "", "CSV file (required)")
	f.StringVar(&o.target, "target", "", "name of the yes/no column to predict (required)")
	f.StringVar(&o.id, "id", "", "name of an ID column (kept out of the features)")
	f.StringVar(&o.drop, "drop", "", "comma-separated columns to leave out (e.g. ones known only after the outcome)")
	f.StringVar(&o.models, "models", "logistic,tree,forest,average,stack", "comma-separated models: logistic, tree, forest, average, stack")
	f.Uint64Var(&o.seed, "seed", 42, "seed of the split, the forest and the permutations")
	f.IntVar(&o.trees, "trees", 300, "trees in the forest")
	f.IntVar(&o.depth, "depth", 6, "depth limit of the single tree")
	f.IntVar(&o.folds, "folds", 5, "folds for the stacking model's out-of-fold predictions")
	f.IntVar(&o.repeats, "importance-repeats", 3, "shuffles per column for permutation importance (0 = skip)")
	f.BoolVar(&o.balanced, "balanced", false, "weight the classes n/(2·n_c) in every fit (the threshold is still chosen on validation)")
	f.BoolVar(&o.asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

// modelFitReport is what roibot model fit prints as JSON.
type modelFitReport struct {
	File       string   `json:"file"`
	Target     string   `json:"target"`
	Dropped    []string `json:"dropped,omitempty"`
	FitSeconds float64  `json:"fit_seconds"`
	*analytics.FitResult
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (app *App) modelFit(o modelFitOptions) error {
	rc, err := ingest.Open(o.file)
	if err != nil {
		return err
	}
	defer rc.Close()
	drop := splitList(o.drop)
	tbl, err := ingest.ReadModelTable(rc, ingest.ModelTableOptions{Target: o.target, ID: o.id, Drop: drop, File: filepath.Base(o.file)})
	if err != nil {
		return err
	}
	repeats := o.repeats
	if repeats == 0 {
		repeats = -1
	}
	cfg := analytics.FitConfig{
		Models:            splitList(o.models),
		Seed:              o.seed,
		Balanced:          o.balanced,
		Tree:              analytics.TreeConfig{MaxDepth: o.depth},
		Forest:            analytics.ForestConfig{Trees: o.trees},
		Folds:             o.folds,
		ImportanceRepeats: repeats,
	}
	start := time.Now()
	res, err := analytics.FitModels(tbl, cfg)
	if err != nil {
		return fmt.Errorf("model fit %s: %w", o.file, err)
	}
	rep := modelFitReport{File: o.file, Target: o.target, Dropped: drop, FitSeconds: time.Since(start).Seconds(), FitResult: res}
	if o.asJSON {
		printJSON(app.Stdout, rep)
		return nil
	}
	printModelFit(app.Stdout, rep)
	return nil
}

func printModelFit(w io.Writer, r modelFitReport) {
	fmt.Fprintf(w, "%s: predicting %s from %d features (%d rows, %d positive = %.1f%%)\n", r.File, r.Target, len(r.Features), r.Rows, r.Positives, 100*float64(r.Positives)/float64(r.Rows))
	fmt.Fprintf(w, "split: %d train, %d validation, %d test (stratified); %s\n", r.Train, r.Validation, r.Test, r.Imbalance)
	for _, m := range r.Missing {
		fmt.Fprintf(w, "missing: %s %d values in training (%s)\n", m.Column, m.Count, m.Action)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tval AUC\ttest AUC\tBrier\tthreshold\tprecision\trecall\tF1\tlift@10%\tcaptured@10%\t")
	for _, m := range r.Models {
		t := m.Test
		lift, capt := 0.0, 0.0
		if len(t.Gains) > 0 {
			lift, capt = t.Gains[0].Lift, t.Gains[0].Captured
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.1f%%\t\n", m.Name, m.Validation.AUC, t.AUC, t.Brier, t.Threshold, t.Precision, t.Recall, t.F1, lift, 100*capt)
	}
	tw.Flush()
	for _, m := range r.Models {
		c := m.Test.Confusion
		fmt.Fprintf(w, "\n%s (%s)\n  test confusion: TP %d, FP %d, TN %d, FN %d\n", m.Name, m.Params, c.TP, c.FP, c.TN, c.FN)
		if len(m.Weights) > 0 {
			var parts []string
			for _, b := range analytics.SingleModels {
				if v, ok := m.Weights[b]; ok {
					parts = append(parts, fmt.Sprintf("%s %.3g", b, v))
				}
			}
			fmt.Fprintf(w, "  weights: %s\n", strings.Join(parts, ", "))
		}
		if len(m.Importance) > 0 {
			var parts []string
			for _, im := range m.Importance[:min(5, len(m.Importance))] {
				parts = append(parts, fmt.Sprintf("%s %.4f", im.Column, im.Drop))
			}
			fmt.Fprintf(w, "  permutation importance (test AUC drop): %s\n", strings.Join(parts, ", "))
		}
	}
	fmt.Fprintf(w, "\nbest single model on validation: %s\n", r.Best)
	if r.Verdict != "" {
		fmt.Fprintf(w, "%s\n", r.Verdict)
	}
	fmt.Fprintf(w, "fit time %.1f s (all models, importance included)\n", r.FitSeconds)
}
