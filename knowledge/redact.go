package knowledge

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Redaction kinds, each replaced in text by its placeholder in brackets
// (KindEmail becomes "[EMAIL]").
const (
	KindEmail   = "EMAIL"
	KindPhone   = "PHONE"
	KindCard    = "CARD"
	KindAddress = "ADDRESS"
)

// Redaction records one span Redact replaced: its kind and its byte
// offsets [Start, End) in the original text. It never holds the redacted
// value itself.
type Redaction struct {
	Kind  string `json:"kind"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

var (
	emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}`)
	// phoneRE finds candidate phone numbers: an optional "+", then digit
	// groups (a group may be in parentheses) separated by at most one space,
	// dot or dash. classifyPhone decides.
	phoneRE = regexp.MustCompile(`(?:\+ ?)?(?:\(\d{1,5}\)|\d+)(?:[ .\-]?(?:\(\d{1,5}\)|\d+))*`)
	// addressRE finds a house number, one to four name words and a street
	// type. addressOK filters the candidates.
	addressRE = regexp.MustCompile(`(?i)\b\d{1,5}[a-z]?,?[ \t]+((?:[\p{L}'’.\-]+[ \t]+){1,4}?)(street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|close|court|ct|way|place|pl|crescent|cres|terrace|gardens|square|sq|hill|row|parkway|pkwy|highway|hwy|grove|mews)\b\.?`)
	// postcodeRE finds UK postcodes: outward code (area letters, district
	// digit and optional letter or digit), optional space, inward code.
	postcodeRE = regexp.MustCompile(`(?i)\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b`)
)

// ambiguousStreetTypes are street types that are also ordinary words or
// abbreviations ("way", "close", "st"); an address ending in one needs
// capitalised words ("12 Abbey Way", not "3 dresses way").
var ambiguousStreetTypes = map[string]bool{
	"st": true, "rd": true, "ln": true, "dr": true, "ct": true, "pl": true,
	"sq": true, "close": true, "court": true, "way": true, "place": true,
	"hill": true, "row": true, "gardens": true, "square": true, "grove": true,
	"cres": true, "mews": true,
}

// addressStopWords may not appear between a house number and a street
// type: they show ordinary prose ("2 days on the road").
var addressStopWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "on": true, "in": true,
	"at": true, "to": true, "for": true, "and": true, "or": true, "but": true,
	"is": true, "was": true, "are": true, "were": true, "my": true, "your": true,
	"it": true, "its": true, "this": true, "that": true, "with": true,
	"by": true, "from": true, "down": true, "up": true, "out": true,
	"days": true, "day": true, "weeks": true, "week": true, "times": true,
	"hours": true, "minutes": true, "months": true, "years": true,
}

// Redact replaces personal data in text with placeholders and returns
// the new text and the replaced spans, ordered by position:
//
//   - e-mail addresses → [EMAIL];
//   - payment-card-like numbers → [CARD]: 13–19 digits, optionally grouped
//     by spaces or dashes, passing the Luhn checksum;
//   - phone numbers → [PHONE]: "+" and 8–15 digits (E.164), UK national
//     numbers (0 and 10–11 digits), or US numbers grouped 3-3-4 with
//     separators or an area code in parentheses (optionally led by 1);
//   - street addresses → [ADDRESS]: a house number, up to four name words
//     and a street type (Street, St, Road, Rd, Avenue, Lane, …), and UK
//     postcodes (e.g. SW1A 1AA).
//
// Prices ("£12.50"), sizes ("size 12"), dates ("12/05/2023",
// "2023-12-01") and order numbers ("536365", "C536365") are left alone:
// they are too short, fail the checksum or lack a phone number's shape.
// Where matches overlap, the earlier kind in the list above wins.
// Redact is a heuristic: it misses unusual formats, and a 10–11-digit
// number starting with 0 is taken for a UK phone number.
func Redact(text string) (string, []Redaction) {
	var spans []Redaction
	taken := func(s, e int) bool {
		for _, r := range spans {
			if s < r.End && r.Start < e {
				return true
			}
		}
		return false
	}
	add := func(kind string, s, e int) {
		if !taken(s, e) {
			spans = append(spans, Redaction{Kind: kind, Start: s, End: e})
		}
	}
	// Cheap prefilters: every pattern but e-mail needs a digit.
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range emailRE.FindAllStringIndex(text, -1) {
			add(KindEmail, m[0], m[1])
		}
	}
	if strings.IndexAny(text, "0123456789") < 0 {
		if len(spans) == 0 {
			return text, nil
		}
		return replaceSpans(text, spans)
	}
	for _, m := range digitRuns(text) {
		if e := cardEnd(text, m[0], m[1]); e > 0 {
			add(KindCard, m[0], e)
		}
	}
	for _, m := range phoneRE.FindAllStringIndex(text, -1) {
		if e := phoneEnd(text, m[0], m[1]); e > 0 {
			add(KindPhone, m[0], e)
		}
	}
	for _, m := range addressRE.FindAllStringSubmatchIndex(text, -1) {
		if addressOK(text[m[2]:m[3]], text[m[4]:m[5]]) {
			add(KindAddress, m[0], m[1])
		}
	}
	for _, m := range postcodeRE.FindAllStringIndex(text, -1) {
		if postcodeOK(text[m[0]:m[1]]) {
			add(KindAddress, m[0], m[1])
		}
	}
	if len(spans) == 0 {
		return text, nil
	}
	return replaceSpans(text, spans)
}

// replaceSpans sorts spans and replaces each with its placeholder.
func replaceSpans(text string, spans []Redaction) (string, []Redaction) {
	slices.SortFunc(spans, func(a, b Redaction) int { return a.Start - b.Start })
	var b strings.Builder
	last := 0
	for _, r := range spans {
		b.WriteString(text[last:r.Start])
		b.WriteString("[" + r.Kind + "]")
		last = r.End
	}
	b.WriteString(text[last:])
	return b.String(), spans
}

// digitsOf returns the ASCII digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// standalone reports whether text[s:e] is not glued to a letter, digit or
// decimal point on either side (so "C536365…" or "12.5…" parts are skipped).
func standalone(text string, s, e int) bool {
	if s > 0 {
		c := text[s-1]
		if isAlnum(c) || c == '+' || c == '.' || c == ',' || c == '£' || c == '$' || c == '/' {
			return false
		}
		if c >= 0x80 { // a multi-byte rune: check it is not a letter or currency sign
			r := lastRune(text[:s])
			if unicode.IsLetter(r) || unicode.Is(unicode.Sc, r) {
				return false
			}
		}
	}
	if e < len(text) {
		c := text[e]
		if isAlnum(c) || c == '/' {
			return false
		}
		if (c == '.' || c == ',') && e+1 < len(text) && text[e+1] >= '0' && text[e+1] <= '9' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func lastRune(s string) rune {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xC0 {
			for _, r := range s[i:] {
				return r
			}
		}
	}
	return 0
}

// digitRuns returns the [start, end) byte ranges of runs of ASCII digits
// in which single spaces or dashes may separate digit groups.
func digitRuns(text string) [][2]int {
	var runs [][2]int
	isDigit := func(i int) bool { return i < len(text) && text[i] >= '0' && text[i] <= '9' }
	for i := 0; i < len(text); {
		if !isDigit(i) {
			i++
			continue
		}
		j := i
		for {
			for isDigit(j) {
				j++
			}
			if j < len(text) && (text[j] == ' ' || text[j] == '-') && isDigit(j+1) {
				j++
				continue
			}
			break
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// cardEnd returns the end of the card number starting at s within the
// digit run text[s:e], dropping trailing groups while the run is longer
// than 19 digits ("4111 1111 1111 1111 2024"), or −1 when there is none.
func cardEnd(text string, s, e int) int {
	for e > s {
		if cardOK(text, s, e) {
			return e
		}
		if len(digitsOf(text[s:e])) <= 19 {
			return -1
		}
		i := strings.LastIndexAny(text[s:e], " -")
		if i < 0 {
			return -1
		}
		e = s + i
	}
	return -1
}

// cardOK reports whether text[s:e] is a standalone 13–19-digit number
// passing the Luhn check.
func cardOK(text string, s, e int) bool {
	if !standalone(text, s, e) {
		return false
	}
	d := digitsOf(text[s:e])
	return len(d) >= 13 && len(d) <= 19 && Luhn(d)
}

// Luhn reports whether the decimal digit string digits passes the Luhn
// (mod 10) checksum used by payment card numbers (ISO/IEC 7812-1). It
// returns false for an empty string or one holding a non-digit.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

var (
	usPhoneRE = regexp.MustCompile(`^(?:1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}$`)
	ukPhoneRE = regexp.MustCompile(`^(?:\(0\d{2,4}\)|0\d{2,4})(?:[ \-]?\d{3,4}){1,2}$`)
	// ukPhoneDigitsRE: UK numbers start 01, 02, 03, 05, 07, 08 or 09.
	ukPhoneDigitsRE = regexp.MustCompile(`^0[1-35789]\d{8,9}$`)
)

// phoneEnd returns the end of the longest phone number starting at s
// within the candidate text[s:e], dropping trailing digit groups that
// break the format ("020 7946 0958 2 times"), or −1 when there is none.
func phoneEnd(text string, s, e int) int {
	for e > s {
		if phoneOK(text, s, e) {
			return e
		}
		// cut the last group and the separator before it
		i := e - 1
		for i > s && text[i-1] != ' ' && text[i-1] != '.' && text[i-1] != '-' {
			i--
		}
		if i <= s {
			break
		}
		e = i - 1
	}
	return -1
}

// phoneOK reports whether text[s:e] is a standalone phone number in an
// international, UK or US format.
func phoneOK(text string, s, e int) bool {
	cand := text[s:e]
	if strings.HasPrefix(cand, "+") {
		if s > 0 && isAlnum(text[s-1]) {
			return false
		}
		if e < len(text) && (isAlnum(text[e]) || text[e] == '/') {
			return false
		}
		n := len(digitsOf(cand))
		return n >= 8 && n <= 15
	}
	if !standalone(text, s, e) {
		return false
	}
	if usPhoneRE.MatchString(cand) {
		return true
	}
	return ukPhoneRE.MatchString(cand) && ukPhoneDigitsRE.MatchString(digitsOf(cand))
}

// addressOK filters address candidates: no prose words between number
// and street type, and capitalised words when the street type is also an
// ordinary word.
func addressOK(name, streetType string) bool {
	ws := strings.Fields(name)
	for _, w := range ws {
		if addressStopWords[strings.ToLower(strings.Trim(w, ".-'’"))] {
			return false
		}
	}
	if ambiguousStreetTypes[strings.ToLower(streetType)] {
		if !startsUpper(streetType) {
			return false
		}
		for _, w := range ws {
			if !startsUpper(w) {
				return false
			}
		}
	}
	return true
}

func startsUpper(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}

// postcodeOK accepts a UK postcode candidate written all upper case, or
// all lower case with the space ("sw1a 1aa"), to avoid words like "xl2 5xl".
func postcodeOK(c string) bool {
	if strings.ToUpper(c) == c {
		return true
	}
	return strings.ToLower(c) == c && strings.Contains(c, " ")
}
