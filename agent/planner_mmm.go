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
	_, hasChannel := a["channel"]
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
