package memstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// The audit log's list fields in memory. The log only grows (every change
// ever attempted), so it is not held whole: an index of what lists filter
// and sort by, and each page's entries read from the engine by _id.

// auditIDLayout is the time part of an audit entry's _id, which
// mongostore.AppendAudit makes of the entry's time (UTC, to the
// nanosecond), "-" and 4 random bytes in hex: _id order is time order.
const auditIDLayout = "20060102T150405.000000000Z"

// auditIndex holds the audit entries in _id order, one row each in 20
// bytes: the _id as its two numbers (its time also gives at, which the
// engine stores to the millisecond), and who, operation and target
// interned; with the names, a million entries of 200,000 dossiers (a
// receipt and four steps each) take 31 MB. Its own lock: entries are
// appended outside memory's writer.
type auditIndex struct {
	mu sync.RWMutex
	ns []int64  // the _id's time, Unix ns
	id []uint32 // the _id's random part
	// kind numbers who, operation and the target's last word together, a few
	// hundred combinations (principals × operations × step actions); head
	// is the rest of the target, a dossier's code shared by its receipt and
	// its steps ("CODE ACTION").
	kind, head []uint32
	kinds      []auditKind
	kindOf     map[auditKind]uint32
	names      names
	// odd is an _id the rows cannot hold (not of mongostore's form, or at
	// not its time): while there is one, the store under memory lists the log.
	odd string
}

type auditKind struct{ who, operation, tail uint32 }

func newAuditIndex() *auditIndex {
	return &auditIndex{kindOf: map[auditKind]uint32{}, names: newNames(true)}
}

// auditKey reads an audit _id's time (Unix ns) and random part; ok only
// when they make the same _id again.
func auditKey(id string) (ns int64, random uint32, ok bool) {
	n := len(auditIDLayout)
	if len(id) != n+9 || id[n] != '-' {
		return 0, 0, false
	}
	t, err := time.Parse(auditIDLayout, id[:n])
	b, herr := hex.DecodeString(id[n+1:])
	if err != nil || herr != nil {
		return 0, 0, false
	}
	ns, random = t.UnixNano(), binary.BigEndian.Uint32(b)
	return ns, random, auditID(ns, random) == id
}

// auditID is the _id of time ns and random part random.
func auditID(ns int64, random uint32) string {
	b := make([]byte, 0, len(auditIDLayout)+9)
	b = append(time.Unix(0, ns).UTC().AppendFormat(b, auditIDLayout), '-')
	return string(hex.AppendEncode(b, binary.BigEndian.AppendUint32(nil, random)))
}

// splitTarget cuts a target before its last space, which stays in the
// tail: "CODE ACTION" is "CODE" and " ACTION", and head+tail is always
// the target.
func splitTarget(target string) (head, tail string) {
	i := strings.LastIndexByte(target, ' ')
	if i < 0 {
		return target, ""
	}
	return target[:i], target[i:]
}

// row is an entry in the index's numbers; ok false when it cannot be held
// (then odd is set). Callers hold the write lock.
func (ix *auditIndex) row(id string, atMS int64, who, operation, target string) (ns int64, random, kind, head uint32, ok bool) {
	ns, random, ok = auditKey(id)
	if !ok || time.Unix(0, ns).UnixMilli() != atMS {
		ix.setOdd(id)
		return 0, 0, 0, 0, false
	}
	h, tail := splitTarget(target)
	k := auditKind{ix.names.intern(who), ix.names.intern(operation), ix.names.intern(tail)}
	kind, known := ix.kindOf[k]
	if !known {
		kind = uint32(len(ix.kinds))
		ix.kinds, ix.kindOf[k] = append(ix.kinds, k), kind
	}
	return ns, random, kind, ix.names.intern(h), true
}

// scanned adds an entry read by the build, out of order: sortRows follows.
// Callers hold the write lock.
func (ix *auditIndex) scanned(id string, atMS int64, who, operation, target string) {
	if ns, random, kind, head, ok := ix.row(id, atMS, who, operation, target); ok {
		ix.ns, ix.id = append(ix.ns, ns), append(ix.id, random)
		ix.kind, ix.head = append(ix.kind, kind), append(ix.head, head)
	}
}

// byID sorts the rows by _id.
type byID struct{ *auditIndex }

func (r byID) Len() int { return len(r.ns) }
func (r byID) Less(i, j int) bool {
	return r.ns[i] < r.ns[j] || (r.ns[i] == r.ns[j] && r.id[i] < r.id[j])
}
func (r byID) Swap(i, j int) {
	r.ns[i], r.ns[j], r.id[i], r.id[j] = r.ns[j], r.ns[i], r.id[j], r.id[i]
	r.kind[i], r.kind[j], r.head[i], r.head[j] = r.kind[j], r.kind[i], r.head[j], r.head[i]
}

// sortRows puts the build's rows in _id order, once each (an entry
// appended while the build read the log may have been read too), in
// columns exactly as long as they need. Callers hold the write lock.
func (ix *auditIndex) sortRows() {
	sort.Sort(byID{ix})
	n := 0
	for i := range ix.ns {
		if n > 0 && ix.ns[i] == ix.ns[n-1] && ix.id[i] == ix.id[n-1] {
			continue
		}
		ix.ns[n], ix.id[n], ix.kind[n], ix.head[n] = ix.ns[i], ix.id[i], ix.kind[i], ix.head[i]
		n++
	}
	ix.ns, ix.id = slices.Clone(ix.ns[:n]), slices.Clone(ix.id[:n])
	ix.kind, ix.head = slices.Clone(ix.kind[:n]), slices.Clone(ix.head[:n])
	ix.names.compact()
}

// put adds an entry the store under memory has just stored (with its _id).
func (ix *auditIndex) put(e *registry.AuditEntry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ns, random, kind, head, ok := ix.row(e.ID, e.At.UnixMilli(), e.Who, e.Operation, e.Target)
	if !ok {
		return
	}
	// Nearly always the last: _ids are times, entries appended as they happen.
	i := ix.search(ns, random)
	if i < len(ix.ns) && ix.ns[i] == ns && ix.id[i] == random {
		return
	}
	ix.ns, ix.id = slices.Insert(ix.ns, i, ns), slices.Insert(ix.id, i, random)
	ix.kind, ix.head = slices.Insert(ix.kind, i, kind), slices.Insert(ix.head, i, head)
}

// search is the first position at or after the _id (ns, random).
func (ix *auditIndex) search(ns int64, random uint32) int {
	return sort.Search(len(ix.ns), func(i int) bool { return ix.ns[i] > ns || (ix.ns[i] == ns && ix.id[i] >= random) })
}

// setOdd gives up listing from the index for the entry with id. Callers
// hold the write lock.
func (ix *auditIndex) setOdd(id string) {
	ix.odd = cmp.Or(id, "(not a string)")
}

// oddID is an _id the index cannot hold, "" when there is none.
func (ix *auditIndex) oddID() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.odd
}

// auditFilter is a registry.AuditFilter in the index's numbers: the rows
// within lo..hi (at in [From, To)), of the kinds it accepts (nil: all),
// with head when byHead.
type auditFilter struct {
	lo, hi int
	kinds  []bool
	byHead bool
	head   uint32
}

// compile turns f into numbers; ok false when it names a value no entry
// has. Callers hold the lock.
func (ix *auditIndex) compile(f registry.AuditFilter) (af auditFilter, ok bool) {
	af.lo, af.hi = 0, len(ix.ns)
	// As the engine compares: at to the millisecond, and so the bounds.
	if f.From != nil {
		af.lo = ix.atOrAfter(registry.TimeBound(*f.From).UnixMilli())
	}
	if f.To != nil {
		af.hi = ix.atOrAfter(registry.TimeBound(*f.To).UnixMilli())
	}
	ok = true
	id := func(s *string) uint32 {
		if s == nil {
			return 0
		}
		n, known := ix.names.lookup(*s)
		ok = ok && known
		return n
	}
	who, operation := id(f.Who), id(f.Operation)
	var tail uint32
	if f.Target != nil {
		head, t := splitTarget(*f.Target)
		af.byHead, af.head, tail = true, id(&head), id(&t)
	}
	if f.Who != nil || f.Operation != nil || f.Target != nil {
		af.kinds = make([]bool, len(ix.kinds))
		for i, k := range ix.kinds {
			af.kinds[i] = (f.Who == nil || k.who == who) && (f.Operation == nil || k.operation == operation) &&
				(f.Target == nil || k.tail == tail)
		}
	}
	return af, ok && af.lo < af.hi
}

// atOrAfter is the first position whose at (ms) is at least ms: whose
// _id's time is at least ms whole milliseconds.
func (ix *auditIndex) atOrAfter(ms int64) int {
	switch {
	case ms > math.MaxInt64/int64(time.Millisecond):
		return len(ix.ns)
	case ms < math.MinInt64/int64(time.Millisecond):
		return 0
	}
	i, _ := slices.BinarySearch(ix.ns, ms*int64(time.Millisecond))
	return i
}

func (ix *auditIndex) matches(af *auditFilter, i int) bool {
	return (af.kinds == nil || af.kinds[ix.kind[i]]) && (!af.byHead || ix.head[i] == af.head)
}

// page lists the _ids of the first n entries f matches, newest first,
// after the cursor's _id when there is one, and whether more follow.
func (ix *auditIndex) page(f registry.AuditFilter, after *string, n int) (ids []string, more bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	af, ok := ix.compile(f)
	if !ok {
		return nil, false
	}
	hi := af.hi
	if after != nil {
		// Any string: a cursor of this list may carry an _id memory never saw.
		hi = min(hi, sort.Search(len(ix.ns), func(i int) bool { return auditID(ix.ns[i], ix.id[i]) >= *after }))
	}
	for i := hi - 1; i >= af.lo; i-- {
		if !ix.matches(&af, i) {
			continue
		}
		if len(ids) == n {
			return ids, true
		}
		ids = append(ids, auditID(ix.ns[i], ix.id[i]))
	}
	return ids, false
}

// count is how many entries f matches.
func (ix *auditIndex) count(f registry.AuditFilter) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	af, ok := ix.compile(f)
	switch {
	case !ok:
		return 0
	case af.kinds == nil && !af.byHead:
		return af.hi - af.lo
	}
	total := 0
	for i := af.lo; i < af.hi; i++ {
		if ix.matches(&af, i) {
			total++
		}
	}
	return total
}

// auditFields are what the build reads of each audit entry.
var auditFields = []string{"$._id", "$.at", "$.who", "$.operation", "$.target"}

// buildAudit indexes the audit log: with the engine, its list fields read
// straight from SQLite (engine.Scan); without, streamed whole.
func (m *Store) buildAudit(ctx context.Context) error {
	began := time.Now()
	ix := m.audit
	// Nothing lists or appends before the build is done; an entry appended
	// meanwhile waits here, and sortRows drops it if the scan read it too.
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var err error
	if m.engine == nil {
		err = m.inner.EachAudit(ctx, func(e *registry.AuditEntry) error {
			ix.scanned(e.ID, e.At.UnixMilli(), e.Who, e.Operation, e.Target)
			return nil
		})
	} else {
		err = m.engine.Scan(ctx, m.database, "audit", auditFields, func(v []any) error {
			id, _ := v[0].(string)
			at, ok := v[1].(int64)
			str := func(i int) string { s, _ := v[i].(string); return s }
			if !ok {
				ix.setOdd(id)
				return nil
			}
			ix.scanned(id, at, str(2), str(3), str(4))
			return nil
		})
	}
	if err != nil {
		return err
	}
	ix.sortRows()
	if ix.odd != "" {
		m.log.Warn("embedded store: an audit entry not of the form this gateway writes; the audit log is listed by engine queries, which scan it",
			"id", ix.odd)
	}
	m.log.Info("embedded store: audit log indexed", "entries", len(ix.ns), "took", time.Since(began).Round(time.Millisecond))
	return nil
}
