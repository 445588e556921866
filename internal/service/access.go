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

// seesPersonalData: anonymous readers get dossiers without the applicant.
func seesPersonalData(ctx context.Context) bool { return auth.FromContext(ctx).SeesPersonalData() }

// Visible is d as the caller may see it: the applicant's name, identity
// number and phone are removed for anonymous readers. d is not modified.
func (s *Service) Visible(ctx context.Context, d *registry.Dossier) *registry.Dossier {
	return visible(ctx, d)
}

func visible(ctx context.Context, d *registry.Dossier) *registry.Dossier {
	if d == nil || seesPersonalData(ctx) {
		return d
	}
	c := *d
	c.Applicant = registry.Applicant{}
	return &c
}
