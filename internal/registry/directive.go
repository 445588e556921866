package registry

import (
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
)

// CreateDirectiveInput describes a directive to register.
type CreateDirectiveInput struct {
	Symbol     string
	IssuerCode *string // defaults to the issuer named in the symbol
	IssuedOn   calendar.Date
	Summary    *string
}

// DirectiveKey is the natural key (issuer, year, number and symbol) as one
// string: numbers and symbols are unique only per issuer per year.
func DirectiveKey(issuer string, year int, sym Symbol) string {
	return fold.String(issuer) + "|" + strconv.Itoa(year) + "|" + sym.Key()
}

// NewDirective validates in and builds the record.
func NewDirective(in CreateDirectiveInput, prov Provenance) (*Directive, error) {
	sym, err := ParseSymbol(in.Symbol)
	if err != nil {
		return nil, err
	}
	if _, err := calendar.ParseDate(string(in.IssuedOn)); err != nil {
		return nil, Invalid("issuedOn", "%v", err)
	}
	year := in.IssuedOn.Year()
	if sym.Year != 0 && sym.Year != year {
		return nil, Invalid("issuedOn", "year %d disagrees with the year %d in the symbol %s", year, sym.Year, sym)
	}
	issuer := strings.TrimSpace(deref(in.IssuerCode))
	if issuer == "" {
		issuer = sym.Issuer
	}
	if err := checkText("issuerCode", issuer, maxAbbreviation, true); err != nil {
		return nil, err
	}
	summary := strings.TrimSpace(deref(in.Summary))
	if err := checkText("summary", summary, maxNameRunes, false); err != nil {
		return nil, err
	}
	return &Directive{
		Key:        DirectiveKey(issuer, year, sym),
		Symbol:     sym,
		SymbolKey:  sym.Key(),
		Year:       year,
		IssuerCode: issuer,
		IssuedOn:   in.IssuedOn,
		Summary:    summary,
		Provenance: prov,
	}, nil
}
