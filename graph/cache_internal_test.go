package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestLargeDocumentsAreNotCached: a request may carry a 6 MB bulletin, and
// the parsed-document cache's 1000 entries must not keep 6 GB of them.
func TestLargeDocumentsAreNotCached(t *testing.T) {
	ctx := context.Background()
	c := boundedDocuments{lru.New[*ast.QueryDocument](10)}
	small, large := "{ __typename }", "{ a(text: \""+strings.Repeat("x", maxPersistedQuery)+"\") }"
	c.Add(ctx, small, &ast.QueryDocument{})
	c.Add(ctx, large, &ast.QueryDocument{})
	if _, ok := c.Get(ctx, small); !ok {
		t.Error("a small document is not cached")
	}
	if _, ok := c.Get(ctx, large); ok {
		t.Errorf("a document of %d bytes is cached", len(large))
	}
}
