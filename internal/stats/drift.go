package stats

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Field is one non-zero counter of a cell, by its stored name ("r",
// "od.05", "wd.3"): the names MongoDB's $inc paths and Drift use.
type Field struct {
	Name string
	N    int
}

// Fields lists v's non-zero counters in a fixed order.
func (v *Counters) Fields() []Field {
	var out []Field
	add := func(name string, n int) {
		if n != 0 {
			out = append(out, Field{name, n})
		}
	}
	add("r", v.Received)
	add("e", v.Early)
	add("o", v.OnTime)
	add("l", v.Late)
	add("w", v.Withdrawn)
	add("s", v.Stopped)
	add("nl", v.NationalLate)
	add("co", v.ClosedOverdue)
	add("ds", v.DaysSum)
	for _, k := range slices.Sorted(maps.Keys(v.OverdueStarts)) {
		add("od."+k, v.OverdueStarts[k])
	}
	for _, k := range slices.Sorted(maps.Keys(v.Days)) {
		add("wd."+k, v.Days[k])
	}
	return out
}

// field is the counter of v named name (0 when zero).
func (v *Counters) field(name string) int {
	for _, f := range v.Fields() {
		if f.Name == name {
			return f.N
		}
	}
	return 0
}

// Drift is one counter on which the stored rollups and the dossiers disagree.
type Drift struct {
	Cell     Cell
	Counter  string
	Stored   int
	Expected int
}

func (d Drift) String() string {
	return fmt.Sprintf("%s %s %s %s %s: stored %d, dossiers give %d", d.Cell.Month, d.Cell.Agency, d.Cell.Procedure, d.Cell.Channel, d.Counter, d.Stored, d.Expected)
}

// Drifts lists every counter on which stored differs from expected.
func Drifts(stored, expected Rollup) []Drift {
	diff := Rollup{}
	diff.Add(stored, 1)
	diff.Add(expected, -1)
	var out []Drift
	for c, d := range diff {
		for _, f := range d.Fields() {
			have := 0
			if v := stored[c]; v != nil {
				have = v.field(f.Name)
			}
			out = append(out, Drift{Cell: c, Counter: f.Name, Stored: have, Expected: have - f.N})
		}
	}
	slices.SortFunc(out, func(a, b Drift) int { return strings.Compare(a.String(), b.String()) })
	return out
}
