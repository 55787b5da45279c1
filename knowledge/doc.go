// Package knowledge holds customer feedback: its type and validation, PII
// redaction, offline sentiment (VADER) and theme tagging, a local lexical
// embedder, retrieval logic (hybrid search fused with reciprocal rank
// fusion), summaries, prompt-safe quoting of feedback for an LLM, and the
// dialogue that collects feedback from a customer.
//
// The package holds no SQL and does no network I/O of its own. Storage is
// reached through interfaces the package defines for what it needs (Index
// for search, Recorder for storing a submission); package postgres
// implements them. Embeddings follow langchaingo's embeddings.Embedder
// contract, so HashEmbedder and a remote embedding model are
// interchangeable.
//
// Privacy: free text passes through Redact before it is stored, embedded,
// searched for or quoted to a model, so e-mail addresses, phone numbers,
// card numbers and street addresses become placeholders such as [EMAIL].
package knowledge
