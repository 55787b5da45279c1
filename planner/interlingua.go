package planner

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file turns a Chinese question into the English words the slot
// extractor reads ("2011年第四季度德国的收入" → "q4 2011 germany 收入"): the
// business vocabulary in both languages is one table, zhLexicon, and the
// periods, counts and horizons are rewritten by zhPatterns. The intent
// classifier reads the question itself; only the slots go through here.

// zhLexicon maps Chinese business words to the English words of the
// extractor's tables (channels, attribution models, RFM segments,
// countries, categories, sentiments, metrics, group-bys).
var zhLexicon = map[string]string{
	// Channels.
	"电子邮件": "email", "邮件营销": "email", "邮件": "email", "EDM": "email", "电邮": "email",
	"付费搜索": "paid search", "搜索广告": "paid search", "谷歌广告": "paid search", "竞价广告": "paid search", "竞价": "paid search",
	"付费社交": "paid social", "社交广告": "paid social", "社交媒体": "paid social", "社媒": "paid social", "社交": "paid social",
	"脸书广告": "paid social", "展示广告": "display", "横幅广告": "display", "展示": "display",
	"联盟营销": "affiliate", "联盟渠道": "affiliate", "联盟": "affiliate", "自然搜索": "organic search",
	"直接访问": "direct", "直接流量": "direct",
	// Attribution models.
	"首次触点": "first touch", "首次点击": "first touch", "首触": "first touch", "第一次触点": "first touch",
	"末次触点": "last touch", "最后点击": "last touch", "末次点击": "last touch", "最后触点": "last touch", "最终触点": "last touch",
	"线性": "linear", "时间衰减": "time decay", "基于位置": "position based", "位置归因": "position based",
	"U型": "u shaped", "马尔可夫": "markov", "马尔科夫": "markov", "数据驱动": "markov",
	// RFM segments.
	"冠军客户": "champions", "冠军": "champions", "忠诚客户": "loyal customers", "忠诚": "loyal",
	"潜在忠诚": "potential loyalists", "有潜力": "promising", "有希望": "promising", "需要关注": "need attention",
	"即将沉睡": "about to sleep", "有流失风险": "at risk", "流失风险客户": "at risk customers", "风险客户": "at risk",
	"流失风险": "churn risk", "流失概率": "churn risk", "不能失去": "cant lose",
	"休眠": "hibernating", "沉睡": "hibernating", "已流失": "lost customers", "流失的客户": "lost customers",
	// Countries of Online Retail.
	"德国": "germany", "法国": "france", "英国": "uk", "荷兰": "netherlands", "爱尔兰": "ireland", "西班牙": "spain",
	"比利时": "belgium", "瑞士": "switzerland", "葡萄牙": "portugal", "澳大利亚": "australia", "澳洲": "australia",
	"挪威": "norway", "意大利": "italy", "芬兰": "finland", "瑞典": "sweden", "奥地利": "austria", "丹麦": "denmark",
	"日本": "japan", "波兰": "poland", "以色列": "israel", "美国": "usa", "香港": "hong kong", "新加坡": "singapore",
	"冰岛": "iceland", "加拿大": "canada", "希腊": "greece", "马耳他": "malta", "塞浦路斯": "cyprus",
	"阿联酋": "united arab emirates", "黎巴嫩": "lebanon", "立陶宛": "lithuania", "巴西": "brazil", "捷克": "czech republic",
	"巴林": "bahrain", "沙特": "saudi arabia", "南非": "south africa", "海峡群岛": "channel islands",
	// Review categories.
	"上衣": "tops", "连衣裙": "dresses", "裙子": "dresses", "裤子": "bottoms", "下装": "bottoms", "夹克": "jackets",
	"外套": "jackets", "内衣": "intimate", "衬衫": "blouses", "针织": "knits", "毛衣": "sweaters", "牛仔裤": "jeans",
	// Sentiment.
	"差评": "negative", "负面": "negative", "投诉": "complaints", "不满": "negative", "好评": "positive", "正面": "positive", "喜欢": "love", "满意": "happy",
	// Group-bys, bases and methods.
	"按国家": "by country", "各国家": "by country", "各国": "by country", "每个国家": "by country",
	"按渠道": "by channel", "各渠道": "by channel", "每个渠道": "by channel", "各个渠道": "by channel",
	"按活动": "by campaign", "哪个国家": "which country", "哪些国家": "which countries", "哪个产品": "which product",
	"哪些产品": "which products", "哪些商品": "which products", "热销": "best selling", "畅销": "best selling", "各活动": "by campaign", "营销活动": "campaigns", "按产品": "by product", "毛利": "margin",
	"层次聚类": "hierarchical", "k均值": "k means", "K均值": "k means",
	// Metrics and analyses (they also let the classifier share what
	// English questions taught it).
	"新增客户": "new customers", "新客户": "new customers", "新客": "new customers", "首次购买": "first purchase",
	"客单价": "average order value", "平均订单金额": "average order value", "平均订单价值": "average order value",
	"退货率": "return rate", "退货": "returns", "获客成本": "cac", "投资回报率": "roi", "广告支出回报率": "roas",
	"投入产出比": "roi", "回本": "payback", "收入": "revenue", "营收": "revenue", "营业额": "revenue", "销售额": "sales",
	"漏斗": "funnel", "转化率": "conversion rate", "购物车": "cart", "结账": "checkout", "归因": "attribution",
	"聚类": "clustering", "细分": "segmentation", "关联规则": "association rules", "购物篮": "basket",
	"一起买": "bought together", "一起购买": "bought together", "捆绑": "bundle", "交叉销售": "cross sell",
	"评论": "reviews", "评价": "reviews", "反馈": "feedback", "总结": "summarize", "汇总": "summary", "归纳": "summarize",
	"报告": "report", "生命周期价值": "lifetime value", "终身价值": "lifetime value", "画像": "profile",
	"历史价值": "historical value", "预测": "predict", "存活概率": "p alive", "还活跃": "still active", "再买": "buy again",
	"回购": "buy again", "高CLV": "high clv", "高clv": "high clv", "低CLV": "low clv", "低clv": "low clv",
	"中等CLV": "mid clv", "中CLV": "mid clv", "流失": "churn",
	// Media mix modelling (docs/mmm.md).
	"增量": "incremental", "媒体组合模型": "media mix model", "营销组合模型": "marketing mix model", "媒体组合": "media mix",
	"预算分配": "budget allocation", "分配预算": "allocate the budget", "分配": "allocate", "预算": "budget",
	"响应曲线": "response curve", "饱和曲线": "saturation curve", "收益递减": "diminishing returns", "边际": "marginal",
	"提升测试": "lift test", "三角验证": "triangulate", "拆分": "split", "增量测试": "lift test", "应该相信哪个": "which roas should i believe", "该相信哪个": "which roas should i believe",
	"如果": "what if", "假如": "what if", "要是": "what if", "削减": "cut", "砍掉": "cut", "减少": "reduce", "降低": "lower",
	"增加": "increase", "加大": "increase", "翻倍": "double", "减半": "halve", "停掉": "stop", "暂停": "pause",
	"电视广告": "tv", "电视": "tv", "投放": "spend", "花费": "spend",
	// Relative periods.
	"上个季度": "last quarter", "上季度": "last quarter", "上一季度": "last quarter", "本季度": "this quarter",
	"这个季度": "this quarter", "这季度": "this quarter", "上个月": "last month", "上月": "last month",
	"这个月": "this month", "本月": "this month", "去年": "last year", "今年": "this year", "本年": "this year",
	"明年": "next year", "下个月": "next month", "半年": "six months", "下季度": "next quarter", "下个季度": "next quarter",
	// Comparisons and directions.
	"对比": "vs", "比较": "compare", "和": "and", "与": "and", "跟": "and", "以及": "and", "最差": "worst", "最低": "lowest", "最好": "best", "最高": "highest",
}

var zhNumerals = map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// zhNumberRe finds Chinese numerals up to 99 before a unit.
var zhNumberRe = regexp.MustCompile(`([零一二两三四五六七八九十]+)([个名类组天周月年季条位簇])`)

// zhNumber converts a Chinese numeral of at most two digits ("十二",
// "二十", "五") to its value, or -1.
func zhNumber(s string) int {
	rs := []rune(s)
	n, cur := 0, 0
	for _, r := range rs {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		v, ok := zhNumerals[r]
		if !ok {
			return -1
		}
		cur = v
	}
	return n + cur
}

var monthWords = []string{"", "january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

// zhPatterns rewrite periods, counts, horizons, windows and thresholds,
// in order, after numerals became digits.
var zhPatterns = []struct {
	re   *regexp.Regexp
	repl func(m []string) string
}{
	{regexp.MustCompile(`(\d{4})\s*年\s*第?\s*([1-4])\s*季度`), func(m []string) string { return " q" + m[2] + " " + m[1] + " " }},
	{regexp.MustCompile(`(\d{4})\s*年\s*[Qq]([1-4])`), func(m []string) string { return " q" + m[2] + " " + m[1] + " " }},
	{regexp.MustCompile(`(\d{4})\s*年\s*(上|下)半年`), func(m []string) string {
		if m[2] == "上" {
			return " first half of " + m[1] + " "
		}
		return " second half of " + m[1] + " "
	}},
	{regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月份?`), func(m []string) string {
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > 12 {
			return m[0]
		}
		return " " + monthWords[n] + " " + m[1] + " "
	}},
	{regexp.MustCompile(`(\d{4})\s*年(度)?`), func(m []string) string { return " " + m[1] + " " }},
	{regexp.MustCompile(`第?([1-4])\s*季度`), func(m []string) string { return " q" + m[1] + " " }},
	{regexp.MustCompile(`(\d{1,2})\s*月份?`), func(m []string) string {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > 12 {
			return m[0]
		}
		return " in " + monthWords[n] + " "
	}},
	{regexp.MustCompile(`(最近|过去|近)\s*(\d{1,3})\s*(天|周|个月)`), func(m []string) string {
		return " last " + m[2] + " " + map[string]string{"天": "days", "周": "weeks", "个月": "months"}[m[3]] + " "
	}},
	{regexp.MustCompile(`(未来|接下来|之后)的?\s*(\d{1,3})\s*(天|周|个月|年)`), func(m []string) string {
		return " next " + m[2] + " " + map[string]string{"天": "days", "周": "weeks", "个月": "months", "年": "years"}[m[3]] + " "
	}},
	{regexp.MustCompile(`(\d{1,3})\s*天的?\s*(归因|回溯|转化)?\s*窗口`), func(m []string) string { return " " + m[1] + " day window " }},
	{regexp.MustCompile(`(归因|回溯|转化)?窗口\s*(为|是)?\s*(\d{1,3})\s*天`), func(m []string) string { return " " + m[3] + " day window " }},
	{regexp.MustCompile(`第\s*(\d{1,2})\s*(个)?(聚类|簇|群|类)`), func(m []string) string { return " cluster " + m[1] + " " }},
	{regexp.MustCompile(`(分成|分为|分|聚成|聚为)\s*(\d{1,2})\s*(个)?(类|组|簇|群|细分|客户群|部分)`), func(m []string) string { return " " + m[2] + " clusters " }},
	{regexp.MustCompile(`(\d{1,2})\s*个\s*(簇|聚类|细分群体|客户群|群体|分群)`), func(m []string) string { return " " + m[1] + " clusters " }},
	{regexp.MustCompile(`(支持度|置信度|提升度)\s*(至少|大于等于|大于|高于|超过|不低于|>=|>|为|是)?\s*(\d*\.?\d+)\s*(%)?`), func(m []string) string {
		name := map[string]string{"支持度": "support", "置信度": "confidence", "提升度": "lift"}[m[1]]
		return " " + name + " " + m[3] + m[4] + " "
	}},
	{regexp.MustCompile(`前\s*(\d{1,3})\s*(名|个|位|条)?`), func(m []string) string { return " top " + m[1] + " " }},
	{regexp.MustCompile(`(\d{1,3})\s*(个|名|位|条)`), func(m []string) string { return " top " + m[1] + " " }},
}

// zhKeys are the zhLexicon keys, longest first.
var zhKeys = func() []string {
	ks := make([]string, 0, len(zhLexicon))
	for k := range zhLexicon {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if li, lj := utf8.RuneCountInString(ks[i]), utf8.RuneCountInString(ks[j]); li != lj {
			return li > lj
		}
		return ks[i] < ks[j]
	})
	return ks
}()

// translateZH returns a Chinese question in the extractor's English
// words; text without Han characters is returned as is.
func translateZH(q string) string {
	if langOf(q).String() != "zh-Hans" {
		return q
	}
	s := zhNumberRe.ReplaceAllStringFunc(q, func(m string) string {
		sm := zhNumberRe.FindStringSubmatch(m)
		if n := zhNumber(sm[1]); n >= 0 {
			return strconv.Itoa(n) + sm[2]
		}
		return m
	})
	s = strings.NewReplacer("，", " , ", "。", " . ", "？", " ? ", "！", " ! ", "：", " : ", "、", " , ").Replace(s)
	for _, p := range zhPatterns {
		s = p.re.ReplaceAllStringFunc(s, func(m string) string { return p.repl(p.re.FindStringSubmatch(m)) })
	}
	for _, k := range zhKeys {
		if strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, " "+zhLexicon[k]+" ")
		}
	}
	return s
}

// interlingua returns the question as the slot extractor reads it:
// Chinese turned into English words, and words that are one or two edits
// from a name of the data (countries, channels, campaigns, categories)
// corrected to it.
func (p *Planner) interlingua(q string) string {
	s := translateZH(q)
	s, _ = p.correct(s)
	return s
}
