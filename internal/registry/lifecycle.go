package registry

import (
	"slices"
	"strings"
)

// statusInfo holds what the national reporting system needs for a status.
// open marks a dossier as still being handled by the desk, which is what the
// statistics count as "in progress".
type statusInfo struct {
	code  int
	label string
	open  bool
}

var statusInfos = map[Status]statusInfo{
	StatusRegisteredOnline:    {1, "Đăng ký trực tuyến", false},
	StatusReceived:            {2, "Đã tiếp nhận", true},
	StatusNotReceived:         {3, "Không tiếp nhận", false},
	StatusInProcess:           {4, "Đang xử lý", true},
	StatusSupplementRequested: {5, "Yêu cầu bổ sung", true},
	StatusFinancialObligation: {6, "Thực hiện nghĩa vụ tài chính", true},
	StatusWithdrawn:           {7, "Công dân rút hồ sơ", false},
	StatusStopped:             {8, "Dừng xử lý", false},
	StatusResolved:            {9, "Đã giải quyết", false},
	StatusResultReturned:      {10, "Đã trả kết quả", false},
}

// Valid reports whether s is one of the ten national statuses.
func (s Status) Valid() bool {
	_, ok := statusInfos[s]
	return ok
}

// NationalCode returns the national status code 1..10, or 0 if s is not valid.
func (s Status) NationalCode() int { return statusInfos[s].code }

// Label returns the Vietnamese label, or "" if s is not valid.
func (s Status) Label() string { return statusInfos[s].label }

// Open reports whether the dossier is still being handled: received and
// neither finished nor ended. REGISTERED_ONLINE is not open: the desk has not
// yet received it, so it does not count as received or in progress.
func (s Status) Open() bool { return statusInfos[s].open }

// OpenStatuses lists the statuses for which Open is true.
func OpenStatuses() []Status {
	var out []Status
	for s, info := range statusInfos {
		if info.open {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Final reports whether no action is allowed any more. RESOLVED is not final:
// the result must still be returned.
func (s Status) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

var actionLabels = map[Action]string{
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

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	_, ok := actionLabels[a]
	return ok
}

// Label returns the Vietnamese label, or "" if a is not valid.
func (a Action) Label() string { return actionLabels[a] }

type channelInfo struct {
	code  int
	label string
}

var channelInfos = map[Channel]channelInfo{
	ChannelInPerson: {1, "Trực tiếp"},
	ChannelOnline:   {2, "Trực tuyến"},
	ChannelPostal:   {3, "Dịch vụ bưu chính công ích"},
}

// Valid reports whether c is one of the three national channels.
func (c Channel) Valid() bool {
	_, ok := channelInfos[c]
	return ok
}

// NationalCode returns the national channel code 1..3, or 0 if c is not valid.
func (c Channel) NationalCode() int { return channelInfos[c].code }

// Label returns the Vietnamese label, or "" if c is not valid.
func (c Channel) Label() string { return channelInfos[c].label }

type transition struct {
	action Action
	to     Status
}

// transitions is the whole lifecycle; AllowedActions and Next both read it so
// they cannot disagree. Each list is in the order AllowedActions reports.
// REGISTER_ONLINE appears nowhere: it creates a dossier in REGISTERED_ONLINE
// and is never a step from an existing status. Statuses with no entry are
// final.
var transitions = map[Status][]transition{
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
		{ActionResolve, StatusResolved}, // procedures settled at the desk
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
		{ActionTransfer, StatusInProcess}, // obligation met, handed on
		{ActionResolve, StatusResolved},
		{ActionApologizeResched, StatusFinancialObligation},
		{ActionWithdraw, StatusWithdrawn},
		{ActionStop, StatusStopped},
	},
	StatusResolved: {
		{ActionReturnResult, StatusResultReturned},
	},
}

// AllowedActions returns the actions allowed from a status, in a stable
// order; none for a final or unknown status.
func AllowedActions(from Status) []Action {
	var out []Action
	for _, t := range transitions[from] {
		out = append(out, t.action)
	}
	return out
}

// Next returns the status after action a from status from. An unknown status
// or action is BAD_USER_INPUT on field "action"; a known action not allowed
// from that status (REGISTER_ONLINE always, any action from a final status) is
// a CONFLICT naming the status and the actions that are allowed.
func Next(from Status, a Action) (Status, error) {
	if !from.Valid() {
		return "", Invalid("action", "unknown dossier status %q", string(from))
	}
	if !a.Valid() {
		return "", Invalid("action", "unknown action %q", string(a))
	}
	ts := transitions[from]
	if i := slices.IndexFunc(ts, func(t transition) bool { return t.action == a }); i >= 0 {
		return ts[i].to, nil
	}
	allowed := "none"
	if acts := AllowedActions(from); len(acts) > 0 {
		names := make([]string, len(acts))
		for i, x := range acts {
			names[i] = string(x)
		}
		allowed = strings.Join(names, ", ")
	}
	return "", Errorf(CodeConflict, "action %s is not allowed while the dossier is %s; allowed: %s", a, from, allowed)
}
