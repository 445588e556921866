package service

import (
	"context"
	"errors"
	"strings"

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
	if bulletin.IsHTML(text) {
		text = bulletin.HTMLText(text)
	}
	ext := bulletin.Extract(source, registry.Visible(text))
	now := s.now().UTC()
	out := &registry.BulletinImport{DryRun: dryRun}
	var records []any
	for _, m := range ext.Directives {
		prov := registry.Provenance{Source: source, Excerpt: m.Sentence, Offset: m.Offset, Length: m.Length, Recorded: now}
		in := registry.CreateDirectiveInput{Symbol: m.Symbol.String(), IssuedOn: m.IssuedOn, Summary: &m.Summary}
		if m.Signer != (registry.Signer{}) {
			in.Signer = &registry.SignerInput{Position: &m.Signer.Position, Name: &m.Signer.Name}
		}
		for _, r := range m.Relations {
			in.Relations = append(in.Relations, registry.RelationInput{Kind: r.Kind, Symbol: r.Symbol, Excerpt: r.Excerpt})
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
		d.IssuerAsWritten, d.Findings = m.IssuerAsWritten, append(d.Findings, m.Findings...)
		d.Search = d.SearchText()
		out.Directives = append(out.Directives, &registry.ImportedDirective{Directive: d, TypeAsWritten: m.TypeAsWritten})
		records = append(records, d)
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
	for i, d := range out.Directives {
		d.Created = inserted[i]
		if !d.Created {
			if err := s.addRelations(ctx, d.Directive); err != nil {
				return nil, err
			}
		}
	}
	for i, r := range out.Reports {
		r.Created = inserted[len(out.Directives)+i]
	}
	return out, nil
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
