package store

import (
	"context"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// buildMemory reads every collection once, in one pass each, and repairs
// the stored rollups from the dossiers when they differ (a crash between a
// dossier's write and its rollup's, or an interrupted bulk load).
func (s *Store) buildMemory(ctx context.Context) (err error) {
	m := s.mem
	defer func() {
		m.buildErr = err
		close(m.ready)
	}()
	began := time.Now()
	if s.engine != nil {
		n, err := s.engine.Count(ctx, s.db.Name(), colDossiers)
		if err != nil {
			return err
		}
		m.total.Store(int64(n))
	}
	if err := scanAll(ctx, s, colAgencies, func(a *registry.Agency) error { m.stored(a); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colProcedures, func(p *registry.Procedure) error { m.stored(p); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colDirectives, func(d *registry.Directive) error { m.stored(d); return nil }); err != nil {
		return err
	}
	if err := scanAll(ctx, s, colReports, func(r *registry.Report) error { m.stored(r); return nil }); err != nil {
		return err
	}
	type counter struct {
		ID  string `bson:"_id"`
		Seq int    `bson:"seq"`
	}
	if err := scanAll(ctx, s, colCounters, func(c *counter) error { m.counters[c.ID] = c.Seq; return nil }); err != nil {
		return err
	}
	computed := stats.Rollup{}
	add := func(d *registry.Dossier, r dossierRow) {
		m.index.putRow(r)
		computed.Add(stats.Contributions(d), 1)
		m.scanned.Add(1)
	}
	if s.engine != nil {
		err = s.scanDossiers(ctx, add)
	} else {
		err = scanAll(ctx, s, colDossiers, func(d *registry.Dossier) error { add(d, rowOf(d)); return nil })
	}
	if err != nil {
		return err
	}
	if n := m.scanned.Load(); n > m.total.Load() {
		m.total.Store(n)
	}
	m.index.compact()
	m.rollupsRebuilt(computed)
	if err := s.repairRollups(ctx, computed); err != nil {
		return err
	}
	s.log.Info("embedded store: memory built", "dossiers", m.scanned.Load(), "directives", m.directiveSet.size(),
		"procedures", len(m.procedureRows.rows), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// scannedFields are what the build reads of each dossier: its list fields
// and what its rollup contributions depend on (stats.Contributions), the
// last step standing for the end of a withdrawn or stopped dossier.
var scannedFields = []string{"$._id", "$.agency", "$.procedure", "$.status", "$.channel", "$.outcome",
	"$.nationalOutcome", "$.dueDate", "$.overdueFrom", "$.receivedAt", "$.resolvedAt", "$.version",
	"$.workingDaysTaken", "$.history[#-1].action", "$.history[#-1].at"}

// scanDossiers reads those fields of every dossier straight from the
// engine's SQLite (see engine.Scan): FerretDB's own find decodes every
// document whole, 250 µs each. A dossier whose end the last step does not
// tell is read whole.
func (s *Store) scanDossiers(ctx context.Context, add func(*registry.Dossier, dossierRow)) error {
	var whole []string
	err := s.engine.Scan(ctx, s.db.Name(), colDossiers, scannedFields, func(v []any) error {
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
		if _, ended := stats.EndedAt(d); !d.Status.Open() && !ended {
			whole = append(whole, d.Code)
			return nil
		}
		add(d, rowOf(d))
		return nil
	})
	if err != nil {
		return err
	}
	for _, code := range whole {
		d, err := get[registry.Dossier](ctx, s, colDossiers, code)
		if err != nil {
			return err
		}
		if d != nil {
			add(d, rowOf(d))
		}
	}
	return nil
}
