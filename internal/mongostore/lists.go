package mongostore

import (
	"context"
	"regexp"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// The reads, on the server's indexes.

// list reads one page of col matching filter in order o.
func list[T any](ctx context.Context, s *Store, col string, filter bson.D, o registry.Order[T], args registry.PageArgs) (*registry.Page[T], error) {
	n, err := registry.PageSize(args.First)
	if err != nil {
		return nil, err
	}
	c := s.db.Collection(col)
	page := &registry.Page[T]{Count: func(ctx context.Context) (int, error) {
		total, err := c.CountDocuments(ctx, filter)
		return int(total), classify(err)
	}}
	query := filter
	if args.After != nil && *args.After != "" {
		after, err := afterOf(o, *args.After)
		if err != nil {
			return nil, err
		}
		query = bson.D{{Key: "$and", Value: bson.A{filter, after}}}
		page.HasPrev = true
	}
	// One more than asked tells whether a next page exists (with first: 0
	// too, as memory's pages tell it).
	// The whole page in the first batch: no getMore round trip.
	cur, err := c.Find(ctx, query, options.Find().SetSort(sortOf(o)).SetLimit(int64(n+1)).SetBatchSize(int32(n+1)))
	if err != nil {
		return nil, classify(err)
	}
	if err := cur.All(ctx, &page.Items); err != nil {
		return nil, classify(err)
	}
	if len(page.Items) > n {
		page.Items, page.HasNext = page.Items[:n], true
	}
	for _, it := range page.Items {
		page.Cursors = append(page.Cursors, o.Encode(it))
	}
	return page, nil
}

func (s *Store) Agency(ctx context.Context, code string) (*registry.Agency, error) {
	return get[registry.Agency](ctx, s, colAgencies, code)
}

func (s *Store) Agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return list(ctx, s, colAgencies, agencyQuery(f), registry.AgencyOrder, args)
}

func (s *Store) EachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return each(ctx, s, colAgencies, agencyQuery(f), fn)
}

// AgenciesByCode finds agencies by code or by abbreviation.
func (s *Store) AgenciesByCode(ctx context.Context, codes []string) ([]*registry.Agency, error) {
	return findAll[registry.Agency](ctx, s, colAgencies, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}},
		bson.D{{Key: "abbreviation", Value: bson.D{{Key: "$in", Value: codes}}}},
	}}})
}

func (s *Store) Procedure(ctx context.Context, code string) (*registry.Procedure, error) {
	return get[registry.Procedure](ctx, s, colProcedures, code)
}

func (s *Store) Procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	q, err := procedureQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, colProcedures, q, registry.ProcedureOrder, args)
}

func (s *Store) EachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	q, err := procedureQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, s, colProcedures, q, fn)
}

func (s *Store) ProceduresByCode(ctx context.Context, codes []string) ([]*registry.Procedure, error) {
	return findAll[registry.Procedure](ctx, s, colProcedures, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}})
}

func (s *Store) Directive(ctx context.Context, key string) (*registry.Directive, error) {
	return get[registry.Directive](ctx, s, colDirectives, key)
}

func (s *Store) Directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error) {
	q, err := directiveQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, colDirectives, q, registry.DirectiveOrder, args)
}

func (s *Store) EachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	q, err := directiveQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, s, colDirectives, q, fn)
}

// DirectiveFacet groups with one $group and one $sum: the form the embedded
// engine computes correctly, too.
func (s *Store) DirectiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error) {
	q, err := directiveQuery(f)
	if err != nil {
		return nil, err
	}
	cur, err := s.db.Collection(colDirectives).Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: q}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$" + field}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, classify(err)
	}
	var rows []struct {
		Value any `bson:"_id"`
		N     int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, classify(err)
	}
	out := make([]registry.Facet, 0, len(rows))
	for _, r := range rows {
		v := ""
		switch x := r.Value.(type) {
		case string:
			v = x
		case int32:
			v = strconv.Itoa(int(x))
		case int64:
			v = strconv.FormatInt(x, 10)
		}
		out = append(out, registry.Facet{Value: v, Count: r.N})
	}
	return out, nil
}

// DirectivesBySymbolKeys finds the directives bearing any of the symbol
// keys, of one year when year is not nil.
func (s *Store) DirectivesBySymbolKeys(ctx context.Context, keys []string, year *int) ([]*registry.Directive, error) {
	filter := bson.D{{Key: "symbolKey", Value: bson.D{{Key: "$in", Value: keys}}}}
	if year != nil {
		filter = append(filter, bson.E{Key: "year", Value: *year})
	}
	return findAll[registry.Directive](ctx, s, colDirectives, filter)
}

// DirectivesRelatedTo finds the directives stating a relation to symbolKey.
func (s *Store) DirectivesRelatedTo(ctx context.Context, symbolKey string) ([]*registry.Directive, error) {
	return findAll[registry.Directive](ctx, s, colDirectives, bson.D{{Key: "relations.symbolKey", Value: symbolKey}})
}

func (s *Store) Report(ctx context.Context, key string) (*registry.Report, error) {
	return get[registry.Report](ctx, s, colReports, key)
}

func (s *Store) Reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error) {
	return list(ctx, s, colReports, reportQuery(f), registry.ReportOrder, args)
}

func (s *Store) EachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return each(ctx, s, colReports, reportQuery(f), fn)
}

func (s *Store) Dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	return get[registry.Dossier](ctx, s, colDossiers, code)
}

func (s *Store) Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error) {
	order, err := registry.DossierOrderOf(o)
	if err != nil {
		return nil, err
	}
	q, err := dossierQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, colDossiers, q, order, args)
}

func (s *Store) EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	q, err := dossierQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, s, colDossiers, q, fn)
}

// DossierCodes lists the codes starting with prefix.
func (s *Store) DossierCodes(ctx context.Context, prefix string) ([]string, error) {
	rows, err := findAll[struct {
		Code string `bson:"_id"`
	}](ctx, s, colDossiers, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}})
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
	}
	return codes, err
}

// Rollup reads the cells of months from..to ("" from the beginning) of the
// given agencies (all when none), from a secondary when the replica set has
// one: statistics tolerate a second's lag, and dashboards should not load
// the primary that records the steps. Verification reads the primary.
func (s *Store) Rollup(ctx context.Context, from, to string, agencies []string, _ bool) (stats.Rollup, error) {
	c := s.db.Collection(colRollups, options.Collection().SetReadPreference(readpref.SecondaryPreferred()))
	return readRollup(ctx, c, from, to, agencies)
}

// AuditLog lists audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error) {
	return list(ctx, s, colAudit, auditQuery(f), registry.AuditOrder, args)
}

// AuditEntry reads one audit entry by _id, the one find the embedded engine
// answers by search; nil when there is none.
func (s *Store) AuditEntry(ctx context.Context, id string) (*registry.AuditEntry, error) {
	return get[registry.AuditEntry](ctx, s, colAudit, id)
}

// EachAudit calls fn with every audit entry, in no order: a sort would make
// the embedded engine read the whole log before the first.
func (s *Store) EachAudit(ctx context.Context, fn func(*registry.AuditEntry) error) error {
	return scanAll(ctx, s, colAudit, fn)
}
