package store

import (
	"context"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/errgroup"

	"github.com/vnregistry/registry/internal/registry"
)

// listIndex holds the fields dossier lists filter and sort by, one small
// record per dossier, and the most recently used dossiers whole (see
// memory). Kept in step by the store's single writer.
type listIndex struct {
	mu   sync.RWMutex
	rows map[string]*registry.Dossier // slim: list fields only
	docs *lru.Cache[string, *registry.Dossier]
}

// cachedDossiers is how many whole dossiers the index keeps (about 3 KB each).
const cachedDossiers = 50_000

func newListIndex() *listIndex {
	docs, _ := lru.New[string, *registry.Dossier](cachedDossiers)
	return &listIndex{rows: map[string]*registry.Dossier{}, docs: docs}
}

func slim(d *registry.Dossier) *registry.Dossier {
	return &registry.Dossier{Code: d.Code, AgencyCode: d.AgencyCode, ProcedureCode: d.ProcedureCode, Status: d.Status,
		Channel: d.Channel, Outcome: d.Outcome, ReceivedAt: d.ReceivedAt, ResolvedAt: d.ResolvedAt, DueDate: d.DueDate,
		OverdueFrom: d.OverdueFrom, Version: d.Version}
}

// has reports whether a dossier with code is indexed.
func (ix *listIndex) has(code string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.rows[code]
	return ok
}

// size is the number of dossiers indexed.
func (ix *listIndex) size() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.rows)
}

// put records d as stored, keeping it whole.
func (ix *listIndex) put(d *registry.Dossier) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.rows[d.Code] = slim(d)
	c := *d
	ix.docs.Add(d.Code, &c)
}

// putRow records d's list fields only (the build: whole dossiers would
// churn the cache).
func (ix *listIndex) putRow(d *registry.Dossier) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.rows[d.Code] = slim(d)
}

// forget drops the whole copy of a dossier, so the next read asks the engine.
func (ix *listIndex) forget(code string) { ix.docs.Remove(code) }

// codes returns the codes starting with prefix.
func (ix *listIndex) codes(prefix string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for code := range ix.rows {
		if strings.HasPrefix(code, prefix) {
			out = append(out, code)
		}
	}
	return out
}

// dossier reads a dossier by code: from memory when kept, else from the
// engine by _id (remembering it). Callers get their own copy of the record.
func (s *Store) dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	if s.mem == nil {
		return get[registry.Dossier](ctx, s, colDossiers, code)
	}
	ix := s.mem.dossiers
	if d, ok := ix.docs.Get(code); ok {
		c := *d
		return &c, nil
	}
	// The index knows every code: an unknown one is not looked for.
	if !ix.has(code) {
		return nil, nil
	}
	d, err := get[registry.Dossier](ctx, s, colDossiers, code)
	if d != nil {
		ix.remember(d)
	}
	return d, err
}

// remember keeps a dossier read from the engine, unless a write has since
// given the index a newer version.
func (ix *listIndex) remember(d *registry.Dossier) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if row := ix.rows[d.Code]; row == nil || row.Version == d.Version {
		c := *d
		ix.docs.Add(d.Code, &c)
	}
}

// indexed notes dossiers just stored, on the embedded engine.
func (s *Store) indexed(ds ...*registry.Dossier) {
	if s.mem == nil {
		return
	}
	for _, d := range ds {
		s.mem.dossiers.put(d)
	}
}

// pageFromIndex answers a dossiers page from the index, reading the page's
// dossiers by _id.
func (s *Store) pageFromIndex(ctx context.Context, f DossierFilter, key sortKey[*registry.Dossier], args PageArgs) (*Page[*registry.Dossier], error) {
	ix := s.mem.dossiers
	ix.mu.RLock()
	var matched []*registry.Dossier
	for _, d := range ix.rows {
		if f.matches(d) {
			matched = append(matched, d)
		}
	}
	ix.mu.RUnlock()
	page, err := pageOf(matched, key, args)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, row := range page.Items {
		g.Go(func() error {
			d, err := s.dossier(gctx, row.Code)
			if err == nil && d == nil {
				err = registry.Errorf(registry.CodeConflict, "dossier %s vanished while listed", row.Code)
			}
			page.Items[i] = d
			return err
		})
	}
	return page, g.Wait()
}

// matches is query() evaluated on one dossier: the two must agree (the
// store tests compare both paths).
func (f DossierFilter) matches(d *registry.Dossier) bool {
	switch {
	case f.AgencyCode != nil && d.AgencyCode != *f.AgencyCode,
		f.ProcedureCode != nil && d.ProcedureCode != *f.ProcedureCode,
		f.Status != nil && d.Status != *f.Status,
		f.Channel != nil && d.Channel != *f.Channel,
		f.Outcome != nil && d.Outcome != *f.Outcome,
		!inRange(&d.ReceivedAt, f.ReceivedFrom, f.ReceivedTo),
		(f.ResolvedFrom != nil || f.ResolvedTo != nil) && !inRange(d.ResolvedAt, f.ResolvedFrom, f.ResolvedTo):
		return false
	}
	if f.OverdueAsOf != nil {
		return d.Status.Open() && d.OverdueFrom != "" && d.OverdueFrom <= *f.OverdueAsOf
	}
	return true
}

// inRange: t within [from, to); a missing t is in no bounded range.
func inRange(t *time.Time, from, to *time.Time) bool {
	if from == nil && to == nil {
		return true
	}
	return t != nil && (from == nil || !t.Before(*from)) && (to == nil || t.Before(*to))
}
