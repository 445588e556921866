package store

import (
	"cmp"
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

// rolledUp replaces each changed cell by a new one, never changing a cell
// in place: readers share the cells (see rollup).
func (m *memory) rolledUp(delta stats.Rollup) bool {
	m.rollupMu.Lock()
	defer m.rollupMu.Unlock()
	replaceCells(m.rollups, delta)
	replaceCells(m.overProcedures, stats.OverProcedures(delta))
	for c := range delta {
		m.unflushed[c.Month+"|"+c.Agency] = true
	}
	if m.dirtySince == 0 && len(delta) > 0 {
		m.dirtySince = m.eng.s.now().UnixNano()
	}
	return true
}

func replaceCells(r, delta stats.Rollup) {
	for c, d := range delta {
		cell := stats.Rollup{}
		if old := r[c]; old != nil {
			cell.Add(stats.Rollup{c: old}, 1)
		}
		cell.Add(stats.Rollup{c: d}, 1)
		r[c] = cell[c]
	}
}

// rollupsRebuilt: the stored documents were written from r too.
func (m *memory) rollupsRebuilt(r stats.Rollup) {
	over := stats.OverProcedures(r)
	m.rollupMu.Lock()
	m.rollups, m.overProcedures = r, over
	m.unflushed, m.dirtySince = map[string]bool{}, 0
	m.rollupMu.Unlock()
}

// unflushedSince is when the oldest change not yet stored was made (Unix
// ns), 0 when none.
func (m *memory) unflushedSince() int64 {
	m.rollupMu.RLock()
	defer m.rollupMu.RUnlock()
	return m.dirtySince
}

// flushInterval is how far the stored rollups may lag memory. A crash loses
// at most that, and the next start repairs it from the dossiers.
const flushInterval = time.Second

// flushRollups writes the rollup documents memory changed since the last
// flush, whole and by _id, as the single writer.
func (s *Store) flushRollups(ctx context.Context) error {
	if s.mem == nil {
		return nil
	}
	return s.write(ctx, func() error {
		m := s.mem
		m.rollupMu.Lock()
		ids, since := m.unflushed, m.dirtySince
		m.unflushed, m.dirtySince = map[string]bool{}, 0
		docs := map[string]*rollupDoc{}
		for c, v := range m.rollups {
			if id := c.Month + "|" + c.Agency; ids[id] {
				docs[id] = addCell(docs[id], c, v)
			}
		}
		m.rollupMu.Unlock()
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			var err error
			if d := docs[id]; d != nil {
				_, err = s.db.Collection(colRollups).ReplaceOne(ctx, byID(id), d, replaceUpsert)
			} else {
				_, err = s.db.Collection(colRollups).DeleteOne(ctx, byID(id))
			}
			if err != nil {
				// Still owed: written at the next flush.
				m.rollupMu.Lock()
				maps.Copy(m.unflushed, ids)
				m.dirtySince = min(since, cmp.Or(m.dirtySince, since))
				m.rollupMu.Unlock()
				return classify(err)
			}
		}
		return nil
	})
}

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
	if err := scanAll(ctx, s, colAgencies, func(a *registry.Agency) error { m.stored(a); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colProcedures, func(p *registry.Procedure) error { m.stored(p); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colDirectives, func(d *registry.Directive) error { m.stored(d); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colReports, func(r *registry.Report) error { m.stored(r); return nil }); err != nil {
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
		m.index.putRow(r)
		computed.Add(stats.Contributions(d), 1)
		m.scanned.Add(1)
	}
	if s.engine != nil {
		err = s.scanDossiers(ctx, add)
	} else {
		err = scanAll(ctx, s, colDossiers, func(d *registry.Dossier) error { add(d, rowOf(d)); return nil })
	}
	if err != nil {
		return err
	}
	if n := m.scanned.Load(); n > m.total.Load() {
		m.total.Store(n)
	}
	m.rollupsRebuilt(computed)
	if err := s.repairRollups(ctx, computed); err != nil {
		return err
	}
	s.log.Info("embedded store: memory built", "dossiers", m.scanned.Load(), "directives", m.directiveSet.size(),
		"procedures", len(m.procedureRows.rows), "took", time.Since(began).Round(time.Millisecond))
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

// _id orders, as each reads.
var (
	directiveByKey = sortKey[*registry.Directive]{id: func(d *registry.Directive) string { return d.Key }}
	reportByKey    = sortKey[*registry.Report]{id: func(r *registry.Report) string { return r.Key }}
)

// eachOf calls fn with each item in turn.
func eachOf[T any](items []T, fn func(T) error) error {
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// sortedBy sorts items in the order of key, as each's cursor would give them.
func sortedBy[T any](items []T, key sortKey[T]) []T {
	slices.SortFunc(items, key.compare)
	return items
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
		id := c.Month + "|" + c.Agency
		docs[id] = addCell(docs[id], c, v)
	}
	for id, d := range docs {
		if d == nil {
			delete(docs, id)
		}
	}
	return docs
}

// addCell adds a non-zero cell to its document d, made when nil.
func addCell(d *rollupDoc, c stats.Cell, v *stats.Counters) *rollupDoc {
	if v.Zero() {
		return d
	}
	if d == nil {
		d = &rollupDoc{ID: c.Month + "|" + c.Agency, Month: c.Month, Agency: c.Agency, Cells: map[string]*stats.Counters{}}
	}
	d.Cells[cellKey(c)] = v
	return d
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
	return m.procedureRows.matching(func(p *registry.Procedure) bool { return f.matches(p, basis) }), nil
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

// memory as the store's backend (see backend): everything from memory but
// the dossiers the index does not keep whole, read by _id.

func (m *memory) agency(_ context.Context, code string) (*registry.Agency, error) {
	return m.agencyRows.get(code), nil
}

func (m *memory) agencies(_ context.Context, f AgencyFilter, args PageArgs) (*Page[*registry.Agency], error) {
	return pageOf(m.agencyRows.matching(f.matches), agencyOrder, args)
}

func (m *memory) eachAgency(_ context.Context, f AgencyFilter, fn func(*registry.Agency) error) error {
	return eachOf(sortedBy(m.agencyRows.matching(f.matches), agencyOrder), fn)
}

func (m *memory) agenciesByCode(_ context.Context, codes []string) ([]*registry.Agency, error) {
	return m.agencyRows.matching(func(a *registry.Agency) bool {
		return slices.Contains(codes, a.Code) || (a.Abbreviation != "" && slices.Contains(codes, a.Abbreviation))
	}), nil
}

func (m *memory) procedure(_ context.Context, code string) (*registry.Procedure, error) {
	return m.procedureRows.get(code), nil
}

func (m *memory) procedures(_ context.Context, f ProcedureFilter, args PageArgs) (*Page[*registry.Procedure], error) {
	ps, err := m.proceduresMatching(f)
	if err != nil {
		return nil, err
	}
	return pageOf(ps, procedureOrder, args)
}

func (m *memory) eachProcedure(_ context.Context, f ProcedureFilter, fn func(*registry.Procedure) error) error {
	ps, err := m.proceduresMatching(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ps, procedureOrder), fn)
}

func (m *memory) proceduresByCode(_ context.Context, codes []string) ([]*registry.Procedure, error) {
	var out []*registry.Procedure
	for _, c := range codes {
		if p := m.procedureRows.get(c); p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *memory) exists(_ context.Context, col, id string) (bool, error) {
	switch col {
	case colAgencies:
		return m.agencyRows.has(id), nil
	case colProcedures:
		return m.procedureRows.has(id), nil
	}
	return false, fmt.Errorf("store: memory keeps no %s", col)
}

func (m *memory) directive(_ context.Context, key string) (*registry.Directive, error) {
	return m.directiveSet.get(key), nil
}

func (m *memory) directives(_ context.Context, f DirectiveFilter, args PageArgs) (*Page[*registry.Directive], error) {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return nil, err
	}
	return pageOf(ds, directiveOrder, args)
}

func (m *memory) eachDirective(_ context.Context, f DirectiveFilter, fn func(*registry.Directive) error) error {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return err
	}
	return eachOf(sortedBy(ds, directiveByKey), fn)
}

func (m *memory) directiveFacet(_ context.Context, f DirectiveFilter, field string) ([]Facet, error) {
	ds, err := m.directiveSet.matching(f)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, d := range ds {
		counts[facetValue(d, field)]++
	}
	out := make([]Facet, 0, len(counts))
	for v, n := range counts {
		out = append(out, Facet{Value: v, Count: n})
	}
	return out, nil
}

func (m *memory) directivesBySymbolKeys(_ context.Context, keys []string, year *int) ([]*registry.Directive, error) {
	return m.directiveSet.withSymbolKeys(keys, year), nil
}

func (m *memory) directivesRelatedTo(_ context.Context, symbolKey string) ([]*registry.Directive, error) {
	return sortedBy(m.directiveSet.relating(symbolKey), directiveByKey), nil
}

func (m *memory) report(_ context.Context, key string) (*registry.Report, error) {
	return m.reportRows.get(key), nil
}

func (m *memory) reports(_ context.Context, f ReportFilter, args PageArgs) (*Page[*registry.Report], error) {
	return pageOf(m.reportRows.matching(f.matches), reportOrder, args)
}

func (m *memory) eachReport(_ context.Context, f ReportFilter, fn func(*registry.Report) error) error {
	return eachOf(sortedBy(m.reportRows.matching(f.matches), reportByKey), fn)
}

// eachDossier reads the matching dossiers in code order, by _id: an
// export, not a request, and the engine's sorted find would hold the whole
// collection in memory first.
func (m *memory) eachDossier(ctx context.Context, f DossierFilter, fn func(*registry.Dossier) error) error {
	codes, err := m.index.matchingCodes(f)
	if err != nil {
		return err
	}
	for _, code := range codes {
		d, err := m.dossier(ctx, code)
		if err != nil {
			return err
		}
		if d != nil {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memory) dossierCodes(_ context.Context, prefix string) ([]string, error) {
	return m.index.codes(prefix), nil
}

// rollup selects the cells asked for. They are shared, not copied (a
// dashboard reads thousands): callers only read them, and writers replace
// cells rather than change them.
func (m *memory) rollup(_ context.Context, from, to string, agencies []string, byProcedure bool) (stats.Rollup, error) {
	m.rollupMu.RLock()
	defer m.rollupMu.RUnlock()
	cells := m.overProcedures
	if byProcedure {
		cells = m.rollups
	}
	out := make(stats.Rollup, len(cells))
	for c, v := range cells {
		if c.Month > to || (from != "" && c.Month < from) || (len(agencies) > 0 && !slices.Contains(agencies, c.Agency)) {
			continue
		}
		out[c] = v
	}
	return out, nil
}

// nextSequence reads the counter from memory and stores the next value by
// _id: the engine's $inc would not be atomic across its connections, and
// the writer is the only one counting.
func (m *memory) stepFilter(code string, _ int) bson.D { return byID(code) }

func (m *memory) nextSequence(ctx context.Context, id string) (int, error) {
	seq := m.counters[id] + 1
	return seq, m.eng.s.setSequence(ctx, id, seq)
}
