package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// SourceChat is the Feedback.Source Collector sets unless told otherwise.
const SourceChat = "chat"

// Recorder stores one submitted feedback and returns its ID. It must be
// idempotent on idempotencyKey: a second call with a key already stored
// stores nothing and returns the first call's ID.
type Recorder interface {
	RecordFeedback(ctx context.Context, f Feedback, idempotencyKey string) (int64, error)
}

// Collector runs the collection Dialogue and stores the confirmed
// feedback through a Recorder, exactly once per submission.
type Collector struct {
	// Dialogue is the conversation logic; its zero value is fine.
	Dialogue Dialogue
	// Recorder stores confirmed feedback.
	Recorder Recorder
	// Source is the Feedback.Source of stored feedback; empty means SourceChat.
	Source string
	// Now returns the submission time; nil means time.Now.
	Now func() time.Time
	// Sentiment, when set, scores the stored feedback's sentiment in place
	// of Enrich's VADER (e.g. an LLMSentiment, which falls back to VADER
	// itself); nil keeps VADER.
	Sentiment SentimentScorer
}

// Step advances the dialogue with the customer's message, like
// Dialogue.Step, and when the customer confirms it builds the Feedback
// (Submission, then Enrich: redacted text, sentiment, themes; then
// EnrichSentiment with the Collector's Sentiment scorer), validates
// it and records it with the key IdempotencyKey(state). The returned
// state is then StepDone with StoredID set and Done true. A repeated
// confirmation of a done state calls no Recorder and answers with the
// stored ID; replaying an earlier confirm state reaches the Recorder with
// the same key, which returns the stored ID without a second row.
//
// On a Recorder or validation failure Step returns the input state
// unchanged (still at StepConfirm, so "yes" retries with the same key), a
// Reply fit to show the customer, and the error. A state without a
// ConversationID fails with ErrInvalidState at submission.
func (c *Collector) Step(ctx context.Context, s State, msg string) (State, Reply, error) {
	next, reply, err := c.Dialogue.Step(ctx, s, msg)
	if err != nil || next.Step != StepSubmit {
		return next, reply, err
	}
	sorry := Reply{Text: "Sorry, I couldn't save your feedback just now. Say \"yes\" to try again, or \"cancel\".", Options: []string{"yes", "cancel"}}
	if next.ConversationID == "" {
		return s, sorry, fmt.Errorf("record feedback: %w: no conversation ID", ErrInvalidState)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	f := EnrichSentiment(ctx, Enrich(Submission(next, now())), c.Sentiment)
	f.Source = c.Source
	if f.Source == "" {
		f.Source = SourceChat
	}
	if err := f.Validate(); err != nil {
		return s, sorry, fmt.Errorf("record feedback: %w", err)
	}
	id, err := c.Recorder.RecordFeedback(ctx, f, IdempotencyKey(next))
	if err != nil {
		return s, sorry, fmt.Errorf("record feedback: %w", err)
	}
	next.Step, next.Done, next.StoredID, next.Attempts = StepDone, true, id, 0
	return next, Reply{
		Text: fmt.Sprintf("Thank you! Your feedback is recorded (reference #%d). We read every message and use it to improve.", id),
		Done: true,
	}, nil
}

// Submission builds the Feedback a confirmed state describes, created at
// at: Details as Text (not yet redacted; see Enrich), Rating, OrderID,
// Product, CustomerID and Consent. Source, sentiment and themes are left
// for the caller.
func Submission(s State, at time.Time) Feedback {
	return Feedback{
		Text:       s.Slots.Details,
		Rating:     s.Slots.Rating,
		CustomerID: s.CustomerID,
		OrderID:    s.Slots.OrderID,
		Product:    s.Slots.Product,
		Consent:    s.Slots.Consent && s.Slots.ConsentAnswered,
		CreatedAt:  at,
	}
}

// IdempotencyKey returns the key under which a submission of s is
// stored: "fb_" and the first 32 hex digits of the SHA-256 of the
// conversation ID, the nonce and the answers (as JSON). Confirming the
// same answers twice in one dialogue gives the same key; a restart (new
// nonce) or different answers give a new one, so a new submission is not
// mistaken for a repeat even if the state was lost and begun afresh.
func IdempotencyKey(s State) string {
	slots, _ := json.Marshal(s.Slots) // a struct of strings, ints and bools cannot fail
	h := sha256.New()
	h.Write([]byte(s.ConversationID))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(s.Nonce)))
	h.Write([]byte{0})
	h.Write(slots)
	return "fb_" + hex.EncodeToString(h.Sum(nil))[:32]
}
