package planner

import (
	"regexp"
	"strconv"
	"strings"
)

var pctRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)`)

// mmmArgs builds the mmm tool's arguments from the question (q is its
// interlingua form, w the words() of q): the action from its wording, the
// channel it names, and for a what-if the spend change as a fraction ("cut
// display by 20%" → -0.2).
func (p *Planner) mmmArgs(q, w string) map[string]any {
	a := map[string]any{"action": "roas"}
	if chs := matchPhrases(dropDisplayVerb(w), p.channelTable()); len(chs) > 0 {
		a["channel"] = chs[0]
	} else if chs := matchPhrases(w, channelPhrases); len(chs) > 0 {
		a["channel"] = chs[0]
	} else if hasAny(w, "tv", "television") {
		a["channel"] = "tv"
	}
	_, hasChannel := a["channel"]
	switch {
	case hasChannel && (hasAny(w, "which roas should i believe", "which roas to believe", "roas should i believe", "triangulate", "triangulation",
		"lift test", "lift tests") || hasAny(w, "attribution") && hasAny(w, "mmm", "media mix model", "mix model")):
		a["action"] = "triangulate"
	case hasAny(w, "split", "allocate", "allocation", "reallocate", "where should the next", "divide", "distribute", "optimise", "optimize") &&
		hasAny(w, "budget", "spend", "money", "next"):
		a["action"] = "budget"
	case hasChannel && hasAny(w, "what if", "what happens if", "if we", "what do we get if"):
		change := 0.0
		if m := pctRe.FindStringSubmatch(strings.ToLower(q)); m != nil {
			change, _ = strconv.ParseFloat(m[1], 64)
			change /= 100
		}
		switch {
		case hasAny(w, "double", "doubled"):
			change = 1
		case hasAny(w, "halve", "halved"):
			change = -0.5
		case hasAny(w, "stop", "pause", "turn off", "switch off", "drop"):
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
	case hasChannel && hasAny(w, "response curve", "response curves", "diminishing returns", "saturation", "saturation curve"):
		a["action"] = "response_curve"
	}
	return a
}
