package planner_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/roibot/roibot/planner"
	"github.com/tmc/langchaingo/llms"
)

// planCase is a question and the call the Planner must make for it.
type planCase struct {
	q, tool string
	args    map[string]any // exact arguments, as JSON decodes them
}

func checkPlans(t *testing.T, p *planner.Planner, tests []planCase) {
	t.Helper()
	all := allAnalystTools()
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := p.Plan(tt.q, all)
			if got.Tool != tt.tool {
				t.Fatalf("Plan(%q).Tool = %q; want %q (text %q)", tt.q, got.Tool, tt.tool, got.Text)
			}
			b, _ := json.Marshal(got.Args)
			var norm map[string]any
			json.Unmarshal(b, &norm)
			if !reflect.DeepEqual(norm, tt.args) {
				t.Errorf("Plan(%q).Args = %s; want %v", tt.q, b, tt.args)
			}
		})
	}
}

// TestPlanner_Periods checks periods that were dropped or misread: halves,
// month ranges, numeric months, single days, a month or quarter without a
// year (the latest one started by the as-of date 2011-12-09) and
// "yesterday".
func TestPlanner_Periods(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	checkPlans(t, p, []planCase{
		{"Revenue in H1 2011", "revenue_summary", map[string]any{"from": "2011-01-01", "to": "2011-06-30"}},
		{"Revenue in the first half of 2011", "revenue_summary", map[string]any{"from": "2011-01-01", "to": "2011-06-30"}},
		{"ROAS by channel in H2 2011", "compute_roi", map[string]any{"group_by": "channel", "from": "2011-07-01", "to": "2011-12-31"}},
		{"Revenue between January 2011 and March 2011", "revenue_summary", map[string]any{"from": "2011-01-01", "to": "2011-03-31"}},
		{"Revenue from March to May 2011 in Germany", "revenue_summary",
			map[string]any{"from": "2011-03-01", "to": "2011-05-31", "country": "Germany"}},
		// compare_attribution takes a period only: the range goes as one.
		{"Markov attribution for email from March to May 2011", "compare_attribution",
			map[string]any{"model": "markov", "channel": "email", "period": "2011-03-01..2011-05-31"}},
		{"Revenue in 2011-12", "revenue_summary", map[string]any{"period": "2011-12"}},
		{"Revenue in 12/2011", "revenue_summary", map[string]any{"period": "2011-12"}},
		{"Revenue on 2011-12-05", "revenue_summary", map[string]any{"from": "2011-12-05", "to": "2011-12-05"}},
		{"Funnel drop-off for email on 2011-12-05", "funnel_analysis", map[string]any{"channel": "email", "period": "2011-12-05..2011-12-05"}},
		{"Revenue in December", "revenue_summary", map[string]any{"period": "2011-12"}},
		{"Revenue in May", "revenue_summary", map[string]any{"period": "2011-05"}},
		{"Revenue in Q4", "revenue_summary", map[string]any{"period": "2011-Q4"}},
		{"How many orders yesterday?", "revenue_summary", map[string]any{"from": "2011-12-08", "to": "2011-12-08"}},
		{"Report on champions in Germany in December", "segment_report",
			map[string]any{"segment": "champions", "country": "Germany", "from": "2011-12-01", "to": "2011-12-31"}},
	})
}

// TestPlanner_Filters checks filters that used to be dropped or inverted:
// the Planner either applies them as asked or says why it cannot.
func TestPlanner_Filters(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	checkPlans(t, p, []planCase{
		{"Revenue of Germany's stores in 2011", "revenue_summary", map[string]any{"country": "Germany", "period": "2011"}},
		{"RFM champions in France's market", "rfm_segments", map[string]any{"segment": "champions", "country": "France"}},
		// Several channels: the breakdown by channel shows each, unfiltered.
		{"ROAS of email vs paid search in 2011", "compute_roi", map[string]any{"group_by": "channel", "period": "2011"}},
		// A known place after "in" and period words are not unknown places.
		{"Revenue in December in the Netherlands", "revenue_summary", map[string]any{"period": "2011-12", "country": "Netherlands"}},
	})
	all := allAnalystTools()
	for _, tt := range []struct {
		q    string
		want []string // in the reply
	}{
		{"Revenue excluding the UK", []string{"can't exclude a country", "United Kingdom", "take the difference"}},
		{"Revenue in 2011 except for Germany", []string{"can't exclude a country", "Germany"}},
		{"Non-UK revenue in 2011", []string{"can't exclude a country"}},
		{"List champions excluding Germany", []string{"can't exclude a country", "one at a time"}},
		{"ROI of print ads", []string{"print ads is not a channel in the data"}},
		{"ROI of everything except display", []string{"can't exclude a channel", "display", "ROI by channel"}},
		{"ROAS without email in 2011", []string{"can't exclude a channel", "email"}},
		{"Revenue in Atlantis", []string{"Atlantis is not a country in the data", "United Kingdom", "France"}},
		{"Predicted lifetime value of customers in New Zealand", []string{"New Zealand is not a country in the data"}},
		{"ROI of tv", []string{"tv is not a channel in the data", "email", "paid_search", "affiliate"}},
		{"Funnel drop-off for the radio channel", []string{"radio is not a channel in the data"}},
	} {
		t.Run(tt.q, func(t *testing.T) {
			got := p.Plan(tt.q, all)
			if got.Tool != "" {
				t.Fatalf("Plan(%q) = call %s %v; want a text reply", tt.q, got.Tool, got.Args)
			}
			for _, s := range tt.want {
				if !strings.Contains(got.Text, s) {
					t.Errorf("Plan(%q).Text = %q; want it to contain %q", tt.q, got.Text, s)
				}
			}
		})
	}
}

// TestPlanner_FilterFollowUp checks that an exclusion in a follow-up is not
// read as the filter it excludes.
func TestPlanner_FilterFollowUp(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeHuman, "Total revenue in 2011"),
		llms.TextParts(llms.ChatMessageTypeAI, "an answer"),
		llms.TextParts(llms.ChatMessageTypeHuman, "and excluding the UK?"),
	}
	resp, err := p.GenerateContent(context.Background(), msgs, llms.WithTools(offered("revenue_summary")))
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if len(c.ToolCalls) != 0 || !strings.Contains(c.Content, "can't exclude a country") {
		t.Errorf("follow-up 'and excluding the UK?' = calls %+v, text %q; want no call and the exclusion reply", c.ToolCalls, c.Content)
	}
}

// TestPlanner_Channels checks that the channels of the Vocabulary replace
// the built-in ones.
func TestPlanner_Channels(t *testing.T) {
	voc := vocabulary
	voc.Channels = []string{"email", "tv", "affiliate"}
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: voc})
	checkPlans(t, p, []planCase{
		{"ROI of tv in 2011", "compute_roi", map[string]any{"group_by": "channel", "channel": "tv", "period": "2011"}},
		{"ROI of newsletters in 2011", "compute_roi", map[string]any{"group_by": "channel", "channel": "email", "period": "2011"}},
	})
	got := p.Plan("ROI of radio", allAnalystTools())
	if got.Tool != "" || !strings.Contains(got.Text, "The channels are email, tv, affiliate.") {
		t.Errorf("Plan(ROI of radio) = %+v; want a reply listing the Vocabulary's channels", got)
	}
}

// TestPlanner_CustomerIDs checks the customer ids read after "customer".
func TestPlanner_CustomerIDs(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	checkPlans(t, p, []planCase{
		{"Historical CLV of customer 99999999", "historical_clv", map[string]any{"customer_id": "99999999"}},
		{"Historical CLV of customer 123", "historical_clv", map[string]any{"customer_id": "123"}},
		{"Historical CLV of customer 1234567890", "historical_clv", map[string]any{"customer_id": "1234567890"}},
		{"Historical CLV of customer 17850.0", "historical_clv", map[string]any{"customer_id": "17850"}},
		{"Historical CLV of customer CDNOW-1", "historical_clv", map[string]any{"customer_id": "CDNOW-1"}},
		{"Is customer id 4711 likely to buy again?", "predict_clv", map[string]any{"customer_id": "4711"}},
		{"Historical CLV of customer 12347", "historical_clv", map[string]any{"customer_id": "12347"}},
	})
}

// TestPlanner_RelativePeriodNote checks that the composed answer says once
// that a relative period resolved against the data's last order date, and
// says nothing when the period was stated in full.
func TestPlanner_RelativePeriodNote(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	result := func(label, from, to string) llms.MessageContent {
		return llms.MessageContent{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{
			ToolCallID: "call_1", Name: "revenue_summary",
			Content: `{"revenue":1.5,"period":{"from":"` + from + `","to":"` + to + `","label":"` + label + `"},"currency":"GBP"}`,
		}}}
	}
	for _, tt := range []struct {
		q      string
		result llms.MessageContent
		want   string // the period line
	}{
		{"Revenue last quarter", result("2011-Q3", "2011-07-01", "2011-10-01"),
			"Period: 2011-Q3 (2011-07-01 to 2011-09-30; 'last quarter' relative to the data's last order date 2011-12-09)."},
		{"Revenue in December", result("2011-12", "2011-12-01", "2012-01-01"),
			"Period: 2011-12 (2011-12-01 to 2011-12-31; 'in december' relative to the data's last order date 2011-12-09)."},
		{"How many orders yesterday?", result("2011-12-08..2011-12-08", "2011-12-08", "2011-12-09"),
			"Period: 2011-12-08..2011-12-08 (2011-12-08 to 2011-12-08; 'yesterday' relative to the data's last order date 2011-12-09)."},
		{"Revenue in Q3 2011", result("2011-Q3", "2011-07-01", "2011-10-01"), "Period: 2011-Q3 (2011-07-01 to 2011-09-30)."},
		// The tool answered for another period: no note.
		{"Revenue last quarter", result("2011", "2011-01-01", "2012-01-01"), "Period: 2011 (2011-01-01 to 2011-12-31)."},
	} {
		msgs := []llms.MessageContent{
			llms.TextParts(llms.ChatMessageTypeHuman, tt.q),
			{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.ToolCall{ID: "call_1", Type: "function",
				FunctionCall: &llms.FunctionCall{Name: "revenue_summary", Arguments: "{}"}}}},
			tt.result,
		}
		resp, err := p.GenerateContent(context.Background(), msgs)
		if err != nil {
			t.Fatal(err)
		}
		got := resp.Choices[0].Content
		if !strings.Contains(got, tt.want+"\n") || strings.Count(got, "relative to the data's") > 1 {
			t.Errorf("answer to %q = %q; want the line %q once", tt.q, got, tt.want)
		}
	}
}
