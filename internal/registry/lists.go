package registry

import (
	"context"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// The contract of the registry's lists: what a client asks (filters, orders,
// page arguments) and what it gets (pages, facets, related directives,
// what a bulletin gave). The store answers them; the API passes them
// through.

// Page sizes of Relay connections.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageArgs are a connection's forward-pagination arguments.
type PageArgs struct {
	First *int
	After *string
}

// Page is one page of a list in order, with what Relay connections need.
type Page[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	HasPrev bool
	// Count counts every item the filter matches. It is only called when
	// asked for: on the embedded engine a count may scan a collection.
	Count func(context.Context) (int, error)
}

// TotalCount counts every item the filter matches.
func (p *Page[T]) TotalCount(ctx context.Context) (int, error) { return p.Count(ctx) }

// AgencyFilter narrows the agencies list.
type AgencyFilter struct{ Level *Level }

// ProcedureFilter narrows the procedures list.
type ProcedureFilter struct {
	AgencyCode *string
	Level      *Level
	// LegalBasis selects the procedures citing a directive (canonical symbol).
	LegalBasis *string
	// LegalBasisNotInForceOn selects the procedures with a legal basis the
	// registry holds and knows not to be in force on that date. Which are
	// depends on other directives' relations, so the service resolves it
	// into LegalBasisAmong; the stores never see it.
	LegalBasisNotInForceOn *calendar.Date
	// LegalBasisAmong, when not nil, selects the procedures citing one of
	// these symbols as stored (none when empty).
	LegalBasisAmong *[]string
}

// LegalBasisSymbol is the canonical symbol the filter asks for.
func (f ProcedureFilter) LegalBasisSymbol() (string, error) {
	sym, err := ParseSymbol(*f.LegalBasis)
	if err != nil {
		return "", AsField("filter.legalBasis", err)
	}
	return sym.String(), nil
}

// DossierFilter narrows the dossiers list. Empty fields do not filter.
type DossierFilter struct {
	AgencyCode    *string
	ProcedureCode *string
	Status        *Status
	Channel       *Channel
	Outcome       *Outcome
	ReceivedFrom  *time.Time // inclusive
	ReceivedTo    *time.Time // exclusive
	ResolvedFrom  *time.Time // inclusive
	ResolvedTo    *time.Time // exclusive
	// OverdueAsOf selects open dossiers whose due date has passed on that date.
	OverdueAsOf *calendar.Date
}

// DossierOrder is a dossiers list order.
type DossierOrder string

const (
	OrderByCode         DossierOrder = "CODE"
	OrderByReceivedAt   DossierOrder = "RECEIVED_AT"
	OrderByReceivedDesc DossierOrder = "RECEIVED_AT_DESC"
	OrderByDueDate      DossierOrder = "DUE_DATE"
)

// DirectiveFilter narrows the directives list. Empty fields do not filter.
type DirectiveFilter struct {
	// Search finds directives whose symbol, summary, issuer or signer contain
	// every word, without regard to case or diacritics.
	Search     *string
	Type       *string // type code; ASCII forms are accepted (QD for QĐ)
	IssuerCode *string
	Year       *int
	IssuedFrom *calendar.Date // inclusive
	IssuedTo   *calendar.Date // inclusive
	Validity   *Validity
	Topic      *string
	// InForceOn selects the directives in force on that date. The stores
	// select by each directive's own record (OwnValidity: its dates and
	// stated status); the service adds in ExceptKeys those that other
	// directives' relations ended or suspended by then, which no one
	// query can see.
	InForceOn *calendar.Date
	// ExceptKeys leaves these directives out.
	ExceptKeys []string
	// Stating selects the directives that state a relation of one of these
	// kinds.
	Stating []RelationKind
}

// TypeCode is the canonical code the type filter names; "" selects the
// directives without one, as the type facet counts them.
func (f DirectiveFilter) TypeCode() (string, error) {
	if *f.Type == "" {
		return "", nil
	}
	t, ok := LookupDocType(*f.Type)
	if !ok {
		return "", Invalid("filter.type", "unknown document type %q", *f.Type)
	}
	return t.Code, nil
}

// InForceDay is the date inForceOn asks about, checked.
func (f DirectiveFilter) InForceDay() (calendar.Date, error) {
	d, err := calendar.ParseDate(string(*f.InForceOn))
	if err != nil {
		return "", Invalid("filter.inForceOn", "%v", err)
	}
	return d, nil
}

// Facet is one value of a field and how many directives have it.
type Facet struct {
	Value string
	Label string // the value for people: a type's name ("Quyết định")
	Count int
}

// Directive facets: the fields directives can be counted by.
const (
	FacetType     = "symbol.type"
	FacetIssuer   = "issuer"
	FacetYear     = "year"
	FacetValidity = "validity"
)

// RelatedDirective is an edge seen from one directive: its kind read from
// that side, the other end's symbol, and the other end when registered.
type RelatedDirective struct {
	Kind       RelationKind
	Symbol     string
	Directives []*Directive
	Excerpt    string // the sentence a text stated the edge in, if it was read from one
}

// Label is the Vietnamese wording of the edge.
func (r *RelatedDirective) Label() string { return r.Kind.Label() }

// ReportFilter narrows the reports list.
type ReportFilter struct {
	Period     *string
	AgencyCode *string
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Who       *string
	Operation *string
	Target    *string
	From      *time.Time // inclusive
	To        *time.Time // exclusive
}

// ImportedDirective is a directive read from a bulletin and whether the
// import stored it (false: it was already there, or this was a dry run).
type ImportedDirective struct {
	Directive     *Directive
	TypeAsWritten string
	Created       bool
}

// ImportedReport is a report read from a bulletin and whether it was stored.
type ImportedReport struct {
	Report  *Report
	Created bool
}

// BulletinImport is what one bulletin gave.
type BulletinImport struct {
	DryRun     bool
	Directives []*ImportedDirective
	Reports    []*ImportedReport
}
