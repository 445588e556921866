package stats

import "slices"

// Suppress withholds the groups whose size is below k (primary
// suppression), then enough others that none of those can be worked out
// from what is shown (secondary), counting all in Result.Suppressed. The
// total keeps every group, so:
//
//   - wherever rows add up to a figure of the total (every row for flows;
//     with stocks, the first period's rows for carried over and the last
//     period's for in progress), one withheld row alone would be the total
//     minus the visible ones: the smallest visible row there is withheld
//     too, until none such is left. A withheld row that is all there is
//     has the total's own figure, which the query without grouping gives.
//   - with stocks, a period's carried over is the previous period's in
//     progress: the rows of the same group just before and after one
//     withheld for its size are withheld with it.
//
// Rates, means and the like come from a row's counts, so they are
// protected with them.
func (res *Result) Suppress(k int) {
	hidden := map[*Row]bool{}
	var small []*Row
	for _, r := range res.Groups {
		if r.Size() < k {
			hidden[r] = true
			small = append(small, r)
		}
	}
	if res.stocks {
		res.hideNeighbours(small, hidden)
	}
	sets := res.addingUp()
	for changed := true; changed; {
		changed = false
		for _, set := range sets {
			changed = hideAnother(set, hidden) || changed
		}
	}
	res.Groups = slices.DeleteFunc(res.Groups, func(r *Row) bool { return hidden[r] })
	res.Suppressed += len(hidden)
}

// addingUp lists the sets of groups whose figures add up to the total's.
func (res *Result) addingUp() [][]*Row {
	sets := [][]*Row{res.Groups}
	if !res.stocks {
		return sets
	}
	var first, last []*Row
	for _, r := range res.Groups {
		if r.Period.From == res.Total.Period.From {
			first = append(first, r)
		}
		if r.Period.To == res.Total.Period.To {
			last = append(last, r)
		}
	}
	return append(sets, first, last)
}

// hideAnother withholds the smallest visible row of set when exactly one
// of its rows is withheld, and reports whether it did.
func hideAnother(set []*Row, hidden map[*Row]bool) bool {
	var withheld int
	var smallest *Row
	for _, r := range set {
		switch {
		case hidden[r]:
			withheld++
		case smallest == nil || r.Size() < smallest.Size():
			smallest = r
		}
	}
	if withheld != 1 || smallest == nil {
		return false
	}
	hidden[smallest] = true
	return true
}

// hideNeighbours withholds the rows of the same group in the periods just
// before and after each of small.
func (res *Result) hideNeighbours(small []*Row, hidden map[*Row]bool) {
	type at struct {
		group Key
		month int
	}
	starts, ends := map[at]*Row{}, map[at]*Row{}
	for _, r := range res.Groups {
		g := r.Key
		g.Period = Period{}
		starts[at{g, monthIndex(r.Period.From)}] = r
		ends[at{g, monthIndex(r.Period.To)}] = r
	}
	for _, r := range small {
		g := r.Key
		g.Period = Period{}
		for _, n := range []*Row{ends[at{g, monthIndex(r.Period.From) - 1}], starts[at{g, monthIndex(r.Period.To) + 1}]} {
			if n != nil {
				hidden[n] = true
			}
		}
	}
}
