package slackbot

import "log/slog"

// Secret holds a token or signing secret. It prints and logs as
// "[redacted]" so it cannot leak through fmt or log/slog by accident.
type Secret string

const redacted = "[redacted]"

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", also for %#v.
func (Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer and returns "[redacted]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// Reveal returns the secret's value, for handing it to Slack.
func (s Secret) Reveal() string { return string(s) }

// MarshalText returns "[redacted]", so JSON and text encoders (slog's
// JSONHandler printing a whole Config, for one) never see the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
