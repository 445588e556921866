package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// maxCodeAttempts bounds the search for a free generated code when clients
// have also been choosing codes by hand for the same unit and day.
const maxCodeAttempts = 100

// ReceiveDossier records a dossier handed in at a desk. Without a code it
// generates <unit id>-YYMMDD-XXXX from a per-unit, per-day counter.
func (s *Store) ReceiveDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (*registry.Dossier, error) {
	in.AgencyCode = strings.TrimSpace(in.AgencyCode)
	if err := s.mustExist(ctx, colAgencies, in.AgencyCode, "agencyCode", "agency"); err != nil {
		return nil, err
	}
	proc, err := s.Procedure(ctx, strings.TrimSpace(in.ProcedureCode))
	if err != nil {
		return nil, err
	}
	if proc == nil {
		return nil, registry.Invalid("procedureCode", "no procedure with code %q", in.ProcedureCode)
	}
	now := s.now()
	prov := s.provenance(source)
	if in.Code != nil {
		d, err := registry.NewDossier(in, strings.TrimSpace(*in.Code), proc, s.cal, now, prov)
		if err != nil {
			return nil, err
		}
		return d, s.insert(ctx, colDossiers, "dossier", d.Code, d)
	}
	receivedAt := now
	if in.ReceivedAt != nil {
		receivedAt = *in.ReceivedAt
	}
	prefix := registry.DossierCodePrefix(in.AgencyCode, receivedAt)
	// Validate everything before taking a sequence number.
	if _, err := registry.NewDossier(in, prefix+"0001", proc, s.cal, now, prov); err != nil {
		return nil, err
	}
	var d *registry.Dossier
	err = s.write(ctx, func() error {
		for range maxCodeAttempts {
			seq, err := s.nextSequence(ctx, "dossier|"+prefix)
			if err != nil {
				return err
			}
			d, err = registry.NewDossier(in, fmt.Sprintf("%s%04d", prefix, seq), proc, s.cal, now, prov)
			if err != nil {
				return err
			}
			_, err = s.db.Collection(colDossiers).InsertOne(ctx, d)
			if !isDuplicate(err) {
				return classify(err)
			}
		}
		return registry.Errorf(registry.CodeConflict, "no free dossier code under %s after %d attempts", prefix, maxCodeAttempts)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// nextSequence increments and returns the counter named id. Callers hold the
// writer: the embedded engine's $inc is not atomic across connections.
func (s *Store) nextSequence(ctx context.Context, id string) (int, error) {
	var c struct {
		Seq int `bson:"seq"`
	}
	err := s.db.Collection(colCounters).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	return c.Seq, classify(err)
}

// Dossier returns the dossier with code, or nil.
func (s *Store) Dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	return get[registry.Dossier](ctx, s, colDossiers, code)
}

// DossierFilter narrows the dossiers list. Empty fields do not filter.
type DossierFilter struct {
	AgencyCode    *string
	ProcedureCode *string
	Status        *registry.Status
	Channel       *registry.Channel
	ReceivedFrom  *time.Time // inclusive
	ReceivedTo    *time.Time // exclusive
}

// DossierOrder is a dossiers list order.
type DossierOrder string

const (
	OrderByCode         DossierOrder = "CODE"
	OrderByReceivedAt   DossierOrder = "RECEIVED_AT"
	OrderByReceivedDesc DossierOrder = "RECEIVED_AT_DESC"
	OrderByDueDate      DossierOrder = "DUE_DATE"
)

func dossierOrder(o DossierOrder) (sortKey[*registry.Dossier], error) {
	id := func(d *registry.Dossier) string { return d.Code }
	switch o {
	case "", OrderByCode:
		return sortKey[*registry.Dossier]{id: id}, nil
	case OrderByReceivedAt, OrderByReceivedDesc:
		return sortKey[*registry.Dossier]{field: "receivedAt", desc: o == OrderByReceivedDesc, id: id,
			value: func(d *registry.Dossier) any { return d.ReceivedAt }, parse: parseTime}, nil
	case OrderByDueDate:
		return sortKey[*registry.Dossier]{field: "dueDate", id: id,
			value: func(d *registry.Dossier) any { return string(d.DueDate) }, parse: parseDate}, nil
	}
	return sortKey[*registry.Dossier]{}, registry.Invalid("orderBy", "unknown order %q", o)
}

// Dossiers lists dossiers matching f in order o.
func (s *Store) Dossiers(ctx context.Context, f DossierFilter, o DossierOrder, args PageArgs) (*Page[*registry.Dossier], error) {
	key, err := dossierOrder(o)
	if err != nil {
		return nil, err
	}
	filter := bson.D{}
	eq := func(field string, v *string) {
		if v != nil {
			filter = append(filter, bson.E{Key: field, Value: *v})
		}
	}
	eq("agency", f.AgencyCode)
	eq("procedure", f.ProcedureCode)
	if f.Status != nil {
		filter = append(filter, bson.E{Key: "status", Value: *f.Status})
	}
	if f.Channel != nil {
		filter = append(filter, bson.E{Key: "channel", Value: *f.Channel})
	}
	if r := timeRange(f.ReceivedFrom, f.ReceivedTo); r != nil {
		filter = append(filter, bson.E{Key: "receivedAt", Value: r})
	}
	return list(ctx, s, colDossiers, filter, key, args)
}

// timeRange is a [from, to) condition, or nil when both ends are open.
func timeRange(from, to *time.Time) bson.D {
	var r bson.D
	if from != nil {
		r = append(r, bson.E{Key: "$gte", Value: *from})
	}
	if to != nil {
		r = append(r, bson.E{Key: "$lt", Value: *to})
	}
	return r
}
