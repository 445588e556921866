package bulletin

import (
	"strings"
	"testing"
	"time"
)

func TestSlowProbe(t *testing.T) {
	for name, s := range map[string]string{
		"heads":   strings.Repeat("Sở Tư pháp Trung tâm ", 3000),
		"words":   strings.Repeat("Ngày 1/1/2021, Chính phủ ban hành Quyết định số 1/QĐ-TTg của ", 1000),
		"ptotals": "Tháng 4/2021, " + strings.Repeat("Sở A giải quyết 1 hồ sơ, trước hạn 1 hồ sơ, đạt 1% ", 1000),
		"totals":  strings.Repeat("Sở A giải quyết 1 hồ sơ, trước hạn 1 hồ sơ, đạt 1% ", 1000),
		"para":    strings.Repeat("Sở Tư pháp tiếp nhận. ", 2000) + strings.Repeat("Trong tháng, giải quyết 5 hồ sơ. ", 2000),
		"symbols": strings.Repeat("1/QĐ-TTg ", 5000),
	} {
		start := time.Now()
		Extract("x", s)
		t.Logf("%s: %d bytes %v", name, len(s), time.Since(start))
	}
}
