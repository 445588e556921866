package store

import (
	"context"
	"encoding/json"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// CreateAgency registers an agency.
func (s *Store) CreateAgency(ctx context.Context, in registry.CreateAgencyInput, source string) (_ *registry.Agency, err error) {
	defer func() { s.audit(ctx, "createAgency", in.Code, err) }()
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	a, err := registry.NewAgency(in, s.provenance(source))
	if err != nil {
		return nil, err
	}
	if a.ParentCode != "" {
		if err := s.mustExist(ctx, colAgencies, a.ParentCode, "parentCode", "agency"); err != nil {
			return nil, err
		}
	}
	return a, s.insert(ctx, colAgencies, "agency", a.Code, a)
}

// Agency returns the agency with code, or nil.
func (s *Store) Agency(ctx context.Context, code string) (*registry.Agency, error) {
	return s.read.agency(ctx, code)
}

var agencyOrder = sortKey[*registry.Agency]{list: "agencies", id: func(a *registry.Agency) string { return a.Code }}

// Agencies lists agencies by code.
func (s *Store) Agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return s.read.agencies(ctx, f, args)
}

func agencyQuery(f registry.AgencyFilter) bson.D {
	q := bson.D{}
	if f.Level != nil {
		q = append(q, bson.E{Key: "level", Value: *f.Level})
	}
	return q
}

// CreateProcedure registers a procedure; its implementing agency must exist.
func (s *Store) CreateProcedure(ctx context.Context, in registry.CreateProcedureInput, source string) (_ *registry.Procedure, err error) {
	defer func() { s.audit(ctx, "createProcedure", in.Code, err) }()
	if err := canEditRegistry(ctx); err != nil {
		return nil, err
	}
	p, err := registry.NewProcedure(in, s.provenance(source))
	if err != nil {
		return nil, err
	}
	if err := s.mustExist(ctx, colAgencies, p.AgencyCode, "agencyCode", "agency"); err != nil {
		return nil, err
	}
	return p, s.insert(ctx, colProcedures, "procedure", p.Code, p)
}

// Procedure returns the procedure with code, or nil.
func (s *Store) Procedure(ctx context.Context, code string) (*registry.Procedure, error) {
	return s.read.procedure(ctx, code)
}

var procedureOrder = sortKey[*registry.Procedure]{list: "procedures", id: func(p *registry.Procedure) string { return p.Code }}

// Procedures lists procedures by code.
func (s *Store) Procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	return s.read.procedures(ctx, f, args)
}

func procedureQuery(f registry.ProcedureFilter) (bson.D, error) {
	q := bson.D{}
	if f.AgencyCode != nil {
		q = append(q, bson.E{Key: "agency", Value: *f.AgencyCode})
	}
	if f.Level != nil {
		q = append(q, bson.E{Key: "level", Value: *f.Level})
	}
	if f.LegalBasis != nil {
		sym, err := f.LegalBasisSymbol()
		if err != nil {
			return nil, err
		}
		q = append(q, bson.E{Key: "legalBases", Value: sym})
	}
	return q, nil
}

// mustExist answers BAD_USER_INPUT naming field when a referenced record is missing.
func (s *Store) mustExist(ctx context.Context, col, id, field, what string) error {
	ok, err := s.read.exists(ctx, col, id)
	if err == nil && !ok {
		return registry.Invalid(field, "no %s with code %q", what, id)
	}
	return err
}

func parseString(raw json.RawMessage) (any, error) {
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

func parseTime(raw json.RawMessage) (any, error) {
	var v time.Time
	err := json.Unmarshal(raw, &v)
	return v, err
}

func parseDate(raw json.RawMessage) (any, error) {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v == "" {
		return v, nil
	}
	d, err := calendar.ParseDate(v)
	return string(d), err
}

// AgenciesByCode returns the agencies with the given codes, in one query. A
// key may also be an abbreviation (TTPVHCC): directives name their issuer so.
func (s *Store) AgenciesByCode(ctx context.Context, codes []string) (map[string]*registry.Agency, error) {
	rows, err := s.read.agenciesByCode(ctx, codes)
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
func (s *Store) ProceduresByCode(ctx context.Context, codes []string) (map[string]*registry.Procedure, error) {
	rows, err := s.read.proceduresByCode(ctx, codes)
	out := make(map[string]*registry.Procedure, len(rows))
	for _, r := range rows {
		out[r.Code] = r
	}
	return out, err
}
