package slackbot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"
)

// Rate limit handling: Slack answers 429 with Retry-After, which slack-go
// turns into *slack.RateLimitedError.
const (
	// MaxRateLimitRetries is how many times one call is retried after 429.
	MaxRateLimitRetries = 3
	// maxRetryWait caps one wait, whatever Retry-After says.
	maxRetryWait = 30 * time.Second
)

// retry calls f, and again after the Retry-After delay while it fails with
// *slack.RateLimitedError, at most MaxRateLimitRetries times. It gives up
// early when ctx ends or its deadline would pass before the wait is over.
func retry[T any](ctx context.Context, f func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := f()
		var rl *slack.RateLimitedError
		if err == nil || !errors.As(err, &rl) || attempt >= MaxRateLimitRetries {
			return v, err
		}
		wait := min(max(rl.RetryAfter, 100*time.Millisecond), maxRetryWait)
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return v, err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return v, err
		case <-timer.C:
		}
	}
}
