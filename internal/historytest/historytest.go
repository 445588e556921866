// Package historytest draws random valid dossier histories for tests: which
// step comes next, after how long, and its input. The statistics' and the
// store's tests share it, so both exercise the same mix of histories.
package historytest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// weights make random histories end in every way and request supplements
// more than once now and then.
var weights = map[registry.Action]int{
	registry.ActionReceive: 8, registry.ActionRefuse: 1,
	registry.ActionTransfer: 4, registry.ActionRequestSupplement: 2, registry.ActionReceiveSupplement: 6,
	registry.ActionRequireFinancial: 1, registry.ActionApologizeResched: 1,
	registry.ActionResolve: 3, registry.ActionReturnResult: 4, registry.ActionWithdraw: 1, registry.ActionStop: 1,
}

// NextAction draws one of the allowed actions.
func NextAction(r *rand.Rand, allowed []registry.Action) registry.Action {
	total := 0
	for _, a := range allowed {
		total += weights[a]
	}
	n := r.IntN(total)
	for _, a := range allowed {
		if n -= weights[a]; n < 0 {
			return a
		}
	}
	return allowed[len(allowed)-1]
}

// Gap is the time to the next step: mostly hours or days, sometimes weeks.
func Gap(r *rand.Rand) time.Duration {
	switch r.IntN(10) {
	case 0, 1, 2, 3, 4:
		return time.Duration(r.Int64N(int64(48 * time.Hour)))
	case 5, 6, 7, 8:
		return time.Duration(r.Int64N(int64(10 * 24 * time.Hour)))
	}
	return time.Duration(r.Int64N(int64(40 * 24 * time.Hour)))
}

// StepInput is a valid input for action at when (nil: the store's now, on
// the day today).
func StepInput(r *rand.Rand, action registry.Action, when *time.Time, today calendar.Date) registry.DossierStepInput {
	in := registry.DossierStepInput{Action: action, At: when}
	if when != nil {
		today = calendar.DateOf(*when)
	}
	switch action {
	case registry.ActionTransfer:
		unit := fmt.Sprintf("Phòng %d", r.IntN(5))
		in.ToUnit = &unit
	case registry.ActionResolve:
		approved := r.IntN(5) > 0
		in.Approved = &approved
	case registry.ActionApologizeResched:
		due := today.AddDays(r.IntN(15))
		note := "Hồ sơ cần xác minh thêm"
		in.NewDueDate, in.Note = &due, &note
	}
	return in
}
