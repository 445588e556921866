package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

var allStatuses = []Status{
	StatusRegisteredOnline, StatusReceived, StatusNotReceived, StatusInProcess,
	StatusSupplementRequested, StatusFinancialObligation, StatusWithdrawn,
	StatusStopped, StatusResolved, StatusResultReturned,
}

var allActions = []Action{
	ActionRegisterOnline, ActionReceive, ActionRefuse, ActionTransfer,
	ActionRequestSupplement, ActionReceiveSupplement, ActionRequireFinancial,
	ActionApologizeResched, ActionWithdraw, ActionStop, ActionResolve,
	ActionReturnResult,
}

type step struct {
	a  Action
	to Status
}

// wantLifecycle restates the specified transitions independently of the
// implementation's table, in the order AllowedActions must report them.
var wantLifecycle = map[Status][]step{
	StatusRegisteredOnline: {
		{ActionReceive, StatusReceived},
		{ActionRefuse, StatusNotReceived},
		{ActionWithdraw, StatusWithdrawn},
	},
	StatusReceived: {
		{ActionTransfer, StatusInProcess},
		{ActionRequestSupplement, StatusSupplementRequested},
		{ActionRequireFinancial, StatusFinancialObligation},
		{ActionApologizeResched, StatusReceived},
		{ActionResolve, StatusResolved},
		{ActionWithdraw, StatusWithdrawn},
		{ActionStop, StatusStopped},
	},
	StatusInProcess: {
		{ActionTransfer, StatusInProcess},
		{ActionRequestSupplement, StatusSupplementRequested},
		{ActionRequireFinancial, StatusFinancialObligation},
		{ActionApologizeResched, StatusInProcess},
		{ActionResolve, StatusResolved},
		{ActionWithdraw, StatusWithdrawn},
		{ActionStop, StatusStopped},
	},
	StatusSupplementRequested: {
		{ActionReceiveSupplement, StatusInProcess},
		{ActionWithdraw, StatusWithdrawn},
		{ActionStop, StatusStopped},
	},
	StatusFinancialObligation: {
		{ActionTransfer, StatusInProcess},
		{ActionResolve, StatusResolved},
		{ActionApologizeResched, StatusFinancialObligation},
		{ActionWithdraw, StatusWithdrawn},
		{ActionStop, StatusStopped},
	},
	StatusResolved: {
		{ActionReturnResult, StatusResultReturned},
	},
}

func TestLifecycleEveryPair(t *testing.T) {
	for _, from := range allStatuses {
		steps := wantLifecycle[from]
		var names []string
		var want []Action
		for _, s := range steps {
			names = append(names, string(s.a))
			want = append(want, s.a)
		}
		if got := AllowedActions(from); !slices.Equal(got, want) {
			t.Errorf("AllowedActions(%s) = %v, want %v", from, got, want)
		}
		allowed := "allowed: none"
		if len(names) > 0 {
			allowed = "allowed: " + strings.Join(names, ", ")
		}
		for _, a := range allActions {
			got, err := Next(from, a)
			i := slices.IndexFunc(steps, func(s step) bool { return s.a == a })
			if i >= 0 {
				if err != nil || got != steps[i].to {
					t.Errorf("Next(%s, %s) = %q, %v; want %s", from, a, got, err, steps[i].to)
				}
				continue
			}
			if ErrorCode(err) != CodeConflict || got != "" {
				t.Errorf("Next(%s, %s) = %q, %v; want CONFLICT", from, a, got, err)
				continue
			}
			msg := err.Error()
			wantPrefix := "action " + string(a) + " is not allowed while the dossier is " + string(from) + "; "
			if msg != wantPrefix+allowed {
				t.Errorf("Next(%s, %s) message %q, want %q", from, a, msg, wantPrefix+allowed)
			}
		}
	}
}

func TestLifecycleExampleMessage(t *testing.T) {
	_, err := Next(StatusSupplementRequested, ActionResolve)
	const want = "action RESOLVE is not allowed while the dossier is SUPPLEMENT_REQUESTED; allowed: RECEIVE_SUPPLEMENT, WITHDRAW, STOP"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestNextUnknownInput(t *testing.T) {
	for _, tc := range []struct {
		from Status
		a    Action
	}{
		{"NOPE", ActionReceive},
		{"", ActionReceive},
		{"received", ActionReceive}, // codes are case-sensitive
		{StatusReceived, "NOPE"},
		{StatusReceived, ""},
		{StatusResultReturned, "transfer"},
		{"NOPE", "NOPE"},
	} {
		got, err := Next(tc.from, tc.a)
		if ErrorCode(err) != CodeBadUserInput || got != "" {
			t.Errorf("Next(%q, %q) = %q, %v; want BAD_USER_INPUT", tc.from, tc.a, got, err)
			continue
		}
		if e, _ := errors.AsType[*Error](err); e.Field != "action" {
			t.Errorf("Next(%q, %q) field %q, want action", tc.from, tc.a, e.Field)
		}
	}
}

func TestStatusCodesAndLabels(t *testing.T) {
	want := map[Status]string{
		StatusRegisteredOnline:    "Đăng ký trực tuyến",
		StatusReceived:            "Đã tiếp nhận",
		StatusNotReceived:         "Không tiếp nhận",
		StatusInProcess:           "Đang xử lý",
		StatusSupplementRequested: "Yêu cầu bổ sung",
		StatusFinancialObligation: "Thực hiện nghĩa vụ tài chính",
		StatusWithdrawn:           "Công dân rút hồ sơ",
		StatusStopped:             "Dừng xử lý",
		StatusResolved:            "Đã giải quyết",
		StatusResultReturned:      "Đã trả kết quả",
	}
	// allStatuses is in national order, so code i+1 belongs at index i.
	for i, s := range allStatuses {
		if !s.Valid() || s.NationalCode() != i+1 || s.Label() != want[s] {
			t.Errorf("%s: valid %v code %d label %q; want code %d label %q",
				s, s.Valid(), s.NationalCode(), s.Label(), i+1, want[s])
		}
	}
	for _, s := range []Status{"", "NOPE", "received"} {
		if s.Valid() || s.NationalCode() != 0 || s.Label() != "" || s.Open() || s.Final() {
			t.Errorf("invalid status %q reported as known", s)
		}
	}
}

func TestStatusOpenFinal(t *testing.T) {
	open := []Status{StatusReceived, StatusInProcess, StatusSupplementRequested, StatusFinancialObligation}
	final := []Status{StatusNotReceived, StatusWithdrawn, StatusStopped, StatusResultReturned}
	// Neither: not yet received, or resolved but awaiting return of the result.
	neither := []Status{StatusRegisteredOnline, StatusResolved}
	if n := len(open) + len(final) + len(neither); n != len(allStatuses) {
		t.Fatalf("partition covers %d statuses, want %d", n, len(allStatuses))
	}
	for _, s := range allStatuses {
		wantOpen, wantFinal := slices.Contains(open, s), slices.Contains(final, s)
		if s.Open() != wantOpen || s.Final() != wantFinal {
			t.Errorf("%s: Open %v Final %v; want %v %v", s, s.Open(), s.Final(), wantOpen, wantFinal)
		}
		if s.Final() != (len(AllowedActions(s)) == 0) {
			t.Errorf("%s: Final %v but allowed actions %v", s, s.Final(), AllowedActions(s))
		}
	}
}

func TestActionLabels(t *testing.T) {
	want := map[Action]string{
		ActionRegisterOnline:    "Đăng ký trực tuyến",
		ActionReceive:           "Tiếp nhận",
		ActionRefuse:            "Từ chối tiếp nhận",
		ActionTransfer:          "Chuyển xử lý",
		ActionRequestSupplement: "Yêu cầu bổ sung",
		ActionReceiveSupplement: "Tiếp nhận hồ sơ bổ sung",
		ActionRequireFinancial:  "Yêu cầu thực hiện nghĩa vụ tài chính",
		ActionApologizeResched:  "Xin lỗi và hẹn lại",
		ActionWithdraw:          "Rút hồ sơ",
		ActionStop:              "Dừng xử lý",
		ActionResolve:           "Giải quyết",
		ActionReturnResult:      "Trả kết quả",
	}
	if len(want) != len(allActions) {
		t.Fatalf("%d labels for %d actions", len(want), len(allActions))
	}
	for _, a := range allActions {
		if !a.Valid() || a.Label() != want[a] {
			t.Errorf("%s: valid %v label %q, want %q", a, a.Valid(), a.Label(), want[a])
		}
	}
	for _, a := range []Action{"", "NOPE", "receive"} {
		if a.Valid() || a.Label() != "" {
			t.Errorf("invalid action %q reported as known", a)
		}
	}
}

func TestChannelCodesAndLabels(t *testing.T) {
	for _, tc := range []struct {
		c     Channel
		code  int
		label string
	}{
		{ChannelInPerson, 1, "Trực tiếp"},
		{ChannelOnline, 2, "Trực tuyến"},
		{ChannelPostal, 3, "Dịch vụ bưu chính công ích"},
	} {
		if !tc.c.Valid() || tc.c.NationalCode() != tc.code || tc.c.Label() != tc.label {
			t.Errorf("%s: valid %v code %d label %q; want %d %q",
				tc.c, tc.c.Valid(), tc.c.NationalCode(), tc.c.Label(), tc.code, tc.label)
		}
	}
	for _, c := range []Channel{"", "NOPE", "online"} {
		if c.Valid() || c.NationalCode() != 0 || c.Label() != "" {
			t.Errorf("invalid channel %q reported as known", c)
		}
	}
}
