package memstore

import (
	"context"
	"slices"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// The writes: each passed to the store under memory as the only writer,
// and followed here once it is acknowledged.

// Insert adds a new record (agency, procedure, directive, report).
func (m *Store) Insert(ctx context.Context, rec any) error {
	return m.write(ctx, func() error {
		m.stamp(rec)
		err := m.inner.Insert(ctx, rec)
		if err == nil {
			m.stored(rec)
		}
		return err
	})
}

// Load inserts the records not stored yet and says which were new; those
// already stored are not written, so their stamps stay and a re-import
// adds nothing to the feed.
func (m *Store) Load(ctx context.Context, records []any) (inserted []bool, err error) {
	err = m.write(ctx, func() error {
		for _, r := range records {
			m.stamp(r)
		}
		if inserted, err = m.inner.Load(ctx, records); err != nil {
			return err
		}
		for i, r := range records {
			if inserted[i] {
				m.loaded(r)
			}
		}
		return nil
	})
	return inserted, err
}

// stamp gives rec the feed's next stamp. Only the writer calls it.
func (m *Store) stamp(rec any) {
	if _, _, s, ok := registry.KindOf(rec); ok {
		*s = m.feed.stamp(m.now())
	}
}

// InsertDossier stores a new dossier and counts it.
func (m *Store) InsertDossier(ctx context.Context, d *registry.Dossier) (applied bool, err error) {
	err = m.write(ctx, func() error {
		m.stamp(d)
		applied, err = m.inner.PutDossier(ctx, nil, d)
		m.follow(nil, d, applied, err)
		return err
	})
	return applied, err
}

// UpdateDossier replaces old by new if the dossier is still at old's
// version: checked here, since the engine would scan for a filter with it.
func (m *Store) UpdateDossier(ctx context.Context, old, new *registry.Dossier) (applied bool, err error) {
	err = m.write(ctx, func() error {
		cur, err := m.Dossier(ctx, old.Code)
		if err != nil || cur == nil || cur.Version != old.Version {
			return err
		}
		m.stamp(new)
		applied, err = m.inner.PutDossier(ctx, cur, new)
		m.follow(cur, new, applied, err)
		return err
	})
	return applied, err
}

// follow keeps memory with what a dossier write did: applied, it takes the
// new dossier and moves it between the rollups' cells; of unknown outcome
// and not found applied, it drops its copy so the next read asks the store.
func (m *Store) follow(old, new *registry.Dossier, applied bool, err error) {
	switch {
	case applied:
		m.rolledUp(stats.Delta(old, new))
		m.feed.upsert(new, m.index.put(new))
	case outcomeUnknown(err):
		m.index.forget(new.Code)
	}
}

// AddRelation states a relation on the directive with key, once: the
// directive is stored again whole, by _id.
func (m *Store) AddRelation(ctx context.Context, key string, rel registry.Relation) error {
	return m.write(ctx, func() error {
		d := m.directiveSet.get(key)
		if d == nil || registry.HasRelation(d.Relations, rel) {
			return nil
		}
		d.Relations = append(slices.Clip(d.Relations), rel)
		return m.replace(ctx, d)
	})
}

// Replace stores rec in place of the stored record with its key.
func (m *Store) Replace(ctx context.Context, rec any) error {
	return m.write(ctx, func() error {
		kind, key, _, _ := registry.KindOf(rec)
		if _, ok := m.held(kind, key); !ok {
			return registry.ErrNotFound
		}
		return m.replace(ctx, rec)
	})
}

// replace stamps and stores rec, which memory holds. Only the writer calls it.
func (m *Store) replace(ctx context.Context, rec any) error {
	m.stamp(rec)
	if err := m.inner.PutRecord(ctx, rec); err != nil {
		return err
	}
	m.stored(rec)
	return nil
}

// Delete removes the directive or report with key: its tombstone first,
// then the record, so that a stop in between leaves both, which the next
// build finishes (buildTombstones), never a record gone unannounced.
func (m *Store) Delete(ctx context.Context, kind registry.RecordKind, key, mergedInto string) error {
	return m.write(ctx, func() error {
		if kind != registry.KindDirective && kind != registry.KindReport {
			return registry.Invalid("kind", "only directives and reports are deleted")
		}
		if _, ok := m.held(kind, key); !ok {
			return registry.ErrNotFound
		}
		t := &registry.Tombstone{ID: registry.TombstoneID(kind, key), Kind: kind, Key: key,
			Changed: m.feed.stamp(m.now()), MergedInto: mergedInto}
		if err := m.inner.PutTombstone(ctx, t); err != nil {
			return err
		}
		if err := m.inner.Remove(ctx, kind, key); err != nil {
			return err
		}
		m.removed(t)
		return nil
	})
}

// held is the stamp of the record of kind with key, if memory holds one.
func (m *Store) held(kind registry.RecordKind, key string) (registry.Stamp, bool) {
	switch kind {
	case registry.KindAgency:
		return stampOf(m.agencyRows.get(key))
	case registry.KindProcedure:
		return stampOf(m.procedureRows.get(key))
	case registry.KindDirective:
		return stampOf(m.directiveSet.get(key))
	case registry.KindReport:
		return stampOf(m.reportRows.get(key))
	}
	return registry.Stamp{}, false
}

func stampOf[T any](rec *T) (registry.Stamp, bool) {
	if rec == nil {
		return registry.Stamp{}, false
	}
	_, _, stamp, _ := registry.KindOf(rec)
	return *stamp, true
}

// removed follows a deletion the store under memory has made.
func (m *Store) removed(t *registry.Tombstone) {
	switch t.Kind {
	case registry.KindDirective:
		m.directiveSet.remove(t.Key)
	case registry.KindReport:
		m.reportRows.remove(t.Key)
	}
	m.feed.deleted(t)
}

// NextSequence counts in memory and stores the new value by _id: the
// engine's $inc is not atomic across its connections, and the writer is the
// only one counting.
func (m *Store) NextSequence(ctx context.Context, id string) (seq int, err error) {
	err = m.write(ctx, func() error {
		seq = m.counters[id] + 1
		if err := m.inner.SetSequence(ctx, id, seq); err != nil {
			return err
		}
		m.counters[id] = seq
		return nil
	})
	return seq, err
}

// SetSequence stores the counter id.
func (m *Store) SetSequence(ctx context.Context, id string, seq int) error {
	return m.write(ctx, func() error {
		if err := m.inner.SetSequence(ctx, id, seq); err != nil {
			return err
		}
		m.counters[id] = seq
		return nil
	})
}

// AppendAudit records an audit entry and indexes it once stored. Not
// through the writer: an insert of a new entry cannot lose an update, and a
// step would otherwise wait for the writer twice.
func (m *Store) AppendAudit(ctx context.Context, e *registry.AuditEntry) error {
	if err := m.writable(); err != nil {
		return err
	}
	if err := m.inner.AppendAudit(ctx, e); err != nil {
		return err
	}
	m.audit.put(e)
	m.changed()
	return nil
}
