package store

import (
	"container/heap"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/errgroup"

	"github.com/vnregistry/registry/internal/registry"
)

// listIndex holds what dossier lists filter and sort by, one compact row per
// dossier (a province's million fits in about 150 MB), and the most recently
// used dossiers whole (see memory). Kept in step by the store's single
// writer.
type listIndex struct {
	mu   sync.RWMutex
	rows []row
	at   map[string]int32 // code -> position in rows
	// names interns the strings rows repeat (agency and procedure codes,
	// statuses, channels, outcomes, dates): a row holds their numbers.
	names []string
	ids   map[string]uint32
	docs  *lru.Cache[string, *registry.Dossier]
}

// row is one dossier as lists see it.
type row struct {
	code               string
	received, resolved int64 // Unix ns; resolved is 0 while unresolved
	agency, procedure  uint32
	status, channel    uint32
	outcome            uint32
	due, overdue       uint32 // dates, interned; 0 is none
	version            int32
}

// cachedDossiers is how many whole dossiers the index keeps (about 3 KB each).
const cachedDossiers = 50_000

func newListIndex() *listIndex {
	docs, _ := lru.New[string, *registry.Dossier](cachedDossiers)
	return &listIndex{at: map[string]int32{}, names: []string{""}, ids: map[string]uint32{"": 0}, docs: docs}
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

// set records r, replacing the row of its code. Callers hold the write lock.
func (ix *listIndex) set(r dossierRow) {
	v := row{code: r.Code, received: r.ReceivedAt.UnixNano(), agency: ix.intern(r.Agency), procedure: ix.intern(r.Procedure),
		status: ix.intern(r.Status), channel: ix.intern(r.Channel), outcome: ix.intern(r.Outcome),
		due: ix.intern(r.DueDate), overdue: ix.intern(r.OverdueFrom), version: int32(r.Version)}
	if !r.ResolvedAt.IsZero() {
		v.resolved = r.ResolvedAt.UnixNano()
	}
	if i, ok := ix.at[r.Code]; ok {
		ix.rows[i] = v
		return
	}
	ix.at[r.Code] = int32(len(ix.rows))
	ix.rows = append(ix.rows, v)
}

// has reports whether a dossier with code is indexed.
func (ix *listIndex) has(code string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.at[code]
	return ok
}

// put records d as stored, keeping it whole.
func (ix *listIndex) put(d *registry.Dossier) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.set(rowOf(d))
	c := *d
	ix.docs.Add(d.Code, &c)
}

// putRow records a dossier's list fields only (the build: whole dossiers
// would churn the cache).
func (ix *listIndex) putRow(r dossierRow) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.set(r)
}

// forget drops the whole copy of a dossier, so the next read asks the engine.
func (ix *listIndex) forget(code string) { ix.docs.Remove(code) }

// codes returns the codes starting with prefix.
func (ix *listIndex) codes(prefix string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for code := range ix.at {
		if strings.HasPrefix(code, prefix) {
			out = append(out, code)
		}
	}
	return out
}

// dossier reads a dossier by code: from memory when kept whole, else from
// the engine by _id (remembering it). Callers get their own copy.
func (m *memory) dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	ix := m.index
	if d, ok := ix.docs.Get(code); ok {
		c := *d
		return &c, nil
	}
	// The index knows every code: an unknown one is not looked for.
	if !ix.has(code) {
		return nil, nil
	}
	d, err := m.eng.dossier(ctx, code)
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
	if i, ok := ix.at[d.Code]; ok && int(ix.rows[i].version) == d.Version {
		c := *d
		ix.docs.Add(d.Code, &c)
	}
}

// matchingCodes lists the codes of the dossiers matching f, in order.
func (ix *listIndex) matchingCodes(f DossierFilter) ([]string, error) {
	if _, err := f.query(); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	rf := ix.compile(f)
	var codes []string
	for i := range ix.rows {
		if !rf.none && ix.matches(&rf, &ix.rows[i]) {
			codes = append(codes, ix.rows[i].code)
		}
	}
	ix.mu.RUnlock()
	slices.Sort(codes)
	return codes, nil
}

// rowFilter is a DossierFilter in the index's numbers.
type rowFilter struct {
	f                                           DossierFilter
	agency, procedure, status, channel, outcome uint32
	none                                        bool // names a value no dossier has
}

func (ix *listIndex) compile(f DossierFilter) rowFilter {
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

// matches is DossierFilter.query() evaluated on one row: the two must agree
// (the store tests compare both paths).
func (ix *listIndex) matches(rf *rowFilter, r *row) bool {
	f := rf.f
	switch {
	case rf.agency != 0 && r.agency != rf.agency,
		rf.procedure != 0 && r.procedure != rf.procedure,
		rf.status != 0 && r.status != rf.status,
		rf.channel != 0 && r.channel != rf.channel,
		rf.outcome != 0 && r.outcome != rf.outcome,
		!inRange(r.received, f.ReceivedFrom, f.ReceivedTo),
		(f.ResolvedFrom != nil || f.ResolvedTo != nil) && (r.resolved == 0 || !inRange(r.resolved, f.ResolvedFrom, f.ResolvedTo)):
		return false
	}
	if f.OverdueAsOf != nil {
		return registry.Status(ix.names[r.status]).Open() && r.overdue != 0 && ix.names[r.overdue] <= string(*f.OverdueAsOf)
	}
	return true
}

// inRange: Unix ns t within [from, to).
func inRange(t int64, from, to *time.Time) bool {
	return (from == nil || t >= from.UnixNano()) && (to == nil || t < to.UnixNano())
}

// position is where a row stands in a list order: its sort value (Unix ns
// or a date) and its code, which breaks ties.
type position struct {
	ns   int64
	date string
	code string
}

func (ix *listIndex) position(o DossierOrder, r *row) position {
	p := position{code: r.code}
	switch o {
	case OrderByReceivedAt, OrderByReceivedDesc:
		p.ns = r.received
	case OrderByDueDate:
		p.date = ix.names[r.due]
	}
	return p
}

func comparePositions(o DossierOrder, a, b position) int {
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
		c = strings.Compare(a.code, b.code)
	}
	if o == OrderByReceivedDesc {
		return -c
	}
	return c
}

// firstAfter keeps the n first positions seen (a max-heap: the last of them on top).
type firstAfter struct {
	o     DossierOrder
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
func (m *memory) dossiers(ctx context.Context, f DossierFilter, o DossierOrder, args PageArgs) (*Page[*registry.Dossier], error) {
	key, err := dossierOrder(o)
	if err != nil {
		return nil, err
	}
	if _, err := f.query(); err != nil { // validates as the engine path does
		return nil, err
	}
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	page := &Page[*registry.Dossier]{}
	var after *position
	if args.After != nil && *args.After != "" {
		v, id, err := key.decode(*args.After)
		if err != nil {
			return nil, err
		}
		after = &position{code: id}
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
	for i := range ix.rows {
		r := &ix.rows[i]
		if rf.none || !ix.matches(&rf, r) {
			continue
		}
		total++
		p := ix.position(o, r)
		if after != nil && comparePositions(o, p, *after) <= 0 {
			continue
		}
		if top.Len() <= n {
			heap.Push(top, p)
		} else if comparePositions(o, p, top.items[0]) < 0 {
			top.items[0] = p
			heap.Fix(top, 0)
		}
	}
	ix.mu.RUnlock()
	page.count = func(context.Context) (int, error) { return total, nil }
	codes := make([]string, top.Len())
	for i := len(codes) - 1; i >= 0; i-- {
		codes[i] = heap.Pop(top).(position).code
	}
	if len(codes) > n {
		codes, page.HasNext = codes[:n], true
	}
	page.Items = make([]*registry.Dossier, len(codes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, code := range codes {
		g.Go(func() error {
			d, err := m.dossier(gctx, code)
			if err == nil && d == nil {
				err = registry.Errorf(registry.CodeConflict, "dossier %s vanished while listed", code)
			}
			page.Items[i] = d
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, d := range page.Items {
		page.Cursors = append(page.Cursors, key.encode(d))
	}
	return page, nil
}
