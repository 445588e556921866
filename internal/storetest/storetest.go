// Package storetest gives tests a real engine: the embedded FerretDB started
// once per test binary, or the server named by MONGODB_URI, with a fresh
// database for every test.
package storetest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/memstore"
)

var (
	uri   string
	eng   *engine.Engine // nil on MONGODB_URI
	dbSeq atomic.Int64
)

// Main runs a package's tests against the engine: call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	uri = os.Getenv("MONGODB_URI")
	if uri == "" {
		dir, err := os.MkdirTemp("", "registry-engine-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		e, err := engine.Start(dir, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest:", err)
			return 1
		}
		defer e.Stop()
		uri, eng = e.URI(), e
	}
	return m.Run()
}

// URI is the server the tests use.
func URI() string { return uri }

// Embedded reports whether the tests run on the embedded engine.
func Embedded() bool { return eng != nil }

// Engine is the embedded engine, or nil on MONGODB_URI.
func Engine() memstore.Engine {
	if eng == nil {
		return nil // a nil *engine.Engine would be a non-nil interface
	}
	return eng
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Database returns a database name no other test uses and drops that
// database when the test ends.
func Database(t testing.TB) string {
	t.Helper()
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	db := fmt.Sprintf("t%d_%s", dbSeq.Add(1), name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			return
		}
		defer c.Disconnect(ctx)
		_ = c.Database(db).Drop(ctx)
	})
	return db
}

// Context is t's context acting as the process itself (auth.System), as
// the command-line tools do: the store treats a context without a
// principal as anonymous.
func Context(t testing.TB) context.Context {
	return auth.WithPrincipal(t.Context(), auth.System("test"))
}

// Config is a store configuration on a fresh database.
func Config(t testing.TB) gateway.Config {
	return gateway.Config{URI: uri, Database: Database(t), Engine: Engine()}
}

// Open opens a store on a fresh database, closed when the test ends.
func Open(t testing.TB, configure ...func(*gateway.Config)) *gateway.Registry {
	t.Helper()
	cfg := Config(t)
	for _, f := range configure {
		f(&cfg)
	}
	s, err := gateway.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// AsDeveloper serves h to callers acting as the developer, as the HTTP
// layer does for a gateway started without keys: the service refuses what a
// context without a principal (anonymous) asks to change.
func AsDeveloper(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Developer())))
	})
}
