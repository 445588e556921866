package generate

import (
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// days indexes every date around the receipt window once, so that planning a
// dossier is arithmetic on positions rather than repeated calendar walks
// (the calendar parses a date string for every day it steps over). A day is
// an offset into the table.
type days struct {
	dates    []calendar.Date
	midnight []time.Time // Vietnam midnight of each day, and of the day after the last
	working  []bool
	// next is, for each day, the position in work of the first working day
	// on or after it.
	next   []int
	work   []int // the working days, in order
	offset map[calendar.Date]int
}

func newDays(cal *calendar.Calendar, first, last calendar.Date) *days {
	n := first.DaysUntil(last) + 1
	t := &days{
		dates: make([]calendar.Date, n), midnight: make([]time.Time, n+1), working: make([]bool, n),
		next: make([]int, n), offset: make(map[calendar.Date]int, n),
	}
	d := first
	for i := range n {
		t.dates[i], t.midnight[i], t.offset[d] = d, d.Time(), i
		t.next[i] = len(t.work)
		if t.working[i] = cal.IsWorkingDay(d); t.working[i] {
			t.work = append(t.work, i)
		}
		d = d.AddDays(1)
	}
	t.midnight[n] = d.Time()
	return t
}

// addWork returns the k-th working day after working day i (before it if k <
// 0), or -1 outside the table.
func (t *days) addWork(i, k int) int {
	p := t.next[i] + k
	if p < 0 || p >= len(t.work) {
		return -1
	}
	return t.work[p]
}

// nextWork returns the first working day on or after i, or -1 outside the table.
func (t *days) nextWork(i int) int { return t.addWork(i, 0) }

// at returns the instant on day i that is minutes and seconds after midnight.
func (t *days) at(i, minutes, seconds int) time.Time {
	return t.midnight[i].Add(time.Duration(minutes)*time.Minute + time.Duration(seconds)*time.Second)
}
