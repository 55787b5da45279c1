package slackbot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roibot/roibot/agent"
)

// BenchmarkEventsAck measures how fast the Events API endpoint acknowledges
// Slack while the agent is slow: each iteration sends 50 distinct signed
// app mentions concurrently, each followed by a retry of the same event
// (X-Slack-Retry-Num: 1), while the fake Asker sleeps 200ms per question.
// It reports the ack latency p50/p99 over all requests and the number of
// duplicate replies (threads answered more than once; must be 0).
func BenchmarkEventsAck(b *testing.B) {
	const events = 50
	f := newFakeSlack(b)
	asker := &fakeAsker{AskFn: func(ctx context.Context, q agent.Question) (agent.Answer, error) {
		select {
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return agent.Answer{}, ctx.Err()
		}
		return roasAnswer(), nil
	}}
	bot := newTestBot(b, f, asker, func(c *Config) { c.Workers = 16; c.QueueSize = 4 * events })
	srv := httptest.NewServer(bot.Handler())
	b.Cleanup(srv.Close)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 2 * events

	var (
		mu        sync.Mutex
		latencies []time.Duration
		non200    int
	)
	send := func(body []byte, retry int) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		sign(req.Header, body, time.Now(), testSecret)
		if retry > 0 {
			req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		}
		start := time.Now()
		resp, err := client.Do(req)
		d := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		latencies = append(latencies, d)
		if err != nil || resp.StatusCode != http.StatusOK {
			non200++
		}
		if err == nil {
			resp.Body.Close()
		}
	}

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for e := range events {
			ts := fmt.Sprintf("1710000000.%03d%03d", i, e)
			body := eventBody(fmt.Sprintf("EvB%d_%d", i, e), mention("C1", "U1", "ROAS?", ts, ""))
			wg.Add(2)
			go func() { defer wg.Done(); send(body, 0) }()
			go func() { defer wg.Done(); send(body, 1) }()
		}
		wg.Wait()
	}
	b.StopTimer()
	drain(b, bot)

	replies := map[string]int{}
	for _, c := range f.callsTo("chat.postMessage") {
		replies[c.Params["thread_ts"]]++
	}
	dups := 0
	for _, n := range replies {
		dups += n - 1
	}
	if got, want := len(replies), events*b.N; got != want {
		b.Errorf("answered threads = %d; want %d", got, want)
	}
	if n := asker.calls.Load(); n != int64(events*b.N) {
		b.Errorf("Ask calls = %d; want %d", n, events*b.N)
	}
	if non200 > 0 {
		b.Errorf("non-200 acks = %d; want 0", non200)
	}
	slices.Sort(latencies)
	q := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "ack_p50_ms")
	b.ReportMetric(q(0.99), "ack_p99_ms")
	b.ReportMetric(float64(dups), "dup_replies")
}
