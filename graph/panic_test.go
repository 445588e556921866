package graph_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/storetest"
)

// panickyRegistry is the real store with one read that panics, as a bug in
// it would.
type panickyRegistry struct{ *service.Service }

func (panickyRegistry) Agency(context.Context, string) (*registry.Agency, error) {
	panic("agency read")
}

// TestResolverPanicAnswersInternal: a resolver's panic answers INTERNAL for
// its field only (the panic's text not sent), is counted, and the other
// fields of the request are answered.
func TestResolverPanicAnswersInternal(t *testing.T) {
	counted := map[string]int{}
	h := graph.NewHandler(&graph.Resolver{Registry: panickyRegistry{storetest.Memory(t, service.Config{})}, Feed: feed.New()},
		graph.Options{Logger: slog.New(slog.DiscardHandler), Panicked: func(where string) { counted[where]++ }})
	srv := httptest.NewServer(storetest.AsDeveloper(h))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"query":"{ agency(code: \"x\") { code } agencies { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []struct {
			Message    string
			Path       []any
			Extensions struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || out.Errors[0].Extensions.Code != "INTERNAL" || strings.Contains(out.Errors[0].Message, "agency read") {
		t.Errorf("errors %+v, want one INTERNAL without the panic's text", out.Errors)
	}
	if out.Data["agencies"] == nil {
		t.Errorf("data %v, want agencies answered beside the failed field", out.Data)
	}
	if counted["resolver"] != 1 {
		t.Errorf("panics counted %v, want 1 at resolver", counted)
	}
}
