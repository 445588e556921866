package store

import (
	"sync"
	"sync/atomic"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// memory is what the store keeps in this process on the embedded engine.
// FerretDB 1.24 on SQLite hands SQLite one filter only, the exact {_id: x};
// every other find, count, sort or aggregation decodes the whole collection
// in Go (3.5 s for 16,000 dossiers). So there a request sends the engine
// nothing but single-document {_id: x} finds, inserts and updates, and
// everything else (lists, counts, facets, searches, reference data, rollups)
// is answered from here. Built at start in one pass over each collection and
// kept exact by the single writer, which updates it after each engine write:
// right only while this process is the engine's only writer, which is what
// embedded means. On MongoDB the store has no memory and uses the server's
// indexes.
type memory struct {
	agencyRows    table[registry.Agency]
	procedureRows table[registry.Procedure]
	directiveSet  *directiveMemory
	reportRows    table[registry.Report]
	index         *listIndex // dossiers
	// eng reads dossiers the index does not keep whole, by _id.
	eng engineReads

	rollupMu sync.RWMutex
	rollups  stats.Rollup
	// overProcedures is rollups summed over the procedures: what most
	// dashboards need, in a thirtieth of the cells.
	overProcedures stats.Rollup
	// unflushed are the stored rollup documents (month|agency) behind memory
	// since dirtySince (Unix ns): a step changes a few cells of documents of
	// tens of kilobytes, which the engine would rewrite whole at each step.
	unflushed  map[string]bool
	dirtySince int64

	// counters are the dossier code sequences; only the writer touches them.
	counters map[string]int

	// scanned of total dossiers read by the build; ready once it is done.
	scanned, total atomic.Int64
	ready          chan struct{}
	buildErr       error
}

func newMemory(eng engineReads) *memory {
	return &memory{eng: eng,
		agencyRows: newTable[registry.Agency](), procedureRows: newTable[registry.Procedure](),
		directiveSet: newDirectiveMemory(), reportRows: newTable[registry.Report](),
		index: newListIndex(), rollups: stats.Rollup{}, overProcedures: stats.Rollup{}, unflushed: map[string]bool{}, counters: map[string]int{},
		ready: make(chan struct{}),
	}
}

// table is one collection held whole, by _id. Values are never changed once
// put: a writer puts a new value, and get hands out copies.
type table[T any] struct {
	mu   sync.RWMutex
	rows map[string]*T
}

func newTable[T any]() table[T] { return table[T]{rows: map[string]*T{}} }

func (t *table[T]) get(id string) *T {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v := t.rows[id]
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

func (t *table[T]) has(id string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rows[id] != nil
}

func (t *table[T]) put(id string, v *T) {
	c := *v
	t.mu.Lock()
	t.rows[id] = &c
	t.mu.Unlock()
}

// matching returns the values keep accepts; callers only read them.
func (t *table[T]) matching(keep func(*T) bool) []*T {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []*T
	for _, v := range t.rows {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// memory follows every acknowledged write (see follower).

func (m *memory) stored(doc any) {
	switch v := doc.(type) {
	case *registry.Agency:
		m.agencyRows.put(v.Code, v)
	case *registry.Procedure:
		m.procedureRows.put(v.Code, v)
	case *registry.Directive:
		m.directiveSet.put(v)
	case *registry.Report:
		m.reportRows.put(v.Key, v)
	case *registry.Dossier:
		m.index.put(v)
	}
}

// loaded keeps a dossier's list fields only: a bulk load would only churn
// the whole dossiers kept for reads.
func (m *memory) loaded(doc any) {
	if d, ok := doc.(*registry.Dossier); ok {
		m.index.putRow(rowOf(d))
		return
	}
	m.stored(doc)
}

// unsure drops the whole copy of the dossier: the next read asks the engine.
func (m *memory) unsure(code string) { m.index.forget(code) }

// sequenceSet: only the writer touches the counters.
func (m *memory) sequenceSet(id string, seq int) { m.counters[id] = seq }

// Progress says how far the build has come: dossiers read and the total
// (0 when unknown). Ready is closed once the memory answers.
func (s *Store) Progress() (loaded, total int) {
	if s.mem == nil {
		return 0, 0
	}
	return int(s.mem.scanned.Load()), int(s.mem.total.Load())
}

// Ready reports whether the store answers: always on MongoDB, and on the
// embedded engine once the memory is built.
func (s *Store) Ready() bool {
	if s.mem == nil {
		return true
	}
	select {
	case <-s.mem.ready:
		return s.mem.buildErr == nil
	default:
		return false
	}
}

// BuildError is why the memory could not be built, once that is known.
func (s *Store) BuildError() error {
	if s.mem == nil {
		return nil
	}
	select {
	case <-s.mem.ready:
		return s.mem.buildErr
	default:
		return nil
	}
}

// InMemory reports whether reads are answered from memory (the embedded engine).
func (s *Store) InMemory() bool { return s.mem != nil }
