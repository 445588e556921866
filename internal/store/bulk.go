package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
func (s *Store) Load(ctx context.Context, records []any) (inserted []bool, refused []error, err error) {
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
		var models []mongo.WriteModel
		var cols []string
		var idx []int
		flush := func() error {
			if len(models) == 0 {
				return nil
			}
			if err := s.upsertNew(ctx, cols, models, idx, inserted); err != nil {
				return err
			}
			models, cols, idx = nil, nil, nil
			return nil
		}
		var dossiers []int
		for i, r := range records {
			var col, id string
			switch v := r.(type) {
			case *registry.Agency:
				if v.ParentCode != "" && !need(i, colAgencies, "agency", "parentCode", v.ParentCode) {
					continue
				}
				col, id = colAgencies, v.Code
				known["agency|"+v.Code] = true
			case *registry.Procedure:
				if !need(i, colAgencies, "agency", "agencyCode", v.AgencyCode) {
					continue
				}
				col, id = colProcedures, v.Code
				known["procedure|"+v.Code] = true
			case *registry.Directive:
				col, id = colDirectives, v.Key
			case *registry.Report:
				col, id = colReports, v.Key
			case *registry.Dossier:
				if !need(i, colAgencies, "agency", "agencyCode", v.AgencyCode) || !need(i, colProcedures, "procedure", "procedureCode", v.ProcedureCode) {
					continue
				}
				col, id = colDossiers, v.Code
				dossiers = append(dossiers, i)
			default:
				return fmt.Errorf("store: cannot load a %T", r)
			}
			models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).
				SetUpdate(bson.D{{Key: "$setOnInsert", Value: r}}).SetUpsert(true))
			cols, idx = append(cols, col), append(idx, i)
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
		return s.afterDossierLoad(ctx, records, dossiers, inserted)
	})
	return inserted, refused, err
}

// upsertNew runs the upserts collection by collection and marks which
// inserted a new document.
func (s *Store) upsertNew(ctx context.Context, cols []string, models []mongo.WriteModel, idx []int, inserted []bool) error {
	for start := 0; start < len(models); {
		end := start
		for end < len(models) && cols[end] == cols[start] {
			end++
		}
		res, err := s.db.Collection(cols[start]).BulkWrite(ctx, models[start:end], options.BulkWrite().SetOrdered(true))
		if err != nil {
			return classify(err)
		}
		for k := range res.UpsertedIDs {
			inserted[idx[start+int(k)]] = true
		}
		start = end
	}
	return nil
}

// afterDossierLoad adds the new dossiers to the rollups and moves each
// unit's daily code counter past the codes loaded, so codes generated later
// do not collide with them.
func (s *Store) afterDossierLoad(ctx context.Context, records []any, dossiers []int, inserted []bool) error {
	seqs := map[string]int{}
	for _, i := range dossiers {
		if !inserted[i] {
			continue
		}
		d := records[i].(*registry.Dossier)
		s.recordRollup(ctx, nil, d)
		cut := strings.LastIndex(d.Code, "-")
		if n, err := strconv.Atoi(d.Code[cut+1:]); err == nil {
			prefix := "dossier|" + d.Code[:cut+1]
			seqs[prefix] = max(seqs[prefix], n)
		}
	}
	for id, n := range seqs {
		var c struct {
			Seq int `bson:"seq"`
		}
		found, err := s.findOne(ctx, colCounters, id, &c)
		if err != nil {
			return err
		}
		if found && c.Seq >= n {
			continue
		}
		_, err = s.db.Collection(colCounters).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: n}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return classify(err)
		}
	}
	return nil
}

// each calls fn with every document of col matching filter, in _id order,
// reading with one cursor (pages would rescan on the embedded engine).
func each[T any](ctx context.Context, s *Store, col string, filter bson.D, fn func(*T) error) error {
	cur, err := s.db.Collection(col).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return classify(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		v := new(T)
		if err := cur.Decode(v); err != nil {
			return classify(err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return classify(cur.Err())
}

// EachAgency streams the agencies matching f.
func (s *Store) EachAgency(ctx context.Context, f AgencyFilter, fn func(*registry.Agency) error) error {
	return each(ctx, s, colAgencies, f.query(), fn)
}

// EachProcedure streams the procedures matching f.
func (s *Store) EachProcedure(ctx context.Context, f ProcedureFilter, fn func(*registry.Procedure) error) error {
	q, err := f.query()
	if err != nil {
		return err
	}
	return each(ctx, s, colProcedures, q, fn)
}

// EachDirective streams the directives matching f.
func (s *Store) EachDirective(ctx context.Context, f DirectiveFilter, fn func(*registry.Directive) error) error {
	q, err := f.query()
	if err != nil {
		return err
	}
	return each(ctx, s, colDirectives, q, fn)
}

// EachDossier streams the dossiers matching f.
func (s *Store) EachDossier(ctx context.Context, f DossierFilter, fn func(*registry.Dossier) error) error {
	q, err := f.query()
	if err != nil {
		return err
	}
	return each(ctx, s, colDossiers, q, fn)
}

// EachReport streams the reports matching f.
func (s *Store) EachReport(ctx context.Context, f ReportFilter, fn func(*registry.Report) error) error {
	return each(ctx, s, colReports, f.query(), fn)
}

// ReportFilter narrows the reports list.
type ReportFilter struct {
	Period     *string
	AgencyCode *string
}

func (f ReportFilter) query() bson.D {
	q := bson.D{}
	if f.Period != nil {
		q = append(q, bson.E{Key: "period", Value: *f.Period})
	}
	if f.AgencyCode != nil {
		q = append(q, bson.E{Key: "agency", Value: *f.AgencyCode})
	}
	return q
}
