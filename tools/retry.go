package tools

import (
	"encoding/json"
	"errors"

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
