package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/telemetry"
)

// RequestIDHeader carries the request id, both ways.
const RequestIDHeader = "X-Request-Id"

// PreflightHeader must accompany GET requests to /graphql: a browser sends
// a custom header only after a CORS preflight, so another site cannot make a
// visitor's browser send the request (CSRF).
const PreflightHeader = "GraphQL-Require-Preflight"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id: the client's X-Request-Id when it
// is a sane token, a new one otherwise. It is echoed in the response header
// and in extensions.requestId of every error.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !safeRequestID.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(telemetry.WithRequestID(r.Context(), id)))
	})
}

// limitBody answers 413 for bodies over max bytes, before reading them all.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			refuse(w, r, http.StatusRequestEntityTooLarge, registry.CodeBadUserInput, "the request body is larger than "+strconv.FormatInt(max, 10)+" bytes")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// requirePreflight refuses GET requests (other than WebSocket upgrades,
// which are checked by origin) that lack PreflightHeader. POST bodies must
// be application/json, which browsers also only send after a preflight.
func requirePreflight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.Header.Get("Upgrade") == "" && r.Header.Get(PreflightHeader) == "" {
			refuse(w, r, http.StatusBadRequest, registry.CodeBadUserInput, "GET requests must carry the header "+PreflightHeader+": 1 (protection against cross-site requests)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate puts the caller in the request context: the principal of its
// API key, or the anonymous reader. Without a key file every caller is the
// developer (local use only; production requires --keys).
func authenticate(keys *auth.Keys, audit Auditor, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.Developer()
		if keys != nil {
			var err error
			if p, err = keys.Authenticate(r.Header.Get("Authorization")); err != nil {
				if audit != nil {
					operation, target := attempted(r)
					audit.AuditRefusedKey(r.Context(), operation, target, err)
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="registry"`)
				refuse(w, r, http.StatusUnauthorized, registry.CodeUnauthenticated, err.(*registry.Error).Message)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// limiter is a token bucket per API key, or per client address for callers
// without one.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	rate    rate.Limit
	burst   int
	proxied bool
}

// maxBuckets bounds the limiter's memory; when full it starts afresh, which
// at worst gives each caller one more burst.
const maxBuckets = 100_000

func newLimiter(perSecond float64, burst int, proxied bool) *limiter {
	return &limiter{buckets: map[string]*rate.Limiter{}, rate: rate.Limit(perSecond), burst: burst, proxied: proxied}
}

func (l *limiter) bucket(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.buckets = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	return b
}

// middleware answers 429 with Retry-After when the caller's bucket is empty,
// and tells every caller its quota (rateLimitHeaders).
func (l *limiter) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := "ip:" + clientIP(r, l.proxied)
		if p := auth.FromContext(r.Context()); p.KeyID != "" {
			key = "key:" + p.KeyID
		}
		b, now := l.bucket(key), time.Now()
		res := b.ReserveN(now, 1)
		d := res.DelayFrom(now)
		if d > 0 {
			res.CancelAt(now)
		}
		l.rateLimitHeaders(w.Header(), b.TokensAt(now))
		if d > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
			refuse(w, r, http.StatusTooManyRequests, registry.CodeUnavailable, "too many requests; retry after the time in Retry-After")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimitHeaders sets the draft-ietf-httpapi-ratelimit-headers fields
// from the caller's token bucket holding tokens: RateLimit-Limit is the
// burst, RateLimit-Remaining the whole tokens left, and RateLimit-Reset the
// seconds until the bucket is full again (rounded up), when Remaining is
// back to Limit. Retry-After, on a refusal, is the shorter wait for one
// token.
func (l *limiter) rateLimitHeaders(h http.Header, tokens float64) {
	tokens = max(tokens, 0)
	reset := 0.0
	if l.rate > 0 && float64(l.burst) > tokens {
		reset = math.Min(math.Ceil((float64(l.burst)-tokens)/float64(l.rate)), math.MaxInt32)
	}
	h.Set("RateLimit-Limit", strconv.Itoa(l.burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(int(math.Floor(tokens))))
	h.Set("RateLimit-Reset", strconv.Itoa(int(reset)))
}

// clientIP is the caller's address; behind a trusted proxy, the last hop it
// added to X-Forwarded-For.
func clientIP(r *http.Request, proxied bool) string {
	if proxied {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// withTimeout bounds each request: store work under it is cancelled when it
// expires. WebSocket subscriptions live on and are not bounded.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		// An incremental answer (@defer) streams its parts as they are
		// ready; its store work still stops when the time runs out. Only
		// for clients naming the spec (Apollo): urql accepts multipart/mixed
		// for every query, which keeps the buffered 503 on timeout below.
		if r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "deferSpec=") {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		// Buffered, to answer properly when time ran out: gqlgen then writes
		// the body "null" instead of a response.
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r.WithContext(ctx))
		if ctx.Err() != nil && (rec.Body.Len() == 0 || bytes.Equal(bytes.TrimSpace(rec.Body.Bytes()), []byte("null"))) {
			refuse(w, r, http.StatusServiceUnavailable, registry.CodeUnavailable, "the request took longer than the server's limit of "+d.String())
			return
		}
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// batches runs a JSON array of operations (at most max) one after the
// other and answers the array of their results.
func batches(max int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				refuse(w, r, http.StatusRequestEntityTooLarge, registry.CodeBadUserInput, "the request body is too large")
				return
			}
			refuse(w, r, http.StatusBadRequest, registry.CodeBadUserInput, "the request body could not be read")
			return
		}
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		if len(trimmed) == 0 || trimmed[0] != '[' {
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
			return
		}
		var ops []json.RawMessage
		if err := json.Unmarshal(body, &ops); err != nil {
			refuse(w, r, http.StatusBadRequest, registry.CodeBadUserInput, "the batch is not a JSON array of operations")
			return
		}
		if len(ops) == 0 || len(ops) > max {
			refuse(w, r, http.StatusBadRequest, registry.CodeBadUserInput, "a batch holds 1 to "+strconv.Itoa(max)+" operations, got "+strconv.Itoa(len(ops)))
			return
		}
		var out bytes.Buffer
		out.WriteByte('[')
		for i, op := range ops {
			if i > 0 {
				out.WriteByte(',')
			}
			var result []byte
			if r.Context().Err() == nil {
				sub := r.Clone(r.Context())
				sub.Body, sub.ContentLength = io.NopCloser(bytes.NewReader(op)), int64(len(op))
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, sub)
				result = bytes.TrimSpace(rec.Body.Bytes())
			}
			// Out of time (gqlgen answers "null" then): the operation says so.
			if len(result) == 0 || string(result) == "null" {
				result = []byte(`{"errors":[{"message":"not run: the batch took longer than the server's limit","extensions":{"code":"UNAVAILABLE"}}]}`)
			}
			out.Write(result)
		}
		out.WriteByte(']')
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out.Bytes())
	})
}
