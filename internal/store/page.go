package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
)

// sortKey is a keyset order: documents sort by field (then _id, which breaks
// ties), and a cursor carries both values of the last item seen.
type sortKey[T any] struct {
	// list names the list and order a cursor belongs to: one from another
	// list (or made up) is refused, not read as a position in this one.
	list  string
	field string // bson field; "" sorts by _id alone
	desc  bool
	value func(T) any    // the field's value in an item, as stored
	id    func(T) string // the item's _id
	parse func(json.RawMessage) (any, error)
}

type cursor struct {
	L  string          `json:"l"`
	V  json.RawMessage `json:"v,omitempty"`
	ID string          `json:"id"`
}

func (k sortKey[T]) encode(item T) string {
	c := cursor{L: k.list, ID: k.id(item)}
	if k.field != "" {
		c.V, _ = json.Marshal(k.value(item))
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decode reads a cursor: the sort value (nil when sorting by _id alone) and
// the _id of the last item seen.
func (k sortKey[T]) decode(s string) (v any, id string, err error) {
	bad := registry.Invalid("after", "is not a cursor from this list")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, "", bad
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil || c.ID == "" || c.L != k.list {
		return nil, "", bad
	}
	if k.field == "" {
		return nil, c.ID, nil
	}
	if c.V == nil {
		return nil, "", bad
	}
	if v, err = k.parse(c.V); err != nil {
		return nil, "", bad
	}
	return v, c.ID, nil
}

// after is the filter selecting what follows the cursor.
func (k sortKey[T]) after(s string) (bson.D, error) {
	v, id, err := k.decode(s)
	if err != nil {
		return nil, err
	}
	op := "$gt"
	if k.desc {
		op = "$lt"
	}
	if k.field == "" {
		return bson.D{{Key: "_id", Value: bson.D{{Key: op, Value: id}}}}, nil
	}
	// An empty sort value is stored as no field at all (omitempty), which no
	// comparison with a string matches: it sorts below every value (last
	// when descending) and equals "" here, as in memory.
	none := bson.D{{Key: "$in", Value: bson.A{nil, ""}}}
	if v == "" {
		next := bson.A{bson.D{{Key: k.field, Value: none}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}}}
		if !k.desc {
			next = append(next, bson.D{{Key: k.field, Value: bson.D{{Key: "$gt", Value: ""}}}})
		}
		return bson.D{{Key: "$or", Value: next}}, nil
	}
	next := bson.A{
		bson.D{{Key: k.field, Value: bson.D{{Key: op, Value: v}}}},
		bson.D{{Key: k.field, Value: v}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}},
	}
	if k.desc {
		next = append(next, bson.D{{Key: k.field, Value: none}})
	}
	return bson.D{{Key: "$or", Value: next}}, nil
}

// compare orders a and b as the sort does.
func (k sortKey[T]) compare(a, b T) int {
	var av, bv any
	if k.field != "" {
		av, bv = k.value(a), k.value(b)
	}
	return k.order(av, k.id(a), bv, k.id(b))
}

// order compares two positions in the list, each a sort value and an _id.
func (k sortKey[T]) order(av any, aid string, bv any, bid string) int {
	c := 0
	if k.field != "" {
		c = compareValues(av, bv)
	}
	if c == 0 {
		c = strings.Compare(aid, bid)
	}
	if k.desc {
		return -c
	}
	return c
}

// compareValues orders two sort values of the same kind.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case time.Time:
		return x.Compare(b.(time.Time))
	case string:
		return strings.Compare(x, b.(string))
	}
	return 0
}

func (k sortKey[T]) sort() bson.D {
	dir := 1
	if k.desc {
		dir = -1
	}
	if k.field == "" {
		return bson.D{{Key: "_id", Value: dir}}
	}
	return bson.D{{Key: k.field, Value: dir}, {Key: "_id", Value: dir}}
}

// pageSize applies the connection rules: 20 by default, 1..100.
func pageSize(first *int) (int, error) {
	if first == nil {
		return registry.DefaultPageSize, nil
	}
	if *first < 0 || *first > registry.MaxPageSize {
		return 0, registry.Invalid("first", "must be between 0 and %d, got %d", registry.MaxPageSize, *first)
	}
	return *first, nil
}

// list reads one page of col matching filter in the order key gives.
func list[T any](ctx context.Context, s *Store, col string, filter bson.D, key sortKey[T], args registry.PageArgs) (*registry.Page[T], error) {
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	if filter == nil {
		filter = bson.D{}
	}
	c := s.db.Collection(col)
	page := &registry.Page[T]{Count: func(ctx context.Context) (int, error) {
		total, err := c.CountDocuments(ctx, filter)
		return int(total), classify(err)
	}}
	query := filter
	if args.After != nil && *args.After != "" {
		after, err := key.after(*args.After)
		if err != nil {
			return nil, err
		}
		query = bson.D{{Key: "$and", Value: bson.A{filter, after}}}
		page.HasPrev = true
	}
	if n == 0 {
		return page, nil
	}
	// One more than asked tells whether a next page exists.
	// The whole page in the first batch: no getMore round trip.
	cur, err := c.Find(ctx, query, options.Find().SetSort(key.sort()).SetLimit(int64(n+1)).SetBatchSize(int32(n+1)))
	if err != nil {
		return nil, classify(err)
	}
	if err := cur.All(ctx, &page.Items); err != nil {
		return nil, classify(err)
	}
	if len(page.Items) > n {
		page.Items, page.HasNext = page.Items[:n], true
	}
	for _, it := range page.Items {
		page.Cursors = append(page.Cursors, key.encode(it))
	}
	return page, nil
}

// pageOf is list() over items held in memory that already match the filter:
// sorted, cut after the cursor, one page long, counted.
func pageOf[T any](items []T, key sortKey[T], args registry.PageArgs) (*registry.Page[T], error) {
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	total := len(items)
	page := &registry.Page[T]{Count: func(context.Context) (int, error) { return total, nil }}
	slices.SortFunc(items, key.compare)
	if args.After != nil && *args.After != "" {
		v, id, err := key.decode(*args.After)
		if err != nil {
			return nil, err
		}
		i, _ := slices.BinarySearchFunc(items, 0, func(it T, _ int) int {
			var iv any
			if key.field != "" {
				iv = key.value(it)
			}
			if key.order(iv, key.id(it), v, id) <= 0 {
				return -1
			}
			return 1
		})
		items, page.HasPrev = items[i:], true
	}
	if len(items) > n {
		items, page.HasNext = items[:n], true
	}
	page.Items = items
	for _, it := range items {
		page.Cursors = append(page.Cursors, key.encode(it))
	}
	return page, nil
}
