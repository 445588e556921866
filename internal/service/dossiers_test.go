package service_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// codesFrom returns n codes under prefix from sequence number first: prefix0001, ...
func codesFrom(prefix string, first, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%04d", prefix, first+i))
	}
	return out
}

func TestGeneratedCodes(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	var got []string
	for range 3 {
		// ReceivedAt absent: received now, on 31 May 2021.
		in := receipt(agencyA, procA, now)
		in.ReceivedAt = nil
		got = append(got, must(e.s.ReceiveDossier(ctx, in, source))(t).Code)
	}
	if want := codesFrom(agencyA+"-210531-", 1, 3); !slices.Equal(got, want) {
		t.Errorf("codes received today = %q, want %q", got, want)
	}

	// The day is the day in Vietnam: 01:00 on 20 April there is still 19 April in UTC.
	d := must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(4, 20, 1, 0)), source))(t)
	if want := agencyA + "-210420-0001"; d.Code != want {
		t.Errorf("code of a receipt at 01:00 on 20 April in Vietnam = %q, want %q", d.Code, want)
	}
	// Each unit has its own sequence, and online registrations share it.
	d = must(e.s.ReceiveDossier(ctx, receipt(agencyB, procB, now), source))(t)
	if want := agencyB + "-210531-0001"; d.Code != want {
		t.Errorf("first code of another unit = %q, want %q", d.Code, want)
	}
	reg := receipt(agencyA, procA, now)
	reg.Channel = registry.ChannelOnline
	d = must(e.s.RegisterDossier(ctx, reg, source))(t)
	if want := agencyA + "-210531-0004"; d.Code != want {
		t.Errorf("code of an online registration = %q, want %q", d.Code, want)
	}
}

func TestGeneratedCodesConcurrently(t *testing.T) {
	e := seeded(t)
	const n = 50
	codes := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			d, err := e.s.ReceiveDossier(storetest.Context(t), receipt(agencyA, procA, vn(4, 20, 9, 0)), source)
			if err == nil {
				codes[i] = d.Code
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("receipt %d: %v", i, err)
		}
	}
	slices.Sort(codes)
	if want := codesFrom(agencyA+"-210420-", 1, n); !slices.Equal(codes, want) {
		t.Errorf("%d concurrent receipts got codes %q, want %q", n, codes, want)
	}
	if c := e.counts(t)[colDossiers]; c != n {
		t.Errorf("%d dossiers stored, want %d", c, n)
	}
}

func TestGeneratedCodeSkipsCodesGivenByHand(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	prefix := agencyA + "-210420-"
	generate := func() string {
		t.Helper()
		return must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(4, 20, 9, 0)), source))(t).Code
	}
	byHand := func(code string) {
		t.Helper()
		in := receipt(agencyA, procA, vn(4, 20, 9, 0))
		in.Code = &code
		must(e.s.ReceiveDossier(ctx, in, source))(t)
	}
	if got := generate(); got != prefix+"0001" {
		t.Fatalf("first generated code = %q, want %s0001", got, prefix)
	}
	byHand(prefix + "0002")
	byHand(prefix + "0003")
	if got := generate(); got != prefix+"0004" {
		t.Errorf("generated code after 0002 and 0003 were given by hand = %q, want %s0004", got, prefix)
	}
	if got := generate(); got != prefix+"0005" {
		t.Errorf("next generated code = %q, want %s0005", got, prefix)
	}
}

// TestConcurrentStepsLoseNothing is the proof docs/design.md relies on: the embedded
// engine loses concurrent updates of one document, and the store must not.
func TestConcurrentStepsLoseNothing(t *testing.T) {
	// A monotonic clock: every reading is one millisecond after the previous.
	var ticks atomic.Int64
	e := seeded(t, func(c *gateway.Config) {
		c.Now = func() time.Time { return now.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	})
	ctx := storetest.Context(t)
	in := receipt(agencyA, procA, now)
	in.ReceivedAt = nil
	d := must(e.s.ReceiveDossier(ctx, in, source))(t)

	const n = 50
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.s.RecordStep(ctx, d.Code, registry.DossierStepInput{
				Action: registry.ActionTransfer, ToUnit: new(fmt.Sprintf("unit %02d", i)),
			}, nil, source)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("step %d: %v", i, err)
		}
	}

	got := e.stored(t, d.Code)
	if len(got.History) != n+1 || got.Version != n+1 {
		t.Fatalf("after %d concurrent steps: %d history entries, version %d; want %d and %d", n, len(got.History), got.Version, n+1, n+1)
	}
	units := map[string]int{}
	for i, s := range got.History {
		if s.Seq != i+1 {
			t.Errorf("history[%d].seq = %d, want %d", i, s.Seq, i+1)
		}
		if i > 0 {
			if s.At.Before(got.History[i-1].At) {
				t.Errorf("history[%d] at %s is before history[%d] at %s", i, s.At, i-1, got.History[i-1].At)
			}
			if s.Action != registry.ActionTransfer {
				t.Errorf("history[%d].action = %s, want TRANSFER", i, s.Action)
			}
			units[s.ToUnit]++
		}
	}
	for i := range n {
		if u := fmt.Sprintf("unit %02d", i); units[u] != 1 {
			t.Errorf("transfer to %s recorded %d times, want once", u, units[u])
		}
	}
	if got.Status != registry.StatusInProcess {
		t.Errorf("status = %s, want IN_PROCESS", got.Status)
	}
}

// TestConcurrentStepsOnOneVersion: of concurrent steps that all expect the
// same version, exactly one applies.
func TestConcurrentStepsOnOneVersion(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	d := must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(4, 20, 9, 0)), source))(t)
	const n = 10
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.s.RecordStep(ctx, d.Code, registry.DossierStepInput{
				Action: registry.ActionTransfer, ToUnit: new(fmt.Sprintf("unit %d", i)),
			}, new(1), source)
		})
	}
	close(start)
	wg.Wait()
	applied := 0
	for _, err := range errs {
		switch code := registry.ErrorCode(err); {
		case err == nil:
			applied++
		case code != registry.CodeConflict:
			t.Errorf("a step on a stale version failed with %s (%v), want CONFLICT", code, err)
		}
	}
	if applied != 1 {
		t.Errorf("%d of %d steps expecting version 1 applied, want exactly 1", applied, n)
	}
	if got := e.stored(t, d.Code); got.Version != 2 || len(got.History) != 2 {
		t.Errorf("stored version %d with %d steps, want version 2 with 2 steps", got.Version, len(got.History))
	}
}

func TestRecordStepRefusals(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	d := must(e.s.ReceiveDossier(ctx, receipt(agencyA, procA, vn(4, 20, 9, 0)), source))(t)
	d = must(e.s.RecordStep(ctx, d.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch"), At: new(vn(4, 21, 9, 0))}, new(1), source))(t)
	if d.Version != 2 || d.Status != registry.StatusInProcess {
		t.Fatalf("after TRANSFER: version %d, status %s; want 2, IN_PROCESS", d.Version, d.Status)
	}

	_, err := e.s.RecordStep(ctx, agencyA+"-210420-9999", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, nil, source)
	wantError(t, err, registry.CodeNotFound, "")

	for _, tc := range []struct {
		name     string
		in       registry.DossierStepInput
		version  *int
		code     registry.Code
		field    string
		mentions string
	}{
		{"stale version", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, new(1), registry.CodeConflict, "", "version 2"},
		{"future version", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, new(7), registry.CodeConflict, "", "version 2"},
		{"illegal transition", registry.DossierStepInput{Action: registry.ActionReturnResult}, nil, registry.CodeConflict, "", "IN_PROCESS"},
		{"receive twice", registry.DossierStepInput{Action: registry.ActionReceive}, nil, registry.CodeConflict, "", "IN_PROCESS"},
		{"unknown action", registry.DossierStepInput{Action: "APPROVE"}, nil, registry.CodeBadUserInput, "action", ""},
		{"no action", registry.DossierStepInput{}, nil, registry.CodeBadUserInput, "action", ""},
		{"register online as a step", registry.DossierStepInput{Action: registry.ActionRegisterOnline}, nil, registry.CodeBadUserInput, "action", ""},
		{"transfer without unit", registry.DossierStepInput{Action: registry.ActionTransfer}, nil, registry.CodeBadUserInput, "toUnit", ""},
		{"step in the future", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x"), At: new(now.Add(2 * time.Minute))}, nil, registry.CodeBadUserInput, "at", ""},
		{"step before the previous one", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x"), At: new(vn(4, 20, 10, 0))}, nil, registry.CodeBadUserInput, "at", ""},
		{"apology without date", registry.DossierStepInput{Action: registry.ActionApologizeResched, Note: new("thiếu người ký")}, nil, registry.CodeBadUserInput, "newDueDate", ""},
		{"apology without reason", registry.DossierStepInput{Action: registry.ActionApologizeResched, NewDueDate: new(calendar.Date("2021-06-30"))}, nil, registry.CodeBadUserInput, "note", ""},
		{"resolve without decision", registry.DossierStepInput{Action: registry.ActionResolve}, nil, registry.CodeBadUserInput, "approved", ""},
		{"resolve with bad symbol", registry.DossierStepInput{Action: registry.ActionResolve, Approved: new(true), ResultSymbol: new("12-QĐ")}, nil, registry.CodeBadUserInput, "resultSymbol", ""},
		{"note with control character", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x"), Note: new("a\x07b")}, nil, registry.CodeBadUserInput, "note", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, counts := e.stored(t, d.Code), e.counts(t)
			_, err := e.s.RecordStep(ctx, d.Code, tc.in, tc.version, source)
			got := wantError(t, err, tc.code, tc.field)
			if tc.mentions != "" && !strings.Contains(got.Message, tc.mentions) {
				t.Errorf("message %q does not mention %q", got.Message, tc.mentions)
			}
			sameRecord(t, "dossier after a refused step", e.stored(t, d.Code), before)
			if after := e.counts(t); !maps.Equal(counts, after) {
				t.Errorf("a refused step changed the database: documents before %v, after %v", counts, after)
			}
		})
	}
}

// TestRecordStepStoresWhatItReturns walks a dossier through its lifecycle and
// reads it back after every step: the stored dossier must be the one the
// store returned (and published).
func TestRecordStepStoresWhatItReturns(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	d := must(e.s.ReceiveDossier(ctx, receipt(agencyB, procB, vn(4, 22, 9, 0)), source))(t)
	wantDue := e.s.Calendar().DueDate(vn(4, 22, 9, 0), daysB)
	if d.DueDate != wantDue {
		t.Errorf("due date %s, want %s", d.DueDate, wantDue)
	}
	for i, in := range []registry.DossierStepInput{
		{Action: registry.ActionTransfer, ToUnit: new("Phòng Tư pháp"), FromUnit: new("Bộ phận một cửa"), At: new(vn(4, 22, 10, 0))},
		{Action: registry.ActionRequestSupplement, Note: new("thiếu tờ khai"), At: new(vn(4, 23, 9, 0))},
		{Action: registry.ActionReceiveSupplement, At: new(vn(4, 27, 9, 0))},
		{Action: registry.ActionApologizeResched, Note: new("chờ xác minh"), NewDueDate: new(calendar.Date("2021-05-20")), At: new(vn(5, 4, 9, 0))},
		{Action: registry.ActionResolve, Approved: new(true), ResultSymbol: new("12/QD-UBND"), At: new(vn(5, 7, 15, 0))},
		{Action: registry.ActionReturnResult, At: new(vn(5, 10, 8, 0))},
	} {
		version := d.Version
		d = must(e.s.RecordStep(ctx, d.Code, in, &version, source))(t)
		if d.Version != i+2 || len(d.History) != i+2 || d.History[i+1].Action != in.Action {
			t.Errorf("after %s: version %d, %d steps", in.Action, d.Version, len(d.History))
		}
		sameRecord(t, fmt.Sprintf("stored dossier after %s", in.Action), e.stored(t, d.Code), d)
	}
	if d.Status != registry.StatusResultReturned || d.Result == nil || d.Result.Symbol != "12/QĐ-UBND" || d.ResolvedAt == nil || d.Outcome == "" {
		t.Errorf("final dossier: status %s, result %+v, resolved %v, outcome %q", d.Status, d.Result, d.ResolvedAt, d.Outcome)
	}
}

func TestOnStep(t *testing.T) {
	type event struct {
		code    string
		version int
		action  registry.Action
	}
	var (
		mu     sync.Mutex
		events []event
	)
	e := seeded(t, func(c *gateway.Config) {
		c.OnStep = func(d *registry.Dossier) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, event{d.Code, d.Version, d.History[len(d.History)-1].Action})
		}
	})
	ctx := storetest.Context(t)
	given := receipt(agencyA, procA, vn(4, 20, 9, 0))
	given.Code = new(agencyA + "-210420-0100")
	d1 := must(e.s.ReceiveDossier(ctx, given, source))(t)
	reg := receipt(agencyA, procA, vn(4, 20, 9, 0))
	reg.Channel = registry.ChannelOnline
	d2 := must(e.s.RegisterDossier(ctx, reg, source))(t)
	must(e.s.RecordStep(ctx, d1.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("x")}, nil, source))(t)

	// Refused: a duplicate, bad input, an illegal step, a stale version, an unknown dossier.
	refused := []error{
		discard(e.s.ReceiveDossier(ctx, given, source)),
		discard(e.s.ReceiveDossier(ctx, receipt(agencyA, "1.999999", vn(4, 20, 9, 0)), source)),
		discard(e.s.RecordStep(ctx, d1.Code, registry.DossierStepInput{Action: registry.ActionReceive}, nil, source)),
		discard(e.s.RecordStep(ctx, d1.Code, registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("y")}, new(1), source)),
		discard(e.s.RecordStep(ctx, agencyA+"-210420-9999", registry.DossierStepInput{Action: registry.ActionTransfer, ToUnit: new("y")}, nil, source)),
	}
	for i, err := range refused {
		if err == nil {
			t.Errorf("refused call %d succeeded", i)
		}
	}

	want := []event{
		{d1.Code, 1, registry.ActionReceive},
		{d2.Code, 1, registry.ActionRegisterOnline},
		{d1.Code, 2, registry.ActionTransfer},
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(events, want) {
		t.Errorf("OnStep saw %+v, want %+v", events, want)
	}
}

// TestEmptyGivenCodeRefused: a code given empty is refused, not replaced by
// a generated one without a word.
func TestEmptyGivenCodeRefused(t *testing.T) {
	e := seeded(t)
	for _, code := range []string{"", "   "} {
		in := receipt(agencyA, procA, vn(5, 20, 9, 0))
		in.Code = &code
		_, err := e.s.ReceiveDossier(storetest.Context(t), in, source)
		wantError(t, err, registry.CodeBadUserInput, "code")
	}
	if n := e.counts(t)["dossiers"]; n != 0 {
		t.Errorf("%d dossiers stored after refused receipts", n)
	}
}
