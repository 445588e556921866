package mongostore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// The change feed (registry.Change) on MongoDB. Each record carries its
// stamp in its own document, written with it; deleted records leave a
// tombstone. The numbers come from the counter document "changes". When
// this store serves alone it stamps what it writes; under memory (the
// embedded engine's single writer) records arrive stamped and keep theirs.

const (
	colTombstones = "tombstones"
	// counterChanges is the counter the feed's sequence numbers come from.
	counterChanges = "changes"
	fieldChanged   = "changed"
	fieldSeq       = fieldChanged + ".seq"
)

// kindCollections is where each kind of record is stored.
var kindCollections = map[registry.RecordKind]string{
	registry.KindAgency: colAgencies, registry.KindProcedure: colProcedures, registry.KindDirective: colDirectives,
	registry.KindReport: colReports, registry.KindDossier: colDossiers,
}

// feedCollections are the collections the feed reads: the records' and
// the tombstones.
func feedCollections() []string {
	return append(slices.Sorted(maps.Values(kindCollections)), colTombstones)
}

// feedOrder is the feed's order in a collection, and its index.
var feedOrder = bson.D{{Key: fieldSeq, Value: 1}, {Key: "_id", Value: 1}}

func collectionOfKind(kind registry.RecordKind) (string, error) {
	if col, ok := kindCollections[kind]; ok {
		return col, nil
	}
	return "", fmt.Errorf("store: no records of kind %q", kind)
}

// stampsOf is the stamps of records, for stamped.
func stampsOf(records ...any) []*registry.Stamp {
	out := make([]*registry.Stamp, 0, len(records))
	for _, rec := range records {
		if _, _, st, ok := registry.KindOf(rec); ok {
			out = append(out, st)
		}
	}
	return out
}

// stamped runs write after giving each of stamps still at Seq 0 a new
// number, in commit order: the feed must never show a number to a reader
// while a smaller one is yet to commit, or a reader past it would miss that
// change. With transactions the numbers are taken inside write's
// transaction: the counter document then serialises the commits (a
// concurrent transaction's $inc meets a write conflict and the driver runs
// it again after the first commits); write then always runs in one, so
// that a dossier's rollups share it. Without, a process mutex holds other
// writes back: exact for one instance, which is what a standalone server
// or FerretDB alone serves. write says whether it applied; stamps that
// were not written (an error, applied false) get their old value back.
func (s *Store) stamped(ctx context.Context, stamps []*registry.Stamp, write func(context.Context) (bool, error)) (bool, error) {
	var pending []*registry.Stamp
	var old []registry.Stamp
	for _, st := range stamps {
		if st.Seq == 0 {
			pending, old = append(pending, st), append(old, *st)
		}
	}
	numbered := func(ctx context.Context) (bool, error) {
		if len(pending) > 0 {
			last, err := s.takeNumbers(ctx, len(pending))
			if err != nil {
				return false, err
			}
			at := s.now().UTC().Truncate(time.Millisecond) // as BSON stores it
			for i, st := range pending {
				*st = registry.Stamp{Seq: last - int64(len(pending)-1-i), At: at}
			}
		}
		return write(ctx)
	}
	var applied bool
	var err error
	switch {
	case s.transactions:
		applied, err = s.inTransaction(ctx, numbered)
	case len(pending) == 0:
		applied, err = write(ctx)
	default:
		s.stampMu.Lock()
		applied, err = numbered(ctx)
		s.stampMu.Unlock()
	}
	if err != nil || !applied {
		for i, st := range pending {
			*st = old[i]
		}
	}
	return applied, err
}

// takeNumbers adds n to the counter "changes" and returns its new value,
// the last of the n numbers taken.
func (s *Store) takeNumbers(ctx context.Context, n int) (int64, error) {
	var c struct {
		Seq int64 `bson:"seq"`
	}
	err := s.db.Collection(colCounters).FindOneAndUpdate(ctx, byID(counterChanges),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: n}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	return c.Seq, err
}

// LastChange is the highest sequence number taken: the counter, read
// under the mutex (or committed with its write), so every change it
// numbers is stored.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	if !s.transactions {
		s.stampMu.Lock()
		defer s.stampMu.Unlock()
	}
	c, err := get[struct {
		Seq int64 `bson:"seq"`
	}](ctx, s, colCounters, counterChanges)
	if err != nil || c == nil {
		return 0, err
	}
	return c.Seq, nil
}

// Replace stores rec in place of the stored record with its key, as a
// new change (whatever stamp rec carries from its reading):
// registry.ErrNotFound when there is none.
func (s *Store) Replace(ctx context.Context, rec any) error {
	_, _, stamp, ok := registry.KindOf(rec)
	if !ok {
		return fmt.Errorf("store: cannot store a %T", rec)
	}
	*stamp = registry.Stamp{}
	_, err := s.stamped(ctx, []*registry.Stamp{stamp}, func(ctx context.Context) (bool, error) {
		err := s.PutRecord(ctx, rec)
		return err == nil, err
	})
	return err
}

// PutRecord stores rec, stamped by the writer above (memory), in place of
// the stored record with its key: registry.ErrNotFound when there is none.
func (s *Store) PutRecord(ctx context.Context, rec any) error {
	col, id, err := collectionOf(rec)
	if err != nil {
		return err
	}
	res, err := s.db.Collection(col).ReplaceOne(ctx, byID(id), rec)
	if err == nil && res.MatchedCount == 0 {
		return registry.ErrNotFound
	}
	return classify(err)
}

// Delete removes the record of kind with key, leaving its tombstone (which
// names mergedInto) in the feed: registry.ErrNotFound when there is none.
// The tombstone is stored first: a delete stopped in between leaves both,
// and the feed shows the later, the tombstone.
func (s *Store) Delete(ctx context.Context, kind registry.RecordKind, key, mergedInto string) error {
	col, err := collectionOfKind(kind)
	if err != nil {
		return err
	}
	t := &registry.Tombstone{ID: registry.TombstoneID(kind, key), Kind: kind, Key: key, MergedInto: mergedInto}
	_, err = s.stamped(ctx, []*registry.Stamp{&t.Changed}, func(ctx context.Context) (bool, error) {
		err := s.db.Collection(col).FindOne(ctx, byID(key), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, registry.ErrNotFound
		}
		if err == nil {
			err = s.PutTombstone(ctx, t)
		}
		if err == nil {
			err = s.Remove(ctx, kind, key)
		}
		return err == nil, err
	})
	return classify(err)
}

// PutTombstone stores t, replacing an earlier tombstone of its key.
func (s *Store) PutTombstone(ctx context.Context, t *registry.Tombstone) error {
	_, err := s.db.Collection(colTombstones).ReplaceOne(ctx, byID(t.ID), t, replaceUpsert)
	return classify(err)
}

// Remove deletes the record of kind with key, once its tombstone is stored.
func (s *Store) Remove(ctx context.Context, kind registry.RecordKind, key string) error {
	col, err := collectionOfKind(kind)
	if err != nil {
		return err
	}
	_, err = s.db.Collection(col).DeleteOne(ctx, byID(key))
	return classify(err)
}

// EachTombstone calls fn with every tombstone, in no order.
func (s *Store) EachTombstone(ctx context.Context, fn func(*registry.Tombstone) error) error {
	return scanAll(ctx, s, colTombstones, fn)
}

// finishDeletions removes the records still stored beside a later
// tombstone: deletions a writer without transactions stopped between the
// two writes (memory does the same at its build).
func (s *Store) finishDeletions(ctx context.Context) error {
	return s.EachTombstone(ctx, func(t *registry.Tombstone) error {
		col, err := collectionOfKind(t.Kind)
		if err != nil {
			return err
		}
		rec, err := get[struct {
			Changed registry.Stamp `bson:"changed"`
		}](ctx, s, col, t.Key)
		if err != nil || rec == nil || rec.Changed.Seq > t.Changed.Seq {
			return err
		}
		return s.Remove(ctx, t.Kind, t.Key)
	})
}

// raiseChangeCounter brings the counter "changes" to at least the highest
// stamp stored: a database numbered by memory, then served by this store
// alone, must not hand out its numbers again.
func (s *Store) raiseChangeCounter(ctx context.Context) error {
	var highest int64
	for _, col := range feedCollections() {
		var doc struct {
			Changed registry.Stamp `bson:"changed"`
		}
		err := s.db.Collection(col).FindOne(ctx, bson.D{},
			options.FindOne().SetSort(bson.D{{Key: fieldSeq, Value: -1}}).SetProjection(bson.D{{Key: fieldChanged, Value: 1}})).Decode(&doc)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return fmt.Errorf("store: highest stamp in %s: %w", col, classify(err))
		}
		highest = max(highest, doc.Changed.Seq)
	}
	_, err := s.db.Collection(colCounters).UpdateOne(ctx, byID(counterChanges),
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: highest}}}}, options.UpdateOne().SetUpsert(true))
	return classify(err)
}
