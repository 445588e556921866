package telemetry

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// spanKey identifies a command between its Started and Succeeded/Failed events.
type spanKey struct {
	connection string
	request    int64
}

// MongoMonitor returns a command monitor for options.Client().SetMonitor. It
// records command names, databases and timings only: never commands, replies or
// failure messages, which can quote documents.
func (t *Telemetry) MongoMonitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			_, span := t.tracer.Start(ctx, "mongo."+e.CommandName,
				trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(
					attribute.String("db.system", "mongodb"),
					attribute.String("db.operation.name", e.CommandName),
					attribute.String("db.namespace", e.DatabaseName),
				))
			// Unsampled and no-op spans need no End: keep the map empty without tracing.
			if span.IsRecording() {
				t.commands.Store(spanKey{e.ConnectionID, e.RequestID}, span)
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			t.commandFinished(&e.CommandFinishedEvent, false)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			t.commandFinished(&e.CommandFinishedEvent, true)
		},
	}
}

func (t *Telemetry) commandFinished(e *event.CommandFinishedEvent, failed bool) {
	t.storeDuration.WithLabelValues(e.CommandName).Observe(e.Duration.Seconds())
	if failed {
		t.storeErrors.WithLabelValues(e.CommandName).Inc()
	}
	v, ok := t.commands.LoadAndDelete(spanKey{e.ConnectionID, e.RequestID})
	if !ok {
		return
	}
	span := v.(trace.Span)
	if failed {
		span.SetStatus(codes.Error, "command failed")
	}
	span.End()
}
