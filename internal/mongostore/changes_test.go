package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/mongostore"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// openFeedStore opens the MongoDB store alone on db, as the gateway does
// when nothing wraps it (indexes included).
func openFeedStore(t *testing.T, db string) *mongostore.Store {
	t.Helper()
	s, err := mongostore.Open(context.Background(), mongostore.Config{URI: storetest.URI(), Database: db, Alone: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if err := s.CreateIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func agencyRec(code string) *registry.Agency {
	return &registry.Agency{Code: code, Name: "Sở " + code, Level: registry.LevelProvincial}
}

func procedureRec(code string) *registry.Procedure {
	return &registry.Procedure{Code: code, Name: "Thủ tục " + code, Level: registry.LevelProvincial, AgencyCode: agency}
}

// directiveRec is directive number n of 2024, under its current key (Open
// rekeys any other).
func directiveRec(t *testing.T, n int) *registry.Directive {
	t.Helper()
	sym, err := registry.ParseSymbol(fmt.Sprintf("%d/2024/NĐ-CP", n))
	must(t, err)
	d := &registry.Directive{Symbol: sym, Year: 2024, Relations: []registry.Relation{}}
	d.Rekey()
	return d
}

func dkey(t *testing.T, n int) string { return directiveRec(t, n).Key }

func dossierRec(code string) *registry.Dossier {
	return &registry.Dossier{Code: code, AgencyCode: agency, ProcedureCode: proc, Version: 1,
		Status: registry.StatusRegisteredOnline, History: []registry.Step{{Seq: 1, Action: registry.ActionRegisterOnline}}}
}

// wholeFeed pages through the feed after f.After, first at a time, failing
// on a change seen twice or out of order.
func wholeFeed(t *testing.T, s *mongostore.Store, f registry.ChangeFilter, first int) []registry.Change {
	t.Helper()
	var out []registry.Change
	seen := map[registry.Position]bool{}
	for {
		page, more, err := s.Changes(t.Context(), f, first)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > first || more && len(page) == 0 {
			t.Fatalf("a page of %d changes, more %v, asked for %d", len(page), more, first)
		}
		for _, c := range page {
			if seen[c.Position()] || c.Position().Compare(f.After) <= 0 {
				t.Fatalf("change %+v again or out of order (after %+v)", c, f.After)
			}
			seen[c.Position()] = true
			f.After = c.Position()
		}
		out = append(out, page...)
		if !more {
			return out
		}
	}
}

func keysOf(changes []registry.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = string(c.Kind[:2]) + ":" + c.Key + ":" + string(c.Op[:1])
	}
	return out
}

// TestChangeStampsFollowWrites: every write of the store alone stamps its
// record with a higher number, the feed names each record once at its last
// change, and a Load of records stored already leaves the feed as it was.
func TestChangeStampsFollowWrites(t *testing.T) {
	s := openFeedStore(t, storetest.Database(t))
	ctx := t.Context()
	a := agencyRec("A1")
	must(t, s.Insert(ctx, a))
	must(t, s.Insert(ctx, directiveRec(t, 1)))
	if ins, err := s.Load(ctx, []any{procedureRec("P1"), procedureRec("P2")}); err != nil || !slices.Equal(ins, []bool{true, true}) {
		t.Fatalf("Load: %v %v", ins, err)
	}
	d := dossierRec("H1")
	if ok, err := s.InsertDossier(ctx, d); !ok || err != nil {
		t.Fatalf("InsertDossier: %v %v", ok, err)
	}
	next := *d
	next.Version, next.History = 2, append(slices.Clone(d.History), registry.Step{Seq: 2, Action: registry.ActionWithdraw})
	if ok, err := s.UpdateDossier(ctx, d, &next); !ok || err != nil {
		t.Fatalf("UpdateDossier: %v %v", ok, err)
	}
	if next.Changed.Seq <= d.Changed.Seq {
		t.Errorf("UpdateDossier stamped %d after %d", next.Changed.Seq, d.Changed.Seq)
	}
	must(t, s.AddRelation(ctx, dkey(t, 1), registry.Relation{Kind: registry.RelAmends, Symbol: "1/2024/NĐ-CP"}))
	a.Name, a.Changed = "Sở Tư pháp", registry.Stamp{}
	must(t, s.Replace(ctx, a))

	feed := wholeFeed(t, s, registry.ChangeFilter{}, 100)
	want := []string{"PR:P1:U", "PR:P2:U", "DO:H1:U", "DI:" + dkey(t, 1) + ":U", "AG:A1:U"}
	if got := keysOf(feed); !slices.Equal(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
	for i, c := range feed {
		if c.Stamp.At.IsZero() || i > 0 && c.Stamp.Seq <= feed[i-1].Stamp.Seq {
			t.Errorf("change %d: stamp %+v after %+v", i, c.Stamp, feed[max(i-1, 0)].Stamp)
		}
	}
	if feed[2].Version != 2 || feed[4].Stamp != a.Changed {
		t.Errorf("dossier at version %d, want 2; agency stamped %+v, record says %+v", feed[2].Version, feed[4].Stamp, a.Changed)
	}
	if last, err := s.LastChange(ctx); err != nil || last != feed[4].Stamp.Seq {
		t.Errorf("LastChange %d %v, want %d", last, err, feed[4].Stamp.Seq)
	}

	again := []any{procedureRec("P1"), procedureRec("P2")}
	if ins, err := s.Load(ctx, again); err != nil || slices.Contains(ins, true) {
		t.Fatalf("Load again: %v %v, want nothing inserted", ins, err)
	}
	if after := wholeFeed(t, s, registry.ChangeFilter{}, 100); !slices.Equal(after, feed) {
		t.Errorf("a re-import changed the feed:\n%v\nwant\n%v", after, feed)
	}
	if st := again[0].(*registry.Procedure).Changed; st != (registry.Stamp{}) {
		t.Errorf("a record not loaded keeps stamp %+v", st)
	}
}

// TestChangesPageAndResume: pages of two cover the feed exactly once, a
// cursor resumes on a store opened again, and a kind filter keeps its kind.
func TestChangesPageAndResume(t *testing.T) {
	db := storetest.Database(t)
	s := openFeedStore(t, db)
	ctx := t.Context()
	for _, code := range []string{"A2", "A1"} {
		must(t, s.Insert(ctx, agencyRec(code)))
	}
	if _, err := s.Load(ctx, []any{procedureRec("P3"), procedureRec("P1"), procedureRec("P2")}); err != nil {
		t.Fatal(err)
	}
	must(t, s.Insert(ctx, directiveRec(t, 1)))
	whole := wholeFeed(t, s, registry.ChangeFilter{}, 100)
	if len(whole) != 6 {
		t.Fatalf("feed %v, want 6 changes", keysOf(whole))
	}
	if paged := wholeFeed(t, s, registry.ChangeFilter{}, 2); !slices.Equal(paged, whole) {
		t.Errorf("by pages of 2: %v, want %v", keysOf(paged), keysOf(whole))
	}
	first, more, err := s.Changes(ctx, registry.ChangeFilter{}, 2)
	if err != nil || !more || len(first) != 2 {
		t.Fatalf("first page: %v %v %v", first, more, err)
	}
	cursor := first[1].Position().Cursor()
	must(t, s.Close(ctx))

	s = openFeedStore(t, db)
	after, err := registry.ParseCursor(cursor)
	must(t, err)
	if rest := wholeFeed(t, s, registry.ChangeFilter{After: after}, 2); !slices.Equal(rest, whole[2:]) {
		t.Errorf("resumed after a reopen: %v, want %v", keysOf(rest), keysOf(whole[2:]))
	}
	procs := wholeFeed(t, s, registry.ChangeFilter{Kinds: []registry.RecordKind{registry.KindProcedure}}, 2)
	if got, want := keysOf(procs), []string{"PR:P3:U", "PR:P1:U", "PR:P2:U"}; !slices.Equal(got, want) {
		t.Errorf("procedures: %v, want %v", got, want)
	}
}

// TestDeleteLeavesTombstone: Delete removes the record and leaves its
// tombstone in the feed in its place; a key stored again shows as stored,
// a delete stopped before the removal as deleted; missing keys are
// ErrNotFound for Delete and Replace.
func TestDeleteLeavesTombstone(t *testing.T) {
	db := storetest.Database(t)
	s := openFeedStore(t, db)
	ctx := t.Context()
	for n := 1; n <= 3; n++ {
		must(t, s.Insert(ctx, directiveRec(t, n)))
	}
	d1, d2, d3 := dkey(t, 1), dkey(t, 2), dkey(t, 3)
	must(t, s.Delete(ctx, registry.KindDirective, d1, d2))
	if n, err := rawDB(t, db).Collection("directives").CountDocuments(ctx, bson.D{{Key: "_id", Value: d1}}); err != nil || n != 0 {
		t.Errorf("directive 1 still stored: %d %v", n, err)
	}
	var tombs []*registry.Tombstone
	must(t, s.EachTombstone(ctx, func(tb *registry.Tombstone) error { tombs = append(tombs, tb); return nil }))
	if len(tombs) != 1 || tombs[0].Key != d1 || tombs[0].MergedInto != d2 || tombs[0].Changed.Seq != 4 {
		t.Fatalf("tombstones %+v, want directive 1's merged into 2 at 4", tombs)
	}
	feed := wholeFeed(t, s, registry.ChangeFilter{}, 1)
	if got, want := keysOf(feed), []string{"DI:" + d2 + ":U", "DI:" + d3 + ":U", "DI:" + d1 + ":D"}; !slices.Equal(got, want) || feed[2].MergedInto != d2 {
		t.Fatalf("feed %v (%+v), want %v", got, feed[2], want)
	}

	must(t, s.Insert(ctx, directiveRec(t, 1)))
	// Directive 3's delete stopped after its tombstone.
	must(t, s.PutTombstone(ctx, &registry.Tombstone{ID: registry.TombstoneID(registry.KindDirective, d3),
		Kind: registry.KindDirective, Key: d3, Changed: registry.Stamp{Seq: 9, At: time.Now()}}))
	feed = wholeFeed(t, s, registry.ChangeFilter{}, 1)
	if got, want := keysOf(feed), []string{"DI:" + d2 + ":U", "DI:" + d1 + ":U", "DI:" + d3 + ":D"}; !slices.Equal(got, want) {
		t.Errorf("feed %v, want %v", got, want)
	}

	if err := s.Delete(ctx, registry.KindReport, "R-9", ""); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Delete of a missing report: %v, want ErrNotFound", err)
	}
	if err := s.Replace(ctx, agencyRec("A-9")); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Replace of a missing agency: %v, want ErrNotFound", err)
	}
}

// TestChangesLegacyAndRaisedCounter: records stored before the feed (no
// "changed") come first, at 0, by kind then key, and page within 0; a
// record stored stamped keeps its stamp, and the counter opens above it.
func TestChangesLegacyAndRaisedCounter(t *testing.T) {
	db := storetest.Database(t)
	s := openFeedStore(t, db)
	ctx := t.Context()
	raw := rawDB(t, db)
	for col, ids := range map[string][]string{"agencies": {"B", "A"}, "procedures": {"P0"}} {
		for _, id := range ids {
			if _, err := raw.Collection(col).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: id}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	stamped := agencyRec("S")
	stamped.Changed = registry.Stamp{Seq: 40, At: time.Now().UTC()}
	if _, err := s.Load(ctx, []any{stamped}); err != nil {
		t.Fatal(err)
	}
	must(t, s.Close(ctx))

	s = openFeedStore(t, db)
	must(t, s.Insert(ctx, agencyRec("C")))
	feed := wholeFeed(t, s, registry.ChangeFilter{}, 1)
	if got, want := keysOf(feed), []string{"AG:A:U", "AG:B:U", "PR:P0:U", "AG:S:U", "AG:C:U"}; !slices.Equal(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
	if feed[0].Stamp.Seq != 0 || feed[2].Stamp.Seq != 0 || feed[3].Stamp.Seq != 40 || feed[4].Stamp.Seq != 41 {
		t.Errorf("stamps %v, want 0, 0, 0, 40, 41", feed)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
