package mongostore

import (
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

// The lists' filters and orders (internal/registry, match.go and order.go)
// translated to MongoDB queries. Each must select and order exactly as its
// predicate does: TestStoresAgree holds them to it on random filters.

func agencyQuery(f registry.AgencyFilter) bson.D {
	q := bson.D{}
	if f.Level != nil {
		q = append(q, bson.E{Key: "level", Value: *f.Level})
	}
	return q
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
	if f.LegalBasisAmong != nil {
		// Beside the condition above in its own clause: a document takes a field once.
		among := append([]string{}, *f.LegalBasisAmong...) // an array, even empty
		q = append(q, bson.E{Key: "$and", Value: bson.A{bson.D{{Key: "legalBases", Value: bson.D{{Key: "$in", Value: among}}}}}})
	}
	return q, nil
}

func directiveQuery(f registry.DirectiveFilter) (bson.D, error) {
	q := bson.D{}
	if f.Search != nil {
		terms, err := registry.SearchTerms(*f.Search)
		if err != nil {
			return nil, err
		}
		// Each term is matched literally: regex metacharacters in user text mean themselves.
		for _, t := range terms {
			q = append(q, bson.E{Key: "search", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(t)}}})
		}
	}
	if f.Type != nil {
		code, err := f.TypeCode()
		if err != nil {
			return nil, err
		}
		q = append(q, bson.E{Key: "symbol.type", Value: code})
	}
	if f.IssuerCode != nil {
		q = append(q, bson.E{Key: "issuerKey", Value: fold.String(*f.IssuerCode)})
	}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	if f.IssuedFrom != nil || f.IssuedTo != nil {
		r := bson.D{}
		if f.IssuedFrom != nil {
			r = append(r, bson.E{Key: "$gte", Value: string(*f.IssuedFrom)})
		}
		if f.IssuedTo != nil {
			r = append(r, bson.E{Key: "$lte", Value: string(*f.IssuedTo)})
		}
		q = append(q, bson.E{Key: "issuedOn", Value: r})
	}
	if f.Validity != nil {
		q = append(q, bson.E{Key: "validity", Value: *f.Validity})
	}
	if f.Topic != nil {
		q = append(q, bson.E{Key: "topics", Value: *f.Topic})
	}
	if f.InForceOn != nil {
		day, err := f.InForceDay()
		if err != nil {
			return nil, err
		}
		q = append(q, inForceQuery(day)...)
	}
	if len(f.ExceptKeys) > 0 {
		q = append(q, bson.E{Key: "_id", Value: bson.D{{Key: "$nin", Value: f.ExceptKeys}}})
	}
	if f.Stating != nil {
		q = append(q, bson.E{Key: "relations.kind", Value: bson.D{{Key: "$in", Value: f.Stating}}})
	}
	return q, nil
}

// inForceQuery selects what registry.OwnValidity says is in force on day:
// not before its start (effectiveFrom, else issuedOn), not after its
// effectiveTo, and then either a stated IN_FORCE or PARTIALLY_EXPIRED
// recorded by that day, or a known start and no stated EXPIRED or
// SUSPENDED recorded by then. Dates are canonical strings (which sort as
// dates) and are absent when empty.
func inForceQuery(day calendar.Date) bson.D {
	d, nextDay := string(day), day.AddDays(1).Time()
	cond := func(field string, v any) bson.D { return bson.D{{Key: field, Value: v}} }
	op := func(o string, v any) bson.D { return bson.D{{Key: o, Value: v}} }
	empty := op("$in", bson.A{"", nil})
	// Started on day or before.
	started := op("$or", bson.A{
		cond("effectiveFrom", bson.D{{Key: "$gt", Value: ""}, {Key: "$lte", Value: d}}),
		bson.D{{Key: "effectiveFrom", Value: empty}, {Key: "issuedOn", Value: bson.D{{Key: "$gt", Value: ""}, {Key: "$lte", Value: d}}}},
	})
	notStarting := bson.D{{Key: "effectiveFrom", Value: empty}, {Key: "issuedOn", Value: empty}}
	return op("$and", bson.A{
		op("$or", bson.A{started, notStarting}),
		op("$or", bson.A{cond("effectiveTo", empty), cond("effectiveTo", op("$gte", d))}),
		op("$or", bson.A{
			bson.D{{Key: "validity", Value: op("$in", bson.A{registry.ValidityInForce, registry.ValidityPartiallyExpired})},
				{Key: "provenance.recorded", Value: op("$lt", nextDay)}},
			op("$and", bson.A{started, op("$or", bson.A{
				cond("validity", op("$nin", bson.A{registry.ValidityExpired, registry.ValiditySuspended})),
				cond("provenance.recorded", op("$gte", nextDay)),
			})}),
		}),
	})
}

func reportQuery(f registry.ReportFilter) bson.D {
	q := bson.D{}
	if f.Period != nil {
		q = append(q, bson.E{Key: "period", Value: equal(*f.Period)})
	}
	if f.AgencyCode != nil {
		q = append(q, bson.E{Key: "agency", Value: equal(*f.AgencyCode)})
	}
	return q
}

// equal is the condition "the field equals v" for a field stored with
// omitempty: "" is not stored, so an empty v also selects the field's
// absence, as the predicates read it.
func equal(v string) any {
	if v == "" {
		return bson.D{{Key: "$in", Value: bson.A{"", nil}}}
	}
	return v
}

func auditQuery(f registry.AuditFilter) bson.D {
	q := bson.D{}
	for _, c := range []struct {
		field string
		v     *string
	}{{"who", f.Who}, {"operation", f.Operation}, {"target", f.Target}} {
		if c.v == nil {
			continue
		}
		q = append(q, bson.E{Key: c.field, Value: equal(*c.v)})
	}
	if r := timeRange(f.From, f.To); r != nil {
		q = append(q, bson.E{Key: "at", Value: r})
	}
	return q
}

func dossierQuery(f registry.DossierFilter) (bson.D, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	q := bson.D{}
	eq := func(field string, v *string) {
		if v != nil {
			q = append(q, bson.E{Key: field, Value: *v})
		}
	}
	eq("agency", f.AgencyCode)
	eq("procedure", f.ProcedureCode)
	eq("status", (*string)(f.Status))
	eq("channel", (*string)(f.Channel))
	eq("outcome", (*string)(f.Outcome))
	if r := timeRange(f.ReceivedFrom, f.ReceivedTo); r != nil {
		q = append(q, bson.E{Key: "receivedAt", Value: r})
	}
	if r := timeRange(f.ResolvedFrom, f.ResolvedTo); r != nil {
		q = append(q, bson.E{Key: "resolvedAt", Value: r})
	}
	if f.OverdueAsOf != nil {
		if f.Status == nil {
			q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: registry.OpenStatuses()}}})
		}
		q = append(q, bson.E{Key: "overdueFrom", Value: bson.D{{Key: "$gt", Value: ""}, {Key: "$lte", Value: string(*f.OverdueAsOf)}}})
	}
	return q, nil
}

// timeRange is a [from, to) condition, or nil when both ends are open,
// its bounds rounded as registry.InTimeRange rounds them.
func timeRange(from, to *time.Time) bson.D {
	var r bson.D
	if from != nil {
		r = append(r, bson.E{Key: "$gte", Value: registry.TimeBound(*from)})
	}
	if to != nil {
		r = append(r, bson.E{Key: "$lt", Value: registry.TimeBound(*to)})
	}
	return r
}

// sortOf is the order's sort: its field, then _id.
func sortOf[T any](o registry.Order[T]) bson.D {
	dir := 1
	if o.Desc {
		dir = -1
	}
	if o.Field == "" {
		return bson.D{{Key: "_id", Value: dir}}
	}
	return bson.D{{Key: o.Field, Value: dir}, {Key: "_id", Value: dir}}
}

// afterOf is the filter selecting what follows the cursor in the order.
func afterOf[T any](o registry.Order[T], cursor string) (bson.D, error) {
	v, id, err := o.Decode(cursor)
	if err != nil {
		return nil, err
	}
	op := "$gt"
	if o.Desc {
		op = "$lt"
	}
	if o.Field == "" {
		return bson.D{{Key: "_id", Value: bson.D{{Key: op, Value: id}}}}, nil
	}
	// An empty sort value is stored as no field at all (omitempty), which no
	// comparison with a string matches: it sorts below every value (last
	// when descending) and equals "" here, as in registry.Order.
	none := bson.D{{Key: "$in", Value: bson.A{nil, ""}}}
	if v == "" {
		next := bson.A{bson.D{{Key: o.Field, Value: none}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}}}
		if !o.Desc {
			next = append(next, bson.D{{Key: o.Field, Value: bson.D{{Key: "$gt", Value: ""}}}})
		}
		return bson.D{{Key: "$or", Value: next}}, nil
	}
	next := bson.A{
		bson.D{{Key: o.Field, Value: bson.D{{Key: op, Value: v}}}},
		bson.D{{Key: o.Field, Value: v}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}},
	}
	if o.Desc {
		next = append(next, bson.D{{Key: o.Field, Value: none}})
	}
	return bson.D{{Key: "$or", Value: next}}, nil
}
