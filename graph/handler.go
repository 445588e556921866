package graph

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vnregistry/registry/internal/limits"
)

// Options configure the GraphQL handler.
type Options struct {
	Logger *slog.Logger
	// Origins are the browser origins, besides the server's own, that may
	// open subscriptions (the CORS list: WebSockets are not covered by CORS).
	Origins []string
	// Production turns off introspection and field suggestions, which help
	// developers and attackers alike.
	Production bool
	Limits     limits.Config
	// Trusted, when set, restricts (or logs) operations to a known set.
	Trusted *TrustedDocuments
	// Extensions are added first (telemetry sees every operation).
	Extensions []graphql.HandlerExtension
	// Panicked, when set, counts a panic recovered in a resolver.
	Panicked func(where string)
}

// NewHandler is the GraphQL executor over HTTP and WebSocket
// (graphql-transport-ws) with explicit transports and the gateway's limits.
func NewHandler(r *Resolver, opts Options) *handler.Server {
	es := NewExecutableSchema(Config{Resolvers: r})
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		Implementation: transport.CoderWebsocketImplementation{
			// The library admits same-origin pages (the playground) by itself.
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(opts.Origins)},
		},
	})
	srv.AddTransport(inlineDefer{transport.GET{}, es.Schema()})
	// Before POST, which answers in one piece: a client asking for
	// multipart/mixed gets fragments under @defer in later parts.
	srv.AddTransport(deferStream{})
	srv.AddTransport(inlineDefer{transport.POST{}, es.Schema()})
	srv.SetQueryCache(boundedDocuments{lru.New[*ast.QueryDocument](1000)})
	srv.SetParserTokenLimit(limits.TokenLimit)
	for _, e := range opts.Extensions {
		srv.Use(e)
	}
	if opts.Trusted != nil {
		srv.Use(opts.Trusted)
	}
	// Automatic persisted queries register new documents by hash; with
	// enforced trusted documents only the trusted ones may be referred to.
	if opts.Trusted == nil || !opts.Trusted.enforce {
		srv.Use(extension.AutomaticPersistedQuery{Cache: boundedCache{lru.New[string](1000)}})
	}
	srv.Use(limits.New(opts.Limits))
	if !opts.Production {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(opts.Production)
	srv.SetErrorPresenter(ErrorPresenter(opts.Logger))
	srv.SetRecoverFunc(Recover(opts.Logger, opts.Panicked))
	return srv
}

// originHosts turns origins (https://app.example.vn) into the host patterns
// the WebSocket library matches.
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// maxPersistedQuery bounds one cached document (a persisted query, or a
// parsed one): with 1000 entries a cache holds at most 64 MB of text,
// whatever anonymous clients send (a bulletin's import may be 6 MB).
const maxPersistedQuery = 64 << 10

// boundedCache refuses to keep persisted queries larger than any real one.
type boundedCache struct{ *lru.LRU[string] }

// Add caches query unless it is too large to be a real one.
func (c boundedCache) Add(ctx context.Context, hash, query string) {
	if len(query) <= maxPersistedQuery {
		c.LRU.Add(ctx, hash, query)
	}
}

// boundedDocuments keeps parsed documents no larger than a real query: an
// import carrying a page is parsed again next time rather than kept.
type boundedDocuments struct{ *lru.LRU[*ast.QueryDocument] }

// Add caches the document parsed from query unless query is too large.
func (c boundedDocuments) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= maxPersistedQuery {
		c.LRU.Add(ctx, query, doc)
	}
}
