package memstore

import (
	"hash/maphash"
	"slices"
)

// names interns strings in one arena, numbering them in the order added:
// a million dossier codes or audit targets are two allocations and a map of
// numbers, nothing the garbage collector traces.
type names struct {
	bytes []byte
	end   []uint32
	// at finds a string's number by its hash; collided holds the strings
	// whose hash another had first.
	at       map[uint64]uint32
	collided map[string]uint32
	seed     maphash.Seed
}

// newNames is an empty arena; with empty, "" is number 0.
func newNames(empty bool) names {
	n := names{at: map[uint64]uint32{}, collided: map[string]uint32{}, seed: maphash.MakeSeed()}
	if empty {
		n.intern("")
	}
	return n
}

// size is how many strings the arena holds.
func (n *names) size() int { return len(n.end) }

// name is the string numbered id, valid until the next intern.
func (n *names) name(id uint32) []byte {
	start := uint32(0)
	if id > 0 {
		start = n.end[id-1]
	}
	return n.bytes[start:n.end[id]]
}

// lookup is the number of s, if interned.
func (n *names) lookup(s string) (uint32, bool) {
	if id, ok := n.at[maphash.String(n.seed, s)]; ok && string(n.name(id)) == s {
		return id, true
	}
	id, ok := n.collided[s]
	return id, ok
}

// intern returns the number of s, adding it.
func (n *names) intern(s string) uint32 {
	if id, ok := n.lookup(s); ok {
		return id
	}
	id := uint32(len(n.end))
	if h := maphash.String(n.seed, s); n.hasHash(h) {
		n.collided[s] = id
	} else {
		n.at[h] = id
	}
	n.bytes = append(n.bytes, s...)
	n.end = append(n.end, uint32(len(n.bytes)))
	return id
}

func (n *names) hasHash(h uint64) bool {
	_, ok := n.at[h]
	return ok
}

// compact gives the arena exactly the room it needs after the build.
func (n *names) compact() {
	n.bytes, n.end = slices.Clone(n.bytes), slices.Clone(n.end)
}
