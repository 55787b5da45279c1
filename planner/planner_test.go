package planner_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
	"github.com/roibot/roibot/planner"
	"github.com/tmc/langchaingo/llms"
)

var asOf = time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)

// vocabulary holds the eval's countries and categories plus a few others
// that must not be confused with them.
var vocabulary = planner.Vocabulary{
	Countries:  []string{"United Kingdom", "France", "Germany", "Netherlands", "EIRE", "Spain", "USA", "Channel Islands"},
	Campaigns:  []string{"Christmas Gifts 2011", "Summer Sale", "Spring Newsletter"},
	Categories: []string{"Tops", "Dresses", "Bottoms", "Intimate", "Jackets", "Trend", "Blouses", "Knits"},
}

// intentTools maps the eval's intents to the tools that may answer them.
var intentTools = map[string][]string{
	"roi":              {"compute_roi"},
	"attribution":      {"compare_attribution"},
	"rfm":              {"rfm_segments"},
	"clv":              {"predict_clv", "historical_clv"},
	"funnel":           {"funnel_analysis"},
	"segment":          {"segment_customers"},
	"basket":           {"association_rules"},
	"feedback_search":  {"search_feedback", "summarize_feedback"},
	"feedback_collect": {"record_feedback"},
	"report":           {"segment_report"},
	"revenue":          {"revenue_summary"},
}

type evalQuestion struct {
	ID     string         `json:"id"`
	Role   string         `json:"role"`
	Q      string         `json:"q"`
	Intent string         `json:"intent"`
	Args   map[string]any `json:"args"`
}

func readEval(t *testing.T, path string) []evalQuestion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var qs []evalQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestPlanner_EvalSample runs every sample question through a Service with
// the offline Planner and fake tools, and checks the tool chosen and its
// key arguments against the eval's labels.
func TestPlanner_EvalSample(t *testing.T) {
	qs := readEval(t, "../testdata/eval/questions-sample.jsonl")
	if len(qs) != 15 {
		t.Fatalf("len(sample) = %d; want 15", len(qs))
	}
	tools, _ := agenttest.Catalog(func(name, _ string) (string, error) {
		return `{"definition":"fake","period":{"from":"2011-01-01","to":"2012-01-01","label":"2011"},"currency":"GBP","caveats":["fake data"],` +
			`"display":{"tables":[{"title":"T","columns":["name","value"],"rows":[["a","1.50"]]}]}}`, nil
	})
	svc, err := agent.New(agent.Config{
		Model:  planner.New(planner.Config{Vocabulary: vocabulary}),
		Tools:  tools,
		AsOf:   func() time.Time { return asOf },
		Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		t.Run(q.ID, func(t *testing.T) {
			ans, err := svc.Ask(context.Background(), agent.Question{Text: q.Q, Role: agent.Role(q.Role)})
			if err != nil {
				t.Fatalf("Ask(%q) error: %v", q.Q, err)
			}
			t.Logf("answer: %s", ans.Text)
			switch q.Intent {
			case "refuse":
				if len(ans.ToolCalls) != 0 {
					t.Errorf("Ask(%q) called %s; want no tool call", q.Q, ans.ToolCalls[0].Name)
				}
				if !strings.Contains(strings.ToLower(ans.Text), "sorry") || !strings.Contains(ans.Text, "feedback") {
					t.Errorf("Ask(%q).Text = %q; want a polite refusal offering feedback", q.Q, ans.Text)
				}
				return
			case "unsupported":
				if len(ans.ToolCalls) != 0 {
					t.Errorf("Ask(%q) called %s; want no tool call", q.Q, ans.ToolCalls[0].Name)
				}
				if !strings.Contains(ans.Text, "I can help with") {
					t.Errorf("Ask(%q).Text = %q; want a list of capabilities", q.Q, ans.Text)
				}
				return
			}
			if len(ans.ToolCalls) != 1 {
				t.Fatalf("Ask(%q) made %d tool calls; want 1 (answer %q)", q.Q, len(ans.ToolCalls), ans.Text)
			}
			call := ans.ToolCalls[0]
			if want := intentTools[q.Intent]; !slices.Contains(want, call.Name) {
				t.Errorf("Ask(%q) tool = %s; want one of %v", q.Q, call.Name, want)
			}
			var got map[string]any
			if err := json.Unmarshal(call.Arguments, &got); err != nil {
				t.Fatalf("arguments %s: %v", call.Arguments, err)
			}
			for k, want := range q.Args {
				if fmt.Sprint(got[k]) != fmt.Sprint(want) {
					t.Errorf("Ask(%q) %s = %v; want %v (arguments %s)", q.Q, k, got[k], want, call.Arguments)
				}
			}
			if call.Error != "" {
				t.Errorf("Ask(%q) tool error %q", q.Q, call.Error)
			}
			if q.Intent != "feedback_collect" {
				if !strings.Contains(ans.Text, "a — value: 1.50") || !strings.Contains(ans.Text, "Currency: GBP") {
					t.Errorf("Ask(%q).Text = %q; want the table row and currency", q.Q, ans.Text)
				}
				if len(ans.Tables) != 1 || ans.Tables[0].Rows[0][1] != "1.50" {
					t.Errorf("Ask(%q).Tables = %+v; want the result's table", q.Q, ans.Tables)
				}
			}
		})
	}
}

// offered returns llms tools with the given names and argument names.
func offered(names ...string) []llms.Tool {
	var out []llms.Tool
	for _, spec := range agenttest.Specs {
		if !slices.Contains(names, spec.Name) {
			continue
		}
		out = append(out, llms.Tool{Type: "function", Function: &llms.FunctionDefinition{
			Name: spec.Name, Parameters: agenttest.Schema(spec.Args...),
		}})
	}
	return out
}

func allAnalystTools() []llms.Tool {
	var names []string
	for _, spec := range agenttest.Specs {
		if spec.Name != "record_feedback" {
			names = append(names, spec.Name)
		}
	}
	return offered(names...)
}

func TestPlanner_Plan(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	all := allAnalystTools()
	tests := []struct {
		q    string
		tool string
		args map[string]any // exact arguments
	}{
		{"Revenue last quarter", "revenue_summary", map[string]any{"period": "2011-Q3"}},
		{"Sales this year in the UK", "revenue_summary", map[string]any{"period": "2011", "country": "United Kingdom"}},
		{"How many orders last month?", "revenue_summary", map[string]any{"period": "2011-11"}},
		{"Revenue in Q3 2011 for Ireland", "revenue_summary", map[string]any{"period": "2011-Q3", "country": "EIRE"}},
		{"Revenue since June 2011", "revenue_summary", map[string]any{"from": "2011-06-01"}},
		{"Revenue in the last 30 days", "revenue_summary", map[string]any{"from": "2011-11-10", "to": "2011-12-09"}},
		{"ROAS by campaign last quarter", "compute_roi", map[string]any{"group_by": "campaign", "period": "2011-Q3"}},
		{"What is the CPA of paid social in 2011?", "compute_roi", map[string]any{"group_by": "channel", "channel": "paid_social", "period": "2011"}},
		{"ROI of SEO under linear attribution in Q4 2011", "compute_roi",
			map[string]any{"group_by": "channel", "channel": "organic_search", "attribution": "linear", "period": "2011-Q4"}},
		{"Compare time decay and position-based attribution for display", "compare_attribution",
			map[string]any{"channel": "display", "models": []any{"time_decay", "position_based"}}},
		{"Display ROAS by channel in 2011", "compute_roi", map[string]any{"group_by": "channel", "period": "2011"}},
		{"ROAS of display in 2011", "compute_roi", map[string]any{"group_by": "channel", "channel": "display", "period": "2011"}},
		{"Markov attribution for paid search", "compare_attribution", map[string]any{"model": "markov", "channel": "paid_search"}},
		{"Show the top 10 champions in Germany", "rfm_segments", map[string]any{"segment": "champions", "country": "Germany", "limit": float64(10)}},
		{"Which customers can't lose them?", "rfm_segments", map[string]any{"segment": "cant_lose_them"}},
		{"List hibernating customers", "rfm_segments", map[string]any{"segment": "hibernating"}},
		{"Potential loyalists in France", "rfm_segments", map[string]any{"segment": "potential_loyalists", "country": "France"}},
		{"Is customer 12347 likely to buy again in the next 3 months?", "predict_clv", map[string]any{"customer_id": "12347", "horizon_days": float64(90)}},
		{"Expected CLV of champions over the next year", "predict_clv", map[string]any{"segment": "champions", "horizon_days": float64(365)}},
		{"Historical CLV of customer 12347", "historical_clv", map[string]any{"customer_id": "12347"}},
		{"Where do we lose people in the email funnel in October 2011?", "funnel_analysis", map[string]any{"channel": "email", "period": "2011-10"}},
		{"Cluster customers in Spain into 4 segments", "segment_customers", map[string]any{"k": float64(4), "country": "Spain"}},
		{"Which products are bought together in France with min support 0.02?", "association_rules",
			map[string]any{"country": "France", "min_support": 0.02}},
		{"Summarize negative reviews of dresses", "summarize_feedback",
			map[string]any{"query": "dresses", "category": "Dresses", "sentiment": "negative"}},
		{"What do customers complain about in jackets?", "search_feedback",
			map[string]any{"query": "in jackets", "category": "Jackets", "sentiment": "negative"}},
		{"Report on champions in Germany in 2011", "segment_report",
			map[string]any{"segment": "champions", "country": "Germany", "from": "2011-01-01", "to": "2011-12-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := p.Plan(tt.q, all)
			if got.Tool != tt.tool {
				t.Fatalf("Plan(%q).Tool = %q; want %q (text %q)", tt.q, got.Tool, tt.tool, got.Text)
			}
			gotJSON, _ := json.Marshal(got.Args)
			var norm map[string]any
			json.Unmarshal(gotJSON, &norm)
			wantJSON, _ := json.Marshal(tt.args)
			var want map[string]any
			json.Unmarshal(wantJSON, &want)
			if fmt.Sprint(norm) != fmt.Sprint(want) {
				t.Errorf("Plan(%q).Args = %s; want %s", tt.q, gotJSON, wantJSON)
			}
		})
	}
}

func TestPlanner_Refusals(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	t.Run("NotOffered", func(t *testing.T) {
		got := p.Plan("Show ROAS by channel in 2011", offered("revenue_summary"))
		if got.Tool != "" || !strings.Contains(got.Text, "Total revenue in Q4 2011") || strings.Contains(got.Text, "ROAS for each channel") {
			t.Errorf("Plan(ROAS, revenue only) = %+v; want a refusal listing only revenue examples", got)
		}
	})
	t.Run("Unsupported", func(t *testing.T) {
		got := p.Plan("What's the weather in Paris tomorrow?", allAnalystTools())
		if got.Tool != "" || !strings.Contains(got.Text, "didn't understand") || !strings.Contains(got.Text, "Market basket rules for Germany") {
			t.Errorf("Plan(weather) = %+v; want not understood and examples", got)
		}
	})
	t.Run("CustomerFeedback", func(t *testing.T) {
		msg := "My order arrived late and the sales team never answered!"
		got := p.Plan(msg, offered("record_feedback"))
		if got.Tool != "record_feedback" || got.Args["message"] != msg {
			t.Errorf("Plan(complaint, customer) = %+v; want record_feedback with the message", got)
		}
	})
	t.Run("CustomerAnalytics", func(t *testing.T) {
		got := p.Plan("Which channel has the best ROAS?", offered("record_feedback"))
		if got.Tool != "" || !strings.Contains(got.Text, "Sorry") {
			t.Errorf("Plan(ROAS, customer) = %+v; want a refusal", got)
		}
	})
}

func TestPlanner_AsOfFromPrompt(t *testing.T) {
	p := planner.New(planner.Config{})
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, "You are roibot.\nData as of: 2011-12-09 (the last order date in the data).\n"),
		llms.TextParts(llms.ChatMessageTypeHuman, "Revenue last quarter"),
	}
	resp, err := p.GenerateContent(context.Background(), msgs, llms.WithTools(offered("revenue_summary")))
	if err != nil {
		t.Fatal(err)
	}
	tc := resp.Choices[0].ToolCalls
	if len(tc) != 1 || tc[0].ID != "call_1" || tc[0].Type != "function" ||
		tc[0].FunctionCall.Name != "revenue_summary" || tc[0].FunctionCall.Arguments != `{"period":"2011-Q3"}` {
		t.Errorf("GenerateContent(last quarter) tool calls = %+v; want call_1 revenue_summary {\"period\":\"2011-Q3\"}", tc)
	}
}

func TestPlanner_ComposeError(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf})
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeHuman, "Revenue in 1999"),
		{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.ToolCall{ID: "call_1", Type: "function",
			FunctionCall: &llms.FunctionCall{Name: "revenue_summary", Arguments: `{"period":"1999"}`}}}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "call_1", Name: "revenue_summary",
			Content: `{"error":"no orders in period 1999","hint":"The data covers 2010-12-01 to 2011-12-09."}`}}},
	}
	resp, err := p.GenerateContent(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := "I couldn't get that answer: no orders in period 1999. The data covers 2010-12-01 to 2011-12-09."
	if got := resp.Choices[0].Content; got != want {
		t.Errorf("compose(error) = %q; want %q", got, want)
	}
}

func TestPlanner_FollowUp(t *testing.T) {
	p := planner.New(planner.Config{AsOf: time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC),
		Vocabulary: planner.Vocabulary{Countries: []string{"Germany", "France", "United Kingdom"}}})
	offered := []llms.Tool{
		{Type: "function", Function: &llms.FunctionDefinition{Name: "revenue_summary", Parameters: map[string]any{"type": "object", "properties": map[string]any{
			"period": map[string]any{"type": "string"}, "country": map[string]any{"type": "string"}}}}},
		{Type: "function", Function: &llms.FunctionDefinition{Name: "compute_roi", Parameters: map[string]any{"type": "object", "properties": map[string]any{
			"period": map[string]any{"type": "string"}, "group_by": map[string]any{"type": "string"}, "channel": map[string]any{"type": "string"}}}}},
	}
	history := func(qs ...string) []llms.MessageContent {
		var m []llms.MessageContent
		for i, q := range qs {
			m = append(m, llms.TextParts(llms.ChatMessageTypeHuman, q))
			if i < len(qs)-1 {
				m = append(m, llms.TextParts(llms.ChatMessageTypeAI, "an answer"))
			}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		msgs []llms.MessageContent
		tool string
		args map[string]any
	}{
		{"Country", history("Total revenue in Q4 2011 in France", "and for Germany?"), "revenue_summary", map[string]any{"period": "2011-Q4", "country": "Germany"}},
		{"Period", history("What was the ROI by channel in Q4 2011?", "what about Q3 2011?"), "compute_roi", map[string]any{"period": "2011-Q3", "group_by": "channel"}},
		{"SkipsUnplannedTurns", history("Total revenue in 2011", "hello there", "and in Germany?"), "revenue_summary", map[string]any{"period": "2011", "country": "Germany"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := p.GenerateContent(context.Background(), tc.msgs, llms.WithTools(offered))
			if err != nil {
				t.Fatal(err)
			}
			calls := resp.Choices[0].ToolCalls
			if len(calls) != 1 || calls[0].FunctionCall.Name != tc.tool {
				t.Fatalf("tool calls = %+v; want one %s call", calls, tc.tool)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(calls[0].FunctionCall.Arguments), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.args) {
				t.Errorf("arguments = %v; want %v", got, tc.args)
			}
		})
	}
	t.Run("FreeTextIsNotCarried", func(t *testing.T) {
		withSearch := append(offered, llms.Tool{Type: "function", Function: &llms.FunctionDefinition{Name: "search_feedback",
			Parameters: map[string]any{"type": "object", "properties": map[string]any{"query": map[string]any{"type": "string"}, "category": map[string]any{"type": "string"}}}}})
		resp, _ := p.GenerateContent(context.Background(), history("What do customers say about sizing?", "and for Germany?"), llms.WithTools(withSearch))
		if calls := resp.Choices[0].ToolCalls; len(calls) != 0 {
			t.Errorf("follow-up after a feedback search = %+v; want no call (the follow-up's words are not a new query)", calls)
		}
	})
	t.Run("NothingToCarry", func(t *testing.T) {
		resp, _ := p.GenerateContent(context.Background(), history("Total revenue in 2011", "thanks!"), llms.WithTools(offered))
		if len(resp.Choices[0].ToolCalls) != 0 {
			t.Errorf("'thanks!' after a question = %+v; want no tool call", resp.Choices[0].ToolCalls)
		}
	})
}
