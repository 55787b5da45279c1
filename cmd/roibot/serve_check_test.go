package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack/slacktest"

	"github.com/roibot/roibot/postgres/pgtest"
)

// TestServeCheck: `roibot serve --check` with good tokens, a revoked bot
// token, and Slack unreachable prints one clear line per check.
func TestServeCheck(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.NewSchema(t)
	good := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"team":"Acme","user":"roibot","user_id":"UBOT","team_id":"T1"}`)
		})
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"url":"wss://example.invalid/link"}`)
		})
	})
	good.Start()
	defer good.Stop()
	revoked := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":false,"error":"token_revoked"}`)
		})
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
		})
	})
	revoked.Start()
	defer revoked.Stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/api/"
	ln.Close() // nothing listens there now

	for _, tc := range []struct {
		name, api string
		ok        bool
		wants     []string
	}{
		{"Good", good.GetAPIURL(), true, []string{
			"ok   slack bot token: team Acme, bot user roibot (UBOT)",
			"ok   slack app token: Socket Mode connection can be opened",
			"ok   database: ", "ok   llm: offline planner", "ok   embeddings: "}},
		{"Revoked", revoked.GetAPIURL(), false, []string{
			"FAIL slack bot token: Slack rejected SLACK_BOT_TOKEN in auth.test (token_revoked); create or reinstall the token and set SLACK_BOT_TOKEN",
			"FAIL slack app token: Slack rejected SLACK_APP_TOKEN in apps.connections.open (invalid_auth)"}},
		{"Unreachable", closed, false, []string{
			"FAIL slack bot token: cannot reach Slack at " + closed + " (auth.test: ",
			"check network access to slack.com, proxy settings (HTTPS_PROXY) and DNS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": url, "ROIBOT_DB_SCHEMA": schema,
				"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": tc.api,
				"ROIBOT_LLM_PROVIDER": "offline"}
			root := newRootCmd(env)
			var out, errOut bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&errOut)
			root.SetArgs([]string{"serve", "--check"})
			err := root.ExecuteContext(context.Background())
			if (err == nil) != tc.ok {
				t.Fatalf("serve --check error = %v; want ok=%v\n%s", err, tc.ok, out.String())
			}
			for _, w := range tc.wants {
				if !strings.Contains(out.String(), w) {
					t.Errorf("serve --check output lacks %q:\n%s", w, out.String())
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if !strings.HasPrefix(line, "ok   ") && !strings.HasPrefix(line, "FAIL ") {
					t.Errorf("line %q: want one status line per check", line)
				}
			}
		})
	}
}
