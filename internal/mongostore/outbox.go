package mongostore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// A dossier write and the rollup change it makes are one write. Where the
// deployment runs transactions (a replica set, a sharded cluster) they share
// one. Elsewhere (a standalone MongoDB, FerretDB) the dossier's own write,
// atomic as any single-document write, also $pushes the change into the
// dossier's rollupOutbox list; the change is then applied to each rollup
// document at most once (its appliedOutbox list holds the ids applied) and
// the entry pulled from the dossier. A writer stopped in between (a crash,
// the store away) leaves the entry for the sweep, at Open and every minute.
// A list, not one field: a second step (another gateway's, or one recorded
// before the sweep) must not overwrite an entry still owed.

const (
	fieldOutbox  = "rollupOutbox"
	fieldApplied = "appliedOutbox"
)

var (
	// outboxGrace is the age under which the sweep leaves an entry to its
	// writer. Only a writer that removed its entry before half of it pulls
	// the entry's id from the rollups: no sweep can have read the entry then,
	// so none can apply it again once the id is gone. Sweeps never pull ids
	// (another sweep may hold the same entry): a crash leaves a few behind.
	outboxGrace = time.Minute
	// sweepEvery is how often the sweep runs after the one at Open.
	sweepEvery = time.Minute
	// afterDossierWrite, set by tests only, runs between a dossier write
	// that carries an outbox entry and the rollups' update.
	afterDossierWrite func()
)

// outboxTimeout bounds a writer's work on its entry once the dossier is
// stored, far below outboxGrace/2, and whatever is left of the request.
const outboxTimeout = 10 * time.Second

// outboxEntry is one dossier write's rollup change, as stored in the
// dossier. At is the writer's wall clock, for the grace.
type outboxEntry struct {
	ID    string       `bson:"id"`
	At    time.Time    `bson:"at"`
	Cells []outboxCell `bson:"cells"`
	// raw is the entry as stored, for its removal: FerretDB's $pull takes
	// only an element equal to the one given, and maps marshal in no fixed
	// order.
	raw bson.Raw
}

type outboxCell struct {
	stats.Cell `bson:",inline"`
	N          *stats.Counters `bson:"n"`
}

// pendingOutbox selects the dossiers holding an entry: an emptied list does
// not match, and a string range uses the sparse index on MongoDB.
var pendingOutbox = bson.D{{Key: fieldOutbox + ".id", Value: bson.D{{Key: "$gt", Value: ""}}}}

// newOutbox is the entry carrying delta, nil when there is nothing to change.
func newOutbox(delta stats.Rollup) (*outboxEntry, error) {
	if len(delta) == 0 {
		return nil, nil
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	ob := &outboxEntry{ID: hex.EncodeToString(id[:]), At: time.Now()}
	for c, n := range delta {
		ob.Cells = append(ob.Cells, outboxCell{Cell: c, N: n})
	}
	var err error
	ob.raw, err = bson.Marshal(ob)
	return ob, err
}

func (ob *outboxEntry) delta() stats.Rollup {
	r := stats.Rollup{}
	for _, c := range ob.Cells {
		r[c.Cell] = c.N
	}
	return r
}

// writeWithRollups makes a dossier write and its rollup change delta one.
// write stores d (ob, when not nil, goes into the dossier in the same write)
// and says whether it applied. Errors as InsertDossier's.
func (s *Store) writeWithRollups(ctx context.Context, d *registry.Dossier, delta stats.Rollup,
	write func(ctx context.Context, ob *outboxEntry) (bool, error)) (applied bool, err error) {
	var ob *outboxEntry
	if !s.transactions {
		if ob, err = newOutbox(delta); err != nil {
			return false, err
		}
	}
	// With transactions, stamped runs this in one: the dossier, its stamp
	// and the rollups commit together.
	applied, err = s.stamped(ctx, stampsOf(d), func(ctx context.Context) (bool, error) {
		if applied, err := write(ctx, ob); !applied || err != nil || ob != nil || len(delta) == 0 {
			return applied, err
		}
		return true, s.incRollups(ctx, delta)
	})
	if err != nil {
		applied, err = s.settle(ctx, classify(err), d)
	}
	if applied && ob != nil {
		s.finishOutbox(ctx, d.Code, ob)
	}
	return applied, err
}

// inTransaction runs fn in one transaction, which the driver runs again
// whole on a transient error (two steps' $inc of one rollup document
// conflict) and commits.
func (s *Store) inTransaction(ctx context.Context, fn func(context.Context) (bool, error)) (bool, error) {
	sess, err := s.client.StartSession()
	if err != nil {
		return false, err
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	res, err := sess.WithTransaction(ctx, func(ctx context.Context) (any, error) { return fn(ctx) })
	applied, _ := res.(bool)
	return applied && err == nil, err
}

// finishOutbox applies the entry ob its writer just stored in dossier code,
// then removes it. The dossier is stored: this is owed whatever becomes of
// the request, and a failure is left to the sweep.
func (s *Store) finishOutbox(ctx context.Context, code string, ob *outboxEntry) {
	if afterDossierWrite != nil {
		afterDossierWrite()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxTimeout)
	defer cancel()
	removed := false
	err := s.applyOutbox(ctx, ob)
	if err == nil {
		removed, err = s.removeOutbox(ctx, code, ob)
	}
	if err != nil {
		s.rollupBehind.CompareAndSwap(0, s.now().UnixNano())
		s.log.ErrorContext(ctx, "rollup update failed: the outbox sweep applies it within minutes", "dossier", code, "err", err)
		return
	}
	if !removed || time.Since(ob.At) >= outboxGrace/2 {
		return // a sweep may have read it: its id stays where it was applied
	}
	for _, r := range rollupIncs(ob.delta()) {
		// Best effort: an id left behind only takes a few bytes.
		if _, err := s.db.Collection(colRollups).UpdateOne(ctx, byID(r.id),
			bson.D{{Key: "$pull", Value: bson.D{{Key: fieldApplied, Value: ob.ID}}}}); err != nil {
			s.log.WarnContext(ctx, "an applied rollup outbox id stays behind", "rollup", r.id, "err", classify(err))
		}
	}
}

// applyOutbox adds ob's change to each rollup document that has not had it
// yet: the filter's $ne and the $push of the id are one atomic update of
// that document, so applying twice changes nothing.
func (s *Store) applyOutbox(ctx context.Context, ob *outboxEntry) error {
	for _, r := range rollupIncs(ob.delta()) {
		filter := bson.D{{Key: "_id", Value: r.id}, {Key: fieldApplied, Value: bson.D{{Key: "$ne", Value: ob.ID}}}}
		update := append(r.update(), bson.E{Key: "$push", Value: bson.D{{Key: fieldApplied, Value: ob.ID}}})
		_, err := s.db.Collection(colRollups).UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if isDuplicate(err) {
			// The document exists: it had the change already (the filter
			// missed, the upsert collided), or another writer created it
			// meanwhile. Without the upsert, the filter tells which.
			_, err = s.db.Collection(colRollups).UpdateOne(ctx, filter, update)
		}
		if err != nil {
			return classify(err)
		}
	}
	return nil
}

// removeOutbox pulls ob from dossier code, saying whether it was there.
func (s *Store) removeOutbox(ctx context.Context, code string, ob *outboxEntry) (bool, error) {
	res, err := s.db.Collection(colDossiers).UpdateOne(ctx, byID(code),
		bson.D{{Key: "$pull", Value: bson.D{{Key: fieldOutbox, Value: ob.raw}}}})
	if err != nil {
		return false, classify(err)
	}
	return res.ModifiedCount == 1, nil
}

// sweepOutboxes applies and removes the entries older than outboxGrace.
// On FerretDB finding them reads every dossier: the store sweeps there only
// when it serves alone (Config.Alone), a mode for tests and comparisons.
func (s *Store) sweepOutboxes(ctx context.Context) error {
	behind := s.rollupBehind.Load()
	type pending struct {
		Code   string     `bson:"_id"`
		Outbox []bson.Raw `bson:"rollupOutbox"`
	}
	var found []*pending
	// Collected first: FerretDB loses cursors left open across writes.
	err := find(ctx, s, colDossiers, pendingOutbox, func(p *pending) error { found = append(found, p); return nil },
		options.Find().SetProjection(bson.D{{Key: fieldOutbox, Value: 1}}))
	if err != nil {
		return err
	}
	young := 0
	for _, p := range found {
		for _, raw := range p.Outbox {
			ob := &outboxEntry{raw: raw}
			if err := bson.Unmarshal(raw, ob); err != nil {
				return err
			}
			if time.Since(ob.At) < outboxGrace {
				young++
				continue
			}
			if err := s.applyOutbox(ctx, ob); err != nil {
				return err
			}
			if _, err := s.removeOutbox(ctx, p.Code, ob); err != nil {
				return err
			}
			s.log.InfoContext(ctx, "applied a pending rollup outbox", "dossier", p.Code, "outbox", ob.ID)
		}
	}
	if young == 0 {
		s.rollupBehind.CompareAndSwap(behind, 0)
	}
	return nil
}

// startSweeps sweeps once, then every sweepEvery until Close.
func (s *Store) startSweeps(ctx context.Context) {
	if err := s.sweepOutboxes(ctx); err != nil {
		s.log.ErrorContext(ctx, "rollup outbox sweep failed; it runs again in a minute", "err", err)
	}
	ctx, s.stopSweeps = context.WithCancel(context.WithoutCancel(ctx))
	s.sweeps.Go(func() {
		tick := time.NewTicker(sweepEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := s.sweepOutboxes(ctx); err != nil && ctx.Err() == nil {
					s.log.ErrorContext(ctx, "rollup outbox sweep failed; it runs again in a minute", "err", err)
				}
			}
		}
	})
}
