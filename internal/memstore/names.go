package memstore

import (
	"hash/maphash"
	"slices"
)

// names interns strings in one arena, numbering them in the order added:
// a million dossier codes or audit targets are a few allocations, nothing
// the garbage collector traces.
type names struct {
	bytes []byte
	end   []uint32
	// slots find a string's number: an open-addressing table of numbers
	// plus one (0 is empty), placed by the string's hash and checked against
	// the arena, at most half full: 8 to 16 bytes a string where a map from
	// hash to number took 39 (a million dossier codes: 8 MB instead of 39).
	slots []uint32
	seed  maphash.Seed
}

// newNames is an empty arena; with empty, "" is number 0.
func newNames(empty bool) names {
	n := names{slots: make([]uint32, 16), seed: maphash.MakeSeed()}
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

// slot is where s's number is, or the empty slot where it would go.
func (n *names) slot(s string) (int, bool) {
	mask := uint64(len(n.slots) - 1)
	for i := maphash.String(n.seed, s) & mask; ; i = (i + 1) & mask {
		id := n.slots[i]
		if id == 0 || string(n.name(id-1)) == s {
			return int(i), id != 0
		}
	}
}

// lookup is the number of s, if interned.
func (n *names) lookup(s string) (uint32, bool) {
	i, ok := n.slot(s)
	return n.slots[i] - 1, ok
}

// intern returns the number of s, adding it.
func (n *names) intern(s string) uint32 {
	i, ok := n.slot(s)
	if ok {
		return n.slots[i] - 1
	}
	id := uint32(len(n.end))
	n.bytes = append(n.bytes, s...)
	n.end = append(n.end, uint32(len(n.bytes)))
	if 2*len(n.end) > len(n.slots) {
		n.grow()
		i, _ = n.slot(s)
	}
	n.slots[i] = id + 1
	return id
}

// grow doubles the table and places every number again.
func (n *names) grow() {
	n.slots = make([]uint32, 2*len(n.slots))
	mask := uint64(len(n.slots) - 1)
	for id := range uint32(len(n.end) - 1) { // the newest is placed by intern
		i := maphash.Bytes(n.seed, n.name(id)) & mask
		for n.slots[i] != 0 {
			i = (i + 1) & mask
		}
		n.slots[i] = id + 1
	}
}

// compact gives the arena exactly the room it needs after the build.
func (n *names) compact() {
	n.bytes, n.end = slices.Clone(n.bytes), slices.Clone(n.end)
}
