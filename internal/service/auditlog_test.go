package service_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// auditClock is a store clock moving 0.7 ms at each reading: entries fall
// on distinct instants, some within one millisecond (at is stored to it).
func auditClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return now.Add(time.Duration(n.Add(1)) * 700 * time.Microsecond) }
}

// openRegistry opens cfg, closing it when the test ends unless the caller
// closes it first.
func openRegistry(t *testing.T, cfg gateway.Config) (*gateway.Registry, func()) {
	t.Helper()
	s, err := gateway.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open registry: %v", err)
	}
	var once sync.Once
	closeIt := func() { once.Do(func() { _ = s.Close(context.Background()) }) }
	t.Cleanup(closeIt)
	return s, closeIt
}

// auditChanges makes round's changes through s, as several callers, some
// of them refused: each is an audit entry.
func auditChanges(t *testing.T, s *gateway.Registry, round int) {
	t.Helper()
	ctx := storetest.Context(t)
	editor := auth.WithPrincipal(ctx, auth.Principal{Name: "editor", Role: auth.RoleEditor, KeyID: "abcd1234"})
	clerk := auth.WithPrincipal(ctx, auth.Principal{Name: "desk", Role: auth.RoleClerk, Agency: agencyA})
	agency := fmt.Sprintf("000.00.%02d.H56", 30+round)
	in := registry.CreateAgencyInput{Code: agency, Name: "Sở " + agency, Level: registry.LevelProvincial}
	must(s.CreateAgency(editor, in, source))(t)
	if _, err := s.CreateAgency(editor, in, source); registry.ErrorCode(err) != registry.CodeConflict {
		t.Fatalf("agency again: %v, want CONFLICT", err)
	}
	if _, err := s.CreateAgency(clerk, registry.CreateAgencyInput{Code: agency + "9", Name: "x", Level: registry.LevelDistrict}, source); err == nil {
		t.Fatal("a clerk created an agency")
	}
	proc := fmt.Sprintf("1.%06d", 2000+round)
	must(s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: proc, Name: "Thủ tục " + proc, Level: registry.LevelProvincial,
		AgencyCode: agency, ProcessingDays: 5}, source))(t)
	for i := range 4 {
		d := must(s.ReceiveDossier(ctx, receipt(agency, proc, vn(5, 20+i, 9, 0)), source))(t)
		must(s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("Phòng 1")}, nil, source))(t)
		if _, err := s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionResolve}, nil, source); err == nil {
			t.Fatal("resolved without a decision")
		}
		if _, err := s.RecordStep(clerk, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, nil, source); err == nil {
			t.Fatal("a clerk of another agency recorded a step")
		}
	}
	if _, err := s.RecordStep(ctx, agency+"-000000-0000", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, nil, source); err == nil {
		t.Fatal("a step on no dossier")
	}
	s.AuditRefusedKey(ctx, "createAgency", "000.00.31.H56", registry.Errorf(registry.CodeUnauthenticated, "unknown key"))
}

// auditPage is what a page of the audit log says.
type auditPage struct {
	Items            []registry.AuditEntry
	Cursors          []string
	HasNext, HasPrev bool
	Count            int
	Err              string
}

func listAudit(ctx context.Context, s *gateway.Registry, f registry.AuditFilter, args registry.PageArgs) auditPage {
	p, err := s.AuditLog(ctx, f, args)
	if err == nil {
		var out auditPage
		out.Count, err = p.TotalCount(ctx)
		out.HasNext, out.HasPrev = p.HasNext, p.HasPrev
		for i, e := range p.Items {
			out.Items, out.Cursors = append(out.Items, *e), append(out.Cursors, p.Cursors[i])
		}
		if err == nil {
			return out
		}
	}
	var re *registry.Error
	if e, ok := err.(*registry.Error); ok {
		re = e
	}
	if re == nil {
		return auditPage{Err: "unexpected: " + err.Error()}
	}
	return auditPage{Err: string(re.Code) + " " + re.Field}
}

// auditWalk pages through the log f selects, first at a time.
func auditWalk(ctx context.Context, s *gateway.Registry, f registry.AuditFilter, first *int) []auditPage {
	var pages []auditPage
	var after *string
	for range 100 {
		p := listAudit(ctx, s, f, registry.PageArgs{First: first, After: after})
		pages = append(pages, p)
		if p.Err != "" || !p.HasNext || len(p.Cursors) == 0 {
			break
		}
		after = &p.Cursors[len(p.Cursors)-1]
	}
	return pages
}

// auditFilters are filters on what the log holds: each field alone, with
// values it has and values it has not, combined, and time ranges.
func auditFilters(t *testing.T, all []registry.AuditEntry) map[string]registry.AuditFilter {
	t.Helper()
	if len(all) < 20 {
		t.Fatalf("%d audit entries; the changes make more", len(all))
	}
	fs := map[string]registry.AuditFilter{"none": {}}
	seen := map[string]bool{}
	for _, e := range all {
		for _, v := range []struct {
			kind string
			f    registry.AuditFilter
		}{{"who", registry.AuditFilter{Who: new(e.Who)}}, {"operation", registry.AuditFilter{Operation: new(e.Operation)}},
			{"target", registry.AuditFilter{Target: new(e.Target)}},
			{"who+operation+target", registry.AuditFilter{Who: new(e.Who), Operation: new(e.Operation), Target: new(e.Target)}}} {
			key := fmt.Sprintf("%s %s %s %s", v.kind, auditStr(v.f.Who), auditStr(v.f.Operation), auditStr(v.f.Target))
			if !seen[key] {
				seen[key], fs[key] = true, v.f
			}
		}
	}
	var code string // a dossier's: a target, and the head of its steps'
	for _, e := range all {
		if e.Operation == "receiveDossier" {
			code = e.Target
		}
	}
	for name, f := range map[string]registry.AuditFilter{
		"who nobody":           {Who: new("nobody")},
		"operation unknown":    {Operation: new("dropDatabase")},
		"target unknown":       {Target: new("nothing")},
		"target unknown head":  {Target: new("nothing TRANSFER")},
		"target unknown tail":  {Target: new(code + " FLY")},
		"target empty":         {Target: new("")},
		"who and operation":    {Who: new("editor"), Operation: new("createAgency")},
		"operation and target": {Operation: new("recordDossierStep"), Target: new(code + " TRANSFER")},
		"who excludes target":  {Who: new("desk"), Target: new(code)},
	} {
		fs[name] = f
	}
	// all is newest first; at is stored to the millisecond.
	early, late := all[len(all)*3/4].At, all[len(all)/4].At
	for name, f := range map[string]registry.AuditFilter{
		"from":                      {From: &early},
		"to":                        {To: &late},
		"from to":                   {From: &early, To: &late},
		"from to within a ms":       {From: new(early.Add(300 * time.Microsecond)), To: new(late.Add(999 * time.Microsecond))},
		"from after to":             {From: &late, To: &early},
		"from is to":                {From: &early, To: &early},
		"before all":                {To: new(all[len(all)-1].At)},
		"after all":                 {From: new(all[0].At.Add(time.Millisecond))},
		"far past and future":       {From: new(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)), To: new(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))},
		"range and operation":       {From: &early, To: &late, Operation: new("recordDossierStep")},
		"range, who and operation":  {From: &early, To: &late, Who: new("system: test"), Operation: new("receiveDossier")},
		"range and target":          {From: &early, Target: new(code)},
		"range, who, operation, to": {Who: new("desk"), Operation: new("recordDossierStep"), To: &late},
	} {
		fs[name] = f
	}
	return fs
}

// auditAgree lists the log both ways with every filter, paging through
// with cursors, and fails on the first page they answer differently.
func auditAgree(t *testing.T, mem, eng *gateway.Registry) {
	t.Helper()
	ctx := storetest.Context(t)
	var all []registry.AuditEntry
	for _, p := range auditWalk(ctx, eng, registry.AuditFilter{}, new(100)) {
		all = append(all, p.Items...)
	}
	for name, f := range auditFilters(t, all) {
		for _, first := range []*int{new(3), nil} {
			got, want := auditWalk(ctx, mem, f, first), auditWalk(ctx, eng, f, first)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("filter %s, first %v:\n memory:        %+v\n MongoDB store: %+v", name, pageSize(first), got, want)
			}
			if got[0].Err != "" {
				t.Fatalf("filter %s: %s", name, got[0].Err)
			}
		}
	}
	// Every entry, one page each, to the end.
	if got, want := auditWalk(ctx, mem, registry.AuditFilter{}, new(1)), auditWalk(ctx, eng, registry.AuditFilter{}, new(1)); !reflect.DeepEqual(got, want) {
		t.Fatalf("one at a time:\n memory:        %+v\n MongoDB store: %+v", got, want)
	} else if len(got) != len(all) {
		t.Fatalf("one at a time: %d pages for %d entries", len(got), len(all))
	}
	agency := registry.AgencyOrder.Encode(&registry.Agency{Code: agencyA})
	mid := listAudit(ctx, eng, registry.AuditFilter{}, registry.PageArgs{First: new(5)}).Cursors[4]
	for name, args := range map[string]registry.PageArgs{
		"first 0":                 {First: new(0)},
		"first 0 after":           {First: new(0), After: &mid},
		"first 100 after":         {First: new(100), After: &mid},
		"after the last":          {After: new(registry.AuditOrder.Encode(&all[len(all)-1]))},
		"after an unknown _id":    {After: new(registry.AuditOrder.Encode(&registry.AuditEntry{ID: "20210531T030000.0025"}))},
		"cursor from agencies":    {After: &agency},
		"cursor not a cursor":     {After: new("garbage!")},
		"first 101":               {First: new(101)},
		"first -1":                {First: new(-1)},
		"empty cursor is no hint": {First: new(2), After: new("")},
	} {
		got, want := listAudit(ctx, mem, registry.AuditFilter{}, args), listAudit(ctx, eng, registry.AuditFilter{}, args)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n memory:        %+v\n MongoDB store: %+v", name, got, want)
		}
	}
	if zero := listAudit(ctx, mem, registry.AuditFilter{}, registry.PageArgs{First: new(0)}); !zero.HasNext || zero.Count != len(all) || len(zero.Items) != 0 {
		t.Fatalf("first 0: %+v; want no items, a next page and the count %d", zero, len(all))
	}
	if p := listAudit(ctx, mem, registry.AuditFilter{}, registry.PageArgs{After: &agency}); p.Err != "BAD_USER_INPUT after" {
		t.Fatalf("a cursor of the agencies list: %+v, want BAD_USER_INPUT after", p)
	}
}

func auditStr(s *string) string {
	if s == nil {
		return "-"
	}
	return fmt.Sprintf("%q", *s)
}

func pageSize(first *int) any {
	if first == nil {
		return "default"
	}
	return *first
}

// TestAuditLogFromMemory: memory lists the audit log as the MongoDB store
// alone does on the same database: entries appended after its build, read
// again at a restart (from the engine's SQLite, and streamed without the
// engine), appended after that, and with an entry of another form, which
// it leaves to the MongoDB store.
func TestAuditLogFromMemory(t *testing.T) {
	cfg := storetest.Config(t)
	cfg.Now = auditClock()
	mem, closeMem := openRegistry(t, cfg)
	engCfg := cfg
	engCfg.DisableMemory = true
	eng, _ := openRegistry(t, engCfg)

	auditChanges(t, mem, 0)
	auditChanges(t, mem, 1)
	t.Run("appended after the build", func(t *testing.T) { auditAgree(t, mem, eng) })

	closeMem()
	mem, closeMem = openRegistry(t, cfg)
	t.Run("after a restart", func(t *testing.T) { auditAgree(t, mem, eng) })
	auditChanges(t, mem, 2)
	t.Run("appended after a restart", func(t *testing.T) { auditAgree(t, mem, eng) })

	closeMem()
	noEngine := cfg
	noEngine.Engine = nil
	mem, closeMem = openRegistry(t, noEngine)
	t.Run("built without the engine", func(t *testing.T) { auditAgree(t, mem, eng) })

	closeMem()
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	odd := registry.AuditEntry{ID: "imported-1", At: now.Add(time.Second).UTC(), Who: "importer", Operation: "import", Target: "old log", Result: "OK"}
	if _, err := client.Database(cfg.Database).Collection("audit").InsertOne(t.Context(), odd); err != nil {
		t.Fatal(err)
	}
	mem, _ = openRegistry(t, cfg)
	t.Run("an entry of another form", func(t *testing.T) { auditAgree(t, mem, eng) })
}

// TestAuditLogSendsOnlyIDFinds: listing the audit log from memory sends
// the engine finds by exactly {_id} and nothing else, one per entry listed.
func TestAuditLogSendsOnlyIDFinds(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("memory is kept on the embedded engine only")
	}
	var recording atomic.Bool
	var mu sync.Mutex
	var sent []bson.Raw
	cfg := storetest.Config(t)
	cfg.Now = auditClock()
	cfg.Monitor = &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if recording.Load() {
			mu.Lock()
			sent = append(sent, slices.Clone(e.Command))
			mu.Unlock()
		}
	}}
	s, closeS := openRegistry(t, cfg)
	auditChanges(t, s, 0)
	closeS()
	s, _ = openRegistry(t, cfg) // half the log indexed by the build,
	auditChanges(t, s, 1)       // half appended

	ctx := storetest.Context(t)
	recording.Store(true)
	listed := 0
	for _, f := range []registry.AuditFilter{{}, {Operation: new("recordDossierStep")}, {Who: new("desk"), From: new(now)}, {Target: new("nothing")}} {
		for _, first := range []*int{new(4), nil, new(0)} {
			for _, p := range auditWalk(ctx, s, f, first) {
				if p.Err != "" {
					t.Fatalf("%+v: %s", f, p.Err)
				}
				listed += len(p.Items)
			}
		}
	}
	recording.Store(false)
	if listed == 0 {
		t.Fatal("nothing listed")
	}
	mu.Lock()
	defer mu.Unlock()
	finds := 0
	for _, c := range sent {
		name := c.Index(0).Key()
		if col, _ := c.Lookup(name).StringValueOK(); col == "audit" && name != "find" && name != "insert" {
			t.Errorf("command %s on the audit log: %s", name, c)
		}
		if err := idOnly(name, c); err != nil {
			t.Errorf("%v: %s", err, c)
		} else if name == "find" && c.Lookup(name).StringValue() == "audit" {
			finds++
		}
	}
	if finds != listed {
		t.Errorf("%d finds on the audit log for %d entries listed; want one each", finds, listed)
	}
	t.Logf("%d entries listed with %d finds by _id", listed, finds)
}

// idOnly refuses a command that would make the embedded engine decode a
// collection: anything but inserts, and finds, updates and deletes whose
// filters are exactly {_id: <string>} (FerretDB hands a delete's filter to
// its backend as it does an update's; the lease's renewals and the rollups'
// flushes may run meanwhile).
func idOnly(name string, c bson.Raw) error {
	var filters []bson.RawValue
	switch name {
	case "insert", "endSessions":
		return nil
	case "find":
		filters = append(filters, c.Lookup("filter"))
	case "update", "delete":
		updates, err := c.Lookup(name + "s").Array().Values()
		if err != nil {
			return err
		}
		for _, u := range updates {
			filters = append(filters, u.Document().Lookup("q"))
		}
	default:
		return fmt.Errorf("command %s sent to the engine", name)
	}
	for _, f := range filters {
		doc, ok := f.DocumentOK()
		elems, _ := doc.Elements()
		if !ok || len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
			return fmt.Errorf("%s filter %s is not exactly {_id: <string>}", name, f)
		}
	}
	return nil
}
