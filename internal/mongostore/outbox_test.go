package mongostore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/mongostore"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	agency = "000.00.06.H56"
	proc   = "1.001612"
	source = "test"
	// crashEnv tells TestHelperCrash which write to stop after ("insert",
	// "update"), crashDBEnv on which database.
	crashEnv   = "REGISTRY_TEST_CRASH_AFTER"
	crashDBEnv = "REGISTRY_TEST_CRASH_DB"
)

// openAlone opens the gateway the MongoDB way on database db: the MongoDB
// store alone, which writes rollups itself.
func openAlone(t *testing.T, db string) *gateway.Registry {
	t.Helper()
	r, err := gateway.Open(context.Background(), gateway.Config{URI: storetest.URI(), Database: db, DisableMemory: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

func seed(t *testing.T, r *gateway.Registry) {
	t.Helper()
	ctx := storetest.Context(t)
	if _, err := r.CreateAgency(ctx, registry.CreateAgencyInput{Code: agency, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, source); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateProcedure(ctx, registry.CreateProcedureInput{Code: proc, Name: "Cấp bản sao trích lục hộ tịch",
		Level: registry.LevelProvincial, AgencyCode: agency, ProcessingDays: 3}, source); err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, r *gateway.Registry) *registry.Dossier {
	t.Helper()
	d, err := r.ReceiveDossier(storetest.Context(t), registry.ReceiveDossierInput{ProcedureCode: proc, AgencyCode: agency,
		Channel: registry.ChannelInPerson, Applicant: registry.ApplicantInput{Name: "Nguyễn Văn An"}}, source)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func step(t *testing.T, r *gateway.Registry, code string, in registry.DossierStepInput) {
	t.Helper()
	if _, err := r.RecordStep(storetest.Context(t), code, in, nil, source); err != nil {
		t.Fatalf("%s: %v", in.Action, err)
	}
}

// rawDB is a driver handle on db, to look behind the store.
func rawDB(t *testing.T, db string) *mongo.Database {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(storetest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(db)
}

type pending struct {
	Code    string     `bson:"_id"`
	Entries []bson.Raw `bson:"rollupOutbox"`
}

// pendingOutboxes lists the dossiers holding rollup outbox entries.
func pendingOutboxes(t *testing.T, db *mongo.Database) []pending {
	t.Helper()
	cur, err := db.Collection("dossiers").Find(t.Context(), bson.D{{Key: "rollupOutbox.id", Value: bson.D{{Key: "$gt", Value: ""}}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []pending
	if err := cur.All(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHelperCrash is the process TestCrashBetweenDossierAndRollups kills:
// it records a receipt and a withdrawal, and exits with status 3 right after
// the dossier write named by crashEnv, before the rollups' update.
func TestHelperCrash(t *testing.T) {
	after := os.Getenv(crashEnv)
	if after == "" {
		t.Skip("a subprocess of TestCrashBetweenDossierAndRollups")
	}
	r := openAlone(t, os.Getenv(crashDBEnv))
	seed(t, r)
	crash := func() { os.Exit(3) }
	if after == "insert" {
		mongostore.SetAfterDossierWrite(crash)
	}
	d := receive(t, r)
	mongostore.SetAfterDossierWrite(crash)
	step(t, r, d.Code, registry.DossierStepInput{Action: registry.ActionWithdraw})
	t.Fatal("the process outlived the dossier write")
}

// TestCrashBetweenDossierAndRollups kills a process between a dossier's
// write and its rollups' update, then shows the next store to open applies
// the change owed without a rebuild, and that applying it again changes
// nothing.
func TestCrashBetweenDossierAndRollups(t *testing.T) {
	for _, after := range []string{"insert", "update"} {
		t.Run(after, func(t *testing.T) {
			cfg := storetest.Config(t)
			if transactional(t, cfg.Database) {
				t.Skip("the deployment runs transactions: no outbox to crash between")
			}
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperCrash$")
			cmd.Env = append(os.Environ(), crashEnv+"="+after, crashDBEnv+"="+cfg.Database, "MONGODB_URI="+storetest.URI())
			out, err := cmd.CombinedOutput()
			if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != 3 {
				t.Fatalf("helper: %v, want exit status 3\n%s", err, out)
			}
			db := rawDB(t, cfg.Database)
			left := pendingOutboxes(t, db)
			if len(left) != 1 || len(left[0].Entries) != 1 {
				t.Fatalf("after the crash: %d dossiers with outbox entries (%v), want one with one", len(left), left)
			}
			code, entry := left[0].Code, left[0].Entries[0]

			// A store opening within the grace leaves the entry to its
			// writer: the rollups are behind the dossier.
			r := openAlone(t, cfg.Database)
			if drift, err := r.VerifyRollups(storetest.Context(t)); err != nil || len(drift) == 0 {
				t.Fatalf("VerifyRollups after the crash: %v %v, want the withdrawal or receipt missing", drift, err)
			}
			if after == "insert" {
				// A step recorded meanwhile keeps the entry still owed.
				step(t, r, code, registry.DossierStepInput{Action: registry.ActionWithdraw})
				if left := pendingOutboxes(t, db); len(left) != 1 || len(left[0].Entries) != 1 || !bytes.Equal(left[0].Entries[0], entry) {
					t.Fatalf("after a step over the crashed receipt: %v, want the receipt's entry alone", left)
				}
			}
			if err := r.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			mongostore.SetOutboxGrace(0)
			t.Cleanup(func() { mongostore.SetOutboxGrace(time.Minute) })
			s, err := mongostore.Open(context.Background(), mongostore.Config{URI: storetest.URI(), Database: cfg.Database, Alone: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			verifyClean(t, s, db, "after the sweep at open")

			// A sweep stopped after applying, before removing, leaves the
			// entry: applying it again changes nothing.
			if _, err := db.Collection("dossiers").UpdateOne(t.Context(), bson.D{{Key: "_id", Value: code}},
				bson.D{{Key: "$push", Value: bson.D{{Key: "rollupOutbox", Value: entry}}}}); err != nil {
				t.Fatal(err)
			}
			if err := s.SweepOutboxes(t.Context()); err != nil {
				t.Fatal(err)
			}
			verifyClean(t, s, db, "after applying the same entry again")
		})
	}
}

// transactional opens a store on db to learn whether it writes a dossier
// and its rollups in one transaction.
func transactional(t *testing.T, db string) bool {
	t.Helper()
	s, err := mongostore.Open(context.Background(), mongostore.Config{URI: storetest.URI(), Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	return s.Transactions()
}

func verifyClean(t *testing.T, s *mongostore.Store, db *mongo.Database, when string) {
	t.Helper()
	if drift, err := s.VerifyRollups(t.Context()); err != nil || len(drift) > 0 {
		t.Errorf("VerifyRollups %s: %v %v", when, drift, err)
	}
	if left := pendingOutboxes(t, db); len(left) > 0 {
		t.Errorf("outbox entries %s: %v", when, left)
	}
}

// TestOutboxesFinishedByTheirWriters records many steps the MongoDB way:
// each writer applies its entry, removes it and pulls its id from the
// rollups, so nothing is left for a sweep and the rollups are exact.
func TestOutboxesFinishedByTheirWriters(t *testing.T) {
	cfg := storetest.Config(t)
	r := openAlone(t, cfg.Database)
	seed(t, r)
	const n = 30
	start := time.Now()
	for i := range n {
		d := receive(t, r)
		step(t, r, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch")})
		if i%3 == 0 {
			step(t, r, d.Code, registry.DossierStepInput{Action: registry.ActionWithdraw})
		} else {
			step(t, r, d.Code, registry.DossierStepInput{Action: registry.ActionResolve, Approved: new(i%2 == 0)})
		}
	}
	t.Logf("%d dossiers, %d writes in %v", n, 3*n, time.Since(start).Round(time.Millisecond))
	db := rawDB(t, cfg.Database)
	if left := pendingOutboxes(t, db); len(left) > 0 {
		t.Errorf("outbox entries left after the steps: %v", left)
	}
	var applied []string
	if err := db.Collection("rollups").Distinct(t.Context(), "appliedOutbox", bson.D{}).Decode(&applied); err != nil {
		t.Fatal(err)
	}
	if len(applied) > 0 {
		t.Errorf("rollups still list %d applied outbox ids, want none: %v", len(applied), applied)
	}
	if drift, err := r.VerifyRollups(storetest.Context(t)); err != nil || len(drift) > 0 {
		t.Errorf("VerifyRollups: %v %v", drift, err)
	}
}

// TestTransactionsDetected: Open reads hello; FerretDB is standalone.
func TestTransactionsDetected(t *testing.T) {
	for _, tc := range []struct {
		hello bson.M
		want  bool
	}{
		{bson.M{"isWritablePrimary": true, "setName": "rs0", "hosts": bson.A{"a:27017"}}, true},
		{bson.M{"isWritablePrimary": true, "msg": "isdbgrid"}, true},
		{bson.M{"isWritablePrimary": true}, false},
		{nil, false},
	} {
		if got := mongostore.SupportsTransactions(tc.hello); got != tc.want {
			t.Errorf("hello %v: transactions %v, want %v", tc.hello, got, tc.want)
		}
	}
	if storetest.Embedded() && transactional(t, storetest.Database(t)) {
		t.Error("the embedded FerretDB is taken for a deployment with transactions")
	}
}
