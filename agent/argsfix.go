package agent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// This file accepts tool-call arguments that an OpenAI-compatible server
// sends as a JSON object ("arguments": {"period": "2011"}) instead of the
// JSON string the API specifies ("arguments": "{\"period\":\"2011\"}").
// langchaingo decodes arguments into a string, so such a reply would fail
// the whole call; the transport below rewrites those values to strings
// before langchaingo reads the body, in plain and in streamed (SSE)
// replies. Everything else passes through unchanged.

// argsTransport wraps an http.RoundTripper (http.DefaultTransport when nil).
type argsTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t argsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &argsBody{src: bufio.NewReader(resp.Body), closer: resp.Body}
	resp.ContentLength = -1
	resp.Header.Del("Content-Length")
	return resp, nil
}

// withArgsTransport returns a client like hc (a new one when nil) whose
// transport accepts object arguments.
func withArgsTransport(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	c.Transport = argsTransport{base: c.Transport}
	return c
}

// argsBody rewrites a reply line by line: an SSE "data: {…}" line or a
// line that is a whole JSON document gets its object arguments turned
// into strings.
type argsBody struct {
	src    *bufio.Reader
	closer io.Closer
	buf    bytes.Buffer
	err    error
}

func (b *argsBody) Read(p []byte) (int, error) {
	for b.buf.Len() == 0 && b.err == nil {
		line, err := b.src.ReadBytes('\n')
		b.buf.Write(fixLine(line))
		b.err = err
	}
	if b.buf.Len() > 0 {
		return b.buf.Read(p)
	}
	return 0, b.err
}

func (b *argsBody) Close() error { return b.closer.Close() }

// fixLine rewrites one line of a reply; lines without object arguments are
// returned as they are.
func fixLine(line []byte) []byte {
	if !bytes.Contains(line, []byte(`"arguments"`)) {
		return line
	}
	body, nl := bytes.TrimRight(line, "\r\n"), line[len(bytes.TrimRight(line, "\r\n")):]
	prefix := []byte{}
	if rest, ok := bytes.CutPrefix(body, []byte("data:")); ok {
		prefix = body[:len(body)-len(rest)]
		body = rest
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil || dec.More() {
		return line
	}
	if !stringifyArguments(doc) {
		return line
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return line
	}
	if len(prefix) > 0 {
		out = append(append(append([]byte{}, prefix...), ' '), out...)
	}
	return append(out, nl...)
}

// stringifyArguments replaces, anywhere in v, an "arguments" member whose
// value is an object or an array by its JSON text; it reports whether it
// replaced one.
func stringifyArguments(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				if k == "arguments" {
					if b, err := json.Marshal(e); err == nil {
						x[k] = string(b)
						changed = true
						continue
					}
				}
			}
			changed = stringifyArguments(e) || changed
		}
	case []any:
		for _, e := range x {
			changed = stringifyArguments(e) || changed
		}
	}
	return changed
}
