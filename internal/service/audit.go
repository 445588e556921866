package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// The changes, each audited once, here, around its use case: who tried
// what on which record, and how it ended. The use cases below know nothing
// of the audit log.

// CreateAgency registers an agency.
func (s *Service) CreateAgency(ctx context.Context, in registry.CreateAgencyInput, source string) (*registry.Agency, error) {
	return audited(ctx, s, "createAgency", fixed[*registry.Agency](in.Code), func() (*registry.Agency, error) { return s.createAgency(ctx, in, source) })
}

// CreateProcedure registers a procedure; its implementing agency must exist.
func (s *Service) CreateProcedure(ctx context.Context, in registry.CreateProcedureInput, source string) (*registry.Procedure, error) {
	return audited(ctx, s, "createProcedure", fixed[*registry.Procedure](in.Code), func() (*registry.Procedure, error) { return s.createProcedure(ctx, in, source) })
}

// CreateDirective registers a directive.
func (s *Service) CreateDirective(ctx context.Context, in registry.CreateDirectiveInput, source string) (*registry.Directive, error) {
	return audited(ctx, s, "createDirective", fixed[*registry.Directive](in.Symbol), func() (*registry.Directive, error) { return s.createDirective(ctx, in, source) })
}

// AddDirectiveRelation states a relation on the directive with key. Stating
// it again changes nothing.
func (s *Service) AddDirectiveRelation(ctx context.Context, key string, in registry.RelationInput) (*registry.Directive, error) {
	target := key + " " + string(in.Kind) + " " + in.Symbol
	return audited(ctx, s, "addDirectiveRelation", fixed[*registry.Directive](target), func() (*registry.Directive, error) { return s.addDirectiveRelation(ctx, key, in) })
}

// ReceiveDossier records a dossier handed in at a desk.
func (s *Service) ReceiveDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error) {
	return audited(ctx, s, "receiveDossier", dossierTarget(in), func() (*registry.Dossier, error) {
		return s.createDossier(ctx, in, registry.ActionReceive, source)
	})
}

// RegisterDossier records a dossier submitted online, not yet received.
func (s *Service) RegisterDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error) {
	return audited(ctx, s, "registerDossier", dossierTarget(in), func() (*registry.Dossier, error) {
		return s.createDossier(ctx, in, registry.ActionRegisterOnline, source)
	})
}

// RecordStep appends one step to a dossier's history. With expectedVersion
// the step applies only to that version (CONFLICT otherwise); without it,
// concurrent steps are applied one after another and none is lost.
func (s *Service) RecordStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int, source string) (*registry.Dossier, error) {
	target := code + " " + string(in.Action)
	return audited(ctx, s, "recordDossierStep", fixed[*registry.Dossier](target), func() (*registry.Dossier, error) {
		return s.recordStep(ctx, code, in, expectedVersion, source)
	})
}

// ImportBulletin extracts the directives and statistics reports a news text
// states and stores those not yet in the registry (nothing with dryRun,
// which is not audited: it changes nothing).
func (s *Service) ImportBulletin(ctx context.Context, source, text string, dryRun bool) (*registry.BulletinImport, error) {
	if dryRun {
		return s.importBulletin(ctx, source, text, true)
	}
	return audited(ctx, s, "importBulletin", fixed[*registry.BulletinImport](source), func() (*registry.BulletinImport, error) {
		return s.importBulletin(ctx, source, text, false)
	})
}

// Load stores validated records (see load).
func (s *Service) Load(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
	_, err = audited(ctx, s, "load", fixed[struct{}](fmt.Sprintf("%d records", len(records))), func() (struct{}, error) {
		inserted, refused, err = s.load(ctx, records)
		return struct{}{}, err
	})
	return inserted, refused, err
}

// RebuildRollups replaces the rollups with a recomputation from the
// dossiers. On MongoDB, steps recorded by other gateways while it runs may
// be missed: run VerifyRollups afterwards.
func (s *Service) RebuildRollups(ctx context.Context) (int, error) {
	return audited(ctx, s, "rebuildRollups", fixed[int](""), func() (int, error) {
		if err := canAdminister(ctx); err != nil {
			return 0, err
		}
		return s.store.RebuildRollups(ctx)
	})
}

// fixed is a target known before the change.
func fixed[T any](target string) func(T, error) string {
	return func(T, error) string { return target }
}

// dossierTarget names the dossier a receipt created, or the one it asked
// for, and the due date it gave instead of the computed one, with the reason:
// setting it is a privileged act, recorded whether it was allowed or not.
func dossierTarget(in registry.ReceiveDossierInput) func(*registry.Dossier, error) string {
	return func(d *registry.Dossier, _ error) string {
		target := in.AgencyCode
		switch {
		case d != nil:
			target = d.Code
		case in.Code != nil:
			target = *in.Code
		}
		if in.DueDate != nil {
			target += " dueDate " + string(*in.DueDate)
		}
		if in.DueDateReason != nil {
			target += ": " + strings.TrimSpace(*in.DueDateReason)
		}
		return clipTarget(target)
	}
}

// maxTargetRunes bounds what the unchecked text of a refused receipt (its
// code, a reason) writes into the audit log.
const maxTargetRunes = 600

// clipTarget is target as the audit log records it: without invisible
// characters, and cut at maxTargetRunes.
func clipTarget(target string) string {
	target = registry.Visible(target)
	if utf8.RuneCountInString(target) <= maxTargetRunes {
		return target
	}
	return string([]rune(target)[:maxTargetRunes]) + "…"
}

// audited runs a change and records its outcome for the caller in ctx.
func audited[T any](ctx context.Context, s *Service, operation string, target func(T, error) string, change func() (T, error)) (T, error) {
	v, err := change()
	s.audit(ctx, operation, target(v, err), err)
	return v, err
}

// audit records the outcome of a change attempted by the caller in ctx. It
// runs after the change: a failure to record is logged loudly but does not
// undo or fail what was done.
func (s *Service) audit(ctx context.Context, operation, target string, err error) {
	// The feed's followers read it again, whatever the outcome: the feed
	// itself says what changed.
	s.changes.notify()
	p := auth.FromContext(ctx)
	e := registry.AuditEntry{At: s.now().UTC(), Who: p.Name, Role: string(p.Role), KeyID: p.KeyID,
		Operation: operation, Target: target, Result: "OK", RequestID: s.requestID(ctx)}
	if err != nil {
		e.Result = string(registry.ErrorCode(err))
	}
	if errors.Is(err, registry.ErrOutcomeUnknown) {
		e.Result = "UNKNOWN"
	}
	// With the store away the entry could not be written either, and trying
	// would hold the request another few seconds.
	if e.Result == string(registry.CodeUnavailable) {
		s.log.WarnContext(ctx, "change attempted while the store was unavailable; not in the audit log", "operation", operation, "target", target, "who", e.Who)
		return
	}
	// Recorded even when the request was cancelled: the attempt happened.
	record := func() {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if werr := s.store.AppendAudit(wctx, &e); werr != nil {
			s.log.ErrorContext(ctx, "audit entry not recorded", "operation", operation, "target", target, "err", werr)
		}
	}
	// A write of unknown outcome met a store that did not answer within the
	// request's time: the answer goes now, and the entry follows, rather
	// than holding the request past its deadline for a store that may be
	// away.
	if e.Result == "UNKNOWN" {
		go record()
		return
	}
	record()
}

// AuditRefusedKey records a request refused for its API key, before any
// operation ran: a security event, as the attempt of a change is, with
// what it tried (operation) on which records (target), as the HTTP layer
// read them from the request. The key matched no entry, so it names
// nobody: who is "invalid key".
func (s *Service) AuditRefusedKey(ctx context.Context, operation, target string, err error) {
	s.audit(auth.WithPrincipal(ctx, auth.Principal{Name: "invalid key"}), operation, target, err)
}

// AuditLog lists audit entries, newest first; auditors and administrators only.
func (s *Service) AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error) {
	if err := canReadAudit(ctx); err != nil {
		return nil, err
	}
	return s.store.AuditLog(ctx, f, args)
}
