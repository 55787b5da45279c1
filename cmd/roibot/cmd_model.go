package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
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
	cmd.AddCommand(newModelFitCmd(app), newModelImportCmd(app), newModelListCmd(app), newModelTrainCmd(app))
	return cmd
}

func init() { demoHooks = append(demoHooks, importDemoDatasets) }

// demoDatasets are the modelling datasets roibot demo imports: file under
// data/, target, ID column and columns to drop.
var demoDatasets = []struct {
	name, file, target, id string
	drop                   []string
}{
	{"ifood", "ifood-marketing-campaign/ml_project1_data.csv", "Response", "ID", []string{"Z_CostContact", "Z_Revenue"}},
	// duration is known only after the call (PROVENANCE.md).
	{"bank-marketing", "bank-marketing/bank-additional-full.csv.gz", "y", "", []string{"duration"}},
}

// importDemoDatasets imports the demo's modelling datasets that are not
// there yet.
func importDemoDatasets(ctx context.Context, a *App, dataDir string) error {
	s, err := a.migratedStore(ctx)
	if err != nil {
		return err
	}
	have, err := s.ModelDatasets(ctx)
	if err != nil {
		return err
	}
	for _, d := range demoDatasets {
		if slices.ContainsFunc(have, func(i analytics.DatasetInfo) bool { return i.Name == d.name }) {
			continue
		}
		o := modelImportOptions{name: d.name, file: filepath.Join(dataDir, d.file), target: d.target, id: d.id, drop: strings.Join(d.drop, ",")}
		if err := a.modelImport(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// modelImportOptions are the flags of roibot model import.
type modelImportOptions struct {
	name, file, target, id, drop string
}

func newModelImportCmd(app *App) *cobra.Command {
	var o modelImportOptions
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a CSV as a modelling dataset (a table with an id, a yes/no target and inputs; not roibot customers)",
		Long: "Store --file (CSV with a header; comma, semicolon or tab; gzip is fine) as the modelling dataset --name, replacing\n" +
			"one of that name. response_propensity and roibot model train response read it. Columns as in roibot model fit.",
		Example: "  roibot model import --name ifood --file data/ifood-marketing-campaign/ml_project1_data.csv --target Response --id ID --drop Z_CostContact,Z_Revenue",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.modelImport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "dataset name: lower-case letters, digits, - and _ (required)")
	f.StringVar(&o.file, "file", "", "CSV file (required)")
	f.StringVar(&o.target, "target", "", "yes/no column to predict (required)")
	f.StringVar(&o.id, "id", "", "ID column (default: the row number)")
	f.StringVar(&o.drop, "drop", "", "comma-separated columns to leave out")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

func (app *App) modelImport(ctx context.Context, o modelImportOptions) error {
	tbl, err := readModelFile(o.file, o.target, o.id, splitList(o.drop))
	if err != nil {
		return err
	}
	s, err := app.migratedStore(ctx)
	if err != nil {
		return err
	}
	info := analytics.DatasetInfo{Name: o.name, Source: filepath.Base(o.file), Target: o.target, IDColumn: o.id}
	if err := s.StoreModelDataset(ctx, info, tbl); err != nil {
		return err
	}
	pos := 0
	for _, y := range tbl.Target {
		if y {
			pos++
		}
	}
	fmt.Fprintf(app.Stdout, "modelling dataset %s: %d rows (%d positive), %d input columns from %s\n", o.name, tbl.Rows(), pos, len(tbl.Columns), filepath.Base(o.file))
	return nil
}

func readModelFile(path, target, id string, drop []string) (analytics.ModelTable, error) {
	rc, err := ingest.Open(path)
	if err != nil {
		return analytics.ModelTable{}, err
	}
	defer rc.Close()
	return ingest.ReadModelTable(rc, ingest.ModelTableOptions{Target: target, ID: id, Drop: drop, File: filepath.Base(path)})
}

func newModelListCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the stored model versions and the modelling datasets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := app.migratedStore(cmd.Context())
			if err != nil {
				return err
			}
			list, err := s.ModelDatasets(cmd.Context())
			if err != nil {
				return err
			}
			versions, err := s.ModelVersions(cmd.Context(), "")
			if err != nil {
				return err
			}
			if asJSON {
				printJSON(app.Stdout, map[string]any{"datasets": list, "models": versions})
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "model\tversion\tactive\tchosen\tholdout AUC\twindow\ttrained\tnote")
			for _, v := range versions {
				fmt.Fprintf(tw, "%s\tv%d\t%v\t%s\t%.4f\t%s to %s\t%s\t%s\n", v.Name, v.Version, v.Active, v.Model, v.HoldoutAUC,
					v.WindowFrom.Format(time.DateOnly), v.WindowTo.Format(time.DateOnly), v.TrainedAt.Format(time.DateTime), v.Note)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(app.Stdout)
			tw = tabwriter.NewWriter(app.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "dataset\trows\tpositive\ttarget\tinputs\tsource\timported")
			for _, d := range list {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%s\n", d.Name, d.Rows, d.Positives, d.Target, len(d.Columns), d.Source, d.ImportedAt.Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// modelTrainOptions are the flags of roibot model train.
type modelTrainOptions struct {
	dataset string
	horizon int
	asJSON  bool
}

func newModelTrainCmd(app *App) *cobra.Command {
	var o modelTrainOptions
	cmd := &cobra.Command{
		Use:   "train churn|response",
		Short: "Train and evaluate the churn model (on the stored orders) or the response model (on a modelling dataset)",
		Long: "churn: customers' features (RFM, tenure, basket value, returns) at the day after the last order minus\n" +
			"--horizon-days, labelled by whether they bought again; the new version is compared with the active one on the\n" +
			"latest holdout, stored (active unless it scores lower) and the digest printed, as roibot serve posts it when\n" +
			"ROIBOT_RETRAIN_SCHEDULE is set. response: the modelling dataset --dataset (default ifood); prints every\n" +
			"model's validation and test metrics, as roibot model fit does (not stored).",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"churn", "response"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.modelTrain(cmd.Context(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dataset, "dataset", "ifood", "response: the modelling dataset")
	f.IntVar(&o.horizon, "horizon-days", 90, "churn: no purchase in this many days counts as churn")
	f.BoolVar(&o.asJSON, "json", false, "print JSON")
	return cmd
}

func (app *App) modelTrain(ctx context.Context, what string, o modelTrainOptions) error {
	s, err := app.migratedStore(ctx)
	if err != nil {
		return err
	}
	var tbl analytics.ModelTable
	var source, target string
	switch what {
	case "churn":
		// Train, compare with the active version on the latest holdout,
		// store the new version (active unless it scores lower) and print
		// the digest roibot serve would post.
		r := &Retrainer{Store: s, Now: time.Now, Location: app.Config.Location(), HorizonDays: o.horizon, Logger: app.Logger, Force: true}
		digest, err := r.RunOnce(ctx)
		if err != nil {
			return err
		}
		if o.asJSON {
			mv, err := s.ModelVersions(ctx, "churn")
			if err != nil {
				return err
			}
			printJSON(app.Stdout, map[string]any{"digest": digest, "versions": mv})
			return nil
		}
		fmt.Fprint(app.Stdout, digest)
		return nil
	case "response":
		var info analytics.DatasetInfo
		if tbl, info, err = s.ModelDataset(ctx, o.dataset); err != nil {
			return fmt.Errorf("%w (roibot model import adds one; roibot demo imports ifood and bank-marketing)", err)
		}
		source, target = "dataset "+info.Name+" ("+info.Source+")", info.Target
	default:
		return fmt.Errorf("model train: %q; want churn or response", what)
	}
	start := time.Now()
	res, err := analytics.FitModels(tbl, analytics.FitConfig{Seed: 42})
	if err != nil {
		return fmt.Errorf("model train %s: %w", what, err)
	}
	rep := modelFitReport{File: source, Target: target, FitSeconds: time.Since(start).Seconds(), FitResult: res}
	if o.asJSON {
		printJSON(app.Stdout, rep)
		return nil
	}
	printModelFit(app.Stdout, rep)
	return nil
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
	drop := splitList(o.drop)
	tbl, err := readModelFile(o.file, o.target, o.id, drop)
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
