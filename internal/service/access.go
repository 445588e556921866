package service

import (
	"context"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// Every write checks the caller's rights here, whatever transport it came
// through, and reads hide what the caller may not see. A context without a principal is anonymous: the HTTP layer
// sets one on every request, and tools act as auth.System.

func canEditRegistry(ctx context.Context) error { return auth.FromContext(ctx).CanEditRegistry() }

func canWriteDossier(ctx context.Context, agency string) error {
	return auth.FromContext(ctx).CanWriteDossier(agency)
}

func canReadAudit(ctx context.Context) error { return auth.FromContext(ctx).CanReadAudit() }

func canAdminister(ctx context.Context) error { return auth.FromContext(ctx).CanAdminister() }

// seesPersonalData: statistics about a handful of dossiers could point at
// their applicants, so only key holders get them whole (stats.go). What a
// dossier shows is visible's to decide.
func seesPersonalData(ctx context.Context) bool { return auth.FromContext(ctx).SeesSmallStatistics() }

// Visible is d as the caller may see it (see visible); the feed's
// subscribers get the feed's dossiers through it.
func (s *Service) Visible(ctx context.Context, d *registry.Dossier) *registry.Dossier {
	return visible(ctx, d)
}

// visible is the one place that decides what a caller sees of a dossier,
// and every path that hands dossiers out goes through it: lookups, lists,
// the answers to changes, subscriptions (Visible) and exports (EachDossier).
// The applicant (name, identity number, phone) is removed unless
// auth.Principal.SeesApplicantOf the dossier's agency. d is not modified.
func visible(ctx context.Context, d *registry.Dossier) *registry.Dossier {
	if d == nil || auth.FromContext(ctx).SeesApplicantOf(d.AgencyCode) {
		return d
	}
	c := *d
	c.Applicant = registry.Applicant{}
	return &c
}

// canOverrideDueDate: a receipt's due date other than the computed one.
func canOverrideDueDate(ctx context.Context) error { return auth.FromContext(ctx).CanOverrideDueDate() }
