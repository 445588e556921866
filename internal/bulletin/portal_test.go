package bulletin

import (
	"slices"
	"strings"
	"testing"
)

// TestSignerActsForBody: the issuer of a signed document is the body its
// signer acts for, as the position names it, also when signing for the
// head ("KT. Chủ tịch"), for the body ("TM. Ủy ban nhân dân") or acting
// ("Q. Giám đốc"); a position naming no body gives no issuer.
func TestSignerActsForBody(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Phó Chủ tịch UBND tỉnh Trần Văn Bình đã ký ban hành Quyết định số 1234/QĐ-UBND ngày 5/9/2023 về việc công bố thủ tục hành chính.",
			`1234/QĐ-UBND 2023-09-05 issuer="UBND tỉnh" type="Quyết định" summary="về việc công bố thủ tục hành chính" signer="Phó Chủ tịch UBND tỉnh Trần Văn Bình" []`},
		{"Quyết định số 88/QĐ-STP ngày 12/9/2023 do Q. Giám đốc Sở Tư pháp Lê Thị Hoa ký về quy trình nội bộ.",
			`88/QĐ-STP 2023-09-12 issuer="Sở Tư pháp" type="Quyết định" summary="về quy trình nội bộ" signer="Q. Giám đốc Sở Tư pháp Lê Thị Hoa" []`},
		{"Kế hoạch số 210/KH-UBND do KT. Chủ tịch UBND tỉnh, Phó Chủ tịch Nguyễn Văn An ký ngày 26-9-2023 về kiểm tra công vụ.",
			`210/KH-UBND 2023-09-26 issuer="UBND tỉnh" type="Kế hoạch" summary="về kiểm tra công vụ" signer="KT. Chủ tịch UBND tỉnh, Phó Chủ tịch Nguyễn Văn An" []`},
		{"TM. Ủy ban nhân dân tỉnh, Chủ tịch Đỗ Minh Khang đã ký Chỉ thị số 05/CT-UBND ngày 05.9.2023 về tăng cường kỷ luật.",
			`05/CT-UBND 2023-09-05 issuer="Ủy ban nhân dân tỉnh" type="Chỉ thị" summary="về tăng cường kỷ luật" signer="Chủ tịch Đỗ Minh Khang" []`},
		{"Phó Chủ tịch Thường trực Nguyễn Văn Hùng đã ký Kế hoạch số 63/KH-UBND ngày 4/3/2024 về chuyển đổi số.",
			`63/KH-UBND 2024-03-04 issuer="" type="Kế hoạch" summary="về chuyển đổi số" signer="Phó Chủ tịch Thường trực Nguyễn Văn Hùng" [ISSUER_UNDETERMINED]`},
	}
	for _, tt := range tests {
		ds, _ := describeAll(checkInvariants(t, tt.text))
		if !slices.Equal(ds, []string{tt.want}) {
			t.Errorf("%s\ngot  %q\nwant %q", tt.text, ds, tt.want)
		}
	}
}

// TestRatesAfterCounts: rates printed in the sentence after the counts
// ("Số hồ sơ quá hạn chiếm tỷ lệ 0,69%", "Tỷ lệ trước hạn đạt 90%, đúng
// hạn 9,5%, quá hạn chiếm tỷ lệ 0,5%") are the rates of those counts.
func TestRatesAfterCounts(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Trong quý III/2023, Sở Tư pháp đã giải quyết 1.450 hồ sơ, trong đó trước hạn 1.200 hồ sơ, đúng hạn 240 hồ sơ, quá hạn 10 hồ sơ. Số hồ sơ quá hạn chiếm tỷ lệ 0,69%, chủ yếu thuộc lĩnh vực chứng thực.",
			`2023-Q3 "Sở Tư pháp" 1450=1200+240+10(0.0069) []`},
		{"Trong quý III/2023, Sở Xây dựng đã giải quyết 2.000 hồ sơ, trong đó trước hạn 1.800 hồ sơ, đúng hạn 190 hồ sơ, quá hạn 10 hồ sơ. Tỷ lệ giải quyết trước hạn đạt 90%, đúng hạn 9,5%, quá hạn chiếm tỷ lệ 0,5%.",
			`2023-Q3 "Sở Xây dựng" 2000=1800(0.9)+190(0.095)+10(0.005) []`},
	}
	for _, tt := range tests {
		_, rs := describeAll(checkInvariants(t, tt.text))
		if !slices.Equal(rs, []string{tt.want}) {
			t.Errorf("%s\ngot  %q\nwant %q", tt.text, rs, tt.want)
		}
	}
}

// TestSymbolsAsPortalsWriteThem: a symbol inside a link, also right after
// "số" with no space or a no-break space before it; dates written
// "05.9.2023" and "26-9-2023".
func TestSymbolsAsPortalsWriteThem(t *testing.T) {
	page := `<html><body><div class="news-detail"><h1>Sở Tư pháp hướng dẫn cải cách hành chính</h1>
<p>Thực hiện Kế hoạch số<a href="/vb/kh-12">12/KH-UBND</a> ngày 05.9.2023 của UBND tỉnh về cải cách hành chính, Sở Tư pháp đã ban hành Công văn số&nbsp;<a href="/vb/cv">345/STP-VP</a> ngày 26-9-2023 hướng dẫn các phòng chuyên môn thực hiện.</p>
<p>Công văn yêu cầu các phòng rà soát quy trình nội bộ, công khai thủ tục và báo cáo kết quả trước ngày 15 hằng tháng.</p>
</div></body></html>`
	text, err := HTMLText(page)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := describeAll(checkInvariants(t, text))
	want := []string{
		`12/KH-UBND 2023-09-05 issuer="UBND tỉnh" type="Kế hoạch" summary="về cải cách hành chính, Sở Tư pháp đã ban hành Công văn số 345/STP-VP ngày 26-9-2023 hướng dẫn các phòng chuyên môn thực hiện" []`,
		`345/STP-VP 2023-09-26 issuer="Sở Tư pháp" type="Công văn" summary="hướng dẫn các phòng chuyên môn thực hiện" IMPLEMENTS 12/KH-UBND []`,
	}
	if !slices.Equal(ds, want) {
		t.Errorf("got\n%q\nwant\n%q\ntext:\n%s", ds, want, text)
	}
}

// TestQuotedDocument: news that quotes an official document in full after
// its own paragraphs is read as news (every document it names, the
// page's dateline), the quoted document's directive taking from it its
// signer's own title and name, the bases its "Căn cứ" clauses name and
// what its articles replace; a report's "Căn cứ số liệu ..." states no
// basis.
func TestQuotedDocument(t *testing.T) {
	text := `Ban hành quy chế phối hợp liên thông đất đai
16/11/2023 09:00
UBND tỉnh vừa ban hành Quyết định số 2741/QĐ-UBND ngày 14/11/2023 ban hành Quy chế phối hợp trong giải quyết thủ tục hành chính liên thông lĩnh vực đất đai. Toàn văn Quyết định như sau:
ỦY BAN NHÂN DÂN
TỈNH BẮC LÂM
Số: 2741/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Lâm, ngày 14 tháng 11 năm 2023
QUYẾT ĐỊNH
Ban hành Quy chế phối hợp trong giải quyết thủ tục hành chính liên thông lĩnh vực đất đai
ỦY BAN NHÂN DÂN TỈNH BẮC LÂM
Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;
Xét đề nghị của Sở Nội vụ tại Tờ trình số 245/TTr-SNV ngày 03 tháng 11 năm 2023.
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp trong giải quyết thủ tục hành chính liên thông lĩnh vực đất đai.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 1985/QĐ-UBND ngày 29 tháng 6 năm 2020 của UBND tỉnh.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Anh Tuấn`
	x := checkInvariants(t, text)
	if x.Published != "2023-11-16" {
		t.Errorf("published %q, want the page's 2023-11-16", x.Published)
	}
	ds, _ := describeAll(x)
	want := []string{
		`2741/QĐ-UBND 2023-11-14 issuer="UBND tỉnh" type="Quyết định" summary="ban hành Quy chế phối hợp trong giải quyết thủ tục hành chính liên thông lĩnh vực đất đai" signer="PHÓ CHỦ TỊCH Trần Anh Tuấn" REPLACES 1985/QĐ-UBND BASED_ON 61/2018/NĐ-CP []`,
		`61/2018/NĐ-CP 2018-04-23 issuer="Chính phủ" type="Nghị định" summary="về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính" []`,
		`245/TTr-SNV 2023-11-03 issuer="Sở Nội vụ" type="Tờ trình" summary="" [SUMMARY_UNDETERMINED]`,
		`1985/QĐ-UBND 2020-06-29 issuer="UBND tỉnh" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`,
	}
	if !slices.Equal(ds, want) {
		t.Errorf("got\n%q\nwant\n%q", ds, want)
	}
}

// TestNewsPhrases: phrases of the portals' news the reader follows: a
// subject after "sau khi"; the body proposing by a submission ("đề nghị
// của Sở Nội vụ tại Tờ trình số"); "Việc ban hành Thông tư nhằm thực hiện
// ..."; a letter asking its recipients to implement a document; a period
// said as "trong cùng khoảng thời gian này"; a body that merely had no
// late dossier states no report.
func TestNewsPhrases(t *testing.T) {
	tests := []struct {
		text   string
		ds, rs []string
	}{
		{text: "Số hóa được đưa vào kiểm tra, sau khi Văn phòng Chính phủ ban hành Thông tư số 01/2023/TT-VPCP ngày 05/4/2023.",
			ds: []string{`01/2023/TT-VPCP 2023-04-05 issuer="Văn phòng Chính phủ" type="Thông tư" summary="" [SUMMARY_UNDETERMINED]`}},
		{text: "Ngày 05/7/2023, Bộ Nội vụ ban hành Thông tư số 09/2023/TT-BNV về chế độ báo cáo. Việc ban hành Thông tư nhằm thực hiện Kế hoạch số 1587/KH-BNV ngày 10/4/2023 của Bộ Nội vụ.",
			ds: []string{`09/2023/TT-BNV 2023-07-05 issuer="Bộ Nội vụ" type="Thông tư" summary="về chế độ báo cáo" IMPLEMENTS 1587/KH-BNV []`,
				`1587/KH-BNV 2023-04-10 issuer="Bộ Nội vụ" type="Kế hoạch" summary="" [SUMMARY_UNDETERMINED]`}},
		{text: "Ngày 03/7/2023, Bộ Nội vụ có Công văn số 3126/BNV-KHTC đề nghị các bộ, ngành, địa phương tổ chức thực hiện Thông tư số 09/2023/TT-BNV.",
			ds: []string{`3126/BNV-KHTC 2023-07-03 issuer="Bộ Nội vụ" type="Công văn" summary="đề nghị các bộ, ngành, địa phương tổ chức thực hiện Thông tư số 09/2023/TT-BNV" IMPLEMENTS 09/2023/TT-BNV []`,
				`09/2023/TT-BNV - issuer="" type="Thông tư" summary="" [DATE_UNDETERMINED ISSUER_UNDETERMINED SUMMARY_UNDETERMINED]`}},
		{text: "Cũng trong 9 tháng đầu năm 2023, UBND huyện Cao Lộc giải quyết 2.956 hồ sơ, trong đó trước hạn 2.611 hồ sơ, đúng hạn 301 hồ sơ, quá hạn 44 hồ sơ. Trong cùng khoảng thời gian này, UBND thành phố Lạng Sơn giải quyết 4.120 hồ sơ, trong đó trước hạn 3.902 hồ sơ, đúng hạn 205 hồ sơ, quá hạn 13 hồ sơ.",
			rs: []string{`2023-9M "UBND huyện Cao Lộc" 2956=2611+301+44 []`, `2023-9M "UBND thành phố Lạng Sơn" 4120=3902+205+13 []`}},
		{text: "Trong tháng 8/2024, UBND thị xã Bỉm Sơn là đơn vị duy nhất không có hồ sơ quá hạn."},
	}
	for _, tt := range tests {
		ds, rs := describeAll(checkInvariants(t, tt.text))
		if !slices.Equal(ds, tt.ds) || !slices.Equal(rs, tt.rs) {
			t.Errorf("%s\ngot  %q %q\nwant %q %q", tt.text, ds, rs, tt.ds, tt.rs)
		}
	}
}

// TestCMSDatelines: datelines as CMSs print them: Joomla's "Thứ ba, 12
// Tháng 3 2024 14:20", WordPress's "22 Tháng 4, 2024"; one printed under
// the article when labelled ("Ngày đăng: 02/04/2024").
func TestCMSDatelines(t *testing.T) {
	body := "\nSở Tư pháp đã ban hành Kế hoạch số 45/KH-STP về cải cách hành chính.\n"
	tests := []struct{ text, want string }{
		{"Hướng dẫn chấm điểm\nThứ ba, 12 Tháng 3 2024 14:20" + body, "2024-03-12"},
		{"Sửa đổi quy định\nĐăng ngày 22 Tháng 4, 2024 bởi Hoài Thu" + body, "2024-04-22"},
		{"Sở Tư pháp công bố kết quả" + strings.Repeat(body, 8) + "Ngày đăng: 02/04/2024", "2024-04-02"},
	}
	for _, tt := range tests {
		if got := checkInvariants(t, tt.text).Published; string(got) != tt.want {
			t.Errorf("%.40q: published %q, want %q", tt.text, got, tt.want)
		}
	}
}
