package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vnregistry/registry/internal/stats"
)

// rolledUp replaces each changed cell by a new one, never changing a cell
// in place: readers share the cells (see rollup).
func (m *memory) rolledUp(delta stats.Rollup) bool {
	m.rollupMu.Lock()
	defer m.rollupMu.Unlock()
	replaceCells(m.rollups, delta)
	replaceCells(m.overProcedures, stats.OverProcedures(delta))
	for c := range delta {
		m.unflushed[c.Month+"|"+c.Agency] = true
	}
	if m.dirtySince == 0 && len(delta) > 0 {
		m.dirtySince = m.eng.s.now().UnixNano()
	}
	return true
}

func replaceCells(r, delta stats.Rollup) {
	for c, d := range delta {
		cell := stats.Rollup{}
		if old := r[c]; old != nil {
			cell.Add(stats.Rollup{c: old}, 1)
		}
		cell.Add(stats.Rollup{c: d}, 1)
		r[c] = cell[c]
	}
}

// rollupsRebuilt: the stored documents were written from r too.
func (m *memory) rollupsRebuilt(r stats.Rollup) {
	over := stats.OverProcedures(r)
	m.rollupMu.Lock()
	m.rollups, m.overProcedures = r, over
	m.unflushed, m.dirtySince = map[string]bool{}, 0
	m.rollupMu.Unlock()
}

// unflushedSince is when the oldest change not yet stored was made (Unix
// ns), 0 when none.
func (m *memory) unflushedSince() int64 {
	m.rollupMu.RLock()
	defer m.rollupMu.RUnlock()
	return m.dirtySince
}

// flushInterval is how far the stored rollups may lag memory. A crash loses
// at most that, and the next start repairs it from the dossiers.
const flushInterval = time.Second

// flushRollups writes the rollup documents memory changed since the last
// flush, whole and by _id, as the single writer.
func (s *Store) flushRollups(ctx context.Context) error {
	if s.mem == nil {
		return nil
	}
	return s.write(ctx, func() error {
		m := s.mem
		m.rollupMu.Lock()
		ids, since := m.unflushed, m.dirtySince
		m.unflushed, m.dirtySince = map[string]bool{}, 0
		docs := map[string]*rollupDoc{}
		for c, v := range m.rollups {
			if id := c.Month + "|" + c.Agency; ids[id] {
				docs[id] = addCell(docs[id], c, v)
			}
		}
		m.rollupMu.Unlock()
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			var err error
			if d := docs[id]; d != nil {
				_, err = s.db.Collection(colRollups).ReplaceOne(ctx, byID(id), d, replaceUpsert)
			} else {
				_, err = s.db.Collection(colRollups).DeleteOne(ctx, byID(id))
			}
			if err != nil {
				// Still owed: written at the next flush.
				m.rollupMu.Lock()
				maps.Copy(m.unflushed, ids)
				m.dirtySince = min(since, cmp.Or(m.dirtySince, since))
				m.rollupMu.Unlock()
				return classify(err)
			}
		}
		return nil
	})
}

// repairRollups makes the stored rollup documents equal the ones computed
// from the dossiers, rewriting by _id only those that differ.
func (s *Store) repairRollups(ctx context.Context, computed stats.Rollup) error {
	stored, err := s.readRollup(ctx, s.db.Collection(colRollups), "", "9999-12", nil)
	if err != nil {
		return err
	}
	want, have := rollupDocs(computed), rollupDocs(stored)
	var changed []string
	for id := range maps.Keys(want) {
		if !sameRollupDoc(want[id], have[id]) {
			changed = append(changed, id)
		}
	}
	for id := range maps.Keys(have) {
		if want[id] == nil {
			changed = append(changed, id)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	slices.Sort(changed)
	for _, id := range changed {
		var err error
		if d := want[id]; d != nil {
			_, err = s.db.Collection(colRollups).ReplaceOne(ctx, byID(id), d, replaceUpsert)
		} else {
			_, err = s.db.Collection(colRollups).DeleteOne(ctx, byID(id))
		}
		if err != nil {
			return fmt.Errorf("store: repair rollup %s: %w", id, classify(err))
		}
	}
	s.log.Warn("statistics rollups repaired from the dossiers (an interrupted write or bulk load had left them behind)",
		"documents", len(changed), "first", changed[0])
	return nil
}

// rollupDocs groups cells into their stored documents, one per month and agency.
func rollupDocs(r stats.Rollup) map[string]*rollupDoc {
	docs := map[string]*rollupDoc{}
	for c, v := range r {
		id := c.Month + "|" + c.Agency
		docs[id] = addCell(docs[id], c, v)
	}
	for id, d := range docs {
		if d == nil {
			delete(docs, id)
		}
	}
	return docs
}

// addCell adds a non-zero cell to its document d, made when nil.
func addCell(d *rollupDoc, c stats.Cell, v *stats.Counters) *rollupDoc {
	if v.Zero() {
		return d
	}
	if d == nil {
		d = &rollupDoc{ID: c.Month + "|" + c.Agency, Month: c.Month, Agency: c.Agency, Cells: map[string]*stats.Counters{}}
	}
	d.Cells[cellKey(c)] = v
	return d
}

func sameRollupDoc(a, b *rollupDoc) bool {
	if a == nil || b == nil {
		return a == b
	}
	diff := stats.Rollup{}
	diff.Add(sumDocs([]*rollupDoc{a}), 1)
	diff.Add(sumDocs([]*rollupDoc{b}), -1)
	for _, v := range diff {
		if !v.Zero() {
			return false
		}
	}
	return true
}
