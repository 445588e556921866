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
	"github.com/vnregistry/registry/internal/store"
)

// Registry is what the resolvers need from the store.
type Registry interface {
	CreateAgency(ctx context.Context, in registry.CreateAgencyInput, source string) (*registry.Agency, error)
	Agency(ctx context.Context, code string) (*registry.Agency, error)
	Agencies(ctx context.Context, f store.AgencyFilter, args store.PageArgs) (*store.Page[*registry.Agency], error)
	CreateProcedure(ctx context.Context, in registry.CreateProcedureInput, source string) (*registry.Procedure, error)
	Procedure(ctx context.Context, code string) (*registry.Procedure, error)
	Procedures(ctx context.Context, f store.ProcedureFilter, args store.PageArgs) (*store.Page[*registry.Procedure], error)
	ReceiveDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error)
	RegisterDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error)
	RecordStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int, source string) (*registry.Dossier, error)
	Dossier(ctx context.Context, code string) (*registry.Dossier, error)
	Dossiers(ctx context.Context, f store.DossierFilter, o store.DossierOrder, args store.PageArgs) (*store.Page[*registry.Dossier], error)
	CreateDirective(ctx context.Context, in registry.CreateDirectiveInput, source string) (*registry.Directive, error)
	DirectiveByKey(ctx context.Context, key string) (*registry.Directive, error)
	DirectivesBySymbol(ctx context.Context, symbol string, year *int) ([]*registry.Directive, error)
	Directives(ctx context.Context, f store.DirectiveFilter, args store.PageArgs) (*store.Page[*registry.Directive], error)
	DirectiveFacet(ctx context.Context, f store.DirectiveFilter, field string) ([]store.Facet, error)
	DirectiveRelations(ctx context.Context, d *registry.Directive) ([]*store.RelatedDirective, error)
	DossierStats(ctx context.Context, q stats.Query) (stats.Result, error)
	Reconcile(ctx context.Context, agency, period string, asOf calendar.Date) (*stats.Reconciliation, error)
	ImportBulletin(ctx context.Context, source, text string, dryRun bool) (*store.BulletinImport, error)
	Reports(ctx context.Context, f store.ReportFilter, args store.PageArgs) (*store.Page[*registry.Report], error)
	Report(ctx context.Context, key string) (*registry.Report, error)
	AuditLog(ctx context.Context, f store.AuditFilter, args store.PageArgs) (*store.Page[*registry.AuditEntry], error)
	AddDirectiveRelation(ctx context.Context, key string, in registry.RelationInput) (*registry.Directive, error)
}

// Resolver holds the resolvers' dependencies.
type Resolver struct {
	Registry Registry
	Feed     *feed.Feed
}

// sourceAPI is the provenance source of records created through the API.
const sourceAPI = "api"
