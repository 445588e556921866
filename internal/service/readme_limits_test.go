package service_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestReadmeInputLimits reads the table of input limits (the README links
// it: docs/limits-and-errors.md) and holds the registry to every row: the
// limit is accepted, one beyond it refused as BAD_USER_INPUT naming the
// field. A row without a check here fails, so the table cannot promise what
// nothing verifies.
func TestReadmeInputLimits(t *testing.T) {
	readme, err := os.ReadFile("../../docs/limits-and-errors.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "## Input limits")
	if !ok {
		t.Fatal("docs/limits-and-errors.md has no section ## Input limits")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	st := newEnv(t).s
	checks := limitChecks(t, st)
	row := regexp.MustCompile(`(?m)^\| ([^|]+) \| ([^|]+) \|`)
	bound := regexp.MustCompile(`^(?:at most (\d+)|(\d+) to (\d+)|(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d))`)
	rows := row.FindAllStringSubmatch(table, -1)
	if len(rows) < 15 {
		t.Fatalf("found %d rows in the README's input limits, want the whole table", len(rows))
	}
	for _, r := range rows[2:] { // after the header and its rule
		m := bound.FindStringSubmatch(r[2])
		if m == nil {
			t.Errorf("README row %q: limit %q is not 'at most N', 'A to B' or a date range", r[1], r[2])
			continue
		}
		for _, name := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(r[1], -1) {
			field := name[1]
			check, ok := checks[field]
			if !ok {
				t.Errorf("README limit on %q: no check in this test", field)
				continue
			}
			switch {
			case m[1] != "":
				n, _ := strconv.Atoi(m[1])
				check.accepts(t, field, n)
				check.refuses(t, field, n+1)
			case m[2] != "":
				lo, _ := strconv.Atoi(m[2])
				hi, _ := strconv.Atoi(m[3])
				check.accepts(t, field, lo)
				check.accepts(t, field, hi)
				check.refuses(t, field, lo-1)
				check.refuses(t, field, hi+1)
			default:
				check.dates(t, m[4], m[5])
			}
		}
	}
}

// limitCheck builds an input whose field has size n (characters, items or
// the value itself) and returns what the registry says of it.
type limitCheck struct {
	field string // the field the error names, when not the README's
	try   func(n int) error
	// dates checks a date range instead (the README's date row).
	dateRange func(first, last string) error
}

func (c limitCheck) accepts(t *testing.T, field string, n int) {
	t.Helper()
	if err := c.try(n); err != nil {
		t.Errorf("%s of %d: %v, want accepted as the README says", field, n, err)
	}
}

func (c limitCheck) refuses(t *testing.T, field string, n int) {
	t.Helper()
	want := field
	if c.field != "" {
		want = c.field
	}
	var e *registry.Error
	if err := c.try(n); !errors.As(err, &e) || e.Code != registry.CodeBadUserInput || e.Field != want {
		t.Errorf("%s of %d: %v, want BAD_USER_INPUT on %s as the README says", field, n, err, want)
	}
}

func (c limitCheck) dates(t *testing.T, first, last string) {
	t.Helper()
	if c.dateRange == nil {
		t.Errorf("the README's date row has no date check")
		return
	}
	if err := c.dateRange(first, last); err != nil {
		t.Error(err)
	}
}

func limitChecks(t *testing.T, st *gateway.Registry) map[string]limitCheck {
	text := func(n int) string { return strings.Repeat("ă", n) } // one character, two bytes
	texts := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	prov := registry.Provenance{Source: "test"}
	agency := func(f func(*registry.CreateAgencyInput)) func(int) error {
		return func(int) error {
			in := registry.CreateAgencyInput{Code: "000.00.31.H56", Name: "Bộ phận một cửa", Level: registry.LevelDistrict}
			f(&in)
			_, err := registry.NewAgency(in, prov)
			return err
		}
	}
	procedure := func(f func(*registry.CreateProcedureInput, int), n int) error {
		in := registry.CreateProcedureInput{Code: "1.001699", Name: "Cấp phép", Level: registry.LevelDistrict, AgencyCode: "000.00.31.H56", ProcessingDays: 5}
		f(&in, n)
		_, err := registry.NewProcedure(in, prov)
		return err
	}
	proc := &registry.Procedure{Code: "1.001699", Name: "Cấp phép", Level: registry.LevelDistrict, AgencyCode: "000.00.31.H56", ProcessingDays: 5}
	at := time.Date(2021, 4, 15, 9, 0, 0, 0, calendar.Vietnam)
	receive := func(f func(*registry.ReceiveDossierInput)) (*registry.Dossier, error) {
		in := registry.ReceiveDossierInput{ProcedureCode: proc.Code, AgencyCode: proc.AgencyCode, Channel: registry.ChannelInPerson,
			Applicant: registry.ApplicantInput{Name: "Nguyễn Văn A"}, ReceivedAt: &at}
		f(&in)
		return registry.NewDossier(in, registry.ActionReceive, registry.DossierCodePrefix(proc.AgencyCode, at)+"0001", proc, calendar.Default(), at, prov)
	}
	receipt := func(f func(*registry.ReceiveDossierInput, string), n int) error {
		_, err := receive(func(in *registry.ReceiveDossierInput) { f(in, text(n)) })
		return err
	}
	step := func(f func(*registry.DossierStepInput, string), n int) error {
		d, err := receive(func(*registry.ReceiveDossierInput) {})
		if err != nil {
			return err
		}
		later := at.Add(time.Hour)
		s := registry.DossierStepInput{Action: registry.ActionTransfer, At: &later, ToUnit: new("Phòng Tư pháp")}
		f(&s, text(n))
		return d.Apply(s, calendar.Default(), later)
	}
	directive := func(f func(*registry.CreateDirectiveInput, int), n int) error {
		in := registry.CreateDirectiveInput{Symbol: "1/QĐ-UBND", IssuedOn: "2021-04-01"}
		f(&in, n)
		_, err := registry.NewDirective(in, prov)
		return err
	}
	dates := limitCheck{dateRange: func(first, last string) error {
		for _, c := range []struct {
			date string
			ok   bool
		}{{first, true}, {last, true}, {dayBefore(first), false}, {dayAfter(last), false}} {
			_, err := calendar.ParseDate(c.date)
			at, _ := time.Parse(time.RFC3339, c.date+"T12:00:00+07:00")
			if (err == nil) != c.ok || calendar.InRange(at) != c.ok {
				return fmt.Errorf("date %s: %v, in range %v; want accepted %v as the README says", c.date, err, calendar.InRange(at), c.ok)
			}
		}
		return nil
	}}
	return map[string]limitCheck{
		"name": {try: func(n int) error { return agency(func(in *registry.CreateAgencyInput) { in.Name = text(n) })(n) }},
		"abbreviation": {try: func(n int) error {
			return agency(func(in *registry.CreateAgencyInput) { in.Abbreviation = new(text(n)) })(n)
		}},
		"field": {try: func(n int) error {
			return procedure(func(in *registry.CreateProcedureInput, n int) { in.Field = new(text(n)) }, n)
		}},
		"processingDays": {try: func(n int) error {
			return procedure(func(in *registry.CreateProcedureInput, n int) { in.ProcessingDays = n }, n)
		}},
		"legalBases": {try: func(n int) error {
			return procedure(func(in *registry.CreateProcedureInput, n int) {
				in.LegalBases = texts(n, func(i int) string { return fmt.Sprintf("%d/QĐ-UBND", i+1) })
			}, n)
		}},
		"applicant.name": {try: func(n int) error {
			return receipt(func(in *registry.ReceiveDossierInput, s string) { in.Applicant.Name = s }, n)
		}},
		"applicant.idNumber": {try: func(n int) error {
			return receipt(func(in *registry.ReceiveDossierInput, s string) { in.Applicant.IDNumber = &s }, n)
		}},
		"applicant.phone": {try: func(n int) error {
			return receipt(func(in *registry.ReceiveDossierInput, s string) { in.Applicant.Phone = &s }, n)
		}},
		"dueDateReason": {try: func(n int) error {
			return receipt(func(in *registry.ReceiveDossierInput, s string) {
				in.DueDate, in.DueDateReason = new(calendar.Date("2021-04-30")), &s
			}, n)
		}},
		"actor":    {try: func(n int) error { return step(func(in *registry.DossierStepInput, s string) { in.Actor = &s }, n) }},
		"fromUnit": {try: func(n int) error { return step(func(in *registry.DossierStepInput, s string) { in.FromUnit = &s }, n) }},
		"toUnit":   {try: func(n int) error { return step(func(in *registry.DossierStepInput, s string) { in.ToUnit = &s }, n) }},
		"note": {try: func(n int) error {
			if err := receipt(func(in *registry.ReceiveDossierInput, s string) { in.Note = &s }, n); err != nil {
				return err
			}
			return step(func(in *registry.DossierStepInput, s string) { in.Note = &s }, n)
		}},
		"symbol": {try: func(n int) error {
			// 1/QĐ-AAA…: the issuer makes up the length.
			_, err := registry.ParseSymbol("1/QĐ-" + strings.Repeat("A", n-len([]rune("01/QĐ-"))))
			return err
		}},
		"issuerCode": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) { in.IssuerCode = new(strings.Repeat("A", n)) }, n)
		}},
		"issuerName": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) { in.IssuerName = new(text(n)) }, n)
		}},
		"summary": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) { in.Summary = new(text(n)) }, n)
		}},
		"signer.name": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) { in.Signer = &registry.SignerInput{Name: new(text(n))} }, n)
		}},
		"signer.position": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) {
				in.Signer = &registry.SignerInput{Position: new(text(n))}
			}, n)
		}},
		"topics": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) {
				in.Topics = texts(n, func(i int) string { return fmt.Sprintf("chủ đề %d", i) })
			}, n)
		}},
		"topics[i]": {field: "topics[0]", try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) { in.Topics = []string{text(n)} }, n)
		}},
		"relations": {try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) {
				for i := range n {
					in.Relations = append(in.Relations, registry.RelationInput{Kind: registry.RelReferences, Symbol: fmt.Sprintf("%d/KH-UBND", i+1)})
				}
			}, n)
		}},
		"relations[i].article": {field: "relations[0].article", try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) {
				in.Relations = []registry.RelationInput{{Kind: registry.RelAmends, Symbol: "2/QĐ-UBND", Article: new(text(n))}}
			}, n)
		}},
		"relations[i].part": {field: "relations[0].part", try: func(n int) error {
			return directive(func(in *registry.CreateDirectiveInput, n int) {
				in.Relations = []registry.RelationInput{{Kind: registry.RelRepeals, Symbol: "2/QĐ-UBND", Part: new(text(n))}}
			}, n)
		}},
		"filter.search": {try: func(n int) error { _, err := registry.SearchTerms(text(n)); return err }},
		"source":        {try: func(n int) error { return registry.CheckSource(text(n)) }},
		"text": {try: func(n int) error { // bytes; over HTTP, TestBulletinLimitOverHTTP
			_, err := st.ImportBulletin(storetest.Context(t), "test", strings.Repeat("a", n), true)
			return err
		}},
		"first": {try: func(n int) error {
			_, err := st.Agencies(storetest.Context(t), registry.AgencyFilter{}, registry.PageArgs{First: &n})
			return err
		}},
		"Date":     dates,
		"DateTime": dates,
	}
}

func dayBefore(d string) string { return shiftDay(d, -1) }
func dayAfter(d string) string  { return shiftDay(d, 1) }

func shiftDay(d string, days int) string {
	t, _ := time.Parse(time.DateOnly, d)
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}
