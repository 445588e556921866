// Package server is the HTTP face of the gateway: routes, CORS, health and
// the rules of GraphQL over HTTP that gqlgen's transports leave to us.
package server

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Config is the HTTP layer's configuration.
type Config struct {
	// CORSOrigins are the browser origins allowed to call the API; never "*".
	CORSOrigins []string
	Logger      *slog.Logger
	// Subscriptions ends every open WebSocket when it is done: http.Server's
	// Shutdown waits for requests but does not close hijacked connections.
	Subscriptions context.Context
}

// Handler routes /graphql, /stats.csv, the playground at /, /healthz and
// /readyz. ready answers whether the store is reachable.
func Handler(graphql, playground http.Handler, ready func(context.Context) error, st StatsSource, cfg Config) (http.Handler, error) {
	for _, o := range cfg.CORSOrigins {
		if strings.Contains(o, "*") {
			return nil, errors.New("server: CORS origins must be listed one by one; a wildcard lets any site read the API with its visitors' credentials")
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graphqlOverHTTP(endWith(cfg.Subscriptions, graphql)))
	mux.HandleFunc("GET /stats.csv", statsCSV(st, log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("store unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("/", playground)
	c := cors.New(cors.Options{
		AllowedOrigins: cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept"},
		MaxAge:         600,
	})
	return c.Handler(mux), nil
}

// graphqlOverHTTP enforces what the GraphQL-over-HTTP specification asks and
// gqlgen does not: 405 for other methods and for mutations over GET (a GET
// must be safe), 415 for a POST body that is not JSON.
func graphqlOverHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if r.Header.Get("Upgrade") == "" {
				mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil || mt != "application/json" {
					writeError(w, http.StatusUnsupportedMediaType, "POST bodies must be application/json")
					return
				}
			}
		case http.MethodGet:
			if r.Header.Get("Upgrade") == "" && !readOnly(r) {
				w.Header().Set("Allow", http.MethodPost)
				writeError(w, http.StatusMethodNotAllowed, "only queries may be sent with GET; send mutations with POST")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "use GET for queries or POST")
			return
		}
		next.ServeHTTP(w, r)
	})
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

// writeError answers a request refused before it reaches GraphQL.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"errors":[{"message":` + quote(msg) + `,"extensions":{"code":"BAD_USER_INPUT"}}]}`))
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
