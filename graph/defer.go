package graph

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// inlineDefer runs a transport that answers once (plain GET and POST) with
// @defer ignored: gqlgen would otherwise answer only the first payload, the
// deferred fields null and lost.
type inlineDefer struct {
	graphql.Transport
	schema *ast.Schema
}

// Do runs the transport over an executor that drops @defer.
func (t inlineDefer) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	t.Transport.Do(w, r, deferIgnored{exec, t.schema})
}

type deferIgnored struct {
	graphql.GraphExecutor
	schema *ast.Schema
}

// CreateOperationContext prepares the operation, then, when it uses @defer,
// swaps in a document of its own without it: the parsed one is shared
// through the query cache with requests that stream.
func (e deferIgnored) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	rc, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	if errs != nil || !strings.Contains(rc.RawQuery, "@defer") {
		return rc, errs
	}
	doc, err := gqlparser.LoadQuery(e.schema, rc.RawQuery)
	if err != nil {
		return rc, nil // validated already: not reached
	}
	for _, op := range doc.Operations {
		dropDefer(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		dropDefer(f.SelectionSet)
	}
	rc.Doc, rc.Operation = doc, doc.Operations.ForName(rc.OperationName)
	return rc, nil
}

// dropDefer removes @defer from the fragments in set and below.
func dropDefer(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			dropDefer(sel.SelectionSet)
		case *ast.InlineFragment:
			sel.Directives = withoutDefer(sel.Directives)
			dropDefer(sel.SelectionSet)
		case *ast.FragmentSpread:
			sel.Directives = withoutDefer(sel.Directives)
		}
	}
}

func withoutDefer(list ast.DirectiveList) ast.DirectiveList {
	var kept ast.DirectiveList
	for _, d := range list {
		if d.Name != "defer" {
			kept = append(kept, d)
		}
	}
	return kept
}

// deferStream answers multipart/mixed only for a document that uses @defer:
// clients such as urql accept it for every query, and one answered in parts
// gains nothing (urql 6 then aborts the response it has read).
type deferStream struct{ transport.MultipartMixed }

// Supports reads the body (already in memory: the server reads it to find
// batches) to look for @defer, and puts it back.
func (t deferStream) Supports(r *http.Request) bool {
	if !t.MultipartMixed.Supports(r) {
		return false
	}
	b, err := io.ReadAll(r.Body)
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	return err == nil && bytes.Contains(b, []byte("@defer"))
}
