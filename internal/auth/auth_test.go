package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

const (
	agencyA = "000.00.06.H56"
	agencyB = "000.00.07.H56"
)

// code is the catalogue code of err, or "" for nil.
func code(err error) registry.Code {
	if err == nil {
		return ""
	}
	return registry.ErrorCode(err)
}

func TestCapabilities(t *testing.T) {
	const (
		ok     = registry.Code("")
		unauth = registry.CodeUnauthenticated
		forbid = registry.CodeForbidden
	)
	principals := map[string]Principal{
		"anonymous":  Anonymous(),
		"zero value": {},
		"clerk A":    {Name: "desk", Role: RoleClerk, Agency: agencyA, KeyID: "0123abcd"},
		"editor":     {Name: "ed", Role: RoleEditor, KeyID: "0123abce"},
		"auditor":    {Name: "aud", Role: RoleAuditor, KeyID: "0123abcf"},
		"admin":      {Name: "root", Role: RoleAdmin, KeyID: "0123abd0"},
		// A clerk built without an agency must not match an empty one.
		"clerk unbound": {Name: "odd", Role: RoleClerk},
	}
	type want struct {
		writeA, writeB, writeNone, edit, audit, admin, due registry.Code
		smallStats, applicantA, applicantB                 bool
	}
	tests := map[string]want{
		"anonymous":     {unauth, unauth, unauth, unauth, unauth, unauth, unauth, false, false, false},
		"zero value":    {unauth, unauth, unauth, unauth, unauth, unauth, unauth, false, false, false},
		"clerk A":       {ok, forbid, forbid, forbid, forbid, forbid, forbid, true, true, false},
		"clerk unbound": {forbid, forbid, forbid, forbid, forbid, forbid, forbid, true, false, false},
		"editor":        {forbid, forbid, forbid, ok, forbid, forbid, forbid, true, false, false},
		"auditor":       {forbid, forbid, forbid, forbid, ok, forbid, forbid, true, true, true},
		"admin":         {ok, ok, ok, ok, ok, ok, ok, true, true, true},
	}
	for name, w := range tests {
		p := principals[name]
		checks := []struct {
			what string
			got  error
			want registry.Code
		}{
			{"CanWriteDossier(A)", p.CanWriteDossier(agencyA), w.writeA},
			{"CanWriteDossier(B)", p.CanWriteDossier(agencyB), w.writeB},
			{`CanWriteDossier("")`, p.CanWriteDossier(""), w.writeNone},
			{"CanEditRegistry", p.CanEditRegistry(), w.edit},
			{"CanReadAudit", p.CanReadAudit(), w.audit},
			{"CanAdminister", p.CanAdminister(), w.admin},
			{"CanOverrideDueDate", p.CanOverrideDueDate(), w.due},
		}
		for _, c := range checks {
			if got := code(c.got); got != c.want {
				t.Errorf("%s: %s = %v (code %q), want code %q", name, c.what, c.got, got, c.want)
			}
		}
		if got := p.SeesSmallStatistics(); got != w.smallStats {
			t.Errorf("%s: SeesSmallStatistics = %v, want %v", name, got, w.smallStats)
		}
		for agency, want := range map[string]bool{agencyA: w.applicantA, agencyB: w.applicantB, "": w.applicantB} {
			if got := p.SeesApplicantOf(agency); got != want {
				t.Errorf("%s: SeesApplicantOf(%q) = %v, want %v", name, agency, got, want)
			}
			// A writer is handed the dossier it wrote: it must see all of it.
			if p.CanWriteDossier(agency) == nil && !p.SeesApplicantOf(agency) {
				t.Errorf("%s may write dossiers of %q but not see their applicant", name, agency)
			}
		}
		if err := p.CanOverrideDueDate(); err != nil {
			if e, ok := errors.AsType[*registry.Error](err); !ok || e.Field != "dueDate" {
				t.Errorf("%s: CanOverrideDueDate = %#v, want an error naming field dueDate", name, err)
			}
		}
	}
}

func TestDenialNamesNeededRole(t *testing.T) {
	clerk := Principal{Name: "desk", Role: RoleClerk, Agency: agencyA}
	tests := []struct {
		err  error
		want []string
	}{
		{clerk.CanWriteDossier(agencyB), []string{agencyB, "CLERK of that agency or ADMIN", "CLERK of agency " + agencyA}},
		{clerk.CanEditRegistry(), []string{"EDITOR or ADMIN", "CLERK"}},
		// Before the dossier is known: no agency to name, and no blank for it.
		{Principal{Role: RoleEditor}.CanWriteDossier(""), []string{"recording their steps needs role CLERK or ADMIN", "has role EDITOR"}},
		{Anonymous().CanReadAudit(), []string{"API key", "AUDITOR or ADMIN"}},
		{Principal{Role: RoleEditor}.CanAdminister(), []string{"needs role ADMIN", "has role EDITOR"}},
	}
	for _, tt := range tests {
		for _, w := range tt.want {
			if !strings.Contains(tt.err.Error(), w) {
				t.Errorf("error %q does not mention %q", tt.err, w)
			}
		}
	}
}

func TestContext(t *testing.T) {
	if got := FromContext(context.Background()); got != Anonymous() {
		t.Errorf("FromContext(empty) = %+v, want anonymous", got)
	}
	p := Principal{Name: "ed", Role: RoleEditor, KeyID: "deadbeef"}
	if got := FromContext(WithPrincipal(context.Background(), p)); got != p {
		t.Errorf("FromContext = %+v, want %+v", got, p)
	}
}
