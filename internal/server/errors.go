package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/telemetry"
)

// Errors outside GraphQL: requests refused before GraphQL runs, REST-style
// answers such as /stats.csv, and panics. They carry the same catalogue
// codes as GraphQL errors, with the HTTP status of each.

// refuse answers a request stopped before GraphQL with a catalogue error.
func refuse(w http.ResponseWriter, r *http.Request, status int, code registry.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": map[string]any{"code": code, "requestId": telemetry.RequestID(r.Context())},
	}}})
	_, _ = w.Write(body)
}

// writeCatalogueError answers a REST-style request with the error catalogue's
// code and the matching HTTP status; internal text goes to the log only.
func writeCatalogueError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := registry.ErrorCode(err)
	msg := "internal error"
	if e, ok := errors.AsType[*registry.Error](err); ok && code != registry.CodeInternal {
		msg = e.Error()
	} else {
		log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	}
	refuse(w, r, HTTPStatus(code), code, msg)
}

// HTTPStatus is the HTTP status of each catalogue code, for responses that
// are not GraphQL (which answers 200 with errors in the body).
func HTTPStatus(c registry.Code) int {
	switch c {
	case registry.CodeBadUserInput:
		return http.StatusBadRequest
	case registry.CodeNotFound:
		return http.StatusNotFound
	case registry.CodeConflict:
		return http.StatusConflict
	case registry.CodeUnauthenticated:
		return http.StatusUnauthorized
	case registry.CodeForbidden:
		return http.StatusForbidden
	case registry.CodeComplexityExceeded:
		return http.StatusUnprocessableEntity
	case registry.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// recoverPanics answers a handler's panic as INTERNAL (its value and stack
// logged with the request id, never sent) and counts it, so one bad request
// cannot take the process down. http.ErrAbortHandler is the standard way to
// abort a response and is passed on.
func recoverPanics(log *slog.Logger, panicked func(where string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic in HTTP handler", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if panicked != nil {
				panicked("http")
			}
			refuse(w, r, http.StatusInternalServerError, registry.CodeInternal, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}
