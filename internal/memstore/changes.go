package memstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// The change feed in memory (see registry.Change). Memory, the single
// writer, numbers the changes: each record it writes carries its stamp in
// its own document, so the feed rebuilt at start from the records is the
// feed before, and numbering resumes after the highest stamp stored.

// changeLog holds one entry per change in feed order, 13 bytes each, and
// for each record the index of its live entry, 4 bytes: an entry whose
// record changed again since is stale and skipped, and the stale ones are
// dropped once they are as many as the live. A change's time is its
// record's (or tombstone's), read when a page is answered. Its own lock:
// readers page through it while the writer appends.
type changeLog struct {
	mu   sync.RWMutex
	seq  []int64
	kind []uint8 // rank in registry.RecordKinds
	ref  []uint32
	// A dossier's ref is its position in the list index, and live[1] is
	// indexed by it; the other kinds' refs number their "KIND|key" in keys,
	// and live[0] is indexed by that. -1: none.
	keys names
	live [2][]int32
	// tombs are the deleted records' tombstones, by keys number.
	tombs map[uint32]*registry.Tombstone
	stale int
	// last is the highest number stamped; only the writer moves it.
	last int64
}

var dossierRank = uint8(slices.Index(registry.RecordKinds, registry.KindDossier))

func newChangeLog() *changeLog {
	return &changeLog{keys: newNames(false), tombs: map[uint32]*registry.Tombstone{}}
}

// stamp is the next change's stamp at now, to the millisecond as BSON
// keeps it. Only the writer calls it.
func (cl *changeLog) stamp(now time.Time) registry.Stamp {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.last++
	return registry.Stamp{Seq: cl.last, At: now.UTC().Truncate(time.Millisecond)}
}

// refOf numbers a record that is not a dossier. Callers hold the write lock.
func (cl *changeLog) refOf(kind registry.RecordKind, key string) uint32 {
	return cl.keys.intern(registry.TombstoneID(kind, key))
}

// side is which of live an entry of kind is indexed in.
func side(kind uint8) int {
	if kind == dossierRank {
		return 1
	}
	return 0
}

// liveEntry is the index of the live entry of (kind, ref), -1 for none.
// Callers hold the lock.
func (cl *changeLog) liveEntry(kind uint8, ref uint32) int32 {
	if l := cl.live[side(kind)]; int(ref) < len(l) {
		return l[ref]
	}
	return -1
}

// put records that the record (kind, ref) changed at seq. Callers hold the
// write lock; entries arrive in order except during the build (sort follows).
func (cl *changeLog) put(kind uint8, ref uint32, seq int64) {
	l := &cl.live[side(kind)]
	for int(ref) >= len(*l) {
		*l = append(*l, -1)
	}
	if (*l)[ref] >= 0 {
		cl.stale++
	}
	(*l)[ref] = int32(len(cl.seq))
	cl.seq, cl.kind, cl.ref = append(cl.seq, seq), append(cl.kind, kind), append(cl.ref, ref)
	cl.last = max(cl.last, seq)
}

// upsert follows a stored record; position is a dossier's in the list index.
func (cl *changeLog) upsert(rec any, position int32) {
	kind, key, stamp, _ := registry.KindOf(rec)
	cl.mu.Lock()
	defer cl.mu.Unlock()
	rank := uint8(slices.Index(registry.RecordKinds, kind))
	ref := uint32(position)
	if kind != registry.KindDossier {
		ref = cl.refOf(kind, key)
		delete(cl.tombs, ref)
	}
	cl.put(rank, ref, stamp.Seq)
	cl.compactIfStale()
}

// deleted follows a tombstone, unless the record was stored again after it.
func (cl *changeLog) deleted(t *registry.Tombstone) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	rank, ref := uint8(slices.Index(registry.RecordKinds, t.Kind)), cl.refOf(t.Kind, t.Key)
	if i := cl.liveEntry(rank, ref); i >= 0 && cl.seq[i] > t.Changed.Seq {
		return
	}
	cl.tombs[ref] = t
	cl.put(rank, ref, t.Changed.Seq)
	cl.compactIfStale()
}

// isLive reports whether entry i is its record's latest. Callers hold the lock.
func (cl *changeLog) isLive(i int) bool { return cl.liveEntry(cl.kind[i], cl.ref[i]) == int32(i) }

// compactIfStale drops the stale entries once they are half the log.
// Callers hold the write lock.
func (cl *changeLog) compactIfStale() {
	if cl.stale < 1024 || cl.stale*2 < len(cl.seq) {
		return
	}
	n := 0
	for i := range cl.seq {
		if cl.isLive(i) {
			cl.seq[n], cl.kind[n], cl.ref[n] = cl.seq[i], cl.kind[i], cl.ref[i]
			n++
		}
	}
	cl.seq, cl.kind, cl.ref = cl.seq[:n:n], cl.kind[:n:n], cl.ref[:n:n]
	cl.reindex()
	cl.stale = 0
}

// reindex points each record at its entry, after the entries moved.
// Callers hold the write lock.
func (cl *changeLog) reindex() {
	for i := range cl.seq {
		cl.live[side(cl.kind[i])][cl.ref[i]] = int32(i)
	}
}

// changeOrder sorts the log by position, after the build.
type changeOrder struct {
	*changeLog
	code func(int32) []byte
}

// sortFeed puts the entries the build added in feed order, and gives each
// slice exactly the room it needs (the build grew them by doubling).
func (m *Store) sortFeed() {
	cl := m.feed
	cl.mu.Lock()
	defer cl.mu.Unlock()
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	sort.Sort(changeOrder{cl, m.index.code})
	cl.seq, cl.kind, cl.ref = slices.Clone(cl.seq), slices.Clone(cl.kind), slices.Clone(cl.ref)
	cl.live[0], cl.live[1] = slices.Clone(cl.live[0]), slices.Clone(cl.live[1])
	cl.reindex()
}

func (o changeOrder) Len() int { return len(o.seq) }
func (o changeOrder) Less(i, j int) bool {
	return o.compare(i, o.seq[j], int(o.kind[j]), o.key(j, o.code), o.code) < 0
}
func (o changeOrder) Swap(i, j int) {
	o.seq[i], o.seq[j] = o.seq[j], o.seq[i]
	o.kind[i], o.kind[j] = o.kind[j], o.kind[i]
	o.ref[i], o.ref[j] = o.ref[j], o.ref[i]
}

// compare orders entry i against the position (seq, kind rank, key) as
// registry.Position.Compare does, without making strings: the build sorts
// a million records stored before the feed, all of number 0, by key.
func (cl *changeLog) compare(i int, seq int64, rank int, key []byte, code func(int32) []byte) int {
	if c := cmp.Compare(cl.seq[i], seq); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(int(cl.kind[i]), rank), bytes.Compare(cl.key(i, code), key))
}

// key is entry i's record key; code names a dossier's position.
func (cl *changeLog) key(i int, code func(int32) []byte) []byte {
	if cl.kind[i] == dossierRank {
		return code(int32(cl.ref[i]))
	}
	return cl.keys.name(cl.ref[i])[len(registry.RecordKinds[cl.kind[i]])+1:]
}

// Changes lists the feed after f.After: the live entries of the kinds f
// wants, at most first, and whether more follow, each with its record's
// time (and a dossier's version), read once the entries are taken.
func (m *Store) Changes(ctx context.Context, f registry.ChangeFilter, first int) ([]registry.Change, bool, error) {
	page, more := m.feed.after(f, first, m.index)
	for i, c := range page {
		switch {
		case c.Op == registry.OpDelete:
		case c.Kind == registry.KindDossier:
			d, err := m.peekDossier(ctx, c.Key)
			if err != nil {
				return nil, false, err
			}
			if d != nil {
				page[i].Stamp.At, page[i].Version = d.Changed.At, d.Version
			}
		default:
			stamp, _ := m.held(c.Kind, c.Key)
			page[i].Stamp.At = stamp.At
		}
	}
	return page, more, nil
}

// peekDossier reads a dossier as Dossier does, but without making it a
// recently used one: a client copying every dossier through the feed would
// push the desks' working sets out of memory.
func (m *Store) peekDossier(ctx context.Context, code string) (*registry.Dossier, error) {
	if d, ok := m.index.docs.Peek(code); ok {
		return d, nil
	}
	return m.readDossier(ctx, code)
}

// after is the live entries after f.After of the kinds f wants, at most
// first, without their times, and whether more follow.
func (cl *changeLog) after(f registry.ChangeFilter, first int, ix *listIndex) ([]registry.Change, bool) {
	cl.mu.RLock()
	defer cl.mu.RUnlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rank, key := slices.Index(registry.RecordKinds, f.After.Kind), []byte(f.After.Key)
	start := sort.Search(len(cl.seq), func(i int) bool { return cl.compare(i, f.After.Seq, rank, key, ix.code) > 0 })
	var out []registry.Change
	for i := start; i < len(cl.seq); i++ {
		kind := registry.RecordKinds[cl.kind[i]]
		if !cl.isLive(i) || !f.Wants(kind) {
			continue
		}
		if len(out) == first {
			return out, true
		}
		if t := cl.tombs[cl.ref[i]]; t != nil && kind != registry.KindDossier {
			out = append(out, t.Change())
			continue
		}
		out = append(out, registry.Change{Kind: kind, Key: string(cl.key(i, ix.code)), Op: registry.OpUpsert,
			Stamp: registry.Stamp{Seq: cl.seq[i]}})
	}
	return out, false
}

// LastChange is the highest sequence number stamped.
func (m *Store) LastChange(context.Context) (int64, error) {
	m.feed.mu.RLock()
	defer m.feed.mu.RUnlock()
	return m.feed.last, nil
}
