package service_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestStepWhoseOutcomeIsUnknown: a step the engine applies but does not
// confirm before the request's deadline answers UNAVAILABLE saying it may
// have been recorded and how to check; memory follows the engine (the
// writer read the dossier back before letting go), the audit log says
// UNKNOWN, and a retry with expectedVersion never records the step twice.
func TestStepWhoseOutcomeIsUnknown(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the writer settles unknown outcomes on the embedded engine")
	}
	proxy := storetest.NewSlowProxy(t)
	e := seeded(t, func(c *gateway.Config) { c.URI = proxy.URI() })
	ctx := storetest.Context(t)
	d := must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(5, 20, 9, 0)), source))(t)

	at := vn(5, 20, 10, 0)
	step := registry.DossierStepInput{Action: registry.ActionTransfer, At: &at, ToUnit: new("Phòng Hộ tịch")}
	proxy.Hold(1500 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := e.s.RecordStep(short, d.Code, step, nil, source)
	cancel()
	got := wantError(t, err, registry.CodeUnavailable, "")
	if !strings.Contains(got.Message, "may have been recorded") || !strings.Contains(got.Message, "expectedVersion: 1") {
		t.Errorf("message %q does not say the step may be recorded and how to check", got.Message)
	}

	// The engine applied it; memory says the same.
	var stored registry.Dossier
	if err := e.db.Collection("dossiers").FindOne(ctx, bson.D{{Key: "_id", Value: d.Code}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	mem := e.stored(t, d.Code)
	if stored.Version != 2 || mem.Version != stored.Version || len(mem.History) != len(stored.History) {
		t.Errorf("after the unconfirmed step: engine version %d (%d steps), memory version %d (%d steps); want both 2",
			stored.Version, len(stored.History), mem.Version, len(mem.History))
	}
	page, err := e.s.Dossiers(ctx, registry.DossierFilter{Status: new(registry.StatusInProcess)}, "", registry.PageArgs{})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("the list index does not see the applied step: %v %d", err, len(page.Items))
	}

	// The client retries as told: with the version it had, the step is refused.
	_, err = e.s.RecordStep(ctx, d.Code, step, new(1), source)
	wantError(t, err, registry.CodeConflict, "")
	if n := len(e.stored(t, d.Code).History); n != 2 {
		t.Errorf("history has %d steps after the retry, want 2", n)
	}

	// The unknown attempt's entry is written after its answer: wait for it.
	var results []string
	for waited := time.Duration(0); len(results) < 2 && waited < 5*time.Second; waited += 50 * time.Millisecond {
		time.Sleep(50 * time.Millisecond)
		entries, err := e.s.AuditLog(ctx, registry.AuditFilter{Operation: new("recordDossierStep")}, registry.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		results = results[:0]
		for _, a := range entries.Items {
			results = append(results, a.Result)
		}
	}
	// The store's clock is fixed: both entries have the same time.
	slices.Sort(results)
	if !slices.Equal(results, []string{string(registry.CodeConflict), "UNKNOWN"}) {
		t.Errorf("audit results = %v, want the retry's CONFLICT and the first attempt's UNKNOWN", results)
	}
	if drift, err := e.s.VerifyRollups(ctx); err != nil || len(drift) > 0 {
		t.Errorf("rollups after the unconfirmed step: %v %v", drift, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("a deadline leaked out of the store")
	}
}

// TestRollupsStoredWithinAFlush: on the embedded engine memory takes a
// step's rollup change at once and writes the changed rollup documents
// within a second, not at each step; RollupLag says how far behind they are.
func TestRollupsStoredWithinAFlush(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the embedded engine's memory writes rollups in batches")
	}
	e := seeded(t)
	ctx := storetest.Context(t)
	must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(5, 20, 9, 0)), source))(t)
	stats, err := e.s.Rollup(ctx, "2021-05", "2021-05", nil)
	if err != nil || len(stats) == 0 {
		t.Fatalf("memory does not count the receipt at once: %v %v", stats, err)
	}
	stored := func() int64 {
		n, err := e.db.Collection("rollups").CountDocuments(ctx, bson.D{{Key: "_id", Value: "2021-05|" + agencyA}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for stored() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the rollup document was not written within 5 s (lag %v)", e.s.RollupLag())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if lag := e.s.RollupLag(); lag != 0 {
		t.Errorf("RollupLag after the flush = %v, want 0", lag)
	}
	if drift, err := e.s.VerifyRollups(ctx); err != nil || len(drift) > 0 {
		t.Errorf("stored rollups after the flush: %v %v", drift, err)
	}
}
