package planner

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/roibot/roibot/tools"
)

// corpusJSONL is the labelled question corpus: one JSON object a line,
// see CorpusQuestion.
//
//go:embed corpus/questions.jsonl
var corpusJSONL []byte

// CorpusQuestion is one labelled question of corpus/questions.jsonl, in the
// format of the sample evaluation questions (../shared/eval).
type CorpusQuestion struct {
	ID string `json:"id"`
	// Lang is "en" or "zh" (Simplified Chinese).
	Lang string `json:"lang"`
	Role string `json:"role"`
	// Split is "build" (the 70% the classifier is trained and tuned on)
	// or "test" (the 30% kept untouched for the figures in the README).
	Split  string         `json:"split"`
	Q      string         `json:"q"`
	Intent string         `json:"intent"`
	Args   map[string]any `json:"args"`
}

// Corpus returns the labelled questions, in file order.
func Corpus() ([]CorpusQuestion, error) {
	var out []CorpusQuestion
	sc := bufio.NewScanner(bytes.NewReader(corpusJSONL))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var q CorpusQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		if _, ok := intentTools[q.Intent]; !ok {
			return nil, fmt.Errorf("corpus line %d: unknown intent %q", line, q.Intent)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

// Intents of the classifier. An intent that maps to tools is answered
// with the first of them that is offered; IntentHelp and IntentOther map
// to none and are answered in text.
const (
	IntentRevenue         = "revenue"
	IntentROI             = "roi"
	IntentAttribution     = "attribution"
	IntentRFM             = "rfm"
	IntentCLV             = "clv"
	IntentHistoricalCLV   = "clv_historical"
	IntentProfile         = "profile"
	IntentFunnel          = "funnel"
	IntentSegment         = "segment"
	IntentBasket          = "basket"
	IntentReport          = "report"
	IntentFeedbackSearch  = "feedback_search"
	IntentFeedbackSummary = "feedback_summary"
	IntentFeedbackCollect = "feedback_collect"
	IntentMMM             = "mmm"
	IntentChurn           = "churn"
	IntentResponse        = "response"
	IntentHelp            = "help"
	IntentOther           = "other"
)

// intentTools maps each intent to the tools that answer it, preferred
// first. Adding an intent is adding its questions to the corpus and a
// line here (and, for new arguments, a case in Planner.args); see doc.go.
var intentTools = map[string][]string{
	IntentRevenue:         {tools.NameRevenue},
	IntentROI:             {tools.NameROI},
	IntentAttribution:     {tools.NameAttribution},
	IntentRFM:             {tools.NameRFM},
	IntentCLV:             {tools.NamePredictCLV, tools.NameHistoricalCLV},
	IntentHistoricalCLV:   {tools.NameHistoricalCLV, tools.NamePredictCLV},
	IntentProfile:         {tools.NameCustomerProfile, tools.NamePredictCLV},
	IntentFunnel:          {tools.NameFunnel},
	IntentSegment:         {tools.NameSegment},
	IntentBasket:          {tools.NameRules},
	IntentReport:          {tools.NameReport},
	IntentFeedbackSearch:  {tools.NameSearchFeedback, tools.NameSummarizeFeedback},
	IntentFeedbackSummary: {tools.NameSummarizeFeedback, tools.NameSearchFeedback},
	IntentFeedbackCollect: {tools.NameRecordFeedback},
	IntentMMM:             {tools.NameMMM},
	IntentChurn:           {tools.NameChurnRisk},
	IntentResponse:        {tools.NameResponse},
	IntentHelp:            nil,
	IntentOther:           nil,
}

// IntentTools returns the tools that answer intent, preferred first.
func IntentTools(intent string) []string { return intentTools[intent] }

// TrainOn trains a classifier on the corpus questions whose split is in
// splits (all questions when splits is empty).
func TrainOn(qs []CorpusQuestion, splits ...string) *Classifier {
	var ex []Example
	for _, q := range qs {
		if len(splits) > 0 && !contains(splits, q.Split) {
			continue
		}
		ex = append(ex, Example{Text: classifierText(q.Q), Label: q.Intent})
	}
	return Train(ex, DefaultTrainConfig)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var (
	defaultOnce sync.Once
	defaultClf  *Classifier
	defaultErr  error
)

// defaultClassifier returns the classifier trained on the whole corpus
// (build and test splits), trained once per process.
func defaultClassifier() (*Classifier, error) {
	defaultOnce.Do(func() {
		qs, err := Corpus()
		if err != nil {
			defaultErr = err
			return
		}
		defaultClf = TrainOn(qs)
	})
	return defaultClf, defaultErr
}
