package planner_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/roibot/roibot/planner"
	"github.com/roibot/roibot/tools"
)

// evalVocabulary is the data's vocabulary as cmd hands it to the planner
// for the demo: the 38 countries of Online Retail, the review categories
// (departments and classes), the channels and campaigns of the marketing
// layer.
var evalVocabulary = planner.Vocabulary{
	Countries: []string{"United Kingdom", "France", "Germany", "Netherlands", "EIRE", "Spain", "Belgium", "Switzerland",
		"Portugal", "Australia", "Norway", "Italy", "Channel Islands", "Finland", "Cyprus", "Sweden", "Austria", "Denmark",
		"Japan", "Poland", "Israel", "USA", "Hong Kong", "Singapore", "Iceland", "Canada", "Greece", "Malta",
		"United Arab Emirates", "European Community", "RSA", "Lebanon", "Lithuania", "Brazil", "Czech Republic", "Bahrain",
		"Saudi Arabia", "Unspecified"},
	Categories: []string{"Tops", "Dresses", "Bottoms", "Intimate", "Jackets", "Trend", "Blouses", "Knits", "Sweaters",
		"Pants", "Jeans", "Skirts", "Outerwear", "Shorts", "Lounge", "Swim", "Sleep", "Legwear", "Layering"},
	Channels: []string{"email", "paid_search", "paid_social", "display", "affiliate", "organic_search", "direct"},
	Campaigns: func() []string {
		var out []string
		for _, q := range []string{"Q4 2010", "Q1 2011", "Q2 2011", "Q3 2011", "Q4 2011"} {
			for _, th := range []string{"Newsletter", "Win-back", "New Arrivals", "Brand Search", "Generic Gifts Search",
				"Social Prospecting", "Social Retargeting", "Display Awareness", "Affiliate Partners"} {
				out = append(out, th+" "+q)
			}
		}
		return out
	}(),
}

// roleTools returns the real tool definitions offered to each role.
func roleTools() map[string][]llms.Tool {
	out := map[string][]llms.Tool{}
	for _, e := range tools.Catalog(tools.Config{}) {
		def := llms.Tool{Type: "function", Function: &llms.FunctionDefinition{
			Name: e.Tool.Name(), Description: e.Tool.Description(), Parameters: e.Tool.Parameters()}}
		for _, r := range e.Roles {
			out[r] = append(out[r], def)
		}
	}
	return out
}

// checkedArgs are the arguments a plan must not add when the question
// does not ask for them: each is a constraint on the answer.
var checkedArgs = []string{"period", "from", "to", "country", "channel", "campaign", "segment", "customer_id", "category",
	"attribution", "model", "models", "k", "method", "limit", "horizon_days", "lookback_days", "window_days", "basis",
	"sentiment", "clv_tier", "cluster", "min_support", "min_confidence", "min_lift"}

// scoreQuestion plans q and returns "" when the plan calls a tool of the
// expected intent with the expected key arguments (and no unasked
// constraint), else what differs.
func scoreQuestion(p *planner.Planner, byRole map[string][]llms.Tool, q planner.CorpusQuestion) string {
	plan := p.Plan(q.Q, byRole[q.Role])
	want := planner.IntentTools(q.Intent)
	if q.Role == tools.RoleCustomer && q.Intent != planner.IntentFeedbackCollect {
		want = nil // a customer's business question is refused in text
	}
	if len(want) == 0 {
		if plan.Tool != "" {
			return fmt.Sprintf("tool %s; want a text reply", plan.Tool)
		}
		return ""
	}
	if !slices.Contains(want, plan.Tool) {
		return fmt.Sprintf("tool %q; want %v (text %.80q)", plan.Tool, want, plan.Text)
	}
	var diffs []string
	for k, v := range q.Args {
		if norm(plan.Args[k]) != norm(v) {
			diffs = append(diffs, fmt.Sprintf("%s=%v want %v", k, norm(plan.Args[k]), norm(v)))
		}
	}
	for _, k := range checkedArgs {
		if _, asked := q.Args[k]; asked {
			continue
		}
		if v, ok := plan.Args[k]; ok {
			diffs = append(diffs, fmt.Sprintf("unasked %s=%v", k, norm(v)))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// norm renders an argument value for comparison: numbers and ids as
// their text, lists sorted.
func norm(v any) string {
	switch x := v.(type) {
	case nil:
		return "<none>"
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, norm(e))
		}
		sort.Strings(s)
		return "[" + strings.Join(s, ",") + "]"
	case []string:
		s := slices.Clone(x)
		sort.Strings(s)
		return "[" + strings.Join(s, ",") + "]"
	case float64:
		return fmt.Sprint(x)
	case int:
		return fmt.Sprint(x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// TestCorpus_Split checks the corpus: at least 600 questions, both
// languages, every intent in both splits, and a test split of at least
// 200 questions (30% when the split was fixed).
func TestCorpus_Split(t *testing.T) {
	qs, err := planner.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	intents := map[string]map[string]bool{}
	seen := map[string]bool{}
	for _, q := range qs {
		n[q.Split]++
		n[q.Lang]++
		if intents[q.Intent] == nil {
			intents[q.Intent] = map[string]bool{}
		}
		intents[q.Intent][q.Split] = true
		if seen[q.Q] {
			t.Errorf("question %s %q appears twice", q.ID, q.Q)
		}
		seen[q.Q] = true
	}
	if len(qs) < 600 || n["zh"] < 200 || n["en"] < 300 {
		t.Errorf("corpus has %d questions (%d en, %d zh); want at least 600, 300 en, 200 zh", len(qs), n["en"], n["zh"])
	}
	// The split was 70/30 when fixed; questions added later for tuning go
	// to the build split only, so the test share may fall below 0.30.
	if f := float64(n["test"]) / float64(len(qs)); n["test"] < 200 || f < 0.2 || f > 0.35 {
		t.Errorf("test split = %d questions, %.2f of the corpus; want at least 200 and 0.20 to 0.35", n["test"], f)
	}
	for in, splits := range intents {
		if !splits["build"] || !splits["test"] {
			t.Errorf("intent %s has splits %v; want build and test", in, splits)
		}
	}
}

// TestEval_HeldOut trains the classifier on the build split only and
// scores the untouched test split: the right tool with the key arguments
// (and no constraint the question did not ask for). Run with -v for the
// figures the README quotes:
//
//	go test ./planner -run TestEval_HeldOut -v
func TestEval_HeldOut(t *testing.T) {
	qs, err := planner.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	clf := planner.TrainOn(qs, "build")
	trainTime := time.Since(t0)
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: evalVocabulary, Classifier: clf})
	byRole := roleTools()
	type tally struct{ ok, n int }
	res := map[string]*tally{"all": {}, "en": {}, "zh": {}, "intent": {}}
	for _, q := range qs {
		if q.Split != "test" {
			continue
		}
		diff := scoreQuestion(p, byRole, q)
		for _, k := range []string{"all", q.Lang} {
			res[k].n++
			if diff == "" {
				res[k].ok++
			}
		}
		res["intent"].n++
		if diff == "" || !strings.HasPrefix(diff, "tool ") {
			res["intent"].ok++
		}
		if diff != "" {
			t.Logf("miss %s [%s] %q: %s", q.ID, q.Intent, q.Q, diff)
		}
	}
	pct := func(k string) float64 { return 100 * float64(res[k].ok) / float64(max(res[k].n, 1)) }
	t.Logf("held-out test split: intent+key arguments %.1f%% overall (%d/%d), English %.1f%% (%d/%d), Chinese %.1f%% (%d/%d); intent alone %.1f%%; trained in %v",
		pct("all"), res["all"].ok, res["all"].n, pct("en"), res["en"].ok, res["en"].n, pct("zh"), res["zh"].ok, res["zh"].n, pct("intent"), trainTime.Round(time.Millisecond))
	if pct("all") < 90 || pct("zh") < 85 {
		t.Errorf("held-out accuracy %.1f%% overall, %.1f%% Chinese; want at least 90%% and 85%%", pct("all"), pct("zh"))
	}
}
