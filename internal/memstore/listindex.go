package memstore

import (
	"bytes"
	"container/heap"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vnregistry/registry/internal/registry"
)

// listIndex holds what dossier lists filter and sort by, and the most
// recently used dossiers whole. Kept in step by the store's
// single writer. The fields are held as columns, one entry per dossier in
// the order stored: a filter reads only the columns it tests, a few bytes a
// dossier that stay in the processor's caches (a million dossiers take about
// 100 MB, and an agency's page is counted in milliseconds).
type listIndex struct {
	mu sync.RWMutex
	// codes holds every code, numbered by its position: a million codes as
	// one allocation rather than a million strings the garbage collector
	// would trace at every cycle.
	codes                    names
	received, resolved       []int64 // Unix ns; resolved is 0 while unresolved
	agency, procedure        []uint32
	status, channel, outcome []uint32
	due, overdue             []uint32 // dates; 0 is none
	version                  []int32
	// byAgency lists each agency's positions: most lists name an agency.
	byAgency map[uint32][]int32
	// names interns the strings the columns repeat (agency and procedure
	// codes, statuses, channels, outcomes, dates): a column holds numbers.
	names []string
	ids   map[string]uint32
	docs  *lru.Cache[string, *registry.Dossier]
}

// cachedDossiers is how many whole dossiers the index keeps: a few desks'
// working sets, about 80 MB (a dossier read from there answers in a third
// of the time it takes from the engine).
const cachedDossiers = 20_000

func newListIndex() *listIndex {
	docs, _ := lru.New[string, *registry.Dossier](cachedDossiers)
	return &listIndex{codes: newNames(false), byAgency: map[uint32][]int32{}, names: []string{""}, ids: map[string]uint32{"": 0}, docs: docs}
}

// code is the code at position i, valid while the caller holds the lock.
func (ix *listIndex) code(i int32) []byte { return ix.codes.name(uint32(i)) }

// lookup is the position of code. Callers hold the lock.
func (ix *listIndex) lookup(code string) (int32, bool) {
	i, ok := ix.codes.lookup(code)
	return int32(i), ok
}

// intern returns the number of s, adding it. Callers hold the write lock.
func (ix *listIndex) intern(s string) uint32 {
	if id, ok := ix.ids[s]; ok {
		return id
	}
	id := uint32(len(ix.names))
	ix.names = append(ix.names, s)
	ix.ids[s] = id
	return id
}

// dossierRow is what the index keeps of a dossier's list fields.
type dossierRow struct {
	Code, Agency, Procedure, Status, Channel, Outcome, DueDate, OverdueFrom string
	ReceivedAt, ResolvedAt                                                  time.Time
	Version                                                                 int
}

func rowOf(d *registry.Dossier) dossierRow {
	r := dossierRow{Code: d.Code, Agency: d.AgencyCode, Procedure: d.ProcedureCode, Status: string(d.Status),
		Channel: string(d.Channel), Outcome: string(d.Outcome), DueDate: string(d.DueDate),
		OverdueFrom: string(d.OverdueFrom), ReceivedAt: d.ReceivedAt, Version: d.Version}
	if d.ResolvedAt != nil {
		r.ResolvedAt = *d.ResolvedAt
	}
	return r
}

// set records r, replacing the entry of its code, and returns its
// position. Callers hold the write lock.
func (ix *listIndex) set(r dossierRow) int32 {
	var resolved int64
	if !r.ResolvedAt.IsZero() {
		resolved = r.ResolvedAt.UnixNano()
	}
	agency := ix.intern(r.Agency)
	i, ok := ix.lookup(r.Code)
	if !ok {
		i = int32(ix.codes.intern(r.Code))
		ix.received, ix.resolved = append(ix.received, 0), append(ix.resolved, 0)
		ix.agency, ix.procedure = append(ix.agency, agency), append(ix.procedure, 0)
		ix.status, ix.channel, ix.outcome = append(ix.status, 0), append(ix.channel, 0), append(ix.outcome, 0)
		ix.due, ix.overdue, ix.version = append(ix.due, 0), append(ix.overdue, 0), append(ix.version, 0)
		ix.byAgency[agency] = append(ix.byAgency[agency], i)
	} else if old := ix.agency[i]; old != agency { // never in the domain; kept right anyway
		ix.byAgency[old] = slices.DeleteFunc(ix.byAgency[old], func(j int32) bool { return j == i })
		ix.byAgency[agency] = append(ix.byAgency[agency], i)
		ix.agency[i] = agency
	}
	ix.received[i], ix.resolved[i] = r.ReceivedAt.UnixNano(), resolved
	ix.procedure[i] = ix.intern(r.Procedure)
	ix.status[i], ix.channel[i], ix.outcome[i] = ix.intern(r.Status), ix.intern(r.Channel), ix.intern(r.Outcome)
	ix.due[i], ix.overdue[i] = ix.intern(r.DueDate), ix.intern(r.OverdueFrom)
	ix.version[i] = int32(r.Version)
	return i
}

// each calls fn with the position of every dossier f matches, looking only
// at its agency's when it names one. Positions are in the order dossiers
// were stored, nearly that of receipt: backwards, the newest come first, and
// a list newest first keeps its first page after a few instead of replacing
// it at each. Callers hold the lock.
func (ix *listIndex) each(rf *rowFilter, backwards bool, fn func(i int32)) {
	if rf.none {
		return
	}
	n := ix.codes.size()
	at := func(k int) int32 { return int32(k) }
	if rf.agency != 0 {
		positions := ix.byAgency[rf.agency]
		n, at = len(positions), func(k int) int32 { return positions[k] }
	}
	for k := range n {
		if backwards {
			k = n - 1 - k
		}
		if i := at(k); ix.matches(rf, i) {
			fn(i)
		}
	}
}

// compact gives each column exactly the room it needs: the build grew
// them by doubling, up to twice that.
func (ix *listIndex) compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.codes.compact()
	ix.received, ix.resolved = slices.Clone(ix.received), slices.Clone(ix.resolved)
	ix.agency, ix.procedure = slices.Clone(ix.agency), slices.Clone(ix.procedure)
	ix.status, ix.channel, ix.outcome = slices.Clone(ix.status), slices.Clone(ix.channel), slices.Clone(ix.outcome)
	ix.due, ix.overdue, ix.version = slices.Clone(ix.due), slices.Clone(ix.overdue), slices.Clone(ix.version)
	for a, positions := range ix.byAgency {
		ix.byAgency[a] = slices.Clone(positions)
	}
}

// has reports whether a dossier with code is indexed.
func (ix *listIndex) has(code string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.lookup(code)
	return ok
}

// put records d as stored, keeping it whole, and returns its position.
func (ix *listIndex) put(d *registry.Dossier) int32 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	c := *d
	ix.docs.Add(d.Code, &c)
	return ix.set(rowOf(d))
}

// putRow records a dossier's list fields only (the build: whole dossiers
// would churn the cache), and returns its position.
func (ix *listIndex) putRow(r dossierRow) int32 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.set(r)
}

// forget drops the whole copy of a dossier, so the next read asks the engine.
func (ix *listIndex) forget(code string) { ix.docs.Remove(code) }

// withPrefix returns the codes starting with prefix.
func (ix *listIndex) withPrefix(prefix string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for i := range int32(ix.codes.size()) {
		if code := ix.code(i); bytes.HasPrefix(code, []byte(prefix)) {
			out = append(out, string(code))
		}
	}
	return out
}

// dossier reads a dossier by code: from memory when kept whole, else from
// the engine by _id (remembering it). Callers get their own copy.
func (m *Store) Dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	ix := m.index
	if d, ok := ix.docs.Get(code); ok {
		c := *d
		return &c, nil
	}
	// The index knows every code: an unknown one is not looked for.
	if !ix.has(code) {
		return nil, nil
	}
	d, err := m.readDossier(ctx, code)
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
	if i, ok := ix.lookup(d.Code); ok && int(ix.version[i]) == d.Version {
		c := *d
		ix.docs.Add(d.Code, &c)
	}
}

// matchingCodes lists the codes of the dossiers matching f, in order.
func (ix *listIndex) matchingCodes(f registry.DossierFilter) ([]string, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	rf := ix.compile(f)
	var codes []string
	ix.each(&rf, false, func(i int32) { codes = append(codes, string(ix.code(i))) })
	ix.mu.RUnlock()
	slices.Sort(codes)
	return codes, nil
}

// rowFilter is a registry.DossierFilter in the index's numbers.
type rowFilter struct {
	f                                           registry.DossierFilter
	agency, procedure, status, channel, outcome uint32
	none                                        bool // names a value no dossier has
}

func (ix *listIndex) compile(f registry.DossierFilter) rowFilter {
	rf := rowFilter{f: f}
	id := func(v *string) uint32 {
		if v == nil {
			return 0
		}
		n, ok := ix.ids[*v]
		if !ok || *v == "" {
			rf.none = true
		}
		return n
	}
	str := func(v *registry.Status) *string {
		if v == nil {
			return nil
		}
		return (*string)(v)
	}
	rf.agency, rf.procedure, rf.status = id(f.AgencyCode), id(f.ProcedureCode), id(str(f.Status))
	if f.Channel != nil {
		rf.channel = id((*string)(f.Channel))
	}
	if f.Outcome != nil {
		rf.outcome = id((*string)(f.Outcome))
	}
	return rf
}

// matches is registry.DossierFilter.Matches evaluated on the columns of
// the dossier at position i (TestStoresAgree holds the two together).
func (ix *listIndex) matches(rf *rowFilter, i int32) bool {
	f := rf.f
	switch {
	case rf.agency != 0 && ix.agency[i] != rf.agency,
		rf.status != 0 && ix.status[i] != rf.status,
		rf.procedure != 0 && ix.procedure[i] != rf.procedure,
		rf.channel != 0 && ix.channel[i] != rf.channel,
		rf.outcome != 0 && ix.outcome[i] != rf.outcome,
		(f.ReceivedFrom != nil || f.ReceivedTo != nil) && !inRange(ix.received[i], f.ReceivedFrom, f.ReceivedTo),
		(f.ResolvedFrom != nil || f.ResolvedTo != nil) && (ix.resolved[i] == 0 || !inRange(ix.resolved[i], f.ResolvedFrom, f.ResolvedTo)):
		return false
	}
	if f.OverdueAsOf != nil {
		return registry.Status(ix.names[ix.status[i]]).Open() && ix.overdue[i] != 0 && ix.names[ix.overdue[i]] <= string(*f.OverdueAsOf)
	}
	return true
}

// inRange: Unix ns t within [from, to).
func inRange(t int64, from, to *time.Time) bool {
	return (from == nil || t >= registry.TimeBound(*from).UnixNano()) && (to == nil || t < registry.TimeBound(*to).UnixNano())
}

// position is where a row stands in a list order: its sort value (Unix ns
// or a date) and its code, which breaks ties.
type position struct {
	ns   int64
	date string
	code []byte // in the index's arena: valid under its lock
}

func (ix *listIndex) position(o registry.DossierOrder, i int32) position {
	p := position{code: ix.code(i)}
	switch o {
	case registry.OrderByReceivedAt, registry.OrderByReceivedDesc:
		p.ns = ix.received[i]
	case registry.OrderByDueDate:
		p.date = ix.names[ix.due[i]]
	}
	return p
}

func comparePositions(o registry.DossierOrder, a, b position) int {
	c := 0
	switch {
	case a.ns < b.ns:
		c = -1
	case a.ns > b.ns:
		c = 1
	default:
		c = strings.Compare(a.date, b.date)
	}
	if c == 0 {
		c = bytes.Compare(a.code, b.code)
	}
	if o == registry.OrderByReceivedDesc {
		return -c
	}
	return c
}

// firstAfter keeps the n first positions seen (a max-heap: the last of them on top).
type firstAfter struct {
	o     registry.DossierOrder
	items []position
}

func (h *firstAfter) Len() int           { return len(h.items) }
func (h *firstAfter) Less(i, j int) bool { return comparePositions(h.o, h.items[i], h.items[j]) > 0 }
func (h *firstAfter) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *firstAfter) Push(x any)         { h.items = append(h.items, x.(position)) }
func (h *firstAfter) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// dossiers answers a page from the index in one pass over the rows,
// keeping the first n+1 after the cursor (no sort of every match), then
// reads the page's dossiers.
func (m *Store) Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error) {
	key, err := registry.DossierOrderOf(o)
	if err != nil {
		return nil, err
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	n, err := registry.PageSize(args.First)
	if err != nil {
		return nil, err
	}
	page := &registry.Page[*registry.Dossier]{}
	var after *position
	if args.After != nil && *args.After != "" {
		v, id, err := key.Decode(*args.After)
		if err != nil {
			return nil, err
		}
		after = &position{code: []byte(id)}
		switch v := v.(type) {
		case time.Time:
			after.ns = v.UnixNano()
		case string:
			after.date = v
		}
		page.HasPrev = true
	}
	ix := m.index
	top := &firstAfter{o: o}
	total := 0
	ix.mu.RLock()
	rf := ix.compile(f)
	ix.each(&rf, o == registry.OrderByReceivedDesc, func(i int32) {
		total++
		p := ix.position(o, i)
		if after != nil && comparePositions(o, p, *after) <= 0 {
			return
		}
		if top.Len() <= n {
			heap.Push(top, p)
		} else if comparePositions(o, p, top.items[0]) < 0 {
			top.items[0] = p
			heap.Fix(top, 0)
		}
	})
	codes := make([]string, top.Len())
	for i := len(codes) - 1; i >= 0; i-- {
		codes[i] = string(heap.Pop(top).(position).code)
	}
	ix.mu.RUnlock()
	page.Count = func(context.Context) (int, error) { return total, nil }
	if len(codes) > n {
		codes, page.HasNext = codes[:n], true
	}
	err = fill(ctx, page, codes, key, m.Dossier, func(code string) error {
		return registry.Errorf(registry.CodeConflict, "dossier %s vanished while listed", code)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}
