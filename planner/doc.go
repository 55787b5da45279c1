// Package planner is roibot's offline model: a deterministic langchaingo
// llms.Model that understands a marketer's question without an LLM, calls
// the offered tools, and composes the answer from their results.
//
// # Understanding
//
// A question becomes a frame: an intent, read by a trained classifier,
// and slots, read from the data's vocabulary and the business lexicon.
//
//   - The intent classifier (Classifier) is a multinomial logistic
//     regression over word, word-bigram and character n-gram features,
//     trained at start-up on the embedded corpus (corpus/questions.jsonl,
//     English and Simplified Chinese) in well under a second. Below
//     MinConfidence the Planner asks which of the closest supported
//     questions was meant instead of guessing.
//   - Slots: periods (one grammar: the question's words become the period
//     names analytics.ParsePeriod reads, relative ones resolved against the
//     data's as-of date), countries, channels, campaigns (also by part of
//     their name), categories, RFM segments, attribution models, windows,
//     k, thresholds, horizons, top-N. Names come from the Vocabulary cmd
//     hands over at start-up; a word one or two edits from a name is read
//     as that name, and the answer says so. A Chinese question goes
//     through the bilingual lexicon (interlingua.go) first.
//
// # Composition
//
// Comparisons ("Q3 vs Q4", "France and Germany") make one call per item
// and are answered side by side; "worst"/"lowest" sorts ascending with a
// headline that says so; a follow-up ("and for email?", "那德国呢？")
// keeps every slot of the previous question it does not change. Every
// constraint the question states is applied or named as not applied; large
// tables are summarised (the whole table goes to a CSV in chat, ask and
// Slack); the answer is in the question's language, from a message catalog
// (golang.org/x/text/message).
//
// # Adding an intent
//
// 1. Add its questions to corpus/questions.jsonl, in English and Chinese,
// as people type them (at least 30 of each; new lines go to the "build"
// split, the "test" split stays untouched).
// 2. Add the intent constant and its tools to intentTools (corpus.go),
// and an example question in both languages to examples (messages.go).
// 3. If its tool takes arguments no case of Planner.args builds yet, add
// the case (argument keys are those of the tool's schema; fitArgs drops
// any the offered tool does not take, and the answer names them).
// 4. Run go test ./planner -run 'TestEval_HeldOut|TestCorpus' -v: the
// held-out figures must stay at or above 90% overall and 85% in Chinese.
package planner
