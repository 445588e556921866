package telemetry

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// codeInternal is reported for errors without extensions.code.
const codeInternal = "INTERNAL"

// GraphQL returns the gqlgen extension that measures, traces and logs each operation.
func (t *Telemetry) GraphQL() graphql.HandlerExtension {
	return extension{t}
}

type extension struct{ t *Telemetry }

var (
	_ graphql.OperationInterceptor = extension{}
	_ graphql.ResponseInterceptor  = extension{}
	_ graphql.RootFieldInterceptor = extension{}
)

func (extension) ExtensionName() string                   { return "Telemetry" }
func (extension) Validate(graphql.ExecutableSchema) error { return nil }

// operationKey marks contexts of dispatched operations, which InterceptOperation
// records; InterceptResponse records only requests rejected before dispatch.
type operationKey struct{}

// InterceptOperation runs once per operation; its response handler is called once
// per response (many for subscriptions and @defer), so the operation ends with
// its last response.
func (e extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	typ := string(opCtx.Operation.Operation)
	name := opCtx.Operation.Name
	start := opCtx.Stats.OperationStart
	if start.IsZero() {
		start = time.Now()
	}

	// Join the caller's trace when it sent a traceparent and nothing upstream
	// (an HTTP middleware) started a span already.
	if !trace.SpanContextFromContext(ctx).IsValid() && opCtx.Headers != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(opCtx.Headers))
	}
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", typ)}
	if name != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", sanitizeName(name)))
	}
	ctx, span := e.t.tracer.Start(ctx, typ, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	ctx = context.WithValue(ctx, operationKey{}, true)
	e.t.inFlight.Inc()

	var (
		once  sync.Once
		codes []string
	)
	finish := func() {
		once.Do(func() {
			e.t.inFlight.Dec()
			markSpan(span, codes)
			span.End()
			e.t.record(ctx, typ, name, e.t.names.label(name), start, codes)
		})
	}
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil {
			finish()
			return nil
		}
		codes = append(codes, errorCodes(resp.Errors)...)
		if opCtx.Operation.Operation != ast.Subscription && (resp.HasNext == nil || !*resp.HasNext) {
			finish()
		}
		return resp
	}
}

// InterceptResponse records requests that failed before an operation was
// dispatched (unreadable body, parse or validation errors): gqlgen calls no
// operation interceptor for them.
func (e extension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || ctx.Value(operationKey{}) != nil {
		return resp
	}
	var name string
	if graphql.HasOperationContext(ctx) {
		name = graphql.GetOperationContext(ctx).OperationName
	}
	e.t.record(ctx, nameUnknown, name, nameUnknown, graphql.GetStartTime(ctx), errorCodes(resp.Errors))
	return resp
}

// InterceptRootField spans the resolvers of Query and Mutation fields: those are
// the ones that reach the store, and spanning every field would cost more than
// the resolvers. Subscription fields live as long as the stream and are left out.
func (e extension) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || !graphql.HasOperationContext(ctx) ||
		graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	ctx, span := e.t.tracer.Start(ctx, rfc.Object+"."+rfc.Field.Name,
		trace.WithAttributes(attribute.String("graphql.field.name", rfc.Field.Name)))
	defer span.End()
	m := next(ctx)
	if span.IsRecording() {
		// Resolver errors reach the response, not the Marshaler: find this field's.
		var codes []string
		for _, err := range graphql.GetErrors(ctx) {
			if len(err.Path) > 0 && err.Path[0] == ast.PathName(rfc.Field.Alias) {
				codes = append(codes, errorCode(err))
			}
		}
		markSpan(span, codes)
	}
	return m
}

// record counts and logs one finished request. name is as sent; label is its
// bounded metric form.
func (t *Telemetry) record(ctx context.Context, typ, name, label string, start time.Time, codes []string) {
	d := time.Since(start)
	t.requests.WithLabelValues(typ, label).Inc()
	t.duration.WithLabelValues(typ).Observe(d.Seconds())
	for _, c := range codes {
		t.errors.WithLabelValues(c).Inc()
	}

	level := slog.LevelInfo
	if serverFault(codes) {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("operation_type", typ),
		slog.String("operation_name", sanitizeName(name)),
		slog.Duration("duration", d),
		slog.Any("error_codes", distinct(codes)),
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	t.logger.LogAttrs(ctx, level, "graphql operation", attrs...)
}

// markSpan sets the error status only for server faults: a NOT_FOUND or a bad
// argument is the caller's error, not a failed span.
func markSpan(span trace.Span, codes []string) {
	if len(codes) == 0 {
		return
	}
	codes = distinct(codes)
	span.SetAttributes(attribute.StringSlice("registry.error_codes", codes))
	if serverFault(codes) {
		span.SetStatus(otelcodes.Error, strings.Join(codes, ","))
	}
}

func serverFault(codes []string) bool {
	return slices.Contains(codes, codeInternal) || slices.Contains(codes, "UNAVAILABLE")
}

func errorCodes(list gqlerror.List) []string {
	codes := make([]string, 0, len(list))
	for _, err := range list {
		codes = append(codes, errorCode(err))
	}
	return codes
}

func errorCode(err *gqlerror.Error) string {
	if code, ok := err.Extensions["code"].(string); ok && code != "" {
		return code
	}
	return codeInternal
}

// distinct is never nil, so a JSON log shows [] rather than null.
func distinct(codes []string) []string {
	out := append([]string{}, codes...)
	slices.Sort(out)
	return slices.Compact(out)
}
