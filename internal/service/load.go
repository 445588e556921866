package service

import (
	"context"
	"fmt"

	"github.com/vnregistry/registry/internal/registry"
)

// colReports holds published statistics reports.
const colReports = "reports"

// load stores validated records (*registry.Agency, *registry.Procedure,
// *registry.Directive, *registry.Report, *registry.Dossier) that are not
// there yet; a record whose key exists is left as it is, so loading the same
// records twice, or again after a crash, changes nothing. Records may refer
// to records earlier in the same call. refused[i] explains why records[i]
// was not stored (a reference to nothing); inserted[i] says it was new.
//
// Loaded dossiers are not counted in the statistics rollups: a bulk load
// ends with one RebuildRollups, much faster than updating the rollups batch
// by batch, and right even when an earlier, interrupted load left dossiers
// uncounted.
func (s *Service) load(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, nil, err
	}
	return s.loadChecked(ctx, records)
}

// loadChecked is load for callers that have checked rights.
func (s *Service) loadChecked(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
	inserted, refused = make([]bool, len(records)), make([]error, len(records))
	known := map[string]bool{} // "agency|<code>", "procedure|<code>" in this call
	need := func(i int, what, field, code string) bool {
		if known[what+"|"+code] {
			return true
		}
		if err := s.mustExist(ctx, what, code, field); err != nil {
			refused[i] = err
			return false
		}
		known[what+"|"+code] = true
		return true
	}
	// Agencies and procedures are stored as they come, since later records
	// refer to them; runs of other records go in bulk writes.
	var batch []any
	var at []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ok, err := s.store.Load(ctx, batch)
		for j, i := range at {
			inserted[i] = err == nil && ok[j]
		}
		batch, at = nil, nil
		return err
	}
	for i, r := range records {
		referenced := false
		switch v := r.(type) {
		case *registry.Agency:
			if v.ParentCode != "" && !need(i, "agency", "parentCode", v.ParentCode) {
				continue
			}
			known["agency|"+v.Code], referenced = true, true
		case *registry.Procedure:
			if !need(i, "agency", "agencyCode", v.AgencyCode) {
				continue
			}
			known["procedure|"+v.Code], referenced = true, true
		case *registry.Directive, *registry.Report:
		case *registry.Dossier:
			if !need(i, "agency", "agencyCode", v.AgencyCode) || !need(i, "procedure", "procedureCode", v.ProcedureCode) {
				continue
			}
		default:
			return nil, nil, fmt.Errorf("service: cannot load a %T", r)
		}
		batch, at = append(batch, r), append(at, i)
		// Referenced by what follows: stored before going on.
		if referenced {
			if err := flush(); err != nil {
				return nil, nil, err
			}
		}
	}
	return inserted, refused, flush()
}

// EachAgency streams the agencies matching f.
func (s *Service) EachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return s.store.EachAgency(ctx, f, fn)
}

// EachProcedure streams the procedures matching f.
func (s *Service) EachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	f, err := s.withDeadBases(ctx, f)
	if err != nil {
		return err
	}
	return s.store.EachProcedure(ctx, f, fn)
}

// EachDirective streams the directives matching f.
func (s *Service) EachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	f, err := s.withInForce(ctx, f)
	if err != nil {
		return err
	}
	return s.store.EachDirective(ctx, f, fn)
}

// EachDossier streams the dossiers matching f as the caller may see them:
// whole for the tools, which act as the system (`registry export`).
func (s *Service) EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	return s.store.EachDossier(ctx, f, func(d *registry.Dossier) error { return fn(visible(ctx, d)) })
}

// EachReport streams the reports matching f.
func (s *Service) EachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return s.store.EachReport(ctx, f, fn)
}
