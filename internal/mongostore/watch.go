package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// StepStream follows the dossiers changed by every gateway on the same
// MongoDB replica set, through a change stream.
type StepStream struct{ cs *mongo.ChangeStream }

// WatchDossiers opens a change stream on the dossiers. It fails on servers
// without change streams (FerretDB, a standalone MongoDB): subscriptions
// then only see the steps recorded by this process.
func (s *Store) WatchDossiers(ctx context.Context) (*StepStream, error) {
	cs, err := s.db.Collection(colDossiers).Watch(ctx,
		mongo.Pipeline{{{Key: "$match", Value: bson.D{{Key: "operationType", Value: bson.D{{Key: "$in", Value: bson.A{"insert", "update", "replace"}}}}}}}},
		options.ChangeStream().SetFullDocument(options.UpdateLookup))
	if err != nil {
		return nil, err
	}
	return &StepStream{cs: cs}, nil
}

// Each calls fn with every changed dossier until ctx ends or the stream fails.
func (w *StepStream) Each(ctx context.Context, fn func(*registry.Dossier)) error {
	defer w.cs.Close(context.WithoutCancel(ctx))
	for w.cs.Next(ctx) {
		var ev struct {
			FullDocument *registry.Dossier `bson:"fullDocument"`
		}
		if err := w.cs.Decode(&ev); err == nil && ev.FullDocument != nil {
			fn(ev.FullDocument)
		}
	}
	return w.cs.Err()
}
