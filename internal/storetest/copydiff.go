package storetest

import (
	"fmt"
	"slices"
)

// CopyDiff says how a client's copy of the records (an id and a version
// each) differs from what the store holds: each record missing or old, and
// each extra, sorted; none when they agree. For the change feed's tests.
func CopyDiff(copy, stored map[string]int) []string {
	var diff []string
	for id, v := range stored {
		if got, ok := copy[id]; !ok || got != v {
			diff = append(diff, fmt.Sprintf("missing or old %s (version %d, copy %d)", id, v, got))
		}
	}
	for id := range copy {
		if _, ok := stored[id]; !ok {
			diff = append(diff, "extra "+id)
		}
	}
	slices.Sort(diff)
	return diff
}
