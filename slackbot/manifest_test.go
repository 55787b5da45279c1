package slackbot

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestManifest keeps slack-app-manifest.yaml in step with what the code
// calls: every Web API method used needs its scope, and the events and the
// slash command handled here must be subscribed.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("../slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := string(b)
	for _, want := range []string{
		"- app_mentions:read", // app_mention events
		"- chat:write",        // chat.postMessage, chat.update
		"- im:history",        // message.im events
		"- im:read",
		"- im:write",
		"- files:write",     // files.getUploadURLExternal, files.completeUploadExternal
		"- users:read",      // users.info (guests, Slack Connect)
		"- usergroups:read", // usergroups.users.list (roles)
		"- commands",        // /roibot
		"- channels:history",
		"- app_mention\n",
		"- message.im\n",
		"command: /roibot",
		"socket_mode_enabled: true",
		"interactivity:\n    is_enabled: true",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("slack-app-manifest.yaml lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^\s*- (chat:write\.customize|admin|channels:write)`).MatchString(m) {
		t.Errorf("slack-app-manifest.yaml asks for a scope the bot does not use")
	}
}
