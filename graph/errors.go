package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/telemetry"
)

// ErrorPresenter is the one place errors become what clients see: every error
// carries extensions.code from the catalogue; the text of errors we did not
// classify is logged and replaced.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := present(ctx, log, err)
		if id := telemetry.RequestID(ctx); id != "" {
			gerr.Extensions["requestId"] = id
		}
		return gerr
	}
}

func present(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	if e, ok := errors.AsType[*registry.Error](err); ok {
		if e.Cause != nil {
			log.WarnContext(ctx, "request failed", "code", e.Code, "path", graphql.GetPath(ctx).String(), "err", e.Cause)
		}
		gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gerr.Message = e.Message
		gerr.Extensions = map[string]any{"code": string(e.Code)}
		field := e.Field
		if arg, ok := errors.AsType[*gqlerror.Error](err); ok && field == "" {
			// A value refused while the arguments were read (a scalar): its
			// error carries the field's path, then the argument's.
			field = inputPath(arg.Path[min(len(arg.Path), len(graphql.GetPath(ctx))):])
			// A mutation's input fields are named as the domain names them:
			// "receivedAt", not "input.receivedAt".
			field = strings.TrimPrefix(field, "input.")
		}
		if field != "" {
			gerr.Message = field + ": " + e.Message
			gerr.Extensions["field"] = field
		}
		return gerr
	}
	if gerr, ok := errors.AsType[*gqlerror.Error](err); ok && gerr.Err == nil {
		// Raised by gqlgen or the gateway's extensions: parsing, validation,
		// limits, persisted queries. Their text is meant for the client; their
		// code is placed in the catalogue, their figures (limit, value) kept.
		out := *gerr
		out.Extensions = map[string]any{"code": string(requestErrorCode(gerr))}
		for _, k := range []string{"limit", "value", "sha256"} {
			if v, ok := gerr.Extensions[k]; ok {
				out.Extensions[k] = v
			}
		}
		// A protocol code outside the catalogue (GRAPHQL_VALIDATION_FAILED,
		// PERSISTED_QUERY_NOT_FOUND, which persisted-query clients act on)
		// stays readable as the reason.
		if c, ok := gerr.Extensions["code"]; ok && c != out.Extensions["code"] {
			out.Extensions["reason"] = c
		}
		return &out
	}
	// gqlgen says so with a bare error, in production mode only.
	root := err
	for errors.Unwrap(root) != nil {
		root = errors.Unwrap(root)
	}
	if root.Error() == "introspection disabled" {
		gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gerr.Message = "introspection is turned off on this server (production mode)"
		gerr.Extensions = map[string]any{"code": string(registry.CodeForbidden)}
		return gerr
	}
	log.ErrorContext(ctx, "internal error", "path", graphql.GetPath(ctx).String(), "err", err)
	gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
	gerr.Message = "internal error"
	gerr.Extensions = map[string]any{"code": string(registry.CodeInternal)}
	return gerr
}

// inputPath writes an argument's path as the catalogue names fields:
// "filter.receivedFrom", "relations[2].kind".
func inputPath(p ast.Path) string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(e))
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(e))
		}
	}
	return b.String()
}

// requestErrorCode places the codes of errors raised outside the resolvers
// in the catalogue: gqlgen's own (parse, validation) are bad requests; the
// gateway's extensions already use catalogue codes; the persisted-query
// protocol's "not found" asks the client to send the document.
func requestErrorCode(e *gqlerror.Error) registry.Code {
	switch c, _ := e.Extensions["code"].(string); registry.Code(c) {
	case registry.CodeComplexityExceeded, registry.CodeForbidden, registry.CodeBadUserInput:
		return registry.Code(c)
	}
	return registry.CodeBadUserInput
}

// Recover turns a panic in a resolver into an INTERNAL error, logged with
// its value and stack (the request id comes from ctx) and counted by
// panicked when it is set.
func Recover(log *slog.Logger, panicked func(where string)) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(), "panic", v, "stack", string(debug.Stack()))
		if panicked != nil {
			panicked("resolver")
		}
		return &registry.Error{Code: registry.CodeInternal, Message: "internal error"}
	}
}
