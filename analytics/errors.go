package analytics

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on with errors.Is.
var (
	// ErrNoData means the input holds nothing the metric can be computed on.
	ErrNoData = errors.New("no data")
	// ErrNegative means a value that must be zero or positive is negative.
	ErrNegative = errors.New("negative value")
	// ErrInvalidRate means a rate lies outside its allowed range.
	ErrInvalidRate = errors.New("invalid rate")
	// ErrMixedCurrency means one computation received more than one currency.
	ErrMixedCurrency = errors.New("mixed currencies")
	// ErrInvalidPeriod means a period whose end is not after its start.
	ErrInvalidPeriod = errors.New("invalid period")
)

// InputError reports bad input and names where it is: the row (0-based
// index into the input slice, or -1 when not row-specific) and the field.
type InputError struct {
	Row   int
	Field string
	Err   error
}

func (e *InputError) Error() string {
	if e.Row >= 0 {
		return fmt.Sprintf("row %d, field %s: %v", e.Row, e.Field, e.Err)
	}
	return fmt.Sprintf("field %s: %v", e.Field, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }
