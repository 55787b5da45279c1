package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/roibot/roibot/ingest"
	"github.com/roibot/roibot/knowledge"
	"github.com/roibot/roibot/postgres"
)

// feedbackImporters maps an import kind to its streaming feedback importer.
var feedbackImporters = map[string]func(ctx context.Context, r io.Reader, sink ingest.FeedbackSink, opt ingest.Options) (*ingest.Result, error){
	ingest.FormatReviews: ingest.ImportReviews,
}

// demoReviewRows is how many review rows `roibot demo` imports: the first
// 6,000 rows of the file (5,784 with text), a deterministic subset. All
// 23,486 rows (22,641 with text) take about 6.5 minutes on the embedded
// PGlite, which builds the HNSW index row by row; `roibot import reviews
// FILE` imports them all (and adds the rest to a demo database).
const demoReviewRows = 6000

// demoReviewStored is how many of those rows are stored (216 have no
// review text and are rejected).
const demoReviewStored = 5784

func init() {
	demoHooks = append(demoHooks, demoFeedback)
}

// embedder returns the feedback embedder, the length of its vectors and
// the model name stored with them: an OpenAI-compatible /embeddings
// endpoint when ROIBOT_EMBEDDING_URL is set (its dimension is measured by
// embedding one probe text), else the local HashEmbedder of
// ROIBOT_EMBEDDING_DIM dimensions.
func (a *App) embedder(ctx context.Context) (embeddings.Embedder, int, string, error) {
	if a.Config.EmbeddingURL == "" {
		e, err := knowledge.NewHashEmbedder(a.Config.EmbeddingDim)
		if err != nil {
			return nil, 0, "", err
		}
		return e, e.Dimension(), fmt.Sprintf("hash-%d", e.Dimension()), nil
	}
	return remoteEmbedder(ctx, a.Config.EmbeddingURL, a.Config.EmbeddingModel, string(a.Config.EmbeddingAPIKey), nil)
}

// remoteEmbedder returns an embedder over an OpenAI-compatible
// /embeddings endpoint at baseURL, with the dimension of its vectors.
func remoteEmbedder(ctx context.Context, baseURL, model, key string, client *http.Client) (embeddings.Embedder, int, string, error) {
	if model == "" {
		return nil, 0, "", errors.New("ROIBOT_EMBEDDING_URL is set but ROIBOT_EMBEDDING_MODEL is empty")
	}
	if key == "" {
		key = "none" // Ollama, TEI and vLLM need no key; the client wants one
	}
	opts := []openai.Option{openai.WithBaseURL(baseURL), openai.WithToken(key), openai.WithEmbeddingModel(model)}
	if client != nil {
		opts = append(opts, openai.WithHTTPClient(client))
	}
	llm, err := openai.New(opts...)
	if err != nil {
		return nil, 0, "", fmt.Errorf("embedding endpoint: %w", err)
	}
	e, err := embeddings.NewEmbedder(llm)
	if err != nil {
		return nil, 0, "", fmt.Errorf("embedding endpoint: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := e.EmbedQuery(pctx, "dimension probe")
	if err != nil {
		// langchaingo reports an answer with an error status as "API
		// returned unexpected status code"; anything else (refused
		// connection, timeout) is the endpoint being unreachable.
		if strings.Contains(err.Error(), "API returned unexpected status code") {
			return nil, 0, "", &embeddingConfigError{fmt.Errorf("ROIBOT_EMBEDDING_MODEL %q: the endpoint ROIBOT_EMBEDDING_URL=%s rejected it (%v); "+
				"set ROIBOT_EMBEDDING_MODEL to a model that endpoint serves", model, baseURL, err)}
		}
		return nil, 0, "", fmt.Errorf("embedding endpoint ROIBOT_EMBEDDING_URL=%s (model %q) unreachable: probe: %w", baseURL, model, err)
	}
	if err := knowledge.ValidateVector(v); err != nil {
		return nil, 0, "", &embeddingConfigError{fmt.Errorf("ROIBOT_EMBEDDING_MODEL %q at ROIBOT_EMBEDDING_URL=%s returned an unusable vector: %w", model, baseURL, err)}
	}
	return e, len(v), model, nil
}

// embeddingConfigError is an embedding endpoint that answered but cannot
// serve roibot as configured (a model it rejects, an unusable vector, a
// dimension other than the vector column's): a start-up error, unlike an
// unreachable endpoint, which only leaves the feedback tools out.
type embeddingConfigError struct{ err error }

func (e *embeddingConfigError) Error() string { return e.err.Error() }
func (e *embeddingConfigError) Unwrap() error { return e.err }

// feedback opens the feedback part of the store with the configured
// embedder, checking its dimension against the vector column, and
// returns the embedder for queries.
func (a *App) feedback(ctx context.Context) (*postgres.FeedbackStore, embeddings.Embedder, error) {
	s, err := a.Store(ctx)
	if err != nil {
		return nil, nil, err
	}
	e, dim, model, err := a.embedder(ctx)
	if err != nil {
		return nil, nil, err
	}
	fs, err := s.Feedback(ctx, postgres.FeedbackConfig{Embedder: e, Dimension: dim, Model: model})
	if err != nil {
		return nil, nil, &embeddingConfigError{fmt.Errorf("%w (embedding model %q gives %d dimensions: set ROIBOT_EMBEDDING_MODEL "+
			"to a model of the vector column's size, or ROIBOT_EMBEDDING_DIM and migrate a new database)", err, model, dim)}
	}
	return fs, e, nil
}

// importFeedback runs a feedback importer on path; with
// opt.LLMSentiment the configured LLM scores each item's sentiment.
func (a *App) importFeedback(ctx context.Context, kind, path string, maxRows int, opt importOptions) error {
	imp := feedbackImporters[kind]
	var scorer *knowledge.LLMSentiment
	if opt.LLMSentiment {
		var err error
		if scorer, err = a.llmSentiment(); err != nil {
			return fmt.Errorf("import %s: %w", kind, err)
		}
		if scorer == nil {
			return fmt.Errorf("import %s: --llm-sentiment needs an LLM provider (ROIBOT_LLM_PROVIDER openai, anthropic or ollama); "+
				"the offline planner cannot judge sentiment, so VADER is the offline method", kind)
		}
	}
	fs, _, err := a.feedback(ctx)
	if err != nil {
		return err
	}
	rc, err := ingest.Open(path)
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	defer rc.Close()
	var sink ingest.FeedbackSink = fs
	var ss *sentimentSink
	if scorer != nil {
		ss = &sentimentSink{sink: fs, scorer: scorer, workers: llmSentimentWorkers}
		sink = ss
	}
	start := time.Now()
	prog := newProgress(a.Stderr, "importing and embedding "+filepath.Base(path), "items", -1)
	rep, err := imp(ctx, rc, progressSink{sink: sink, p: prog}, ingest.Options{File: filepath.Base(path), MaxRows: maxRows})
	prog.Finish()
	if rep != nil {
		if opt.JSON {
			printJSON(a.Stdout, rep)
		} else {
			rep.PrintLimit(a.Stdout, 20)
			fmt.Fprintf(a.Stdout, "feedback import took %s (vector search: %v)\n", time.Since(start).Round(time.Second), fs.HasVectorSearch())
		}
	}
	if ss != nil {
		fmt.Fprintf(a.Stderr, "sentiment: %d items scored by the LLM, %d by VADER after an invalid or failed LLM answer\n", ss.llm, ss.fallback)
		if ss.lastFallback != "" {
			fmt.Fprintf(a.Stderr, "last fallback: %s\n", ss.lastFallback)
		}
	}
	return err
}

// llmSentimentWorkers bounds the concurrent LLM sentiment calls of an import.
const llmSentimentWorkers = 4

// sentimentSink re-scores each batch's sentiment with an LLM before
// passing it on. Its workers live only within one StoreFeedback call.
// progressSink reports each stored batch of feedback to p (embedding is
// the slow part of a feedback import).
type progressSink struct {
	sink ingest.FeedbackSink
	p    *progress
}

func (s progressSink) StoreFeedback(ctx context.Context, items []knowledge.Feedback) (int, error) {
	n, err := s.sink.StoreFeedback(ctx, items)
	s.p.Add(int64(len(items)))
	return n, err
}

type sentimentSink struct {
	sink    ingest.FeedbackSink
	scorer  knowledge.SentimentScorer
	workers int

	llm, fallback int
	lastFallback  string
}

// StoreFeedback implements ingest.FeedbackSink.
func (s *sentimentSink) StoreFeedback(ctx context.Context, items []knowledge.Feedback) (int, error) {
	scores := make([]knowledge.SentimentScore, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(s.workers, 1) {
		wg.Add(1)
		go func() { // exits when next is closed
			defer wg.Done()
			for i := range next {
				scores[i] = s.scorer.ScoreSentiment(ctx, items[i].Text)
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, sc := range scores {
		items[i].Sentiment, items[i].SentimentLabel, items[i].SentimentSource = sc.Score, sc.Label, sc.Source
		if sc.Source == knowledge.SentimentLLM {
			s.llm++
		} else {
			s.fallback++
			s.lastFallback = sc.Fallback
		}
	}
	return s.sink.StoreFeedback(ctx, items)
}

func newReembedCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "reembed-feedback",
		Short: "Embed stored feedback that has no vector of the configured embedder (after changing ROIBOT_EMBEDDING_*)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := app.migrate(ctx); err != nil {
				return err
			}
			fs, _, err := app.feedback(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			n, err := fs.Reembed(ctx, 0)
			fmt.Fprintf(app.Stdout, "embedded %d feedback rows in %s\n", n, time.Since(start).Round(time.Second))
			return err
		},
	}
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
	// The demo subset stores demoReviewStored rows; fewer means an earlier
	// run was interrupted, and the idempotent import fills in the rest.
	if counts["feedback"] >= demoReviewStored {
		fmt.Fprintf(a.Stdout, "feedback already imported (%d rows)\n", counts["feedback"])
		return nil
	}
	path := filepath.Join(dataDir, "womens-clothing-reviews", "womens_clothing_ecommerce_reviews.csv.gz")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("demo: %w (run from the repository root)", err)
	}
	fmt.Fprintf(a.Stdout, "importing the first %d rows of the Women's E-Commerce Clothing Reviews as feedback (dates are SYNTHETIC; "+
		"roibot import reviews %s adds the rest)…\n", demoReviewRows, path)
	return a.importFeedback(ctx, ingest.FormatReviews, path, demoReviewRows, importOptions{})
}
