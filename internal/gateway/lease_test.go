package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
)

// seed creates an agency, a procedure and a received dossier through r.
func seed(t *testing.T, r *gateway.Registry) *registry.Dossier {
	t.Helper()
	ctx := storetest.Context(t)
	if _, err := r.CreateAgency(ctx, registry.CreateAgencyInput{Code: agency, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, source); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateProcedure(ctx, registry.CreateProcedureInput{Code: proc, Name: "Cấp bản sao trích lục hộ tịch",
		Level: registry.LevelProvincial, AgencyCode: agency, ProcessingDays: 3}, source); err != nil {
		t.Fatal(err)
	}
	d, err := r.ReceiveDossier(ctx, registry.ReceiveDossierInput{ProcedureCode: proc, AgencyCode: agency,
		Channel: registry.ChannelInPerson, Applicant: registry.ApplicantInput{Name: "Nguyễn Văn An"}}, source)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// transfer records a TRANSFER step to unit.
func transfer(t *testing.T, r *gateway.Registry, code, unit string) (*registry.Dossier, error) {
	return r.RecordStep(storetest.Context(t), code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: &unit}, nil, source)
}

// raw opens the MongoDB store alone on cfg's database, to read and write
// leases and records behind the gateway's back.
func raw(t *testing.T, cfg gateway.Config) *mongostore.Store {
	t.Helper()
	s, err := mongostore.Open(t.Context(), mongostore.Config{URI: cfg.URI, Database: cfg.Database})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// wantRefused checks err is Open's refusal naming the holder.
func wantRefused(t *testing.T, err error, holder *mongostore.Lease) {
	t.Helper()
	if !errors.Is(err, gateway.ErrLeaseHeld) || registry.ErrorCode(err) != registry.CodeUnavailable {
		t.Fatalf("second Open: %v, want UNAVAILABLE wrapping ErrLeaseHeld", err)
	}
	for _, want := range []string{
		fmt.Sprintf("pid %d", holder.PID), "on " + holder.Host, holder.Command,
		"since " + holder.TakenAt.Local().Format(time.RFC3339), "expiring at " + holder.ExpiresAt.Local().Format(time.RFC3339),
		"lapses by itself",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
}

// TestLeaseOneWriterAtATime: a second gateway on the database of a running
// one is refused, naming the first; once the first closes, a new one opens.
func TestLeaseOneWriterAtATime(t *testing.T) {
	cfg := storetest.Config(t)
	ctx := storetest.Context(t)
	began := time.Now()
	first, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("open with the lease: %v", time.Since(began))
	held, err := raw(t, cfg).CurrentLease(ctx, "writer")
	if err != nil || held == nil {
		t.Fatalf("lease after Open: %v %v", held, err)
	}
	host, _ := os.Hostname()
	if held.PID != os.Getpid() || held.Host != host || held.Command != filepath.Base(os.Args[0]) || held.Holder == "" {
		t.Errorf("lease names %+v, want this process", held)
	}
	_, err = gateway.Open(ctx, cfg)
	wantRefused(t, err, held)
	t.Logf("refusal: %v", err)

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	defer second.Close(ctx)
	if l, _ := raw(t, cfg).CurrentLease(ctx, "writer"); l == nil || l.Generation != held.Generation+1 || l.Holder == held.Holder {
		t.Errorf("lease after the second Open: %+v, want the next generation with a new holder", l)
	}
}

// TestLeaseSecondGatewayWritesNothing: gateways attempted again and again on
// the database while the holder records steps never get to write, so every
// step acknowledged is stored once, numbered in order.
func TestLeaseSecondGatewayWritesNothing(t *testing.T) {
	cfg := storetest.Config(t)
	ctx := storetest.Context(t)
	first, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := seed(t, first)
	const steps, attempts = 30, 10
	var wg sync.WaitGroup
	acked := make([]bool, steps)
	for i := range steps {
		wg.Go(func() {
			_, err := transfer(t, first, d.Code, fmt.Sprintf("unit %02d", i))
			acked[i] = err == nil
		})
	}
	opened := make(chan error, attempts)
	for range attempts {
		wg.Go(func() {
			other, err := gateway.Open(ctx, cfg)
			if err == nil {
				_, _ = transfer(t, other, d.Code, "intruder")
				_ = other.Close(ctx)
				opened <- errors.New("a second gateway opened while the first held the lease")
			} else if !errors.Is(err, gateway.ErrLeaseHeld) {
				opened <- err
			}
		})
	}
	wg.Wait()
	close(opened)
	for err := range opened {
		t.Error(err)
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}

	after, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close(ctx)
	got, err := after.Dossier(ctx, d.Code)
	if err != nil || got == nil {
		t.Fatalf("dossier after: %v %v", got, err)
	}
	units := map[string]int{}
	for i, s := range got.History {
		if s.Seq != i+1 {
			t.Errorf("history[%d].seq = %d, want %d", i, s.Seq, i+1)
		}
		units[s.ToUnit]++
	}
	for i, ok := range acked {
		if u := fmt.Sprintf("unit %02d", i); ok && units[u] != 1 {
			t.Errorf("acknowledged step to %s stored %d times, want once", u, units[u])
		}
	}
	if units["intruder"] != 0 || got.Version != len(got.History) {
		t.Errorf("intruder steps: %d, version %d of %d steps", units["intruder"], got.Version, len(got.History))
	}
}

// TestLeaseOfCrashedHolder: a lease left unreleased by a process that
// crashed is taken once it has lapsed; until then Open refuses, naming
// that process. With the engine in this process, a lease of another
// process is taken at once: the engine's lock on its directory says that
// process no longer runs it.
func TestLeaseOfCrashedHolder(t *testing.T) {
	ctx := storetest.Context(t)
	crashed := func(cfg gateway.Config, expires time.Time) *mongostore.Lease {
		l := &mongostore.Lease{Name: "writer", Generation: 1, Holder: "crashed", Command: "registry", PID: 999999,
			Host: "db-gateway-2", TakenAt: time.Now().Add(-time.Hour), ExpiresAt: expires}
		if err := raw(t, cfg).InsertLease(ctx, l); err != nil {
			t.Fatal(err)
		}
		return l
	}

	lapsed := storetest.Config(t)
	crashed(lapsed, time.Now().Add(-time.Second))
	r, err := gateway.Open(ctx, lapsed)
	if err != nil {
		t.Fatalf("Open over a lapsed lease: %v", err)
	}
	defer r.Close(ctx)
	if l, _ := raw(t, lapsed).CurrentLease(ctx, "writer"); l == nil || l.Generation != 2 || l.PID != os.Getpid() {
		t.Errorf("lease after taking over a lapsed one: %+v", l)
	}
	seed(t, r)

	remote := storetest.Config(t)
	remote.Engine = nil // the engine in another process: only lapsing frees the lease
	held := crashed(remote, time.Now().Add(time.Minute))
	_, err = gateway.Open(ctx, remote)
	wantRefused(t, err, held)

	if !storetest.Embedded() {
		return
	}
	local := storetest.Config(t)
	crashed(local, time.Now().Add(time.Minute))
	r, err = gateway.Open(ctx, local)
	if err != nil {
		t.Fatalf("Open with the engine in this process over a lease of another process: %v", err)
	}
	defer r.Close(ctx)
}

// logWatch signals when a record at level or above with message is logged.
type logWatch struct {
	slog.Handler
	level   slog.Level
	message string
	seen    chan struct{}
	once    sync.Once
}

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }

func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= w.level && strings.Contains(r.Message, w.message) {
		w.once.Do(func() { close(w.seen) })
	}
	return nil
}

// TestLeaseStolen: a gateway whose lease another process took (here by
// hand, as one would after it lapsed) logs an error at its next renewal and refuses every write
// afterwards, writing nothing of it.
func TestLeaseStolen(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	watch := &logWatch{Handler: slog.DiscardHandler, level: slog.LevelError, message: "lease on the database lost", seen: make(chan struct{})}
	cfg := storetest.Config(t)
	cfg.LeaseTTL, cfg.Logger = ttl, slog.New(watch)
	ctx := storetest.Context(t)
	r, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	d := seed(t, r)
	// Renewals keep it writable past its TTL.
	time.Sleep(ttl + ttl/2)
	if d, err = transfer(t, r, d.Code, "before"); err != nil {
		t.Fatalf("a step %v after Open, the lease renewed: %v", ttl+ttl/2, err)
	}

	store := raw(t, cfg)
	thief, err := store.CurrentLease(ctx, "writer")
	if err != nil || thief == nil {
		t.Fatal(thief, err)
	}
	// Taken as another process takes a lease (the next generation): a hand
	// edit of the holder's own generation is seen too, unless the holder's
	// renewal, between its check and its write, overwrites it.
	thief.Generation++
	thief.Holder, thief.PID, thief.Host, thief.ExpiresAt = "thief", 4242, "db-gateway-2", time.Now().Add(time.Hour)
	if err := store.InsertLease(ctx, thief); err != nil {
		t.Fatal(err)
	}
	stolenAt := time.Now()
	select {
	case <-watch.seen:
		t.Logf("loss logged %v after the lease was overwritten (renewal every %v)", time.Since(stolenAt), ttl/3)
	case <-time.After(2 * ttl):
		t.Fatalf("no error logged %v after the lease was stolen", 2*ttl)
	}

	_, err = transfer(t, r, d.Code, "after")
	if registry.ErrorCode(err) != registry.CodeUnavailable || !strings.Contains(err.Error(), "lost its lease") ||
		!strings.Contains(err.Error(), "pid 4242 on db-gateway-2") {
		t.Errorf("step after the lease was stolen: %v, want UNAVAILABLE saying it was lost to pid 4242", err)
	}
	_, err = r.CreateAgency(ctx, registry.CreateAgencyInput{Code: "000.00.07.H56", Name: "UBND huyện", Level: registry.LevelDistrict}, source)
	if registry.ErrorCode(err) != registry.CodeUnavailable {
		t.Errorf("agency after the lease was stolen: %v, want UNAVAILABLE", err)
	}
	if stored, err := store.Dossier(ctx, d.Code); err != nil || stored.Version != d.Version || len(stored.History) != len(d.History) {
		t.Errorf("dossier stored after the refused step: version %d, %d steps (%v); want %d and %d",
			stored.Version, len(stored.History), err, d.Version, len(d.History))
	}
	n := 0
	if err := store.EachAgency(ctx, registry.AgencyFilter{}, func(*registry.Agency) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("%d agencies stored (%v), want the one created before the theft", n, err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if l, _ := store.CurrentLease(ctx, "writer"); l == nil || l.Holder != "thief" || !l.ReleasedAt.IsZero() {
		t.Errorf("lease after the robbed gateway closed: %+v, want the thief's, unreleased", l)
	}
}

// TestLeaseLapsedWhileStoreAway: a store away for longer than the lease's
// TTL lets the lease lapse; when it is back and no other process took the
// lease meanwhile, the gateway takes the next generation and writes again.
func TestLeaseLapsedWhileStoreAway(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the proxy forwards to the embedded engine")
	}
	const ttl = 900 * time.Millisecond
	proxy := storetest.NewSlowProxy(t)
	watch := &logWatch{Handler: slog.DiscardHandler, level: slog.LevelWarn, message: "taken again", seen: make(chan struct{})}
	cfg := storetest.Config(t)
	cfg.URI, cfg.LeaseTTL, cfg.Logger = proxy.URI(), ttl, slog.New(watch)
	ctx := storetest.Context(t)
	r, err := gateway.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	d := seed(t, r)

	proxy.Hold(2 * ttl)
	select {
	case <-watch.seen:
	case <-time.After(5 * ttl):
		t.Fatal("the lapsed lease was not taken again once the store answered")
	}
	if _, err := transfer(t, r, d.Code, "after"); err != nil {
		t.Errorf("step once the lease was taken again: %v", err)
	}
	direct := cfg
	direct.URI = storetest.URI()
	if l, _ := raw(t, direct).CurrentLease(ctx, "writer"); l == nil || l.Generation != 2 || l.PID != os.Getpid() {
		t.Errorf("lease after the store came back: %+v, want generation 2, ours", l)
	}
}
