// Package model holds the API's own types: Relay connections over store pages
// and what gqlgen generates for inputs and payloads.
package model

import (
	"context"

	"github.com/vnregistry/registry/internal/registry"
)

// AgencyConnection is a page of agencies; TotalCount comes from the page and
// is only counted when a query selects it.
type AgencyConnection struct {
	*registry.Page[*registry.Agency]
}

// Edges pairs each agency with its cursor.
func (c AgencyConnection) Edges() []*AgencyEdge {
	return edges(c.Page, func(cursor string, n *registry.Agency) *AgencyEdge { return &AgencyEdge{Cursor: cursor, Node: n} })
}

// PageInfo describes the page's place in the list.
func (c AgencyConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

// ProcedureConnection is a page of procedures.
type ProcedureConnection struct {
	*registry.Page[*registry.Procedure]
}

// Edges pairs each procedure with its cursor.
func (c ProcedureConnection) Edges() []*ProcedureEdge {
	return edges(c.Page, func(cursor string, n *registry.Procedure) *ProcedureEdge {
		return &ProcedureEdge{Cursor: cursor, Node: n}
	})
}

// PageInfo describes the page's place in the list.
func (c ProcedureConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

// DossierConnection is a page of dossiers.
type DossierConnection struct {
	*registry.Page[*registry.Dossier]
}

// Edges pairs each dossier with its cursor.
func (c DossierConnection) Edges() []*DossierEdge {
	return edges(c.Page, func(cursor string, n *registry.Dossier) *DossierEdge { return &DossierEdge{Cursor: cursor, Node: n} })
}

// PageInfo describes the page's place in the list.
func (c DossierConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

// DirectiveConnection is a page of directives with facet counts for the
// whole filter.
type DirectiveConnection struct {
	*registry.Page[*registry.Directive]
	Facets *DirectiveFacets
}

// DirectiveFacets computes each facet only when a query selects it.
type DirectiveFacets struct {
	Count func(ctx context.Context, field string) ([]registry.Facet, error)
}

// Types counts directives by type code.
func (f *DirectiveFacets) Types(ctx context.Context) ([]registry.Facet, error) {
	return f.Count(ctx, registry.FacetType)
}

// Issuers counts directives by issuer.
func (f *DirectiveFacets) Issuers(ctx context.Context) ([]registry.Facet, error) {
	return f.Count(ctx, registry.FacetIssuer)
}

// Years counts directives by year of issue.
func (f *DirectiveFacets) Years(ctx context.Context) ([]registry.Facet, error) {
	return f.Count(ctx, registry.FacetYear)
}

// Validity counts directives by validity.
func (f *DirectiveFacets) Validity(ctx context.Context) ([]registry.Facet, error) {
	return f.Count(ctx, registry.FacetValidity)
}

// Edges pairs each directive with its cursor.
func (c DirectiveConnection) Edges() []*DirectiveEdge {
	return edges(c.Page, func(cursor string, n *registry.Directive) *DirectiveEdge {
		return &DirectiveEdge{Cursor: cursor, Node: n}
	})
}

// PageInfo describes the page's place in the list.
func (c DirectiveConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

// ReportConnection is a page of reports.
type ReportConnection struct {
	*registry.Page[*registry.Report]
}

// Edges pairs each report with its cursor.
func (c ReportConnection) Edges() []*ReportEdge {
	return edges(c.Page, func(cursor string, n *registry.Report) *ReportEdge { return &ReportEdge{Cursor: cursor, Node: n} })
}

// PageInfo describes the page's place in the list.
func (c ReportConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

// AuditConnection is a page of the audit log.
type AuditConnection struct {
	*registry.Page[*registry.AuditEntry]
}

// Edges pairs each entry with its cursor.
func (c AuditConnection) Edges() []*AuditEdge {
	return edges(c.Page, func(cursor string, n *registry.AuditEntry) *AuditEdge { return &AuditEdge{Cursor: cursor, Node: n} })
}

// PageInfo describes the page's place in the list.
func (c AuditConnection) PageInfo() *PageInfo { return pageInfo(c.Page) }

func edges[T, E any](p *registry.Page[T], edge func(cursor string, node T) E) []E {
	out := make([]E, len(p.Items))
	for i, it := range p.Items {
		out[i] = edge(p.Cursors[i], it)
	}
	return out
}

func pageInfo[T any](p *registry.Page[T]) *PageInfo {
	info := &PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev}
	if n := len(p.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return info
}

// ChangeConnection is a page of the change feed.
type ChangeConnection struct {
	Changes []registry.Change
	More    bool
	// After is the cursor the page was asked after ("" from the start).
	After string
}

// Edges pairs each change with its cursor.
func (c ChangeConnection) Edges() []*ChangeEdge {
	out := make([]*ChangeEdge, len(c.Changes))
	for i := range c.Changes {
		out[i] = &ChangeEdge{Cursor: c.Changes[i].Position().Cursor(), Node: &c.Changes[i]}
	}
	return out
}

// PageInfo says where to resume: after the last change, or where the
// page was asked from when it is empty, so a client keeps its place.
func (c ChangeConnection) PageInfo() *PageInfo {
	end := c.After
	if n := len(c.Changes); n > 0 {
		end = c.Changes[n-1].Position().Cursor()
	}
	info := &PageInfo{HasNextPage: c.More, HasPreviousPage: c.After != ""}
	if end != "" {
		info.EndCursor = &end
	}
	if len(c.Changes) > 0 {
		start := c.Changes[0].Position().Cursor()
		info.StartCursor = &start
	}
	return info
}
