package tools

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/roibot/roibot/analytics"
)

// This file holds the observations a tool returns for problems the model can
// fix by changing its arguments.

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

// isArgProblem reports whether err is something the model can fix by
// changing its arguments.
func isArgProblem(err error) bool {
	var ae *argError
	var ie *analytics.InputError
	return errors.As(err, &ae) || errors.As(err, &ie) || errors.Is(err, analytics.ErrNoData) ||
		errors.Is(err, analytics.ErrInvalidPeriod) || errors.Is(err, analytics.ErrInvalidRate)
}

// Problem is an error a typed core returns for a problem the caller can fix
// by changing its arguments (a period without data, an unknown channel):
// the tool turns it into observation text for the model (retryHint), the
// CLI prints it. Other errors from a core are infrastructure failures.
type Problem struct {
	Err  error
	Hint string
}

func (p *Problem) Error() string {
	if p.Hint == "" {
		return p.Err.Error()
	}
	return p.Err.Error() + " (" + p.Hint + ")"
}

func (p *Problem) Unwrap() error { return p.Err }

// problemf returns a *Problem for err with hint.
func problemf(err error, hint string) *Problem { return &Problem{Err: err, Hint: hint} }

// observe adapts a typed core's outcome to a tool's two failure channels:
// a *Problem becomes observation text with a nil error, another error is
// wrapped with the tool's name, and a result is encoded as JSON.
func observe[R any](name string, res R, err error) (string, error) {
	var p *Problem
	if errors.As(err, &p) {
		return retryHint(p.Err, p.Hint), nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return encodeJSON(res)
}
