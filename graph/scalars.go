package graph

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vnregistry/registry/internal/calendar"
)

// MarshalDateTime writes instants in Vietnam's time zone, the one desks and
// readers work in; the offset keeps them unambiguous.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.In(calendar.Vietnam).Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant; the offset is required.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("DateTime must be an RFC 3339 string such as 2021-04-22T08:30:00+07:00")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("DateTime must be an RFC 3339 string such as 2021-04-22T08:30:00+07:00, got %q", s)
	}
	return t, nil
}
