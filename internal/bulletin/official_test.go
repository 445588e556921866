package bulletin

import (
	"slices"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

// officialDecision is a provincial decision as a PDF's text gives it, in
// our own words: a running header and a signature stamp that are neither
// date nor signer, "Căn cứ" clauses over broken lines.
const officialDecision = `CÔNG BÁO/Số 88/Ngày 20-10-2024
14
ỦY BAN NHÂN DÂN
TỈNH HÒA GIANG
Số: 1520/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hòa Giang, ngày 09 tháng 10 năm 2024
QUYẾT ĐỊNH
Về việc công bố danh mục thủ tục hành chính
trong lĩnh vực đất đai
ỦY BAN NHÂN DÂN TỈNH HÒA GIANG
Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6 năm 2010 của Chính phủ về
kiểm soát thủ tục hành chính; Nghị định số 92/2017/NĐ-CP ngày 07 tháng 8 năm
2017 của Chính phủ sửa đổi, bổ sung một số điều;
Xét đề nghị của Giám đốc Sở Tài nguyên và Môi trường tại Tờ trình số 415/TTr-STNMT.
QUYẾT ĐỊNH:
Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.
Ký bởi: CÔNG BÁO NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Cơ quan: VĂN PHÒNG CHÍNH PHỦ
Ngày ký: 2024-10-20 08:00:00 +07:00
Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định
số 870/QĐ-UBND ngày 12 tháng 5 năm 2022 của Ủy ban nhân dân tỉnh.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lê Thị Hồng Vân`

// TestOfficialDocument: an official document is read as the directive it
// is, with its bases and effects as relations, instead of as news naming
// every symbol in it.
func TestOfficialDocument(t *testing.T) {
	x := checkInvariants(t, strings.ReplaceAll(officialDecision, "\n", "\r\n"))
	if len(x.Directives) != 1 {
		t.Fatalf("%d directives, want the document alone", len(x.Directives))
	}
	d := x.Directives[0]
	if d.Symbol.String() != "1520/QĐ-UBND" || d.IssuedOn != "2024-10-09" || x.Published != "2024-10-09" {
		t.Errorf("symbol %s issued %q, published %q", d.Symbol, d.IssuedOn, x.Published)
	}
	if d.IssuerAsWritten != "ỦY BAN NHÂN DÂN TỈNH HÒA GIANG" || d.TypeAsWritten != "QUYẾT ĐỊNH" {
		t.Errorf("issuer %q, type %q", d.IssuerAsWritten, d.TypeAsWritten)
	}
	if d.Summary != "Về việc công bố danh mục thủ tục hành chính trong lĩnh vực đất đai" {
		t.Errorf("summary %q", d.Summary)
	}
	if d.Signer != (registry.Signer{Position: "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH", Name: "Lê Thị Hồng Vân"}) {
		t.Errorf("signer %+v", d.Signer)
	}
	var rels []string
	for _, r := range d.Relations {
		rels = append(rels, string(r.Kind)+" "+r.Symbol)
		if r.Excerpt == "" {
			t.Errorf("relation %s %s without its excerpt", r.Kind, r.Symbol)
		}
	}
	if want := []string{"BASED_ON 63/2010/NĐ-CP", "BASED_ON 92/2017/NĐ-CP", "REPLACES 870/QĐ-UBND"}; !slices.Equal(rels, want) {
		t.Errorf("relations %q, want %q", rels, want)
	}
	if len(d.Findings) != 0 {
		t.Errorf("findings %+v, want none: the document states everything", d.Findings)
	}
	if !strings.Contains(d.Sentence, "Số: 1520/QĐ-UBND") || !strings.Contains(d.Sentence, "trong lĩnh vực đất đai") {
		t.Errorf("span %q: want the header through the summary", d.Sentence)
	}
}

// TestOfficialDocumentFindings: what a document does not state in its
// header is a finding, and a summary longer than the registry keeps is
// left out with one.
func TestOfficialDocumentFindings(t *testing.T) {
	text := "ỦY BAN THƯỜNG VỤ QUỐC HỘI\nNghị quyết số: 31/2023/UBTVQH15\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNGHỊ QUYẾT\n" +
		strings.Repeat(strings.Repeat("về việc điều chỉnh mức phụ cấp đối với đại biểu ", 4)+"\n", 12) + "Căn cứ Hiến pháp;\nQUYẾT NGHỊ:\nĐiều 1. Mức phụ cấp."
	x := checkInvariants(t, text)
	if len(x.Directives) != 1 {
		t.Fatalf("%d directives, want 1", len(x.Directives))
	}
	d := x.Directives[0]
	var codes []string
	for _, f := range d.Findings {
		codes = append(codes, string(f.Code))
	}
	if d.Summary != "" || !slices.Equal(codes, []string{"DATE_UNDETERMINED", "SUMMARY_UNDETERMINED"}) {
		t.Errorf("summary %q, findings %q: want none and DATE_UNDETERMINED, SUMMARY_UNDETERMINED", d.Summary, codes)
	}
}
