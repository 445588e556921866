package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/vnregistry/registry/internal/registry"
)

// BatchReader is what the loaders fetch with: one query per kind, whatever
// the number of keys.
type BatchReader interface {
	AgenciesByCode(ctx context.Context, codes []string) (map[string]*registry.Agency, error)
	ProceduresByCode(ctx context.Context, codes []string) (map[string]*registry.Procedure, error)
	DirectivesBySymbols(ctx context.Context, symbols []string) (map[string][]*registry.Directive, error)
}

// loaders batch the references one response resolves (a dossier's agency
// and procedure, a procedure's legal bases), so a page costs a fixed number
// of store round trips whatever its size. They live for one request.
type loaders struct {
	agency     *dataloadgen.Loader[string, *registry.Agency]
	procedure  *dataloadgen.Loader[string, *registry.Procedure]
	directives *dataloadgen.Loader[string, []*registry.Directive]
}

type loadersKey struct{}

// loaderWait is how long a loader gathers keys before fetching: resolvers
// of one level run concurrently, well within it.
const loaderWait = 2 * time.Millisecond

// WithLoaders gives each request its own loaders over r. Reads answered
// from memory gain nothing from batching, and the loaders' wait would cost
// each level of a response 2 ms: a registry in memory goes without.
func WithLoaders(r BatchReader, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		l := &loaders{
			agency:     dataloadgen.NewLoader(aligned(r.AgenciesByCode), dataloadgen.WithWait(loaderWait)),
			directives: dataloadgen.NewLoader(aligned(r.DirectivesBySymbols), dataloadgen.WithWait(loaderWait)),
		}
		// Procedures are usually read for their agency and legal bases: ask
		// for those of the whole batch at once, so one batch gathers them
		// however the resolvers below are scheduled.
		procedures := func(ctx context.Context, codes []string) (map[string]*registry.Procedure, error) {
			found, err := r.ProceduresByCode(ctx, codes)
			var agencies, bases []string
			for _, p := range found {
				agencies, bases = append(agencies, p.AgencyCode), append(bases, p.LegalBases...)
			}
			l.agency.LoadAllThunk(ctx, agencies)
			l.directives.LoadAllThunk(ctx, bases)
			return found, err
		}
		l.procedure = dataloadgen.NewLoader(aligned(procedures), dataloadgen.WithWait(loaderWait))
		next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), loadersKey{}, l)))
	})
}

// aligned adapts a map-returning batch read to the loader's shape: a value
// per key, the zero value (nil) for a key with no record.
func aligned[V any](fetch func(context.Context, []string) (map[string]V, error)) func(context.Context, []string) ([]V, []error) {
	return func(ctx context.Context, keys []string) ([]V, []error) {
		found, err := fetch(ctx, keys)
		values, errs := make([]V, len(keys)), make([]error, len(keys))
		for i, k := range keys {
			values[i], errs[i] = found[k], err
		}
		return values, errs
	}
}

// loadersFrom returns the request's loaders; nil outside a request (tests
// calling resolvers directly), when resolvers read one at a time.
func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// prefetchDossierRefs starts one batch for the agencies and procedures of a
// page of dossiers, before their resolvers ask one by one.
func prefetchDossierRefs(ctx context.Context, page []*registry.Dossier) {
	l := loadersFrom(ctx)
	if l == nil {
		return
	}
	agencies, procedures := make([]string, len(page)), make([]string, len(page))
	for i, d := range page {
		agencies[i], procedures[i] = d.AgencyCode, d.ProcedureCode
	}
	l.agency.LoadAllThunk(ctx, agencies)
	l.procedure.LoadAllThunk(ctx, procedures)
}

// agency resolves an agency reference.
func (r *Resolver) agency(ctx context.Context, code string) (*registry.Agency, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.agency.Load(ctx, code)
	}
	return r.Registry.Agency(ctx, code)
}

// procedure resolves a procedure reference.
func (r *Resolver) procedure(ctx context.Context, code string) (*registry.Procedure, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.procedure.Load(ctx, code)
	}
	return r.Registry.Procedure(ctx, code)
}

// legalBases resolves a procedure's legal bases to the directives bearing
// each symbol, all in one batch.
func (r *Resolver) legalBases(ctx context.Context, symbols []string) ([][]*registry.Directive, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.directives.LoadAll(ctx, symbols)
	}
	out := make([][]*registry.Directive, len(symbols))
	for i, sym := range symbols {
		ds, err := r.Registry.DirectivesBySymbol(ctx, sym, nil, "")
		if err != nil {
			return nil, err
		}
		out[i] = ds
	}
	return out, nil
}
