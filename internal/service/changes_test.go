package service_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

// follower keeps a local copy of the registry from the change feed, as a
// client app would: for each entry it reads the record named (or drops
// it), and it keeps the cursor. The copy holds each record's identity and,
// for a dossier, its version.
type follower struct {
	cursor string
	copy   map[string]int
	read   int // entries read, over all syncs
}

// sync reads the feed from the cursor to its end, two entries a page.
func (f *follower) sync(t *testing.T, s *gateway.Registry) {
	t.Helper()
	ctx := storetest.Context(t)
	for {
		page, more, err := s.Changes(ctx, f.cursor, new(2), nil)
		if err != nil {
			t.Fatalf("changes after %q: %v", f.cursor, err)
		}
		for _, c := range page {
			id := registry.TombstoneID(c.Kind, c.Key)
			f.read++
			if c.Stamp.Seq > 0 && !c.Stamp.At.Equal(now.UTC()) {
				t.Errorf("%s changed at %v, want the store's clock, %v", id, c.Stamp.At, now.UTC())
			}
			if c.Op == registry.OpDelete {
				delete(f.copy, id)
			} else {
				f.copy[id] = recordVersion(t, s, c)
			}
			f.cursor = c.Position().Cursor()
		}
		if !more {
			return
		}
	}
}

// recordVersion reads the record c names, failing when it is not stored.
func recordVersion(t *testing.T, s *gateway.Registry, c registry.Change) int {
	t.Helper()
	ctx := storetest.Context(t)
	var found bool
	switch c.Kind {
	case registry.KindAgency:
		found = must(s.Agency(ctx, c.Key))(t) != nil
	case registry.KindProcedure:
		found = must(s.Procedure(ctx, c.Key))(t) != nil
	case registry.KindDirective:
		found = must(s.DirectiveByKey(ctx, c.Key))(t) != nil
	case registry.KindReport:
		found = must(s.Report(ctx, c.Key))(t) != nil
	case registry.KindDossier:
		d := must(s.Dossier(ctx, c.Key))(t)
		if d == nil {
			t.Fatalf("the feed names dossier %s, which is not stored", c.Key)
		}
		return d.Version
	}
	if !found {
		t.Fatalf("the feed names %s %s, which is not stored", c.Kind, c.Key)
	}
	return 0
}

// stored is what the registry holds, as the follower keeps it.
func storedRecords(t *testing.T, s *gateway.Registry) map[string]int {
	t.Helper()
	ctx := storetest.Context(t)
	out := map[string]int{}
	add := func(kind registry.RecordKind, key string, version int) error {
		out[registry.TombstoneID(kind, key)] = version
		return nil
	}
	errs := []error{
		s.EachAgency(ctx, registry.AgencyFilter{}, func(a *registry.Agency) error { return add(registry.KindAgency, a.Code, 0) }),
		s.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error { return add(registry.KindProcedure, p.Code, 0) }),
		s.EachDirective(ctx, registry.DirectiveFilter{}, func(d *registry.Directive) error { return add(registry.KindDirective, d.Key, 0) }),
		s.EachReport(ctx, registry.ReportFilter{}, func(r *registry.Report) error { return add(registry.KindReport, r.Key, 0) }),
		s.EachDossier(ctx, registry.DossierFilter{}, func(d *registry.Dossier) error { return add(registry.KindDossier, d.Code, d.Version) }),
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameCopy(t *testing.T, when string, f *follower, s *gateway.Registry) {
	t.Helper()
	want := storedRecords(t, s)
	if diff := storetest.CopyDiff(f.copy, want); diff != nil {
		t.Fatalf("%s: the copy differs from the store (%d records, copy %d): %v", when, len(want), len(f.copy), diff)
	}
}

// TestChangeFeedKeepsACopy follows the feed from the start through an
// import, receipts and steps, a restart, a re-import, a deletion and a
// merge: after each, the follower's copy is exactly the store's records.
func TestChangeFeedKeepsACopy(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		cfg := storetest.Config(t)
		cfg.Now = func() time.Time { return now }
		way(&cfg)
		// Over memory, requests send the engine commands by {_id} alone.
		var recording atomic.Bool
		cfg.Monitor = &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
			if name := e.CommandName; recording.Load() && !cfg.DisableMemory && storetest.Embedded() {
				if err := idOnly(name, e.Command); err != nil {
					t.Errorf("%v: %s", err, e.Command)
				}
			}
		}}
		open := func() *gateway.Registry {
			recording.Store(false)
			s, err := gateway.Open(context.Background(), cfg)
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			t.Cleanup(func() { _ = s.Close(context.Background()) })
			recording.Store(true)
			return s
		}
		s, ctx := open(), storetest.Context(t)
		f := &follower{copy: map[string]int{}}

		importSample(t, s)
		f.sync(t, s)
		sameCopy(t, "after an import", f, s)
		if f.read != len(f.copy) {
			t.Errorf("read %d entries for %d records: a record repeated", f.read, len(f.copy))
		}

		p := must(s.Procedures(ctx, registry.ProcedureFilter{}, registry.PageArgs{}))(t).Items[0]
		d := must(s.ReceiveDossier(ctx, receipt(p.AgencyCode, p.Code, vn(5, 24, 9, 0)), source))(t)
		must(s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch")}, nil, source))(t)
		f.sync(t, s)
		sameCopy(t, "after a receipt and a step", f, s)

		recording.Store(false)
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		s = open()
		read := f.read
		f.sync(t, s)
		if f.read != read {
			t.Errorf("after a restart the feed gave %d entries more, want none", f.read-read)
		}
		importSample(t, s)
		f.sync(t, s)
		if f.read != read {
			t.Errorf("importing the same again gave %d entries, want none", f.read-read)
		}
		sameCopy(t, "after a restart and a re-import", f, s)

		mistaken := must(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "77/KH-UBND", IssuedOn: "2021-04-02"}, source))(t)
		dup := must(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "310/QĐ-UBND", IssuedOn: "2020-03-02",
			Relations: []registry.RelationInput{{Kind: registry.RelImplements, Symbol: "45/NQ-HĐND"}}}, source))(t)
		f.sync(t, s)
		must(struct{}{}, s.DeleteDirective(ctx, mistaken.Key, "entered by mistake"))(t)
		reports := must(s.Reports(ctx, registry.ReportFilter{}, registry.PageArgs{}))(t).Items
		must(struct{}{}, s.DeleteReport(ctx, reports[0].Key, "a test report"))(t)
		f.sync(t, s)
		sameCopy(t, "after deleting a directive and a report", f, s)

		into := must(s.DirectivesBySymbol(ctx, "310/QĐ-UBND", new(2021), ""))(t)[0]
		must(s.MergeDirective(ctx, dup.Key, into.Key, "the same decision entered twice"))(t)
		before := f.cursor
		f.sync(t, s)
		sameCopy(t, "after a merge", f, s)
		page, _, err := s.Changes(ctx, before, nil, []registry.RecordKind{registry.KindDirective})
		if err != nil {
			t.Fatal(err)
		}
		if last := page[len(page)-1]; last.Op != registry.OpDelete || last.Key != dup.Key || last.MergedInto != into.Key {
			t.Errorf("the merge's last entry is %+v, want the duplicate's removal naming %s", last, into.Key)
		}

		recording.Store(false)
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		s = open()
		g := &follower{copy: map[string]int{}}
		g.sync(t, s)
		sameCopy(t, "a new follower after a second restart", g, s)
	})
}

// feedBulletin states two directives, a relation and a monthly report.
const feedBulletin = "Ngày 2/3/2021, UBND tỉnh ban hành Quyết định số 310/QĐ-UBND về cải cách hành chính, thay thế Quyết định số 95/QĐ-UBND. " +
	"Trong tháng 3/2021, Trung tâm Phục vụ hành chính công tỉnh tiếp nhận 5.570 hồ sơ, đã giải quyết 5.570 hồ sơ, trong đó trước hạn 4.671 hồ sơ, đúng hạn 899 hồ sơ."

// importSample loads generated reference data and 40 dossiers in batches,
// as an import does, and a bulletin.
func importSample(t *testing.T, s *gateway.Registry) {
	t.Helper()
	ctx := storetest.Context(t)
	cfg := generate.Config{Seed: 24, Dossiers: 40, From: vn(3, 1, 8, 0), To: vn(5, 1, 8, 0), Now: vn(5, 1, 8, 0),
		Calendar: s.Calendar(), Source: "feed test"}
	b := transfer.NewBatcher(s, 16)
	must(struct{}{}, generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error { return b.Add(ctx, rec) }))(t)
	must(struct{}{}, b.Flush(ctx))(t)
	must(s.ImportBulletin(ctx, "feed test", feedBulletin, false))(t)
}

// TestRemovalRefusals: removals need an editor, a reason and a record, a
// directive a procedure cites is merged rather than deleted, and a merge
// needs two directives; each refusal changes nothing and says which field.
func TestRemovalRefusals(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	cited := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "5/2021/QĐ-UBND", IssuedOn: "2021-02-01"})
	must(e.s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: "2.000001", Name: "Chứng thực bản sao", Level: registry.LevelProvincial,
		AgencyCode: agencyA, ProcessingDays: 1, LegalBases: []string{"5/2021/QĐ-UBND"}}, source))(t)
	f := &follower{copy: map[string]int{}}
	f.sync(t, e.s)
	clerk := auth.WithPrincipal(ctx, auth.Principal{Name: "desk", Role: auth.RoleClerk, Agency: agencyA})

	wantError(t, e.s.DeleteDirective(clerk, cited.Key, "typo"), registry.CodeForbidden, "")
	wantError(t, e.s.DeleteDirective(ctx, cited.Key, "  "), registry.CodeBadUserInput, "reason")
	wantError(t, e.s.DeleteDirective(ctx, "ubnd|2021|9/qđ-ubnd", "typo"), registry.CodeNotFound, "id")
	wantError(t, e.s.DeleteReport(ctx, "no-such-report", "typo"), registry.CodeNotFound, "id")
	wantError(t, e.s.DeleteDirective(ctx, cited.Key, "typo"), registry.CodeConflict, "")
	_, err := e.s.MergeDirective(ctx, cited.Key, cited.Key, "typo")
	wantError(t, err, registry.CodeBadUserInput, "into")
	_, err = e.s.MergeDirective(ctx, cited.Key, "ubnd|2021|9/qđ-ubnd", "typo")
	wantError(t, err, registry.CodeNotFound, "into")
	_, _, err = e.s.Changes(ctx, "not a cursor", nil, nil)
	wantError(t, err, registry.CodeBadUserInput, "after")

	read := f.read
	f.sync(t, e.s)
	if f.read != read {
		t.Errorf("refused removals made %d entries in the feed, want none", f.read-read)
	}
	sameCopy(t, "after refusals", f, e.s)
	entries := must(e.s.AuditLog(ctx, registry.AuditFilter{}, registry.PageArgs{First: new(100)}))(t).Items
	if !slices.ContainsFunc(entries, func(a *registry.AuditEntry) bool {
		return a.Operation == "deleteDirective" && a.Result == "CONFLICT" && a.Target == cited.Key+": typo"
	}) {
		t.Error("the refused deletion is not in the audit log with its reason")
	}
}

// TestFollowChanges: a follower from now hears a change made after it
// started, and one from a cursor gets the entries after it first.
func TestFollowChanges(t *testing.T) {
	e := seeded(t)
	ctx, cancel := context.WithCancel(storetest.Context(t))
	defer cancel()
	live := must(e.s.FollowChanges(ctx, nil, []registry.RecordKind{registry.KindDirective}))(t)
	d := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "8/KH-UBND", IssuedOn: "2021-02-01"})
	select {
	case c := <-live:
		if c.Key != d.Key || c.Op != registry.OpUpsert {
			t.Errorf("heard %+v, want the new directive %s", c, d.Key)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change heard within 5 s")
	}

	all := must(e.s.FollowChanges(ctx, new(""), nil))(t)
	page, _, err := e.s.Changes(ctx, "", new(100), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range page {
		if got := <-all; got != want {
			t.Fatalf("entry %d followed from the start = %+v, want %+v as paged", i, got, want)
		}
	}
}

// TestFeedOfRecordsStoredBeforeIt: records written before the feed existed
// (no stamp in their documents) come first, by kind and then key, and a
// cursor among them resumes there.
func TestFeedOfRecordsStoredBeforeIt(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		cfg := storetest.Config(t)
		cfg.Database, cfg.Now = e.db.Name(), func() time.Time { return now }
		way(&cfg)
		for _, code := range []string{"000.00.09.H56", "000.00.08.H56"} {
			if _, err := e.db.Collection("agencies").InsertOne(ctx, bson.D{{Key: "_id", Value: code}, {Key: "name", Value: "Sở " + code},
				{Key: "level", Value: "PROVINCIAL"}, {Key: "provenance", Value: bson.D{{Key: "source", Value: "old"}}}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := gateway.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		must(s.CreateAgency(ctx, registry.CreateAgencyInput{Code: "000.00.01.H56", Name: "Văn phòng UBND", Level: registry.LevelProvincial}, source))(t)

		var keys []string
		cursor := ""
		for {
			page, more, err := s.Changes(ctx, cursor, new(1), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				keys = append(keys, fmt.Sprintf("%d %s", c.Stamp.Seq, c.Key))
				cursor = c.Position().Cursor()
			}
			if !more {
				break
			}
		}
		if want := []string{"0 000.00.08.H56", "0 000.00.09.H56"}; len(keys) != 3 || !slices.Equal(keys[:2], want) || keys[2] == "0 000.00.01.H56" {
			t.Errorf("feed = %v, want %v first, then the new agency with its number", keys, want)
		}
	})
}

// TestInterruptedDeletionFinished: a deletion stopped between its
// tombstone and the record's removal leaves both; the next open removes
// the record, and the feed and the lists agree it is gone.
func TestInterruptedDeletionFinished(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		d := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "8/KH-UBND", IssuedOn: "2021-02-01"})
		tomb := registry.Tombstone{ID: registry.TombstoneID(registry.KindDirective, d.Key), Kind: registry.KindDirective, Key: d.Key,
			Changed: registry.Stamp{Seq: d.Changed.Seq + 1, At: now.UTC()}}
		if _, err := e.db.Collection("tombstones").InsertOne(ctx, tomb); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		cfg := storetest.Config(t)
		cfg.Database, cfg.Now = e.db.Name(), func() time.Time { return now }
		way(&cfg)
		s, err := gateway.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		if got := must(s.DirectiveByKey(ctx, d.Key))(t); got != nil {
			t.Errorf("the directive whose deletion stopped half way is still stored")
		}
		page, _, err := s.Changes(ctx, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 || page[0].Op != registry.OpDelete || page[0].Key != d.Key {
			t.Errorf("feed = %+v, want only the directive's removal", page)
		}
	})
}

// TestFollowHearsOtherInstances: on MongoDB several gateways share the
// store; a follower on one hears a change another made (within the poll).
func TestFollowHearsOtherInstances(t *testing.T) {
	cfg := storetest.Config(t)
	mongoWay(&cfg)
	open := func() *gateway.Registry {
		s, err := gateway.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		return s
	}
	here, there := open(), open()
	ctx, cancel := context.WithCancel(storetest.Context(t))
	defer cancel()
	live := must(here.FollowChanges(ctx, nil, nil))(t)
	a := must(there.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyA, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, source))(t)
	select {
	case c := <-live:
		if c.Key != a.Code {
			t.Errorf("heard %+v, want the agency the other gateway created", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other gateway's change was not heard within 5 s")
	}
}
