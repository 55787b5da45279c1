package planner

import (
	"strings"
	"unicode"

	"github.com/tmc/langchaingo/llms"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Message keys: the English text is the key; messages holds the Chinese.
const (
	msgCustomerRefusal = "Sorry, I can't share business figures or analytics here. " +
		"I'm here to listen to your feedback: tell me about an order or a product and I'll pass it on to the team."
	msgToolUnavailable    = "Sorry, that question needs a tool that is not available to you in this conversation."
	msgHelp               = "I answer questions about the marketing and sales data."
	msgCapabilities       = " I can help with questions like:"
	msgNoTools            = " I have no tools available in this conversation."
	msgNotUnderstood      = "I didn't understand that question."
	msgNotUnderstoodIn    = "I didn't understand %s."
	msgClarify            = "I'm not sure what you are asking for. Did you mean one of these?"
	msgRecognised         = "I read: %s."
	msgNoCampaign         = "There is no campaign called \"%s\" in the data, so I have not run this. The nearest campaign names are: %s."
	msgManyCampaigns      = "\"%s\" matches several campaigns: %s. Which one do you mean? (Or ask by campaign to see them all.)"
	msgFollowUpNotApplied = "I can't apply that to the previous question: %s takes none of the filters this follow-up names, " +
		"and answering it on its own would answer a different question. Ask it in full, please."
)

// messages holds the Simplified Chinese text of the message keys.
var messages = map[string]string{
	msgCustomerRefusal:    "抱歉，这里不能提供业务数据或分析。我在这里听取您的反馈：请告诉我您的订单或商品情况，我会转告团队。",
	msgToolUnavailable:    "抱歉，这个问题需要的工具在本次对话中不可用。",
	msgHelp:               "我可以回答关于营销和销售数据的问题。",
	msgCapabilities:       "我可以回答这样的问题：",
	msgNoTools:            "本次对话中没有可用的工具。",
	msgNotUnderstood:      "我没有理解这个问题。",
	msgNotUnderstoodIn:    "我没有理解“%s”。",
	msgClarify:            "我不确定您想问什么。您是想问下面这些问题吗？",
	msgRecognised:         "我理解到：%s。",
	msgNoCampaign:         "数据中没有名为“%s”的活动，所以没有运行。最接近的活动名称：%s。",
	msgManyCampaigns:      "“%s”对应多个活动：%s。您指的是哪一个？（也可以按活动查看全部。）",
	msgFollowUpNotApplied: "无法把这个追问用到上一个问题上：%s 不支持追问中提到的筛选条件，单独回答又会答非所问。请把问题完整地再问一次。",
}

// catalogs are the message catalogs of the composer, built once.
var msgCatalog = func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, zh := range messages {
		_ = b.SetString(language.English, k, k)
		_ = b.SetString(language.SimplifiedChinese, k, zh)
	}
	for k, zh := range composeMessages {
		_ = b.SetString(language.English, k, k)
		_ = b.SetString(language.SimplifiedChinese, k, zh)
	}
	for _, e := range examples {
		_ = b.SetString(language.English, e.text, e.text)
		_ = b.SetString(language.SimplifiedChinese, e.text, e.zh)
	}
	return b
}()

// langOf returns the language of a question: Simplified Chinese when it
// holds Han characters, else English.
func langOf(question string) language.Tag {
	for _, r := range question {
		if unicode.Is(unicode.Han, r) {
			return language.SimplifiedChinese
		}
	}
	return language.English
}

// printer returns the message printer for the question's language.
func printer(question string) *message.Printer {
	return message.NewPrinter(langOf(question), message.Catalog(msgCatalog))
}

// msg returns the message key in the question's language.
func (p *Planner) msg(question, key string, args ...any) string {
	return printer(question).Sprintf(key, args...)
}

// examples are sample questions per intent, shown when the Planner cannot
// help or asks which question was meant.
var examples = []struct{ intent, text, zh string }{
	{IntentROI, "Show ROAS for each channel in 2011", "2011年各渠道的ROAS"},
	{IntentMMM, "What is the incremental ROAS of display, and what if we cut it by a fifth?", "展示广告的增量ROAS是多少？如果削减五分之一会怎样？"},
	{IntentAttribution, "How does first-touch attribution change the picture for affiliate?", "首次触点归因对联盟渠道有什么影响？"},
	{IntentRevenue, "Total revenue in Q4 2011", "2011年第四季度的总收入"},
	{IntentRFM, "List our champions in Germany", "列出德国的冠军客户"},
	{IntentCLV, "Predicted lifetime value of customers in France over the next 6 months", "法国客户未来6个月的预测生命周期价值"},
	{IntentHistoricalCLV, "Historical CLV of customer 12347", "客户12347的历史CLV"},
	{IntentProfile, "Tell me about customer 12347", "介绍一下客户12347"},
	{IntentFunnel, "Which funnel step has the biggest drop-off for paid search?", "付费搜索的漏斗哪一步流失最多？"},
	{IntentSegment, "Run k-means with 5 clusters on our customers", "用k-means把客户分成5类"},
	{IntentBasket, "Market basket rules for Germany", "德国的购物篮关联规则"},
	{IntentReport, "Report on at-risk customers in the Netherlands", "荷兰流失风险客户的报告"},
	{IntentFeedbackSearch, "What do customers say about the fit of our dresses?", "顾客怎么评价我们连衣裙的合身度？"},
	{IntentFeedbackSummary, "Summarize negative feedback on tops", "总结上衣的负面反馈"},
	{IntentChurn, "Which customers are about to churn?", "哪些客户快要流失了？"},
	{IntentResponse, "Who is likely to respond to the next campaign?", "谁最可能响应下一次营销活动？"},
	{IntentFeedbackCollect, "Tell me about your last order and I will pass your feedback on", "请告诉我您上一笔订单的情况，我会转达您的反馈"},
}

// offeredFor reports whether one of intent's tools is offered.
func offeredFor(intent string, offered map[string]llms.Tool) bool {
	for _, name := range intentTools[intent] {
		if _, ok := offered[name]; ok {
			return true
		}
	}
	return false
}

// capabilities lists example questions for the offered tools.
func (p *Planner) capabilities(question string, offered map[string]llms.Tool) string {
	pr := printer(question)
	var b strings.Builder
	seen := map[string]bool{}
	for _, e := range examples {
		if offeredFor(e.intent, offered) && !seen[e.text] {
			// Historical CLV and profiles fall back on predict_clv: list
			// each tool's example once.
			seen[e.text] = true
			b.WriteString("\n- " + pr.Sprintf(e.text))
		}
	}
	if b.Len() == 0 {
		return pr.Sprintf(msgNoTools)
	}
	return pr.Sprintf(msgCapabilities) + b.String()
}

// closest returns the example questions of the most probable offered
// intents, at most n.
func (p *Planner) closest(question string, scored []Scored, offered map[string]llms.Tool, n int) []string {
	pr := printer(question)
	var out []string
	for _, s := range scored {
		if len(out) == n {
			break
		}
		if !offeredFor(s.Label, offered) || s.Label == IntentFeedbackCollect {
			continue
		}
		for _, e := range examples {
			if e.intent == s.Label {
				out = append(out, pr.Sprintf(e.text))
				break
			}
		}
	}
	return out
}

// clarify is the reply to a question whose intent the classifier is not
// sure of: what was recognised, and the two or three closest supported
// questions.
func (p *Planner) clarify(question string, scored []Scored, offered map[string]llms.Tool) string {
	var b strings.Builder
	b.WriteString(p.msg(question, msgClarify))
	for _, c := range p.closest(question, scored, offered, 3) {
		b.WriteString("\n- " + c)
	}
	return b.String()
}

// notUnderstood is the reply to a question that maps to no intent: the
// words not understood, and the questions that can be answered (the two
// or three closest first).
func (p *Planner) notUnderstood(question string, scored []Scored, offered map[string]llms.Tool) string {
	var b strings.Builder
	if unknown := p.clf.Unknown(p.interlingua(question)); len(unknown) > 0 && len(unknown) < len(strings.Fields(question)) {
		b.WriteString(p.msg(question, msgNotUnderstoodIn, strings.Join(unknown, " ")))
	} else {
		b.WriteString(p.msg(question, msgNotUnderstood))
	}
	b.WriteString(p.capabilities(question, offered))
	return b.String()
}
