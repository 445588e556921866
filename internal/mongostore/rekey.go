package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/vnregistry/registry/internal/registry"
)

// rekeyDirectives brings stored directives to the current Symbol.Key (HĐ and
// ĐA once shared the keys of HD and DA). A directive whose _id changes is
// inserted under the new one, and the old key's tombstone written, before
// the old is deleted, so a crash between leaves both, and the next start
// deletes the old. To the change feed that is a new record and the old
// one's removal, naming the new key. Directives are few (hundreds), so
// reading them all at each start costs little.
func (s *Store) rekeyDirectives(ctx context.Context) error {
	var stale []*registry.Directive
	var oldIDs []string
	err := each(ctx, s, colDirectives, bson.D{}, func(d *registry.Directive) error {
		old := d.Key
		if d.Rekey() {
			stale, oldIDs = append(stale, d), append(oldIDs, old)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: read directives to rekey: %w", err)
	}
	col := s.db.Collection(colDirectives)
	if len(stale) > 0 {
		// Numbers past every stamp stored, whoever numbered them (memory).
		if err := s.raiseChangeCounter(ctx); err != nil {
			return err
		}
	}
	for i, d := range stale {
		err := s.rekey(ctx, col, d, oldIDs[i])
		if err != nil {
			return fmt.Errorf("store: rekey directive %s: %w", oldIDs[i], err)
		}
	}
	if len(stale) > 0 {
		s.log.Info("directives rekeyed to the current symbol keys", "directives", len(stale))
	}
	return nil
}

func (s *Store) rekey(ctx context.Context, col *mongo.Collection, d *registry.Directive, oldID string) error {
	if d.Key == oldID {
		_, err := col.ReplaceOne(ctx, byID(d.Key), d)
		return classify(err)
	}
	last, err := s.takeNumbers(ctx, 2)
	if err != nil {
		return classify(err)
	}
	at := s.now().UTC().Truncate(time.Millisecond)
	d.Changed = registry.Stamp{Seq: last - 1, At: at}
	if _, err := col.InsertOne(ctx, d); err != nil && !isDuplicate(err) {
		return classify(err)
	}
	t := &registry.Tombstone{ID: registry.TombstoneID(registry.KindDirective, oldID), Kind: registry.KindDirective, Key: oldID,
		Changed: registry.Stamp{Seq: last, At: at}, MergedInto: d.Key}
	if err := s.PutTombstone(ctx, t); err != nil {
		return err
	}
	_, err = col.DeleteOne(ctx, byID(oldID))
	return classify(err)
}
