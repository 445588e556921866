package bulletin

import "testing"

// TestAheadPastLimit: a name that ends a line with spaces after it (as PDF
// text has before each line break) used to make Extract panic with "slice
// bounds out of range": skipping those spaces moved the start of a phrase
// look-up past the end of the sentence.
func TestAheadPastLimit(t *testing.T) {
	for _, in := range []string{
		"Quyết định số 12/QĐ-UBND của Chủ tịch UBND tỉnh Nguyễn Văn An   \nHôm nay.",
		"Căn cứ Nghị định số 12/2020/NĐ-CP ngày 14 tháng 5 năm 2020 của Chính \r\nphủ quy định chi tiết.",
	} {
		x := Extract("test", in)
		if len(x.Directives) != 1 {
			t.Errorf("Extract(%q): %d directives, want 1", in, len(x.Directives))
		}
	}
	tx := newText("ab   cd")
	if got := tx.ahead(4, 2, 64); got != "" {
		t.Errorf("ahead past its limit = %q, want \"\"", got)
	}
}
