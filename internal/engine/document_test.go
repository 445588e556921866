package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/historytest"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

var docNow = time.Date(2021, 12, 31, 10, 0, 0, 0, calendar.Vietnam)

// openMemory opens the registry as the server does: memory over the
// engine, reading it directly.
func openMemory(t testing.TB, eng *engine.Engine) *gateway.Registry {
	t.Helper()
	s, err := gateway.Open(context.Background(), gateway.Config{URI: eng.URI(), Database: "registry", Engine: eng,
		Now: func() time.Time { return docNow }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// dossiersCollection is the engine's dossiers through the driver, as the
// MongoDB store reads them.
func dossiersCollection(t testing.TB, eng *engine.Engine) *mongo.Collection {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(eng.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database("registry").Collection("dossiers")
}

// load stores the reference agencies and procedures and n generated
// dossiers, returning the reference.
func load(t testing.TB, ctx context.Context, s *gateway.Registry, n int) generate.Data {
	t.Helper()
	ref := generate.Reference(1)
	cfg := generate.Config{Seed: 1, Dossiers: n, From: time.Date(2021, 1, 1, 0, 0, 0, 0, calendar.Vietnam),
		To: time.Date(2021, 12, 1, 0, 0, 0, 0, calendar.Vietnam), Now: docNow}
	var batch []any
	flush := func() error {
		_, refused, err := s.Load(ctx, batch)
		for _, r := range refused {
			if r != nil && err == nil {
				err = r
			}
		}
		batch = batch[:0]
		return err
	}
	err := generate.Records(cfg, ref, func(r any) error {
		if batch = append(batch, r); len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return ref
}

// TestDocumentMatchesFind: every dossier read straight from SQLite
// (Engine.Document) is the one FerretDB's find answers, decoded alike:
// generated histories, histories recorded through the service, and
// dossiers loaded with every field set or left empty; and memory, cold,
// answers the same.
func TestDocumentMatchesFind(t *testing.T) {
	eng := start(t, t.TempDir())
	ctx := storetest.Context(t)
	s := openMemory(t, eng)
	ref := load(t, ctx, s, 300)
	recordHistories(t, ctx, s, ref, 40)
	loadEdgeCases(t, ctx, s, ref)

	col := dossiersCollection(t, eng)
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var found []*registry.Dossier
	if err := cur.All(ctx, &found); err != nil {
		t.Fatal(err)
	}
	if len(found) < 340 {
		t.Fatalf("%d dossiers stored, want at least 340", len(found))
	}
	for _, want := range found {
		var got registry.Dossier
		ok, err := eng.Document(ctx, "registry", "dossiers", want.Code, &got)
		if err != nil || !ok {
			t.Fatalf("Document(%s) = %v, %v", want.Code, ok, err)
		}
		if !reflect.DeepEqual(&got, want) {
			t.Errorf("%s from SQLite:\n got %+v\nfrom find:\nwant %+v", want.Code, got, *want)
		}
		// The BSON itself, byte for byte: types (int32, int64, double) and
		// the order of keys included.
		var gotRaw bson.Raw
		if _, err := eng.Document(ctx, "registry", "dossiers", want.Code, &gotRaw); err != nil {
			t.Fatal(err)
		}
		wantRaw, err := col.FindOne(ctx, bson.D{{Key: "_id", Value: want.Code}}).Raw()
		if err != nil || !bytes.Equal(gotRaw, wantRaw) {
			t.Errorf("%s from SQLite:\n got %s\nfrom find (%v):\nwant %s", want.Code, gotRaw, err, wantRaw)
		}
	}

	for _, missing := range [][3]string{{"registry", "dossiers", "000.00.06.H56-210101-9999"}, {"registry", "nothing", "a"}, {"nowhere", "dossiers", "a"}} {
		var d registry.Dossier
		if ok, err := eng.Document(ctx, missing[0], missing[1], missing[2], &d); ok || err != nil {
			t.Errorf("Document(%q) = %v, %v; want not found", missing, ok, err)
		}
	}

	// Memory opened again holds no dossier whole: it reads each from SQLite.
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	cold := openMemory(t, eng)
	for _, want := range found {
		got, err := cold.Dossier(ctx, want.Code)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s through memory: %v\n got %+v\nwant %+v", want.Code, err, got, want)
		}
	}
}

// TestDocumentEveryType: documents holding every type FerretDB stores
// read from SQLite as the BSON FerretDB's find answers, byte for byte.
func TestDocumentEveryType(t *testing.T) {
	eng := start(t, t.TempDir())
	ctx := storetest.Context(t)
	col := dossiersCollection(t, eng)
	docs := []bson.D{
		{{Key: "_id", Value: "scalars"}, {Key: "double", Value: 1.0}, {Key: "fraction", Value: -2.5e-300}, {Key: "big", Value: 1e300},
			{Key: "int32", Value: int32(math.MinInt32)}, {Key: "int64", Value: int64(math.MaxInt64)}, {Key: "true", Value: true}, {Key: "false", Value: false},
			{Key: "date", Value: bson.DateTime(-1)}, {Key: "null", Value: nil}, {Key: "timestamp", Value: bson.Timestamp{T: 1 << 31, I: 7}},
			{Key: "string", Value: "Đ \"q\" \\ <a&b> \u2028 \n 🙂"}, {Key: "", Value: "empty key"}, {Key: "ünï", Value: ""}},
		{{Key: "_id", Value: "encoded"}, {Key: "binary", Value: bson.Binary{Subtype: 0x80, Data: []byte{0, 1, 255}}},
			{Key: "generic", Value: bson.Binary{Data: []byte("abc")}}, {Key: "oid", Value: bson.NewObjectID()},
			{Key: "regex", Value: bson.Regex{Pattern: `^a.*"b"$`, Options: "im"}}},
		{{Key: "_id", Value: "nested"}, {Key: "empty", Value: bson.D{}}, {Key: "none", Value: bson.A{}},
			{Key: "deep", Value: bson.D{{Key: "a", Value: bson.A{bson.D{{Key: "b", Value: bson.D{}}, {Key: "c", Value: bson.A{int32(1), "x", nil}}}, bson.D{}}}}},
			{Key: "mixed", Value: bson.A{nil, 1.5, int64(2), bson.DateTime(3), true}}},
		{{Key: "_id", Value: "only"}},
	}
	for _, d := range docs {
		if _, err := col.InsertOne(ctx, d); err != nil {
			t.Fatalf("insert %v: %v", d[0].Value, err)
		}
	}
	if _, err := eng.IndexIDs(ctx, "registry"); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		var got bson.Raw
		if ok, err := eng.Document(ctx, "registry", "dossiers", d[0].Value.(string), &got); !ok || err != nil {
			t.Fatalf("Document(%s) = %v, %v", d[0].Value, ok, err)
		}
		want, err := col.FindOne(ctx, bson.D{{Key: "_id", Value: d[0].Value}}).Raw()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s from SQLite:\n got %s\nfrom find (%v):\nwant %s", d[0].Value, got, err, want)
		}
	}
}

// recordHistories receives or registers n dossiers through the service and
// records random steps on them.
func recordHistories(t *testing.T, ctx context.Context, s *gateway.Registry, ref generate.Data, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	channels := []registry.Channel{registry.ChannelInPerson, registry.ChannelOnline, registry.ChannelPostal}
	for i := range n {
		p := ref.Procedures[r.IntN(len(ref.Procedures))]
		when := time.Date(2021, 3, 1, 8, 0, 0, 0, calendar.Vietnam).Add(time.Duration(r.Int64N(int64(150 * 24 * time.Hour))))
		in := registry.ReceiveDossierInput{ProcedureCode: p.Code, AgencyCode: p.AgencyCode, Channel: channels[r.IntN(3)],
			Applicant: registry.ApplicantInput{Name: fmt.Sprintf("Nguyễn Văn %d", i)}, ReceivedAt: &when}
		if i%2 == 0 {
			in.Applicant.IDNumber, in.Applicant.Phone = new("034090001234"), new("0912345678")
		}
		if i%5 == 0 {
			in.Actor, in.Note = new("Cán bộ một cửa"), new(`Ghi chú "có" <ký tự> & \ đặc biệt 🙂`)
		}
		var d *registry.Dossier
		var err error
		if in.Channel == registry.ChannelOnline && i%3 == 0 {
			d, err = s.RegisterDossier(ctx, in, "test")
		} else {
			if i%4 == 0 {
				in.DueDate, in.DueDateReason = new(calendar.DateOf(when).AddDays(r.IntN(20))), new("gia hạn")
			}
			d, err = s.ReceiveDossier(ctx, in, "test")
		}
		if err != nil {
			t.Fatalf("create dossier: %v", err)
		}
		for range r.IntN(9) {
			allowed := registry.AllowedActions(d.Status)
			if when = when.Add(historytest.Gap(r)); len(allowed) == 0 || when.After(docNow) {
				break
			}
			at := when
			if d, err = s.RecordStep(ctx, d.Code, historytest.StepInput(r, historytest.NextAction(r, allowed), &at, ""), nil, "test"); err != nil {
				t.Fatalf("step on %s: %v", d.Code, err)
			}
		}
	}
}

// loadEdgeCases loads a dossier with every field set, values at the edges
// of their types included, and one with every field it can leave empty.
func loadEdgeCases(t *testing.T, ctx context.Context, s *gateway.Registry, ref generate.Data) {
	t.Helper()
	p := ref.Procedures[0]
	at := time.Date(2021, 6, 1, 9, 30, 15, 123_456_789, calendar.Vietnam)
	full := &registry.Dossier{Code: p.AgencyCode + "-210601-0001", ProcedureCode: p.Code, AgencyCode: p.AgencyCode,
		Channel: registry.ChannelPostal, Status: registry.StatusResultReturned, Version: 1 << 40, ProcessingDays: -3,
		Applicant:  registry.Applicant{Name: "Lê Thị \u0000Hoa\n\t", IDNumber: "001", Phone: "+84"},
		ReceivedAt: at, DueDate: "2021-06-04", AppointmentDate: "2021-06-10", SupplementRequests: 2,
		PausedAt: new(at.Add(time.Hour)), PausedDays: 5, OverdueFrom: "2021-06-05", ResolvedAt: new(at.Add(48 * time.Hour)),
		Outcome: registry.OutcomeLate, NationalOutcome: registry.OutcomeOnTime, WorkingDaysTaken: new(0),
		Result: &registry.Result{Approved: false, Symbol: "12/QĐ-UBND"},
		History: []registry.Step{
			{Seq: 1, Action: registry.ActionReceive, At: at, Actor: "A", FromUnit: "Một cửa", ToUnit: "Phòng 1", Note: `"\u2028"`,
				StatusBefore: registry.StatusRegisteredOnline, StatusAfter: registry.StatusReceived, OnTime: true, NewDueDate: "2021-06-04"},
			{Seq: 2, Action: registry.ActionReturnResult, At: time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC), StatusAfter: registry.StatusResultReturned},
		},
		Provenance: registry.Provenance{Source: "import.csv", Caller: "key-1", Excerpt: "…", Offset: 1<<31 + 5, Length: -1, Recorded: at},
	}
	empty := &registry.Dossier{Code: p.AgencyCode + "-210601-0002", ProcedureCode: p.Code, AgencyCode: p.AgencyCode}
	if _, refused, err := s.Load(ctx, []any{full, empty}); err != nil || refused[0] != nil || refused[1] != nil {
		t.Fatalf("load edge cases: %v %v", err, refused)
	}
}

// BenchmarkDocument reads one dossier among 20,000 by _id: through
// FerretDB's find (as the MongoDB store does) and straight from SQLite.
//
//	go test ./internal/engine -run '^$' -bench Document -benchtime 3s
func BenchmarkDocument(b *testing.B) {
	eng := start(b, b.TempDir())
	ctx := storetest.Context(b)
	s := openMemory(b, eng)
	load(b, ctx, s, 20_000)
	var codes []string
	if err := s.EachDossier(ctx, registry.DossierFilter{}, func(d *registry.Dossier) error {
		codes = append(codes, d.Code)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	col := dossiersCollection(b, eng)
	r := rand.New(rand.NewPCG(1, 1))
	b.Run("find", func(b *testing.B) {
		for b.Loop() {
			var d registry.Dossier
			if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: codes[r.IntN(len(codes))]}}).Decode(&d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		for b.Loop() {
			var d registry.Dossier
			if ok, err := eng.Document(ctx, "registry", "dossiers", codes[r.IntN(len(codes))], &d); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}
