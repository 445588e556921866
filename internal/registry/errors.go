// Package registry is the domain: procedures, dossiers, directives and the
// rules they follow. It does no I/O.
package registry

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. The catalogue is closed: transports
// map each code to their own status in one place.
type Code string

const (
	CodeBadUserInput       Code = "BAD_USER_INPUT"
	CodeNotFound           Code = "NOT_FOUND"
	CodeConflict           Code = "CONFLICT"
	CodeUnauthenticated    Code = "UNAUTHENTICATED"
	CodeForbidden          Code = "FORBIDDEN"
	CodeComplexityExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeUnavailable        Code = "UNAVAILABLE"
	CodeInternal           Code = "INTERNAL"
)

// Error is an error whose message is safe to show to the client.
// Field names the input field at fault, when there is one.
type Error struct {
	Code    Code
	Field   string
	Message string
	// Cause is the underlying fault, for the log only.
	Cause error
}

func (e *Error) Unwrap() error { return e.Cause }

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports bad input in one field, naming the rule it breaks.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or INTERNAL when err is not an *Error:
// anything unclassified is a fault of ours, and its text is not for clients.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodeInternal
}

// within places an input error inside an enclosing field ("relations[2]" +
// "kind" -> "relations[2].kind"); other errors pass through.
func within(prefix string, err error) error {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != CodeBadUserInput {
		return err
	}
	return &Error{Code: e.Code, Field: prefix + "." + e.Field, Message: e.Message}
}

// AsField relabels an input error with the name the caller's input gives the
// field (a symbol parsed for "resultSymbol"); other errors pass through.
func AsField(field string, err error) error {
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Code != CodeBadUserInput {
		return err
	}
	return &Error{Code: e.Code, Field: field, Message: e.Message}
}

// Errors a store answers with, which the service words for clients.
var (
	// ErrDuplicate: a record with the same key is already stored.
	ErrDuplicate = errors.New("already stored")
	// ErrNotFound: no record with the key is stored.
	ErrNotFound = errors.New("not stored")
	// ErrOutcomeUnknown marks a write the store may or may not have applied
	// (it did not answer in time): the audit log records it as UNKNOWN.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)
