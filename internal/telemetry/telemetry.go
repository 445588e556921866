// Package telemetry is how the gateway is operated: Prometheus metrics, OpenTelemetry
// traces and one structured log line per GraphQL operation.
package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

const (
	defaultMaxOperationNames = 200
	serviceName              = "registry"
	tracerName               = "github.com/vnregistry/registry/internal/telemetry"
)

// Config configures New. The zero value is usable.
type Config struct {
	// Version is reported by registry_build_info and as service.version.
	Version string
	// MaxOperationNames bounds the distinct operation names used as metric labels
	// (default 200); names seen after that are reported as "other".
	MaxOperationNames int
	// Logger receives the per-operation lines (default slog.Default()).
	Logger *slog.Logger
	// TracerProvider overrides the provider built from the OTLP environment
	// variables; it is not shut down by Shutdown.
	TracerProvider trace.TracerProvider
}

// Telemetry holds the metrics registry, the tracer and the logger shared by the
// GraphQL extension and the MongoDB command monitor.
type Telemetry struct {
	registry *prometheus.Registry
	tracer   trace.Tracer
	logger   *slog.Logger
	names    *nameSet
	shutdown func(context.Context) error

	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	errors        *prometheus.CounterVec
	inFlight      prometheus.Gauge
	storeDuration *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec
	rollupLag     prometheus.Gauge
	repaired      *prometheus.CounterVec
	panics        *prometheus.CounterVec

	commands sync.Map // spanKey -> trace.Span of driver commands in progress
}

// New builds the metrics and, unless cfg.TracerProvider is set, a tracer provider
// that exports over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set and does nothing otherwise.
func New(cfg Config) (*Telemetry, error) {
	if cfg.MaxOperationNames <= 0 {
		cfg.MaxOperationNames = defaultMaxOperationNames
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Version == "" {
		cfg.Version = "unknown"
	}
	t := newMetrics(cfg)
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "registry_build_info",
		Help:        "Always 1; the labels carry the build.",
		ConstLabels: prometheus.Labels{"version": cfg.Version, "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	for _, where := range []string{"resolver", "http"} {
		t.panics.WithLabelValues(where)
	}
	for _, unit := range []string{"documents", "counters"} {
		t.repaired.WithLabelValues(unit)
	}
	t.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo,
		t.requests, t.duration, t.errors, t.inFlight,
		t.storeDuration, t.storeErrors, t.rollupLag, t.repaired, t.panics,
	)

	tp := cfg.TracerProvider
	if tp == nil {
		var err error
		tp, t.shutdown, err = providerFromEnv(cfg.Version)
		if err != nil {
			return nil, err
		}
	}
	t.tracer = tp.Tracer(tracerName)
	return t, nil
}

// newMetrics makes the metrics, not yet registered.
func newMetrics(cfg Config) *Telemetry {
	return &Telemetry{
		registry: prometheus.NewRegistry(),
		logger:   cfg.Logger,
		names:    newNameSet(cfg.MaxOperationNames),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registry_graphql_requests_total",
			Help: "GraphQL operations by type and operation name.",
		}, []string{"type", "name"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "registry_graphql_request_duration_seconds",
			Help:    "GraphQL operation latency from request start to the last response.",
			Buckets: prometheus.DefBuckets,
		}, []string{"type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registry_graphql_errors_total",
			Help: "GraphQL errors in responses by extensions.code.",
		}, []string{"code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "registry_graphql_in_flight",
			Help: "GraphQL operations being executed.",
		}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "registry_store_command_duration_seconds",
			Help: "MongoDB command latency as seen by the driver.",
			// Commands are mostly _id lookups: resolve the sub-millisecond range.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"command"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registry_store_command_errors_total",
			Help: "MongoDB commands that failed.",
		}, []string{"command"}),
		rollupLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "registry_rollup_lag_seconds",
			Help: "How far statistics rollups are behind the dossiers (0 when up to date).",
		}),
		repaired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registry_rollups_repaired_total",
			Help: "Stored statistics rollups found to differ from the dossiers and rewritten when the embedded store opened, by unit: documents (a month and agency each) or counters.",
		}, []string{"unit"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "registry_panics_total",
			Help: "Panics recovered (each answered INTERNAL), by where: resolver or http.",
		}, []string{"where"}),
	}
}

// providerFromEnv leaves the endpoint, headers and timeouts to the exporter, which
// reads the standard OTEL_EXPORTER_OTLP_* variables itself.
func providerFromEnv(version string) (trace.TracerProvider, func(context.Context) error, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return noop.NewTracerProvider(), nil, nil
	}
	ctx := context.Background()
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry: otlp exporter: %w", err)
	}
	// WithFromEnv comes last so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
	res, err := resource.New(ctx,
		resource.WithAttributes(
			attribute.String("service.name", serviceName),
			attribute.String("service.version", version),
		),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

// Handler serves the metrics in the Prometheus exposition format, for /metrics.
func (t *Telemetry) Handler() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{Registry: t.registry})
}

// SetRollupLag reports how many seconds the statistics rollups are behind.
func (t *Telemetry) SetRollupLag(seconds float64) {
	t.rollupLag.Set(seconds)
}

// RollupsRepaired counts what opening the store rewrote of the stored
// rollups: a crash, or a write behind the store's back, had left them
// differing from the dossiers.
func (t *Telemetry) RollupsRepaired(documents, counters int) {
	t.repaired.WithLabelValues("documents").Add(float64(documents))
	t.repaired.WithLabelValues("counters").Add(float64(counters))
}

// Panicked counts a panic recovered at where ("resolver", "http"). Every
// label exists from the start, so a scrape shows 0 rather than nothing.
func (t *Telemetry) Panicked(where string) { t.panics.WithLabelValues(where).Inc() }

// Shutdown flushes spans still queued for the OTLP exporter and stops it.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that log lines report.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id set by WithRequestID, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogRequestIDs wraps h so that every record logged with a request's
// context carries its request id: an INTERNAL answer's requestId then finds
// the logged cause.
func LogRequestIDs(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
