package knowledge

import (
	"strings"
	"unicode"
)

// Theme names: the fashion-retail aspects Themes tags. They are stable
// identifiers that tools return and filters accept.
const (
	ThemeSizing   = "sizing"   // size and fit: runs small, too tight, true to size
	ThemeFabric   = "fabric"   // fabric and material: cotton, lining, sheer, stretch
	ThemeQuality  = "quality"  // make and durability: stitching, holes, pilling, fell apart
	ThemePrice    = "price"    // price and value for money: expensive, worth it, sale
	ThemeDelivery = "delivery" // delivery and shipping: arrived late, courier, tracking
	ThemeColor    = "color"    // colour: faded, shade, not as pictured colour
	ThemeStyle    = "style"    // style and look: flattering, design, cut, pattern
	ThemeComfort  = "comfort"  // comfort: comfy, soft, itchy, breathable
	ThemeService  = "service"  // returns and customer service: refund, exchange, support
)

// AllThemes lists the themes in their canonical order, the order Themes
// returns them in.
var AllThemes = []string{
	ThemeSizing, ThemeFabric, ThemeQuality, ThemePrice, ThemeDelivery,
	ThemeColor, ThemeStyle, ThemeComfort, ThemeService,
}

// themeLexicon is the keyword lexicon behind Themes: for each theme, the
// word forms and multi-word phrases that signal it. Entries are lowercase
// words as produced by words (letters and digits; apostrophes dropped, so
// "doesn't" is "doesnt"; hyphens split, so "see-through" is "see through").
// Inflected forms are listed explicitly rather than stemmed, so that
// matching stays predictable; bare colour names ("black") and generic
// praise ("love", "great") are left out on purpose because they say
// nothing about which aspect is discussed.
var themeLexicon = map[string][]string{
	ThemeSizing: {
		"size", "sizes", "sized", "sizing", "fit", "fits", "fitted", "fitting",
		"tight", "tighter", "loose", "looser", "baggy", "snug", "roomy", "boxy",
		"oversized", "petite", "length", "waist", "bust", "hips", "inseam",
		"measurements", "xs", "xxs", "xl", "xxl", "tts",
		"runs small", "runs large", "runs big", "run small", "run large", "run big",
		"ran small", "ran large", "too small", "too big", "too large", "too long",
		"too short", "too tight", "too loose", "true to size", "size up", "size down",
		"sized up", "sized down",
	},
	ThemeFabric: {
		"fabric", "fabrics", "material", "materials", "cotton", "linen", "silk",
		"polyester", "wool", "cashmere", "denim", "lace", "knit", "rayon",
		"viscose", "spandex", "elastane", "chiffon", "velvet", "leather", "lining",
		"lined", "unlined", "sheer", "stretch", "stretchy", "texture", "thin",
		"see through", "synthetic",
	},
	ThemeQuality: {
		"quality", "stitching", "stitch", "seam", "seams", "hole", "holes",
		"ripped", "rip", "tore", "torn", "tear", "unravel", "unraveled",
		"unravelled", "pilling", "pilled", "pills", "durable", "flimsy", "cheaply",
		"defect", "defective", "faulty", "broke", "broken", "zipper", "zip",
		"shrank", "shrunk", "shrink", "well made", "poorly made", "badly made",
		"fell apart", "falling apart", "cheap looking", "looks cheap",
	},
	ThemePrice: {
		"price", "prices", "priced", "pricey", "pricy", "cost", "costs", "costly",
		"expensive", "overpriced", "cheap", "cheaper", "affordable", "value",
		"worth", "bargain", "sale", "discount", "discounted", "money", "deal",
		"full price",
	},
	ThemeDelivery: {
		"delivery", "deliveries", "delivered", "deliver", "shipping", "shipped",
		"ship", "shipment", "arrived", "arrive", "arrival", "courier", "parcel",
		"package", "packaging", "dispatch", "dispatched", "tracking", "postage",
		"late", "delayed", "delay",
	},
	ThemeColor: {
		"color", "colors", "colour", "colours", "colored", "coloured", "shade",
		"shades", "hue", "faded", "fade", "fades", "vibrant", "dull", "washed out",
	},
	ThemeStyle: {
		"style", "styles", "stylish", "styling", "look", "looks", "design",
		"designed", "flattering", "unflattering", "cut", "cute", "elegant", "chic",
		"trendy", "fashionable", "pattern", "print", "silhouette", "neckline",
	},
	ThemeComfort: {
		"comfortable", "comfy", "uncomfortable", "comfort", "soft", "softness",
		"itchy", "itch", "scratchy", "cozy", "cosy", "breathable", "warm",
		"easy to wear", "all day",
	},
	ThemeService: {
		"return", "returns", "returned", "returning", "refund", "refunds",
		"refunded", "exchange", "exchanged", "service", "support", "staff",
		"helpful", "unhelpful", "rude", "complaint", "replied", "reply",
		"response", "customer service",
	},
}

// themeIndex maps the first word of each lexicon entry to the entries
// (as word slices) that start with it, and the themes they signal.
var themeIndex = func() map[string][]themeEntry {
	idx := make(map[string][]themeEntry)
	for _, th := range AllThemes {
		for _, phrase := range themeLexicon[th] {
			ws := strings.Fields(phrase)
			idx[ws[0]] = append(idx[ws[0]], themeEntry{words: ws, theme: th})
		}
	}
	return idx
}()

type themeEntry struct {
	words []string
	theme string
}

// IsTheme reports whether name is one of AllThemes.
func IsTheme(name string) bool {
	for _, th := range AllThemes {
		if th == name {
			return true
		}
	}
	return false
}

// Themes returns the retail aspects text mentions, each once, in the
// order of AllThemes; nil when none. Matching is by whole lowercase words
// and phrases of a documented keyword lexicon (e.g. "runs small" and
// "fit" signal ThemeSizing, "refund" ThemeService); it is lexical, so
// "not comfortable" is still ThemeComfort (sentiment is scored apart).
func Themes(text string) []string {
	found := themeHits(words(text))
	var out []string
	for _, th := range AllThemes {
		if found[th] > 0 {
			out = append(out, th)
		}
	}
	return out
}

// themeHits counts lexicon matches per theme in a word sequence.
func themeHits(ws []string) map[string]int {
	found := make(map[string]int)
	for i, w := range ws {
		for _, e := range themeIndex[w] {
			if i+len(e.words) > len(ws) {
				continue
			}
			match := true
			for j := 1; j < len(e.words); j++ {
				if ws[i+j] != e.words[j] {
					match = false
					break
				}
			}
			if match {
				found[e.theme]++
			}
		}
	}
	return found
}

// words splits text into lowercase words of letters and digits.
// Apostrophes inside a word are dropped ("doesn't" → "doesnt"); any other
// character separates words.
func words(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0:
			// drop apostrophes inside words
		default:
			flush()
		}
	}
	flush()
	return out
}
