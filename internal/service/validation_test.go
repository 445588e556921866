package service_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// call is one store write, reduced to its error.
type call func(ctx context.Context, s *gateway.Registry) error

func discard[T any](_ T, err error) error { return err }

// assertRefused runs each case on one seeded store and checks the error code
// and field and that no collection gained or lost a document.
func assertRefused(t *testing.T, e *env, code registry.Code, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts(t)
			err := tc.do(storetest.Context(t), e.s)
			wantError(t, err, code, tc.field)
			if after := e.counts(t); !maps.Equal(before, after) {
				t.Errorf("a refused write changed the database: documents before %v, after %v", before, after)
			}
		})
	}
}

type refusal struct {
	name  string
	field string // "" when the error names no field
	do    call
}

func TestDuplicateKeysAreConflicts(t *testing.T) {
	e := seeded(t)
	ctx := storetest.Context(t)
	code := agencyA + "-210420-0001"
	in := receipt(agencyA, procA, vn(4, 20, 9, 0))
	in.Code = &code
	must(e.s.ReceiveDossier(ctx, in, source))(t)
	must(e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "468/QĐ-TTg", IssuedOn: "2021-03-27"}, source))(t)

	assertRefused(t, e, registry.CodeConflict, []refusal{
		{"agency", "", func(ctx context.Context, s *gateway.Registry) error {
			return discard(s.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyA, Name: "Another", Level: registry.LevelCentral}, source))
		}},
		{"procedure", "", func(ctx context.Context, s *gateway.Registry) error {
			return discard(s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: procA, Name: "Another", Level: registry.LevelCentral, AgencyCode: agencyB, ProcessingDays: 1}, source))
		}},
		{"dossier received", "", func(ctx context.Context, s *gateway.Registry) error {
			return discard(s.ReceiveDossier(ctx, in, source))
		}},
		{"dossier registered", "", func(ctx context.Context, s *gateway.Registry) error {
			reg := in
			reg.Channel = registry.ChannelOnline
			return discard(s.RegisterDossier(ctx, reg, source))
		}},
		{"directive", "", func(ctx context.Context, s *gateway.Registry) error {
			return discard(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "468/QĐ-TTg", IssuedOn: "2021-04-01"}, source))
		}},
		{"directive spelt in ASCII", "", func(ctx context.Context, s *gateway.Registry) error {
			return discard(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "468/QD-TTG", IssuerCode: new("ttg"), IssuedOn: "2021-03-27"}, source))
		}},
	})
}

func TestBadInputIsRefused(t *testing.T) {
	e := seeded(t)
	long := strings.Repeat("x", 501)

	agency := func(mod func(*registry.CreateAgencyInput)) call {
		return func(ctx context.Context, s *gateway.Registry) error {
			in := registry.CreateAgencyInput{Code: "000.00.08.H56", Name: "Phòng Tư pháp", Level: registry.LevelDistrict}
			mod(&in)
			return discard(s.CreateAgency(ctx, in, source))
		}
	}
	procedure := func(mod func(*registry.CreateProcedureInput)) call {
		return func(ctx context.Context, s *gateway.Registry) error {
			in := registry.CreateProcedureInput{Code: "2.000001", Name: "Chứng thực", Level: registry.LevelCommune, AgencyCode: agencyA, ProcessingDays: 1}
			mod(&in)
			return discard(s.CreateProcedure(ctx, in, source))
		}
	}
	// Dossiers without a code go through code generation: a refusal must not
	// take a sequence number either (the counters collection is counted too).
	receive := func(mod func(*registry.ReceiveDossierInput)) call {
		return func(ctx context.Context, s *gateway.Registry) error {
			in := receipt(agencyA, procA, vn(4, 20, 9, 0))
			mod(&in)
			return discard(s.ReceiveDossier(ctx, in, source))
		}
	}
	register := func(mod func(*registry.ReceiveDossierInput)) call {
		return func(ctx context.Context, s *gateway.Registry) error {
			in := receipt(agencyA, procA, vn(4, 20, 9, 0))
			in.Channel = registry.ChannelOnline
			mod(&in)
			return discard(s.RegisterDossier(ctx, in, source))
		}
	}
	directive := func(mod func(*registry.CreateDirectiveInput)) call {
		return func(ctx context.Context, s *gateway.Registry) error {
			in := registry.CreateDirectiveInput{Symbol: "46/QĐ-UBND", IssuedOn: "2021-01-05"}
			mod(&in)
			return discard(s.CreateDirective(ctx, in, source))
		}
	}
	future := now.Add(2 * time.Minute)

	assertRefused(t, e, registry.CodeBadUserInput, []refusal{
		{"agency code", "code", agency(func(in *registry.CreateAgencyInput) { in.Code = "H56" })},
		{"agency name missing", "name", agency(func(in *registry.CreateAgencyInput) { in.Name = "  " })},
		{"agency name too long", "name", agency(func(in *registry.CreateAgencyInput) { in.Name = long })},
		{"agency name control character", "name", agency(func(in *registry.CreateAgencyInput) { in.Name = "Phòng\x00" })},
		{"agency name invalid UTF-8", "name", agency(func(in *registry.CreateAgencyInput) { in.Name = "Ph\xffng" })},
		{"agency abbreviation too long", "abbreviation", agency(func(in *registry.CreateAgencyInput) { in.Abbreviation = new(strings.Repeat("A", 33)) })},
		{"agency level", "level", agency(func(in *registry.CreateAgencyInput) { in.Level = "WARD" })},
		{"agency parent code", "parentCode", agency(func(in *registry.CreateAgencyInput) { in.ParentCode = new("parent") })},
		{"agency parent unknown", "parentCode", agency(func(in *registry.CreateAgencyInput) { in.ParentCode = new("000.00.99.H56") })},

		{"procedure code", "code", procedure(func(in *registry.CreateProcedureInput) { in.Code = "1.0016" })},
		{"procedure name missing", "name", procedure(func(in *registry.CreateProcedureInput) { in.Name = "" })},
		{"procedure field too long", "field", procedure(func(in *registry.CreateProcedureInput) { in.Field = &long })},
		{"procedure level", "level", procedure(func(in *registry.CreateProcedureInput) { in.Level = "" })},
		{"procedure agency code", "agencyCode", procedure(func(in *registry.CreateProcedureInput) { in.AgencyCode = "Sở Tư pháp" })},
		{"procedure agency unknown", "agencyCode", procedure(func(in *registry.CreateProcedureInput) { in.AgencyCode = "000.00.99.H56" })},
		{"procedure negative days", "processingDays", procedure(func(in *registry.CreateProcedureInput) { in.ProcessingDays = -1 })},
		{"procedure too many days", "processingDays", procedure(func(in *registry.CreateProcedureInput) { in.ProcessingDays = 366 })},
		{"procedure too many legal bases", "legalBases", procedure(func(in *registry.CreateProcedureInput) { in.LegalBases = make([]string, 101) })},
		{"procedure bad legal basis", "legalBases[1]", procedure(func(in *registry.CreateProcedureInput) { in.LegalBases = []string{"61/2018/NĐ-CP", "61-2018"} })},

		{"dossier agency unknown", "agencyCode", receive(func(in *registry.ReceiveDossierInput) { in.AgencyCode = "000.00.99.H56" })},
		{"dossier agency missing", "agencyCode", receive(func(in *registry.ReceiveDossierInput) { in.AgencyCode = "" })},
		{"dossier procedure unknown", "procedureCode", receive(func(in *registry.ReceiveDossierInput) { in.ProcedureCode = "1.999999" })},
		{"dossier code", "code", receive(func(in *registry.ReceiveDossierInput) { in.Code = new("HS-0001") })},
		{"dossier code of another agency", "code", receive(func(in *registry.ReceiveDossierInput) { in.Code = new(agencyB + "-210420-0001") })},
		{"dossier channel", "channel", receive(func(in *registry.ReceiveDossierInput) { in.Channel = "FAX" })},
		{"dossier applicant missing", "applicant.name", receive(func(in *registry.ReceiveDossierInput) { in.Applicant.Name = " " })},
		{"dossier applicant id too long", "applicant.idNumber", receive(func(in *registry.ReceiveDossierInput) { in.Applicant.IDNumber = new(strings.Repeat("1", 33)) })},
		{"dossier applicant phone control", "applicant.phone", receive(func(in *registry.ReceiveDossierInput) { in.Applicant.Phone = new("090\r123") })},
		{"dossier actor too long", "actor", receive(func(in *registry.ReceiveDossierInput) { in.Actor = &long })},
		{"dossier note too long", "note", receive(func(in *registry.ReceiveDossierInput) { in.Note = new(strings.Repeat("n", 2001)) })},
		{"dossier received in the future", "receivedAt", receive(func(in *registry.ReceiveDossierInput) { in.ReceivedAt = &future })},
		{"dossier received in the future, code given", "receivedAt", receive(func(in *registry.ReceiveDossierInput) {
			in.ReceivedAt, in.Code = &future, new(agencyA+"-210531-0001")
		})},
		{"dossier due before receipt", "dueDate", receive(func(in *registry.ReceiveDossierInput) { in.DueDate = new(calendar.Date("2021-04-19")) })},
		{"registration not online", "channel", register(func(in *registry.ReceiveDossierInput) { in.Channel = registry.ChannelPostal })},
		{"registration with due date", "dueDate", register(func(in *registry.ReceiveDossierInput) { in.DueDate = new(calendar.Date("2021-04-30")) })},
		{"registration in the future", "receivedAt", register(func(in *registry.ReceiveDossierInput) { in.ReceivedAt = &future })},

		{"directive symbol", "symbol", directive(func(in *registry.CreateDirectiveInput) { in.Symbol = "QĐ-UBND" })},
		{"directive issued on missing", "issuedOn", directive(func(in *registry.CreateDirectiveInput) { in.IssuedOn = "" })},
		{"directive issued on malformed", "issuedOn", directive(func(in *registry.CreateDirectiveInput) { in.IssuedOn = "05/01/2021" })},
		{"directive year disagrees", "issuedOn", directive(func(in *registry.CreateDirectiveInput) {
			in.Symbol, in.IssuedOn = "61/2018/NĐ-CP", "2019-01-01"
		})},
		{"directive issuer too long", "issuerCode", directive(func(in *registry.CreateDirectiveInput) { in.IssuerCode = new(strings.Repeat("U", 33)) })},
		{"directive summary too long", "summary", directive(func(in *registry.CreateDirectiveInput) {
			in.Summary = new(strings.Repeat("x", registry.MaxSummaryRunes+1))
		})},
	})
}
