package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
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
	agencies   table[registry.Agency]
	procedures table[registry.Procedure]
	directives table[registry.Directive]
	reports    table[registry.Report]
	dossiers   *listIndex

	rollupMu sync.RWMutex
	rollup   stats.Rollup

	// counters are the dossier code sequences; only the writer touches them.
	counters map[string]int

	// loaded of total dossiers read by the build; ready once it is done.
	loaded, total atomic.Int64
	ready         chan struct{}
	buildErr      error
}

func newMemory() *memory {
	return &memory{
		agencies: newTable[registry.Agency](), procedures: newTable[registry.Procedure](),
		directives: newTable[registry.Directive](), reports: newTable[registry.Report](),
		dossiers: newListIndex(), rollup: stats.Rollup{}, counters: map[string]int{},
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

// put records a document the engine has just stored.
func (m *memory) put(doc any) {
	switch v := doc.(type) {
	case *registry.Agency:
		m.agencies.put(v.Code, v)
	case *registry.Procedure:
		m.procedures.put(v.Code, v)
	case *registry.Directive:
		m.directives.put(v.Key, v)
	case *registry.Report:
		m.reports.put(v.Key, v)
	case *registry.Dossier:
		m.dossiers.put(v)
	}
}

// has reports whether the record with id is in col (agencies or procedures).
func (m *memory) has(col, id string) bool {
	switch col {
	case colAgencies:
		return m.agencies.has(id)
	case colProcedures:
		return m.procedures.has(id)
	}
	panic("store: memory.has on " + col)
}

// addRollup applies a dossier transition to the rollups.
func (m *memory) addRollup(delta stats.Rollup) {
	m.rollupMu.Lock()
	m.rollup.Add(delta, 1)
	m.rollupMu.Unlock()
}

// readRollup is the cells of months from..to ("" from the beginning) of the
// given agencies (all when none), copied.
func (m *memory) readRollup(from, to string, agencies []string) stats.Rollup {
	m.rollupMu.RLock()
	defer m.rollupMu.RUnlock()
	out := stats.Rollup{}
	for c, v := range m.rollup {
		if c.Month > to || (from != "" && c.Month < from) || (len(agencies) > 0 && !slices.Contains(agencies, c.Agency)) {
			continue
		}
		out.Add(stats.Rollup{c: v}, 1)
	}
	return out
}

// Progress says how far the build has come: dossiers read and the total
// (0 when unknown). Ready is closed once the memory answers.
func (s *Store) Progress() (loaded, total int) {
	if s.mem == nil {
		return 0, 0
	}
	return int(s.mem.loaded.Load()), int(s.mem.total.Load())
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

// WaitReady waits until the memory is built, or ctx ends.
func (s *Store) WaitReady(ctx context.Context) error {
	if s.mem == nil {
		return nil
	}
	select {
	case <-s.mem.ready:
		return s.mem.buildErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// buildMemory reads every collection once, in one pass each, and repairs
// the stored rollups from the dossiers when they differ (a crash between a
// dossier's write and its rollup's, or an interrupted bulk load).
func (s *Store) buildMemory(ctx context.Context) (err error) {
	m := s.mem
	defer func() {
		m.buildErr = err
		close(m.ready)
	}()
	began := time.Now()
	if s.engine != nil {
		n, err := s.engine.Count(ctx, s.db.Name(), colDossiers)
		if err != nil {
			return err
		}
		m.total.Store(int64(n))
	}
	if err := scanAll(ctx, s, colAgencies, func(a *registry.Agency) error { m.put(a); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colProcedures, func(p *registry.Procedure) error { m.put(p); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colDirectives, func(d *registry.Directive) error { m.put(d); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colReports, func(r *registry.Report) error { m.put(r); return nil }); err != nil {
		return err
	}
	type counter struct {
		ID  string `bson:"_id"`
		Seq int    `bson:"seq"`
	}
	if err := scanAll(ctx, s, colCounters, func(c *counter) error { m.counters[c.ID] = c.Seq; return nil }); err != nil {
		return err
	}
	computed := stats.Rollup{}
	add := func(d *registry.Dossier, r dossierRow) {
		m.dossiers.putRow(r)
		computed.Add(stats.Contributions(d), 1)
		m.loaded.Add(1)
	}
	if s.engine != nil {
		err = s.scanDossiers(ctx, add)
	} else {
		err = scanAll(ctx, s, colDossiers, func(d *registry.Dossier) error { add(d, rowOf(d)); return nil })
	}
	if err != nil {
		return err
	}
	if n := m.loaded.Load(); n > m.total.Load() {
		m.total.Store(n)
	}
	m.rollupMu.Lock()
	m.rollup = computed
	m.rollupMu.Unlock()
	if err := s.repairRollups(ctx, computed); err != nil {
		return err
	}
	s.log.Info("embedded store: memory built", "dossiers", m.loaded.Load(), "directives", len(m.directives.rows),
		"procedures", len(m.procedures.rows), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// scanAll calls fn with every document of col, in no order: a sort would
// make the embedded engine read the whole collection before the first.
func scanAll[T any](ctx context.Context, s *Store, col string, fn func(*T) error) error {
	cur, err := s.db.Collection(col).Find(ctx, bson.D{})
	if err != nil {
		return classify(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		v := new(T)
		if err := cur.Decode(v); err != nil {
			return classify(err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return classify(cur.Err())
}

// scannedFields are what the build reads of each dossier: its list fields
// and what its rollup contributions depend on (stats.Contributions), the
// last step standing for the end of a withdrawn or stopped dossier.
var scannedFields = []string{"$._id", "$.agency", "$.procedure", "$.status", "$.channel", "$.outcome",
	"$.nationalOutcome", "$.dueDate", "$.overdueFrom", "$.receivedAt", "$.resolvedAt", "$.version",
	"$.workingDaysTaken", "$.history[#-1].action", "$.history[#-1].at"}

// scanDossiers reads those fields of every dossier straight from the
// engine's SQLite (see engine.Scan): FerretDB's own find decodes every
// document whole, 250 µs each. A dossier whose end the last step does not
// tell is read whole.
func (s *Store) scanDossiers(ctx context.Context, add func(*registry.Dossier, dossierRow)) error {
	var whole []string
	err := s.engine.Scan(ctx, s.db.Name(), colDossiers, scannedFields, func(v []any) error {
		str := func(i int) string {
			switch x := v[i].(type) {
			case string:
				return x
			case []byte:
				return string(x)
			}
			return ""
		}
		num := func(i int) (int64, bool) {
			x, ok := v[i].(int64)
			return x, ok
		}
		ms := func(i int) *time.Time {
			x, ok := num(i)
			if !ok {
				return nil
			}
			t := time.UnixMilli(x).UTC()
			return &t
		}
		d := &registry.Dossier{Code: str(0), AgencyCode: str(1), ProcedureCode: str(2), Status: registry.Status(str(3)),
			Channel: registry.Channel(str(4)), Outcome: registry.Outcome(str(5)), NationalOutcome: registry.Outcome(str(6)),
			DueDate: calendar.Date(str(7)), OverdueFrom: calendar.Date(str(8)), ResolvedAt: ms(10)}
		if t := ms(9); t != nil {
			d.ReceivedAt = *t
		}
		version, _ := num(11)
		d.Version = int(version)
		if days, ok := num(12); ok {
			d.WorkingDaysTaken = new(int(days))
		}
		if last := registry.Action(str(13)); last != "" {
			if at := ms(14); at != nil {
				d.History = []registry.Step{{Action: last, At: *at}}
			}
		}
		if _, ended := stats.EndedAt(d); !d.Status.Open() && !ended {
			whole = append(whole, d.Code)
			return nil
		}
		add(d, rowOf(d))
		return nil
	})
	if err != nil {
		return err
	}
	for _, code := range whole {
		d, err := get[registry.Dossier](ctx, s, colDossiers, code)
		if err != nil {
			return err
		}
		if d != nil {
			add(d, rowOf(d))
		}
	}
	return nil
}

// repairRollups makes the stored rollup documents equal the ones computed
// from the dossiers, rewriting by _id only those that differ.
func (s *Store) repairRollups(ctx context.Context, computed stats.Rollup) error {
	stored, err := s.readRollup(ctx, s.db.Collection(colRollups), "", "9999-12", nil)
	if err != nil {
		return err
	}
	want, have := rollupDocs(computed), rollupDocs(stored)
	var changed []string
	for id := range maps.Keys(want) {
		if !sameRollupDoc(want[id], have[id]) {
			changed = append(changed, id)
		}
	}
	for id := range maps.Keys(have) {
		if want[id] == nil {
			changed = append(changed, id)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	slices.Sort(changed)
	for _, id := range changed {
		var err error
		if d := want[id]; d != nil {
			_, err = s.db.Collection(colRollups).ReplaceOne(ctx, byID(id), d, replaceUpsert)
		} else {
			_, err = s.db.Collection(colRollups).DeleteOne(ctx, byID(id))
		}
		if err != nil {
			return fmt.Errorf("store: repair rollup %s: %w", id, classify(err))
		}
	}
	s.log.Warn("statistics rollups repaired from the dossiers (an interrupted write or bulk load had left them behind)",
		"documents", len(changed), "first", changed[0])
	return nil
}

// rollupDocs groups cells into their stored documents, one per month and agency.
func rollupDocs(r stats.Rollup) map[string]*rollupDoc {
	docs := map[string]*rollupDoc{}
	for c, v := range r {
		if v.Zero() {
			continue
		}
		id := c.Month + "|" + c.Agency
		d := docs[id]
		if d == nil {
			d = &rollupDoc{ID: id, Month: c.Month, Agency: c.Agency, Cells: map[string]*stats.Counters{}}
			docs[id] = d
		}
		d.Cells[cellKey(c)] = v
	}
	return docs
}

func sameRollupDoc(a, b *rollupDoc) bool {
	if a == nil || b == nil {
		return a == b
	}
	diff := stats.Rollup{}
	diff.Add(sumDocs([]*rollupDoc{a}), 1)
	diff.Add(sumDocs([]*rollupDoc{b}), -1)
	for _, v := range diff {
		if !v.Zero() {
			return false
		}
	}
	return true
}

// matches is DirectiveFilter.query() evaluated on one directive; the two
// must agree (the store tests run both).
func (f DirectiveFilter) matches(d *registry.Directive, terms []string, typeCode string) bool {
	for _, t := range terms {
		if !strings.Contains(d.Search, t) {
			return false
		}
	}
	switch {
	case f.Type != nil && d.Symbol.Type != typeCode,
		f.IssuerCode != nil && d.IssuerKey != fold.String(*f.IssuerCode),
		f.Year != nil && d.Year != *f.Year,
		f.IssuedFrom != nil && (d.IssuedOn == "" || d.IssuedOn < *f.IssuedFrom),
		f.IssuedTo != nil && (d.IssuedOn == "" || d.IssuedOn > *f.IssuedTo),
		f.Validity != nil && d.Validity != *f.Validity,
		f.Topic != nil && !slices.Contains(d.Topics, *f.Topic):
		return false
	}
	return true
}

// directivesMatching is the in-memory DirectiveFilter.
func (m *memory) directivesMatching(f DirectiveFilter) ([]*registry.Directive, error) {
	if _, err := f.query(); err != nil { // validates as the engine path does
		return nil, err
	}
	var terms []string
	if f.Search != nil {
		terms, _ = registry.SearchTerms(*f.Search)
	}
	typeCode := ""
	if f.Type != nil {
		t, _ := registry.LookupDocType(*f.Type)
		typeCode = t.Code
	}
	return m.directives.matching(func(d *registry.Directive) bool { return f.matches(d, terms, typeCode) }), nil
}

// facetValue is the value of a facet field in a directive, as the engine's
// $group would give it.
func facetValue(d *registry.Directive, field string) string {
	switch field {
	case FacetType:
		return d.Symbol.Type
	case FacetIssuer:
		return d.IssuerCode
	case FacetYear:
		return fmt.Sprint(d.Year)
	case FacetValidity:
		return string(d.Validity)
	}
	return ""
}

// proceduresMatching is the in-memory ProcedureFilter.
func (m *memory) proceduresMatching(f ProcedureFilter) ([]*registry.Procedure, error) {
	basis := ""
	if f.LegalBasis != nil {
		var err error
		if basis, err = f.legalBasis(); err != nil {
			return nil, err
		}
	}
	return m.procedures.matching(func(p *registry.Procedure) bool { return f.matches(p, basis) }), nil
}

func (f ProcedureFilter) matches(p *registry.Procedure, legalBasis string) bool {
	return (f.AgencyCode == nil || p.AgencyCode == *f.AgencyCode) &&
		(f.Level == nil || p.Level == *f.Level) &&
		(f.LegalBasis == nil || slices.Contains(p.LegalBases, legalBasis))
}

func (f AgencyFilter) matches(a *registry.Agency) bool { return f.Level == nil || a.Level == *f.Level }

func (f ReportFilter) matches(r *registry.Report) bool {
	return (f.Period == nil || r.Period == *f.Period) && (f.AgencyCode == nil || r.AgencyCode == *f.AgencyCode)
}
