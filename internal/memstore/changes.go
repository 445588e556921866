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

// changeLog holds one entry per change in feed order, 21 bytes each; an
// entry whose record changed again since is stale and skipped, and the
// stale ones are dropped once they are as many as the live. Its own lock:
// readers page through it while the writer appends.
type changeLog struct {
	mu   sync.RWMutex
	seq  []int64
	at   []int64 // Unix ms
	kind []uint8 // rank in registry.RecordKinds
	ref  []uint32
	// A dossier's ref is its position in the list index, and latest[dossier]
	// is indexed by it; the other kinds' refs number their "KIND|key" in
	// keys. latest is the stamp of each ref's live entry.
	keys   names
	latest [2][]int64 // [0] other kinds by keys number, [1] dossiers by position
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

// stamp is the next change's stamp at now. Only the writer calls it.
func (cl *changeLog) stamp(now time.Time) registry.Stamp {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.last++
	return registry.Stamp{Seq: cl.last, At: now.UTC()}
}

// refOf numbers a record that is not a dossier. Callers hold the write lock.
func (cl *changeLog) refOf(kind registry.RecordKind, key string) uint32 {
	ref := cl.keys.intern(registry.TombstoneID(kind, key))
	if int(ref) >= len(cl.latest[0]) {
		cl.latest[0] = append(cl.latest[0], -1)
	}
	return ref
}

// put records that the record (kind, ref) changed at s. Callers hold the
// write lock; entries arrive in order except during the build (sort follows).
func (cl *changeLog) put(kind uint8, ref uint32, s registry.Stamp) {
	side := 0
	if kind == dossierRank {
		side = 1
		for int(ref) >= len(cl.latest[1]) {
			cl.latest[1] = append(cl.latest[1], -1)
		}
	}
	if cl.latest[side][ref] >= 0 {
		cl.stale++
	}
	cl.latest[side][ref] = s.Seq
	cl.seq, cl.at = append(cl.seq, s.Seq), append(cl.at, s.At.UnixMilli())
	cl.kind, cl.ref = append(cl.kind, kind), append(cl.ref, ref)
	cl.last = max(cl.last, s.Seq)
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
	cl.put(rank, ref, *stamp)
	cl.compactIfStale()
}

// deleted follows a tombstone, unless the record was stored again after it.
func (cl *changeLog) deleted(t *registry.Tombstone) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	ref := cl.refOf(t.Kind, t.Key)
	if cl.latest[0][ref] > t.Changed.Seq {
		return
	}
	cl.tombs[ref] = t
	cl.put(uint8(slices.Index(registry.RecordKinds, t.Kind)), ref, t.Changed)
	cl.compactIfStale()
}

// live reports whether entry i is its record's latest. Callers hold the lock.
func (cl *changeLog) live(i int) bool {
	side := 0
	if cl.kind[i] == dossierRank {
		side = 1
	}
	return cl.latest[side][cl.ref[i]] == cl.seq[i]
}

// compactIfStale drops the stale entries once they are half the log.
// Callers hold the write lock.
func (cl *changeLog) compactIfStale() {
	if cl.stale < 1024 || cl.stale*2 < len(cl.seq) {
		return
	}
	n := 0
	for i := range cl.seq {
		if cl.live(i) {
			cl.seq[n], cl.at[n], cl.kind[n], cl.ref[n] = cl.seq[i], cl.at[i], cl.kind[i], cl.ref[i]
			n++
		}
	}
	cl.seq, cl.at, cl.kind, cl.ref = cl.seq[:n:n], cl.at[:n:n], cl.kind[:n:n], cl.ref[:n:n]
	cl.stale = 0
}

// changeOrder sorts the log by position, after the build.
type changeOrder struct {
	*changeLog
	code func(int32) []byte
}

// sortFeed puts the entries the build added in feed order.
func (m *Store) sortFeed() {
	m.feed.mu.Lock()
	defer m.feed.mu.Unlock()
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	sort.Sort(changeOrder{m.feed, m.index.code})
}

func (o changeOrder) Len() int { return len(o.seq) }
func (o changeOrder) Less(i, j int) bool {
	return o.compare(i, o.seq[j], int(o.kind[j]), o.key(j, o.code), o.code) < 0
}
func (o changeOrder) Swap(i, j int) {
	o.seq[i], o.seq[j] = o.seq[j], o.seq[i]
	o.at[i], o.at[j] = o.at[j], o.at[i]
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
// wants, at most first, and whether more follow.
func (m *Store) Changes(ctx context.Context, f registry.ChangeFilter, first int) ([]registry.Change, bool, error) {
	cl, ix := m.feed, m.index
	cl.mu.RLock()
	defer cl.mu.RUnlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rank, key := slices.Index(registry.RecordKinds, f.After.Kind), []byte(f.After.Key)
	start := sort.Search(len(cl.seq), func(i int) bool { return cl.compare(i, f.After.Seq, rank, key, ix.code) > 0 })
	var out []registry.Change
	for i := start; i < len(cl.seq); i++ {
		kind := registry.RecordKinds[cl.kind[i]]
		if !cl.live(i) || !f.Wants(kind) {
			continue
		}
		if len(out) == first {
			return out, true, nil
		}
		out = append(out, cl.change(i, ix))
	}
	return out, false, nil
}

// change is entry i as the feed shows it. Callers hold both locks.
func (cl *changeLog) change(i int, ix *listIndex) registry.Change {
	kind := registry.RecordKinds[cl.kind[i]]
	if t := cl.tombs[cl.ref[i]]; t != nil && kind != registry.KindDossier {
		return t.Change()
	}
	c := registry.Change{Kind: kind, Key: string(cl.key(i, ix.code)), Op: registry.OpUpsert,
		Stamp: registry.Stamp{Seq: cl.seq[i], At: time.UnixMilli(cl.at[i]).UTC()}}
	if kind == registry.KindDossier {
		c.Version = int(ix.version[cl.ref[i]])
	}
	return c
}

// LastChange is the highest sequence number stamped.
func (m *Store) LastChange(context.Context) (int64, error) {
	m.feed.mu.RLock()
	defer m.feed.mu.RUnlock()
	return m.feed.last, nil
}
