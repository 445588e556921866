package memstore

import (
	"fmt"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

// BenchmarkFeedPage: a page of the change feed's entries (without the
// records' times, read from the records afterwards) over a million
// dossiers and 10,000 directives changed after them: 100 entries after a
// cursor, and the directives' first 100 past every dossier.
func BenchmarkFeedPage(b *testing.B) {
	m := &Store{index: newListIndex(), feed: newChangeLog()}
	const dossiers, directives = 1_000_000, 10_000
	for i := range dossiers {
		d := &registry.Dossier{Code: fmt.Sprintf("000.00.%02d.H56-21%04d-%04d", i%29, i%400, i), AgencyCode: "a",
			Changed: registry.Stamp{Seq: int64(i + 1)}}
		m.feed.upsert(d, m.index.putRow(rowOf(d)))
	}
	for i := range directives {
		m.feed.upsert(&registry.Directive{Key: fmt.Sprintf("ubnd|2021|%d/qđ-ubnd", i), Changed: registry.Stamp{Seq: int64(dossiers + i + 1)}}, -1)
	}
	m.sortFeed()
	cursors := make([]registry.Position, 1000)
	for i := range cursors {
		cursors[i] = registry.Position{Seq: int64(i * 997), Kind: registry.KindDossier, Key: "x"}
	}
	b.Run("100 after a cursor", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if page, _ := m.feed.after(registry.ChangeFilter{After: cursors[i%len(cursors)]}, 100, m.index); len(page) != 100 {
				b.Fatal(len(page))
			}
		}
	})
	b.Run("100 directives past every dossier", func(b *testing.B) {
		f := registry.ChangeFilter{Kinds: []registry.RecordKind{registry.KindDirective}}
		for b.Loop() {
			if page, _ := m.feed.after(f, 100, m.index); len(page) != 100 {
				b.Fatal(len(page))
			}
		}
	})
}
