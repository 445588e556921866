package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vnregistry/registry/internal/registry"
)

// ErrorPresenter is the one place errors become what clients see: every error
// carries extensions.code from the catalogue; the text of errors we did not
// classify is logged and replaced.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if e, ok := errors.AsType[*registry.Error](err); ok {
			if e.Cause != nil {
				log.WarnContext(ctx, "request failed", "code", e.Code, "path", graphql.GetPath(ctx).String(), "err", e.Cause)
			}
			gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
			gerr.Message = e.Message
			gerr.Extensions = map[string]any{"code": string(e.Code)}
			if e.Field != "" {
				gerr.Message = e.Field + ": " + e.Message
				gerr.Extensions["field"] = e.Field
			}
			return gerr
		}
		if gerr, ok := errors.AsType[*gqlerror.Error](err); ok && gerr.Err == nil {
			// Raised by gqlgen itself: parsing, validation, variable coercion.
			// These are the client's mistakes and their text is meant for it.
			out := *gerr
			out.Extensions = map[string]any{"code": string(requestErrorCode(gerr))}
			return &out
		}
		log.ErrorContext(ctx, "internal error", "path", graphql.GetPath(ctx).String(), "err", err)
		gerr := gqlerror.WrapPath(graphql.GetPath(ctx), err)
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": string(registry.CodeInternal)}
		return gerr
	}
}

// requestErrorCode places gqlgen's own errors in the catalogue: all are bad
// requests except the complexity limit, which has its own code.
func requestErrorCode(e *gqlerror.Error) registry.Code {
	if c, _ := e.Extensions["code"].(string); c == string(registry.CodeComplexityExceeded) {
		return registry.CodeComplexityExceeded
	}
	return registry.CodeBadUserInput
}

// Recover turns a panic in a resolver into an INTERNAL error, logged with
// its value.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(), "panic", v)
		return &registry.Error{Code: registry.CodeInternal, Message: "internal error"}
	}
}
