// Package graph is the GraphQL layer: gqlgen's generated executor, resolvers
// that only translate and delegate, and the error presenter.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"context"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// Registry is what the resolvers need from the store.
type Registry interface {
	CreateAgency(ctx context.Context, in registry.CreateAgencyInput, source string) (*registry.Agency, error)
	Agency(ctx context.Context, code string) (*registry.Agency, error)
	Agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error)
	CreateProcedure(ctx context.Context, in registry.CreateProcedureInput, source string) (*registry.Procedure, error)
	Procedure(ctx context.Context, code string) (*registry.Procedure, error)
	Procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error)
	ReceiveDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error)
	RegisterDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error)
	RecordStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int, source string) (*registry.Dossier, error)
	Dossier(ctx context.Context, code string) (*registry.Dossier, error)
	Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error)
	CreateDirective(ctx context.Context, in registry.CreateDirectiveInput, source string) (*registry.Directive, error)
	DirectiveByKey(ctx context.Context, key string) (*registry.Directive, error)
	DirectivesBySymbol(ctx context.Context, symbol string, year *int, issuer string) ([]*registry.Directive, error)
	Directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error)
	DirectiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error)
	DirectiveRelations(ctx context.Context, d *registry.Directive) ([]*registry.RelatedDirective, error)
	// DirectiveValidity is d's state on a date, today when on is nil.
	DirectiveValidity(ctx context.Context, d *registry.Directive, on *calendar.Date) (*registry.DirectiveValidity, error)
	DirectiveEffects(ctx context.Context, d *registry.Directive) ([]*registry.DirectiveEffect, error)
	DirectiveAffectedBy(ctx context.Context, d *registry.Directive) ([]*registry.DirectiveEffect, error)
	LegalBasisProblems(ctx context.Context, p *registry.Procedure, on calendar.Date) ([]*registry.LegalBasisProblem, error)
	DossierStats(ctx context.Context, q stats.Query) (stats.Result, error)
	Reconcile(ctx context.Context, agency, period string, asOf calendar.Date) (*stats.Reconciliation, error)
	ImportBulletin(ctx context.Context, source, text string, dryRun bool) (*registry.BulletinImport, error)
	Reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error)
	Report(ctx context.Context, key string) (*registry.Report, error)
	Changes(ctx context.Context, after string, first *int, kinds []registry.RecordKind) ([]registry.Change, bool, error)
	FollowChanges(ctx context.Context, after *string, kinds []registry.RecordKind) (<-chan registry.Change, error)
	DeleteDirective(ctx context.Context, key, reason string) error
	DeleteReport(ctx context.Context, key, reason string) error
	MergeDirective(ctx context.Context, dup, into, reason string) (*registry.Directive, error)
	AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error)
	AddDirectiveRelation(ctx context.Context, key string, in registry.RelationInput) (*registry.Directive, error)
	// Today is the date by the store's clock.
	Today() calendar.Date
	// Visible is a dossier as the caller may see it (subscribers get the
	// feed's dossiers, which are whole).
	Visible(ctx context.Context, d *registry.Dossier) *registry.Dossier
}

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Registry Registry
	Feed     *feed.Feed
}

// sourceAPI is the provenance source of records created through the API.
const sourceAPI = "api"
