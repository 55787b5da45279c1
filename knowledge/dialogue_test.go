package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRating(t *testing.T) {
	tests := []struct {
		msg  string
		want int // 0 = not a rating
	}{
		{"4", 4}, {" 4 ", 4}, {"4!", 4}, {"four", 4}, {"Four stars", 4}, {"4/5", 4}, {"4 / 5", 4},
		{"4 out of 5", 4}, {"4 stars", 4}, {"1 star", 1}, {"a 3", 3}, {"★★★★", 4}, {"five", 5},
		{"I'd rate it 2", 2}, {"I would give it a 5.", 5},
		{"0", 0}, {"6", 0}, {"10/10", 0}, {"4.5", 0}, {"4.5/5", 0}, {"great", 0}, {"", 0},
		{"4/5/2023", 0}, {"six stars", 0}, {"★★★★★★", 0},
	}
	for _, tt := range tests {
		got, ok := ParseRating(tt.msg)
		if ok != (tt.want != 0) || got != tt.want {
			t.Errorf("ParseRating(%q) = %d, %v; want %d, %v", tt.msg, got, ok, tt.want, tt.want != 0)
		}
	}
}

func TestRuleExtractor(t *testing.T) {
	tests := []struct {
		name, msg string
		want      Slots
	}{
		{"OrderRatingDetails", "Hi, order #536365 - 2/5, the jeans run small and the zip broke",
			Slots{OrderID: "536365", Rating: 2, Details: "Hi, order #536365 - 2/5, the jeans run small and the zip broke"}},
		{"InvoiceNo", "invoice no. C536379 please", Slots{OrderID: "C536379"}},
		{"HashOnly", "about #581587", Slots{OrderID: "581587"}},
		{"StarsInText", "five stars, lovely", Slots{Rating: 5}},
		// A bare number in free text is not a rating, nor is a short order number.
		{"BareNumberNotRating", "I bought 2 dresses, order 1234", Slots{}},
		{"DateNotRating", "ordered 4/5/2023", Slots{}},
		{"GiveItTimeNotRating", "I'll give it 2 weeks before deciding", Slots{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RuleExtractor{}.Extract(context.Background(), tt.msg)
			if err != nil || got != tt.want {
				t.Errorf("Extract(%q) = %+v, %v; want %+v, nil", tt.msg, got, err, tt.want)
			}
		})
	}
}

// fakeRecorder is a hand-written Recorder that honours idempotency keys
// like a unique index would, and counts calls and rows.
type fakeRecorder struct {
	calls  int
	rows   []Feedback
	byKey  map[string]int64
	keys   []string
	failOn int // fail the nth call (1-based); 0 never
}

func (r *fakeRecorder) RecordFeedback(_ context.Context, f Feedback, key string) (int64, error) {
	r.calls++
	r.keys = append(r.keys, key)
	if r.calls == r.failOn {
		return 0, errors.New("database unavailable")
	}
	if id, ok := r.byKey[key]; ok {
		return id, nil
	}
	if r.byKey == nil {
		r.byKey = make(map[string]int64)
	}
	r.rows = append(r.rows, f)
	id := int64(100 + len(r.rows))
	r.byKey[key] = id
	return id, nil
}

var testNow = time.Date(2024, 6, 3, 14, 0, 0, 0, time.UTC)

func newCollector(rec Recorder) *Collector {
	return &Collector{Recorder: rec, Now: func() time.Time { return testNow }}
}

// turn runs one message and fails the test on error.
func turn(t *testing.T, c *Collector, s State, msg string) (State, Reply) {
	t.Helper()
	next, r, err := c.Step(context.Background(), s, msg)
	if err != nil {
		t.Fatalf("Step(%q at %s): %v", msg, s.Step, err)
	}
	return next, r
}

func wantStep(t *testing.T, s State, want Step, after string) {
	t.Helper()
	if s.Step != want {
		t.Fatalf("after %q step = %s; want %s", after, s.Step, want)
	}
}

const details = "The dress runs small and the fabric feels cheap. Email me at jo@example.com"

func TestCollector_HappyPath(t *testing.T) {
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s := NewState("T123/C9", "U42")

	s, r := turn(t, c, s, "hi")
	wantStep(t, s, StepAbout, "hi")
	if !strings.Contains(r.Text, "order or product") {
		t.Errorf("greeting reply = %q; want the about question", r.Text)
	}
	s, _ = turn(t, c, s, "order 536365")
	wantStep(t, s, StepRating, "order 536365")
	s, r = turn(t, c, s, "four stars")
	wantStep(t, s, StepDetails, "four stars")
	s, _ = turn(t, c, s, details)
	wantStep(t, s, StepConsent, "details")
	s, r = turn(t, c, s, "yes please")
	wantStep(t, s, StepConfirm, "yes please")
	for _, want := range []string{"order 536365", "Rating: 4/5", "[EMAIL]", "Contact: yes", "removed personal details"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("read-back = %q; want it to contain %q", r.Text, want)
		}
	}
	if strings.Contains(r.Text, "jo@example.com") {
		t.Errorf("read-back = %q; want the e-mail redacted", r.Text)
	}
	if rec.calls != 0 {
		t.Fatalf("recorder called %d times before confirmation; want 0", rec.calls)
	}
	s, r = turn(t, c, s, "yes")
	wantStep(t, s, StepDone, "yes")
	if !s.Done || s.StoredID != 101 || !r.Done || !strings.Contains(r.Text, "#101") {
		t.Errorf("after confirm state = %+v, reply %q; want done, stored id 101 named in the reply", s, r.Text)
	}
	if rec.calls != 1 || len(rec.rows) != 1 {
		t.Fatalf("recorder calls, rows = %d, %d; want 1, 1", rec.calls, len(rec.rows))
	}
	f := rec.rows[0]
	want := Feedback{
		Text: "The dress runs small and the fabric feels cheap. Email me at [EMAIL]", Rating: 4,
		CustomerID: "U42", OrderID: "536365", Source: SourceChat, Consent: true, CreatedAt: testNow,
	}
	if f.Text != want.Text || f.Rating != want.Rating || f.CustomerID != want.CustomerID || f.OrderID != want.OrderID ||
		f.Source != want.Source || f.Consent != want.Consent || !f.CreatedAt.Equal(want.CreatedAt) || f.Product != "" {
		t.Errorf("recorded %+v; want %+v", f, want)
	}
	if wantThemes := []string{ThemeSizing, ThemeFabric, ThemePrice}; !slices.Equal(f.Themes, wantThemes) {
		t.Errorf("recorded themes = %v; want %v", f.Themes, wantThemes)
	}
	if f.SentimentLabel != LabelSentiment(ScoreSentiment(want.Text)) {
		t.Errorf("recorded sentiment label = %q; want VADER's label of the redacted text", f.SentimentLabel)
	}
	if rec.keys[0] != IdempotencyKey(State{ConversationID: "T123/C9", CustomerID: "U42", Step: StepSubmit, Slots: s.Slots}) {
		t.Errorf("idempotency key = %q; want IdempotencyKey of the confirmed state", rec.keys[0])
	}
}

func TestCollector_DoubleConfirmStoresOnce(t *testing.T) {
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s := NewState("conv-1", "")
	s, _ = turn(t, c, s, "order 536365, 3/5")
	wantStep(t, s, StepDetails, "first message")
	s, _ = turn(t, c, s, "Nice colour but the delivery was slow.")
	s, _ = turn(t, c, s, "no")
	wantStep(t, s, StepConfirm, "no (consent)")
	confirm := s

	done, _ := turn(t, c, confirm, "yes")
	// A second "yes" on the done state does not reach the recorder.
	again, r := turn(t, c, done, "yes")
	if rec.calls != 1 || again.StoredID != done.StoredID || !strings.Contains(r.Text, "already recorded") {
		t.Errorf("repeat confirm on done state: calls %d, id %d, reply %q; want 1 call, id %d, already recorded",
			rec.calls, again.StoredID, r.Text, done.StoredID)
	}
	// Replaying the confirm state (e.g. the saved state was lost) reaches
	// the recorder with the same key, which stores no second row.
	replay, _ := turn(t, c, confirm, "yes")
	if rec.calls != 2 || len(rec.rows) != 1 || replay.StoredID != done.StoredID || rec.keys[0] != rec.keys[1] {
		t.Errorf("replayed confirm: calls %d, rows %d, id %d, keys %v; want 2 calls, 1 row, id %d, equal keys",
			rec.calls, len(rec.rows), replay.StoredID, rec.keys, done.StoredID)
	}
	// A restart after done is a new submission with a new key.
	s, _ = turn(t, c, done, "start over")
	if s.Nonce != 1 || s.Step != StepAbout || s.Done || s.Slots != (Slots{}) {
		t.Errorf("start over after done = %+v; want nonce 1, about step, empty slots", s)
	}
}

func TestCollector_BadRatingReasked(t *testing.T) {
	c := newCollector(&fakeRecorder{})
	s := State{ConversationID: "c", Step: StepRating, Slots: Slots{OrderID: "536365"}}
	for i, msg := range []string{"6", "4.5"} {
		var r Reply
		s, r = turn(t, c, s, msg)
		wantStep(t, s, StepRating, msg)
		if s.Attempts != i+1 || !strings.Contains(r.Text, "whole number from 1") || !slices.Contains(r.Options, "5") {
			t.Errorf("after %q attempts = %d, reply %q, options %v; want %d and a 1..5 hint", msg, s.Attempts, r.Text, r.Options, i+1)
		}
	}
	s, _ = turn(t, c, s, "4/5")
	wantStep(t, s, StepDetails, "4/5")
	if s.Slots.Rating != 4 || s.Attempts != 0 {
		t.Errorf("after 4/5 rating, attempts = %d, %d; want 4, 0", s.Slots.Rating, s.Attempts)
	}

	t.Run("SkippedAfterMaxAttempts", func(t *testing.T) {
		s := State{ConversationID: "c", Step: StepRating, Slots: Slots{Product: "Wrap dress"}}
		for _, msg := range []string{"great", "ten", "lots"} {
			s, _ = turn(t, c, s, msg)
		}
		if s.Step != StepDetails || !s.Slots.RatingSkipped || s.Slots.Rating != 0 {
			t.Errorf("after %d bad ratings state = %+v; want rating skipped, details step", MaxAttempts, s)
		}
	})
}

func TestCollector_Cancel(t *testing.T) {
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s := NewState("c", "")
	s, _ = turn(t, c, s, "hello")
	s, _ = turn(t, c, s, "Linen shirt")
	s, _ = turn(t, c, s, "2")
	wantStep(t, s, StepDetails, "2")
	s, r := turn(t, c, s, "Cancel!")
	if s.Step != StepCancelled || !s.Done || !r.Done {
		t.Fatalf("after cancel state = %+v, reply %+v; want cancelled and done", s, r)
	}
	s, r = turn(t, c, s, "yes")
	if s.Step != StepCancelled || !strings.Contains(r.Text, "cancelled") || rec.calls != 0 {
		t.Errorf("after cancel then yes: step %s, reply %q, recorder calls %d; want cancelled, 0 calls", s.Step, r.Text, rec.calls)
	}
	// "cancel" inside a longer answer is an answer, not a command.
	s2 := State{ConversationID: "c", Step: StepDetails, Slots: Slots{Product: "x", Rating: 1}}
	s2, _ = turn(t, c, s2, "I tried to cancel my order but could not.")
	if s2.Step != StepConsent {
		t.Errorf("details mentioning cancel: step %s; want consent", s2.Step)
	}
}

func TestCollector_RestartMidway(t *testing.T) {
	rec := &fakeRecorder{}
	c := newCollector(rec)
	s := NewState("thread-7", "U1")
	s, _ = turn(t, c, s, "hi")
	s, _ = turn(t, c, s, "#581587")
	s, _ = turn(t, c, s, "5")

	// The process restarts: the state goes through JSON and comes back.
	blob, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("json.Marshal(State): %v", err)
	}
	var resumed State
	if err := json.Unmarshal(blob, &resumed); err != nil {
		t.Fatalf("json.Unmarshal(State): %v", err)
	}
	if resumed != s {
		t.Fatalf("State after JSON round trip = %+v; want %+v", resumed, s)
	}
	s, _ = turn(t, c, resumed, "So soft and comfortable, I wear it every day.")
	s, _ = turn(t, c, s, "no")
	s, _ = turn(t, c, s, "yes")
	if s.StoredID == 0 || rec.rows[0].OrderID != "581587" || rec.rows[0].Rating != 5 {
		t.Fatalf("resumed dialogue stored %+v (state %+v); want order 581587 rated 5", rec.rows, s)
	}

	t.Run("StartOverMidway", func(t *testing.T) {
		s := NewState("thread-8", "")
		s, _ = turn(t, c, s, "order 536365 1/5")
		wantStep(t, s, StepDetails, "first message")
		s, r := turn(t, c, s, "start over")
		if s.Step != StepAbout || s.Nonce != 1 || s.Slots != (Slots{}) || !strings.Contains(r.Text, "start again") {
			t.Errorf("start over: state %+v, reply %q; want about step, nonce 1, empty slots", s, r.Text)
		}
	})
}

func TestCollector_FirstMessageFillsSlots(t *testing.T) {
	c := newCollector(&fakeRecorder{})
	s, r := turn(t, c, NewState("c", ""), "Hi, order #536365 - 2/5, the jeans run small and the zip broke")
	if s.Step != StepConsent || s.Slots.OrderID != "536365" || s.Slots.Rating != 2 || s.Slots.Details == "" {
		t.Errorf("first message state = %+v; want order, rating and details filled, consent asked", s)
	}
	if !strings.Contains(r.Text, "contact you") {
		t.Errorf("first message reply = %q; want the consent question", r.Text)
	}
}

func TestCollector_EditAtConfirm(t *testing.T) {
	c := newCollector(&fakeRecorder{})
	s := State{ConversationID: "c", Step: StepConfirm,
		Slots: Slots{Product: "Wrap dress", Rating: 2, Details: "Too tight at the waist.", ConsentAnswered: true}}
	s, _ = turn(t, c, s, "no")
	wantStep(t, s, StepRevise, "no")
	s, _ = turn(t, c, s, "the rating")
	wantStep(t, s, StepRating, "the rating")
	s, r := turn(t, c, s, "3")
	wantStep(t, s, StepConfirm, "3")
	if s.Slots.Rating != 3 || s.Slots.Details != "Too tight at the waist." || !strings.Contains(r.Text, "Rating: 3/5") {
		t.Errorf("after edit state = %+v, read-back %q; want rating 3, details kept", s, r.Text)
	}
}

func TestCollector_RecorderFailureRetries(t *testing.T) {
	rec := &fakeRecorder{failOn: 1}
	c := newCollector(rec)
	confirm := State{ConversationID: "c", Step: StepConfirm,
		Slots: Slots{OrderID: "536365", Rating: 4, Details: "Great fit, fast delivery.", ConsentAnswered: true}}
	s, r, err := c.Step(context.Background(), confirm, "yes")
	if err == nil || s != confirm || !strings.Contains(r.Text, "try again") {
		t.Fatalf("Step with failing recorder = %+v, %q, %v; want the confirm state back, a retry hint and an error", s, r.Text, err)
	}
	s, _ = turn(t, c, s, "yes")
	if s.StoredID == 0 || len(rec.rows) != 1 || rec.keys[0] != rec.keys[1] {
		t.Errorf("retry: id %d, rows %d, keys %v; want stored once under the same key", s.StoredID, len(rec.rows), rec.keys)
	}
}

func TestDialogue_Errors(t *testing.T) {
	d := Dialogue{}
	_, _, err := d.Step(context.Background(), State{Step: "limbo"}, "hi")
	if !errors.Is(err, ErrInvalidState) {
		t.Errorf("Step(unknown step) error = %v; want ErrInvalidState", err)
	}
	c := newCollector(&fakeRecorder{})
	noID := State{Step: StepConfirm, Slots: Slots{Product: "x", Rating: 1, Details: "Runs small, sadly.", ConsentAnswered: true}}
	if _, _, err := c.Step(context.Background(), noID, "yes"); !errors.Is(err, ErrInvalidState) {
		t.Errorf("Collector.Step without conversation ID error = %v; want ErrInvalidState", err)
	}
}

// fakeExtractor is a hand-written Extractor.
type fakeExtractor struct {
	extract func(ctx context.Context, msg string) (Slots, error)
}

func (x fakeExtractor) Extract(ctx context.Context, msg string) (Slots, error) {
	return x.extract(ctx, msg)
}

func TestDialogue_Extractor(t *testing.T) {
	ctx := context.Background()
	llm := Dialogue{Extractor: fakeExtractor{func(context.Context, string) (Slots, error) {
		return Slots{Product: "Blue linen shirt", Rating: 7, Details: "Creased badly after one wear."}, nil
	}}}
	s, _, err := llm.Step(ctx, NewState("c", ""), "that blue linen shirt creased so badly, not happy")
	if err != nil {
		t.Fatal(err)
	}
	// Rating 7 is invalid and ignored, so the rating is asked next.
	if s.Step != StepRating || s.Slots.Product != "Blue linen shirt" || s.Slots.Rating != 0 || s.Slots.Details != "Creased badly after one wear." {
		t.Errorf("with extractor state = %+v; want product and details filled, rating asked", s)
	}
	failing := Dialogue{Extractor: fakeExtractor{func(context.Context, string) (Slots, error) {
		return Slots{}, errors.New("model timeout")
	}}}
	s, _, err = failing.Step(ctx, NewState("c", ""), "order 536365, 5 stars")
	if err != nil || s.Slots.OrderID != "536365" || s.Slots.Rating != 5 {
		t.Errorf("with failing extractor state = %+v, err %v; want rule-based fallback filling order and rating", s, err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	base := State{ConversationID: "c1", Slots: Slots{Product: "x", Rating: 4, Details: "fine fit"}}
	k := IdempotencyKey(base)
	if !strings.HasPrefix(k, "fb_") || len(k) != 35 {
		t.Errorf("IdempotencyKey = %q; want fb_ and 32 hex digits", k)
	}
	step := base
	step.Step, step.Attempts = StepSubmit, 2
	if IdempotencyKey(step) != k {
		t.Errorf("IdempotencyKey changed with step/attempts; want it to depend on conversation, nonce and answers only")
	}
	for name, s := range map[string]State{
		"Nonce":        {ConversationID: "c1", Nonce: 1, Slots: base.Slots},
		"Conversation": {ConversationID: "c2", Slots: base.Slots},
		"Answers":      {ConversationID: "c1", Slots: Slots{Product: "x", Rating: 5, Details: "fine fit"}},
	} {
		if IdempotencyKey(s) == k {
			t.Errorf("IdempotencyKey unchanged when %s differs; want a new key", name)
		}
	}
}
