package agent

import (
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms"
)

func TestHistoryMessages(t *testing.T) {
	h := []Turn{
		{Question: "q1", Answer: strings.Repeat("a", 100)},
		{Question: "q2", Answer: "a2"},
		{Question: "q3", Answer: "a3"},
		{Question: "q4", Answer: "a4"},
	}
	render := func(msgs []llms.MessageContent) string {
		var s []string
		for _, m := range msgs {
			s = append(s, string(m.Role)[:1]+":"+textOf(m))
		}
		return strings.Join(s, " ")
	}
	if got, want := render(historyMessages(h, 2, 1000)), "h:q3 a:a3 h:q4 a:a4"; got != want {
		t.Errorf("historyMessages(turns 2) = %s; want %s", got, want)
	}
	if got, want := render(historyMessages(h, 10, 50)), "h:q2 a:a2 h:q3 a:a3 h:q4 a:a4"; got != want {
		t.Errorf("historyMessages(chars 50) = %s; want %s", got, want)
	}
	if got := historyMessages(h, 10, 3); len(got) != 0 {
		t.Errorf("historyMessages(chars 3) = %d messages; want 0", len(got))
	}
}

func TestClip(t *testing.T) {
	s := strings.Repeat("é", 10) // 20 bytes
	got := clip(s, 5)
	if !strings.HasPrefix(got, "éé\n[result cut at 4 of 20 characters]") {
		t.Errorf("clip(é×10, 5) = %q; want two runes and the mark", got)
	}
	if clip("short", 10) != "short" {
		t.Errorf("clip(short, 10) changed the text")
	}
}

func textOf(m llms.MessageContent) string {
	var b strings.Builder
	for _, part := range m.Parts {
		if t, ok := part.(llms.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
