package stats

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// endsAfter is a context whose Err turns DeadlineExceeded after n calls.
type endsAfter struct {
	context.Context
	n int
}

func (c *endsAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// manyCells is a rollup of months × agencies × procedures cells, one
// dossier received in each.
func manyCells(months, agencies, procedures int) (Rollup, map[string]ProcedureInfo) {
	r, info := Rollup{}, map[string]ProcedureInfo{}
	for m := range months {
		for a := range agencies {
			for p := range procedures {
				code := fmt.Sprintf("1.%06d", p)
				info[code] = ProcedureInfo{Field: fmt.Sprintf("field %d", p%7), Level: registry.LevelDistrict}
				r[Cell{Month: monthAt(2021*12 + m), Agency: fmt.Sprintf("a%03d", a), Procedure: code, Channel: registry.ChannelOnline}] = &Counters{Received: 1}
			}
		}
	}
	return r, info
}

// TestComputeStopsAtTheDeadline: grouping many cells stops with UNAVAILABLE
// once the request's context ends, whether it ends while the cells are read
// or while the rows are made.
func TestComputeStopsAtTheDeadline(t *testing.T) {
	every := []Dimension{ByMonth, ByAgency, ByProcedure, ByField, ByLevel, ByChannel}
	for _, tc := range []struct {
		name                         string
		months, agencies, procedures int
		ctx                          context.Context
	}{
		{"expired before the cells", 12, 10, 11, &endsAfter{Context: context.Background()}},
		{"expires while rows are made", 12, 2, 10, &endsAfter{Context: context.Background(), n: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, info := manyCells(tc.months, tc.agencies, tc.procedures)
			q := Query{From: "2021-01", To: monthAt(2021*12 + tc.months - 1), AsOf: calendar.Date("2030-12-31"),
				GroupBy: every, ProcedureInfo: info, Stocks: true, Durations: true}
			res, err := ComputeContext(tc.ctx, q, r)
			var e *registry.Error
			if !errors.As(err, &e) || e.Code != registry.CodeUnavailable || e.Message != "the request ran out of time" {
				t.Fatalf("error %v, %d rows; want UNAVAILABLE, the request ran out of time", err, len(res.Groups))
			}
			if got := len(Compute(q, r).Groups); got != tc.months*tc.agencies*tc.procedures {
				t.Errorf("without a deadline: %d rows, want one a cell", got)
			}
		})
	}
}
