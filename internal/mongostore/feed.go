package mongostore

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// Reading the change feed: each collection's changes after a position, in
// (changed.seq, _id) order on its index, merged in the feed's order.

// feedDoc is what the feed reads of a stored record.
type feedDoc struct {
	ID      string         `bson:"_id"`
	Changed registry.Stamp `bson:"changed"`
	Version int            `bson:"version"`
}

var feedProjection = bson.D{{Key: "_id", Value: 1}, {Key: fieldChanged, Value: 1}, {Key: "version", Value: 1}}

func (d *feedDoc) change(kind registry.RecordKind) registry.Change {
	c := registry.Change{Kind: kind, Key: d.ID, Op: registry.OpUpsert, Stamp: d.Changed}
	if kind == registry.KindDossier {
		c.Version = d.Version
	}
	return c
}

// Changes lists the feed after f.After: at most first changes, and whether
// more follow. A change superseded by its key's other entry (a tombstone
// and a record stored again, or a delete stopped before the removal) is
// left out, and the next page read in its place.
func (s *Store) Changes(ctx context.Context, f registry.ChangeFilter, first int) ([]registry.Change, bool, error) {
	var out []registry.Change
	for {
		page, more, err := s.changePage(ctx, f, first+1-len(out))
		if err != nil {
			return nil, false, err
		}
		if more {
			f.After = page[len(page)-1].Position()
		}
		if page, err = s.dropSuperseded(ctx, page); err != nil {
			return nil, false, err
		}
		out = append(out, page...)
		if len(out) > first || !more {
			break
		}
	}
	if len(out) > first {
		return out[:first], true, nil
	}
	return out, false, nil
}

// feedQuery is one find of a collection's changes, in sort order.
type feedQuery struct{ filter, sort bson.D }

// changePage is the next n changes after f.After, superseded ones
// included, and whether more follow: each find reads n+1 at most.
func (s *Store) changePage(ctx context.Context, f registry.ChangeFilter, n int) ([]registry.Change, bool, error) {
	var all []registry.Change
	opts := options.Find().SetLimit(int64(n + 1)).SetProjection(feedProjection)
	for _, kind := range registry.RecordKinds {
		if !f.Wants(kind) {
			continue
		}
		for _, q := range recordQueries(kind, f.After) {
			err := find(ctx, s, kindCollections[kind], q.filter, func(d *feedDoc) error {
				all = append(all, d.change(kind))
				return nil
			}, opts, options.Find().SetSort(q.sort))
			if err != nil {
				return nil, false, err
			}
		}
	}
	// Every tombstone has a number of its own (none is stored before the
	// feed, at 0): none shares f.After's.
	filter := bson.D{{Key: fieldSeq, Value: bson.D{{Key: "$gt", Value: f.After.Seq}}}}
	if len(f.Kinds) > 0 {
		filter = append(filter, bson.E{Key: "kind", Value: bson.D{{Key: "$in", Value: f.Kinds}}})
	}
	err := find(ctx, s, colTombstones, filter, func(t *registry.Tombstone) error {
		all = append(all, t.Change())
		return nil
	}, options.Find().SetLimit(int64(n+1)).SetSort(feedOrder))
	if err != nil {
		return nil, false, err
	}
	slices.SortFunc(all, func(a, b registry.Change) int { return a.Position().Compare(b.Position()) })
	if len(all) > n {
		return all[:n], true, nil
	}
	return all, false, nil
}

// recordQueries finds kind's changes after position p: those of p's
// number that sort after p (by kind, then key), in _id order, and those of
// later numbers. Records stored before the feed lack the stamp: number 0.
func recordQueries(kind registry.RecordKind, p registry.Position) []feedQuery {
	later := feedQuery{bson.D{{Key: fieldSeq, Value: bson.D{{Key: "$gt", Value: p.Seq}}}}, feedOrder}
	var key bson.D
	switch cmp.Compare(slices.Index(registry.RecordKinds, kind), slices.Index(registry.RecordKinds, p.Kind)) {
	case -1:
		return []feedQuery{later}
	case 0:
		key = bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: p.Key}}}}
	}
	same := bson.D{{Key: fieldSeq, Value: p.Seq}}
	if p.Seq == 0 {
		same = bson.D{{Key: "$or", Value: bson.A{same, bson.D{{Key: fieldChanged, Value: bson.D{{Key: "$exists", Value: false}}}}}}}
	}
	return []feedQuery{{append(same, key...), bson.D{{Key: "_id", Value: 1}}}, later}
}

// dropSuperseded leaves out of page each record whose tombstone is stamped
// later (a delete stopped before the removal) and each tombstone whose key
// was stored again since.
func (s *Store) dropSuperseded(ctx context.Context, page []registry.Change) ([]registry.Change, error) {
	var tombIDs []string
	deleted := map[registry.RecordKind][]string{}
	for _, c := range page {
		if c.Op == registry.OpDelete {
			deleted[c.Kind] = append(deleted[c.Kind], c.Key)
		} else {
			tombIDs = append(tombIDs, registry.TombstoneID(c.Kind, c.Key))
		}
	}
	tombSeq, recSeq := map[string]int64{}, map[string]int64{}
	if len(tombIDs) > 0 {
		err := find(ctx, s, colTombstones, in(tombIDs), func(t *registry.Tombstone) error {
			tombSeq[t.ID] = t.Changed.Seq
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for kind, keys := range deleted {
		err := find(ctx, s, kindCollections[kind], in(keys), func(d *feedDoc) error {
			recSeq[registry.TombstoneID(kind, d.ID)] = d.Changed.Seq
			return nil
		}, options.Find().SetProjection(feedProjection))
		if err != nil {
			return nil, err
		}
	}
	return slices.DeleteFunc(page, func(c registry.Change) bool {
		other := recSeq
		if c.Op == registry.OpUpsert {
			other = tombSeq
		}
		seq, ok := other[registry.TombstoneID(c.Kind, c.Key)]
		return ok && seq > c.Stamp.Seq
	}), nil
}

// in selects the documents whose _id is one of ids.
func in(ids []string) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
}
