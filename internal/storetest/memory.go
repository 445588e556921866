package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/vnregistry/registry/internal/memstore"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/stats"
)

// Memory is the service over the memory store with nothing durable under
// it: for the layers above the stores (graph) whose tests need no engine.
// What it holds lasts as long as the test.
func Memory(t testing.TB, cfg service.Config) *service.Service {
	t.Helper()
	m, err := memstore.Open(context.Background(), memstore.Config{Inner: &volatile{keys: map[string]bool{},
		dossiers: map[string]*registry.Dossier{}, audit: map[string]*registry.AuditEntry{}}})
	if err != nil {
		t.Fatalf("open memory: %v", err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return service.New(m, cfg)
}

// volatile is a memstore.Inner that keeps in this process only what memory
// reads back from the store under it: which keys exist (duplicates are
// refused as a store refuses them), whole dossiers (memory keeps only the
// most recently used) and audit entries (memory indexes them).
type volatile struct {
	mu       sync.Mutex
	keys     map[string]bool // registry.TombstoneID
	dossiers map[string]*registry.Dossier
	audit    map[string]*registry.AuditEntry
	seq      int
}

func keyOf(rec any) string {
	kind, key, _, _ := registry.KindOf(rec)
	return registry.TombstoneID(kind, key)
}

func (v *volatile) Dossier(_ context.Context, code string) (*registry.Dossier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d := v.dossiers[code]; d != nil {
		c := *d
		return &c, nil
	}
	return nil, nil
}

func (v *volatile) EachAgency(context.Context, registry.AgencyFilter, func(*registry.Agency) error) error {
	return nil
}

func (v *volatile) EachProcedure(context.Context, registry.ProcedureFilter, func(*registry.Procedure) error) error {
	return nil
}

func (v *volatile) EachDirective(context.Context, registry.DirectiveFilter, func(*registry.Directive) error) error {
	return nil
}

func (v *volatile) EachReport(context.Context, registry.ReportFilter, func(*registry.Report) error) error {
	return nil
}

// EachDossier: memory recomputes its rollups from every dossier.
func (v *volatile) EachDossier(_ context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	v.mu.Lock()
	var all []*registry.Dossier
	for _, d := range v.dossiers {
		if f.Matches(d) {
			all = append(all, d)
		}
	}
	v.mu.Unlock()
	for _, d := range all {
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

func (v *volatile) EachSequence(context.Context, func(string, int)) error { return nil }

func (v *volatile) AuditLog(context.Context, registry.AuditFilter, registry.PageArgs) (*registry.Page[*registry.AuditEntry], error) {
	return &registry.Page[*registry.AuditEntry]{Count: func(context.Context) (int, error) { return 0, nil }}, nil
}

func (v *volatile) AuditEntry(_ context.Context, id string) (*registry.AuditEntry, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.audit[id], nil
}

func (v *volatile) EachAudit(context.Context, func(*registry.AuditEntry) error) error { return nil }

func (v *volatile) StoredRollup(context.Context) (stats.Rollup, error) { return stats.Rollup{}, nil }

func (v *volatile) Insert(_ context.Context, rec any) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys[keyOf(rec)] {
		return registry.ErrDuplicate
	}
	v.keys[keyOf(rec)] = true
	return nil
}

func (v *volatile) Load(_ context.Context, records []any) ([]bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	inserted := make([]bool, len(records))
	for i, r := range records {
		if k := keyOf(r); !v.keys[k] {
			v.keys[k], inserted[i] = true, true
			if d, ok := r.(*registry.Dossier); ok {
				v.dossiers[d.Code] = d
			}
		}
	}
	return inserted, nil
}

func (v *volatile) PutDossier(_ context.Context, old, d *registry.Dossier) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if old == nil && v.keys[keyOf(d)] {
		return false, registry.ErrDuplicate
	}
	c := *d
	v.keys[keyOf(d)], v.dossiers[d.Code] = true, &c
	return true, nil
}

func (v *volatile) PutRecord(_ context.Context, rec any) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.keys[keyOf(rec)] {
		return registry.ErrNotFound
	}
	return nil
}

func (v *volatile) PutTombstone(context.Context, *registry.Tombstone) error { return nil }

func (v *volatile) Remove(_ context.Context, kind registry.RecordKind, key string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.keys, registry.TombstoneID(kind, key))
	return nil
}

func (v *volatile) EachTombstone(context.Context, func(*registry.Tombstone) error) error { return nil }

func (v *volatile) SetSequence(context.Context, string, int) error { return nil }

func (v *volatile) AppendAudit(_ context.Context, e *registry.AuditEntry) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	e.ID = e.At.Format("20060102T150405.000000000Z") + "-" + fmt.Sprintf("%08d", v.seq)
	c := *e
	v.audit[e.ID] = &c
	return nil
}

func (v *volatile) PutRollups(context.Context, []stats.Cell, stats.Rollup) error { return nil }

func (v *volatile) ReplaceRollups(context.Context, stats.Rollup) error { return nil }
