package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/knowledge"
)

// FormatReviews is the import kind of the Women's E-Commerce Clothing
// Reviews CSV (data/womens-clothing-reviews).
const FormatReviews = "reviews"

// SourceReviews is the feedback Source of imported reviews.
const SourceReviews = "womens-clothing-reviews"

// Synthetic review dates: the dataset has none, so each review gets a
// date spread deterministically over ReviewDatesFrom .. ReviewDatesFrom +
// ReviewDateDays − 1 (the Online Retail period, so date filters in the
// demo meet data): day (row × 7919) mod ReviewDateDays, at noon UTC.
// They are synthetic and say nothing about when a review was written.
var (
	ReviewDatesFrom = time.Date(2010, 12, 1, 12, 0, 0, 0, time.UTC)
	ReviewDateDays  = 374
)

// ReviewDate returns the synthetic date of the review with 0-based row
// index row (see ReviewDatesFrom).
func ReviewDate(row int) time.Time {
	return ReviewDatesFrom.AddDate(0, 0, (row*7919)%ReviewDateDays)
}

// FeedbackSink stores batches of enriched feedback, skipping items whose
// (Source, SourceRef) is already stored; it returns how many were new.
type FeedbackSink interface {
	StoreFeedback(ctx context.Context, items []knowledge.Feedback) (int, error)
}

var reviewsHeader = []string{"", "Clothing ID", "Age", "Title", "Review Text", "Rating",
	"Recommended IND", "Positive Feedback Count", "Division Name", "Department Name", "Class Name"}

// ImportReviews streams the Women's E-Commerce Clothing Reviews CSV
// (Kaggle, nicapotato 2018; see data/womens-clothing-reviews/PROVENANCE.md)
// into sink as feedback. Each row becomes one Feedback: Text is the title
// and the review text joined ("Title. Text"), Rating the star rating,
// Category the Department Name (Tops, Dresses, …), Product the Class Name
// (Blouses, Knits, …), Source SourceReviews, SourceRef the row index (the
// CSV's first column), CreatedAt the synthetic ReviewDate. Rows are
// enriched with knowledge.Enrich (PII redaction, VADER sentiment,
// themes) and validated. A row is rejected, with its line number, when
// its review text is empty, its rating is not 1..5, its row index is not
// a whole number, a field is not valid UTF-8 or holds a NUL byte, or it
// has the wrong number of fields. MaxRows > 0 stops
// after that many data rows (a deterministic prefix, for the demo).
func ImportReviews(ctx context.Context, r io.Reader, sink FeedbackSink, opt Options) (*Result, error) {
	opt.defaults()
	if opt.BatchSize > 2000 {
		opt.BatchSize = 2000
	}
	rep := &Result{File: opt.File, Format: FormatReviews}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("reviews: read header: %w", err)
	}
	if err := checkHeader(header, reviewsHeader); err != nil {
		return rep, fmt.Errorf("reviews: line 1: %w", err)
	}
	defer rep.sortRejects()
	batch := make([]knowledge.Feedback, 0, opt.BatchSize)
	lines := make([]int, 0, opt.BatchSize) // the CSV line of each batch item
	flush := func() error {
		defer func() { batch, lines = batch[:0], lines[:0] }()
		// A row the sink refuses (an *analytics.InputError naming its
		// index, e.g. a bad vector from the embedding endpoint) is rejected
		// alone and the rest of the batch stored again.
		for len(batch) > 0 {
			n, err := sink.StoreFeedback(ctx, batch)
			var ie *analytics.InputError
			if err != nil && errors.As(err, &ie) && ie.Row >= 0 && ie.Row < len(batch) {
				reason := "refused by the store"
				if ie.Err != nil {
					reason = ie.Err.Error()
				}
				rep.reject(lines[ie.Row], ie.Field, reason)
				batch = append(batch[:ie.Row], batch[ie.Row+1:]...)
				lines = append(lines[:ie.Row], lines[ie.Row+1:]...)
				continue
			}
			if err != nil {
				return fmt.Errorf("reviews: store batch ending at row %d: %w", rep.Read, err)
			}
			rep.Stored += n
			rep.Skipped += len(batch) - n
			break
		}
		return nil
	}
	err = eachRow(cr, rep, opt, flush, func(rec []string, line int) error {
		f, field, reason := parseReviewRow(rec)
		if reason != "" {
			rep.reject(line, field, reason)
			return nil
		}
		batch = append(batch, f)
		lines = append(lines, line)
		if len(batch) >= opt.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("reviews: %w", err)
	}
	if err := flush(); err != nil {
		return rep, err
	}
	return rep, nil
}

// parseReviewRow returns the enriched feedback of one row, or the field
// and reason it is rejected for.
func parseReviewRow(rec []string) (knowledge.Feedback, string, string) {
	if len(rec) != len(reviewsHeader) {
		return knowledge.Feedback{}, "row", fmt.Sprintf("%d fields, want %d", len(rec), len(reviewsHeader))
	}
	if field, reason := checkText(rec, reviewsHeader); reason != "" {
		return knowledge.Feedback{}, field, reason
	}
	row, err := strconv.Atoi(strings.TrimSpace(rec[0]))
	if err != nil || row < 0 {
		return knowledge.Feedback{}, "row index", fmt.Sprintf("%q is not a whole number", rec[0])
	}
	text := strings.TrimSpace(rec[4])
	if text == "" {
		return knowledge.Feedback{}, "Review Text", "empty review text"
	}
	rating, err := strconv.Atoi(strings.TrimSpace(rec[5]))
	if err != nil || rating < 1 || rating > 5 {
		return knowledge.Feedback{}, "Rating", fmt.Sprintf("%q is not a whole number 1..5", rec[5])
	}
	if title := strings.TrimSpace(rec[3]); title != "" {
		sep := ". "
		if strings.ContainsAny(title[len(title)-1:], ".!?") {
			sep = " "
		}
		text = title + sep + text
	}
	f := knowledge.Enrich(knowledge.Feedback{
		Text:      text,
		Rating:    rating,
		Category:  strings.TrimSpace(rec[9]),
		Product:   strings.TrimSpace(rec[10]),
		Source:    SourceReviews,
		SourceRef: strconv.Itoa(row),
		CreatedAt: ReviewDate(row),
	})
	if err := f.Validate(); err != nil {
		var field = "Review Text"
		return knowledge.Feedback{}, field, err.Error()
	}
	return f, "", ""
}
