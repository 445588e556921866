package mongostore

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Reading documents from the engine, whatever their type: one by _id, all
// matching a filter (streamed or collected), or a whole collection.

// get returns the document with _id id, or nil when there is none.
func get[T any](ctx context.Context, s *Store, col, id string) (*T, error) {
	var v T
	err := s.db.Collection(col).FindOne(ctx, byID(id)).Decode(&v)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	return &v, nil
}

// each calls fn with every document of col matching filter, in _id order,
// reading with one cursor (pages would rescan on the embedded engine).
func each[T any](ctx context.Context, s *Store, col string, filter bson.D, fn func(*T) error) error {
	return find(ctx, s, col, filter, fn, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// find calls fn with every document of col matching filter.
func find[T any](ctx context.Context, s *Store, col string, filter bson.D, fn func(*T) error, opts ...options.Lister[options.FindOptions]) error {
	cur, err := s.db.Collection(col).Find(ctx, filter, opts...)
	if err != nil {
		return classify(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		v := new(T)
		if err := cur.Decode(v); err != nil {
			return classify(err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return classify(cur.Err())
}

// findAll decodes every document of col matching filter.
func findAll[T any](ctx context.Context, s *Store, col string, filter bson.D) ([]*T, error) {
	out, err := findAllOnce[T](ctx, s, col, filter)
	if cursorLost(err) {
		// The server dropped the cursor between batches: nothing was
		// handed out yet, so reading again is safe.
		out, err = findAllOnce[T](ctx, s, col, filter)
	}
	return out, classify(err)
}

func findAllOnce[T any](ctx context.Context, s *Store, col string, filter bson.D) ([]*T, error) {
	cur, err := s.db.Collection(col).Find(ctx, filter)
	if err != nil {
		return nil, err
	}
	var out []*T
	err = cur.All(ctx, &out)
	return out, err
}

// cursorLost recognises a cursor the server no longer has (CursorNotFound,
// code 43), as FerretDB reports under concurrent reads.
func cursorLost(err error) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(43)
}

// scanAll calls fn with every document of col, in no order: a sort would
// make the embedded engine read the whole collection before the first.
func scanAll[T any](ctx context.Context, s *Store, col string, fn func(*T) error) error {
	return find(ctx, s, col, bson.D{}, fn)
}
