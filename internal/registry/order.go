package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// Order is a list's keyset order: items sort by one field (then by their
// key, which breaks ties), and a cursor carries both values of the last item
// seen. Every store sorts and pages by it: memory by Compare, MongoDB by the
// same field and key translated to a sort and a range.
type Order[T any] struct {
	// List names the list and order a cursor belongs to: one from another
	// list (or made up) is refused, not read as a position in this one.
	List string
	// Field is the stored field sorted by; "" sorts by the key alone.
	Field string
	Desc  bool
	Value func(T) any    // the field's value in an item, as stored
	Key   func(T) string // the item's key (_id)
	Parse func(json.RawMessage) (any, error)
}

type cursor struct {
	L  string          `json:"l"`
	V  json.RawMessage `json:"v,omitempty"`
	ID string          `json:"id"`
}

// Encode is the cursor just after item.
func (o Order[T]) Encode(item T) string {
	c := cursor{L: o.List, ID: o.Key(item)}
	if o.Field != "" {
		c.V, _ = json.Marshal(o.Value(item))
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor: the sort value (nil when sorting by key alone) and
// the key of the last item seen.
func (o Order[T]) Decode(s string) (v any, key string, err error) {
	bad := Invalid("after", "is not a cursor from this list")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, "", bad
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil || c.ID == "" || c.L != o.List {
		return nil, "", bad
	}
	if o.Field == "" {
		return nil, c.ID, nil
	}
	if c.V == nil {
		return nil, "", bad
	}
	if v, err = o.Parse(c.V); err != nil {
		return nil, "", bad
	}
	return v, c.ID, nil
}

// Compare orders a and b as the list does.
func (o Order[T]) Compare(a, b T) int {
	var av, bv any
	if o.Field != "" {
		av, bv = o.Value(a), o.Value(b)
	}
	return o.ComparePositions(av, o.Key(a), bv, o.Key(b))
}

// ComparePositions compares two positions in the list, each a sort value
// and a key. An empty value sorts below every other (last when descending),
// as a field MongoDB does not store sorts there.
func (o Order[T]) ComparePositions(av any, akey string, bv any, bkey string) int {
	c := 0
	if o.Field != "" {
		c = compareValues(av, bv)
	}
	if c == 0 {
		c = strings.Compare(akey, bkey)
	}
	if o.Desc {
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

// PageSize applies the connection rules: 20 by default, 0..100.
func PageSize(first *int) (int, error) {
	if first == nil {
		return DefaultPageSize, nil
	}
	if *first < 0 || *first > MaxPageSize {
		return 0, Invalid("first", "must be between 0 and %d, got %d", MaxPageSize, *first)
	}
	return *first, nil
}

// PageOf is one page of items that already match the list's filter:
// sorted, cut after the cursor, one page long, counted. items is reordered.
func PageOf[T any](items []T, o Order[T], args PageArgs) (*Page[T], error) {
	n, err := PageSize(args.First)
	if err != nil {
		return nil, err
	}
	total := len(items)
	page := &Page[T]{Count: func(context.Context) (int, error) { return total, nil }}
	slices.SortFunc(items, o.Compare)
	if args.After != nil && *args.After != "" {
		v, key, err := o.Decode(*args.After)
		if err != nil {
			return nil, err
		}
		i, _ := slices.BinarySearchFunc(items, 0, func(it T, _ int) int {
			var iv any
			if o.Field != "" {
				iv = o.Value(it)
			}
			if o.ComparePositions(iv, o.Key(it), v, key) <= 0 {
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
		page.Cursors = append(page.Cursors, o.Encode(it))
	}
	return page, nil
}

func parseString(raw json.RawMessage) (any, error) {
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

func parseTime(raw json.RawMessage) (any, error) {
	var v time.Time
	err := json.Unmarshal(raw, &v)
	return v, err
}

func parseDate(raw json.RawMessage) (any, error) {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if v == "" {
		return v, nil
	}
	d, err := calendar.ParseDate(v)
	return string(d), err
}

// The lists' orders.
var (
	AgencyOrder    = Order[*Agency]{List: "agencies", Key: func(a *Agency) string { return a.Code }}
	ProcedureOrder = Order[*Procedure]{List: "procedures", Key: func(p *Procedure) string { return p.Code }}
	DirectiveOrder = Order[*Directive]{List: "directives", Field: "issuedOn", Desc: true,
		Value: func(d *Directive) any { return string(d.IssuedOn) }, Key: func(d *Directive) string { return d.Key }, Parse: parseString}
	ReportOrder = Order[*Report]{List: "reports", Field: "period", Desc: true,
		Value: func(r *Report) any { return r.Period }, Key: func(r *Report) string { return r.Key }, Parse: parseString}
	AuditOrder = Order[*AuditEntry]{List: "auditLog", Desc: true, Key: func(e *AuditEntry) string { return e.ID }}
	// DirectiveByKey and ReportByKey are the orders of exports (Each...).
	DirectiveByKey = Order[*Directive]{Key: func(d *Directive) string { return d.Key }}
	ReportByKey    = Order[*Report]{Key: func(r *Report) string { return r.Key }}
)

// DossierOrderOf is the order a dossiers list asks for.
func DossierOrderOf(o DossierOrder) (Order[*Dossier], error) {
	key := func(d *Dossier) string { return d.Code }
	switch o {
	case "", OrderByCode:
		return Order[*Dossier]{List: "dossiers by " + string(OrderByCode), Key: key}, nil
	case OrderByReceivedAt, OrderByReceivedDesc:
		return Order[*Dossier]{List: "dossiers by " + string(o), Field: "receivedAt", Desc: o == OrderByReceivedDesc, Key: key,
			Value: func(d *Dossier) any { return d.ReceivedAt }, Parse: parseTime}, nil
	case OrderByDueDate:
		return Order[*Dossier]{List: "dossiers by " + string(o), Field: "dueDate", Key: key,
			Value: func(d *Dossier) any { return string(d.DueDate) }, Parse: parseDate}, nil
	}
	return Order[*Dossier]{}, Invalid("orderBy", "unknown order %q", o)
}
