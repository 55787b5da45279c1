package planner

import (
	"regexp"
	"slices"
	"strings"
)

// Correction is one word of a question read as a name of the data.
type Correction struct {
	From, To string
}

// osa returns the optimal string alignment distance between a and b
// (Levenshtein distance with adjacent transpositions counted as one edit;
// Damerau 1964), over runes.
func osa(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// maxEdits is the number of edits a word of n letters may be from a name:
// none below 5 letters, 1 up to 7, 2 from 8.
func maxEdits(n int) int {
	switch {
	case n < 5:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// commonWords are words that sit one or two edits from a name of the
// data but are ordinary English; they are never corrected.
var commonWords = map[string]bool{
	"spend": true, "spent": true, "trend": true, "trends": true, "total": true, "totals": true, "direct": true,
	"channel": true, "channels": true, "customer": true, "customers": true, "return": true, "returns": true,
	"sales": true, "order": true, "orders": true, "group": true, "groups": true, "report": true, "reports": true,
	"display": true, "linear": true, "lifts": true, "model": true, "models": true, "period": true, "months": true,
	"months'": true, "weeks": true, "which": true, "where": true, "there": true, "their": true, "these": true,
	"compare": true, "between": true, "summary": true, "details": true, "detail": true, "intimates": true,
	"attribution": true, "segments": true, "segment": true, "clusters": true, "revenue": true, "buyers": true,
	"france's": true, "people": true, "search": true, "social": true, "champion": true, "champions": true,
}

var fuzzyWordRe = regexp.MustCompile(`[a-z][a-z']*`)

// fuzzyNames returns the single words a question may misspell: the words
// of the data's countries, categories and campaigns, the channel variants
// and the country aliases.
func (p *Planner) fuzzyNames() map[string]bool {
	names := map[string]bool{}
	add := func(s string) {
		for _, w := range fuzzyWordRe.FindAllString(strings.ToLower(s), -1) {
			if len(w) >= 5 {
				names[w] = true
			}
		}
	}
	voc := p.vocab()
	for _, l := range [][]string{voc.Countries, voc.Categories, voc.Campaigns} {
		for _, n := range l {
			add(n)
		}
	}
	for _, ph := range p.channelTable() {
		for _, v := range ph.variants {
			add(v)
		}
	}
	for a, target := range countryAliases {
		// Only aliases of countries in the data: "Iceland" must not be
		// read as "Ireland" when the data has no Ireland.
		if slices.ContainsFunc(voc.Countries, func(c string) bool { return strings.EqualFold(c, target) }) {
			add(a)
		}
	}
	return names
}

// correct replaces the words of s that are within maxEdits of exactly one
// name word (same first letter) by that name word, and returns the
// corrections made.
func (p *Planner) correct(s string) (string, []Correction) {
	names := p.fuzzyNames()
	lower := strings.ToLower(s)
	var out strings.Builder
	var fixes []Correction
	last := 0
	for _, loc := range fuzzyWordRe.FindAllStringIndex(lower, -1) {
		w := strings.TrimSuffix(lower[loc[0]:loc[1]], "'s")
		w = strings.TrimSuffix(w, "'")
		k := maxEdits(len(w))
		if k == 0 || names[w] || commonWords[w] || names[w+"s"] || names[w+"es"] ||
			names[strings.TrimSuffix(w, "s")] || names[strings.TrimSuffix(w, "es")] {
			// Singular and plural forms are matched by the vocabulary
			// tables themselves ("bottom" is not "Bottoms").
			continue
		}
		best, n := "", 0
		bestD := k + 1
		for name := range names {
			if name[0] != w[0] || abs(len(name)-len(w)) > k {
				continue
			}
			d := osa(w, name)
			switch {
			case d < bestD:
				best, bestD, n = name, d, 1
			case d == bestD:
				n++
			}
		}
		if best == "" || n != 1 {
			continue
		}
		out.WriteString(s[last:loc[0]])
		out.WriteString(best)
		last = loc[0] + len(w)
		fixes = append(fixes, Correction{From: s[loc[0] : loc[0]+len(w)], To: best})
	}
	out.WriteString(s[last:])
	return out.String(), fixes
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// slotWords are the words the slot extractor reads beyond the data's
// names: the phrase tables' words and the words of its patterns.
var slotWords = func() map[string]bool {
	m := map[string]bool{}
	add := func(s string) {
		for _, w := range fuzzyWordRe.FindAllString(strings.ToLower(s), -1) {
			m[w] = true
		}
	}
	for _, t := range [][]phrase{channelPhrases, attributionPhrases, segmentPhrases} {
		for _, ph := range t {
			add(ph.value)
			for _, v := range ph.variants {
				add(v)
			}
		}
	}
	for a := range countryAliases {
		add(a)
	}
	for mo := range monthNames {
		add(mo)
	}
	add(`window lookback days day weeks week months month years year quarter quarters half clusters cluster
		support confidence lift horizon next last previous past this current top bottom worst best lowest highest
		margin excluding except without between since from until through compare versus against each every
		segment segments tier middle high low hierarchical ward kmeans means limit first second product products
		country countries campaign campaigns channel channels negative positive today yesterday date dates`)
	return m
}()

func lexiconWord(w string) bool { return slotWords[w] }
