// Package agent turns a question into tool calls and an answer.
//
// A Service runs a bounded tool-calling loop over a langchaingo llms.Model:
// either a real provider (OpenAI or any OpenAI-compatible server, Anthropic,
// Ollama's /v1) or the deterministic offline planner (package planner, wired
// by cmd through ProviderConfig.Offline), which implements the
// same llms.Model contract so both paths share one loop. The agent knows
// conversations and roles, not Slack and not SQL.
package agent
