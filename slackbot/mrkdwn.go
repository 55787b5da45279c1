package slackbot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*$`)
	bulletRE  = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	linkRE    = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	boldRE    = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*|__(\S(?:.*?\S)?)__`)
	italicRE  = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	strikeRE  = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
)

// escapeMrkdwn escapes the three characters Slack's mrkdwn reserves.
func escapeMrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// toMrkdwn converts the basics of Markdown to Slack mrkdwn: **bold** and
// __bold__ to *bold*, *italic* to _italic_, ~~strike~~ to ~strike~,
// [text](url) to <url|text>, headings to bold lines, list markers to
// bullets, and pipe tables to preformatted blocks. Code spans and fenced
// code are kept as they are (escaped). &, < and > are escaped everywhere.
func toMrkdwn(md string) string {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines)+4)
	inFence, inPipeTable := false, false
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "```") {
			if inPipeTable {
				out, inPipeTable = append(out, "```"), false
			}
			inFence = !inFence
			out = append(out, escapeMrkdwn(l))
			continue
		}
		if inFence {
			out = append(out, escapeMrkdwn(l))
			continue
		}
		isPipe := strings.HasPrefix(trimmed, "|") && strings.Count(trimmed, "|") >= 2
		switch {
		case isPipe && !inPipeTable:
			out, inPipeTable = append(out, "```"), true
		case !isPipe && inPipeTable:
			out, inPipeTable = append(out, "```"), false
		}
		if isPipe {
			out = append(out, escapeMrkdwn(l))
			continue
		}
		out = append(out, inlineMrkdwn(l))
	}
	if inPipeTable {
		out = append(out, "```")
	}
	return strings.Join(out, "\n")
}

// inlineMrkdwn converts one line outside code blocks.
func inlineMrkdwn(l string) string {
	if m := headingRE.FindStringSubmatch(l); m != nil {
		inner := boldRE.ReplaceAllString(m[1], "$1$2")
		return "*" + convertSpans(inner) + "*"
	}
	prefix := ""
	if loc := bulletRE.FindStringSubmatchIndex(l); loc != nil {
		prefix = l[loc[2]:loc[3]] + "• "
		l = l[loc[1]:]
	}
	return prefix + convertSpans(l)
}

// convertSpans converts emphasis and links outside `code spans`.
func convertSpans(l string) string {
	parts := strings.Split(l, "`")
	for i := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			parts[i] = escapeMrkdwn(parts[i]) // inside a code span
			continue
		}
		s := escapeMrkdwn(parts[i])
		s = linkRE.ReplaceAllString(s, "<$2|$1>")
		s = boldRE.ReplaceAllString(s, "\x00$1$2\x00")
		s = italicRE.ReplaceAllString(s, "_${1}_")
		s = strikeRE.ReplaceAllString(s, "~$1~")
		parts[i] = strings.ReplaceAll(s, "\x00", "*")
	}
	return strings.Join(parts, "`")
}

// splitSections splits mrkdwn text into chunks of at most limit bytes,
// at line breaks where possible, closing and reopening a code fence that a
// split falls inside.
func splitSections(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var chunks []string
	var cur strings.Builder
	inFence := false
	flush := func() {
		c := cur.String()
		if inFence {
			c += "\n```"
		}
		if strings.TrimSpace(c) != "" && strings.TrimSpace(c) != "```\n```" {
			chunks = append(chunks, c)
		}
		cur.Reset()
		if inFence {
			cur.WriteString("```\n")
		}
	}
	const fenceRoom = 4 // "\n```" closing a split fence
	for _, line := range strings.Split(s, "\n") {
		for len(line) > limit-fenceRoom-4 { // a single overlong line
			n := cutAt(line, limit-fenceRoom-4-cur.Len())
			if n <= 0 {
				flush()
				continue
			}
			cur.WriteString(line[:n])
			line = line[n:]
			flush()
		}
		if cur.Len() > 0 && cur.Len()+1+len(line)+fenceRoom > limit {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
		}
	}
	if cur.Len() > 0 {
		inFence = false
		flush()
	}
	return chunks
}

// cutAt returns a byte index ≤ n at which to cut s: the last space before
// n, or n moved back to a rune boundary.
func cutAt(s string, n int) int {
	if n <= 0 {
		return 0
	}
	if n >= len(s) {
		return len(s)
	}
	if i := strings.LastIndexByte(s[:n], ' '); i > n/2 {
		return i + 1
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
