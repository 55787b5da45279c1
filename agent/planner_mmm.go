package agent

import (
	"regexp"
	"strconv"
	"strings"
)

// toolMMM is the media mix model tool.
const toolMMM = "mmm"

// isMMM reports whether a question (words() form) asks what spend caused:
// incrementality, a what-if on spend, a budget split, response curves, or
// which ROAS to believe.
func isMMM(w string) bool {
	if hasAny(w, "incremental", "incrementality", "media mix", "marketing mix", "mmm", "mix model", "response curve", "response curves",
		"diminishing returns", "saturation", "adstock", "carryover", "carry over", "lift test", "lift tests", "triangulate", "triangulation",
		"split the budget", "split our budget", "split my budget", "budget split", "allocate the budget", "allocate our budget", "budget allocation",
		"reallocate", "where should the next", "which roas should i believe", "which roas to believe", "roas should i believe") {
		return true
	}
	if hasAny(w, "what if", "what happens if", "if we") && hasAny(w, "cut", "cuts", "reduce", "lower", "increase", "raise", "double", "halve", "stop", "pause", "spend more", "spend less") {
		return true
	}
	return hasAny(w, "how should we", "how should i", "how do we", "best way to") && hasAny(w, "budget", "spend") && hasAny(w, "split", "allocate", "divide", "spread", "distribute")
}

// isMMMZh is isMMM for Simplified Chinese questions (words() keeps only
// ASCII words, so these are matched on the question itself).
func isMMMZh(q string) bool {
	if containsAny(q, "增量", "媒体组合", "营销组合", "混合模型", "预算分配", "分配预算", "预算怎么分", "预算如何分", "预算该怎么分", "响应曲线", "边际回报", "收益递减", "提升测试", "增量测试", "该相信哪个", "应该相信哪个", "广告存量") {
		return true
	}
	return containsAny(q, "如果", "假如", "要是") && containsAny(q, "削减", "减少", "砍", "降低", "增加", "加大", "翻倍", "减半", "停掉", "暂停")
}

// zhChannels names channels in Simplified Chinese.
var zhChannels = []struct{ zh, channel string }{
	{"展示广告", "display"}, {"展示", "display"}, {"电视", "tv"}, {"付费搜索", "paid_search"}, {"搜索广告", "paid_search"},
	{"付费社交", "paid_social"}, {"社交媒体", "paid_social"}, {"社交广告", "paid_social"}, {"邮件", "email"}, {"联盟", "affiliate"},
}

var pctRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)`)

// mmmArgs builds the mmm tool's arguments: the action from the question's
// wording, the channel it names, and for a what-if the spend change as a
// fraction ("cut display by 20%" → -0.2).
func (p *Planner) mmmArgs(question, w string) map[string]any {
	a := map[string]any{"action": "roas"}
	if chs := matchPhrases(w, p.channelTable()); len(chs) > 0 {
		a["channel"] = chs[0]
	} else if hasAny(w, "tv", "television") {
		a["channel"] = "tv"
	}
	if _, ok := a["channel"]; !ok {
		for _, z := range zhChannels {
			if strings.Contains(question, z.zh) {
				a["channel"] = z.channel
				break
			}
		}
	}
	_, hasChannel := a["channel"]
	if zhArgs(question, a, hasChannel) {
		return a
	}
	switch {
	case hasAny(w, "which roas should i believe", "which roas to believe", "roas should i believe", "triangulate", "triangulation", "lift test", "lift tests") && hasChannel:
		a["action"] = "triangulate"
	case hasAny(w, "split", "allocate", "allocation", "reallocate", "where should the next", "divide", "distribute", "spread") && hasAny(w, "budget", "spend", "money", "next"):
		a["action"] = "budget"
	case hasAny(w, "what if", "what happens if", "if we") && hasChannel:
		change := 0.0
		if m := pctRe.FindStringSubmatch(strings.ToLower(question)); m != nil {
			change, _ = strconv.ParseFloat(m[1], 64)
			change /= 100
		}
		switch {
		case hasAny(w, "double"):
			change = 1
		case hasAny(w, "halve"):
			change = -0.5
		case hasAny(w, "stop", "pause", "turn off", "switch off"):
			change = -1
		case hasAny(w, "cut", "cuts", "reduce", "lower", "spend less", "decrease"):
			if change == 0 {
				change = 0.1
			}
			change = -change
		case change == 0:
			change = 0.1
		}
		a["action"] = "what_if"
		a["change"] = change
	case hasAny(w, "response curve", "response curves", "diminishing returns", "saturation") && hasChannel:
		a["action"] = "response_curve"
	}
	return a
}

// zhArgs sets the action (and change) of a Simplified Chinese question and
// reports whether it recognised one.
func zhArgs(q string, a map[string]any, hasChannel bool) bool {
	switch {
	case containsAny(q, "该相信哪个", "应该相信哪个", "提升测试", "三角") && hasChannel:
		a["action"] = "triangulate"
	case containsAny(q, "预算分配", "分配预算", "预算怎么分", "预算如何分", "预算该怎么分", "下一笔预算"):
		a["action"] = "budget"
	case containsAny(q, "如果", "假如", "要是") && hasChannel:
		change := 0.1
		if m := pctRe.FindStringSubmatch(q); m != nil {
			change, _ = strconv.ParseFloat(m[1], 64)
			change /= 100
		}
		switch {
		case containsAny(q, "翻倍"):
			change = 1
		case containsAny(q, "减半"):
			change = -0.5
		case containsAny(q, "停掉", "暂停", "关掉"):
			change = -1
		case containsAny(q, "削减", "减少", "砍", "降低"):
			change = -change
		}
		a["action"] = "what_if"
		a["change"] = change
	case containsAny(q, "响应曲线", "边际回报", "收益递减") && hasChannel:
		a["action"] = "response_curve"
	default:
		return false
	}
	return true
}
