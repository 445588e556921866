package registry

import (
	"reflect"
	"strings"
	"testing"
)

func reportCount(v int) *int        { return &v }
func reportRate(v float64) *float64 { return &v }

// checkedReport builds a report with an agency and a period, so that only the
// figures under test produce findings.
func checkedReport(total, early, onTime, late *int, earlyRate, onTimeRate, lateRate *float64) *Report {
	return &Report{AgencyName: "Trung tâm", Period: "2021-03", Resolved: total, Early: early, OnTime: onTime, Late: late,
		EarlyRate: earlyRate, OnTimeRate: onTimeRate, LateRate: lateRate}
}

func TestCheckReport(t *testing.T) {
	type want struct {
		code  FindingCode
		field string
		diff  *int
		says  []string // substrings of the message
	}
	tests := []struct {
		name string
		r    *Report
		want []want
	}{
		{
			name: "March 2021: counts agree, 83,8% truncated, 16,2% the remainder",
			r:    checkedReport(reportCount(5570), reportCount(4671), reportCount(899), nil, reportRate(0.838), reportRate(0.162), nil),
			want: []want{
				{FindingRateTruncated, "earlyRate", nil, []string{"printed 83.8%", "4671 of 5570 is 83.860%", "rounds to 83.9%", "truncated to 1 decimal"}},
				{FindingRateMismatch, "onTimeRate", nil, []string{"printed 16.2%", "899 of 5570 is 16.140%", "rounds to 16.1%", "truncates to 16.1%", "100% minus the other printed rates (83.8%)"}},
			},
		},
		{
			name: "January 2021: parts exceed the total by 28, rates divide by the parts",
			r:    checkedReport(reportCount(6164), reportCount(5184), reportCount(1008), nil, reportRate(0.837), reportRate(0.163), nil),
			want: []want{
				{FindingPartsDoNotAddUp, "resolved", reportCount(28), []string{"early 5184 + on time 1008 = 6192", "total resolved is 6164", "exceed it by 28"}},
				{FindingRateBasedOnParts, "earlyRate", nil, []string{"5184 of 6164 is 84.101%", "5184 of 6192, the sum of the parts, is 83.721%"}},
				{FindingRateTruncated, "onTimeRate", nil, []string{"1008 of 6164 is 16.353%", "alternatively, 1008 of 6192"}},
			},
		},
		{
			name: "consistent report",
			r:    checkedReport(reportCount(5180), reportCount(4061), reportCount(1119), nil, reportRate(0.784), reportRate(0.216), nil),
		},
		{
			name: "late included; whole-percent and two-decimal rates",
			r:    checkedReport(reportCount(1250), reportCount(1000), reportCount(240), reportCount(10), reportRate(0.8), reportRate(0.192), reportRate(0.0080)),
		},
		{
			name: "rounding half up is rounding",
			r:    checkedReport(reportCount(200), reportCount(1), reportCount(199), nil, reportRate(0.005), reportRate(0.995), nil), // 0.5% and 99.5% exactly
		},
		{
			name: "parts short, late not given",
			r:    checkedReport(reportCount(420), reportCount(300), reportCount(100), nil, nil, nil, nil),
			want: []want{{FindingPartsDoNotAddUp, "resolved", reportCount(-20), []string{"fall short of it by 20", "no late count is given"}}},
		},
		{
			name: "parts short with late given",
			r:    checkedReport(reportCount(420), reportCount(300), reportCount(100), reportCount(10), nil, nil, nil),
			want: []want{{FindingPartsDoNotAddUp, "resolved", reportCount(-10), []string{"+ late 10 = 410", "fall short of it by 10"}}},
		},
		{
			name: "a rate nothing explains",
			r:    checkedReport(reportCount(100), reportCount(50), reportCount(50), nil, reportRate(0.6), nil, nil),
			want: []want{{FindingRateMismatch, "earlyRate", nil, []string{"printed 60%", "50 of 100 is 50.00%"}}},
		},
		{
			name: "on-time count missing",
			r:    checkedReport(reportCount(300), nil, reportCount(290), nil, nil, reportRate(0.967), nil),
			want: []want{{FindingCountUndetermined, "early", nil, []string{"early count is not given"}}},
		},
		{
			name: "rate without its count",
			r:    checkedReport(reportCount(300), reportCount(10), reportCount(290), nil, nil, nil, reportRate(0.01)),
			want: []want{{FindingRateUnchecked, "lateRate", nil, []string{"printed 1%", "late count is not given"}}},
		},
		{
			name: "zero total",
			r:    checkedReport(reportCount(0), reportCount(0), reportCount(0), nil, reportRate(0), nil, nil),
			want: []want{{FindingRateUnchecked, "earlyRate", nil, []string{"0 of 0"}}},
		},
		{
			name: "no total",
			r:    checkedReport(nil, reportCount(10), nil, nil, nil, nil, nil),
			want: []want{{FindingCountUndetermined, "resolved", nil, []string{"resolved total is not given"}}},
		},
		{
			name: "only a total: nothing to check",
			r:    checkedReport(reportCount(10), nil, nil, nil, nil, nil, nil),
		},
		{
			name: "no period, no agency",
			r:    &Report{Resolved: reportCount(10)},
			want: []want{{FindingAgencyUndetermined, "agencyName", nil, nil}, {FindingPeriodUndetermined, "period", nil, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := *tt.r
			got := CheckReport(tt.r)
			if !reflect.DeepEqual(before, *tt.r) {
				t.Errorf("CheckReport modified the report")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("CheckReport = %+v, want %d findings", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Code != w.code || g.Field != w.field || !reflect.DeepEqual(g.Difference, w.diff) {
					t.Errorf("finding %d = %+v, want code %s field %s difference %v", i, g, w.code, w.field, w.diff)
				}
				for _, s := range w.says {
					if !strings.Contains(g.Message, s) {
						t.Errorf("finding %d message %q lacks %q", i, g.Message, s)
					}
				}
			}
		})
	}
}

func TestReportKey(t *testing.T) {
	k := ReportKey("Trung tâm Phục vụ hành chính công tỉnh", "2021-03", "Tháng 3/2021, Trung tâm giải quyết 5.570 hồ sơ.")
	if len(k) != 32 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not 32 hex digits", k)
	}
	same := []string{
		ReportKey("Trung tâm Phục vụ hành chính công tỉnh", "2021-03", "Tháng 3/2021, Trung tâm giải quyết 5.570 hồ sơ."),
		ReportKey("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH", "2021-03", "Tháng 3/2021,  Trung tâm giải quyết 5.570 hồ sơ."),
		ReportKey("Trung ta\u0302m Phu\u0323c vu\u0323 ha\u0300nh chi\u0301nh co\u0302ng ti\u0309nh", "2021-03", "Tháng 3/2021, Trung tâm giải quyết 5.570 hồ sơ."),
	}
	for _, s := range same {
		if s != k {
			t.Errorf("spelling variant changes the key: %s, want %s", s, k)
		}
	}
	different := []string{
		ReportKey("Trung tâm Phục vụ hành chính công tỉnh", "2021-04", "Tháng 3/2021, Trung tâm giải quyết 5.570 hồ sơ."),
		ReportKey("Trung tâm Phục vụ hành chính công tỉnh", "2021-03", "Tháng 3/2021, Trung tâm giải quyết 5.571 hồ sơ."),
		ReportKey("", "2021-03", "Tháng 3/2021, Trung tâm giải quyết 5.570 hồ sơ."),
		ReportKey("a", "b", "c"),
		ReportKey("a", "", "bc"), // fields are kept apart
	}
	seen := map[string]bool{k: true}
	for _, d := range different {
		if seen[d] {
			t.Errorf("key %s collides", d)
		}
		seen[d] = true
	}
}
