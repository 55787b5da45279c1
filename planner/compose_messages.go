package planner

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms"
	"golang.org/x/text/message"

	"github.com/roibot/roibot/tools"
)

// composeMessages holds the Simplified Chinese text of the composer's
// fixed words (headline labels, notes); the English text is the key.
var composeMessages = map[string]string{
	" (%s)": "（%s）",
	"The %s result is too large to lay out here; the whole table is in the CSV file.": "%s 的结果太大，无法在此展示；完整表格见 CSV 文件。",
	"I have no tool results to answer from.":                                          "没有可以用来回答的工具结果。",
	"The %s tool returned a result I cannot lay out.":                                 "工具 %s 返回的结果无法展示。",
	"I couldn't get that answer: %s.":                                                 "无法得到这个答案：%s。",
	"Thank you, your feedback has been recorded and will be passed on to the team.":   "谢谢，您的反馈已记录，会转给团队。",
	"- … and %d more rows (showing %d of %d; the whole table is in the CSV file)":     "- ……还有 %[1]d 行（显示 %[3]d 行中的 %[2]d 行；完整表格见 CSV 文件）",
	"Period: ": "期间：",
	"%s to %s": "%s 至 %s",
	"'%s' relative to the data's last order date %s": "“%s”以数据中最后一笔订单的日期 %s 为准",
	".":                    "。",
	"Currency: ":           "货币：",
	"Definition: ":         "定义：",
	"Caveats: ":            "注意：",
	"(Search mode: %s.)":   "（搜索模式：%s。）",
	"No feedback matched.": "没有匹配的反馈。",
	"Customer quotes":      "客户原话",
	"- … and %d more":      "- ……还有 %d 条",
	"Sorted from lowest to highest %s (worst first), as asked.": "按 %s 从低到高排列（最差的在前），如您所问。",
	"Sorted from highest to lowest %s (best first), as asked.":  "按 %s 从高到低排列（最好的在前），如您所问。",
	"Lowest %s: %s (%s).":                    "%[1]s 最低：%[2]s（%[3]s）。",
	"Highest %s: %s (%s).":                   "%[1]s 最高：%[2]s（%[3]s）。",
	"Read \"%s\" as %s.":                     "已将“%s”理解为 %s。",
	"Not applied: %s (%s does not take it).": "未应用：%s（%s 不支持该条件）。",
	"Side by side (%s):":                     "并列对比（%s）：",
	"the %d-day window":                      "%d 天窗口",
	"the filter %s = %s":                     "筛选条件 %s = %s",
	"Not understood and not used: %s.":       "没有理解、也没有使用：%s。",
}

// zhTableWords translate the words of table titles and column names; the
// names of metrics (ROI, ROAS, CLV, CPA, P(alive)) stay as they are.
var zhTableWords = map[string]string{
	"Revenue": "收入", "revenue": "收入", "returns": "退货", "net revenue": "净收入", "orders": "订单数",
	"customers": "客户数", "customer": "客户", "metric": "指标", "value": "数值", "channel": "渠道", "campaign": "活动",
	"spend": "花费", "conversions": "转化数", "segment": "分群", "share": "占比", "revenue share": "收入占比",
	"RFM segments as of": "RFM 分群，截至", "Customers per RFM segment": "各 RFM 分群客户数", "Customers: ": "客户：",
	"recency (days)": "最近购买（天）", "frequency": "频次", "monetary": "金额", "score": "得分",
	"ROI by": "ROI，按", "ROAS by": "ROAS，按", "Attribution by model": "各归因模型对比", "day window": "天窗口",
	"stage": "阶段", "sessions": "会话数", "step conversion": "步骤转化率", "cumulative": "累计", "lost": "流失",
	"expected purchases": "预期购买次数", "expected spend": "预期消费", "RFM segment": "RFM 分群",
	"Forecast by RFM segment": "按 RFM 分群预测", "Forecast by country": "按国家预测", "country": "国家",
	"mean P(alive)": "平均 P(alive)", "Historical CLV": "历史 CLV", "first month": "首月", "months": "月数",
	"measure": "指标", "invoice": "发票", "date": "日期", "amount": "金额", "Customer": "客户",
	"Last orders of customer": "客户最近订单", "Segment report": "分群报告", "Members of": "成员：",
	"Association rules": "关联规则", "if bought": "如果购买", "then also": "也会购买", "support": "支持度",
	"confidence": "置信度", "lift": "提升度", "baskets": "个购物篮", "min support": "最小支持度",
	"customer clusters": "个客户聚类", "cluster": "聚类", "name": "名称", "median spend": "消费中位数",
	"top countries": "主要国家", "top products": "主要商品", "Themes": "主题", "theme": "主题", "items": "条数",
	"negative": "负面", "neutral": "中性", "positive": "正面", "rating": "评分", "sentiment": "情感",
	"category": "品类", "themes": "主题", "Feedback matching": "匹配的反馈", "as of": "截至", " in ": " 地区：",
	"new customers": "新客户", "average order value": "平均订单金额", "return rate": "退货率", "product": "商品",
}

var zhTableKeys = func() []string {
	ks := slices.Collect(maps.Keys(zhTableWords))
	sort.Slice(ks, func(i, j int) bool {
		if len(ks[i]) != len(ks[j]) {
			return len(ks[i]) > len(ks[j])
		}
		return ks[i] < ks[j]
	})
	return ks
}()

// composer writes one answer in the question's language.
type composer struct {
	pr *message.Printer
	zh bool
	// ascending and descending are the order the question asked for
	// ("worst", "lowest" / "best", "top"); metric is the column it named.
	ascending, descending bool
	metric                string
	// notes are stated before the figures: constraints not applied,
	// names read from misspellings.
	notes []string
	// items label the results of a comparison, one per tool call.
	items []string
	// sortNote is said above the first table that was reordered.
	sortNote string
}

// t returns key in the answer's language.
func (c *composer) t(key string, args ...any) string { return c.pr.Sprintf(key, args...) }

// words translates the words of a table title or column for a Chinese
// answer; English answers keep them.
func (c *composer) words(s string) string {
	if !c.zh {
		return s
	}
	if v, ok := zhTableWords[s]; ok {
		return v
	}
	for _, k := range zhTableKeys {
		if len(k) > 3 && strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, zhTableWords[k])
		}
	}
	return s
}

var (
	ascendingRe  = regexp.MustCompile(`\b(worst|lowest|least|bottom|weakest|poorest|underperform\w*|losing)\b|最差|最低|最少|倒数`)
	descendingRe = regexp.MustCompile(`\b(best|highest|most|top|strongest|biggest|largest)\b|最好|最高|最多|排名|前\d`)
	// metricWords name a column a question may sort on, as it is spelled
	// in the tools' tables.
	metricWords = []struct {
		re  *regexp.Regexp
		col string
	}{
		{regexp.MustCompile(`(?i)\broas\b|广告支出回报`), "ROAS"},
		{regexp.MustCompile(`(?i)\broi\b|投资回报|回报率`), "ROI"},
		{regexp.MustCompile(`(?i)\b(cac|cpa|acquisition cost|cost per)\b|获客成本`), "CPA"},
		{regexp.MustCompile(`(?i)\bclv\b|lifetime value|生命周期价值`), "CLV"},
		{regexp.MustCompile(`(?i)\brevenue|sales\b|收入|销售`), "revenue"},
		{regexp.MustCompile(`(?i)\bspend\b|花费`), "spend"},
		{regexp.MustCompile(`(?i)\blift\b|提升度`), "lift"},
		{regexp.MustCompile(`(?i)\bconversion`), "step conversion"},
	}
	numberCellRe = regexp.MustCompile(`-?[0-9][0-9,]*\.?[0-9]*`)
)

// cellNumber reads the number of a formatted cell ("£1,234.50", "12.5%",
// "3.2x"), or false.
func cellNumber(s string) (float64, bool) {
	m := numberCellRe.FindString(s)
	if m == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64)
	return v, err == nil
}

// ordered returns t sorted on the question's metric column when the
// question asked for an order (worst first or best first) and the column
// is numeric in every row; it sets sortNote for the headline.
func (c *composer) ordered(t tools.Table) tools.Table {
	if (!c.ascending && !c.descending) || len(t.Rows) < 2 || len(t.Columns) < 2 || t.Columns[0] == "metric" ||
		t.Columns[0] == "measure" || t.Columns[0] == "stage" {
		return t
	}
	col := -1
	if c.metric != "" {
		col = slices.Index(t.Columns, c.metric)
	}
	if col < 0 {
		return t
	}
	// Rows whose metric is not a number ("n/a (no spend)") cannot be
	// ranked: they go last, in their order, whichever way the question asked.
	vals := make([]float64, len(t.Rows))
	known := make([]bool, len(t.Rows))
	nKnown := 0
	for i, r := range t.Rows {
		if col >= len(r) {
			return t
		}
		if v, ok := cellNumber(r[col]); ok && !strings.HasPrefix(strings.TrimSpace(r[col]), "n/a") {
			vals[i], known[i] = v, true
			nKnown++
		}
	}
	if nKnown < 2 {
		return t
	}
	idx := make([]int, len(t.Rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := known[idx[a]], known[idx[b]]
		if ka != kb {
			return ka
		}
		if !ka {
			return false
		}
		if c.ascending {
			return vals[idx[a]] < vals[idx[b]]
		}
		return vals[idx[a]] > vals[idx[b]]
	})
	rows := make([][]string, len(t.Rows))
	for i, j := range idx {
		rows[i] = t.Rows[j]
	}
	t.Rows = rows
	t.Columns = slices.Clone(t.Columns)
	first := rows[0]
	if c.ascending {
		c.sortNote = c.t("Lowest %s: %s (%s).", c.metric, first[0], first[col]) + " " +
			c.t("Sorted from lowest to highest %s (worst first), as asked.", c.metric)
	} else {
		c.sortNote = c.t("Highest %s: %s (%s).", c.metric, first[0], first[col]) + " " +
			c.t("Sorted from highest to lowest %s (best first), as asked.", c.metric)
	}
	return t
}

// sideBySide writes the first tables of several results of one tool as
// one table, a column per item, when their columns agree; "" otherwise.
func (c *composer) sideBySide(results []llms.ToolCallResponse) string {
	if len(results) < 2 || len(c.items) != len(results) {
		return ""
	}
	var tabs []tools.Table
	for _, r := range results {
		if r.Name != results[0].Name {
			return ""
		}
		ts := displayOf(json.RawMessage(r.Content))
		if len(ts) == 0 || (len(tabs) > 0 && !slices.Equal(ts[0].Columns, tabs[0].Columns)) {
			return ""
		}
		tabs = append(tabs, ts[0])
	}
	cols := tabs[0].Columns
	if len(cols) < 2 {
		return ""
	}
	// One value column: the metric asked for, else the first after the label.
	vc := 1
	if c.metric != "" {
		if i := slices.Index(cols, c.metric); i > 0 {
			vc = i
		}
	}
	var keys []string
	vals := map[string][]string{}
	for i, t := range tabs {
		for _, r := range t.Rows {
			if len(r) <= vc {
				continue
			}
			if _, ok := vals[r[0]]; !ok {
				keys = append(keys, r[0])
				vals[r[0]] = make([]string, len(tabs))
			}
			vals[r[0]][i] = r[vc]
		}
	}
	var b strings.Builder
	b.WriteString("**" + c.t("Side by side (%s):", c.words(cols[vc])) + "**\n")
	for i, k := range keys {
		if i == composeTableRows {
			break
		}
		var cells []string
		for j, v := range vals[k] {
			if v == "" {
				v = "–"
			}
			cells = append(cells, c.items[j]+": "+v)
		}
		b.WriteString("- " + c.words(k) + " — " + strings.Join(cells, "; ") + "\n")
	}
	return strings.TrimSpace(b.String())
}

// composerFor builds the composer of the answer to the latest user
// question of msgs: its language, the order and metric it asked for, the
// items of a comparison (from the tool calls made) and the notes on what
// was read or not applied.
func (p *Planner) composerFor(msgs []llms.MessageContent, offered []llms.Tool, results []llms.ToolCallResponse, asOf time.Time) *composer {
	q := ""
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == llms.ChatMessageTypeHuman || msgs[i].Role == llms.ChatMessageTypeGeneric {
			q = textOf(msgs[i])
			break
		}
	}
	c := &composer{pr: printer(q), zh: langOf(q).String() == "zh-Hans"}
	lq := strings.ToLower(q)
	c.ascending = ascendingRe.MatchString(lq)
	c.descending = !c.ascending && descendingRe.MatchString(lq)
	for _, m := range metricWords {
		if m.re.MatchString(q) {
			c.metric = m.col
			break
		}
	}
	c.items = callItems(msgs)
	c.notes = p.notes(q, offered, asOf, c)
	return c
}

// callItems labels the tool calls of the latest assistant turn by the
// arguments that differ between them ("2011-Q3", "2011-Q4"); nil for one call.
func callItems(msgs []llms.MessageContent) []string {
	var calls []map[string]any
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != llms.ChatMessageTypeAI {
			continue
		}
		for _, part := range msgs[i].Parts {
			if tc, ok := part.(llms.ToolCall); ok && tc.FunctionCall != nil {
				var a map[string]any
				_ = json.Unmarshal([]byte(tc.FunctionCall.Arguments), &a)
				calls = append(calls, a)
			}
		}
		break
	}
	if len(calls) < 2 {
		return nil
	}
	items := make([]string, len(calls))
	for k := range calls[0] {
		differs := false
		for _, a := range calls[1:] {
			if fmt.Sprint(a[k]) != fmt.Sprint(calls[0][k]) {
				differs = true
			}
		}
		if !differs {
			continue
		}
		for i, a := range calls {
			if items[i] != "" {
				items[i] += ", "
			}
			items[i] += fmt.Sprint(a[k])
		}
	}
	if items[0] == "" {
		return nil // the calls differ in nothing the composer can name
	}
	return items
}

// notes returns what the answer must say before its figures: names read
// from misspellings, and constraints of the question that the tool called
// cannot apply, with the reason.
func (p *Planner) notes(q string, offered []llms.Tool, asOf time.Time, c *composer) []string {
	if q == "" {
		return nil
	}
	var out []string
	_, fixes := p.correct(translateZH(q))
	for _, f := range fixes {
		out = append(out, c.t("Read \"%s\" as %s.", f.From, p.displayName(f.To)))
	}
	tool, t, ok := p.toolFor(q, offered)
	if _, query := schemaProps(t)[tools.ArgQuery]; !query {
		// A free-text search uses every word of the question.
		if unused := p.unusedWords(q); len(unused) > 0 {
			out = append(out, c.t("Not understood and not used: %s.", strings.Join(unused, ", ")))
		}
	}
	if !ok {
		return out
	}
	qq := p.interlingua(q)
	full := p.args(tool, qq, words(qq), asOf)
	fitted := fitArgs(maps.Clone(full), t)
	keys := slices.Sorted(maps.Keys(full))
	for _, k := range keys {
		if _, kept := fitted[k]; kept {
			continue
		}
		switch k {
		case tools.ArgPeriod, tools.ArgFrom, tools.ArgTo, tools.ArgQuery, tools.ArgMessage:
			continue // converted between forms, or free text
		case tools.ArgLookbackDays, tools.ArgWindowDays:
			_, l := fitted[tools.ArgLookbackDays]
			_, w := fitted[tools.ArgWindowDays]
			if l || w || k == tools.ArgWindowDays {
				continue
			}
			out = append(out, c.t("Not applied: %s (%s does not take it).", c.t("the %d-day window", full[k]), tool))
		default:
			out = append(out, c.t("Not applied: %s (%s does not take it).", c.t("the filter %s = %s", k, fmt.Sprint(full[k])), tool))
		}
	}
	return out
}

// toolFor returns the offered tool the question's intent maps to.
func (p *Planner) toolFor(q string, offered []llms.Tool) (string, llms.Tool, bool) {
	scored := p.Intent(q)
	for _, name := range intentTools[scored[0].Label] {
		for _, t := range offered {
			if t.Function != nil && t.Function.Name == name {
				return name, t, true
			}
		}
	}
	return "", llms.Tool{}, false
}

// displayName returns the data's spelling of a corrected word ("germany"
// → "Germany"), or the word.
func (p *Planner) displayName(w string) string {
	voc := p.vocab()
	for _, l := range [][]string{voc.Countries, voc.Categories, voc.Channels, voc.Campaigns} {
		for _, n := range l {
			if strings.EqualFold(n, w) {
				return n
			}
		}
	}
	if utf8.RuneCountInString(w) > 0 {
		return strings.ToUpper(w[:1]) + w[1:]
	}
	return w
}

// unusedWords returns the words of q that neither the classifier nor the
// slot lexicon knows, nor are a misspelling of a word they know: words
// that may carry meaning the answer did not use. Words under four letters
// are left out.
func (p *Planner) unusedWords(q string) []string {
	if langOf(q).String() == "zh-Hans" {
		return nil
	}
	known := p.fuzzyNames()
	var out []string
	for _, w := range p.clf.Unknown(q) {
		if len(w) < 4 || known[w] || p.clf.Near(w) || lexiconWord(w) {
			continue
		}
		out = append(out, "\""+w+"\"")
	}
	return out
}
