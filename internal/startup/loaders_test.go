package startup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestPageCosts: a page of dossiers with their agencies, procedures and
// those procedures' legal-basis directives costs the same number of store
// commands for 10 dossiers as for 100 with the page read by the engine
// (MongoDB's way: the loaders batch the references); from the embedded
// engine's memory it costs none: memory reads the dossiers it does not hold
// straight from the engine's SQLite, and answers the references itself.
func TestPageCosts(t *testing.T) {
	for _, c := range []struct {
		name     string
		engineIO bool
	}{{"engine query", true}, {"memory", false}} {
		t.Run(c.name, func(t *testing.T) {
			if !c.engineIO && !storetest.Embedded() {
				t.Skip("memory is kept on the embedded engine only")
			}
			pageCosts(t, c.engineIO)
		})
	}
}

func pageCosts(t *testing.T, engineIO bool) {
	var commands atomic.Int64
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		commands.Add(1)
		if testing.Verbose() {
			t.Logf("command %s %s", e.CommandName, e.Command)
		}
	}}
	st := storetest.Open(t, func(c *gateway.Config) { c.Monitor, c.DisableMemory = monitor, engineIO })
	seed(t, st)

	h := graph.WithLoaders(st, graph.NewHandler(&graph.Resolver{Registry: st, Feed: feed.New()}, graph.Options{}))
	srv := httptest.NewServer(storetest.AsDeveloper(h))
	defer srv.Close()

	const query = `query($n: Int) { dossiers(first: $n) { edges { node {
		code agency { name } procedure { name agency { name } legalBases { symbol directives { summary } } }
	} } } }`
	count := func(n int) int64 {
		before := commands.Load()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"n": n}})
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				Dossiers struct {
					Edges []struct {
						Node struct {
							Procedure struct {
								LegalBases []struct {
									Directives []struct{ Summary string }
								}
							}
						}
					}
				}
			}
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("page of %d: %v %v", n, err, out.Errors)
		}
		if got := len(out.Data.Dossiers.Edges); got != n {
			t.Fatalf("page of %d has %d dossiers", n, got)
		}
		if d := out.Data.Dossiers.Edges[0].Node.Procedure.LegalBases[0].Directives; len(d) != 1 {
			t.Fatalf("legal basis resolved to %d directives, want 1", len(d))
		}
		return commands.Load() - before
	}
	ten, hundred := count(10), count(100)
	if engineIO && ten != hundred {
		t.Errorf("store commands: %d for a page of 10, %d for a page of 100; want the same", ten, hundred)
	}
	if !engineIO && (ten != 0 || hundred != 0) {
		t.Errorf("store commands: %d for a page of 10, %d for a page of 100; want none", ten, hundred)
	}
	t.Logf("store commands per page: %d (10 dossiers), %d (100 dossiers)", ten, hundred)
}

// seed stores 2 agencies, 3 procedures each citing 2 directives, and 120
// dossiers spread over them.
func seed(t *testing.T, st *gateway.Registry) {
	t.Helper()
	ctx := storetest.Context(t)
	var recs []any
	for _, code := range []string{"000.00.06.H56", "000.00.21.H56"} {
		a, err := registry.NewAgency(registry.CreateAgencyInput{Code: code, Name: "Cơ quan " + code, Level: registry.LevelProvincial}, registry.Provenance{Source: "test"})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, a)
	}
	for i, sym := range []string{"61/2018/NĐ-CP", "107/2021/NĐ-CP"} {
		d, err := registry.NewDirective(registry.CreateDirectiveInput{Symbol: sym, IssuedOn: calendar.Date(fmt.Sprintf("%d-04-23", 2018+3*i)), Summary: new("một cửa")}, registry.Provenance{Source: "test"})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, d)
	}
	var procs []*registry.Procedure
	for i := range 3 {
		p, err := registry.NewProcedure(registry.CreateProcedureInput{Code: fmt.Sprintf("1.00161%d", i), Name: "Thủ tục", Level: registry.LevelProvincial,
			AgencyCode: "000.00.06.H56", ProcessingDays: 5, LegalBases: []string{"61/2018/NĐ-CP", "107/2021/NĐ-CP"}}, registry.Provenance{Source: "test"})
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
		recs = append(recs, p)
	}
	at := time.Date(2021, 3, 1, 9, 0, 0, 0, calendar.Vietnam)
	for i := range 120 {
		agency := []string{"000.00.06.H56", "000.00.21.H56"}[i%2]
		d, err := registry.NewDossier(registry.ReceiveDossierInput{AgencyCode: agency, Channel: registry.ChannelInPerson,
			Applicant: registry.ApplicantInput{Name: "A"}}, registry.ActionReceive,
			fmt.Sprintf("%s-210301-%04d", agency, i+1), procs[i%3], calendar.Default(), at, registry.Provenance{Source: "test"})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, d)
	}
	if _, refused, err := st.Load(ctx, recs); err != nil {
		t.Fatal(err)
	} else {
		for i, r := range refused {
			if r != nil {
				t.Fatalf("record %d refused: %v", i, r)
			}
		}
	}
}
