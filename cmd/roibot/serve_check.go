package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/roibot/roibot/agent"
)

// checkResult is one line of `roibot serve --check`.
type checkResult struct {
	Component string
	OK        bool
	Detail    string
}

// serveCheck verifies what `roibot serve` needs — the database, the Slack
// bot token (auth.test), the app-level token in Socket Mode
// (apps.connections.open), the signing secret in Events API mode, the LLM
// provider and the embedding endpoint — and prints one line per check:
// "ok   component: detail" or "FAIL component: what failed; what to check".
// It returns an error when any check failed. Every call runs under a
// 15-second deadline.
func (a *App) serveCheck(ctx context.Context, w io.Writer) error {
	var results []checkResult
	add := func(component string, err error, okDetail string) {
		if err != nil {
			results = append(results, checkResult{component, false, err.Error()})
			return
		}
		results = append(results, checkResult{component, true, okDetail})
	}
	timed := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 15*time.Second) }

	// Configuration first: without tokens nothing else can be checked.
	if err := a.Config.ValidateSlack(); err != nil {
		add("config", fmt.Errorf("%s (see the README's Slack section)", strings.ReplaceAll(err.Error(), "\n", "; ")), "")
	} else {
		add("config", nil, "Slack mode "+a.Config.SlackMode)
	}

	dctx, cancel := timed()
	s, err := a.migratedStore(dctx)
	if err == nil {
		var v int32
		v, err = s.SchemaVersion(dctx)
		schema := a.Config.DBSchema
		if schema == "" {
			schema = "public"
		}
		add("database", err, fmt.Sprintf("%s, schema %s, migration %d", redactURL(string(a.Config.DatabaseURL)), schema, v))
	} else {
		add("database", fmt.Errorf("cannot open %s: %v; check that the server runs (make db) and DATABASE_URL", redactURL(string(a.Config.DatabaseURL)), err), "")
	}
	cancel()

	api := slackAPIURL(a.Config.SlackAPIURL)
	if a.Config.SlackBotToken != "" {
		sctx, cancel := timed()
		client := slack.New(string(a.Config.SlackBotToken), slack.OptionAPIURL(api))
		resp, err := client.AuthTestContext(sctx)
		cancel()
		if err != nil {
			add("slack bot token", slackProblem("auth.test", api, "SLACK_BOT_TOKEN", err), "")
		} else {
			add("slack bot token", nil, fmt.Sprintf("team %s, bot user %s (%s)", resp.Team, resp.User, resp.UserID))
		}
	}
	if a.Config.SlackMode == "socket" && a.Config.SlackAppToken != "" {
		sctx, cancel := timed()
		client := slack.New(string(a.Config.SlackBotToken), slack.OptionAPIURL(api), slack.OptionAppLevelToken(string(a.Config.SlackAppToken)))
		_, _, err := client.StartSocketModeContext(sctx)
		cancel()
		add("slack app token", func() error {
			if err != nil {
				return slackProblem("apps.connections.open", api, "SLACK_APP_TOKEN", err)
			}
			return nil
		}(), "Socket Mode connection can be opened")
	}
	if a.Config.SlackMode == "events" && a.Config.SlackSigningSecret != "" {
		add("slack signing secret", nil, "set; requests are verified on "+a.Config.HTTPAddr)
	}

	switch p := a.Config.Provider(); p {
	case agent.ProviderOffline:
		add("llm", nil, "offline planner (no LLM provider configured)")
	default:
		base := a.baseURL()
		lctx, cancel := timed()
		err := checkEndpoint(lctx, base)
		cancel()
		if err != nil {
			add("llm", fmt.Errorf("%s at %s: %v; check the provider's base URL and key variables", p, base, err), "")
		} else {
			add("llm", nil, fmt.Sprintf("%s at %s, model %s", p, base, a.modelName()))
		}
	}

	ectx, cancel := timed()
	_, _, embName, err := a.embedder(ectx)
	cancel()
	if err != nil {
		add("embeddings", err, "")
	} else {
		add("embeddings", nil, embName)
	}

	failed := 0
	for _, r := range results {
		status := "ok  "
		if !r.OK {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s %s: %s\n", status, r.Component, r.Detail)
	}
	if failed > 0 {
		return fmt.Errorf("serve --check: %d of %d checks failed", failed, len(results))
	}
	return nil
}

// slackAPIURL returns the Slack Web API base in effect.
func slackAPIURL(configured string) string {
	if configured != "" {
		return configured
	}
	return slack.APIURL
}

// slackProblem turns a failed Slack call into one plain sentence: what
// failed and what to check.
func slackProblem(method, api, variable string, err error) error {
	var se slack.SlackErrorResponse
	msg := err.Error()
	switch {
	case errors.As(err, &se) || isSlackAuthError(msg):
		return fmt.Errorf("Slack rejected %s in %s (%s); create or reinstall the token and set %s", variable, method, msg, variable)
	case isNetworkError(err):
		return fmt.Errorf("cannot reach Slack at %s (%s: %s); check network access to slack.com, proxy settings (HTTPS_PROXY) and DNS", api, method, msg)
	}
	return fmt.Errorf("%s failed: %s; check %s and network access to %s", method, msg, variable, api)
}

// isSlackAuthError reports Slack's token errors.
func isSlackAuthError(msg string) bool {
	for _, e := range []string{"invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired", "not_allowed_token_type", "invalid_token"} {
		if strings.Contains(msg, e) {
			return true
		}
	}
	return false
}

// isNetworkError reports a failure to reach a server at all.
func isNetworkError(err error) bool {
	var ne net.Error
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de) || errors.As(err, &ne) || errors.As(err, &ue)
}

// checkEndpoint GETs base + "/models" (OpenAI-compatible servers and
// Anthropic answer it; a 401 means the key is wrong). Any HTTP answer but
// 401/403 shows the server is reachable.
func checkEndpoint(ctx context.Context, base string) error {
	if base == "" {
		return errors.New("no base URL configured")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/models", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("answered %s (key missing or rejected)", resp.Status)
	}
	return nil
}

// redactURL hides a password in a database URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}
