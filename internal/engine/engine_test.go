package engine_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

var now = time.Date(2021, 5, 31, 10, 0, 0, 0, calendar.Vietnam)

// start runs the engine on dir, stopped when the test ends (stopping twice
// is harmless).
func start(t testing.TB, dir string) *engine.Engine {
	t.Helper()
	eng, err := engine.Start(dir, nil)
	if err != nil {
		t.Fatalf("start engine on %s: %v", dir, err)
	}
	t.Cleanup(eng.Stop)
	return eng
}

// open opens a store on the engine as the server does, closed when the test ends.
func open(t *testing.T, eng *engine.Engine, when string) *gateway.Registry {
	t.Helper()
	s, err := gateway.Open(storetest.Context(t), gateway.Config{
		URI: eng.URI(), Database: "registry",
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("open store on the engine %s: %v", when, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := storetest.Context(t)
	eng := start(t, dir)
	s := open(t, eng, "at first start")

	agency, err := s.CreateAgency(ctx, registry.CreateAgencyInput{Code: "000.00.06.H56", Name: "Sở Tư pháp", Level: registry.LevelProvincial}, "test")
	if err != nil {
		t.Fatalf("create agency: %v", err)
	}
	proc, err := s.CreateProcedure(ctx, registry.CreateProcedureInput{
		Code: "1.001612", Name: "Cấp bản sao trích lục hộ tịch", Level: registry.LevelProvincial,
		AgencyCode: agency.Code, ProcessingDays: 3, LegalBases: []string{"123/2015/ND-CP"},
	}, "test")
	if err != nil {
		t.Fatalf("create procedure: %v", err)
	}
	received := time.Date(2021, 4, 20, 9, 0, 0, 0, calendar.Vietnam)
	d, err := s.ReceiveDossier(ctx, registry.ReceiveDossierInput{
		ProcedureCode: proc.Code, AgencyCode: agency.Code, Channel: registry.ChannelInPerson,
		Applicant: registry.ApplicantInput{Name: "Trần Thị Bình"}, ReceivedAt: &received,
	}, "test")
	if err != nil {
		t.Fatalf("receive dossier: %v", err)
	}
	transferred := received.Add(time.Hour)
	d, err = s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch"), At: &transferred}, new(1), "test")
	if err != nil {
		t.Fatalf("record step: %v", err)
	}
	dir1, err := s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "468/QĐ-TTg", IssuedOn: "2021-03-27"}, "test")
	if err != nil {
		t.Fatalf("create directive: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("close store: %v", err)
	}
	eng.Stop()

	eng = start(t, dir)
	// The engine kept the documents, whatever the store makes of them.
	client, err := mongo.Connect(options.Client().ApplyURI(eng.URI()))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer client.Disconnect(context.Background())
	for col, n := range map[string]int64{"agencies": 1, "procedures": 1, "dossiers": 1, "directives": 1} {
		got, err := client.Database("registry").Collection(col).CountDocuments(ctx, bson.D{})
		if err != nil || got != n {
			t.Errorf("after restart, %s holds %d documents (%v), want %d", col, got, err, n)
		}
	}

	// The server opens the store again on the same database at each start.
	s = open(t, eng, "after restart on the same directory")
	check := func(what string, got any, err error, want any) {
		t.Helper()
		if err != nil {
			t.Errorf("read %s after restart: %v", what, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after restart:\n got %+v\nwant %+v", what, got, want)
		}
	}
	gotAgency, err := s.Agency(ctx, agency.Code)
	check("agency", gotAgency, err, agency)
	gotProc, err := s.Procedure(ctx, proc.Code)
	check("procedure", gotProc, err, proc)
	gotDossier, err := s.Dossier(ctx, d.Code)
	check("dossier", gotDossier, err, d)
	gotDirective, err := s.DirectiveByKey(ctx, dir1.Key)
	check("directive", gotDirective, err, dir1)

	// The sequence of generated codes survives too.
	next, err := s.ReceiveDossier(ctx, registry.ReceiveDossierInput{
		ProcedureCode: proc.Code, AgencyCode: agency.Code, Channel: registry.ChannelInPerson,
		Applicant: registry.ApplicantInput{Name: "Lê Văn Cường"}, ReceivedAt: &received,
	}, "test")
	if err != nil {
		t.Fatalf("receive after restart: %v", err)
	}
	if want := "000.00.06.H56-210420-0002"; next.Code != want {
		t.Errorf("first code generated after restart = %q, want %q", next.Code, want)
	}
}

// TestIndexIDs: after IndexIDs, the query FerretDB's SQLite backend sends
// for a find or update by {_id: x} (metadata.IDColumn in FerretDB 1.24.2:
// `_ferretdb_sjson->'$._id' = ?`) is an index search, in every collection.
func TestIndexIDs(t *testing.T) {
	dir := t.TempDir()
	eng := start(t, dir)
	ctx := storetest.Context(t)
	client, err := mongo.Connect(options.Client().ApplyURI(eng.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database("registry")
	for _, col := range []string{"dossiers", "agencies"} {
		if _, err := db.Collection(col).InsertMany(ctx, []any{bson.D{{Key: "_id", Value: "a"}}, bson.D{{Key: "_id", Value: "b"}}}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // a second call finds the indexes there
		if n, err := eng.IndexIDs(ctx, "registry"); err != nil || n != 2 {
			t.Fatalf("IndexIDs = %d, %v; want 2 collections", n, err)
		}
	}

	sqlite, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "registry.sqlite")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlite.Close()
	rows, err := sqlite.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		var plan strings.Builder
		rows, err := sqlite.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"b"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail)
		}
		rows.Close()
		if want := "USING INDEX " + table + "_id_pushdown"; !strings.Contains(plan.String(), want) {
			t.Errorf("%s: plan %q, want %q", table, plan.String(), want)
		}
	}

	// And FerretDB still answers by _id, through the driver.
	var got bson.M
	if err := db.Collection("dossiers").FindOne(ctx, bson.D{{Key: "_id", Value: "b"}}).Decode(&got); err != nil || got["_id"] != "b" {
		t.Errorf("find by _id after the index: %v %v", got, err)
	}
}

// TestDataDirectoryHeldByOneProcess: a second engine on a data directory in
// use is refused with a message naming the process holding it (a tool run
// on a running server's directory made both disagree); once stopped, the
// directory is free again.
func TestDataDirectoryHeldByOneProcess(t *testing.T) {
	dir := t.TempDir()
	eng := start(t, dir)
	_, err := engine.Start(dir, nil)
	if err == nil || !strings.Contains(err.Error(), "in use by process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second engine on %s: %v, want a refusal naming this process", dir, err)
	}
	eng.Stop()
	again := start(t, dir)
	again.Stop()
}
