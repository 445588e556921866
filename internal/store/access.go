package store

import (
	"context"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// The store is the service layer: every write checks the caller's rights
// here, whatever transport it came through, and reads hide what the caller
// may not see. A context without a principal is the process itself (a
// command-line tool or a test) and passes.

func canEditRegistry(ctx context.Context) error {
	if p, ok := auth.Lookup(ctx); ok {
		return p.CanEditRegistry()
	}
	return nil
}

func canWriteDossier(ctx context.Context, agency string) error {
	if p, ok := auth.Lookup(ctx); ok {
		return p.CanWriteDossier(agency)
	}
	return nil
}

func canReadAudit(ctx context.Context) error {
	if p, ok := auth.Lookup(ctx); ok {
		return p.CanReadAudit()
	}
	return nil
}

func canAdminister(ctx context.Context) error {
	if p, ok := auth.Lookup(ctx); ok {
		return p.CanAdminister()
	}
	return nil
}

// seesPersonalData: anonymous readers get dossiers without the applicant.
func seesPersonalData(ctx context.Context) bool {
	p, ok := auth.Lookup(ctx)
	return !ok || p.SeesPersonalData()
}

// Visible is d as the caller may see it: the applicant's name, identity
// number and phone are removed for anonymous readers. d is not modified.
func (s *Store) Visible(ctx context.Context, d *registry.Dossier) *registry.Dossier {
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
