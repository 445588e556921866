// Package calendar does working-day arithmetic for Vietnamese one-stop desks:
// when a dossier's clock starts, when it is due, and how a supplement pause
// moves the due date. Weekends and public holidays are skipped; Saturdays the
// government declares worked in return for a bridged holiday count as working
// days.
//
// The holiday schedule is data, not code, because the government decides Tết
// and the moved days every year. Default returns the embedded schedule of the
// civil service (cơ quan hành chính, sự nghiệp) for 2019..2027. The Labour Code
// fixes 1 January, Hùng Kings' day (10/3 lunar), 30 April, 1 May and
// 2 September (Bộ luật Lao động 2012, Điều 115, to 2020; 2019, khoản 1
// Điều 112, from 2021, which adds a day next to 2 September), and gives a
// holiday on a Saturday or Sunday in lieu on the next working day (2012 Code,
// Điều 115; 2019 Code, khoản 3 Điều 111). Which five days are Tết, which day joins 2 September,
// and any weekday swapped for a Saturday are set each year by a document,
// which each entry's source cites:
//
//   - 2019: Công văn 6519/VPCP-KGVX ngày 11/7/2018: Monday 31/12/2018 off for
//     Saturday 5/1 worked; Tết 4-8/2; Monday 29/4 off for Saturday 4/5 worked.
//   - 2020: Thông báo 4544/TB-LĐTBXH ngày 25/10/2019: Tết 23-29/1.
//   - 2021: Công văn 9895/VPCP-KGVX ngày 26/11/2020: Tết 10-16/2; 2-3/9.
//   - 2022: Công văn 245/VPCP-KGVX ngày 11/01/2022: Tết 31/1-4/2; 1-2/9.
//   - 2023: Thông báo 5034/TB-LĐTBXH ngày 07/12/2022: Tết 20-26/1; 1/9, and
//     4/9 in lieu of Saturday 2/9. 29/4-3/5 follows from the Code alone.
//   - 2024: Công văn 8662/VPCP-KGVX ngày 03/11/2023: Tết 8-14/2; 2-3/9.
//     Công văn 2450/VPCP-KGVX ngày 12/4/2024: Monday 29/4 off for Saturday
//     4/5 worked.
//   - 2025: Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024: Tết 27-31/1; Friday
//     2/5 off for Saturday 26/4 worked; 1-2/9.
//   - 2026: Công văn 12729/VPCP-KGVX ngày 25/12/2025: Friday 2/1 off for
//     Saturday 10/1 worked. Thông báo 9441/TB-BNV ngày 16/10/2025: Tết
//     16-20/2; 1-2/9, and Monday 31/8 off for Saturday 22/8 worked. No swap
//     around 30/4 was found published. Vietnamese Culture Day (24/11, Nghị
//     quyết 80-NQ/TW of the Politburo) is not listed: it awaits an amendment
//     of the Labour Code.
//   - 2027: nothing published yet. Tết (the day before the lunar new year to
//     its 4th day, days in lieu for a weekend) and 3/9 are derived from the
//     Code, and their source says so.
//
// Every other day (the fixed holidays and their days in lieu) follows from
// the Code and cites its article. A schedule published later overrides the
// embedded one by a file passed to Parse.
//
// The file is JSON:
//
//	{
//	  "officeClose": "17:00",
//	  "years": [2019, 2027],
//	  "holidays": [{"date": "2021-02-11", "name": "Tết Nguyên đán", "source": "Công văn ..."}],
//	  "workdays": [{"date": "2021-02-20", "name": "Làm bù ngày 10/2"}]
//	}
//
// officeClose (HH:MM, Vietnam time, default 17:00) is when receipts stop
// counting for the day. years is the first and last year the data covers.
// holidays are days off, including compensation days ("Nghỉ bù"). workdays
// are weekend days worked in return ("Làm bù"). Dates are YYYY-MM-DD, each
// within years and listed once across both lists. source, optional, names the
// document that set the day.
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
	holidays  map[Date]entry
	workdays  map[Date]entry
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

// Default returns the embedded schedule for 2019..2027 described above.
func Default() *Calendar { return defaultCalendar() }

// entry is a listed day: its name, and the document that set it.
type entry struct{ name, source string }

type fileEntry struct {
	Date   string `json:"date"`
	Name   string `json:"name"`
	Source string `json:"source"`
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
		holidays:  make(map[Date]entry, len(f.Holidays)),
		workdays:  make(map[Date]entry, len(f.Workdays)),
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

	add := func(list string, i int, e fileEntry, into map[Date]entry) error {
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
			return fmt.Errorf("calendar: %s[%d] (%s %q): date already listed as holiday %q", list, i, d, e.Name, prev.name)
		}
		if prev, ok := c.workdays[d]; ok {
			return fmt.Errorf("calendar: %s[%d] (%s %q): date already listed as workday %q", list, i, d, e.Name, prev.name)
		}
		into[d] = entry{name: e.Name, source: e.Source}
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
	e, ok := c.holidays[d]
	return e.name, ok
}

// Source reports whether d is a listed holiday or make-up working day, and
// the document its entry cites (empty when the file gives none).
func (c *Calendar) Source(d Date) (source string, ok bool) {
	if e, ok := c.holidays[d]; ok {
		return e.source, true
	}
	e, ok := c.workdays[d]
	return e.source, ok
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
