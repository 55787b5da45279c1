package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServe_ExactlyOnceUnderLoad delivers 100 app mentions 5 times each
// (the first delivery and 4 retries, shuffled), 8 deliveries at a time,
// to the wired Events API service on the test database, and counts the
// answers per message: every message gets exactly one placeholder and one
// answer with the right number (0 duplicate, 0 missing). Delivery claims
// run on the store's own small pool, so they never wait behind turns.
func TestServe_ExactlyOnceUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("500 deliveries")
	}
	const events, deliveries, concurrency = 100, 5, 8
	env, slack := eventsEnv(t)
	m, app := startMain(t, env)
	defer app.Close()

	type delivery struct{ event, retry int }
	var queue []delivery
	bodies := make([][]byte, events)
	for e := range events {
		// One user per message, so the per-user rate limit plays no part.
		bodies[e], _ = json.Marshal(map[string]any{
			"type": "event_callback", "team_id": "T1", "event_id": fmt.Sprintf("EvLoad%03d", e), "event_time": time.Now().Unix(),
			"event": map[string]any{"type": "app_mention", "user": fmt.Sprintf("U%03d", e), "channel": "C1",
				"ts": fmt.Sprintf("1700000001.%06d", e), "text": "<@UBOT> How many customers do we have?"},
		})
		for r := range deliveries {
			queue = append(queue, delivery{e, r})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
	work := make(chan delivery)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				rec := httptest.NewRecorder()
				m.Bot.Handler().ServeHTTP(rec, signedEvent(t, bodies[d.event], d.retry))
				if rec.Code != http.StatusOK {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("event %d delivery %d: status %d", d.event, d.retry, rec.Code))
					mu.Unlock()
				}
			}
		}()
	}
	for _, d := range queue {
		work <- d
	}
	close(work)
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := m.Bot.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}

	thread := map[string]string{} // placeholder ts -> message ts
	placeholders := map[string]int{}
	for _, p := range slack.calls("chat.postMessage") {
		placeholders[p["thread_ts"]]++
		thread[p["_ts"]] = p["thread_ts"]
	}
	answers := map[string]int{}
	for _, u := range slack.calls("chat.update") {
		th := thread[u["ts"]]
		if !strings.Contains(u["blocks"]+u["text"], `*customers*\n3`) {
			t.Errorf("answer in thread %s = %s; want the customer count 3", th, u["blocks"]+u["text"])
		}
		answers[th]++
	}
	duplicates, missing := 0, 0
	for e := range events {
		ts := fmt.Sprintf("1700000001.%06d", e)
		switch {
		case answers[ts] == 0 || placeholders[ts] == 0:
			missing++
		case answers[ts] > 1 || placeholders[ts] > 1:
			duplicates++
		}
	}
	t.Logf("%d messages × %d deliveries, %d at a time: %d duplicate, %d missing answers", events, deliveries, concurrency, duplicates, missing)
	if duplicates != 0 || missing != 0 {
		t.Errorf("%d duplicate and %d missing answers; want 0 and 0", duplicates, missing)
	}
}
