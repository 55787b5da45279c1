package planner

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roibot/roibot/analytics"
	"github.com/roibot/roibot/tools"
)

// normalize lowercases s, unifies apostrophes and dashes and pads it with
// spaces so that phrases can be matched on word boundaries.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("’", "'", "‘", "'", "–", "-", "—", "-").Replace(s)
	return " " + s + " "
}

var wordRe = regexp.MustCompile(`[a-z0-9']+`)

// words returns the text of s as lowercase words joined by single spaces,
// padded with spaces: " what did email return ".
func words(s string) string {
	return " " + strings.Join(wordRe.FindAllString(strings.ToLower(s), -1), " ") + " "
}

// hasAny reports whether the word text w contains any of the phrases as
// whole words.
func hasAny(w string, phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(w, " "+p+" ") {
			return true
		}
	}
	return false
}

// containsAny reports whether s contains any of the substrings.
func containsAny(s string, subs ...string) bool {
	for _, p := range subs {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// phrase maps spoken variants to one canonical argument value.
type phrase struct {
	value    string
	variants []string // in words() form, without padding
}

// matchPhrases returns the canonical values of the phrases found in w,
// longest variant first, each text span used once, in order of appearance.
func matchPhrases(w string, table []phrase) []string {
	type cand struct {
		value, variant string
	}
	var cands []cand
	for _, p := range table {
		for _, v := range p.variants {
			cands = append(cands, cand{p.value, v})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return len(cands[i].variant) > len(cands[j].variant) })
	type hit struct {
		at    int
		value string
	}
	var hits []hit
	used := []byte(w)
	for _, c := range cands {
		pat := " " + c.variant + " "
		for from := 0; ; {
			i := strings.Index(string(used[from:]), pat)
			if i < 0 {
				break
			}
			i += from
			hits = append(hits, hit{i, c.value})
			for k := i + 1; k < i+len(pat)-1; k++ {
				used[k] = '#'
			}
			from = i + len(pat) - 1
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		if !seen[h.value] {
			seen[h.value] = true
			out = append(out, h.value)
		}
	}
	return out
}

var channelPhrases = []phrase{
	{"email", []string{"email", "e mail", "emails", "newsletter", "newsletters"}},
	{"paid_search", []string{"paid search", "paid_search", "ppc", "sem", "search ads", "google ads", "adwords"}},
	{"paid_social", []string{"paid social", "paid_social", "social", "social media", "social ads", "facebook", "instagram", "meta ads"}},
	{"display", []string{"display", "banner", "banners", "display ads"}},
	{"affiliate", []string{"affiliate", "affiliates"}},
	{"organic_search", []string{"organic search", "organic_search", "organic", "seo"}},
	{"direct", []string{"direct", "direct traffic"}},
}

var attributionPhrases = []phrase{
	{"first_touch", []string{"first touch", "first_touch", "first click"}},
	{"last_touch", []string{"last touch", "last_touch", "last click"}},
	{"linear", []string{"linear"}},
	{"time_decay", []string{"time decay", "time_decay"}},
	{"position_based", []string{"position based", "position_based", "u shaped", "ushaped"}},
	{"markov", []string{"markov", "markov chain", "data driven"}},
}

var segmentPhrases = []phrase{
	{"champions", []string{"champions", "champion", "best customers", "vip customers", "vips", "top customers"}},
	{"loyal", []string{"loyal", "loyal customers", "loyalists"}},
	{"potential_loyalists", []string{"potential loyalists", "potential loyalist", "potential_loyalists"}},
	{"new", []string{"new customers", "new segment", "recent customers"}},
	{"promising", []string{"promising"}},
	{"need_attention", []string{"need attention", "needs attention", "need_attention", "needing attention"}},
	{"about_to_sleep", []string{"about to sleep", "about_to_sleep"}},
	{"at_risk", []string{"at risk", "at_risk", "atrisk"}},
	{"cant_lose_them", []string{"can't lose them", "can't lose", "cant lose them", "cant lose", "cannot lose", "cant_lose_them"}},
	{"hibernating", []string{"hibernating"}},
	{"lost", []string{"lost customers", "lost segment", "lost"}},
}

// firstPhrase returns the first canonical value of table found in w, or "".
func firstPhrase(w string, table []phrase) string {
	if v := matchPhrases(w, table); len(v) > 0 {
		return v[0]
	}
	return ""
}

// vocabMatch returns the entry of names found in w (longest first, case
// insensitive, whole words), also trying simple singular and plural forms
// when forms is true, or "".
func vocabMatch(w string, names []string, forms bool, aliases map[string]string) string {
	return firstPhrase(w, vocabTable(names, forms, aliases))
}

// vocabTable returns names as a phrase table: each name in words() form,
// its simple singular and plural forms when forms is true, and the
// aliases that name it.
func vocabTable(names []string, forms bool, aliases map[string]string) []phrase {
	var table []phrase
	for _, n := range names {
		base := strings.TrimSpace(words(n))
		if base == "" {
			continue
		}
		vs := []string{base}
		if forms {
			vs = append(vs, base+"s", base+"es")
			if base == "tops" {
				// "top 10", "top themes": the singular is not the category.
				table = append(table, phrase{n, vs})
				continue
			}
			if strings.HasSuffix(base, "es") {
				vs = append(vs, strings.TrimSuffix(base, "es"))
			}
			if strings.HasSuffix(base, "s") {
				vs = append(vs, strings.TrimSuffix(base, "s"))
			}
		}
		table = append(table, phrase{n, vs})
	}
	for alias, target := range aliases {
		for _, n := range names {
			if strings.EqualFold(n, target) {
				table = append(table, phrase{n, []string{alias}})
			}
		}
	}
	return table
}

// dropPossessive turns "germany's" into "germany" in words() text.
func dropPossessive(w string) string {
	return strings.ReplaceAll(w, "'s ", " ")
}

// countryAliases maps common names to the country names of Online Retail.
var countryAliases = map[string]string{
	"uk":                  "United Kingdom",
	"u k":                 "United Kingdom",
	"britain":             "United Kingdom",
	"great britain":       "United Kingdom",
	"england":             "United Kingdom",
	"the uk":              "United Kingdom",
	"ireland":             "EIRE",
	"republic of ireland": "EIRE",
	"holland":             "Netherlands",
	"the netherlands":     "Netherlands",
	"usa":                 "USA",
	"united states":       "USA",
	"america":             "USA",
	"u s a":               "USA",
	"south africa":        "RSA",
	"czech republic":      "Czech Republic",
	"czechia":             "Czech Republic",
	"uae":                 "United Arab Emirates",
	"emirates":            "United Arab Emirates",
	"deutschland":         "Germany",
	// Demonyms: "french customers", "swiss revenue".
	"british": "United Kingdom", "english": "United Kingdom", "french": "France", "german": "Germany",
	"dutch": "Netherlands", "irish": "EIRE", "spanish": "Spain", "belgian": "Belgium", "swiss": "Switzerland",
	"portuguese": "Portugal", "australian": "Australia", "norwegian": "Norway", "italian": "Italy",
	"finnish": "Finland", "swedish": "Sweden", "austrian": "Austria", "danish": "Denmark", "japanese": "Japan",
	"polish": "Poland", "israeli": "Israel", "american": "USA", "singaporean": "Singapore", "icelandic": "Iceland",
	"canadian": "Canada", "greek": "Greece", "maltese": "Malta", "cypriot": "Cyprus", "lebanese": "Lebanon",
	"lithuanian": "Lithuania", "brazilian": "Brazil", "czech": "Czech Republic", "saudi": "Saudi Arabia",
	"the channel islands":    "Channel Islands",
	"european community":     "European Community",
	"the european community": "European Community",
}

var (
	customerIDRe = regexp.MustCompile(`(?:^|[^0-9.])([0-9]{5})(?:[^0-9.]|$)`)
	// customerAfterRe reads the id after "customer": digits (3 to 10,
	// with an optional ".0" from a spreadsheet) or a code like CDNOW-1.
	customerAfterRe = regexp.MustCompile(`(?i)\bcustomer(?:'s)?(?: (?:id|no\.?|number))?(?: ?[#:])? ?([a-z]+-[0-9]+|[0-9]{3,10}(?:\.0+)?)(?:[^0-9a-z.-]|\.?$|\.[^0-9])`)
	topNRe          = regexp.MustCompile(` (?:top|first|best|bottom|worst) ([0-9]{1,3}) `)
	kRe             = regexp.MustCompile(` (?:([0-9]{1,2}) (?:clusters|cluster|segments|groups)|k ([0-9]{1,2})) `)
	horizonRe       = regexp.MustCompile(` ([0-9]{1,3}) (day|days|week|weeks|month|months|year|years) `)
	thresholdRe     = regexp.MustCompile(`(?:min(?:imum)?[ _]?)?(support|confidence|lift)(?: of| at least| above| over| greater than| more than| higher than| >=| >| =|:| is| min| minimum)? ?([0-9]*\.?[0-9]+)( ?%)?`)
	clusterRe       = regexp.MustCompile(` cluster ([0-9]{1,2}) `)
	// windowRe reads an attribution or conversion window in days: "14 day
	// window", "7-day lookback", "window of 30 days", "lookback 14 days".
	windowRe    = regexp.MustCompile(` (?:([0-9]{1,4}) days? (?:attribution |lookback |conversion |click |look back )?(?:window|lookback|look back)|(?:window|lookback|look back)(?: window)?(?: of| is| =)? ([0-9]{1,4}) days?) `)
	isoDateRe   = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})\b`)
	quarterRe   = regexp.MustCompile(`\bq([1-4])[ -]?(\d{4})\b|\b(\d{4})[ -]?q([1-4])\b`)
	monthYearRe = regexp.MustCompile(`\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?(?: of)? (\d{4})\b`)
	yearRe      = regexp.MustCompile(`\b(19\d{2}|20\d{2})\b`)
	lastNRe     = regexp.MustCompile(`\b(?:last|past|previous) (\d{1,3}) (day|days|week|weeks|month|months)\b`)
)

// customerIDOf returns the customer id a question names: the id after
// "customer" ("customer 17850", "customer id CDNOW-1", "customer
// 17850.0" → "17850"), else a lone five-digit number, else "".
func customerIDOf(question string) string {
	if m := customerAfterRe.FindStringSubmatch(question); m != nil {
		id := m[1]
		if i := strings.IndexByte(id, '.'); i > 0 {
			id = id[:i]
		}
		return id
	}
	if m := customerIDRe.FindStringSubmatch(question); m != nil {
		return m[1]
	}
	return ""
}

var monthNames = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

// periodArgs is a resolved period: either Period ("2011", "2011-Q3",
// "2011-10") or From/To dates (To inclusive, may be empty). It is the
// tools' own period argument type, so the period the planner reads is the
// one the tools resolve (tools.PeriodArgs).
type periodArgs = tools.PeriodArgs

// resolvePeriod finds the period a question speaks of, resolving relative
// words against asOf (the data's last order date). A zero asOf leaves
// relative words unresolved.
func resolvePeriod(text string, asOf time.Time) periodArgs {
	p, _ := resolvePeriodRel(text, asOf)
	return p
}

const monthAlt = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec`

var (
	halfRe        = regexp.MustCompile(`\bh([12])[ -]?(\d{4})\b|\b(\d{4})[ -]?h([12])\b|\b(first|second|1st|2nd) half(?: of)? (\d{4})\b`)
	halfNoYearRe  = regexp.MustCompile(`\bh([12])\b|\b(first|second|1st|2nd) half\b`)
	monthRangeRe  = regexp.MustCompile(`\b(` + monthAlt + `)\.?(?: (\d{4}))? ?(and|to|through|thru|until|till|-) ?(` + monthAlt + `)\.?(?: (\d{4}))?\b`)
	isoMonthRe    = regexp.MustCompile(`\b(\d{4})-(0[1-9]|1[0-2])\b`)
	slashMonthRe  = regexp.MustCompile(`\b(0?[1-9]|1[0-2])/(\d{4})\b`)
	monthOnlyRe   = regexp.MustCompile(`\b(?:in|during|for|of|since|from|after|over) (` + monthAlt + `)\b`)
	quarterOnlyRe = regexp.MustCompile(`\bq([1-4])\b`)
)

// latestStart returns the latest year whose period starting in month m of
// that year starts on or before asOf.
func latestStart(m time.Month, asOf time.Time) int {
	if m <= asOf.Month() {
		return asOf.Year()
	}
	return asOf.Year() - 1
}

// resolvePeriodRel is resolvePeriod that also returns the relative phrase
// ("last quarter", "in December") it resolved against asOf, or "" when the
// period was stated in full.
func resolvePeriodRel(text string, asOf time.Time) (periodArgs, string) {
	s := strings.ToLower(text)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	// Explicit dates first.
	if ds := isoDateRe.FindAllString(s, -1); len(ds) > 0 {
		if len(ds) >= 2 {
			return periodArgs{From: ds[0], To: ds[1]}, ""
		}
		if containsAny(s, "until "+ds[0], "up to "+ds[0], "before "+ds[0], "through "+ds[0], "to "+ds[0]) {
			return periodArgs{To: ds[0]}, ""
		}
		if containsAny(s, "since "+ds[0], "from "+ds[0], "after "+ds[0], "starting "+ds[0]) {
			return periodArgs{From: ds[0]}, ""
		}
		// "on 2011-12-05": that day.
		return periodArgs{From: ds[0], To: ds[0]}, ""
	}
	since := func(p periodArgs) periodArgs {
		// "since June 2011": from the start of the named period on.
		start, _, ok := bounds(p)
		if !ok {
			return p
		}
		return periodArgs{From: start.Format(time.DateOnly)}
	}
	// mark reports whether the match at index at follows "since" or "from".
	mark := func(at int) bool {
		before := strings.TrimSpace(s[:at])
		return strings.HasSuffix(before, "since") || strings.HasSuffix(before, "from") || strings.HasSuffix(before, "after")
	}
	span := func(from, to time.Time) periodArgs {
		return periodArgs{From: day(from), To: day(to.AddDate(0, 0, -1))}
	}
	// "between January 2011 and March 2011", "from March to May 2011".
	if m := monthRangeRe.FindStringSubmatchIndex(s); m != nil && (m[5] > m[4] || m[11] > m[10] || !asOf.IsZero()) &&
		(s[m[6]:m[7]] != "and" || strings.HasSuffix(strings.TrimSpace(s[:m[0]]), "between")) {
		sm := monthRangeRe.FindStringSubmatch(s)
		m1, m2 := monthNames[sm[1]], monthNames[sm[4]]
		y1, _ := strconv.Atoi(sm[2])
		y2, _ := strconv.Atoi(sm[5])
		rel := ""
		switch {
		case y2 == 0 && y1 == 0:
			y2 = latestStart(m2, asOf)
			rel = strings.TrimSpace(sm[0])
		case y2 == 0:
			y2 = y1
			if m2 < m1 {
				y2++
			}
		}
		if y1 == 0 {
			y1 = y2
			if m1 > m2 {
				y1--
			}
		}
		from := time.Date(y1, m1, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(y2, m2+1, 1, 0, 0, 0, 0, time.UTC)
		if from.Before(to) {
			return span(from, to), rel
		}
	}
	if sm := halfRe.FindStringSubmatch(s); sm != nil {
		h, y := sm[1], sm[2]
		switch {
		case sm[4] != "":
			h, y = sm[4], sm[3]
		case sm[5] != "":
			h, y = "1", sm[6]
			if sm[5] == "second" || sm[5] == "2nd" {
				h = "2"
			}
		}
		yy, _ := strconv.Atoi(y)
		start := time.Date(yy, time.Month(1+6*(int(h[0]-'1'))), 1, 0, 0, 0, 0, time.UTC)
		return span(start, start.AddDate(0, 6, 0)), ""
	}
	if m := quarterRe.FindStringSubmatchIndex(s); m != nil {
		sm := quarterRe.FindStringSubmatch(s)
		q, y := sm[1], sm[2]
		if q == "" {
			q, y = sm[4], sm[3]
		}
		p := periodArgs{Period: y + "-Q" + q}
		if mark(m[0]) {
			return since(p), ""
		}
		return p, ""
	}
	if m := monthYearRe.FindStringSubmatchIndex(s); m != nil {
		sm := monthYearRe.FindStringSubmatch(s)
		p := periodArgs{Period: fmt.Sprintf("%s-%02d", sm[2], monthNames[sm[1]])}
		if mark(m[0]) {
			return since(p), ""
		}
		return p, ""
	}
	if m := isoMonthRe.FindStringSubmatchIndex(s); m != nil {
		p := periodArgs{Period: s[m[2]:m[3]] + "-" + s[m[4]:m[5]]}
		if mark(m[0]) {
			return since(p), ""
		}
		return p, ""
	}
	if m := slashMonthRe.FindStringSubmatchIndex(s); m != nil && (m[0] == 0 || s[m[0]-1] != '/') {
		mo, _ := strconv.Atoi(s[m[2]:m[3]])
		p := periodArgs{Period: fmt.Sprintf("%s-%02d", s[m[4]:m[5]], mo)}
		if mark(m[0]) {
			return since(p), ""
		}
		return p, ""
	}
	if !asOf.IsZero() {
		y, mo, _ := asOf.Date()
		q := (int(mo)-1)/3 + 1
		today := day(asOf)
		rel := func(phrases ...string) string {
			for _, p := range phrases {
				if strings.Contains(s, p) {
					return p
				}
			}
			return ""
		}
		if r := rel("last quarter", "previous quarter", "past quarter"); r != "" {
			if q == 1 {
				return periodArgs{Period: fmt.Sprintf("%d-Q4", y-1)}, r
			}
			return periodArgs{Period: fmt.Sprintf("%d-Q%d", y, q-1)}, r
		}
		if r := rel("this quarter", "current quarter", "quarter to date"); r != "" {
			return periodArgs{Period: fmt.Sprintf("%d-Q%d", y, q)}, r
		}
		if r := rel("last month", "previous month", "past month"); r != "" {
			t := time.Date(y, mo-1, 1, 0, 0, 0, 0, time.UTC)
			return periodArgs{Period: t.Format("2006-01")}, r
		}
		if r := rel("this month", "current month", "month to date"); r != "" {
			return periodArgs{Period: asOf.Format("2006-01")}, r
		}
		if r := rel("last year", "previous year", "past year"); r != "" {
			return periodArgs{Period: strconv.Itoa(y - 1)}, r
		}
		if r := rel("year to date", "ytd"); r != "" {
			return periodArgs{From: fmt.Sprintf("%d-01-01", y), To: today}, r
		}
		if r := rel("this year", "current year"); r != "" {
			return periodArgs{Period: strconv.Itoa(y)}, r
		}
		if r := rel("last week", "past week", "previous week"); r != "" {
			return periodArgs{From: day(asOf.AddDate(0, 0, -6)), To: today}, r
		}
		if r := rel("yesterday"); r != "" {
			d := day(asOf.AddDate(0, 0, -1))
			return periodArgs{From: d, To: d}, r
		}
		if r := rel("today"); r != "" {
			return periodArgs{From: today, To: today}, r
		}
		if m := lastNRe.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			var from time.Time
			switch strings.TrimSuffix(m[2], "s") {
			case "day":
				from = asOf.AddDate(0, 0, -(n - 1))
			case "week":
				from = asOf.AddDate(0, 0, -(7*n - 1))
			case "month":
				from = asOf.AddDate(0, -n, 1)
			}
			return periodArgs{From: day(from), To: today}, m[0]
		}
		if !yearRe.MatchString(s) {
			// A month, quarter or half without a year: the latest one
			// that starts on or before asOf.
			if m := monthOnlyRe.FindStringSubmatchIndex(s); m != nil {
				mn := monthNames[s[m[2]:m[3]]]
				p := periodArgs{Period: fmt.Sprintf("%d-%02d", latestStart(mn, asOf), mn)}
				if mark(m[2]) {
					return since(p), s[m[0]:m[1]]
				}
				return p, s[m[0]:m[1]]
			}
			if m := quarterOnlyRe.FindStringSubmatchIndex(s); m != nil {
				qn, _ := strconv.Atoi(s[m[2]:m[3]])
				p := periodArgs{Period: fmt.Sprintf("%d-Q%d", latestStart(time.Month(3*qn-2), asOf), qn)}
				if mark(m[0]) {
					return since(p), s[m[0]:m[1]]
				}
				return p, s[m[0]:m[1]]
			}
			if sm := halfNoYearRe.FindStringSubmatch(s); sm != nil {
				h := 1
				if sm[1] == "2" || sm[2] == "second" || sm[2] == "2nd" {
					h = 2
				}
				mn := time.Month(1 + 6*(h-1))
				start := time.Date(latestStart(mn, asOf), mn, 1, 0, 0, 0, 0, time.UTC)
				return span(start, start.AddDate(0, 6, 0)), sm[0]
			}
		}
	}
	if m := yearRe.FindStringSubmatchIndex(s); m != nil {
		p := periodArgs{Period: s[m[2]:m[3]]}
		if mark(m[0]) {
			return since(p), ""
		}
		return p, ""
	}
	return periodArgs{}, ""
}

// bounds returns the first day and the day after the last day of a
// Period-form periodArgs, read by analytics.ParsePeriod (the module's one
// period grammar); ok is false for a from/to periodArgs.
func bounds(p periodArgs) (time.Time, time.Time, bool) {
	if p.Period == "" || strings.Contains(p.Period, "..") {
		return time.Time{}, time.Time{}, false
	}
	per, err := analytics.ParsePeriod(p.Period, time.UTC)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return per.From, per.To, true
}

// horizonDays reads a forecast horizon: "next 3 months" is 90 days,
// "6 months" 180, "next year" 365, "2 weeks" 14. It returns 0 when none.
func horizonDays(w string) int {
	if m := horizonRe.FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch strings.TrimSuffix(m[2], "s") {
		case "day":
			return n
		case "week":
			return 7 * n
		case "month":
			if n%12 == 0 {
				return 365 * n / 12
			}
			return 30 * n
		case "year":
			return 365 * n
		}
	}
	switch {
	case hasAny(w, "next year", "a year", "one year", "coming year", "twelve months"):
		return 365
	case hasAny(w, "next quarter", "coming quarter", "three months"):
		return 90
	case hasAny(w, "six months", "half year", "half a year"):
		return 180
	case hasAny(w, "next month", "coming month"):
		return 30
	}
	return 0
}

// windowDays reads a window in days from w (its words() form): 0 when the
// question states none.
func windowDays(w string) int {
	m := windowRe.FindStringSubmatch(w)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	return n
}
