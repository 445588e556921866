package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// now is the store clock of every test: Monday 31 May 2021, 10:00 in Vietnam,
// after all the receipts the fixtures date explicitly.
var now = time.Date(2021, 5, 31, 10, 0, 0, 0, calendar.Vietnam)

// vn is a wall-clock time in Vietnam in 2021.
func vn(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2021, month, day, hour, minute, 0, 0, calendar.Vietnam)
}

const (
	agencyA = "000.00.06.H56" // provincial department
	agencyB = "000.00.07.H56" // district, under agencyA
	procA   = "1.001612"      // 3 working days, implemented by agencyA
	procB   = "1.003560.000.00.00.H56"
	daysA   = 3
	daysB   = 10
	source  = "test"
)

// env is a store on a fresh database plus a driver handle on the same
// database, to look at what the store wrote.
type env struct {
	s  *gateway.Registry
	db *mongo.Database
}

// newEnv opens a store whose clock is fixed at now (configure may change
// that) on a database of its own.
func newEnv(t *testing.T, configure ...func(*gateway.Config)) *env {
	t.Helper()
	cfg := storetest.Config(t)
	cfg.Now = func() time.Time { return now }
	for _, f := range configure {
		f(&cfg)
	}
	s, err := gateway.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	client, err := mongo.Connect(options.Client().ApplyURI(storetest.URI()))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return &env{s: s, db: client.Database(cfg.Database)}
}

// seeded is newEnv with two agencies and two procedures.
func seeded(t *testing.T, configure ...func(*gateway.Config)) *env {
	t.Helper()
	e := newEnv(t, configure...)
	ctx := storetest.Context(t)
	must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyA, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, source))(t)
	must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyB, Name: "UBND huyện", Level: registry.LevelDistrict, ParentCode: new(agencyA)}, source))(t)
	must(e.s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: procA, Name: "Cấp bản sao trích lục hộ tịch", Level: registry.LevelProvincial, AgencyCode: agencyA, ProcessingDays: daysA}, source))(t)
	must(e.s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: procB, Name: "Đăng ký khai sinh", Level: registry.LevelDistrict, AgencyCode: agencyB, ProcessingDays: daysB}, source))(t)
	return e
}

// must checks a call that should succeed: must(s.Agency(ctx, code))(t)
// fails t on an error and returns the value otherwise.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// receipt is a valid in-person receipt at agency for proc at the given time.
func receipt(agency, proc string, at time.Time) registry.ReceiveDossierInput {
	return registry.ReceiveDossierInput{
		ProcedureCode: proc, AgencyCode: agency, Channel: registry.ChannelInPerson,
		Applicant:  registry.ApplicantInput{Name: "Nguyễn Văn An"},
		ReceivedAt: &at,
	}
}

// wantError checks err is an *registry.Error with code and, when field is
// not empty, that field.
func wantError(t *testing.T, err error, code registry.Code, field string) *registry.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (field %q)", code, field)
	}
	var e *registry.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want a *registry.Error %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	if field != "" && e.Field != field {
		t.Fatalf("got field %q (%v), want %q", e.Field, err, field)
	}
	return e
}

// counts is the number of documents in every collection of the database,
// except the audit log, which records refused attempts too (see
// TestAuditRecordsAttempts).
func (e *env) counts(t *testing.T) map[string]int64 {
	t.Helper()
	ctx := storetest.Context(t)
	names, err := e.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatalf("list collections: %v", err)
	}
	out := map[string]int64{}
	for _, n := range names {
		if n == "audit" {
			continue
		}
		c, err := e.db.Collection(n).CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatalf("count %s: %v", n, err)
		}
		if c > 0 {
			out[n] = c
		}
	}
	return out
}

// stored reads a dossier back; it must exist.
func (e *env) stored(t *testing.T, code string) *registry.Dossier {
	t.Helper()
	d, err := e.s.Dossier(storetest.Context(t), code)
	if err != nil {
		t.Fatalf("read dossier %s: %v", code, err)
	}
	if d == nil {
		t.Fatalf("dossier %s is not stored", code)
	}
	return d
}

// sameRecord fails unless got and want (pointers to the same struct type)
// are deeply equal, listing the fields that differ as JSON.
func sameRecord(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	if g.Kind() != reflect.Pointer || w.Kind() != reflect.Pointer || g.IsNil() || w.IsNil() || g.Type() != w.Type() {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
		return
	}
	g, w = g.Elem(), w.Elem()
	var diffs []string
	for i := range g.NumField() {
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		if !reflect.DeepEqual(gf, wf) {
			gj, _ := json.Marshal(gf)
			wj, _ := json.Marshal(wf)
			diffs = append(diffs, fmt.Sprintf("  %s: got %s, want %s", g.Type().Field(i).Name, gj, wj))
		}
	}
	t.Errorf("%s differs:\n%s", what, strings.Join(diffs, "\n"))
}

func TestAgencyRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := storetest.Context(t)
	parent := must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{
		Code: " " + agencyA + " ", Name: "  Sở Tư pháp tỉnh Khánh Hòa ", Abbreviation: new("STP"), Level: registry.LevelProvincial,
	}, source))(t)
	want := &registry.Agency{
		Code: agencyA, Name: "Sở Tư pháp tỉnh Khánh Hòa", Abbreviation: "STP", Level: registry.LevelProvincial,
		Provenance: registry.Provenance{Source: source, Recorded: now.UTC()},
		Changed:    registry.Stamp{Seq: 1, At: now.UTC()}, // the first change
	}
	sameRecord(t, "created agency", parent, want)
	got := must(e.s.Agency(ctx, agencyA))(t)
	sameRecord(t, "stored agency", got, want)

	child := must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{
		Code: agencyB, Name: "UBND huyện Cam Lâm", Level: registry.LevelDistrict, ParentCode: new(agencyA),
	}, source))(t)
	sameRecord(t, "stored child agency", must(e.s.Agency(ctx, agencyB))(t), child)
	if child.ParentCode != agencyA {
		t.Errorf("parent = %q, want %q", child.ParentCode, agencyA)
	}
	if a := must(e.s.Agency(ctx, "000.00.99.H56"))(t); a != nil {
		t.Errorf("unknown agency: got %+v, want nil", a)
	}
}

func TestProcedureRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := storetest.Context(t)
	must(e.s.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyA, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, source))(t)
	p := must(e.s.CreateProcedure(ctx, registry.CreateProcedureInput{
		Code: procB, Name: "Đăng ký khai sinh", Field: new("Hộ tịch"), Level: registry.LevelDistrict,
		AgencyCode: agencyA, ProcessingDays: daysB,
		// ASCII and Vietnamese spellings of one decree are one legal basis.
		LegalBases: []string{"61/2018/ND-CP", "61/2018/NĐ-CP", "Số: 468/qd-ttg"},
	}, source))(t)
	want := &registry.Procedure{
		Code: procB, Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: registry.LevelDistrict,
		AgencyCode: agencyA, ProcessingDays: daysB, LegalBases: []string{"61/2018/NĐ-CP", "468/QĐ-TTg"},
		Provenance: registry.Provenance{Source: source, Recorded: now.UTC()},
		Changed:    registry.Stamp{Seq: 2, At: now.UTC()}, // after the agency
	}
	sameRecord(t, "created procedure", p, want)
	sameRecord(t, "stored procedure", must(e.s.Procedure(ctx, procB))(t), want)

	page := must(e.s.Procedures(ctx, registry.ProcedureFilter{LegalBasis: new("61/2018/NĐ-CP")}, registry.PageArgs{}))(t)
	if len(page.Items) != 1 || page.Items[0].Code != procB {
		t.Errorf("procedures citing 61/2018/NĐ-CP: got %d items, want %s", len(page.Items), procB)
	}
	if p := must(e.s.Procedure(ctx, procA))(t); p != nil {
		t.Errorf("unknown procedure: got %+v, want nil", p)
	}
}

func TestDossierRoundTrip(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)

	// Received on Tuesday 20 April 2021; Wednesday 21 is Hùng Kings' day, so
	// three working days end on Monday 26.
	in := receipt(agencyA, procA, vn(4, 20, 9, 30))
	in.Code = new(agencyA + "-210420-0042")
	in.Actor, in.Note = new(" cán bộ một cửa "), new("đủ giấy tờ")
	in.Applicant.IDNumber, in.Applicant.Phone = new("079123456789"), new("0901234567")
	d := must(e.s.ReceiveDossier(ctx, in, source))(t)

	at := vn(4, 20, 9, 30).UTC()
	want := &registry.Dossier{
		Code: agencyA + "-210420-0042", ProcedureCode: procA, AgencyCode: agencyA, Channel: registry.ChannelInPerson,
		Applicant:      registry.Applicant{Name: "Nguyễn Văn An", IDNumber: "079123456789", Phone: "0901234567"},
		Status:         registry.StatusReceived,
		Version:        1,
		ProcessingDays: daysA,
		ReceivedAt:     at,
		DueDate:        "2021-04-26", AppointmentDate: "2021-04-26", OverdueFrom: "2021-04-27",
		History: []registry.Step{{
			Seq: 1, Action: registry.ActionReceive, At: at, Actor: "cán bộ một cửa", ToUnit: agencyA,
			Note: "đủ giấy tờ", StatusAfter: registry.StatusReceived, OnTime: true,
		}},
		Provenance: registry.Provenance{Source: source, Recorded: now.UTC()},
		Changed:    registry.Stamp{Seq: 5, At: now.UTC()}, // after the 4 records seeded
	}
	sameRecord(t, "received dossier", d, want)
	sameRecord(t, "stored dossier", e.stored(t, d.Code), want)

	// A due date given at the desk replaces the computed one.
	in = receipt(agencyA, procA, vn(4, 20, 9, 30))
	in.DueDate, in.DueDateReason = new(calendar.Date("2021-04-30")), new("gia hạn")
	d = must(e.s.ReceiveDossier(ctx, in, source))(t)
	if d.DueDate != "2021-04-30" || d.AppointmentDate != "2021-04-30" {
		t.Errorf("given due date: due %s, appointment %s, want 2021-04-30", d.DueDate, d.AppointmentDate)
	}
	sameRecord(t, "stored dossier with a given due date", e.stored(t, d.Code), d)

	// Online registration: no due date until the desk receives it.
	reg := receipt(agencyA, procA, vn(4, 19, 20, 0))
	reg.Channel = registry.ChannelOnline
	r := must(e.s.RegisterDossier(ctx, reg, source))(t)
	if r.Status != registry.StatusRegisteredOnline || r.DueDate != "" || r.History[0].Action != registry.ActionRegisterOnline {
		t.Errorf("registered dossier: status %s, due %q, first step %s", r.Status, r.DueDate, r.History[0].Action)
	}
	sameRecord(t, "stored registration", e.stored(t, r.Code), r)
	rcv := vn(4, 20, 8, 0)
	r = must(e.s.RecordStep(ctx, r.Code, registry.DossierStepInput{Action: registry.ActionReceive, At: &rcv}, new(1), source))(t)
	if r.Status != registry.StatusReceived || r.DueDate != "2021-04-26" || !r.ReceivedAt.Equal(rcv) || r.Version != 2 {
		t.Errorf("after RECEIVE: status %s, due %s, received %s, version %d", r.Status, r.DueDate, r.ReceivedAt, r.Version)
	}
	sameRecord(t, "stored registration after receipt", e.stored(t, r.Code), r)

	if d := must(e.s.Dossier(ctx, agencyA+"-210420-9999"))(t); d != nil {
		t.Errorf("unknown dossier: got %+v, want nil", d)
	}
}

func TestDirectiveLookupBySymbol(t *testing.T) {
	e := newEnv(t)
	ctx := storetest.Context(t)
	create := func(symbol string, issuer *string, issued calendar.Date) *registry.Directive {
		t.Helper()
		return must(e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: symbol, IssuerCode: issuer, IssuedOn: issued, Summary: new("Trích yếu")}, source))(t)
	}
	ttg := create("468/QĐ-TTg", nil, "2021-03-27")
	if ttg.Symbol.String() != "468/QĐ-TTg" || ttg.IssuerCode != "TTg" || ttg.Year != 2021 {
		t.Errorf("created %s issued by %s in %d", ttg.Symbol, ttg.IssuerCode, ttg.Year)
	}
	sameRecord(t, "stored directive", must(e.s.DirectiveByKey(ctx, ttg.Key))(t), ttg)
	decree := create("61/2018/ND-CP", nil, "2018-04-23")
	// The same symbol from two provinces, and again the next year.
	hna := create("2503/QĐ-UBND", new("UBND tỉnh Hà Nam"), "2021-06-01")
	bdi := create("2503/QD-UBND", new("UBND tỉnh Bình Định"), "2021-07-02")
	hna22 := create("2503/QĐ-UBND", new("UBND tỉnh Hà Nam"), "2022-05-05")

	keys := func(ds []*registry.Directive) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Key)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(ds ...*registry.Directive) []string { return keys(ds) }
	for _, tc := range []struct {
		symbol string
		year   *int
		want   []string
	}{
		{"468/QD-TTg", nil, sorted(ttg)},
		{"468/qđ-ttg", nil, sorted(ttg)},
		{"Số 468/QĐ-TTg", new(2021), sorted(ttg)},
		{"468/QĐ-TTg", new(2020), nil},
		{"61/2018/ND-CP", nil, sorted(decree)},
		{"2503/QD-UBND", nil, sorted(hna, bdi, hna22)},
		{"2503/QĐ-UBND", new(2021), sorted(hna, bdi)},
		{"469/QĐ-TTg", nil, nil},
	} {
		got := must(e.s.DirectivesBySymbol(ctx, tc.symbol, tc.year, ""))(t)
		if !slices.Equal(keys(got), tc.want) {
			t.Errorf("DirectivesBySymbol(%q, %v) = %q, want %q", tc.symbol, tc.year, keys(got), tc.want)
		}
	}
	got := must(e.s.DirectivesBySymbol(ctx, "468/QD-TTg", nil, ""))(t)
	if len(got) == 1 && got[0].Symbol.String() != "468/QĐ-TTg" {
		t.Errorf("ASCII lookup returned symbol %s, want the stored 468/QĐ-TTg", got[0].Symbol)
	}
	_, err := e.s.DirectivesBySymbol(ctx, "468", nil, "")
	wantError(t, err, registry.CodeBadUserInput, "symbol")
}

// indexKeys lists the key fields of every index of col, through the driver.
func (e *env) indexKeys(t *testing.T, col string) [][]string {
	t.Helper()
	ctx := storetest.Context(t)
	cur, err := e.db.Collection(col).Indexes().List(ctx)
	if err != nil {
		t.Fatalf("list indexes of %s: %v", col, err)
	}
	var specs []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatalf("decode indexes of %s: %v", col, err)
	}
	var out [][]string
	for _, s := range specs {
		var fields []string
		for _, k := range s.Key {
			fields = append(fields, k.Key)
		}
		out = append(out, fields)
	}
	return out
}

// The MongoDB way: with the memory off (on the embedded engine the store
// answers from memory and FerretDB's indexes would serve no query).
func mongoWay(c *gateway.Config) { c.DisableMemory = true }

// bothWays runs test on the embedded engine's memory and the MongoDB way
// (engine queries, memory off): the two must answer alike. On MONGODB_URI
// both are the MongoDB way.
func bothWays(t *testing.T, test func(t *testing.T, way func(*gateway.Config))) {
	t.Run("memory", func(t *testing.T) { test(t, func(*gateway.Config) {}) })
	t.Run("engine queries", func(t *testing.T) { test(t, mongoWay) })
}

func TestIndexes(t *testing.T) {
	e := newEnv(t, mongoWay)
	for col, want := range map[string][][]string{
		colAgencies:   {{"level"}},
		colProcedures: {{"agency"}, {"legalBases"}},
		colDossiers: {
			{"agency", "receivedAt"}, {"procedure", "receivedAt"}, {"status", "dueDate"}, {"receivedAt"}, {"dueDate"},
		},
		colDirectives: {{"symbolKey"}, {"year"}, {"issuerKey"}, {"issuedOn"}, {"relations.symbolKey"}, {"symbol.type"}},
	} {
		all := e.indexKeys(t, col)
		for _, keys := range want {
			if !slices.ContainsFunc(all, func(k []string) bool { return slices.Equal(k, keys) }) {
				t.Errorf("%s: no index on %v; indexes: %v", col, keys, all)
			}
		}
	}
}

// TestIndexesCoverListFilters checks the rule of docs/design.md (the embedded
// engine's rules): on MongoDB, indexes for every list filter and order are
// created at open. A filter on a field can use
// an index only when some index starts with that field.
func TestIndexesCoverListFilters(t *testing.T) {
	e := newEnv(t, mongoWay)
	for col, fields := range map[string][]string{
		colAgencies:   {"level"},                         // registry.AgencyFilter
		colProcedures: {"agency", "level", "legalBases"}, // registry.ProcedureFilter
		colDossiers: {"agency", "procedure", "status", "channel", // registry.DossierFilter and orders
			"outcome", "receivedAt", "resolvedAt", "dueDate"},
		colDirectives: {"symbolKey", "symbol.type", "issuerKey", "year", "issuedOn", // registry.DirectiveFilter, order, lookups
			"validity", "topics", "relations.symbolKey", "relations.kind", "effectiveFrom"},
	} {
		all := e.indexKeys(t, col)
		var missing []string
		for _, f := range fields {
			if !slices.ContainsFunc(all, func(k []string) bool { return k[0] == f }) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: lists filter on %s but no index starts with it (docs/design.md: indexes for every list filter); indexes: %v",
				col, strings.Join(missing, ", "), all)
		}
	}
}

// TestOpenExistingDatabase opens the store twice on one database, as every
// restart of the server does: creating indexes that exist must succeed.
func TestOpenExistingDatabase(t *testing.T) {
	cfg := storetest.Config(t)
	for i := range 2 {
		s, err := gateway.Open(storetest.Context(t), cfg)
		if err != nil {
			t.Fatalf("open #%d on database %s: %v", i+1, cfg.Database, err)
		}
		if err := s.Close(storetest.Context(t)); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
}

const (
	colAgencies   = "agencies"
	colProcedures = "procedures"
	colDossiers   = "dossiers"
	colDirectives = "directives"
)
