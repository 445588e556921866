package service

import (
	"context"
	"errors"

	"github.com/vnregistry/registry/internal/registry"
)

func (s *Service) createAgency(ctx context.Context, in registry.CreateAgencyInput, source string) (*registry.Agency, error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	a, err := registry.NewAgency(in, s.provenance(source))
	if err != nil {
		return nil, err
	}
	if a.ParentCode != "" {
		if err := s.mustExist(ctx, "agency", a.ParentCode, "parentCode"); err != nil {
			return nil, err
		}
	}
	return a, s.insert(ctx, a, "agency "+a.Code)
}

func (s *Service) createProcedure(ctx context.Context, in registry.CreateProcedureInput, source string) (*registry.Procedure, error) {
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	p, err := registry.NewProcedure(in, s.provenance(source))
	if err != nil {
		return nil, err
	}
	if err := s.mustExist(ctx, "agency", p.AgencyCode, "agencyCode"); err != nil {
		return nil, err
	}
	return p, s.insert(ctx, p, "procedure "+p.Code)
}

// insert stores a new record; one whose key exists is CONFLICT naming it.
func (s *Service) insert(ctx context.Context, rec any, what string) error {
	err := s.store.Insert(ctx, rec)
	if errors.Is(err, registry.ErrDuplicate) {
		return registry.Errorf(registry.CodeConflict, "%s already exists", what)
	}
	return err
}

// mustExist answers BAD_USER_INPUT naming field when the agency or
// procedure a record refers to is missing.
func (s *Service) mustExist(ctx context.Context, what, code, field string) error {
	var found bool
	var err error
	switch what {
	case "agency":
		var a *registry.Agency
		a, err = s.store.Agency(ctx, code)
		found = a != nil
	default:
		var p *registry.Procedure
		p, err = s.store.Procedure(ctx, code)
		found = p != nil
	}
	if err == nil && !found {
		return registry.Invalid(field, "no %s with code %q", what, code)
	}
	return err
}

// Agency returns the agency with code, or nil.
func (s *Service) Agency(ctx context.Context, code string) (*registry.Agency, error) {
	return s.store.Agency(ctx, code)
}

// Agencies lists agencies by code.
func (s *Service) Agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return s.store.Agencies(ctx, f, args)
}

// Procedure returns the procedure with code, or nil.
func (s *Service) Procedure(ctx context.Context, code string) (*registry.Procedure, error) {
	return s.store.Procedure(ctx, code)
}

// Procedures lists procedures by code.
func (s *Service) Procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	f, err := s.withDeadBases(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.store.Procedures(ctx, f, args)
}

// AgenciesByCode returns the agencies with the given codes, in one query. A
// key may also be an abbreviation (TTPVHCC): directives name their issuer so.
func (s *Service) AgenciesByCode(ctx context.Context, codes []string) (map[string]*registry.Agency, error) {
	rows, err := s.store.AgenciesByCode(ctx, codes)
	out := make(map[string]*registry.Agency, len(rows))
	for _, r := range rows {
		out[r.Code] = r
		if r.Abbreviation != "" {
			out[r.Abbreviation] = r
		}
	}
	return out, err
}

// ProceduresByCode returns the procedures with the given codes, in one query.
func (s *Service) ProceduresByCode(ctx context.Context, codes []string) (map[string]*registry.Procedure, error) {
	rows, err := s.store.ProceduresByCode(ctx, codes)
	out := make(map[string]*registry.Procedure, len(rows))
	for _, r := range rows {
		out[r.Code] = r
	}
	return out, err
}
