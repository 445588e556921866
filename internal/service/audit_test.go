package service_test

import (
	"testing"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestAuditRecordsAttempts: every attempted change is logged with who, what,
// the target and how it ended, refusals included; only auditors and
// administrators may read the log.
func TestAuditRecordsAttempts(t *testing.T) {
	s := storetest.Open(t)
	editor := auth.WithPrincipal(storetest.Context(t), auth.Principal{Name: "newsroom-editor", Role: auth.RoleEditor, KeyID: "abcd1234"})
	in := registry.CreateAgencyInput{Code: "000.00.06.H56", Name: "Trung tâm", Level: registry.LevelProvincial}
	if _, err := s.CreateAgency(editor, in, "api"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAgency(editor, in, "api"); registry.ErrorCode(err) != registry.CodeConflict {
		t.Fatalf("duplicate: %v", err)
	}
	clerk := auth.WithPrincipal(storetest.Context(t), auth.Principal{Name: "desk", Role: auth.RoleClerk, Agency: "000.00.21.H56"})
	if _, err := s.CreateAgency(clerk, registry.CreateAgencyInput{Code: "000.00.07.H56", Name: "x", Level: registry.LevelDistrict}, "api"); registry.ErrorCode(err) != registry.CodeForbidden {
		t.Fatalf("clerk editing the registry: %v, want FORBIDDEN", err)
	}

	if _, err := s.AuditLog(clerk, registry.AuditFilter{}, registry.PageArgs{}); registry.ErrorCode(err) != registry.CodeForbidden {
		t.Fatalf("clerk reading the audit log: %v, want FORBIDDEN", err)
	}
	auditor := auth.WithPrincipal(storetest.Context(t), auth.Principal{Name: "inspector", Role: auth.RoleAuditor})
	page, err := s.AuditLog(auditor, registry.AuditFilter{}, registry.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Items {
		got = append(got, e.Who+" "+e.Operation+" "+e.Target+" "+e.Result)
	}
	want := []string{ // newest first
		"desk createAgency 000.00.07.H56 FORBIDDEN",
		"newsroom-editor createAgency 000.00.06.H56 CONFLICT",
		"newsroom-editor createAgency 000.00.06.H56 OK",
	}
	if len(got) != len(want) {
		t.Fatalf("audit log %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
	if page.Items[2].KeyID != "abcd1234" || page.Items[2].Role != "EDITOR" {
		t.Errorf("entry lacks the key: %+v", page.Items[2])
	}
}

// TestNoPrincipalIsAnonymous: authorisation fails closed. Code that does not
// say who it acts for (no principal in its context) is anonymous: it may
// read, without applicants' personal data, and may change nothing; tools
// say they act as auth.System.
func TestNoPrincipalIsAnonymous(t *testing.T) {
	e := seeded(t)
	at := vn(4, 15, 9, 0)
	d := must(e.s.ReceiveDossier(storetest.Context(t), receipt(agencyA, procA, at), source))(t)
	bare := t.Context()
	_, err := e.s.CreateAgency(bare, registry.CreateAgencyInput{Code: "000.00.09.H56", Name: "Sở Y tế", Level: registry.LevelProvincial}, source)
	wantError(t, err, registry.CodeUnauthenticated, "")
	_, err = e.s.ReceiveDossier(bare, receipt(agencyA, procA, at), source)
	wantError(t, err, registry.CodeUnauthenticated, "")
	got := must(e.s.Dossier(bare, d.Code))(t)
	if got.Applicant != (registry.Applicant{}) {
		t.Errorf("a context without a principal sees the applicant %+v, want none", got.Applicant)
	}
	if got := must(e.s.Dossier(storetest.Context(t), d.Code))(t); got.Applicant.Name == "" {
		t.Error("a tool acting as auth.System does not see the applicant")
	}
}
