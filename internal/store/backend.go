package store

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// backend answers the store's reads, and says how the two writes that
// differ by engine are made (a step's filter, the next sequence number).
// Two implementations, chosen once at Open: engineReads asks the server, on
// its indexes (MongoDB's way), and memory answers on the embedded engine,
// where any query but {_id: x} decodes a whole collection. Validation,
// rights and the domain rules stay in the Store, above both.
type backend interface {
	agency(ctx context.Context, code string) (*registry.Agency, error)
	agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error)
	eachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error
	// agenciesByCode finds agencies by code or by abbreviation.
	agenciesByCode(ctx context.Context, codes []string) ([]*registry.Agency, error)
	procedure(ctx context.Context, code string) (*registry.Procedure, error)
	procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error)
	eachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error
	proceduresByCode(ctx context.Context, codes []string) ([]*registry.Procedure, error)
	// exists reports whether col (agencies or procedures) holds id.
	exists(ctx context.Context, col, id string) (bool, error)

	directive(ctx context.Context, key string) (*registry.Directive, error)
	directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error)
	eachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error
	directiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error)
	// directivesBySymbolKeys finds the directives bearing any of the symbol
	// keys, of one year when year is not nil.
	directivesBySymbolKeys(ctx context.Context, keys []string, year *int) ([]*registry.Directive, error)
	// directivesRelatedTo finds the directives stating a relation to symbolKey.
	directivesRelatedTo(ctx context.Context, symbolKey string) ([]*registry.Directive, error)

	report(ctx context.Context, key string) (*registry.Report, error)
	reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error)
	eachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error

	dossier(ctx context.Context, code string) (*registry.Dossier, error)
	dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error)
	eachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error
	// dossierCodes lists the codes starting with prefix.
	dossierCodes(ctx context.Context, prefix string) ([]string, error)

	// rollup reads the cells of months from..to ("" from the beginning) of
	// the given agencies (all when none); byProcedure false allows cells
	// summed over the procedures (see stats.Query.ByProcedure).
	rollup(ctx context.Context, from, to string, agencies []string, byProcedure bool) (stats.Rollup, error)
	// stepFilter selects the dossier a step's update is for: code at version.
	stepFilter(code string, version int) bson.D
	// nextSequence increments the counter id and returns its new value.
	// Callers hold the writer.
	nextSequence(ctx context.Context, id string) (int, error)
}

// follower learns of each write once the engine has acknowledged it: memory
// follows them to stay exact; on MongoDB nothing needs to (noFollower).
type follower interface {
	// stored: a record (agency, procedure, directive, report, dossier)
	// inserted or replaced, as it now is.
	stored(doc any)
	// loaded: a record inserted by a bulk load, which reads none again soon.
	loaded(doc any)
	// unsure: a dossier write whose outcome could not be learnt.
	unsure(code string)
	// rolledUp: the rollups change by delta. true when the follower stores
	// the change itself (memory writes the changed documents in batches).
	rolledUp(delta stats.Rollup) bool
	rollupsRebuilt(r stats.Rollup)
	sequenceSet(id string, seq int)
}

type noFollower struct{}

func (noFollower) stored(any)                  {}
func (noFollower) loaded(any)                  {}
func (noFollower) unsure(string)               {}
func (noFollower) rolledUp(stats.Rollup) bool  { return false }
func (noFollower) rollupsRebuilt(stats.Rollup) {}
func (noFollower) sequenceSet(string, int)     {}

// engineReads are the reads sent to the server.
type engineReads struct{ s *Store }

func (e engineReads) agency(ctx context.Context, code string) (*registry.Agency, error) {
	return get[registry.Agency](ctx, e.s, colAgencies, code)
}

func (e engineReads) agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error) {
	return list(ctx, e.s, colAgencies, agencyQuery(f), agencyOrder, args)
}

func (e engineReads) eachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error {
	return each(ctx, e.s, colAgencies, agencyQuery(f), fn)
}

func (e engineReads) agenciesByCode(ctx context.Context, codes []string) ([]*registry.Agency, error) {
	return findAll[registry.Agency](ctx, e.s, colAgencies, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}},
		bson.D{{Key: "abbreviation", Value: bson.D{{Key: "$in", Value: codes}}}},
	}}})
}

func (e engineReads) procedure(ctx context.Context, code string) (*registry.Procedure, error) {
	return get[registry.Procedure](ctx, e.s, colProcedures, code)
}

func (e engineReads) procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error) {
	q, err := procedureQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, e.s, colProcedures, q, procedureOrder, args)
}

func (e engineReads) eachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error {
	q, err := procedureQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, e.s, colProcedures, q, fn)
}

func (e engineReads) proceduresByCode(ctx context.Context, codes []string) ([]*registry.Procedure, error) {
	return findAll[registry.Procedure](ctx, e.s, colProcedures, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}})
}

func (e engineReads) exists(ctx context.Context, col, id string) (bool, error) {
	err := e.s.db.Collection(col).FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, classify(err)
}

func (e engineReads) directive(ctx context.Context, key string) (*registry.Directive, error) {
	return get[registry.Directive](ctx, e.s, colDirectives, key)
}

func (e engineReads) directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error) {
	q, err := directiveQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, e.s, colDirectives, q, directiveOrder, args)
}

func (e engineReads) eachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error {
	q, err := directiveQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, e.s, colDirectives, q, fn)
}

// directiveFacet groups with one $group and one $sum: the form the embedded
// engine computes correctly, too.
func (e engineReads) directiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error) {
	q, err := directiveQuery(f)
	if err != nil {
		return nil, err
	}
	cur, err := e.s.db.Collection(colDirectives).Aggregate(ctx, mongo.Pipeline{
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

func (e engineReads) directivesBySymbolKeys(ctx context.Context, keys []string, year *int) ([]*registry.Directive, error) {
	filter := bson.D{{Key: "symbolKey", Value: bson.D{{Key: "$in", Value: keys}}}}
	if year != nil {
		filter = append(filter, bson.E{Key: "year", Value: *year})
	}
	return findAll[registry.Directive](ctx, e.s, colDirectives, filter)
}

func (e engineReads) directivesRelatedTo(ctx context.Context, symbolKey string) ([]*registry.Directive, error) {
	return findAll[registry.Directive](ctx, e.s, colDirectives, bson.D{{Key: "relations.symbolKey", Value: symbolKey}})
}

func (e engineReads) report(ctx context.Context, key string) (*registry.Report, error) {
	return get[registry.Report](ctx, e.s, colReports, key)
}

func (e engineReads) reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error) {
	return list(ctx, e.s, colReports, reportQuery(f), reportOrder, args)
}

func (e engineReads) eachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error {
	return each(ctx, e.s, colReports, reportQuery(f), fn)
}

func (e engineReads) dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	return get[registry.Dossier](ctx, e.s, colDossiers, code)
}

func (e engineReads) dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error) {
	key, err := dossierOrder(o)
	if err != nil {
		return nil, err
	}
	q, err := dossierQuery(f)
	if err != nil {
		return nil, err
	}
	return list(ctx, e.s, colDossiers, q, key, args)
}

func (e engineReads) eachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error {
	q, err := dossierQuery(f)
	if err != nil {
		return err
	}
	return each(ctx, e.s, colDossiers, q, fn)
}

// stepFilter checks the version in the server: another gateway may have
// written the dossier since it was read.
func (e engineReads) stepFilter(code string, version int) bson.D {
	return bson.D{{Key: "_id", Value: code}, {Key: "version", Value: version}}
}

func (e engineReads) dossierCodes(ctx context.Context, prefix string) ([]string, error) {
	rows, err := findAll[struct {
		Code string `bson:"_id"`
	}](ctx, e.s, colDossiers, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(prefix)}}}})
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
	}
	return codes, err
}

// rollup reads from a secondary when the replica set has one: statistics
// tolerate a second's lag, and dashboards should not load the primary that
// records the steps. verify reads the primary.
func (e engineReads) rollup(ctx context.Context, from, to string, agencies []string, _ bool) (stats.Rollup, error) {
	c := e.s.db.Collection(colRollups, options.Collection().SetReadPreference(readpref.SecondaryPreferred()))
	return e.s.readRollup(ctx, c, from, to, agencies)
}

// nextSequence is one atomic $inc: several gateways may share the server.
func (e engineReads) nextSequence(ctx context.Context, id string) (int, error) {
	var c struct {
		Seq int `bson:"seq"`
	}
	err := e.s.db.Collection(colCounters).FindOneAndUpdate(ctx,
		byID(id),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	return c.Seq, classify(err)
}
