// Package memstore is a store that keeps the registry in this process over
// another store, which keeps it durably: it answers every list, count,
// facet, search and statistic from memory and passes each write through,
// following it once the store under it has acknowledged it.
//
// It exists for the embedded engine. FerretDB 1.24 on SQLite hands SQLite
// one filter only, the exact {_id: x}; every other find, count, sort or
// aggregation decodes the whole collection in Go (3.5 s for 16,000
// dossiers), and it loses concurrent updates of one document. So over it a
// request sends nothing but single-document {_id: x} finds, inserts and
// updates, all writes go through one writer here, and the memory, built at
// start in one pass over each collection, stays exact: right only while
// this process is the engine's only writer, which is what embedded means.
package memstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// Inner is what memory needs of the store under it (the MongoDB store):
// whole collections once at start, a dossier memory does not keep whole,
// and the writes, by _id alone.
type Inner interface {
	Dossier(ctx context.Context, code string) (*registry.Dossier, error)
	EachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error
	EachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error
	EachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error
	EachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error
	EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error
	EachSequence(ctx context.Context, fn func(id string, seq int)) error
	AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error)
	AuditEntry(ctx context.Context, id string) (*registry.AuditEntry, error)
	// EachAudit streams the audit log (the build without the engine).
	EachAudit(ctx context.Context, fn func(*registry.AuditEntry) error) error
	StoredRollup(ctx context.Context) (stats.Rollup, error)

	Insert(ctx context.Context, rec any) error
	Load(ctx context.Context, records []any) ([]bool, error)
	// PutDossier writes by _id alone, without a version condition and
	// without touching the rollups: memory does both.
	PutDossier(ctx context.Context, old, new *registry.Dossier) (bool, error)
	// PutRecord, PutTombstone and EachTombstone: rec and the tombstone
	// arrive stamped by memory, which numbers the feed.
	PutRecord(ctx context.Context, rec any) error
	PutTombstone(ctx context.Context, t *registry.Tombstone) error
	// Remove deletes the record of kind with key by _id, after its
	// tombstone is stored.
	Remove(ctx context.Context, kind registry.RecordKind, key string) error
	EachTombstone(ctx context.Context, fn func(*registry.Tombstone) error) error
	SetSequence(ctx context.Context, id string, seq int) error
	AppendAudit(ctx context.Context, e *registry.AuditEntry) error
	PutRollups(ctx context.Context, cells []stats.Cell, r stats.Rollup) error
	ReplaceRollups(ctx context.Context, r stats.Rollup) error
}

// Engine is the embedded engine under the inner store, when there is one:
// memory indexes _id as the engine queries it and reads its SQLite directly
// (internal/engine implements it).
type Engine interface {
	// IndexIDs indexes _id as FerretDB's SQLite backend queries it in every
	// collection of database, returning how many collections it saw.
	IndexIDs(ctx context.Context, database string) (int, error)
	// Count is the number of documents in a collection, without a scan.
	Count(ctx context.Context, database, collection string) (int, error)
	// Scan reads fields (JSON paths) of every document of a collection
	// without decoding whole documents.
	Scan(ctx context.Context, database, collection string, paths []string, fn func(values []any) error) error
	// Document decodes the document of a collection with _id id into v (by
	// its bson tags), reporting whether there was one, without FerretDB's
	// own handling of a find.
	Document(ctx context.Context, database, collection, id string, v any) (bool, error)
}

// Config says what memory wraps.
type Config struct {
	Inner Inner
	// Engine and Database, when set, are the embedded engine and database
	// under Inner.
	Engine   Engine
	Database string
	Logger   *slog.Logger
	Now      func() time.Time
	// Background builds the memory after Open returns (the server, which
	// answers "starting" meanwhile); otherwise Open waits for it (tools).
	Background bool
	// Writable, when set, is asked before every write whether this process
	// may write now (the gateway's lease on the database): nil, or an
	// error to answer instead. Memory is exact only while it is the only
	// writer.
	Writable func() error
}

// Store is the registry in memory over Inner.
type Store struct {
	inner    Inner
	engine   Engine
	database string
	log      *slog.Logger
	now      func() time.Time
	// writer is a one-slot semaphore: one write at a time, the engine's rule.
	// A channel rather than a mutex so a waiting request honours its deadline.
	writer   chan struct{}
	writable func() error

	agencyRows    table[registry.Agency]
	procedureRows table[registry.Procedure]
	directiveSet  *directiveMemory
	reportRows    table[registry.Report]
	index         *listIndex // dossiers
	feed          *changeLog
	audit         *auditIndex

	rollupMu sync.RWMutex
	rollups  stats.Rollup
	// overProcedures is rollups summed over the procedures: what most
	// dashboards need, in a thirtieth of the cells.
	overProcedures stats.Rollup
	// unflushed are the stored rollup documents (month|agency) behind memory
	// since dirtySince (Unix ns): a step changes a few cells of documents of
	// tens of kilobytes, which the engine would rewrite whole at each step.
	unflushed  map[stats.Cell]bool
	dirtySince int64
	// repaired is what the build rewrote of the stored rollups (nil: none).
	repaired atomic.Pointer[RollupRepair]

	// counters are the dossier code sequences; only the writer touches them.
	counters map[string]int
	// generation counts the writes (see Generation).
	generation atomic.Uint64

	// scanned of total dossiers read by the build; ready once it is done.
	scanned, total atomic.Int64
	ready          chan struct{}
	buildErr       error
	// stop ends background work (the build, rollup flushes) at Close;
	// stopped is closed once it has.
	stop    context.CancelFunc
	stopped chan struct{}
}

// Open builds the memory from cfg.Inner (in the background with
// cfg.Background) and starts writing the rollups it changes every second.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Writable == nil {
		cfg.Writable = func() error { return nil }
	}
	m := &Store{inner: cfg.Inner, engine: cfg.Engine, database: cfg.Database, log: cfg.Logger, now: cfg.Now,
		writer: make(chan struct{}, 1), writable: cfg.Writable,
		agencyRows: newTable[registry.Agency](), procedureRows: newTable[registry.Procedure](),
		directiveSet: newDirectiveMemory(), reportRows: newTable[registry.Report](),
		index: newListIndex(), feed: newChangeLog(), audit: newAuditIndex(), rollups: stats.Rollup{}, overProcedures: stats.Rollup{}, unflushed: map[stats.Cell]bool{}, counters: map[string]int{},
		ready: make(chan struct{}), stopped: make(chan struct{}),
	}
	if err := m.indexIDs(ctx); err != nil {
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	m.stop = stop
	if !cfg.Background {
		if err := m.build(ctx); err != nil {
			stop()
			return nil, err
		}
	}
	go func() {
		defer close(m.stopped)
		if cfg.Background {
			if err := m.build(bg); err != nil {
				if bg.Err() == nil {
					m.log.Error("embedded store: memory not built; requests answer UNAVAILABLE", "err", err)
				}
				return
			}
		}
		m.flushEvery(bg, flushInterval)
	}()
	return m, nil
}

// indexIDs gives the engine the _id index that makes {_id: x} a search.
func (m *Store) indexIDs(ctx context.Context) error {
	if m.engine == nil {
		m.log.Warn("memory over a FerretDB without its engine in this process: finds and updates by _id scan their collection")
		return nil
	}
	began := time.Now()
	n, err := m.engine.IndexIDs(ctx, m.database)
	if err != nil {
		return err
	}
	m.log.Info("embedded store: _id indexed as the engine queries it", "collections", n, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// Close writes what memory still owes the store under it. It does not
// close that store.
func (m *Store) Close(ctx context.Context) error {
	m.stop()
	<-m.stopped
	if err := m.flushRollups(ctx); err != nil {
		m.log.Error("statistics rollups not written at close; the next start repairs them from the dossiers", "err", err)
	}
	return nil
}

// write runs fn as the only writer, if this process may write, and counts
// a change once fn is over (whatever its outcome: one unknown may have
// changed the store), never before, so a read that saw the new version
// also sees what fn did.
func (m *Store) write(ctx context.Context, fn func() error) error {
	return m.exclusive(ctx, func() error {
		defer m.changed()
		return fn()
	})
}

// changed counts a change to what readers may see.
func (m *Store) changed() { m.generation.Add(1) }

// Generation counts the changes this process made to the records, from 0
// at start: readers compare it to tell whether anything changed (HTTP
// validators). Right only while this process is the store's only writer.
func (m *Store) Generation() uint64 { return m.generation.Load() }

// exclusive runs fn as the only writer, if this process may write, without
// counting a change (the rollups' flush writes what memory already shows).
func (m *Store) exclusive(ctx context.Context, fn func() error) error {
	select {
	case m.writer <- struct{}{}:
		defer func() { <-m.writer }()
	case <-ctx.Done():
		return &registry.Error{Code: registry.CodeUnavailable, Message: "the store did not answer in time; try again", Cause: ctx.Err()}
	}
	if err := m.writable(); err != nil {
		return err
	}
	return fn()
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

func (t *table[T]) put(id string, v *T) {
	c := *v
	t.mu.Lock()
	t.rows[id] = &c
	t.mu.Unlock()
}

func (t *table[T]) remove(id string) {
	t.mu.Lock()
	delete(t.rows, id)
	t.mu.Unlock()
}

func (t *table[T]) size() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.rows)
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

// stored follows a record the store under memory now holds.
func (m *Store) stored(doc any) {
	position := int32(-1)
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
		position = m.index.put(v)
	}
	m.feed.upsert(doc, position)
}

// loaded keeps a bulk-loaded dossier's list fields only: a bulk load would
// only churn the whole dossiers kept for reads.
func (m *Store) loaded(doc any) {
	if d, ok := doc.(*registry.Dossier); ok {
		m.feed.upsert(d, m.index.putRow(rowOf(d)))
		return
	}
	m.stored(doc)
}

// Progress says how far the build has come: dossiers read and the total
// (0 when unknown).
func (m *Store) Progress() (loaded, total int) {
	return int(m.scanned.Load()), int(m.total.Load())
}

// Ready reports whether memory answers: once the build is done.
func (m *Store) Ready() bool {
	select {
	case <-m.ready:
		return m.buildErr == nil
	default:
		return false
	}
}

// BuildError is why the memory could not be built, once that is known.
func (m *Store) BuildError() error {
	select {
	case <-m.ready:
		return m.buildErr
	default:
		return nil
	}
}

// outcomeUnknown reports a write the store under memory may have applied.
func outcomeUnknown(err error) bool { return errors.Is(err, registry.ErrOutcomeUnknown) }
