// Package slackbot is roibot's Slack adapter: it turns Slack messages into
// agent.Question values and agent.Answer values into Block Kit messages,
// files and charts.
//
// Two transports feed one bounded worker pool: Socket Mode (RunSocketMode)
// and the HTTP Events API (Handler, serving /slack/events, /slack/commands
// and /slack/interactivity). Both acknowledge Slack at once, claim the
// event through Dedup before queueing it (so retries and redeliveries never
// start a second turn), and answer in the message's thread: a "working on
// it…" placeholder is posted immediately and updated with the answer.
//
// Persistence goes through small interfaces defined here (Dedup,
// Conversations, Auditor) and the work itself through Asker; the postgres
// package implements the storage ones, and in-memory versions in this
// package serve tests and running without a database. slackbot knows
// Slack, not SQL.
package slackbot
