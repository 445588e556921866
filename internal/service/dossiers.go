package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// maxCodeAttempts bounds the search for a free generated code when clients
// have also been choosing codes by hand for the same unit and day.
const maxCodeAttempts = 100

// createDossier stores a new dossier. Without a code it generates
// <unit id>-YYMMDD-XXXX from a per-unit, per-day counter.
func (s *Service) createDossier(ctx context.Context, in registry.ReceiveDossierInput, first registry.Action, source string) (*registry.Dossier, error) {
	in.AgencyCode = strings.TrimSpace(in.AgencyCode)
	if err := canWriteDossier(ctx, in.AgencyCode); err != nil {
		return nil, err
	}
	if in.DueDate != nil {
		if err := canOverrideDueDate(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.mustExist(ctx, "agency", in.AgencyCode, "agencyCode"); err != nil {
		return nil, err
	}
	proc, err := s.store.Procedure(ctx, strings.TrimSpace(in.ProcedureCode))
	if err != nil {
		return nil, err
	}
	if proc == nil {
		return nil, registry.Invalid("procedureCode", "no procedure with code %q", in.ProcedureCode)
	}
	now := s.now()
	var given string
	if in.Code != nil {
		if given = strings.TrimSpace(*in.Code); given == "" {
			return nil, registry.Invalid("code", "must not be empty: leave it out to have one generated")
		}
	}
	receivedAt := now
	if in.ReceivedAt != nil {
		receivedAt = *in.ReceivedAt
	}
	prefix := registry.DossierCodePrefix(in.AgencyCode, receivedAt)
	// Validate everything before taking a sequence number.
	d, err := registry.NewDossier(in, first, cmp.Or(given, prefix+"0001"), proc, s.cal, now, s.provenance(source))
	if err != nil {
		return nil, err
	}
	if given != "" {
		err = s.insertDossier(ctx, d)
		if errors.Is(err, registry.ErrDuplicate) {
			err = registry.Errorf(registry.CodeConflict, "dossier %s already exists", given)
		}
	} else {
		err = s.insertGenerated(ctx, d, prefix)
	}
	if err != nil {
		return nil, err
	}
	return visible(ctx, d), nil
}

// insertGenerated stores d under the next free code of prefix.
func (s *Service) insertGenerated(ctx context.Context, d *registry.Dossier, prefix string) error {
	for range maxCodeAttempts {
		seq, err := s.store.NextSequence(ctx, "dossier|"+prefix)
		if err != nil {
			return err
		}
		d.Code = fmt.Sprintf("%s%04d", prefix, seq)
		if err := s.insertDossier(ctx, d); !errors.Is(err, registry.ErrDuplicate) {
			return err
		}
		// Codes given by hand or imported are not counted: move the
		// counter past the highest code in use and try again.
		if err := s.resyncSequence(ctx, prefix); err != nil {
			return err
		}
	}
	return registry.Errorf(registry.CodeConflict, "no free dossier code under %s after %d attempts", prefix, maxCodeAttempts)
}

// insertDossier stores d and publishes it, saying how to check when the
// store could not confirm it.
func (s *Service) insertDossier(ctx context.Context, d *registry.Dossier) error {
	applied, err := s.store.InsertDossier(ctx, d)
	if applied {
		s.published(d)
	}
	if errors.Is(err, registry.ErrOutcomeUnknown) {
		return &registry.Error{Code: registry.CodeUnavailable, Cause: err, Message: fmt.Sprintf(
			"the store did not confirm the receipt in time, and dossier %s may have been created: read it before receiving the dossier again", d.Code)}
	}
	return err
}

// resyncSequence sets the counter of prefix to the highest sequence among
// the dossier codes under it.
func (s *Service) resyncSequence(ctx context.Context, prefix string) error {
	codes, err := s.store.DossierCodes(ctx, prefix)
	if err != nil {
		return err
	}
	// Codes sort by sequence only while they have the same width; 4 digits
	// overflow into 5 after 9999, so compare numerically over all of them.
	top := 0
	for _, c := range codes {
		if n, err := strconv.Atoi(strings.TrimPrefix(c, prefix)); err == nil {
			top = max(top, n)
		}
	}
	return s.store.SetSequence(ctx, "dossier|"+prefix, top)
}

// Dossier returns the dossier with code as the caller may see it, or nil.
func (s *Service) Dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	d, err := s.store.Dossier(ctx, code)
	return visible(ctx, d), err
}

// Dossiers lists dossiers matching f in order o, as the caller may see them.
func (s *Service) Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error) {
	page, err := s.store.Dossiers(ctx, f, o, args)
	if err != nil {
		return nil, err
	}
	for i, d := range page.Items {
		page.Items[i] = visible(ctx, d)
	}
	return page, nil
}

// maxStepAttempts bounds optimistic retries when another writer records a
// step on the same dossier at the same moment.
const maxStepAttempts = 20

func (s *Service) recordStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int, _ string) (*registry.Dossier, error) {
	// Callers with no dossier rights at all are turned away before the
	// dossier is looked up, so they cannot learn which codes exist.
	if p := auth.FromContext(ctx); p.Role != auth.RoleClerk && p.Role != auth.RoleAdmin {
		return nil, p.CanWriteDossier("")
	}
	if !in.Action.Valid() || in.Action == registry.ActionRegisterOnline {
		return nil, registry.Invalid("action", "unknown step action %q", in.Action)
	}
	unlock, err := s.steps.lock(ctx, code)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for range maxStepAttempts {
		d, err := s.tryStep(ctx, code, in, expectedVersion)
		if d != nil || err != nil {
			return d, err
		}
	}
	return nil, registry.Errorf(registry.CodeConflict, "dossier %s is being changed by many writers at once; retry", code)
}

// tryStep applies the step to the dossier as stored now; nil and no error
// when another writer changed it first.
func (s *Service) tryStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int) (*registry.Dossier, error) {
	// The stored record, not the caller's view of it: it is written back.
	old, err := s.store.Dossier(ctx, code)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return nil, registry.Errorf(registry.CodeNotFound, "no dossier with code %q", code)
	}
	if err := canWriteDossier(ctx, old.AgencyCode); err != nil {
		return nil, err
	}
	if expectedVersion != nil && *expectedVersion != old.Version {
		return nil, registry.Errorf(registry.CodeConflict, "dossier %s is at version %d, not %d: reload it and retry", code, old.Version, *expectedVersion)
	}
	d := *old
	if err := d.Apply(in, s.cal, s.now()); err != nil {
		return nil, err
	}
	applied, err := s.store.UpdateDossier(ctx, old, &d)
	if applied {
		s.published(&d)
	}
	switch {
	case errors.Is(err, registry.ErrOutcomeUnknown):
		return nil, &registry.Error{Code: registry.CodeUnavailable, Cause: err, Message: fmt.Sprintf(
			"the store did not confirm the step in time, and it may have been recorded: read dossier %s "+
				"(version %d means it was), or send it again with expectedVersion: %d, which never records it twice",
			code, d.Version, old.Version)}
	case err != nil:
		return nil, err
	case applied:
		return visible(ctx, &d), nil
	case expectedVersion != nil:
		return nil, registry.Errorf(registry.CodeConflict, "dossier %s changed while the step was recorded: reload it and retry", code)
	}
	return nil, nil
}
