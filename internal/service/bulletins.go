package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/bulletin"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

// maxBulletin bounds the text of one bulletin import.
const maxBulletin = 1 << 20

// importBulletin stores what a bulletin states. Each record keeps where it
// was read: source, sentence and character offsets. Importing the same
// text again changes nothing.
func (s *Service) importBulletin(ctx context.Context, source, text string, dryRun bool) (*registry.BulletinImport, error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	source = strings.TrimSpace(source)
	if source == "" {
		return nil, registry.Invalid("source", "is required: the name readers will see as the figures' origin")
	}
	if err := registry.CheckSource(source); err != nil {
		return nil, err
	}
	if len(text) > maxBulletin {
		return nil, registry.Invalid("text", "must be at most %d bytes", maxBulletin)
	}
	// Offsets and excerpts are of the text a reader sees: of a page saved
	// from a browser, its article without markup.
	var err error
	if bulletin.IsHTML(text) {
		if text, err = bulletin.HTMLText(text); err != nil {
			return nil, err
		}
	}
	ext := bulletin.Extract(source, registry.Visible(text))
	now := s.now().UTC()
	out := &registry.BulletinImport{DryRun: dryRun}
	if out.Directives, err = importedDirectives(ext, source, now); err != nil {
		return nil, err
	}
	resolved, err := s.resolveUndated(ctx, out.Directives)
	if err != nil {
		return nil, err
	}
	var records []any
	for i, d := range out.Directives {
		if _, ok := resolved[i]; !ok {
			records = append(records, d.Directive)
		}
	}
	agencies, err := s.agencyNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ext.Reports {
		r := &ext.Reports[i]
		r.Provenance.Recorded = now
		r.AgencyCode = agencies[fold.String(r.AgencyName)]
		out.Reports = append(out.Reports, &registry.ImportedReport{Report: r})
		records = append(records, r)
	}
	if dryRun {
		return out, nil
	}
	// Directives and reports refer to nothing, so Load refuses none.
	inserted, _, err := s.load(ctx, records)
	if err != nil {
		return nil, err
	}
	n := 0
	for i, d := range out.Directives {
		if found, ok := resolved[i]; !ok {
			d.Created, n = inserted[n], n+1
		} else if !found {
			continue // unresolved: its finding says why nothing is stored
		}
		if !d.Created {
			if err := s.addRelations(ctx, d.Directive); err != nil {
				return nil, err
			}
		}
	}
	for i, r := range out.Reports {
		r.Created = inserted[n+i]
	}
	return out, nil
}

// importedDirectives builds the records of the directives ext names, as
// read from source at now.
func importedDirectives(ext bulletin.Extraction, source string, now time.Time) ([]*registry.ImportedDirective, error) {
	var out []*registry.ImportedDirective
	for _, m := range ext.Directives {
		prov := registry.Provenance{Source: source, Excerpt: m.Sentence, Offset: m.Offset, Length: m.Length, Recorded: now, Parts: m.Parts}
		in := registry.CreateDirectiveInput{Symbol: m.Symbol.String(), IssuedOn: m.IssuedOn, Summary: &m.Summary,
			IssuerName: nonEmpty(m.IssuerName), EffectiveFrom: nonEmpty(m.EffectiveFrom)}
		if m.Signer != (registry.Signer{}) {
			in.Signer = &registry.SignerInput{Position: &m.Signer.Position, Name: &m.Signer.Name}
		}
		for _, r := range m.Relations {
			in.Relations = append(in.Relations, registry.RelationInput{Kind: r.Kind, Symbol: r.Symbol, Excerpt: r.Excerpt,
				Article: nonEmpty(r.Article), Part: nonEmpty(r.Part)})
		}
		d, err := registry.NewDirective(in, prov)
		if e, ok := errors.AsType[*registry.Error](err); ok && e.Field == "issuedOn" {
			// A text that dates a directive against its symbol's year keeps
			// the directive, undated: the extractor's finding says why.
			in.IssuedOn = ""
			d, err = registry.NewDirective(in, prov)
		}
		if err != nil {
			return nil, err
		}
		d.IssuerAsWritten, d.IssuerParent, d.Findings = m.IssuerAsWritten, m.IssuerParent, append(d.Findings, m.Findings...)
		d.Search = d.SearchText()
		out = append(out, &registry.ImportedDirective{Directive: d, TypeAsWritten: m.TypeAsWritten})
	}
	return out, nil
}

// nonEmpty is v as an optional input: nil when it is the zero value.
func nonEmpty[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// resolveUndated finds the registered directive each mention without a
// year names: the symbol is then all its key has (issuer and year are the
// rest), and storing it under year 0 would make a duplicate beside the
// registered one. The result maps the index of each such mention to true,
// its key now the registered directive's, or to false when which one is
// meant is not said, with a finding; mentions absent from it are stored as
// read. One query for the text.
func (s *Service) resolveUndated(ctx context.Context, ds []*registry.ImportedDirective) (map[int]bool, error) {
	var keys []string
	for _, d := range ds {
		if d.Directive.Year == 0 {
			keys = append(keys, d.Directive.SymbolKey)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	registered, err := s.store.DirectivesBySymbolKeys(ctx, keys, nil)
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for i, imp := range ds {
		d := imp.Directive
		if d.Year != 0 {
			continue
		}
		var bearers []*registry.Directive
		for _, r := range registered {
			if r.SymbolKey == d.SymbolKey {
				bearers = append(bearers, r)
			}
		}
		if len(bearers) == 0 {
			continue // the first the registry hears of it: stored as read
		}
		if r := meant(d, bearers); r != nil {
			d.Key, d.Year, d.IssuerCode, d.IssuerKey = r.Key, r.Year, r.IssuerCode, r.IssuerKey
			out[i] = true
		} else {
			d.Findings = append(d.Findings, undatedAmbiguity(d, bearers))
			out[i] = false
		}
	}
	return out, nil
}

// meant is the registered directive a mention without a year names among
// those bearing its symbol, or nil when that is not said. A dated one is
// meant over a yearless one (an earlier text's, stored before any was
// registered); of several, the one whose issuer is the mention's.
func meant(d *registry.Directive, bearers []*registry.Directive) *registry.Directive {
	if dated := slices.DeleteFunc(slices.Clone(bearers), func(r *registry.Directive) bool { return r.Year == 0 }); len(dated) > 0 {
		bearers = dated
	}
	if len(bearers) == 1 {
		return bearers[0]
	}
	var match *registry.Directive
	for _, r := range bearers {
		if r.IssuerKey == d.IssuerKey {
			if match != nil {
				return nil
			}
			match = r
		}
	}
	return match
}

// undatedAmbiguity says which registered directives a mention without a
// year may name.
func undatedAmbiguity(d *registry.Directive, bearers []*registry.Directive) registry.Finding {
	which := make([]string, len(bearers))
	for i, b := range bearers {
		which[i] = fmt.Sprintf("%s in %d", b.IssuerCode, b.Year)
	}
	return registry.Finding{Code: registry.FindingAmbiguous, Field: "symbol",
		Message: fmt.Sprintf("the text names %s without a year, and %d registered directives bear it (issued by %s): which one is meant is not said, so nothing the text states of it is stored",
			d.Symbol, len(bearers), strings.Join(which, "; "))}
}

// addRelations states on a directive already in the registry the
// relations a later text gives it, which loading left alone.
func (s *Service) addRelations(ctx context.Context, read *registry.Directive) error {
	stored, err := s.DirectiveByKey(ctx, read.Key)
	if err != nil || stored == nil {
		return err
	}
	for _, r := range read.Relations {
		if registry.HasRelation(stored.Relations, r) {
			continue
		}
		if _, err := s.addDirectiveRelation(ctx, read.Key, registry.RelationInput{Kind: r.Kind, Symbol: r.Symbol, Excerpt: r.Excerpt}); err != nil {
			return err
		}
	}
	return nil
}

// agencyNames maps folded agency names to codes, to recognise the agency a
// report names as written.
func (s *Service) agencyNames(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.store.EachAgency(ctx, registry.AgencyFilter{}, func(a *registry.Agency) error {
		out[fold.String(a.Name)] = a.Code
		return nil
	})
	return out, err
}

// Reports lists published reports, newest period first.
func (s *Service) Reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error) {
	return s.store.Reports(ctx, f, args)
}

// Report returns the report with key, or nil.
func (s *Service) Report(ctx context.Context, key string) (*registry.Report, error) {
	return s.store.Report(ctx, key)
}
