package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// monthAgency names the stored rollup document a cell belongs to: the unit
// the store under memory writes whole.
func monthAgency(c stats.Cell) stats.Cell { return stats.Cell{Month: c.Month, Agency: c.Agency} }

// rolledUp replaces each changed cell by a new one, never changing a cell
// in place: readers share the cells (see Rollup).
func (m *Store) rolledUp(delta stats.Rollup) {
	m.rollupMu.Lock()
	defer m.rollupMu.Unlock()
	replaceCells(m.rollups, delta)
	replaceCells(m.overProcedures, stats.OverProcedures(delta))
	for c := range delta {
		m.unflushed[monthAgency(c)] = true
	}
	if m.dirtySince == 0 && len(delta) > 0 {
		m.dirtySince = m.now().UnixNano()
	}
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
func (m *Store) rollupsRebuilt(r stats.Rollup) {
	over := stats.OverProcedures(r)
	m.rollupMu.Lock()
	m.rollups, m.overProcedures = r, over
	m.unflushed, m.dirtySince = map[stats.Cell]bool{}, 0
	m.rollupMu.Unlock()
}

// RollupLag is how long the oldest change to the rollups not yet written to
// the store under memory has waited (0 when none).
func (m *Store) RollupLag() time.Duration {
	m.rollupMu.RLock()
	since := m.dirtySince
	m.rollupMu.RUnlock()
	if since == 0 {
		return 0
	}
	return m.now().Sub(time.Unix(0, since))
}

// flushInterval is how far the stored rollups may lag memory. A crash loses
// at most that, and the next start repairs it from the dossiers.
const flushInterval = time.Second

// flushEvery writes the rollups memory changed, every interval until ctx ends.
func (m *Store) flushEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// While this process may not write, the lease says why, once.
			if err := m.flushRollups(ctx); err != nil && ctx.Err() == nil && m.writable() == nil {
				m.log.Error("statistics rollups not written; retried in a second", "err", err)
			}
		}
	}
}

// flushRollups writes the rollup documents memory changed since the last
// flush, as the single writer.
func (m *Store) flushRollups(ctx context.Context) error {
	return m.exclusive(ctx, func() error {
		m.rollupMu.Lock()
		docs, since := m.unflushed, m.dirtySince
		m.unflushed, m.dirtySince = map[stats.Cell]bool{}, 0
		cells := stats.Rollup{}
		for c, v := range m.rollups {
			if docs[monthAgency(c)] {
				cells[c] = v
			}
		}
		m.rollupMu.Unlock()
		if len(docs) == 0 {
			return nil
		}
		err := m.inner.PutRollups(ctx, slices.Collect(maps.Keys(docs)), cells)
		if err != nil {
			// Still owed: written at the next flush.
			m.rollupMu.Lock()
			maps.Copy(m.unflushed, docs)
			m.dirtySince = min(since, cmp.Or(m.dirtySince, since))
			m.rollupMu.Unlock()
		}
		return err
	})
}

// RollupRepair is what opening the store found the stored rollups owed the
// dossiers and rewrote, before anything could compare them.
type RollupRepair struct {
	At        time.Time
	Documents int           // month-and-agency documents rewritten
	Counters  int           // counters that differed
	First     []stats.Drift // the first few differences, in Drifts' order
}

// repairShown is how many differences a RollupRepair keeps.
const repairShown = 5

// RollupsRepaired is what the build repaired in the stored rollups: nil
// when they agreed with the dossiers (or before the build is done).
func (m *Store) RollupsRepaired() *RollupRepair { return m.repaired.Load() }

// repairRollups makes the stored rollups equal the ones computed from the
// dossiers, rewriting only the documents that differ.
func (m *Store) repairRollups(ctx context.Context, computed stats.Rollup) error {
	stored, err := m.inner.StoredRollup(ctx)
	if err != nil {
		return err
	}
	drifts := stats.Drifts(stored, computed)
	if len(drifts) == 0 {
		return nil
	}
	docs := map[stats.Cell]bool{}
	for _, d := range drifts {
		docs[monthAgency(d.Cell)] = true
	}
	if err := m.writable(); err != nil {
		return err
	}
	if err := m.inner.PutRollups(ctx, slices.Collect(maps.Keys(docs)), computed); err != nil {
		return err
	}
	m.repaired.Store(&RollupRepair{At: m.now(), Documents: len(docs), Counters: len(drifts),
		First: slices.Clone(drifts[:min(repairShown, len(drifts))])})
	m.log.Warn("statistics rollups repaired from the dossiers (an interrupted write or bulk load had left them behind)",
		"documents", len(docs), "counters", len(drifts), "first", drifts[0].String())
	return nil
}

// RecomputeRollup sums the contributions of every dossier: the truth the
// rollups must equal.
func (m *Store) RecomputeRollup(ctx context.Context) (stats.Rollup, error) {
	r := stats.Rollup{}
	err := m.scanDossiers(ctx, func(d *registry.Dossier) { r.Add(stats.Contributions(d), 1) })
	return r, err
}

// RebuildRollups replaces the stored rollups with a recomputation from the
// dossiers, as the writer.
func (m *Store) RebuildRollups(ctx context.Context) (cells int, err error) {
	err = m.write(ctx, func() error {
		r, err := m.RecomputeRollup(ctx)
		if err != nil {
			return err
		}
		if err := m.inner.ReplaceRollups(ctx, r); err != nil {
			return err
		}
		cells = len(r)
		m.rollupsRebuilt(r)
		return nil
	})
	return cells, err
}

// VerifyRollups writes what memory owes, recomputes the rollups from the
// dossiers and lists every stored counter that differs.
func (m *Store) VerifyRollups(ctx context.Context) ([]stats.Drift, error) {
	if err := m.flushRollups(ctx); err != nil {
		return nil, err
	}
	want, err := m.RecomputeRollup(ctx)
	if err != nil {
		return nil, err
	}
	have, err := m.inner.StoredRollup(ctx)
	if err != nil {
		return nil, err
	}
	return stats.Drifts(have, want), nil
}
