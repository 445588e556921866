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
		err := m.inner.Insert(ctx, rec)
		if err == nil {
			m.stored(rec)
		}
		return err
	})
}

// Load inserts the records not stored yet and says which were new.
func (m *Store) Load(ctx context.Context, records []any) (inserted []bool, err error) {
	err = m.write(ctx, func() error {
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

// InsertDossier stores a new dossier and counts it.
func (m *Store) InsertDossier(ctx context.Context, d *registry.Dossier) (applied bool, err error) {
	err = m.write(ctx, func() error {
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
		m.index.put(new)
	case outcomeUnknown(err):
		m.index.forget(new.Code)
	}
}

// AddRelation states a relation on the directive with key, once.
func (m *Store) AddRelation(ctx context.Context, key string, rel registry.Relation) error {
	return m.write(ctx, func() error {
		d := m.directiveSet.get(key)
		if d == nil || registry.HasRelation(d.Relations, rel) {
			return nil
		}
		if err := m.inner.AddRelation(ctx, key, rel); err != nil {
			return err
		}
		d.Relations = append(slices.Clip(d.Relations), rel)
		m.directiveSet.put(d)
		return nil
	})
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
