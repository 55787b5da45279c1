package slackbot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimitText is posted in the thread when one user starts turns faster
// than Config.UserRate allows.
const RateLimitText = "You're sending questions faster than I can answer them. Please wait a minute, then ask again — I'll answer the ones already under way."

// userLimiter holds one token bucket (golang.org/x/time/rate) per Slack
// user. Buckets idle for ten minutes are dropped, so memory is bounded by
// the users active in that window.
type userLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*userBucket
	sweeps  int
}

type userBucket struct {
	lim  *rate.Limiter
	last time.Time
}

// newUserLimiter allows perMinute turns a minute per user with the given
// burst; perMinute < 0 allows everything.
func newUserLimiter(perMinute float64, burst int) *userLimiter {
	l := rate.Inf
	if perMinute > 0 {
		l = rate.Limit(perMinute / 60)
	}
	return &userLimiter{limit: l, burst: burst, buckets: make(map[string]*userBucket)}
}

// allow reports whether user may start a turn at now.
func (u *userLimiter) allow(user string, now time.Time) bool {
	if u.limit == rate.Inf || user == "" {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	b, ok := u.buckets[user]
	if !ok {
		b = &userBucket{lim: rate.NewLimiter(u.limit, u.burst)}
		u.buckets[user] = b
	}
	b.last = now
	if u.sweeps++; u.sweeps%1024 == 0 {
		for k, v := range u.buckets {
			if now.Sub(v.last) > 10*time.Minute {
				delete(u.buckets, k)
			}
		}
	}
	return b.lim.AllowN(now, 1)
}
