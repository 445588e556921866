package graph

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// MarshalDateTime writes instants in Vietnam's time zone, the one desks and
// readers work in; the offset keeps them unambiguous.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.In(calendar.Vietnam).Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant; the offset is required. A
// malformed one is the request's fault: the error presenter names the
// argument or input field it was given for.
func UnmarshalDateTime(v any) (time.Time, error) {
	const rule = "a DateTime is an RFC 3339 string with its offset, such as 2021-04-22T08:30:00+07:00"
	s, ok := v.(string)
	if !ok {
		return time.Time{}, registry.Invalid("", "%s", rule)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, registry.Invalid("", "%s, got %q", rule, s)
	}
	if !calendar.InRange(t) {
		return time.Time{}, registry.Invalid("", "must be %s, got %q", calendar.RangeText, s)
	}
	return t, nil
}

// MarshalDate writes a calendar date, null when empty.
func MarshalDate(d calendar.Date) graphql.Marshaler { return d }

// UnmarshalDate reads a calendar date, YYYY-MM-DD; like UnmarshalDateTime,
// a malformed one is the request's fault.
func UnmarshalDate(v any) (calendar.Date, error) {
	const rule = "a Date is a string YYYY-MM-DD, such as 2021-04-22"
	s, ok := v.(string)
	if !ok {
		return "", registry.Invalid("", "%s", rule)
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return "", registry.Invalid("", "%s %s, got %q", rule, calendar.RangeText, s)
	}
	return d, nil
}
