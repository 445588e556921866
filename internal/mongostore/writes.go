package mongostore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// collectionOf is where a record is stored, and its _id.
func collectionOf(rec any) (col, id string, err error) {
	kind, key, _, ok := registry.KindOf(rec)
	if !ok {
		return "", "", fmt.Errorf("store: cannot store a %T", rec)
	}
	return kindCollections[kind], key, nil
}

// Insert adds a new record (agency, procedure, directive, report); one
// whose key is stored already is registry.ErrDuplicate.
func (s *Store) Insert(ctx context.Context, rec any) error {
	col, _, err := collectionOf(rec)
	if err != nil {
		return err
	}
	_, err = s.stamped(ctx, stampsOf(rec), func(ctx context.Context) (bool, error) {
		_, err := s.db.Collection(col).InsertOne(ctx, rec)
		if isDuplicate(err) {
			return false, registry.ErrDuplicate
		}
		return err == nil, err
	})
	return classify(err)
}

// Load inserts the records not stored yet, in bulk, and says which were
// new: inserting and taking "duplicate key" for "already there" is the
// upsert the embedded engine does fast (its updates by other filters scan).
// Dossiers loaded are not counted in the rollups: a bulk load ends with
// RebuildRollups.
func (s *Store) Load(ctx context.Context, records []any) ([]bool, error) {
	inserted := make([]bool, len(records))
	for start := 0; start < len(records); {
		col, _, err := collectionOf(records[start])
		if err != nil {
			return nil, err
		}
		end := start + 1
		for end < len(records) {
			if c, _, _ := collectionOf(records[end]); c != col {
				break
			}
			end++
		}
		if err := s.loadBatch(ctx, col, records[start:end], inserted[start:end]); err != nil {
			return nil, err
		}
		start = end
	}
	return inserted, nil
}

// loadBatch stores the records of batch, all of collection col, that are
// not stored yet, setting inserted; those already stored are not written
// and keep their stamps (a re-import adds nothing to the feed).
func (s *Store) loadBatch(ctx context.Context, col string, batch []any, inserted []bool) error {
	stamps := stampsOf(batch...)
	before := make([]registry.Stamp, len(stamps))
	for i, st := range stamps {
		before[i] = *st
	}
	_, err := s.stamped(ctx, stamps, func(ctx context.Context) (bool, error) {
		clear(inserted) // a transaction run again starts over
		if s.transactions {
			return true, s.upsertNew(ctx, col, batch, inserted)
		}
		return true, s.insertNew(ctx, col, batch, inserted)
	})
	for i, st := range stamps {
		if !inserted[i] {
			*st = before[i]
		}
	}
	return classify(err)
}

// insertNew inserts batch, taking "duplicate key" for "already there".
func (s *Store) insertNew(ctx context.Context, col string, batch []any, inserted []bool) error {
	for i := range inserted {
		inserted[i] = true
	}
	_, err := s.db.Collection(col).InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
	if bwe, ok := errors.AsType[mongo.BulkWriteException](err); ok && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !isDuplicate(mongo.WriteException{WriteErrors: []mongo.WriteError{we.WriteError}}) {
				return err
			}
			inserted[we.Index] = false
		}
		return nil
	}
	return err
}

// upsertNew stores the records of batch not stored yet with upserts that
// only insert: in a transaction, where a duplicate key would abort it.
func (s *Store) upsertNew(ctx context.Context, col string, batch []any, inserted []bool) error {
	models := make([]mongo.WriteModel, len(batch))
	for i, rec := range batch {
		doc, err := topLevel(rec)
		if err != nil {
			return err
		}
		_, id, _ := collectionOf(rec)
		doc = slices.DeleteFunc(doc, func(e bson.E) bool { return e.Key == "_id" })
		models[i] = mongo.NewUpdateOneModel().SetFilter(byID(id)).SetUpsert(true).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: doc}})
	}
	res, err := s.db.Collection(col).BulkWrite(ctx, models)
	if err != nil {
		return err
	}
	for i := range res.UpsertedIDs {
		inserted[i] = true
	}
	return nil
}

// InsertDossier stores a new dossier and counts it in the rollups, in one
// write (outbox.go). A code already stored is registry.ErrDuplicate. When
// the server does not answer in time the error wraps
// registry.ErrOutcomeUnknown, and applied says whether reading the dossier
// back found it stored.
func (s *Store) InsertDossier(ctx context.Context, d *registry.Dossier) (applied bool, err error) {
	return s.writeWithRollups(ctx, d, stats.Delta(nil, d), func(ctx context.Context, ob *outboxEntry) (bool, error) {
		doc, err := topLevel(d)
		if err != nil {
			return false, err
		}
		if ob != nil {
			doc = append(doc, bson.E{Key: fieldOutbox, Value: bson.A{ob.raw}})
		}
		_, err = s.db.Collection(colDossiers).InsertOne(ctx, doc)
		if isDuplicate(err) {
			return false, registry.ErrDuplicate
		}
		return err == nil, err
	})
}

// UpdateDossier replaces old by new if the stored dossier is still at
// old's version (false otherwise: another writer was first), and moves it
// between the rollups' cells in the same write. Errors as InsertDossier's.
func (s *Store) UpdateDossier(ctx context.Context, old, new *registry.Dossier) (applied bool, err error) {
	new.Changed = registry.Stamp{} // a change of its own (memory writes by PutDossier)
	filter := bson.D{{Key: "_id", Value: old.Code}, {Key: "version", Value: old.Version}}
	return s.writeWithRollups(ctx, new, stats.Delta(old, new), func(ctx context.Context, ob *outboxEntry) (bool, error) {
		var push []bson.E
		if ob != nil {
			push = append(push, bson.E{Key: fieldOutbox, Value: ob.raw})
		}
		update, err := stepUpdate(old, new, push...)
		if err != nil {
			return false, err
		}
		res, err := s.db.Collection(colDossiers).UpdateOne(ctx, filter, update)
		return err == nil && res.MatchedCount == 1, err
	})
}

// PutDossier writes a dossier by _id alone, leaving the rollups alone: for
// a wrapper that is the only writer, checks versions and keeps the rollups
// itself (the memory store on the embedded engine, whose queries by any
// other filter scan the collection). old nil inserts. Errors as
// InsertDossier's.
func (s *Store) PutDossier(ctx context.Context, old, new *registry.Dossier) (applied bool, err error) {
	if old == nil {
		_, err = s.db.Collection(colDossiers).InsertOne(ctx, new)
		if isDuplicate(err) {
			return false, registry.ErrDuplicate
		}
	} else {
		var update bson.D
		if update, err = stepUpdate(old, new); err != nil {
			return false, err
		}
		_, err = s.db.Collection(colDossiers).UpdateOne(ctx, byID(new.Code), update)
	}
	if err != nil {
		return s.settle(ctx, classify(err), new)
	}
	return true, nil
}

// settle follows a dossier write that failed with err. When the store was
// away or slow, the command may have been applied all the same: the dossier
// is read back by _id (with time of its own: the request's may be over) so
// that the caller learns which.
func (s *Store) settle(ctx context.Context, err error, want *registry.Dossier) (applied bool, _ error) {
	// A command that found no server was never sent: nothing to settle.
	if registry.ErrorCode(err) != registry.CodeUnavailable || errors.As(err, new(topology.ServerSelectionError)) {
		return false, err
	}
	unknown := &registry.Error{Code: registry.CodeUnavailable, Message: "the store did not confirm the write in time",
		Cause: fmt.Errorf("%w: %w", registry.ErrOutcomeUnknown, err)}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	got, rerr := s.Dossier(rctx, want.Code)
	switch {
	case rerr != nil:
		s.log.ErrorContext(ctx, "a dossier write's outcome is unknown and the store cannot be asked; it will be read again",
			"dossier", want.Code, "err", rerr)
		return false, unknown
	case got != nil && got.Version == want.Version:
		want.Changed = got.Changed
		s.log.WarnContext(ctx, "a dossier write that timed out was applied", "dossier", want.Code, "version", got.Version)
		return true, unknown
	}
	s.log.WarnContext(ctx, "a dossier write that timed out was not applied", "dossier", want.Code)
	return false, unknown
}

// stepUpdate turns old into new with one update: the new step is pushed
// (with push, fields registry.Dossier does not have), every other field
// set, and fields new leaves empty (omitted) unset. Only fields of
// registry.Dossier are set or unset: a rollup outbox is left as it is.
func stepUpdate(old, new *registry.Dossier, push ...bson.E) (bson.D, error) {
	before, err := topLevel(old)
	if err != nil {
		return nil, err
	}
	after, err := topLevel(new)
	if err != nil {
		return nil, err
	}
	set, unset := bson.D{}, bson.D{}
	for _, e := range after {
		if e.Key != "_id" && e.Key != "history" {
			set = append(set, e)
		}
	}
	for _, e := range before {
		if !slices.ContainsFunc(after, func(a bson.E) bool { return a.Key == e.Key }) {
			unset = append(unset, bson.E{Key: e.Key, Value: ""})
		}
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: append(bson.D{{Key: "history", Value: new.History[len(new.History)-1]}}, push...)}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return update, nil
}

// topLevel is v's document as stored.
func topLevel(v any) (bson.D, error) {
	raw, err := bson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc bson.D
	return doc, bson.Unmarshal(raw, &doc)
}

// AddRelation appends a relation to the directive with key, and stamps it.
func (s *Store) AddRelation(ctx context.Context, key string, rel registry.Relation) error {
	var st registry.Stamp
	_, err := s.stamped(ctx, []*registry.Stamp{&st}, func(ctx context.Context) (bool, error) {
		_, err := s.db.Collection(colDirectives).UpdateOne(ctx, byID(key), bson.D{
			{Key: "$push", Value: bson.D{{Key: "relations", Value: rel}}},
			{Key: "$set", Value: bson.D{{Key: fieldChanged, Value: st}}},
		})
		return err == nil, err
	})
	return classify(err)
}

// NextSequence increments the counter id and returns its new value: one
// atomic $inc, as several gateways may share the server.
func (s *Store) NextSequence(ctx context.Context, id string) (int, error) {
	var c struct {
		Seq int `bson:"seq"`
	}
	err := s.db.Collection(colCounters).FindOneAndUpdate(ctx,
		byID(id),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	return c.Seq, classify(err)
}

// SetSequence stores the counter id.
func (s *Store) SetSequence(ctx context.Context, id string, seq int) error {
	_, err := s.db.Collection(colCounters).UpdateOne(ctx, byID(id),
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
	return classify(err)
}

// EachSequence calls fn with every counter.
func (s *Store) EachSequence(ctx context.Context, fn func(id string, seq int)) error {
	type counter struct {
		ID  string `bson:"_id"`
		Seq int    `bson:"seq"`
	}
	return scanAll(ctx, s, colCounters, func(c *counter) error { fn(c.ID, c.Seq); return nil })
}

// AppendAudit records an audit entry, giving it its _id: time first, so
// _id order is time order, and random after, so two entries in the same
// nanosecond do not collide. Nothing updates or deletes entries.
func (s *Store) AppendAudit(ctx context.Context, e *registry.AuditEntry) error {
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	e.ID = e.At.Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(suffix[:])
	_, err := s.db.Collection(colAudit).InsertOne(ctx, e)
	return classify(err)
}
