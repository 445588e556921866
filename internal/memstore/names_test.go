package memstore

import (
	"fmt"
	"testing"
)

// TestNames: every string interned is found again by its number and its
// number by it, across the table's growth; others are not found.
func TestNames(t *testing.T) {
	n := newNames(true)
	if id, ok := n.lookup(""); !ok || id != 0 {
		t.Fatalf(`"" = %d, %v; want 0 in an arena made with empty`, id, ok)
	}
	const count = 100_000
	for i := range count {
		code := fmt.Sprintf("000.00.06.H56-2104%02d-%04d", i%30, i)
		if id := n.intern(code); id != uint32(i+1) {
			t.Fatalf("intern(%s) = %d, want %d", code, id, i+1)
		}
		if id := n.intern(code); id != uint32(i+1) {
			t.Fatalf("intern(%s) again = %d, want %d", code, id, i+1)
		}
	}
	n.compact()
	for i := range count {
		code := fmt.Sprintf("000.00.06.H56-2104%02d-%04d", i%30, i)
		if id, ok := n.lookup(code); !ok || id != uint32(i+1) || string(n.name(id)) != code {
			t.Fatalf("lookup(%s) = %d, %v", code, id, ok)
		}
	}
	if _, ok := n.lookup("000.00.06.H56-210400-9999999"); ok {
		t.Error("found a string never interned")
	}
	if n.size() != count+1 || len(n.slots) < 2*n.size() {
		t.Errorf("size %d in %d slots, want %d at most half full", n.size(), len(n.slots), count+1)
	}
}
