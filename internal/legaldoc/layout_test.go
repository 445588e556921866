package legaldoc

import "testing"

// TestIsLayoutLine: the lines that mark a table as an official document's
// header or signature block, and lines of a table of figures that do not.
func TestIsLayoutLine(t *testing.T) {
	for line, want := range map[string]bool{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": true,
		"Độc lập – Tự do – Hạnh phúc":        true,
		"Số: 12/2026/QĐ-UBND":                true,
		"Nghị quyết số: 31/2023/UBTVQH15":    true,
		"Nơi nhận:":                          true,
		"TM. ỦY BAN NHÂN DÂN":                true,
		"KT. CHỦ TỊCH":                       true,
		"PHÓ CHỦ TỊCH":                       true,
		"Tổng số: 1.200 hồ sơ":               false,
		"Q. Hoàn Kiếm":                       false,
		"Phó Chủ tịch UBND tỉnh":             false,
		"Sở Tư pháp":                         false,
		"98,5%":                              false,
	} {
		if got := IsLayoutLine(line); got != want {
			t.Errorf("IsLayoutLine(%q) = %v, want %v", line, got, want)
		}
	}
}
