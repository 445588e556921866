// Package server is the HTTP face of the gateway: routes, CORS, health and
// the rules of GraphQL over HTTP that gqlgen's transports leave to us.
package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// Config is the HTTP layer's configuration. Zero limits take the defaults
// of Defaults.
type Config struct {
	// CORSOrigins are the browser origins allowed to call the API; never "*".
	CORSOrigins []string
	Logger      *slog.Logger
	// Keys are the API keys; nil means development: every caller is the
	// developer (an administrator).
	Keys *auth.Keys
	// MaxBody is the largest request body, in bytes (413 above).
	MaxBody int64
	// MaxBatch is the most operations in one batched request.
	MaxBatch int
	// Timeout bounds each request; the store work under it is cancelled.
	Timeout time.Duration
	// Rate and Burst are each caller's token bucket (per API key, or per
	// client address without one): requests per second, and how many at once.
	Rate  float64
	Burst int
	// Concurrency bounds the requests each caller (likewise) has running at
	// once; one more waits up to 2 s for a slot, then is answered 429.
	Concurrency int
	// BehindProxy trusts X-Forwarded-For for the client address.
	BehindProxy bool
	// Metrics, when set, is served at /metrics.
	Metrics http.Handler
	// Audit, when set, records requests refused for their API key.
	Audit Auditor
	// ReadyDetails, when set, adds facts to /readyz (how subscriptions and
	// lists are served).
	ReadyDetails func() map[string]string
	// Subscriptions ends every open WebSocket when it is done: http.Server's
	// Shutdown waits for requests but does not close hijacked connections.
	Subscriptions context.Context
	// Panicked, when set, counts a panic recovered in a handler.
	Panicked func(where string)
	// CacheVersion, when set, is the store's version for HTTP validators
	// (ETag) of GET answers; ok false, or nil, sends none (see httpCache).
	CacheVersion func(ctx context.Context) (version string, ok bool)
	// CacheMaxAge is how long shared caches may keep an anonymous GET
	// answer (DefaultCacheMaxAge when zero, at most MaxCacheMaxAge).
	CacheMaxAge time.Duration
}

// Auditor records security events met before any operation runs.
type Auditor interface {
	// AuditRefusedKey records a request refused for its API key, with the
	// operations it tried and their targets (see attempted).
	AuditRefusedKey(ctx context.Context, operation, target string, err error)
}

// Handler routes /graphql, /stats.csv, /healthz, /readyz, and every other
// path to pages (the playground at /, /explore). ready answers whether the
// store is reachable.
func Handler(graphql, pages http.Handler, ready func(context.Context) error, st StatsSource, cfg Config) (http.Handler, error) {
	for _, o := range cfg.CORSOrigins {
		if strings.Contains(o, "*") {
			return nil, errors.New("server: CORS origins must be listed one by one; a wildcard lets any site read the API with its visitors' credentials")
		}
	}
	if cfg.CacheMaxAge < 0 || cfg.CacheMaxAge > MaxCacheMaxAge {
		return nil, errors.New("server: the cache max-age must be between 0 and " + MaxCacheMaxAge.String() + ", got " + cfg.CacheMaxAge.String())
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := Defaults()
	cfg.MaxBody = cmp.Or(cfg.MaxBody, d.MaxBody)
	cfg.MaxBatch = cmp.Or(cfg.MaxBatch, d.MaxBatch)
	cfg.Timeout = cmp.Or(cfg.Timeout, d.Timeout)
	cfg.Rate = cmp.Or(cfg.Rate, d.Rate)
	cfg.Burst = cmp.Or(cfg.Burst, d.Burst)
	cfg.CacheMaxAge = cmp.Or(cfg.CacheMaxAge, d.CacheMaxAge)
	// Outermost first: the id exists for every answer; the body limit holds
	// before anything reads; the caller is known before it is rate-limited.
	rates, fair := newLimiter(cfg.Rate, cfg.Burst, cfg.BehindProxy), newFairness(cfg.Concurrency, cfg.BehindProxy)
	api := func(h http.Handler) http.Handler {
		return limitBody(cfg.MaxBody, authenticate(cfg.Keys, cfg.Audit, rates.middleware(fair.middleware(withTimeout(cfg.Timeout, h)))))
	}
	mux := http.NewServeMux()
	// The CSV export stays a plain link: it only reads, like the playground.
	mux.Handle("/graphql", requirePreflight(api(batches(cfg.MaxBatch, httpCache(cfg.CacheVersion, cfg.CacheMaxAge, graphqlOverHTTP(endWith(cfg.Subscriptions, graphql)))))))
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	mux.Handle("GET /stats.csv", api(statsCSV(st, log)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		body := map[string]any{"status": "ready", "store": "reachable"}
		if cfg.ReadyDetails != nil {
			body["details"] = cfg.ReadyDetails()
		}
		if err := ready(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready", "err", err)
			body["status"], body["store"] = "unavailable", "unreachable"
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(body)
	})
	mux.Handle("/", pages)
	c := cors.New(cors.Options{
		AllowedOrigins: cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		// Besides the protocol's, the headers real clients add: Apollo
		// Client's client awareness, and W3C trace context.
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", PreflightHeader, RequestIDHeader,
			"Apollographql-Client-Name", "Apollographql-Client-Version", "Traceparent", "Tracestate", "If-None-Match"},
		ExposedHeaders: []string{RequestIDHeader, "Retry-After", "ETag", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
		MaxAge:         600,
	})
	return withRequestID(recoverPanics(log, cfg.Panicked, c.Handler(mux))), nil
}

// MaxText is the largest text argument the API accepts, in bytes: a
// bulletin's text (the service's maxBulletin; TestBulletinLimitOverHTTP
// holds the two together).
const MaxText = 1 << 20

// DefaultMaxBody holds a text of MaxText bytes however a client escapes it
// in JSON: at worst six bytes a byte (\u00XX), and 64 KiB for the document,
// the other arguments and a batch's brackets; 6 MiB + 64 KiB in all.
const DefaultMaxBody = 6*MaxText + 64<<10

// Defaults are the limits a gateway has unless configured otherwise.
func Defaults() Config {
	return Config{MaxBody: DefaultMaxBody, MaxBatch: 10, Timeout: 15 * time.Second, Rate: 20, Burst: 40, Concurrency: DefaultConcurrency, CacheMaxAge: DefaultCacheMaxAge}
}

// graphqlOverHTTP enforces what the GraphQL-over-HTTP specification asks and
// gqlgen does not: 405 for other methods and for mutations over GET (a GET
// must be safe), 415 for a POST body that is not JSON, and request errors
// (a document that does not parse or validate, variables that do not
// coerce) answered 200 under application/json and, under
// application/graphql-response+json, 400 without a "data" entry.
func graphqlOverHTTP(next http.Handler) http.Handler {
	next = requestErrorStatus(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if r.Header.Get("Upgrade") == "" {
				mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil || mt != "application/json" {
					refuse(w, r, http.StatusUnsupportedMediaType, registry.CodeBadUserInput, "POST bodies must be application/json")
					return
				}
			}
		case http.MethodGet:
			if r.Header.Get("Upgrade") != "" {
				break
			}
			if err := checkGET(r); err != nil {
				refuse(w, r, http.StatusBadRequest, registry.CodeBadUserInput, err.Error())
				return
			}
			if !readOnly(r) {
				refuseGETMutation(w, r)
				return
			}
			// A mutation sent by persisted-query hash alone is only known as
			// one once gqlgen has looked it up; it then answers 406, bare.
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == http.StatusNotAcceptable {
				refuseGETMutation(w, r)
				return
			}
			maps.Copy(w.Header(), rec.Header())
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		default:
			w.Header().Set("Allow", "GET, POST")
			refuse(w, r, http.StatusMethodNotAllowed, registry.CodeBadUserInput, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestErrorStatus corrects gqlgen's answer to a request error: it uses
// 422 under application/json, where the specification asks for 200, and
// writes "data": null under application/graphql-response+json, where it
// asks for no data entry.
func requestErrorStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		rw := &requestErrorWriter{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		rw.finish()
	})
}

// requestErrorWriter passes a response through, except a request error's
// under application/graphql-response+json, which it holds to drop "data".
type requestErrorWriter struct {
	http.ResponseWriter
	held *bytes.Buffer
}

func (w *requestErrorWriter) WriteHeader(code int) {
	ct, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	switch {
	case code == http.StatusUnprocessableEntity && ct == "application/json":
		code = http.StatusOK
	case code == http.StatusBadRequest && ct == "application/graphql-response+json":
		w.held = &bytes.Buffer{}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *requestErrorWriter) Write(b []byte) (int, error) {
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *requestErrorWriter) finish() {
	if w.held == nil {
		return
	}
	body := w.held.Bytes()
	var resp map[string]json.RawMessage
	if json.Unmarshal(body, &resp) == nil {
		delete(resp, "data")
		if b, err := json.Marshal(resp); err == nil {
			body = b
		}
	}
	_, _ = w.ResponseWriter.Write(body)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *requestErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush sends each part of an incremental (multipart/mixed, @defer) answer
// as it is written: gqlgen refuses to stream to a writer without it.
func (w *requestErrorWriter) Flush() {
	if w.held == nil {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// endWith cancels WebSocket requests when done is (nil: never).
func endWith(done context.Context, next http.Handler) http.Handler {
	if done == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(done, cancel)()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

func refuseGETMutation(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	refuse(w, r, http.StatusMethodNotAllowed, registry.CodeBadUserInput, "only queries may be sent with GET; send mutations with POST")
}

// checkGET refuses GET requests gqlgen would answer without an error code:
// a malformed query string, variables or extensions that are not JSON
// objects.
func checkGET(r *http.Request) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errors.New("the query string is malformed")
	}
	for _, p := range []string{"variables", "extensions"} {
		if v := q.Get(p); v != "" {
			var obj map[string]any
			if json.Unmarshal([]byte(v), &obj) != nil {
				return errors.New(p + " must be a JSON object")
			}
		}
	}
	return nil
}

// readOnly reports whether a GET request's selected operation is a query.
// Documents that do not parse are left to gqlgen, which reports them.
func readOnly(r *http.Request) bool {
	q := r.URL.Query()
	doc, err := parser.ParseQuery(&ast.Source{Input: q.Get("query")})
	if err != nil {
		return true
	}
	op := doc.Operations.ForName(q.Get("operationName"))
	return op == nil || op.Operation == ast.Query
}
