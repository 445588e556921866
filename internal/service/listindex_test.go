package service_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestListIndexAgreesWithEngine: every filter and order, walked page by
// page, lists the same dossiers in the same order with the same total from
// the in-memory index as from the engine's own query.
func TestListIndexAgreesWithEngine(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the list index is kept on the embedded engine only")
	}
	cfg := storetest.Config(t)
	indexed, err := gateway.Open(storetest.Context(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The MongoDB way on the same database: engine queries, whole documents.
	mongoCfg := cfg
	mongoCfg.DisableMemory, mongoCfg.Engine = true, nil
	engine, err := gateway.Open(storetest.Context(t), mongoCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close(storetest.Context(t))

	from, to := calendar.Date("2021-01-01").Time(), calendar.Date("2021-04-01").Time()
	gen := generate.Config{Seed: 7, Dossiers: 150, From: from, To: to, Now: to, Calendar: calendar.Default()}
	var recs []any
	if err := generate.Records(gen, generate.Reference(7), func(r any) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := indexed.Load(storetest.Context(t), recs); err != nil {
		t.Fatal(err)
	}
	// Opened again, the store builds its memory from the engine, reading the
	// dossiers' fields straight from SQLite, and repairs the rollups the
	// load did not write: they must equal those of the whole dossiers.
	if err := indexed.Close(storetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if indexed, err = gateway.Open(storetest.Context(t), cfg); err != nil {
		t.Fatal(err)
	}
	defer indexed.Close(storetest.Context(t))
	if drift, err := engine.VerifyRollups(storetest.Context(t)); err != nil || len(drift) > 0 {
		t.Errorf("rollups built from the scanned fields differ from the dossiers': %v %v", err, drift)
	}
	// A step through the indexed store after loading: the index follows writes.
	var open *registry.Dossier
	for _, r := range recs {
		if d, ok := r.(*registry.Dossier); ok && d.Status == registry.StatusInProcess {
			open = d
			break
		}
	}
	at := open.History[len(open.History)-1].At.Add(time.Hour)
	if _, err := indexed.RecordStep(storetest.Context(t), open.Code, registry.DossierStepInput{Action: registry.ActionWithdraw, At: &at}, nil, "test"); err != nil {
		t.Fatal(err)
	}

	str := func(s string) *string { return &s }
	tm := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
	status, outcome, channel := registry.StatusResultReturned, registry.OutcomeLate, registry.ChannelOnline
	asOf := calendar.Date("2021-03-15")
	filters := map[string]registry.DossierFilter{
		"all":       {},
		"agency":    {AgencyCode: str(generate.CentreCode)},
		"status":    {Status: &status},
		"outcome":   {Outcome: &outcome},
		"channel":   {Channel: &channel, AgencyCode: str(generate.CentreCode)},
		"received":  {ReceivedFrom: tm("2021-02-01T00:00:00+07:00"), ReceivedTo: tm("2021-03-01T00:00:00+07:00")},
		"resolved":  {ResolvedFrom: tm("2021-03-01T00:00:00+07:00")},
		"overdue":   {OverdueAsOf: &asOf},
		"procedure": {ProcedureCode: str(recs[len(generate.Reference(7).Agencies)].(*registry.Procedure).Code)},
	}
	// Every order on two filters, one order on the others: the engine path
	// scans the collection for each page, so the walk is kept short.
	for name, f := range filters {
		orders := []registry.DossierOrder{registry.OrderByReceivedDesc}
		if name == "all" || name == "agency" {
			orders = []registry.DossierOrder{registry.OrderByCode, registry.OrderByReceivedAt, registry.OrderByReceivedDesc, registry.OrderByDueDate}
		}
		for _, o := range orders {
			t.Run(fmt.Sprintf("%s/%s", name, o), func(t *testing.T) {
				a, na := walkAll(t, indexed, f, o)
				b, nb := walkAll(t, engine, f, o)
				if na != nb || fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("index lists %d (total %d), engine %d (total %d)\nindex  %v\nengine %v", len(a), na, len(b), nb, a, b)
				}
			})
		}
	}
}

// walkAll lists every dossier matching f in order o, 30 at a time.
func walkAll(t *testing.T, s *gateway.Registry, f registry.DossierFilter, o registry.DossierOrder) (codes []string, total int) {
	t.Helper()
	first := 30
	var after *string
	for range 1000 {
		page, err := s.Dossiers(storetest.Context(t), f, o, registry.PageArgs{First: &first, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if total, err = page.TotalCount(storetest.Context(t)); err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Items {
			codes = append(codes, d.Code)
		}
		if !page.HasNext {
			return codes, total
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
	t.Fatal("paging did not end")
	return nil, 0
}
