package memstore

import (
	"context"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// build reads every collection once, in one pass each, and repairs the
// stored rollups from the dossiers when they differ (a crash between a
// dossier's write and its rollup's, or an interrupted bulk load).
func (m *Store) build(ctx context.Context) (err error) {
	defer func() {
		m.buildErr = err
		close(m.ready)
	}()
	began := time.Now()
	if m.engine != nil {
		n, err := m.engine.Count(ctx, m.database, "dossiers")
		if err != nil {
			return err
		}
		m.total.Store(int64(n))
	}
	if err := m.readReference(ctx); err != nil {
		return err
	}
	if err := m.buildTombstones(ctx); err != nil {
		return err
	}
	if err := m.buildAudit(ctx); err != nil {
		return err
	}
	computed := stats.Rollup{}
	err = m.scanDossiers(ctx, func(d *registry.Dossier) {
		m.feed.upsert(d, m.index.putRow(rowOf(d)))
		computed.Add(stats.Contributions(d), 1)
		m.scanned.Add(1)
	})
	if err != nil {
		return err
	}
	if n := m.scanned.Load(); n > m.total.Load() {
		m.total.Store(n)
	}
	m.index.compact()
	m.sortFeed()
	m.rollupsRebuilt(computed)
	if err := m.repairRollups(ctx, computed); err != nil {
		return err
	}
	m.log.Info("embedded store: memory built", "dossiers", m.scanned.Load(), "directives", m.directiveSet.size(),
		"procedures", m.procedureRows.size(), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// readReference reads the records but dossiers, and the counters.
func (m *Store) readReference(ctx context.Context) error {
	if err := m.inner.EachAgency(ctx, registry.AgencyFilter{}, func(a *registry.Agency) error { m.stored(a); return nil }); err != nil {
		return err
	}
	if err := m.inner.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error { m.stored(p); return nil }); err != nil {
		return err
	}
	if err := m.inner.EachDirective(ctx, registry.DirectiveFilter{}, func(d *registry.Directive) error { m.stored(d); return nil }); err != nil {
		return err
	}
	if err := m.inner.EachReport(ctx, registry.ReportFilter{}, func(r *registry.Report) error { m.stored(r); return nil }); err != nil {
		return err
	}
	return m.inner.EachSequence(ctx, func(id string, seq int) { m.counters[id] = seq })
}

// buildTombstones follows the deletions. A record still stored beside a
// later tombstone is one whose deletion stopped between the two writes:
// it is removed now. A record stored after its tombstone was created again.
func (m *Store) buildTombstones(ctx context.Context) error {
	return m.inner.EachTombstone(ctx, func(t *registry.Tombstone) error {
		if stamp, ok := m.held(t.Kind, t.Key); ok {
			if stamp.Seq > t.Changed.Seq {
				return nil
			}
			if err := m.inner.Remove(ctx, t.Kind, t.Key); err != nil {
				return err
			}
		}
		m.removed(t)
		return nil
	})
}

// scannedFields are what the build reads of each dossier: its list fields,
// what its rollup contributions depend on (stats.Contributions), the
// last step standing for the end of a withdrawn or stopped dossier, and
// its place in the change feed.
var scannedFields = []string{"$._id", "$.agency", "$.procedure", "$.status", "$.channel", "$.outcome",
	"$.nationalOutcome", "$.dueDate", "$.overdueFrom", "$.receivedAt", "$.resolvedAt", "$.version",
	"$.workingDaysTaken", "$.history[#-1].action", "$.history[#-1].at", "$.changed.seq"}

// scanDossiers calls add with every dossier, whole or with the fields
// above only. With the engine it reads those fields straight from its
// SQLite (see engine.Scan): FerretDB's own find decodes every document
// whole, 250 µs each. A dossier whose end the last step does not tell is
// read whole.
func (m *Store) scanDossiers(ctx context.Context, add func(*registry.Dossier)) error {
	if m.engine == nil {
		return m.inner.EachDossier(ctx, registry.DossierFilter{}, func(d *registry.Dossier) error { add(d); return nil })
	}
	var whole []string
	err := m.engine.Scan(ctx, m.database, "dossiers", scannedFields, func(v []any) error {
		str := func(i int) string {
			switch x := v[i].(type) {
			case string:
				return x
			case []byte:
				return string(x)
			}
			return ""
		}
		num := func(i int) (int64, bool) {
			x, ok := v[i].(int64)
			return x, ok
		}
		ms := func(i int) *time.Time {
			x, ok := num(i)
			if !ok {
				return nil
			}
			t := time.UnixMilli(x).UTC()
			return &t
		}
		d := &registry.Dossier{Code: str(0), AgencyCode: str(1), ProcedureCode: str(2), Status: registry.Status(str(3)),
			Channel: registry.Channel(str(4)), Outcome: registry.Outcome(str(5)), NationalOutcome: registry.Outcome(str(6)),
			DueDate: calendar.Date(str(7)), OverdueFrom: calendar.Date(str(8)), ResolvedAt: ms(10)}
		if t := ms(9); t != nil {
			d.ReceivedAt = *t
		}
		version, _ := num(11)
		d.Version = int(version)
		if days, ok := num(12); ok {
			d.WorkingDaysTaken = new(int(days))
		}
		if last := registry.Action(str(13)); last != "" {
			if at := ms(14); at != nil {
				d.History = []registry.Step{{Action: last, At: *at}}
			}
		}
		seq, _ := num(15)
		d.Changed.Seq = seq // its time is read with the feed's pages
		if _, ended := stats.EndedAt(d); !d.Status.Open() && !ended {
			whole = append(whole, d.Code)
			return nil
		}
		add(d)
		return nil
	})
	if err != nil {
		return err
	}
	for _, code := range whole {
		d, err := m.inner.Dossier(ctx, code)
		if err != nil {
			return err
		}
		if d != nil {
			add(d)
		}
	}
	return nil
}
