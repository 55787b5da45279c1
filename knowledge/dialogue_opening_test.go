package knowledge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// openingIntents announce feedback (or greet) without giving any; none
// may become the details.
var openingIntents = []string{
	"Hi, I want to give feedback",
	"I want to tell you about my last order",
	"Hello! I'd like to leave some feedback please",
	"Can I share feedback on my recent purchase?",
	"Hey there, I have some feedback about my order",
	"Good morning, I would like to give you a review of my last order",
	"hi i’d love to share my thoughts on my last purchase",
	"I wanted to tell you about my order 536365",
	"Hello, I have a complaint about order #536365",
	"Just wanted to leave a quick review, thanks",
}

// substantiveOpenings carry feedback in the first message.
var substantiveOpenings = []string{
	"The dress I ordered runs two sizes small and the fabric pilled after one wash",
	"Hi, I want to give feedback: the heart holder arrived broken but support was kind",
	"Hello, the jumper is lovely and soft, my daughter wears it every day",
	// No theme or sentiment, but eight content words.
	"I bought the blue teapot for my sister's birthday last Tuesday and she opened it yesterday evening",
}

func TestReadsAsFeedback(t *testing.T) {
	for _, msg := range openingIntents {
		if ReadsAsFeedback(msg) {
			_, content := feedbackContent(msg)
			t.Errorf("ReadsAsFeedback(%q) = true (content words %q); want false", msg, content)
		}
	}
	for _, msg := range substantiveOpenings {
		if !ReadsAsFeedback(msg) {
			_, content := feedbackContent(msg)
			t.Errorf("ReadsAsFeedback(%q) = false (content words %q); want true", msg, content)
		}
	}
	// Short messages need a theme or sentiment signal.
	for msg, want := range map[string]bool{
		"I'll give it 2 weeks before deciding": false, // six content words, no signal
		"Zip broke after a week":               true,  // quality theme
		"Really happy with everything":         true,  // positive sentiment
		"I want to complain":                   false, // sentiment, one content word
	} {
		if got := ReadsAsFeedback(msg); got != want {
			t.Errorf("ReadsAsFeedback(%q) = %v; want %v", msg, got, want)
		}
	}
}

func TestRuleExtractor_OpeningIntentNoDetails(t *testing.T) {
	for _, msg := range openingIntents {
		got, err := RuleExtractor{}.Extract(context.Background(), msg)
		if err != nil || got.Details != "" {
			t.Errorf("Extract(%q) details = %q, %v; want none, nil", msg, got.Details, err)
		}
	}
	for _, msg := range substantiveOpenings {
		got, err := RuleExtractor{}.Extract(context.Background(), msg)
		if err != nil || got.Details != msg {
			t.Errorf("Extract(%q) details = %q, %v; want the message, nil", msg, got.Details, err)
		}
	}
}

// TestCollector_OpeningIntentAsksDetails walks the dialogue from each
// announcing opening to the stored Feedback: the details are asked in
// their own step and the stored text is the answer to it.
func TestCollector_OpeningIntentAsksDetails(t *testing.T) {
	const complaint = "The heart holder arrived broken but support was kind"
	for _, opening := range openingIntents {
		t.Run(opening, func(t *testing.T) {
			rec := &fakeRecorder{}
			c := newCollector(rec)
			s, r := turn(t, c, NewState("conv", "U7"), opening)
			if s.Slots.Details != "" {
				t.Fatalf("after opening %q details = %q; want none", opening, s.Slots.Details)
			}
			if s.Step == StepAbout {
				s, _ = turn(t, c, s, "order 536365")
			}
			wantStep(t, s, StepRating, "the order")
			// The reported walk: invalid ratings first, then 4.
			for _, bad := range []string{"great", "10"} {
				s, _ = turn(t, c, s, bad)
				wantStep(t, s, StepRating, bad)
			}
			s, r = turn(t, c, s, "4")
			wantStep(t, s, StepDetails, "4")
			if !strings.Contains(r.Text, "tell me more") || strings.Contains(r.Text, "Details:") {
				t.Fatalf("reply after rating = %q; want the details question, not a read-back", r.Text)
			}
			s, _ = turn(t, c, s, complaint)
			wantStep(t, s, StepConsent, complaint)
			s, r = turn(t, c, s, "no")
			wantStep(t, s, StepConfirm, "no")
			if want := `Details: "` + complaint + `"`; !strings.Contains(r.Text, want) {
				t.Errorf("read-back = %q; want it to contain %q", r.Text, want)
			}
			s, _ = turn(t, c, s, "yes")
			wantStep(t, s, StepDone, "yes")
			if len(rec.rows) != 1 {
				t.Fatalf("recorded %d rows; want 1", len(rec.rows))
			}
			f := rec.rows[0]
			if f.Text != complaint || f.OrderID != "536365" || f.Rating != 4 || f.CustomerID != "U7" || f.Consent {
				t.Errorf("recorded %+v; want text %q, order 536365, rating 4, customer U7, no consent", f, complaint)
			}
			if want := []string{ThemeQuality, ThemeDelivery, ThemeService}; !slices.Equal(f.Themes, want) {
				t.Errorf("recorded themes = %v; want %v", f.Themes, want)
			}
		})
	}
}

// TestCollector_SubstantiveOpeningIsDetails: feedback in the first
// message is the details, and the details step is not asked.
func TestCollector_SubstantiveOpeningIsDetails(t *testing.T) {
	const opening = "The dress I ordered runs two sizes small and the fabric pilled after one wash"
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s, _ := turn(t, c, NewState("conv", ""), opening)
	wantStep(t, s, StepAbout, opening)
	if s.Slots.Details != opening {
		t.Fatalf("after opening details = %q; want %q", s.Slots.Details, opening)
	}
	s, _ = turn(t, c, s, "order 536365")
	s, r := turn(t, c, s, "2")
	wantStep(t, s, StepConsent, "2")
	if strings.Contains(r.Text, "tell me more") {
		t.Errorf("reply after rating = %q; want the consent question, details already given", r.Text)
	}
	s, _ = turn(t, c, s, "yes")
	s, _ = turn(t, c, s, "yes")
	wantStep(t, s, StepDone, "yes")
	f := rec.rows[0]
	if f.Text != opening || f.OrderID != "536365" || f.Rating != 2 || !f.Consent {
		t.Errorf("recorded %+v; want text %q, order 536365, rating 2, consent", f, opening)
	}
	if want := []string{ThemeSizing, ThemeFabric, ThemeQuality}; !slices.Equal(f.Themes, want) {
		t.Errorf("recorded themes = %v; want %v", f.Themes, want)
	}
}

// TestCollector_ConfirmFreeTextAddsDetails: free text at the confirm
// step that is neither yes/no nor a command is added to the details and
// read back again, then stored.
func TestCollector_ConfirmFreeTextAddsDetails(t *testing.T) {
	const first, more = "Lovely colours, fast delivery.", "The heart holder arrived broken but support was kind"
	confirm := State{ConversationID: "c", Step: StepConfirm,
		Slots: Slots{OrderID: "536365", Rating: 4, Details: first, ConsentAnswered: true}}
	tests := []struct {
		name        string
		msg         string
		wantDetails string
		wantInReply string
		wantAttempt int
	}{
		{"LongFreeTextAppended", more, first + " " + more, `Details: "` + first + " " + more + `"`, 0},
		{"ShortUnclearReasked", "what?", first, "Please answer yes to submit", 1},
		{"ThreeWordsReasked", "hmm not sure", first, "Please answer yes to submit", 1},
		{"EditCommandNotAppended", "change the rating", first, "How would you rate it", 0},
		{"NoIsNotDetails", "no, the rating is wrong", first, "What would you like to change", 0},
		{"TooLongReasked", strings.Repeat("Broken again and again. ", MaxTextRunes/24), first, fmt.Sprintf("over %d characters", MaxTextRunes), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := turn(t, newCollector(&fakeRecorder{}), confirm, tt.msg)
			if s.Slots.Details != tt.wantDetails || s.Attempts != tt.wantAttempt || !strings.Contains(r.Text, tt.wantInReply) {
				t.Errorf("at confirm %q: details %q, attempts %d, reply %q; want details %q, attempts %d, reply containing %q",
					truncateRunes(tt.msg, 80), truncateRunes(s.Slots.Details, 80), s.Attempts, truncateRunes(r.Text, 300), tt.wantDetails, tt.wantAttempt, tt.wantInReply)
			}
		})
	}

	// The whole walk: the added text is read back, confirmed and stored.
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s, _ := turn(t, c, NewState("conv", ""), "order 536365, 4/5")
	wantStep(t, s, StepDetails, "first message")
	s, _ = turn(t, c, s, first)
	s, _ = turn(t, c, s, "no")
	wantStep(t, s, StepConfirm, "no (consent)")
	s, r := turn(t, c, s, more)
	wantStep(t, s, StepConfirm, more)
	if !strings.Contains(r.Text, "added that to your details") || !strings.Contains(r.Text, "Shall I submit it?") {
		t.Errorf("reply to free text at confirm = %q; want an acknowledgement and the read-back again", r.Text)
	}
	s, _ = turn(t, c, s, "yes")
	wantStep(t, s, StepDone, "yes")
	if len(rec.rows) != 1 || rec.rows[0].Text != first+" "+more || rec.rows[0].Rating != 4 {
		t.Fatalf("recorded %+v; want one row with text %q rated 4", rec.rows, first+" "+more)
	}
}
