package knowledge

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Step is a stage of the feedback collection dialogue.
type Step string

// The dialogue's steps, in order. StepRevise is entered from StepConfirm
// when the customer declines the read-back; StepSubmit means confirmed
// and waiting for Collector to store; StepDone and StepCancelled are
// final.
const (
	StepGreet     Step = "greet"
	StepAbout     Step = "about"
	StepRating    Step = "rating"
	StepDetails   Step = "details"
	StepConsent   Step = "consent"
	StepConfirm   Step = "confirm"
	StepRevise    Step = "revise"
	StepSubmit    Step = "submit"
	StepDone      Step = "done"
	StepCancelled Step = "cancelled"
)

// Dialogue limits.
const (
	// DefaultMinDetailsRunes is the shortest details answer accepted
	// before the customer is asked for more, in runes.
	DefaultMinDetailsRunes = 10
	// MaxAttempts is how many invalid answers a step takes before it
	// moves on: a rating is skipped, contact consent is taken as "no",
	// and a short but non-empty details answer is accepted.
	MaxAttempts = 3
	// maxProductRunes bounds the product name taken from an answer.
	maxProductRunes = 100
	// minMoreDetailsWords is the fewest words of a free-text answer at
	// the confirm step that is added to the details.
	minMoreDetailsWords = 4
)

// ErrInvalidState means a dialogue State that cannot be continued: an
// unknown step, or no conversation ID where one is needed.
var ErrInvalidState = errors.New("invalid dialogue state")

// Slots are the answers the dialogue collects.
type Slots struct {
	// OrderID is the order number the feedback is about, if given.
	OrderID string `json:"order_id,omitempty"`
	// Product is the product named, if given instead of an order.
	Product string `json:"product,omitempty"`
	// Rating is 1..5; 0 until answered or when skipped.
	Rating int `json:"rating,omitempty"`
	// RatingSkipped is true when the customer chose not to rate.
	RatingSkipped bool `json:"rating_skipped,omitempty"`
	// Details is the customer's free-text feedback, as typed.
	Details string `json:"details,omitempty"`
	// Consent is true when the customer agreed to be contacted.
	Consent bool `json:"consent"`
	// ConsentAnswered is true once the consent question is settled.
	ConsentAnswered bool `json:"consent_answered,omitempty"`
}

// State is the whole persisted state of one collection dialogue. It is
// plain data meant to be stored between turns as JSON and passed back to
// Step with the customer's next message.
type State struct {
	// ConversationID identifies the conversation (e.g. a chat thread); it
	// feeds the idempotency key.
	ConversationID string `json:"conversation_id"`
	// CustomerID identifies the customer, when known.
	CustomerID string `json:"customer_id,omitempty"`
	// Step is the current step; empty means StepGreet.
	Step Step `json:"step"`
	// Slots holds the answers so far.
	Slots Slots `json:"slots"`
	// Attempts counts invalid answers at the current step.
	Attempts int `json:"attempts"`
	// Nonce counts restarts within the conversation, so each submission
	// has its own idempotency key.
	Nonce int `json:"nonce"`
	// Done is true once the dialogue ended (stored or cancelled).
	Done bool `json:"done"`
	// StoredID is the stored feedback's ID once recorded.
	StoredID int64 `json:"stored_id,omitempty"`
}

// NewState returns the initial state of a dialogue in a conversation.
func NewState(conversationID, customerID string) State {
	return State{ConversationID: conversationID, CustomerID: customerID, Step: StepGreet}
}

// Reply is what the dialogue says to the customer after a turn.
type Reply struct {
	// Text is the message to show.
	Text string `json:"text"`
	// Options are suggested answers (e.g. "1".."5", "yes"/"no") a client
	// may offer as buttons; empty for free text.
	Options []string `json:"options,omitempty"`
	// Done is true when the dialogue has ended.
	Done bool `json:"done"`
}

// Extractor fills slots from a free-text message, e.g. an LLM asked to
// find a rating, an order number, a product and the feedback itself in
// one message. Zero fields mean "not found". Dialogue validates what it
// returns (a rating outside 1..5 is ignored).
type Extractor interface {
	Extract(ctx context.Context, msg string) (Slots, error)
}

// RuleExtractor is the default Extractor: regular expressions that find
// an order number ("order 536365", "#536365", "invoice no. C536379"), an
// explicit rating ("4/5", "4 out of 5", "four stars", "rated it 4") and,
// when the message carries feedback itself (see ReadsAsFeedback; the
// message has at least four words besides the order reference), the
// message as Details. A message that only greets or announces feedback
// ("Hi, I want to give feedback", "I want to tell you about my last
// order") fills no Details. It does not find products.
type RuleExtractor struct{}

var (
	orderRE     = regexp.MustCompile(`(?i)\b(?:order|invoice)\s*(?:no\.?|number|num|nr\.?|id|ref)?\s*[:#]?\s*([a-z]?\d{5,12})\b`)
	hashOrderRE = regexp.MustCompile(`#\s?([A-Za-z]?\d{5,12})\b`)
	bareOrderRE = regexp.MustCompile(`^#?\s*([A-Za-z]?\d{5,12})$`)
)

// Extract implements Extractor with rules; it never fails.
func (RuleExtractor) Extract(_ context.Context, msg string) (Slots, error) {
	var s Slots
	rest := msg // msg without the order reference, to judge whether it is feedback
	if m := orderRE.FindStringSubmatchIndex(msg); m != nil {
		s.OrderID = strings.ToUpper(msg[m[2]:m[3]])
		rest = msg[:m[0]] + " " + msg[m[1]:]
	} else if m := hashOrderRE.FindStringSubmatchIndex(msg); m != nil {
		s.OrderID = strings.ToUpper(msg[m[2]:m[3]])
		rest = msg[:m[0]] + " " + msg[m[1]:]
	}
	if r, ok := parseRating(msg, true); ok {
		s.Rating = r
	}
	if len(words(rest)) >= 4 && ReadsAsFeedback(rest) {
		s.Details = strings.TrimSpace(msg)
	}
	return s, nil
}

// Thresholds of ReadsAsFeedback, in content words (words left once
// greetings, announcements of feedback and filler words are removed).
const (
	// minSignalContentWords is the fewest content words that make
	// feedback when the rest of the message mentions a theme or has
	// non-neutral sentiment.
	minSignalContentWords = 3
	// minPlainContentWords is the fewest content words that make feedback
	// without a theme or sentiment signal.
	minPlainContentWords = 8
)

var (
	// greetRE and intentRE match, in text normalized for commands
	// (lowercase words joined by single spaces, apostrophes kept as '),
	// greetings and phrases that announce feedback without giving any.
	greetRE  = regexp.MustCompile(`\b(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day))\b(?: there\b| team\b| all\b)?`)
	intentRE = regexp.MustCompile(`\b(?:(?:i|we) )?(?:(?:would|i'?d|want|wanted|wanna|wish|need|needed|am|i'?m|was|just|hope|hoping|going|gonna) )*` +
		`(?:(?:like|love|want|going) )?(?:to )?` +
		`(?:(?:give|leave|share|send|provide|submit|write|make|post|have|got|offer|add) (?:you |u )?(?:(?:some|a|an|my|our|quick|little|bit|of|short|few|small) )*` +
		`(?:feedback|review|reviews|comment|comments|thoughts|opinion|opinions|complaint|remark|remarks)` +
		`|tell (?:you|u) (?:about|regarding)|talk (?:to you )?about|let (?:you|u) know (?:about|regarding)|feedback (?:about|on|regarding|for))\b`)
	// fillerWords carry no feedback on their own: pronouns, articles,
	// prepositions, politeness and the words naming an order.
	fillerWords = setOf("i", "we", "me", "my", "our", "us", "you", "your", "u", "a", "an", "the", "some", "this", "that",
		"it", "about", "on", "regarding", "re", "for", "of", "to", "with", "please", "pls", "thanks", "thank", "just",
		"so", "and", "is", "am", "was", "there", "here", "order", "orders", "purchase", "purchases", "item", "items",
		"last", "recent", "latest", "previous", "feedback", "review", "can", "could", "may", "would", "will", "want",
		"wanted", "like", "i'd", "i'm", "i've", "id", "im", "ok", "okay", "well", "um", "uh", "quick", "little", "bit")
)

// ReadsAsFeedback reports whether msg carries feedback itself rather
// than only greeting or announcing it. Greetings ("hi", "good morning")
// and announcements ("I'd like to leave some feedback", "I want to tell
// you about", "can I share my thoughts") are removed first; what remains
// is feedback when it has at least 3 content words (words other than
// pronouns, articles, prepositions, politeness and "order"/"purchase")
// and mentions a theme (Themes) or has non-neutral VADER sentiment
// (ScoreSentiment, LabelSentiment), or has at least 8 content words. So
// "Hi, I want to give feedback" and "I want to tell you about my last
// order" are not feedback; "The dress I ordered runs two sizes small" is.
func ReadsAsFeedback(msg string) bool {
	residue, content := feedbackContent(msg)
	switch {
	case len(content) >= minPlainContentWords:
		return true
	case len(content) < minSignalContentWords:
		return false
	}
	return len(Themes(residue)) > 0 || LabelSentiment(ScoreSentiment(residue)) != LabelNeutral
}

// feedbackContent returns msg normalized (lowercase words, apostrophes
// kept so that sentiment still reads "I'll" as such) with greetings and
// announcements of feedback removed (residue), and the residue's words
// that are not filler words (content).
func feedbackContent(msg string) (residue string, content []string) {
	residue = strings.ReplaceAll(normalize(msg), "’", "'")
	residue = greetRE.ReplaceAllString(residue, " ")
	residue = intentRE.ReplaceAllString(residue, " ")
	residue = strings.Join(strings.Fields(residue), " ")
	for _, w := range strings.Fields(residue) {
		if !fillerWords[w] {
			content = append(content, w)
		}
	}
	return residue, content
}

// Dialogue is the feedback collection dialogue for the customer role: a
// pure state machine from (State, message) to (State, Reply). It stores
// nothing; Collector adds storage. The zero value is ready to use.
//
// Steps: greet → about (order number or product) → rating 1–5 → details
// (free text, at least MinDetailsRunes) → contact consent (yes/no) →
// read-back and confirm (yes → StepSubmit; no → revise: change one
// answer or start over; other free text of at least four words is added
// to the details and read back again) → done. Answers already given,
// e.g. a rating and order number in the first message, are not asked
// again; a first message that only greets or announces feedback ("I want
// to give feedback") is not taken as the details. At any step
// the message "cancel" (also "stop", "quit", "never mind") ends the
// dialogue with nothing stored, and "start over" (also "restart") clears
// the answers and begins again with a new nonce.
type Dialogue struct {
	// Extractor fills slots from the first messages; nil means
	// RuleExtractor. If it fails, RuleExtractor is used for that message.
	Extractor Extractor
	// MinDetailsRunes is the shortest details answer accepted; 0 means
	// DefaultMinDetailsRunes.
	MinDetailsRunes int
}

// Step advances the dialogue by one customer message. It returns the next
// state and the reply to show. It fails only with ErrInvalidState for a
// state with an unknown step (the state is returned unchanged); invalid
// answers are not errors but re-asked with a hint.
func (d Dialogue) Step(ctx context.Context, s State, msg string) (State, Reply, error) {
	msg = strings.TrimSpace(msg)
	cmd := normalize(msg)
	if s.Step == "" {
		s.Step = StepGreet
	}
	switch s.Step {
	case StepGreet, StepAbout, StepRating, StepDetails, StepConsent, StepConfirm, StepRevise, StepSubmit, StepDone, StepCancelled:
	default:
		return s, Reply{}, fmt.Errorf("%w: unknown step %q", ErrInvalidState, s.Step)
	}

	if restartWords[cmd] {
		return d.restart(s)
	}
	switch s.Step {
	case StepDone:
		return s, Reply{Text: fmt.Sprintf("Your feedback is already recorded (reference #%d). Thank you! Say \"start over\" to leave more.", s.StoredID), Done: true}, nil
	case StepCancelled:
		return s, Reply{Text: "This feedback was cancelled and nothing was saved. Say \"start over\" to begin again.", Done: true}, nil
	case StepSubmit:
		return s, Reply{Text: "Thanks, your feedback is being saved."}, nil
	}
	if cancelWords[cmd] {
		s.Step, s.Done, s.Attempts = StepCancelled, true, 0
		return s, Reply{Text: "Okay, I've cancelled it and nothing was saved. Say \"start over\" any time to give feedback.", Done: true}, nil
	}

	switch s.Step {
	case StepGreet:
		if msg == "" || greetingWords[cmd] {
			s.Step, s.Attempts = StepAbout, 0
			return s, d.ask(s, greeting), nil
		}
		d.fill(ctx, &s, msg, false)
		return d.advance(s, greeting)

	case StepAbout:
		if msg == "" {
			return d.reask(s, "Please tell me an order number (e.g. 536365) or the product's name.")
		}
		d.fill(ctx, &s, msg, true)
		return d.advance(s, "")

	case StepRating:
		if cmd == "skip" || cmd == "no rating" || cmd == "pass" {
			s.Slots.RatingSkipped = true
			return d.advance(s, "No problem. ")
		}
		r, ok := parseRating(msg, false)
		if !ok {
			if s.Attempts+1 >= MaxAttempts {
				s.Slots.RatingSkipped = true
				return d.advance(s, "Let's skip the rating. ")
			}
			return d.reask(s, "Please answer with a whole number from 1 (poor) to 5 (excellent), for example \"4\" or \"4 stars\", or say \"skip\".")
		}
		s.Slots.Rating = r
		return d.advance(s, "")

	case StepDetails:
		n := utf8.RuneCountInString(msg)
		switch {
		case n > MaxTextRunes:
			return d.reask(s, fmt.Sprintf("That's a little long; please keep it under %d characters.", MaxTextRunes))
		case n < d.minDetails() && (n == 0 || s.Attempts+1 < MaxAttempts):
			return d.reask(s, "Could you tell me a little more? A sentence about what you liked or what could be better helps most.")
		case offTopic(msg):
			// Not feedback: nothing of it goes into the details.
			return d.reask(s, "I can only take your feedback here, so I haven't added that.")
		}
		s.Slots.Details = msg
		return d.advance(s, "Thank you. ")

	case StepConsent:
		yes, ok := parseYesNo(cmd)
		if !ok {
			if s.Attempts+1 >= MaxAttempts {
				s.Slots.Consent, s.Slots.ConsentAnswered = false, true
				return d.advance(s, "I'll take that as a no; we won't contact you. ")
			}
			return d.reask(s, "Please answer yes or no.")
		}
		s.Slots.Consent, s.Slots.ConsentAnswered = yes, true
		return d.advance(s, "")

	case StepConfirm:
		if step, ok := editTarget(cmd); ok {
			return d.edit(s, step)
		}
		yes, ok := parseYesNo(cmd)
		switch {
		case !ok && d.moreDetails(msg):
			more := s.Slots.Details + " " + msg
			if s.Slots.Details == "" {
				more = msg
			}
			if utf8.RuneCountInString(more) > MaxTextRunes {
				return d.reask(s, fmt.Sprintf("I couldn't add that: your details would be over %d characters. Say \"details\" to rewrite them.", MaxTextRunes))
			}
			s.Slots.Details, s.Attempts = more, 0
			return s, d.ask(s, "I've added that to your details.\n"), nil
		case !ok:
			return d.reask(s, "Please answer yes to submit, or no to change something.")
		case yes:
			s.Step, s.Attempts = StepSubmit, 0
			return s, Reply{Text: "Thanks, saving your feedback."}, nil
		default:
			s.Step, s.Attempts = StepRevise, 0
			return s, d.ask(s, ""), nil
		}

	case StepRevise:
		if step, ok := editTarget(cmd); ok {
			return d.edit(s, step)
		}
		if yes, ok := parseYesNo(cmd); ok && !yes || cmd == "nothing" {
			s.Step, s.Attempts = StepConfirm, 0
			return s, d.ask(s, ""), nil
		}
		return d.reask(s, "Please say which part to change: about, rating, details or contact; or say \"start over\".")
	}
	return s, Reply{}, fmt.Errorf("%w: unhandled step %q", ErrInvalidState, s.Step)
}

const greeting = "Hi! Thanks for taking the time to give us feedback. You can say \"cancel\" or \"start over\" at any time.\n"

// moreDetails reports whether msg, at the confirm step and neither a
// yes/no nor a command, is free text to add to the details: at least
// minMoreDetailsWords words and MinDetailsRunes runes.
//
// It must also read as feedback (ReadsAsFeedback): a question or request
// about something else ("what was your revenue last year?", "ignore that
// and show me the sales") is not appended to the details.
func (d Dialogue) moreDetails(msg string) bool {
	return len(words(msg)) >= minMoreDetailsWords && utf8.RuneCountInString(msg) >= d.minDetails() &&
		ReadsAsFeedback(msg) && !offTopic(msg)
}

// offTopicRE finds a message that asks or orders something rather than
// giving feedback: a question mark, or a question word or request verb
// at its start.
var (
	offTopicRE = regexp.MustCompile(`^(?:what|whats|what's|how|which|who|when|where|why|can you|could you|do you)\b`)
	// commandRE finds an instruction to the assistant: never feedback.
	commandRE = regexp.MustCompile(`^(?:please )?(?:show|list|give me|tell me|ignore|forget|disregard|print|reveal|send me)\b`)
)

// offTopic reports whether msg, at the details step, is an instruction,
// or a question about something else rather than feedback.
func offTopic(msg string) bool {
	t := strings.TrimSpace(msg)
	n := normalize(t)
	if commandRE.MatchString(n) {
		return true
	}
	asks := strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") || offTopicRE.MatchString(n)
	return asks && !ReadsAsFeedback(msg)
}

func (d Dialogue) minDetails() int {
	if d.MinDetailsRunes > 0 {
		return d.MinDetailsRunes
	}
	return DefaultMinDetailsRunes
}

// fill merges slots extracted from msg into s, filling only empty slots.
// At the about step a message with no order number names the product.
func (d Dialogue) fill(ctx context.Context, s *State, msg string, about bool) {
	ex := d.Extractor
	if ex == nil {
		ex = RuleExtractor{}
	}
	got, err := ex.Extract(ctx, msg)
	if err != nil {
		got, _ = RuleExtractor{}.Extract(ctx, msg)
	}
	if about && got.OrderID == "" && got.Product == "" {
		if m := bareOrderRE.FindStringSubmatch(msg); m != nil {
			got.OrderID = strings.ToUpper(m[1])
		} else {
			got.Product = truncateRunes(msg, maxProductRunes)
		}
	}
	sl := &s.Slots
	if sl.OrderID == "" && sl.Product == "" {
		sl.OrderID = truncateRunes(strings.TrimSpace(got.OrderID), maxProductRunes)
		sl.Product = truncateRunes(strings.TrimSpace(got.Product), maxProductRunes)
	}
	if sl.Rating == 0 && !sl.RatingSkipped && got.Rating >= 1 && got.Rating <= 5 {
		sl.Rating = got.Rating
	}
	// Details that only greet or announce feedback (whatever the
	// Extractor) leave the slot empty, so the details step asks for them.
	if _, content := feedbackContent(got.Details); sl.Details == "" && len(content) > 0 &&
		utf8.RuneCountInString(got.Details) >= d.minDetails() && utf8.RuneCountInString(got.Details) <= MaxTextRunes {
		sl.Details = got.Details
	}
}

// next returns the first step whose answer is missing.
func (d Dialogue) next(s State) Step {
	sl := s.Slots
	switch {
	case sl.OrderID == "" && sl.Product == "":
		return StepAbout
	case sl.Rating == 0 && !sl.RatingSkipped:
		return StepRating
	case sl.Details == "":
		return StepDetails
	case !sl.ConsentAnswered:
		return StepConsent
	}
	return StepConfirm
}

// advance moves s to the next missing step and asks its question,
// prefixed by ack.
func (d Dialogue) advance(s State, ack string) (State, Reply, error) {
	s.Step, s.Attempts = d.next(s), 0
	return s, d.ask(s, ack), nil
}

// reask stays at the current step, counts the attempt, and repeats the
// question after hint.
func (d Dialogue) reask(s State, hint string) (State, Reply, error) {
	s.Attempts++
	r := d.ask(s, hint+"\n")
	return s, r, nil
}

func (d Dialogue) restart(s State) (State, Reply, error) {
	s = State{ConversationID: s.ConversationID, CustomerID: s.CustomerID, Nonce: s.Nonce + 1, Step: StepAbout}
	return s, d.ask(s, "Okay, let's start again.\n"), nil
}

func (d Dialogue) edit(s State, step Step) (State, Reply, error) {
	switch step {
	case StepAbout:
		s.Slots.OrderID, s.Slots.Product = "", ""
	case StepRating:
		s.Slots.Rating, s.Slots.RatingSkipped = 0, false
	case StepDetails:
		s.Slots.Details = ""
	case StepConsent:
		s.Slots.Consent, s.Slots.ConsentAnswered = false, false
	}
	s.Step, s.Attempts = step, 0
	return s, d.ask(s, ""), nil
}

// ask returns the question of s.Step, prefixed by prefix.
func (d Dialogue) ask(s State, prefix string) Reply {
	switch s.Step {
	case StepAbout:
		return Reply{Text: prefix + "Which order or product is your feedback about? An order number (e.g. 536365) or the product name is fine."}
	case StepRating:
		return Reply{Text: prefix + "How would you rate it, from 1 (poor) to 5 (excellent)?", Options: []string{"1", "2", "3", "4", "5", "skip"}}
	case StepDetails:
		return Reply{Text: prefix + "Please tell me more: what went well, and what could be better?"}
	case StepConsent:
		return Reply{Text: prefix + "May we contact you about this feedback if we have questions?", Options: []string{"yes", "no"}}
	case StepConfirm:
		return Reply{Text: prefix + readBack(s.Slots) + "\nShall I submit it?", Options: []string{"yes", "no"}}
	case StepRevise:
		return Reply{Text: prefix + "What would you like to change: about, rating, details or contact? Or say \"start over\".",
			Options: []string{"about", "rating", "details", "contact", "start over"}}
	}
	return Reply{Text: prefix}
}

// readBack renders the answers for confirmation, with details redacted
// as they will be stored.
func readBack(sl Slots) string {
	var b strings.Builder
	b.WriteString("Here is your feedback:\n")
	switch {
	case sl.OrderID != "" && sl.Product != "":
		fmt.Fprintf(&b, "• About: order %s (%s)\n", sl.OrderID, sl.Product)
	case sl.OrderID != "":
		fmt.Fprintf(&b, "• About: order %s\n", sl.OrderID)
	default:
		fmt.Fprintf(&b, "• About: %s\n", sl.Product)
	}
	if sl.Rating > 0 {
		fmt.Fprintf(&b, "• Rating: %d/5\n", sl.Rating)
	} else {
		b.WriteString("• Rating: not given\n")
	}
	red, spans := Redact(sl.Details)
	fmt.Fprintf(&b, "• Details: \"%s\"\n", truncateRunes(red, 500))
	if sl.Consent {
		b.WriteString("• Contact: yes, you may be contacted")
	} else {
		b.WriteString("• Contact: no")
	}
	if len(spans) > 0 {
		b.WriteString("\n(I removed personal details such as e-mail addresses or phone numbers from your text.)")
	}
	return b.String()
}

// normalize lowercases msg, turns punctuation other than "/" into spaces
// and collapses whitespace, for matching commands and short answers.
func normalize(msg string) string {
	f := strings.FieldsFunc(strings.ToLower(msg), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '\'' || r == '’')
	})
	return strings.Join(f, " ")
}

var (
	cancelWords   = setOf("cancel", "stop", "quit", "exit", "abort", "never mind", "nevermind", "forget it", "cancel please", "please cancel")
	restartWords  = setOf("start over", "restart", "start again", "begin again", "reset", "start over please", "new feedback")
	greetingWords = setOf("hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening",
		"feedback", "i want to give feedback", "i'd like to give feedback", "i want to leave feedback",
		"i'd like to leave feedback", "leave feedback", "give feedback")
	yesWords = setOf("yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "confirm", "submit",
		"send", "send it", "submit it", "go ahead", "that's right", "thats right", "of course", "absolutely", "please do", "yes please")
	noWords = setOf("no", "n", "nope", "nah", "no thanks", "no thank you", "don't", "dont", "do not",
		"not now", "rather not", "i'd rather not", "wrong", "not right")
	numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// parseYesNo reads a normalized yes/no answer: a listed phrase, or a
// message whose first word is yes or no ("yes, that's fine").
func parseYesNo(cmd string) (yes, ok bool) {
	if yesWords[cmd] {
		return true, true
	}
	if noWords[cmd] {
		return false, true
	}
	first, _, _ := strings.Cut(cmd, " ")
	switch first {
	case "yes", "yeah", "yep", "sure", "ok", "okay":
		return true, true
	case "no", "nope", "nah":
		return false, true
	}
	return false, false
}

// editTarget reads which answer the customer wants to change at the
// confirm or revise step ("rating", "change the rating", "edit details").
func editTarget(cmd string) (Step, bool) {
	ws := strings.Fields(cmd)
	if len(ws) == 0 || len(ws) > 4 {
		return "", false
	}
	for _, w := range ws {
		switch w {
		case "about", "order", "product", "item":
			return StepAbout, true
		case "rating", "stars", "score":
			return StepRating, true
		case "details", "detail", "text", "comment", "comments", "review", "message":
			return StepDetails, true
		case "contact", "consent":
			return StepConsent, true
		}
	}
	return "", false
}

var (
	ratingOutOfRE  = regexp.MustCompile(`(?:^|[^\w.])(\d+|one|two|three|four|five)\s*(?:/|out of)\s*(?:5|five)(?:$|[^/\d\w])`)
	ratingStarsRE  = regexp.MustCompile(`(?:^|[^\w.])(\d+|one|two|three|four|five)\s*(?:stars?\b|★)`)
	ratingVerbRE   = regexp.MustCompile(`\b(?:rate|rated|rating|give|gave|giving|score|scored)\b(?:\s+(?:it|them|this|that|you|a|an|is|as))*\s+(\d+|one|two|three|four|five)(?:\s*$|\s*[,;!?:\-–—]|\.(?:\s|$)|\s+(?:because|since|as|but|cause|though)\b)`)
	ratingBareRE   = regexp.MustCompile(`^(?:a\s+|an\s+)?(\d+|one|two|three|four|five)(?:\s+(?:stars?|points?|please))?$`)
	ratingStarOnly = regexp.MustCompile(`^★{1,5}$`)
)

// ParseRating reads a 1–5 star rating from an answer such as "4", "four",
// "4/5", "4 out of 5", "4 stars", "★★★★" or "I'd rate it 4". It returns
// false for anything else, including numbers outside 1..5 ("10/10") and
// fractions ("4.5").
func ParseRating(msg string) (int, bool) { return parseRating(msg, false) }

// parseRating implements ParseRating; strict accepts only explicit
// rating phrases (not a bare "4"), for use on free text.
func parseRating(msg string, strict bool) (int, bool) {
	m := strings.ToLower(strings.TrimSpace(msg))
	if ratingStarOnly.MatchString(m) {
		return utf8.RuneCountInString(m), true
	}
	lone := strings.TrimRight(m, ".! ")
	if !strict {
		if g := ratingBareRE.FindStringSubmatch(lone); g != nil {
			return ratingValue(g[1])
		}
	}
	for _, re := range []*regexp.Regexp{ratingOutOfRE, ratingStarsRE, ratingVerbRE} {
		if g := re.FindStringSubmatch(m); g != nil {
			return ratingValue(g[1])
		}
	}
	return 0, false
}

func ratingValue(s string) (int, bool) {
	if n, ok := numberWords[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0, false
	}
	return n, true
}
