// Package tools adapts analytics (and knowledge) to the agent: one file per
// tool, each with a typed argument struct, the JSON Schema the model sees
// and validated input, and a JSON result. Tools are the only place where
// analytics meets the agent; they read data through small interfaces that
// the postgres store satisfies.
//
// Every result states its definition (with the formula's source), period,
// currency and caveats; money is shown in major units (pounds) with two
// decimals. Problems the model can fix come back as {"error", "hint"} text
// with a nil error; infrastructure failures as errors. See docs/tools.md.
package tools
