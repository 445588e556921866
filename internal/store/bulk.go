package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// colReports holds published statistics reports.
const colReports = "reports"

// Load stores validated records (*registry.Agency, *registry.Procedure,
// *registry.Directive, *registry.Report, *registry.Dossier) that are not
// there yet; a record whose key exists is left as it is, so loading the same
// records twice, or again after a crash, changes nothing. Records may refer
// to records earlier in the same call. refused[i] explains why records[i]
// was not stored (a reference to nothing); inserted[i] says it was new.
//
// Load does not touch the statistics rollups: a bulk load ends with one
// RebuildRollups, much faster than updating the rollups batch by batch, and
// right even when an earlier, interrupted load left dossiers uncounted.
func (s *Store) Load(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
	defer func() { s.audit(ctx, "load", fmt.Sprintf("%d records", len(records)), err) }()
	if err := canEditRegistry(ctx); err != nil {
		return nil, nil, err
	}
	return s.load(ctx, records)
}

// load is Load for callers that have checked rights and audit themselves.
func (s *Store) load(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
	inserted, refused = make([]bool, len(records)), make([]error, len(records))
	err = s.write(ctx, func() error {
		known := map[string]bool{} // "agency|<code>", "procedure|<code>" in this call
		need := func(i int, col, what, field, code string) bool {
			if known[what+"|"+code] {
				return true
			}
			if err := s.mustExist(ctx, col, code, field, what); err != nil {
				refused[i] = err
				return false
			}
			known[what+"|"+code] = true
			return true
		}
		// Agencies and procedures are written as they come, since later
		// records refer to them; runs of other records go in bulk writes.
		var docs []any
		var cols []string
		var idx []int
		flush := func() error {
			if len(docs) == 0 {
				return nil
			}
			if err := s.insertNew(ctx, cols, docs, idx, inserted); err != nil {
				return err
			}
			docs, cols, idx = nil, nil, nil
			return nil
		}
		for i, r := range records {
			var col string
			switch v := r.(type) {
			case *registry.Agency:
				if v.ParentCode != "" && !need(i, colAgencies, "agency", "parentCode", v.ParentCode) {
					continue
				}
				col = colAgencies
				known["agency|"+v.Code] = true
			case *registry.Procedure:
				if !need(i, colAgencies, "agency", "agencyCode", v.AgencyCode) {
					continue
				}
				col = colProcedures
				known["procedure|"+v.Code] = true
			case *registry.Directive:
				col = colDirectives
			case *registry.Report:
				col = colReports
			case *registry.Dossier:
				if !need(i, colAgencies, "agency", "agencyCode", v.AgencyCode) || !need(i, colProcedures, "procedure", "procedureCode", v.ProcedureCode) {
					continue
				}
				col = colDossiers
			default:
				return fmt.Errorf("store: cannot load a %T", r)
			}
			docs, cols, idx = append(docs, r), append(cols, col), append(idx, i)
			if col == colAgencies || col == colProcedures {
				// Referenced by what follows: store before going on.
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for i, r := range records {
			if inserted[i] {
				s.follow.loaded(r)
			}
		}
		return nil
	})
	return inserted, refused, err
}

// insertNew inserts the documents collection by collection and marks which
// were new. Inserting and treating "duplicate key" as "already there" is the
// upsert the embedded engine can do fast: its updates scan the collection,
// its inserts use the _id index.
func (s *Store) insertNew(ctx context.Context, cols []string, docs []any, idx []int, inserted []bool) error {
	for start := 0; start < len(docs); {
		end := start
		for end < len(docs) && cols[end] == cols[start] {
			end++
		}
		for i := start; i < end; i++ {
			inserted[idx[i]] = true
		}
		_, err := s.db.Collection(cols[start]).InsertMany(ctx, docs[start:end], options.InsertMany().SetOrdered(false))
		if bwe, ok := errors.AsType[mongo.BulkWriteException](err); ok && bwe.WriteConcernError == nil {
			for _, we := range bwe.WriteErrors {
				if !isDuplicate(mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}}) {
					return classify(err)
				}
				inserted[idx[start+we.Index]] = false
			}
		} else if err != nil {
			return classify(err)
		}
		start = end
	}
	return nil
}

// EachAgency streams the agencies matching f.
func (s *Store) EachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return s.read.eachAgency(ctx, f, fn)
}

// EachProcedure streams the procedures matching f.
func (s *Store) EachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	return s.read.eachProcedure(ctx, f, fn)
}

// EachDirective streams the directives matching f.
func (s *Store) EachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	return s.read.eachDirective(ctx, f, fn)
}

// EachDossier streams the dossiers matching f.
func (s *Store) EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	return s.read.eachDossier(ctx, f, fn)
}

// EachReport streams the reports matching f.
func (s *Store) EachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return s.read.eachReport(ctx, f, fn)
}

func reportQuery(f registry.ReportFilter) bson.D {
	q := bson.D{}
	if f.Period != nil {
		q = append(q, bson.E{Key: "period", Value: *f.Period})
	}
	if f.AgencyCode != nil {
		q = append(q, bson.E{Key: "agency", Value: *f.AgencyCode})
	}
	return q
}
