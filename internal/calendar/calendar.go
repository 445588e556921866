// Package calendar does working-day arithmetic for Vietnamese one-stop desks:
// when a dossier's clock starts, when it is due, and how a supplement pause
// moves the due date. Weekends and public holidays are skipped; Saturdays the
// government declares worked in return for a bridged holiday count as working
// days.
//
// The holiday schedule is data, not code, because the government decides Tết
// and the moved days every year. Default returns an embedded schedule for
// 2019..2027 derived from the Labour Code rules: 1 January; Tết from the day
// before the lunar new year to the 4th day of the first lunar month; Hùng Kings'
// day; 30 April; 1 May; 2 September and, from 2021, an adjacent day (taken as
// 3 September, or 1 September when 3 September is a weekend); a holiday on a
// Saturday or Sunday is compensated on the next working day. It is an
// approximation: it has none of the yearly moved days, so a published schedule
// overrides it by a file passed to Parse.
//
// The file is JSON:
//
//	{
//	  "officeClose": "17:00",
//	  "years": [2019, 2027],
//	  "holidays": [{"date": "2021-02-11", "name": "Tết Nguyên đán"}],
//	  "workdays": [{"date": "2021-02-20", "name": "Làm bù ngày 10/2"}]
//	}
//
// officeClose (HH:MM, Vietnam time, default 17:00) is when receipts stop
// counting for the day. years is the first and last year the data covers.
// holidays are days off, including compensation days ("Nghỉ bù"). workdays
// are weekend days worked in return ("Làm bù"). Dates are YYYY-MM-DD, each
// within years and listed once across both lists.
package calendar

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Calendar is a holiday schedule. It is immutable, so one value may be shared.
type Calendar struct {
	holidays  map[Date]string
	workdays  map[Date]string
	firstYear int
	lastYear  int
	closeHour int
	closeMin  int
}

//go:embed holidays.json
var defaultJSON []byte

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := Parse(defaultJSON)
	if err != nil {
		panic("calendar: embedded holidays.json: " + err.Error())
	}
	return c
})

// Default returns the embedded approximate schedule for 2019..2027.
func Default() *Calendar { return defaultCalendar() }

type fileEntry struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

type file struct {
	OfficeClose string      `json:"officeClose"`
	Years       []int       `json:"years"`
	Holidays    []fileEntry `json:"holidays"`
	Workdays    []fileEntry `json:"workdays"`
}

// Parse reads a schedule in the JSON format described in the package comment.
func Parse(data []byte) (*Calendar, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	// A misspelt key would otherwise silently drop holidays.
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("calendar: unexpected data after the JSON object")
	}

	c := &Calendar{
		holidays:  make(map[Date]string, len(f.Holidays)),
		workdays:  make(map[Date]string, len(f.Workdays)),
		closeHour: 17,
	}
	if f.OfficeClose != "" {
		t, err := time.Parse("15:04", f.OfficeClose)
		if err != nil || t.Format("15:04") != f.OfficeClose {
			return nil, fmt.Errorf("calendar: officeClose %q is not of the form HH:MM (e.g. 17:00)", f.OfficeClose)
		}
		c.closeHour, c.closeMin = t.Hour(), t.Minute()
	}
	if len(f.Years) != 2 || f.Years[0] > f.Years[1] {
		return nil, fmt.Errorf("calendar: years must be [first, last] with first <= last, got %v", f.Years)
	}
	c.firstYear, c.lastYear = f.Years[0], f.Years[1]

	add := func(list string, i int, e fileEntry, into map[Date]string) error {
		d, err := ParseDate(e.Date)
		if err != nil {
			return fmt.Errorf("calendar: %s[%d] (%q): %w", list, i, e.Name, err)
		}
		if e.Name == "" {
			return fmt.Errorf("calendar: %s[%d] (%s): name is empty", list, i, d)
		}
		if !c.Covers(d) {
			return fmt.Errorf("calendar: %s[%d] (%s %q): outside years %d..%d", list, i, d, e.Name, c.firstYear, c.lastYear)
		}
		if prev, ok := c.holidays[d]; ok {
			return fmt.Errorf("calendar: %s[%d] (%s %q): date already listed as holiday %q", list, i, d, e.Name, prev)
		}
		if prev, ok := c.workdays[d]; ok {
			return fmt.Errorf("calendar: %s[%d] (%s %q): date already listed as workday %q", list, i, d, e.Name, prev)
		}
		into[d] = e.Name
		return nil
	}
	for i, e := range f.Holidays {
		if err := add("holidays", i, e, c.holidays); err != nil {
			return nil, err
		}
	}
	for i, e := range f.Workdays {
		if err := add("workdays", i, e, c.workdays); err != nil {
			return nil, err
		}
		// A make-up day on a weekday would change nothing, so it is a data error.
		if d := Date(e.Date); !isWeekend(d) {
			return nil, fmt.Errorf("calendar: workdays[%d] (%s %q): not a Saturday or Sunday", i, d, e.Name)
		}
	}
	return c, nil
}

func isWeekend(d Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Holiday reports whether d is a listed holiday, and its name.
func (c *Calendar) Holiday(d Date) (name string, ok bool) {
	name, ok = c.holidays[d]
	return name, ok
}

// IsWorkingDay reports whether d is Monday to Friday and not a holiday, or a
// listed make-up working day. Outside the covered years only weekends are off.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if _, ok := c.workdays[d]; ok {
		return true
	}
	if _, ok := c.holidays[d]; ok {
		return false
	}
	return !isWeekend(d)
}

// Covers reports whether d's year is within the years the data covers; outside
// them results silently ignore holidays, so callers may want to warn.
func (c *Calendar) Covers(d Date) bool {
	y := d.Year()
	return c.firstYear <= y && y <= c.lastYear
}

// CountingStart returns the date from which a receipt at t counts: the date of
// t in Vietnam if that is a working day and t is before office close,
// otherwise the next working day.
func (c *Calendar) CountingStart(t time.Time) Date {
	d := DateOf(t)
	y, m, day := d.civil().Date()
	closing := time.Date(y, m, day, c.closeHour, c.closeMin, 0, 0, Vietnam)
	if c.IsWorkingDay(d) && t.Before(closing) {
		return d
	}
	return c.AddWorkingDays(d, 1)
}

// AddWorkingDays returns the n-th working day after start, start itself not
// counted; n = 0 returns start, and n < 0 counts backwards.
func (c *Calendar) AddWorkingDays(start Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := start
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween returns the number of working days in (from, to], or 0
// if to is not after from.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	n := 0
	// Canonical dates compare as strings.
	for d := from.AddDays(1); d <= to; d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// DueDate returns the due date of a procedure taking workingDays working days
// for a dossier received at received.
func (c *Calendar) DueDate(received time.Time, workingDays int) Date {
	return c.AddWorkingDays(c.CountingStart(received), workingDays)
}

// ExtendForPause moves due for a supplement pause: the clock stops, so due is
// pushed by the working days in (DateOf(pausedFrom), DateOf(resumedAt)].
func (c *Calendar) ExtendForPause(due Date, pausedFrom, resumedAt time.Time) Date {
	return c.AddWorkingDays(due, c.WorkingDaysBetween(DateOf(pausedFrom), DateOf(resumedAt)))
}
