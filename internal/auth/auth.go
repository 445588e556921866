// Package auth identifies callers by API key and decides what their role
// lets them do. The service layer asks a Principal's capability methods;
// the gateway puts the Principal in the request context.
package auth

import (
	"context"

	"github.com/vnregistry/registry/internal/registry"
)

// Role is what a key may do. The names are the ones used in the key file.
type Role string

const (
	// RoleAnonymous reads without personal data; it is the caller with no key.
	RoleAnonymous Role = "ANONYMOUS"
	// RoleClerk receives dossiers and records their steps for one agency.
	RoleClerk Role = "CLERK"
	// RoleEditor maintains agencies, procedures, directives and reports.
	RoleEditor Role = "EDITOR"
	// RoleAuditor reads everything, the audit log included, and writes nothing.
	RoleAuditor Role = "AUDITOR"
	// RoleAdmin may do everything.
	RoleAdmin Role = "ADMIN"
)

// Principal is the caller of one request.
type Principal struct {
	// Name is the key's name from the key file, recorded in the audit log;
	// "anonymous" for a caller with no key.
	Name string
	Role Role
	// Agency is the unit id a CLERK is bound to; "" for every other role.
	Agency string
	// KeyID is the first 8 hex digits of the key's hash: safe to log and to
	// rate-limit on, useless for authenticating. "" for anonymous.
	KeyID string
}

// System is the process itself acting through one of its tools (an import,
// the sample data's load): every right, named in the audit log by tool.
// Tools say so explicitly; a context without a principal is anonymous.
func System(tool string) Principal {
	return Principal{Name: "system: " + tool, Role: RoleAdmin}
}

// Anonymous is the caller who presents no key.
func Anonymous() Principal {
	return Principal{Name: "anonymous", Role: RoleAnonymous}
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// Developer is every caller of a gateway started without a key file: local
// development, where the playground should be able to try every mutation.
// Production starts with keys (--keys) and never sees this principal.
func Developer() Principal {
	return Principal{Name: "developer", Role: RoleAdmin}
}

// FromContext returns the caller in ctx, or Anonymous() when there is none,
// so that a request that skipped authentication, or code that forgot to say
// who it acts for, gets the least rights: authorisation fails closed.
func FromContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Anonymous()
}

// authenticated reports whether p holds a key. Only the known key roles
// count, so a zero or hand-made Principal gets no more than anonymous.
func (p Principal) authenticated() bool {
	switch p.Role {
	case RoleClerk, RoleEditor, RoleAuditor, RoleAdmin:
		return true
	}
	return false
}

// SeesApplicantOf reports whether p may see the personal data (the
// applicant) of a dossier of agency. It is the only rule on it: a dossier's
// own desk, and the roles that oversee every desk (AUDITOR, ADMIN and the
// system). Other clerks, editors (who keep reference data and have no need
// of applicants) and anonymous readers see none.
func (p Principal) SeesApplicantOf(agency string) bool {
	switch p.Role {
	case RoleAdmin, RoleAuditor:
		return true
	case RoleClerk:
		return p.Agency != "" && p.Agency == agency
	}
	return false
}

// SeesSmallStatistics reports whether statistics about a handful of
// dossiers, which could point at their applicants, may be shown to p whole:
// to every key holder, never to anonymous readers.
func (p Principal) SeesSmallStatistics() bool {
	return p.authenticated()
}

// CanOverrideDueDate allows giving a receipt another due date than the one
// the procedure's processing days and the calendar give: ADMIN only. A desk
// is measured by that date, so its own clerks may not set it; an EDITOR
// corrects a procedure's processing days instead, for every later receipt.
func (p Principal) CanOverrideDueDate() error {
	if p.Role == RoleAdmin {
		return nil
	}
	err := p.deny("setting a receipt's dueDate instead of the computed one", "ADMIN")
	err.Field = "dueDate"
	return err
}

// CanWriteDossier allows receiving dossiers of agency and recording their
// steps: a CLERK bound to that agency, or ADMIN.
func (p Principal) CanWriteDossier(agency string) error {
	if p.Role == RoleAdmin || (p.Role == RoleClerk && p.Agency != "" && p.Agency == agency) {
		return nil
	}
	if agency == "" { // asked before the dossier is looked up
		return p.deny("receiving dossiers and recording their steps", "CLERK or ADMIN")
	}
	return p.deny("writing dossiers of agency "+agency, "CLERK of that agency or ADMIN")
}

// CanEditRegistry allows changing agencies, procedures, directives, reports
// and their relations, and importing bulletins: EDITOR or ADMIN.
func (p Principal) CanEditRegistry() error {
	if p.Role == RoleEditor || p.Role == RoleAdmin {
		return nil
	}
	return p.deny("editing the registry", "EDITOR or ADMIN")
}

// CanReadAudit allows reading the audit log: AUDITOR or ADMIN.
func (p Principal) CanReadAudit() error {
	if p.Role == RoleAuditor || p.Role == RoleAdmin {
		return nil
	}
	return p.deny("reading the audit log", "AUDITOR or ADMIN")
}

// CanAdminister allows operations on the whole system, such as rebuilding
// statistics: ADMIN only.
func (p Principal) CanAdminister() error {
	if p.Role == RoleAdmin {
		return nil
	}
	return p.deny("administration", "ADMIN")
}

// deny explains a refusal: UNAUTHENTICATED when a key would help, so the
// client knows to send one; FORBIDDEN when the key it sent is not enough.
func (p Principal) deny(action, roles string) *registry.Error {
	if !p.authenticated() {
		return registry.Errorf(registry.CodeUnauthenticated, "%s needs an API key with role %s", action, roles)
	}
	have := string(p.Role)
	if p.Agency != "" {
		have += " of agency " + p.Agency
	}
	return registry.Errorf(registry.CodeForbidden, "%s needs role %s; this key has role %s", action, roles, have)
}
