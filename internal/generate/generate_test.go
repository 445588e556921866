package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

func vn(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Vietnam)
}

// testConfig spans January to April 2021, with Now long after so that
// nearly every dossier is finished.
func testConfig(n int) Config {
	return Config{Seed: 1, Dossiers: n, From: vn(2021, 1, 1), To: vn(2021, 5, 1), Now: vn(2021, 9, 1)}
}

func collect(t testing.TB, cfg Config, ref Data) []*registry.Dossier {
	t.Helper()
	var out []*registry.Dossier
	if err := Dossiers(cfg, ref, func(d *registry.Dossier) error {
		out = append(out, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(out) != cfg.Dossiers {
		t.Fatalf("got %d dossiers, want %d", len(out), cfg.Dossiers)
	}
	return out
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReference(t *testing.T) {
	ref := Reference(7)
	if !bytes.Equal(marshal(t, ref), marshal(t, Reference(7))) {
		t.Fatal("Reference is not deterministic")
	}
	levels := map[string]registry.Level{}
	count := map[registry.Level]int{}
	for _, a := range ref.Agencies {
		if _, dup := levels[a.Code]; dup {
			t.Errorf("agency %s twice", a.Code)
		}
		levels[a.Code] = a.Level
		count[a.Level]++
	}
	if levels[CentreCode] != registry.LevelProvincial || count[registry.LevelDistrict] != 8 || count[registry.LevelCommune] != communeCount {
		t.Errorf("agencies by level: %v, centre %q", count, levels[CentreCode])
	}
	for _, a := range ref.Agencies {
		if a.ParentCode != "" && levels[a.ParentCode] != registry.LevelDistrict {
			t.Errorf("agency %s: parent %s is not a district desk", a.Code, a.ParentCode)
		}
	}
	codes := map[string]bool{}
	for _, p := range ref.Procedures {
		if codes[p.Code] {
			t.Errorf("procedure %s twice", p.Code)
		}
		codes[p.Code] = true
		if levels[p.AgencyCode] != p.Level {
			t.Errorf("procedure %s: level %s, agency %s is %s", p.Code, p.Level, p.AgencyCode, levels[p.AgencyCode])
		}
		if p.ProcessingDays < 1 || p.ProcessingDays > 30 || p.Field == "" || len(p.LegalBases) == 0 {
			t.Errorf("procedure %s: %d days, field %q, bases %v", p.Code, p.ProcessingDays, p.Field, p.LegalBases)
		}
	}
	if len(ref.Procedures) != 30 || !codes["1.003560.000.00.00.H56"] {
		t.Errorf("%d procedures; local variant present: %v", len(ref.Procedures), codes["1.003560.000.00.00.H56"])
	}
}

func TestDeterministic(t *testing.T) {
	cfg := testConfig(3000)
	cfg.Targets = map[string]Target{"2021-02": {Agency: CentreCode, Early: 300, OnTime: 50, Late: 10}}
	run := func(seed uint64) []byte {
		cfg.Seed = seed
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		if err := Dossiers(cfg, Reference(seed), func(d *registry.Dossier) error { return enc.Encode(d) }); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := run(1), run(1)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same config differ")
	}
	if bytes.Equal(a, run(2)) {
		t.Fatal("a different seed gives the same data")
	}
}

// replay rebuilds d from its own history through the domain constructors.
func replay(d *registry.Dossier, proc *registry.Procedure, cal *calendar.Calendar, now time.Time) (*registry.Dossier, error) {
	opt := func(s string) *string { return &s }
	h := d.History
	in := registry.ReceiveDossierInput{
		ProcedureCode: d.ProcedureCode, AgencyCode: d.AgencyCode, Channel: d.Channel,
		Applicant:  registry.ApplicantInput{Name: d.Applicant.Name, IDNumber: opt(d.Applicant.IDNumber), Phone: opt(d.Applicant.Phone)},
		ReceivedAt: &h[0].At, Actor: opt(h[0].Actor), Note: opt(h[0].Note),
	}
	r, err := registry.NewDossier(in, h[0].Action, d.Code, proc, cal, now, d.Provenance)
	if err != nil {
		return nil, err
	}
	for _, s := range h[1:] {
		step := registry.DossierStepInput{Action: s.Action, At: &s.At, Actor: opt(s.Actor), FromUnit: opt(s.FromUnit), ToUnit: opt(s.ToUnit), Note: opt(s.Note)}
		if s.NewDueDate != "" {
			step.NewDueDate = &s.NewDueDate
		}
		if s.Action == registry.ActionResolve {
			step.Approved = &d.Result.Approved
		}
		if err := r.Apply(step, cal, now); err != nil {
			return nil, fmt.Errorf("step %d %s: %w", s.Seq, s.Action, err)
		}
	}
	return r, nil
}

func TestDossiersObeyTheirRules(t *testing.T) {
	cfg := testConfig(5000)
	cfg.Now = vn(2021, 4, 20) // some still open, some registered but not received
	cfg.Targets = map[string]Target{"2021-03": {Agency: CentreCode, Early: 500, OnTime: 100, Late: 5}}
	ref := Reference(cfg.Seed)
	procs := map[string]*registry.Procedure{}
	for _, p := range ref.Procedures {
		procs[p.Code] = p
	}
	cal := calendar.Default()
	end := cfg.Now
	seen := map[string]bool{}
	lastSeq := map[string]int{}
	var prevFirst time.Time
	actions := map[registry.Action]int{}
	for _, d := range collect(t, cfg, ref) {
		if err := registry.CheckDossierCode(d.Code); err != nil {
			t.Fatal(err)
		}
		if seen[d.Code] {
			t.Fatalf("code %s twice", d.Code)
		}
		seen[d.Code] = true
		first := d.History[0].At
		prefix := registry.DossierCodePrefix(d.AgencyCode, first)
		if !strings.HasPrefix(d.Code, prefix) {
			t.Fatalf("%s: want prefix %s", d.Code, prefix)
		}
		// Sequences count up by one per desk and day, in arrival order.
		var seq int
		fmt.Sscanf(d.Code[len(prefix):], "%d", &seq)
		if seq != lastSeq[prefix]+1 {
			t.Fatalf("%s: sequence %d after %d", d.Code, seq, lastSeq[prefix])
		}
		lastSeq[prefix] = seq
		if first.Before(prevFirst) || first.Before(cfg.From) || !first.Before(end) {
			t.Fatalf("%s: first step %s out of order or outside the window", d.Code, first)
		}
		prevFirst = first
		for i, s := range d.History {
			actions[s.Action]++
			if s.At.After(cfg.Now) || (i > 0 && s.At.Before(d.History[i-1].At)) {
				t.Fatalf("%s: step %d at %s out of order or after Now", d.Code, s.Seq, s.At)
			}
		}
		if d.Provenance.Source != "generate seed=1" {
			t.Fatalf("%s: provenance %+v", d.Code, d.Provenance)
		}
		r, err := replay(d, procs[d.ProcedureCode], cal, cfg.Now)
		if err != nil {
			t.Fatalf("%s: replay: %v", d.Code, err)
		}
		if a, b := marshal(t, d), marshal(t, r); !bytes.Equal(a, b) || d.OverdueFrom != r.OverdueFrom {
			t.Fatalf("%s: replay differs:\n%s\n%s", d.Code, a, b)
		}
	}
	// Every kind of step occurs.
	for _, a := range []registry.Action{
		registry.ActionRegisterOnline, registry.ActionReceive, registry.ActionRefuse, registry.ActionTransfer,
		registry.ActionRequestSupplement, registry.ActionReceiveSupplement, registry.ActionRequireFinancial,
		registry.ActionApologizeResched, registry.ActionWithdraw, registry.ActionStop, registry.ActionResolve,
		registry.ActionReturnResult,
	} {
		if actions[a] == 0 {
			t.Errorf("no %s step in 5,000 dossiers", a)
		}
	}
}

func TestMix(t *testing.T) {
	ds := collect(t, testConfig(5000), Reference(1))
	channels := map[registry.Channel]int{}
	outcomes := map[registry.Outcome]int{}
	resolved := 0
	for _, d := range ds {
		channels[d.Channel]++
		if d.ResolvedAt != nil {
			outcomes[d.Outcome]++
			resolved++
		}
	}
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	for _, c := range []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"online", share(channels[registry.ChannelOnline], len(ds)), 0.35, 0.45},
		{"in person", share(channels[registry.ChannelInPerson], len(ds)), 0.50, 0.60},
		{"postal", share(channels[registry.ChannelPostal], len(ds)), 0.03, 0.07},
		{"early", share(outcomes[registry.OutcomeEarly], resolved), 0.75, 0.85},
		{"on time", share(outcomes[registry.OutcomeOnTime], resolved), 0.10, 0.20},
		{"late", share(outcomes[registry.OutcomeLate], resolved), 0.02, 0.05},
	} {
		t.Logf("%s: %.3f", c.name, c.got)
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s share %.3f, want %.2f..%.2f", c.name, c.got, c.min, c.max)
		}
	}
	if resolved < len(ds)*8/10 {
		t.Errorf("only %d of %d resolved", resolved, len(ds))
	}
}

// The seed bulletin: in March 2021 the centre resolved 5,570 dossiers,
// 4,671 early and 899 on time.
func TestTargets(t *testing.T) {
	cfg := testConfig(20000)
	cfg.Targets = map[string]Target{
		"2021-03": {Agency: CentreCode, Early: 4671, OnTime: 899},
		"2021-04": {Agency: "000.00.25.H56", Early: 100, OnTime: 20, Late: 3},
	}
	got := map[string]map[registry.Outcome]int{}
	for _, d := range collect(t, cfg, Reference(cfg.Seed)) {
		if d.ResolvedAt == nil {
			continue
		}
		key := d.AgencyCode + " " + string(calendar.DateOf(*d.ResolvedAt)[:7])
		if got[key] == nil {
			got[key] = map[registry.Outcome]int{}
		}
		got[key][d.Outcome]++
	}
	for key, want := range map[string]map[registry.Outcome]int{
		CentreCode + " 2021-03": {registry.OutcomeEarly: 4671, registry.OutcomeOnTime: 899},
		"000.00.25.H56 2021-04": {registry.OutcomeEarly: 100, registry.OutcomeOnTime: 20, registry.OutcomeLate: 3},
	} {
		if fmt.Sprint(got[key]) != fmt.Sprint(want) {
			t.Errorf("%s: resolved %v, want %v", key, got[key], want)
		}
	}
	// The rest of the centre's data stays random.
	if n := got[CentreCode+" 2021-02"]; n[registry.OutcomeEarly] == 0 || n[registry.OutcomeOnTime] == 0 {
		t.Errorf("centre in February: %v", n)
	}
}

func TestOpenAtNow(t *testing.T) {
	cfg := testConfig(3000)
	cfg.Now = time.Date(2021, 3, 10, 15, 30, 0, 0, calendar.Vietnam)
	open := 0
	for _, d := range collect(t, cfg, Reference(1)) {
		if last := d.History[len(d.History)-1]; last.At.After(cfg.Now) {
			t.Fatalf("%s: step after Now", d.Code)
		}
		if d.Status.Open() {
			open++
			if d.ResolvedAt != nil || d.Outcome != "" || d.Result != nil {
				t.Fatalf("%s: open at Now but resolved", d.Code)
			}
		}
	}
	if open == 0 {
		t.Fatal("no dossier open at Now")
	}
}

func TestConfigErrors(t *testing.T) {
	ref := Reference(1)
	for name, change := range map[string]func(*Config){
		"no Now":       func(c *Config) { c.Now = time.Time{} },
		"empty window": func(c *Config) { c.To = c.From },
		"too few": func(c *Config) {
			c.Dossiers = 10
			c.Targets = map[string]Target{"2021-03": {Agency: CentreCode, Early: 11}}
		},
		"unknown agency":  func(c *Config) { c.Targets = map[string]Target{"2021-03": {Agency: "000.00.99.H56", Early: 1}} },
		"bad month":       func(c *Config) { c.Targets = map[string]Target{"March": {Agency: CentreCode, Early: 1}} },
		"month after Now": func(c *Config) { c.Targets = map[string]Target{"2022-03": {Agency: CentreCode, Early: 1}} },
	} {
		cfg := testConfig(100)
		change(&cfg)
		if err := Dossiers(cfg, ref, func(*registry.Dossier) error { return nil }); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkDossiers generates 100,000 dossiers over 2021 per operation.
func BenchmarkDossiers(b *testing.B) {
	cfg := Config{Seed: 1, Dossiers: 100_000, From: vn(2021, 1, 1), To: vn(2022, 1, 1), Now: vn(2022, 3, 1)}
	ref := Reference(1)
	b.ReportAllocs()
	for b.Loop() {
		if err := Dossiers(cfg, ref, func(*registry.Dossier) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Dossiers*b.N)/b.Elapsed().Seconds(), "records/s")
}
