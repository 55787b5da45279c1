package main

import (
	"io"
	"strings"
	"testing"
)

func TestConfig_RejectsBadDurationsAndFormats(t *testing.T) {
	for _, env := range []map[string]string{
		{"ROIBOT_QUERY_TIMEOUT": "-5s"},
		{"ROIBOT_TURN_TIMEOUT": "0s"},
		{"ROIBOT_LOG_FORMAT": "xml"},
	} {
		if _, err := LoadConfig(env); err == nil {
			t.Errorf("LoadConfig(%v) error = nil; want an error naming the variable", env)
		} else {
			for k := range env {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("LoadConfig(%v) error = %v; want it to name %s", env, err, k)
				}
			}
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string // substring of the error; "" = valid
	}{
		{map[string]string{}, ""},
		{map[string]string{"ROIBOT_TIMEZONE": "Mars/Base"}, "ROIBOT_TIMEZONE"},
		{map[string]string{"ROIBOT_REPORTING_CURRENCY": "eur"}, "ROIBOT_REPORTING_CURRENCY"},
		{map[string]string{"ROIBOT_LLM_PROVIDER": "foo"}, "ROIBOT_LLM_PROVIDER"},
		{map[string]string{"ROIBOT_LLM_PROVIDER": "anthropic"}, "ANTHROPIC_API_KEY"},
		{map[string]string{"ROIBOT_LLM_PROVIDER": "openai", "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"}, ""},
		{map[string]string{"SLACK_BOT_TOKEN": "abc"}, "xoxb-"},
		{map[string]string{"SLACK_APP_TOKEN": "xoxb-1"}, "xapp-"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
	} {
		_, err := LoadConfig(tc.env)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("LoadConfig(%v) error = %v; want nil", tc.env, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("LoadConfig(%v) error = %v; want one naming %s", tc.env, err, tc.want)
		}
	}
	c, _ := LoadConfig(map[string]string{"OPENAI_API_KEY": "sk-test"})
	if c.Provider() != "openai" {
		t.Errorf("provider with OPENAI_API_KEY = %s; want openai", c.Provider())
	}
	if got := Secret("sk-test").String(); got != "[redacted]" {
		t.Errorf("Secret.String() = %q; want [redacted]", got)
	}
}

func TestCLVFit_RejectsImpossibleWindows(t *testing.T) {
	for _, args := range [][]string{
		{"--calibration-end", "1998-07-01"},                                // at/after the last order day (1998-06-30)
		{"--calibration-end", "1997-09-30", "--holdout-end", "1997-01-01"}, // holdout before calibration
		{"--calibration-end", "1997-09-30", "--holdout-end", "1999-01-01"}, // holdout past the data
	} {
		root := newRootCmd(map[string]string{})
		root.SetArgs(append([]string{"clv", "fit", "--file", "../../data/cdnow/cdnowElog.csv", "--unit", "week"}, args...))
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "clv fit") {
			t.Errorf("clv fit %v error = %v; want a clv fit error", args, err)
		}
	}
}

// TestConfig_DatabaseURLFromPort: without DATABASE_URL the binary talks to
// the embedded server on ROIBOT_DB_PORT, the port scripts/db.sh starts it
// on; DATABASE_URL wins when set.
func TestConfig_DatabaseURLFromPort(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable"},
		{map[string]string{"ROIBOT_DB_PORT": "55017"}, "postgres://postgres@127.0.0.1:55017/postgres?sslmode=disable"},
		{map[string]string{"ROIBOT_DB_PORT": "55017", "DATABASE_URL": "postgres://u@db:5432/x"}, "postgres://u@db:5432/x"},
	} {
		c, err := LoadConfig(tc.env)
		if err != nil {
			t.Fatalf("LoadConfig(%v) = %v", tc.env, err)
		}
		if got := string(c.DatabaseURL); got != tc.want {
			t.Errorf("LoadConfig(%v).DatabaseURL = %q; want %q", tc.env, got, tc.want)
		}
	}
	for _, env := range []map[string]string{{"ROIBOT_DB_PORT": "70000"}, {"ROIBOT_DB_MAX_CONNS": "0"}} {
		if _, err := LoadConfig(env); err == nil {
			t.Errorf("LoadConfig(%v) error = nil; want an error naming the variable", env)
		}
	}
}
