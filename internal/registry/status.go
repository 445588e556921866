package registry

// Status is a dossier's state, one of the national status codes (1..10).
type Status string

const (
	StatusRegisteredOnline    Status = "REGISTERED_ONLINE"    // 1 đăng ký trực tuyến
	StatusReceived            Status = "RECEIVED"             // 2 đã tiếp nhận
	StatusNotReceived         Status = "NOT_RECEIVED"         // 3 không tiếp nhận
	StatusInProcess           Status = "IN_PROCESS"           // 4 đang xử lý
	StatusSupplementRequested Status = "SUPPLEMENT_REQUESTED" // 5 yêu cầu bổ sung
	StatusFinancialObligation Status = "FINANCIAL_OBLIGATION" // 6 thực hiện nghĩa vụ tài chính
	StatusWithdrawn           Status = "WITHDRAWN"            // 7 công dân rút hồ sơ
	StatusStopped             Status = "STOPPED"              // 8 dừng xử lý
	StatusResolved            Status = "RESOLVED"             // 9 đã giải quyết
	StatusResultReturned      Status = "RESULT_RETURNED"      // 10 đã trả kết quả
)

// Action is a step recorded on a dossier's process control sheet.
type Action string

const (
	ActionRegisterOnline    Action = "REGISTER_ONLINE" // only as the first step of an online submission
	ActionReceive           Action = "RECEIVE"
	ActionRefuse            Action = "REFUSE"
	ActionTransfer          Action = "TRANSFER"
	ActionRequestSupplement Action = "REQUEST_SUPPLEMENT"
	ActionReceiveSupplement Action = "RECEIVE_SUPPLEMENT"
	ActionRequireFinancial  Action = "REQUIRE_FINANCIAL_OBLIGATION"
	ActionApologizeResched  Action = "APOLOGIZE_AND_RESCHEDULE"
	ActionWithdraw          Action = "WITHDRAW"
	ActionStop              Action = "STOP"
	ActionResolve           Action = "RESOLVE"
	ActionReturnResult      Action = "RETURN_RESULT"
)

// Channel is how a dossier reached the desk.
type Channel string

const (
	ChannelInPerson Channel = "IN_PERSON" // 1 trực tiếp
	ChannelOnline   Channel = "ONLINE"    // 2 trực tuyến
	ChannelPostal   Channel = "POSTAL"    // 3 dịch vụ bưu chính công ích
)
