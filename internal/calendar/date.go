package calendar

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	// Embedded zone data so Asia/Ho_Chi_Minh loads on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Date is a calendar date in canonical form "YYYY-MM-DD". It is stored as-is
// in MongoDB, where the canonical form sorts lexicographically in date order.
//
// Methods other than MarshalGQL and UnmarshalGQL assume the canonical form and
// panic on a malformed Date: build Dates with ParseDate or DateOf.
type Date string

// Vietnam is the Asia/Ho_Chi_Minh time zone, in which dates and office hours
// are reckoned.
var Vietnam = mustLoadVietnam()

func mustLoadVietnam() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// Unreachable with time/tzdata linked in.
		panic(err)
	}
	return loc
}

const dateLayout = "2006-01-02"

// ParseDate accepts only the canonical form, e.g. "2021-04-22".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	// The round trip rejects anything time.Parse tolerates beyond the canonical form.
	if err != nil || t.Format(dateLayout) != s {
		return "", fmt.Errorf("calendar: date %q is not of the form YYYY-MM-DD (e.g. 2021-04-22)", s)
	}
	if !InRange(t) {
		return "", fmt.Errorf("calendar: date %s is not %s", s, RangeText)
	}
	return Date(s), nil
}

// The dates the registry accepts: from the first documents of the
// Democratic Republic (symbols count years from 1945) to a horizon far past
// any deadline, so that working-day arithmetic never leaves four-digit
// years.
const (
	FirstYear = 1945
	LastYear  = 2100
	RangeText = "between 1945-01-01 and 2100-12-31"
)

// InRange reports whether t falls within the accepted dates, in Vietnam time.
func InRange(t time.Time) bool {
	y := t.In(Vietnam).Year()
	return y >= FirstYear && y <= LastYear
}

// DateOf returns the calendar date of t in Vietnam time.
func DateOf(t time.Time) Date {
	return Date(t.In(Vietnam).Format(dateLayout))
}

// civil is d at midnight UTC; day arithmetic is done in UTC so that no zone
// offset change can shift a date.
func (d Date) civil() time.Time {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		panic(fmt.Sprintf("calendar: malformed Date %q", string(d)))
	}
	return t
}

func dateFromCivil(t time.Time) Date { return Date(t.Format(dateLayout)) }

// Time returns midnight of d in Vietnam time.
func (d Date) Time() time.Time {
	y, m, day := d.civil().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, Vietnam)
}

// AddDays returns the date n calendar days after d (before d if n < 0).
func (d Date) AddDays(n int) Date { return dateFromCivil(d.civil().AddDate(0, 0, n)) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.civil().Weekday() }

// Year returns the year of d.
func (d Date) Year() int { return d.civil().Year() }

// DaysUntil returns the number of calendar days from d to e, negative if e is before d.
func (d Date) DaysUntil(e Date) int {
	return int(e.civil().Sub(d.civil()) / (24 * time.Hour))
}

// MarshalGQL writes d as a JSON string (gqlgen scalar); the zero Date, which
// records use for "not set", is null.
func (d Date) MarshalGQL(w io.Writer) {
	if d == "" {
		_, _ = io.WriteString(w, "null")
		return
	}
	b, _ := json.Marshal(string(d)) // a string always marshals
	_, _ = w.Write(b)               // gqlgen's marshaler interface has no error to return
}

// UnmarshalGQL accepts a string in the canonical form (gqlgen scalar).
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("calendar: Date must be a string of the form YYYY-MM-DD, got %T", v)
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
