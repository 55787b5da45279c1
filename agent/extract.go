package agent

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
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
	{"champions", []string{"champions", "champion"}},
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
	var table []phrase
	for _, n := range names {
		base := strings.TrimSpace(words(n))
		if base == "" {
			continue
		}
		vs := []string{base}
		if forms {
			vs = append(vs, base+"s", base+"es")
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
	return firstPhrase(w, table)
}

// countryAliases maps common names to the country names of Online Retail.
var countryAliases = map[string]string{
	"uk":                     "United Kingdom",
	"u k":                    "United Kingdom",
	"britain":                "United Kingdom",
	"great britain":          "United Kingdom",
	"england":                "United Kingdom",
	"the uk":                 "United Kingdom",
	"ireland":                "EIRE",
	"republic of ireland":    "EIRE",
	"holland":                "Netherlands",
	"the netherlands":        "Netherlands",
	"usa":                    "USA",
	"united states":          "USA",
	"america":                "USA",
	"u s a":                  "USA",
	"south africa":           "RSA",
	"czech republic":         "Czech Republic",
	"czechia":                "Czech Republic",
	"uae":                    "United Arab Emirates",
	"emirates":               "United Arab Emirates",
	"deutschland":            "Germany",
	"the channel islands":    "Channel Islands",
	"european community":     "European Community",
	"the european community": "European Community",
}

var (
	customerIDRe = regexp.MustCompile(`(?:^|[^0-9.])([0-9]{5})(?:[^0-9.]|$)`)
	topNRe       = regexp.MustCompile(` (?:top|first|best|bottom|worst) ([0-9]{1,3}) `)
	kRe          = regexp.MustCompile(` (?:([0-9]{1,2}) (?:clusters|cluster|segments|groups)|k ([0-9]{1,2})) `)
	horizonRe    = regexp.MustCompile(` ([0-9]{1,3}) (day|days|week|weeks|month|months|year|years) `)
	thresholdRe  = regexp.MustCompile(`(?:min(?:imum)?[ _]?)?(support|confidence|lift)(?: of| at least| above| >=| =|:)? ?([0-9]*\.?[0-9]+)( ?%)?`)
	clusterRe    = regexp.MustCompile(` cluster ([0-9]{1,2}) `)
	isoDateRe    = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})\b`)
	quarterRe    = regexp.MustCompile(`\bq([1-4])[ -]?(\d{4})\b|\b(\d{4})[ -]?q([1-4])\b`)
	monthYearRe  = regexp.MustCompile(`\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.? (\d{4})\b`)
	yearRe       = regexp.MustCompile(`\b(19\d{2}|20\d{2})\b`)
	lastNRe      = regexp.MustCompile(`\b(?:last|past|previous) (\d{1,3}) (day|days|week|weeks|month|months)\b`)
)

var monthNames = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

// periodArgs is a resolved period: either Period ("2011", "2011-Q3",
// "2011-10") or From/To dates (To inclusive, may be empty).
type periodArgs struct {
	Period, From, To string
}

func (p periodArgs) empty() bool { return p == periodArgs{} }

// resolvePeriod finds the period a question speaks of, resolving relative
// words against asOf (the data's last order date). A zero asOf leaves
// relative words unresolved.
func resolvePeriod(text string, asOf time.Time) periodArgs {
	s := strings.ToLower(text)
	// Explicit dates first.
	if ds := isoDateRe.FindAllString(s, -1); len(ds) > 0 {
		if len(ds) >= 2 {
			return periodArgs{From: ds[0], To: ds[1]}
		}
		if containsAny(s, "until "+ds[0], "up to "+ds[0], "before "+ds[0], "through "+ds[0]) {
			return periodArgs{To: ds[0]}
		}
		return periodArgs{From: ds[0]}
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
	if m := quarterRe.FindStringSubmatchIndex(s); m != nil {
		sm := quarterRe.FindStringSubmatch(s)
		q, y := sm[1], sm[2]
		if q == "" {
			q, y = sm[4], sm[3]
		}
		p := periodArgs{Period: y + "-Q" + q}
		if mark(m[0]) {
			return since(p)
		}
		return p
	}
	if m := monthYearRe.FindStringSubmatchIndex(s); m != nil {
		sm := monthYearRe.FindStringSubmatch(s)
		p := periodArgs{Period: fmt.Sprintf("%s-%02d", sm[2], monthNames[sm[1]])}
		if mark(m[0]) {
			return since(p)
		}
		return p
	}
	if !asOf.IsZero() {
		y, mo, _ := asOf.Date()
		q := (int(mo)-1)/3 + 1
		day := asOf.Format(time.DateOnly)
		switch {
		case containsAny(s, "last quarter", "previous quarter", "past quarter"):
			if q == 1 {
				return periodArgs{Period: fmt.Sprintf("%d-Q4", y-1)}
			}
			return periodArgs{Period: fmt.Sprintf("%d-Q%d", y, q-1)}
		case containsAny(s, "this quarter", "current quarter", "quarter to date"):
			return periodArgs{Period: fmt.Sprintf("%d-Q%d", y, q)}
		case containsAny(s, "last month", "previous month", "past month"):
			t := time.Date(y, mo-1, 1, 0, 0, 0, 0, time.UTC)
			return periodArgs{Period: t.Format("2006-01")}
		case containsAny(s, "this month", "current month", "month to date"):
			return periodArgs{Period: asOf.Format("2006-01")}
		case containsAny(s, "last year", "previous year", "past year"):
			return periodArgs{Period: strconv.Itoa(y - 1)}
		case containsAny(s, "this year", "current year", "year to date", "ytd"):
			if containsAny(s, "year to date", "ytd") {
				return periodArgs{From: fmt.Sprintf("%d-01-01", y), To: day}
			}
			return periodArgs{Period: strconv.Itoa(y)}
		case containsAny(s, "last week", "past week", "previous week"):
			return periodArgs{From: asOf.AddDate(0, 0, -6).Format(time.DateOnly), To: day}
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
			return periodArgs{From: from.Format(time.DateOnly), To: day}
		}
	}
	if m := yearRe.FindStringSubmatchIndex(s); m != nil {
		p := periodArgs{Period: s[m[2]:m[3]]}
		if mark(m[0]) {
			return since(p)
		}
		return p
	}
	return periodArgs{}
}

// bounds returns the first day and the day after the last day of a
// Period-form periodArgs.
func bounds(p periodArgs) (time.Time, time.Time, bool) {
	var y, m, q int
	switch {
	case len(p.Period) == 4:
		if _, err := fmt.Sscanf(p.Period, "%4d", &y); err != nil {
			return time.Time{}, time.Time{}, false
		}
		s := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(1, 0, 0), true
	case strings.Contains(p.Period, "-Q"):
		if _, err := fmt.Sscanf(p.Period, "%4d-Q%d", &y, &q); err != nil {
			return time.Time{}, time.Time{}, false
		}
		s := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 3, 0), true
	case len(p.Period) == 7:
		if _, err := fmt.Sscanf(p.Period, "%4d-%2d", &y, &m); err != nil {
			return time.Time{}, time.Time{}, false
		}
		s := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return s, s.AddDate(0, 1, 0), true
	}
	return time.Time{}, time.Time{}, false
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
