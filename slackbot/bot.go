package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultWorkers   = 4
	DefaultQueueSize = 64
	// DefaultQueueWait is how long an accepted message waits for room in a
	// full queue before the user is told the bot is busy.
	DefaultQueueWait    = time.Second
	DefaultTurnTimeout  = 2 * time.Minute
	DefaultHistoryLimit = 10
	// MinDedupTTL is the shortest time a delivery is remembered: Slack
	// retries an unacknowledged event within minutes, so ten minutes
	// covers every retry and redelivery.
	MinDedupTTL = 10 * time.Minute
	// DefaultDedupTTL is how long a delivery is remembered by default.
	DefaultDedupTTL = 30 * time.Minute
	// DefaultUserRate is the default per-user limit, in turns per minute.
	DefaultUserRate = 10
	// DefaultUserBurst is how many turns one user may start at once.
	DefaultUserBurst = 5
)

// DefaultResponseURLHosts are Slack's hosts for slash-command response_url
// addresses (commercial and GovSlack).
var DefaultResponseURLHosts = []string{"hooks.slack.com", "hooks.slack-gov.com"}

// Config configures a Bot. Asker is required, and so is either Client or
// BotToken.
type Config struct {
	// Client calls the Slack Web API. When nil, New builds one from
	// BotToken, AppToken and APIURL. A Client given here must carry the
	// app-level token (slack.OptionAppLevelToken) for RunSocketMode.
	Client *slack.Client
	// APIURL overrides Slack's Web API base URL ("https://slack.com/api/");
	// tests point it at slacktest. Used only when Client is nil.
	APIURL string
	// BotToken is the bot user OAuth token (xoxb-…), used when Client is nil.
	BotToken Secret
	// AppToken is the app-level token (xapp-…) Socket Mode connects with.
	AppToken Secret
	// SigningSecret verifies HTTP Events API, slash command and
	// interactivity requests. Without it Handler rejects every request.
	SigningSecret Secret

	Asker         Asker
	Dedup         Dedup         // nil: a MemoryDedup (single process only)
	Conversations Conversations // nil: a MemoryConversations (lost on restart)
	Auditor       Auditor       // nil: a MemoryAuditor (lost on restart)
	Pending       Pending       // nil: a MemoryPending (lost on restart; see Resume)

	// UserRate is how many messages and commands one user may start per
	// minute (default DefaultUserRate); UserBurst how many at once
	// (default DefaultUserBurst). A user over the limit gets RateLimitText
	// in the thread and no turn, so a flood from one user cannot starve the
	// others. A negative UserRate turns the limit off.
	UserRate  float64
	UserBurst int
	// ResponseURLHosts are the hosts a slash command's response_url may
	// point at (default DefaultResponseURLHosts); any other address is
	// ignored and logged, so a forged or tampered command cannot make
	// roibot post to an arbitrary server. Tests add their fake's host.
	ResponseURLHosts []string

	Roles RoleConfig

	// Workers is how many turns run at once (default DefaultWorkers).
	Workers int
	// QueueSize bounds the turns waiting for a worker (default
	// DefaultQueueSize). When the queue is full Slack still gets its
	// acknowledgement (a retry would only add load), the event is logged
	// with outcome "busy", and the user is told in the thread to ask again
	// shortly. Those replies have their own queue of QueueSize; beyond it
	// the event is logged with outcome "dropped" and gets no reply.
	QueueSize int
	// QueueWait is how long a message waits for room in a full queue
	// before it gets the busy reply (default DefaultQueueWait): a burst
	// shorter than that is answered in full. It stays well within the 3 s
	// in which the Events API must be answered.
	QueueWait time.Duration
	// TurnTimeout bounds one turn: role lookup, the agent and every Slack
	// call (default DefaultTurnTimeout).
	TurnTimeout time.Duration
	// HistoryLimit is how many earlier turns of a thread are passed to the
	// agent (default DefaultHistoryLimit).
	HistoryLimit int
	// DedupTTL is how long deliveries are remembered (default
	// DefaultDedupTTL, at least MinDedupTTL).
	DedupTTL time.Duration
	// BotUserID is the bot's own user ID (U…), used to ignore its own
	// messages. Optional: Events API envelopes carry it in authorizations,
	// and messages with a bot_id are ignored anyway.
	BotUserID string
	// HTTPClient posts to slash command response_url addresses; nil means
	// a client with a 10-second timeout.
	HTTPClient *http.Client
	// Logger receives one record per turn; nil means slog.Default().
	Logger *slog.Logger
}

// Bot is the Slack adapter. Create it with New, feed it through Handler
// and/or RunSocketMode, and stop it with Shutdown.
type Bot struct {
	cfg      Config
	api      *slack.Client
	log      *slog.Logger
	roles    *roleResolver
	webhooks *http.Client

	// base is the parent of every turn's context; cancelTurns aborts
	// turns still running when Shutdown's deadline passes.
	base        context.Context
	cancelTurns context.CancelFunc

	// mu guards closed, queue and busy against Shutdown closing them
	// while an intake is claiming and enqueueing.
	mu       sync.RWMutex
	closed   bool
	queue    chan job
	busy     chan job
	sockets  map[int]context.CancelFunc
	socketID int
	wg       sync.WaitGroup
	limiter  *userLimiter
	conn     connLog
	// localClaims backs Dedup when the store cannot decide a claim.
	localClaims MemoryDedup
}

// job is one unit of work for the pool: a message turn or a slash command.
// key is the Pending key (empty when not remembered); placeholder is the
// ts of a "Working on it…" message posted by an earlier run of a resumed
// turn; reply, on the busy queue, is the text to post instead of BusyText.
type job struct {
	msg         *message
	cmd         *command
	key         string
	placeholder string
	resumed     bool
	reply       string
}

// ErrClosed is returned by RunSocketMode after Shutdown.
var ErrClosed = errors.New("slackbot: bot is shut down")

// New checks cfg, fills in defaults and starts the worker pool: Workers
// goroutines running turns and one posting "busy" replies. They exit when
// Shutdown is called (after draining the queue), so every Bot must be shut
// down.
func New(cfg Config) (*Bot, error) {
	if cfg.Asker == nil {
		return nil, errors.New("slackbot: config: Asker is required")
	}
	api := cfg.Client
	if api == nil {
		if cfg.BotToken == "" {
			return nil, errors.New("slackbot: config: Client or BotToken is required")
		}
		opts := []slack.Option{}
		if cfg.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
		}
		if cfg.AppToken != "" {
			opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken.Reveal()))
		}
		api = slack.New(cfg.BotToken.Reveal(), opts...)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	if cfg.TurnTimeout <= 0 {
		cfg.TurnTimeout = DefaultTurnTimeout
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if cfg.DedupTTL == 0 {
		cfg.DedupTTL = DefaultDedupTTL
	}
	if cfg.DedupTTL < MinDedupTTL {
		cfg.DedupTTL = MinDedupTTL
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Dedup == nil {
		cfg.Dedup = &MemoryDedup{}
		logger.Info("slackbot uses in-memory dedup: single process only")
	}
	if cfg.Conversations == nil {
		cfg.Conversations = &MemoryConversations{}
		logger.Info("slackbot uses in-memory conversations: lost on restart")
	}
	if cfg.Auditor == nil {
		cfg.Auditor = &MemoryAuditor{}
		logger.Info("slackbot uses in-memory audit log: lost on restart")
	}
	if cfg.Pending == nil {
		cfg.Pending = &MemoryPending{}
		logger.Info("slackbot uses in-memory pending turns: a crash loses unanswered turns")
	}
	if cfg.UserRate == 0 {
		cfg.UserRate = DefaultUserRate
	}
	if cfg.UserBurst <= 0 {
		cfg.UserBurst = DefaultUserBurst
	}
	if len(cfg.ResponseURLHosts) == 0 {
		cfg.ResponseURLHosts = DefaultResponseURLHosts
	}
	roles, err := newRoleResolver(api, cfg.Roles)
	if err != nil {
		return nil, err
	}
	webhooks := cfg.HTTPClient
	if webhooks == nil {
		webhooks = &http.Client{Timeout: 10 * time.Second}
	}
	base, cancel := context.WithCancel(context.Background())
	b := &Bot{
		cfg:         cfg,
		api:         api,
		log:         logger,
		roles:       roles,
		webhooks:    webhooks,
		base:        base,
		cancelTurns: cancel,
		queue:       make(chan job, cfg.QueueSize),
		busy:        make(chan job, cfg.QueueSize),
		sockets:     make(map[int]context.CancelFunc),
		limiter:     newUserLimiter(cfg.UserRate, cfg.UserBurst),
	}
	b.wg.Add(cfg.Workers + 1)
	for range cfg.Workers {
		go b.work() // exits when Shutdown closes queue
	}
	go b.replyBusy() // exits when Shutdown closes busy
	return b, nil
}

// Shutdown stops intake (HTTP requests get 503 so Slack retries them
// elsewhere; Socket Mode connections close), then waits for queued and
// running turns to finish. If ctx ends first it cancels the turns still
// running and returns ctx.Err() without waiting for them further.
// Calling Shutdown again waits the same way.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
		close(b.busy)
		for _, cancel := range b.sockets {
			cancel()
		}
	}
	b.mu.Unlock()

	done := make(chan struct{})
	go func() { // exits when every worker has returned
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.cancelTurns()
		return nil
	case <-ctx.Done():
		b.cancelTurns()
		return ctx.Err()
	}
}

func (b *Bot) work() {
	defer b.wg.Done()
	for j := range b.queue {
		if b.keepForRestart() {
			// Shutdown's deadline passed: the turn stays pending and the
			// next start answers it (see Resume).
			continue
		}
		switch {
		case j.msg != nil:
			b.runMessage(j)
		case j.cmd != nil:
			b.runCommand(j)
		}
	}
}

// intake claims a delivery and queues it. keys are the Dedup keys of the
// delivery; the first one already claimed makes it a duplicate.
type intakeResult int

const (
	accepted intakeResult = iota
	duplicate
	busyQueue
	dropped // queue and busy queue both full
	closed
	ignored     // not a message the bot answers
	rateLimited // the user is over the per-user limit
)

func (r intakeResult) String() string {
	return [...]string{"accepted", "duplicate", "busy", "dropped", "closed", "ignored", "rate_limited"}[r]
}

func (b *Bot) intake(ctx context.Context, j job, keys ...string) intakeResult {
	// Hold the read lock across claim and enqueue so Shutdown cannot close
	// the queue between them: a claimed delivery is always queued.
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return closed
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	for _, k := range keys {
		if k == "" {
			continue
		}
		first, err := b.cfg.Dedup.Claim(ctx, k, b.cfg.DedupTTL)
		if err != nil {
			// The store cannot decide (down, or slower than the claim's
			// deadline). A retry of a delivery this process is already
			// answering must not start a second answer, so the claim falls
			// back to this process's own memory: the first delivery it sees
			// is answered, a retry reaching it is a duplicate. (A retry
			// reaching another replica while the store is down can still be
			// answered there.)
			first, _ = b.localClaims.Claim(ctx, k, b.cfg.DedupTTL)
			b.log.LogAttrs(ctx, slog.LevelError, "slack dedup claim failed; decided by this process's memory",
				slog.String("key", k), slog.Bool("first", first), slog.Any("error", err))
		} else if first {
			// Remember it locally too, so a retry is caught here even if
			// the store fails when it arrives.
			_, _ = b.localClaims.Claim(ctx, k, b.cfg.DedupTTL)
		}
		if !first {
			return duplicate
		}
	}
	if !b.limiter.allow(j.user(), time.Now()) {
		j.reply = RateLimitText
		select {
		case b.busy <- j:
		default:
		}
		return rateLimited
	}
	j.key = pendingKey(keys)
	b.remember(ctx, j.key, j)
	select {
	case b.queue <- j:
		return accepted
	default:
	}
	// The queue is full: wait a little for a worker to take a turn, so a
	// short burst is answered in full rather than told "busy".
	wait := time.NewTimer(b.cfg.QueueWait)
	defer wait.Stop()
	select {
	case b.queue <- j:
		return accepted
	case <-wait.C:
	}
	b.forget(ctx, j.key) // no turn will run for it
	j.key = ""
	select {
	case b.busy <- j:
		return busyQueue
	default:
		return dropped
	}
}

// user is the Slack user who started the job.
func (j job) user() string {
	switch {
	case j.msg != nil:
		return j.msg.user
	case j.cmd != nil:
		return j.cmd.sc.UserID
	}
	return ""
}
