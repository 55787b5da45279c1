package planner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
	"github.com/roibot/roibot/agent/agenttest"
	"github.com/roibot/roibot/planner"
)

// roiResult is a compute_roi result for a period with one row per channel
// (ROI values as given).
func roiResult(period string, rois map[string]string) string {
	var rows [][]string
	for _, ch := range []string{"email", "paid_search", "display", "affiliate"} {
		if v, ok := rois[ch]; ok {
			rows = append(rows, []string{ch, "£1,000.00", "£2,000.00", v, "2.00", "£10.00", "100"})
		}
	}
	b, _ := json.Marshal(map[string]any{
		"definition": "ROI = (attributed revenue − spend) / spend",
		"period":     map[string]string{"from": "2011-07-01", "to": "2011-10-01", "label": period},
		"currency":   "GBP",
		"display": map[string]any{"tables": []map[string]any{{
			"title": "ROI by channel, " + period + " (last_touch)", "columns": []string{"channel", "spend", "revenue", "ROI", "ROAS", "CPA", "conversions"},
			"rows": rows,
		}}},
	})
	return string(b)
}

// askPlanner runs q (after history) through an agent.Service over the
// fake catalog answering with call, and returns the answer.
func askPlanner(t *testing.T, p *planner.Planner, call func(name, input string) (string, error), history []agent.Turn, q string) agent.Answer {
	t.Helper()
	tools, _ := agenttest.Catalog(call)
	svc, err := agent.New(agent.Config{Model: p, Tools: tools, Logger: quietLogger(), MaxResultChars: planner.MaxResultChars,
		AsOf: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := svc.Ask(context.Background(), agent.Question{Text: q, Role: agent.RoleAnalyst, History: history})
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	return ans
}

func callArgs(ans agent.Answer) []string {
	var out []string
	for _, c := range ans.ToolCalls {
		out = append(out, c.Name+" "+string(c.Arguments))
	}
	return out
}

func TestPlanner_Comparisons(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	for _, tc := range []struct {
		q     string
		calls []string
	}{
		{"Compare ROI for Q3 and Q4 2011", []string{`compute_roi {"group_by":"channel","period":"2011-Q3"}`, `compute_roi {"group_by":"channel","period":"2011-Q4"}`}},
		{"ROI by channel: last quarter vs this quarter", []string{`compute_roi {"group_by":"channel","period":"2011-Q3"}`, `compute_roi {"group_by":"channel","period":"2011-Q4"}`}},
		{"Revenue in Germany and France", []string{`revenue_summary {"country":"Germany"}`, `revenue_summary {"country":"France"}`}},
		{"Market basket rules for the UK and Germany", []string{`association_rules {"country":"United Kingdom"}`, `association_rules {"country":"Germany"}`}},
		{"Compare markov attribution for email and display", []string{`compare_attribution {"channel":"email","model":"markov"}`, `compare_attribution {"channel":"display","model":"markov"}`}},
		{"2011年第三季度和第四季度的收入对比", []string{`revenue_summary {"period":"2011-Q3"}`, `revenue_summary {"period":"2011-Q4"}`}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			ans := askPlanner(t, p, func(name, input string) (string, error) { return `{"ok":true}`, nil }, nil, tc.q)
			if got := callArgs(ans); strings.Join(got, "\n") != strings.Join(tc.calls, "\n") {
				t.Errorf("calls = %q; want %q", got, tc.calls)
			}
		})
	}
	t.Run("SideBySide", func(t *testing.T) {
		ans := askPlanner(t, p, func(name, input string) (string, error) {
			if strings.Contains(input, "2011-Q3") {
				return roiResult("2011-Q3", map[string]string{"email": "3.10", "display": "-0.40"}), nil
			}
			return roiResult("2011-Q4", map[string]string{"email": "4.20", "display": "0.10"}), nil
		}, nil, "Compare ROI for Q3 and Q4 2011")
		for _, want := range []string{"Side by side (ROI):", "- email — 2011-Q3: 3.10; 2011-Q4: 4.20", "- display — 2011-Q3: -0.40; 2011-Q4: 0.10", "**2011-Q3**", "**2011-Q4**"} {
			if !strings.Contains(ans.Text, want) {
				t.Errorf("answer lacks %q:\n%s", want, ans.Text)
			}
		}
	})
}

func TestPlanner_FollowUpKeepsPeriod(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	history := []agent.Turn{{Question: "ROI by channel in Q3 2011", Answer: "an answer"}}
	for _, tc := range []struct{ q, call string }{
		{"what about first touch?", `compute_roi {"attribution":"first_touch","group_by":"channel","period":"2011-Q3"}`},
		{"and for email?", `compute_roi {"channel":"email","group_by":"channel","period":"2011-Q3"}`},
		{"what about Q4?", `compute_roi {"group_by":"channel","period":"2011-Q4"}`},
		{"那首次触点呢？", `compute_roi {"attribution":"first_touch","group_by":"channel","period":"2011-Q3"}`},
	} {
		t.Run(tc.q, func(t *testing.T) {
			ans := askPlanner(t, p, func(name, input string) (string, error) { return `{"ok":true}`, nil }, history, tc.q)
			if got := callArgs(ans); len(got) != 1 || got[0] != tc.call {
				t.Errorf("calls = %q; want [%s]", got, tc.call)
			}
		})
	}
}

func TestPlanner_WorstAndBest(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	result := func(name, input string) (string, error) {
		return roiResult("2011", map[string]string{"email": "3.10", "paid_search": "1.20", "display": "-0.40", "affiliate": "0.90"}), nil
	}
	for _, tc := range []struct{ q, headline, first string }{
		{"Which channel had the worst ROI in 2011?", "Sorted from lowest to highest ROI (worst first), as asked.", "- display —"},
		{"lowest ROI channels 2011", "Sorted from lowest to highest ROI (worst first), as asked.", "- display —"},
		{"best ROI channel 2011", "Sorted from highest to lowest ROI (best first), as asked.", "- email —"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			ans := askPlanner(t, p, result, nil, tc.q)
			i := strings.Index(ans.Text, tc.headline)
			if i < 0 {
				t.Fatalf("answer lacks the headline %q:\n%s", tc.headline, ans.Text)
			}
			rest := ans.Text[i+len(tc.headline):]
			if !strings.HasPrefix(strings.TrimSpace(rest), tc.first) {
				t.Errorf("first row after the headline = %.40q; want %q", strings.TrimSpace(rest), tc.first)
			}
		})
	}
}

func TestPlanner_HonestyNotes(t *testing.T) {
	voc := vocabulary
	voc.Campaigns = []string{"Newsletter Q3 2011", "Newsletter Q4 2011", "Brand Search Q4 2011", "Display Awareness Q4 2011"}
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: voc})
	ok := func(name, input string) (string, error) {
		return `{"period":{"from":"2011-01-01","to":"2012-01-01","label":"2011"},"revenue":1}`, nil
	}
	for _, tc := range []struct {
		q     string
		calls []string
		want  []string
	}{
		{"Revenue in 2011 with a 14-day window", []string{`revenue_summary {"period":"2011"}`},
			[]string{"Not applied: the 14-day window (revenue_summary does not take it)."}},
		{"ROI by channel with a 14 day attribution window", []string{`compute_roi {"group_by":"channel","lookback_days":14}`}, nil},
		{"ROI of the Black Friday campaign", nil,
			[]string{`There is no campaign called "black friday" in the data`, "Brand Search Q4 2011"}},
		{"ROI of the newsletter campaign", nil,
			[]string{`"newsletter" matches several campaigns: Newsletter Q3 2011, Newsletter Q4 2011`}},
		{"ROI of the newsletter campaign in Q4 2011", []string{`compute_roi {"campaign":"Newsletter Q4 2011","group_by":"campaign","period":"2011-Q4"}`}, nil},
		{"Revenue in Germny in 2011", []string{`revenue_summary {"country":"Germany","period":"2011"}`},
			[]string{`Read "Germny" as Germany.`}},
		{"rfm champions in Frnace", []string{`rfm_segments {"country":"France","segment":"champions"}`},
			[]string{`Read "Frnace" as France.`}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			ans := askPlanner(t, p, ok, nil, tc.q)
			if got := callArgs(ans); strings.Join(got, "\n") != strings.Join(tc.calls, "\n") {
				t.Errorf("calls = %q; want %q", got, tc.calls)
			}
			for _, w := range tc.want {
				if !strings.Contains(ans.Text, w) {
					t.Errorf("answer lacks %q:\n%s", w, ans.Text)
				}
			}
		})
	}
}

func TestPlanner_ChineseAnswer(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	ans := askPlanner(t, p, func(name, input string) (string, error) {
		if name != "revenue_summary" || input != `{"country":"Germany","period":"2011-Q4"}` {
			return "", fmt.Errorf("unexpected call %s %s", name, input)
		}
		return `{"definition":"Revenue = Σ quantity × unit price","period":{"from":"2011-10-01","to":"2012-01-01","label":"2011-Q4"},"currency":"GBP",` +
			`"display":{"tables":[{"title":"Revenue 2011-Q4 in Germany","columns":["metric","value"],"rows":[["revenue","£12,345.00"],["orders","321"]]}]}}`, nil
	}, nil, "2011年第四季度德国的收入是多少？")
	for _, want := range []string{"**收入 2011-Q4 地区：Germany**", "- 收入 — 数值: £12,345.00", "- 订单数 — 数值: 321", "期间：2011-Q4（2011-10-01 至 2011-12-31）。", "货币：GBP。", "定义："} {
		if !strings.Contains(ans.Text, want) {
			t.Errorf("Chinese answer lacks %q:\n%s", want, ans.Text)
		}
	}
	nf := p.Plan("给我写一首关于咖啡的诗", allAnalystTools())
	if nf.Tool != "" || !strings.Contains(nf.Text, "我没有理解") || !strings.Contains(nf.Text, "2011年各渠道的ROAS") {
		t.Errorf("Plan(Chinese, out of scope) = %+v; want a Chinese reply with Chinese examples", nf)
	}
}

func TestPlanner_LargeResultIsNotJSON(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	rows := make([][]string, 300)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(12000 + i), fmt.Sprint(300 - i), "3", "£100.00", "5", "5", "5", "555", "champions"}
	}
	res, _ := json.Marshal(map[string]any{
		"as_of": "2011-12-09", "customers": rows, // a raw list beside the display table
		"display": map[string]any{"tables": []map[string]any{{"title": "Customers: champions",
			"columns": []string{"customer", "recency (days)", "frequency", "monetary", "R", "F", "M", "score", "segment"}, "rows": rows}}},
	})
	ans := askPlanner(t, p, func(name, input string) (string, error) { return string(res), nil }, nil, "List our champions")
	if strings.Contains(ans.Text, "{") || strings.Contains(ans.Text, `"`) || strings.Contains(ans.Text, "[") {
		t.Errorf("answer holds JSON:\n%.500s", ans.Text)
	}
	if !strings.Contains(ans.Text, "- … and 290 more rows (showing 10 of 300; the whole table is in the CSV file)") {
		t.Errorf("answer does not summarise the 300 rows:\n%.800s", ans.Text)
	}
	if n := strings.Count(ans.Text, "\n- "); n > 12 {
		t.Errorf("answer lists %d rows; want at most 10 and the summary line", n)
	}
	if len(ans.Tables) != 1 || len(ans.Tables[0].Rows) != 300 {
		t.Errorf("Answer.Tables = %d tables; want the whole 300-row table for the CSV", len(ans.Tables))
	}
}

func TestPlanner_UnusedWordsNamed(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	ok := func(name, input string) (string, error) {
		return `{"period":{"from":"2011-01-01","to":"2012-01-01","label":"2011"},"revenue":1}`, nil
	}
	ans := askPlanner(t, p, ok, nil, "Revenue from loyalty-card holders in Germany in 2011")
	if !strings.Contains(ans.Text, `Not understood and not used: "loyalty", "card", "holders".`) {
		t.Errorf("answer does not name the words it did not use:\n%s", ans.Text)
	}
	ans = askPlanner(t, p, ok, nil, "Total revnue in Germny in 2011")
	if strings.Contains(ans.Text, "Not understood") {
		t.Errorf("misspellings that were read are named as not understood:\n%s", ans.Text)
	}
}

func TestPlanner_CompareMonths(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	got := p.Plan("how did sales do in november compared to october", allAnalystTools())
	if got.Tool != "revenue_summary" || got.Args["period"] != "2011-11" || len(got.More) != 1 || got.More[0]["period"] != "2011-10" {
		t.Errorf("Plan(november vs october) = %s %v %v; want revenue_summary for 2011-11 and 2011-10", got.Tool, got.Args, got.More)
	}
}

func TestPlanner_SetVocabulary(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: planner.Vocabulary{Countries: []string{"France"}}})
	if got := p.Plan("Revenue in Iceland in 2011", allAnalystTools()); got.Tool != "" || !strings.Contains(got.Text, "Iceland is not a country in the data") {
		t.Fatalf("before the import: %+v; want Iceland refused", got)
	}
	p.SetVocabulary(planner.Vocabulary{Countries: []string{"France", "Iceland"}})
	if got := p.Plan("Revenue in Iceland in 2011", allAnalystTools()); got.Tool != "revenue_summary" || got.Args["country"] != "Iceland" {
		t.Errorf("after SetVocabulary: %s %v (%q); want revenue_summary for Iceland", got.Tool, got.Args, got.Text)
	}
}

func TestPlanner_CustomerChinese(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	got := p.Plan("你们去年的收入是多少", offered("record_feedback"))
	if got.Tool != "" || !strings.Contains(got.Text, "不能提供业务数据") {
		t.Errorf("Plan(Chinese business question, customer) = %+v; want a refusal in Chinese", got)
	}
	msg := "我买的裙子太小了，质量也不好"
	if got := p.Plan(msg, offered("record_feedback")); got.Tool != "record_feedback" || got.Args["message"] != msg {
		t.Errorf("Plan(Chinese complaint, customer) = %+v; want record_feedback with the message", got)
	}
}

// Real ROI tables hold cells that are not numbers (channels without spend)
// and losses; a "worst" question still sorts the ranked rows ascending,
// names the lowest, puts the unranked rows last, and drops the tool's
// "Best …" sentence.
func TestPlanner_WorstWithUnrankedRows(t *testing.T) {
	p := planner.New(planner.Config{AsOf: asOf, Vocabulary: vocabulary})
	result := func(name, input string) (string, error) {
		b, _ := json.Marshal(map[string]any{
			"summary":  "Best ROAS by channel in 2011-Q4 (last_touch): email, ROAS 7.85 (ROI 685.0%). Total: spend £1,000.00, revenue £2,000.00, ROAS 2.00, ROI 100.0%.",
			"period":   map[string]string{"from": "2011-10-01", "to": "2012-01-01", "label": "2011-Q4"},
			"currency": "GBP",
			"display": map[string]any{"tables": []map[string]any{{
				"title": "ROI by channel, 2011-Q4 (last_touch)", "columns": []string{"channel", "spend", "revenue", "ROI", "ROAS"},
				"rows": [][]string{
					{"affiliate", "£100.00", "£250.00", "150.0%", "2.50"},
					{"direct", "£0.00", "£900.00", "n/a (no spend)", "n/a (no spend)"},
					{"display", "£300.00", "£289.00", "-3.7% (loss)", "0.96"},
					{"email", "£100.00", "£785.00", "685.0%", "7.85"},
				},
			}}},
		})
		return string(b), nil
	}
	ans := askPlanner(t, p, result, nil, "Which channel had the worst ROI in Q4 2011?")
	if strings.Contains(ans.Text, "Best ROAS") {
		t.Errorf("a worst question leads with the best channel:\n%s", ans.Text)
	}
	if !strings.Contains(ans.Text, "Lowest ROI: display (-3.7% (loss)).") {
		t.Errorf("answer does not name the lowest ROI:\n%s", ans.Text)
	}
	order := []string{"- display —", "- affiliate —", "- email —", "- direct —"}
	last := -1
	for _, o := range order {
		i := strings.Index(ans.Text, o)
		if i < last {
			t.Fatalf("rows not in order %v:\n%s", order, ans.Text)
		}
		last = i
	}
}
