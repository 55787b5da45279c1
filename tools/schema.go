package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/roibot/roibot/analytics"
)

// This file holds the JSON side of every tool: argument schemas, decoding
// with validation, and encoding results.

// schema is a compiled JSON Schema with its source map (sent to the model).
// The map sent is decoder-friendly (see grammarMaxLength); the compiled
// schema keeps every bound and validates the decoded arguments.
type schema struct {
	doc      map[string]any
	compiled *jsonschema.Schema
}

// intArg returns the integer argument field of a typed core's args: def
// when n is 0 (unset), else n within the schema's minimum and maximum for
// field, or a *Problem over an *analytics.InputError naming field. Callers
// of the typed cores (the CLI) skip decodeArgs, so the cores check the
// schema's bounds themselves through this.
func (s schema) intArg(field string, n, def int) (int, error) {
	if n == 0 {
		return def, nil
	}
	prop, _ := s.doc["properties"].(map[string]any)[field].(map[string]any)
	lo, hasLo := prop["minimum"].(int)
	hi, hasHi := prop["maximum"].(int)
	if (hasLo && n < lo) || (hasHi && n > hi) {
		return 0, problemf(&analytics.InputError{Row: -1, Field: field, Err: fmt.Errorf("%d is outside %d to %d", n, lo, hi)},
			fmt.Sprintf("use %d to %d", lo, hi))
	}
	return n, nil
}

// mustSchema compiles a tool's argument schema at package init; a bad schema
// is a programming error.
//
// Every string property without its own maxLength, enum or format gets
// MaxShortText as its maxLength (names, countries, queries: bounded work
// per call), except the long free-text fields named in longTextFields,
// which tools check after decoding (a huge maxLength in the schema breaks
// grammar-constrained decoders such as llama.cpp's).
func mustSchema(name string, doc map[string]any) schema {
	boundStrings(doc)
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
	return schema{doc: grammarFriendly(doc), compiled: sch}
}

// grammarMaxLength is the largest string maxLength kept in the schema sent
// to a model. Servers with grammar-constrained decoding (llama.cpp turns a
// JSON schema into a GBNF grammar) expand maxLength n into n nested rules;
// record_feedback's 5,500 exceeded llama.cpp's rule limit and crashed the
// server. Longer bounds are left out of the map sent and checked after
// decoding by the compiled schema, whose error the model can correct.
const grammarMaxLength = 64

// grammarFriendly returns a copy of a schema map without string maxLength
// bounds above grammarMaxLength, at any depth.
func grammarFriendly(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k == "maxLength" {
			if n, ok := v.(int); ok && n > grammarMaxLength {
				continue
			}
		}
		switch t := v.(type) {
		case map[string]any:
			out[k] = grammarFriendly(t)
		case []any:
			items := make([]any, len(t))
			for i, e := range t {
				if m, ok := e.(map[string]any); ok {
					items[i] = grammarFriendly(m)
				} else {
					items[i] = e
				}
			}
			out[k] = items
		default:
			out[k] = v
		}
	}
	return out
}

// MaxShortText is the maxLength, in characters, given to short free-text
// arguments (names, countries, search queries) that set none.
const MaxShortText = 300

// longTextFields are argument names that carry a customer's own words and
// are bounded after decoding instead of in the schema.
var longTextFields = map[string]bool{"message": true, "text": true, "details": true}

// boundStrings sets MaxShortText on the string properties of a schema
// document that have no maxLength, enum, const or format, recursively.
func boundStrings(doc map[string]any) {
	props, _ := doc["properties"].(map[string]any)
	for name, p := range props {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if pm["type"] == "string" && !longTextFields[name] {
			_, hasMax := pm["maxLength"]
			_, hasEnum := pm["enum"]
			_, hasConst := pm["const"]
			_, hasFormat := pm["format"]
			if !hasMax && !hasEnum && !hasConst && !hasFormat {
				pm["maxLength"] = MaxShortText
			}
		}
		boundStrings(pm)
		if items, ok := pm["items"].(map[string]any); ok {
			boundStrings(items)
			if items["type"] == "string" {
				if _, hasMax := items["maxLength"]; !hasMax {
					if _, hasEnum := items["enum"]; !hasEnum {
						items["maxLength"] = MaxShortText
					}
				}
			}
		}
	}
}

// nulPath returns the JSON pointer of the first string (key or value) in v
// holding a NUL character, or "" when there is none. PostgreSQL text
// cannot hold NUL, so such an argument is refused before any query.
func nulPath(v any, path string) string {
	switch x := v.(type) {
	case string:
		if strings.ContainsRune(x, 0) {
			if path == "" {
				return "/"
			}
			return path
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) {
				return path + "/" + strings.ReplaceAll(k, "\x00", "")
			}
			if p := nulPath(e, path+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := nulPath(e, fmt.Sprintf("%s/%d", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
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
	if p := nulPath(v, ""); p != "" {
		return zero, &argError{msg: fmt.Sprintf("argument at %s contains a NUL character; remove it", strings.ToValidUTF8(strings.ReplaceAll(p, "\x00", ""), ""))}
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
