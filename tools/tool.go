package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/roibot/roibot/analytics"
)

// schema is a compiled JSON Schema with its source map (sent to the model).
type schema struct {
	doc      map[string]any
	compiled *jsonschema.Schema
}

// mustSchema compiles a tool's argument schema at package init; a bad schema
// is a programming error.
func mustSchema(name string, doc map[string]any) schema {
	c := jsonschema.NewCompiler()
	// Round-trip through JSON so the compiler sees plain JSON values.
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		panic(err)
	}
	url := "roibot://tools/" + name + ".json"
	if err := c.AddResource(url, v); err != nil {
		panic(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		panic(fmt.Sprintf("tool %s schema: %v", name, err))
	}
	return schema{doc: doc, compiled: sch}
}

// argError is an argument problem the model can fix.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

// decodeArgs validates input against sch and decodes it into T.
func decodeArgs[T any](input string, sch schema) (T, error) {
	var zero T
	input = strings.TrimSpace(input)
	if input == "" {
		input = "{}"
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(input))
	if err != nil {
		return zero, &argError{msg: "arguments are not a JSON object: " + err.Error()}
	}
	if err := sch.compiled.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return zero, &argError{msg: "arguments do not match the schema: " + flattenValidation(ve)}
		}
		return zero, &argError{msg: "arguments do not match the schema: " + err.Error()}
	}
	var out T
	dec := json.NewDecoder(strings.NewReader(input))
	if err := dec.Decode(&out); err != nil {
		return zero, &argError{msg: "arguments: " + err.Error()}
	}
	return out, nil
}

var englishPrinter = message.NewPrinter(language.English)

// flattenValidation lists the leaf causes as "at /field: message".
func flattenValidation(ve *jsonschema.ValidationError) string {
	var msgs []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			msgs = append(msgs, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(englishPrinter)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(msgs, "; ")
}

// problem is the observation returned for a problem the model can fix.
type problem struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
}

// retryHint renders err as an observation for the model.
func retryHint(err error, hint string) string {
	b, _ := json.Marshal(problem{Error: err.Error(), Hint: hint})
	return string(b)
}

// encodeJSON renders a tool result.
func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode result: %w", err)
	}
	return string(b), nil
}

// recoverTool turns a panic inside a tool into an error naming the tool.
func recoverTool(name string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("tool %s panicked: %v\n%s", name, r, debug.Stack())
	}
}

// Major is an amount in major currency units (pounds), marshalled with two
// decimals.
type Major float64

// major converts minor units to Major.
func major(m analytics.Money) Major { return Major(float64(m) / 100) }

// MarshalJSON writes the amount with two decimals.
func (m Major) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(m), 'f', 2, 64)), nil
}

// PeriodJSON is a period as tools report it: dates, with to exclusive.
type PeriodJSON struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
	// LastDay is the last day included (to − 1 day).
	LastDay string `json:"last_day"`
}

func periodJSON(p analytics.Period) PeriodJSON {
	return PeriodJSON{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Label: p.String(),
		LastDay: p.To.AddDate(0, 0, -1).Format(time.DateOnly)}
}

// Display carries presentation hints for chat front ends (agent.Table and
// agent.Chart have the same JSON).
type Display struct {
	Tables []Table `json:"tables,omitempty"`
	Charts []Chart `json:"charts,omitempty"`
}

// Table is a titled table of preformatted cells.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Chart is a bar chart.
type Chart struct {
	Title  string    `json:"title"`
	Kind   string    `json:"kind"`
	Labels []string  `json:"labels"`
	Values []float64 `json:"values"`
	Unit   string    `json:"unit"`
}

// money formats minor units as "£1,234.56" (GBP) or "USD 1,234.56".
func money(m analytics.Money, currency string) string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	whole := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("%s.%02d", b.String(), v%100)
	if currency == "GBP" {
		return sign + "£" + s
	}
	return sign + currency + " " + s
}

// pct formats a fraction as a percentage with one decimal, or "n/a".
func pct(f analytics.NullFloat) string {
	v, ok := f.Get()
	if !ok {
		return "n/a"
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

// ratio formats a plain ratio with two decimals, or "n/a".
func ratio(f analytics.NullFloat) string {
	v, ok := f.Get()
	if !ok {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// round returns v rounded to d decimals (for JSON readability).
func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

// DataRange is what tools need to default periods and as-of dates: the
// first and last order time of a currency's data.
type DataRange interface {
	DataRange(ctx context.Context, currency string) (first, last time.Time, err error)
}

// periodArgs are the common period arguments.
type periodArgs struct {
	Period string `json:"period"`
	From   string `json:"from"`
	To     string `json:"to"`
}

var periodProps = map[string]any{
	"period": map[string]any{"type": "string", "description": "YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (both days included). Default: all data."},
	"from":   map[string]any{"type": "string", "format": "date", "description": "first day included, YYYY-MM-DD (instead of period)"},
	"to":     map[string]any{"type": "string", "format": "date", "description": "last day included, YYYY-MM-DD (instead of period)"},
}

// resolvePeriod turns period arguments into a Period; with none, it spans
// all data of the currency (from its first day to the day after its last).
func resolvePeriod(ctx context.Context, dr DataRange, a periodArgs, loc *time.Location) (analytics.Period, error) {
	switch {
	case a.Period != "":
		return analytics.ParsePeriod(a.Period, loc)
	case a.From != "" || a.To != "":
		from, to := a.From, a.To
		if from == "" || to == "" {
			first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
			if err != nil {
				return analytics.Period{}, err
			}
			if from == "" {
				from = first.In(loc).Format(time.DateOnly)
			}
			if to == "" {
				to = last.In(loc).Format(time.DateOnly)
			}
		}
		p, err := analytics.DateRange(from, to, loc)
		if err != nil {
			return p, &analytics.InputError{Row: -1, Field: "from/to", Err: err}
		}
		p.Label = from + ".." + to
		return p, nil
	}
	first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return analytics.Period{}, err
	}
	f := first.In(loc)
	l := last.In(loc)
	return analytics.Period{
		From:  time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc),
		To:    time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc),
		Label: "all data",
	}, nil
}

// isArgProblem reports whether err is something the model can fix by
// changing its arguments.
func isArgProblem(err error) bool {
	var ae *argError
	var ie *analytics.InputError
	return errors.As(err, &ae) || errors.As(err, &ie) || errors.Is(err, analytics.ErrNoData) ||
		errors.Is(err, analytics.ErrInvalidPeriod) || errors.Is(err, analytics.ErrInvalidRate)
}

// coverageCaveat says when period p reaches past the data (e.g. 2011-Q4
// while the orders end on 2011-12-09), so a partial period is not read as a
// whole one. It returns "" when p lies within the data or the range is
// unknown.
func coverageCaveat(ctx context.Context, dr DataRange, p analytics.Period) string {
	first, last, err := dr.DataRange(ctx, analytics.DefaultCurrency)
	if err != nil {
		return ""
	}
	switch {
	case p.To.After(last.AddDate(0, 0, 1)) && p.From.Before(first):
		return fmt.Sprintf("the data cover %s to %s only, a part of %s", first.Format(time.DateOnly), last.Format(time.DateOnly), p)
	case p.To.After(last.AddDate(0, 0, 1)):
		return fmt.Sprintf("the data end on %s, so %s is partial (it runs to %s)", last.Format(time.DateOnly), p, p.To.AddDate(0, 0, -1).Format(time.DateOnly))
	case p.From.Before(first):
		return fmt.Sprintf("the data start on %s, so %s is partial", first.Format(time.DateOnly), p)
	}
	return ""
}
