package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
)

// feedbackImporters maps an import kind to its streaming feedback importer.
var feedbackImporters = map[string]func(ctx context.Context, r io.Reader, sink ingest.FeedbackSink, opt ingest.Options) (*ingest.Report, error){
	ingest.FormatReviews: ingest.ImportReviews,
}

// demoReviewRows is how many review rows `roibot demo` imports: the first
// 6,000 rows of the file (5,784 with text), a deterministic subset. All
// 23,486 rows (22,641 with text) take about 6.5 minutes on the embedded
// PGlite, which builds the HNSW index row by row; `roibot import reviews
// FILE` imports them all (and adds the rest to a demo database).
const demoReviewRows = 6000

func init() {
	demoHooks = append(demoHooks, demoFeedback)
}

// embedder returns the feedback embedder: the local HashEmbedder of the
// configured dimension, and the model name stored with its vectors.
func (a *App) embedder() (*knowledge.HashEmbedder, string, error) {
	e, err := knowledge.NewHashEmbedder(a.Config.EmbeddingDim)
	if err != nil {
		return nil, "", err
	}
	return e, fmt.Sprintf("hash-%d", e.Dimension()), nil
}

// FeedbackStore opens the feedback part of the store with the configured
// embedder, checking its dimension against the vector column.
func (a *App) FeedbackStore(ctx context.Context) (*postgres.FeedbackStore, error) {
	s, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	e, model, err := a.embedder()
	if err != nil {
		return nil, err
	}
	return s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: e.Dimension(), Model: model})
}

// importFeedback runs a feedback importer on path.
func (a *App) importFeedback(ctx context.Context, kind, path string, maxRows int, asJSON bool) error {
	imp := feedbackImporters[kind]
	fs, err := a.FeedbackStore(ctx)
	if err != nil {
		return err
	}
	rc, err := ingest.Open(path)
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	defer rc.Close()
	start := time.Now()
	rep, err := imp(ctx, rc, fs, ingest.Options{File: filepath.Base(path), MaxRows: maxRows})
	if rep != nil {
		if asJSON {
			printJSON(a.Stdout, rep)
		} else {
			rep.Print(a.Stdout)
			fmt.Fprintf(a.Stdout, "feedback import took %s (vector search: %v)\n", time.Since(start).Round(time.Second), fs.HasVectorSearch())
		}
	}
	return err
}

// demoFeedback imports the clothing reviews as feedback when the
// feedback table is empty.
func demoFeedback(ctx context.Context, a *App, dataDir string) error {
	s, err := a.Store(ctx)
	if err != nil {
		return err
	}
	counts, err := s.TableCounts(ctx)
	if err != nil {
		return err
	}
	if counts["feedback"] > 0 {
		fmt.Fprintf(a.Stdout, "feedback already imported (%d rows)\n", counts["feedback"])
		return nil
	}
	path := filepath.Join(dataDir, "womens-clothing-reviews", "womens_clothing_ecommerce_reviews.csv.gz")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("demo: %w (run from the repository root)", err)
	}
	fmt.Fprintf(a.Stdout, "importing the first %d rows of the Women's E-Commerce Clothing Reviews as feedback (dates are SYNTHETIC; "+
		"roibot import reviews %s adds the rest)…\n", demoReviewRows, path)
	return a.importFeedback(ctx, ingest.FormatReviews, path, demoReviewRows, false)
}
