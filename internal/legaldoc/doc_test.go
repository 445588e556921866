package legaldoc

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
)

// fixture reads a document from testdata, with Windows line ends when crlf
// (as PDF text comes).
func fixture(t *testing.T, name string, crlf bool) (string, Document) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if crlf {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	d, ok := Read(s)
	if !ok {
		t.Fatalf("%s not read as an official document", name)
	}
	checkSpans(t, s, d)
	return s, d
}

// checkSpans: each value is the text its span covers, white space
// collapsed, and names its part.
func checkSpans(t *testing.T, s string, d Document) {
	t.Helper()
	runes := []rune(s)
	check := func(what string, v string, sp Span, part Part) {
		t.Helper()
		if v == "" {
			return
		}
		if sp.Offset < 0 || sp.Length <= 0 || sp.Offset+sp.Length > len(runes) {
			t.Fatalf("%s: span %d+%d outside the text", what, sp.Offset, sp.Length)
		}
		if got := collapseSpace(string(runes[sp.Offset : sp.Offset+sp.Length])); got != v {
			t.Errorf("%s: span covers %q, value %q", what, got, v)
		}
		if sp.Part != part {
			t.Errorf("%s: part %q, want %q", what, sp.Part, part)
		}
	}
	check("issuer", d.Issuer.Value, d.Issuer.Span, PartHeader)
	check("parent", d.Parent.Value, d.Parent.Span, PartHeader)
	check("number", d.Number.Value, d.Number.Span, PartNumber)
	check("place", d.Place.Value, d.Place.Span, PartPlaceDate)
	check("date", d.Date.Value, d.Date.Span, PartPlaceDate)
	check("type", d.Type.Value, d.Type.Span, PartType)
	check("summary", d.Summary.Value, d.Summary.Span, PartSummary)
	for _, c := range d.Preamble {
		check("clause", c.Value, c.Span, PartPreamble)
	}
	for _, b := range d.Bases {
		check("basis "+b.Value, b.Value, b.Span, PartPreamble)
	}
	for _, e := range d.Effects {
		check("effect "+e.Target.Value, e.Target.Value, e.Target.Span, e.Target.Part)
	}
	check("effective", d.Effective.Value, d.Effective.Span, PartArticle)
}

func values(rs []Reference) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Value
	}
	return out
}

type effectWant struct {
	action  Action
	target  string
	part    Part
	article int
}

func effects(d Document) []effectWant {
	var out []effectWant
	for _, e := range d.Effects {
		out = append(out, effectWant{e.Action, e.Target.Value, e.Target.Part, e.Target.Number})
	}
	return out
}

// TestDecree: a Government decree as the gazette prints it, with Windows
// line ends, a running header and page number whose date is not the
// issue's, the body's name printed twice, the motto between the number and
// the date, and a signature stamp inside an article.
func TestDecree(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		_, d := fixture(t, "decree.txt", crlf)
		if d.Issuer.Value != "CHÍNH PHỦ" || d.Parent.Value != "" {
			t.Errorf("issuer %q under %q, want CHÍNH PHỦ alone", d.Issuer.Value, d.Parent.Value)
		}
		if d.Number.Value != "47/2025/NĐ-CP" || d.SymbolErr != nil || d.Symbol.String() != "47/2025/NĐ-CP" {
			t.Errorf("number %q, symbol %s (%v)", d.Number.Value, d.Symbol, d.SymbolErr)
		}
		if d.Place.Value != "Hà Nội" || d.Date.On != "2025-07-28" || d.Date.Value != "ngày 28 tháng 7 năm 2025" {
			t.Errorf("place %q, date %q (%q)", d.Place.Value, d.Date.On, d.Date.Value)
		}
		if d.Type.Value != "NGHỊ ĐỊNH" || d.TypeName != "Nghị định" {
			t.Errorf("type %q (%q)", d.Type.Value, d.TypeName)
		}
		if want := "Quy định về quản lý vườn ươm cây giống công cộng và trách nhiệm của chính quyền địa phương"; d.Summary.Value != want {
			t.Errorf("summary %q, want %q", d.Summary.Value, want)
		}
		// "Thực hiện Nghị quyết số 88/NQ-CP" is no basis; an amending law
		// named in the clause and a Party resolution are.
		if got, want := values(d.Bases), []string{"63/2025/QH15", "31/2018/QH14", "146/2025/QH15", "12-NQ/TW"}; !reflect.DeepEqual(got, want) {
			t.Errorf("bases %q, want %q", got, want)
		}
		if len(d.Preamble) != 5 || d.Bases[3].Number != 3 || d.Preamble[3].Basis {
			t.Errorf("preamble %+v", d.Preamble)
		}
		// The quoted text an amendment puts in repeals nothing.
		want := []effectWant{
			{Repeals, "15/2019/NĐ-CP", PartArticle, 2},
			{Replaces, "21/2020/NĐ-CP", PartArticle, 2},
			{Amends, "15/2019/NĐ-CP", PartArticle, 2},
		}
		if got := effects(d); !reflect.DeepEqual(got, want) {
			t.Errorf("effects %+v, want %+v", got, want)
		}
		if d.Effective.On != "2025-09-15" || d.Effective.OnSigning || d.Effective.Number != 3 {
			t.Errorf("effective %+v", d.Effective)
		}
		s := d.Signature
		if s.Capacity != "TM. CHÍNH PHỦ" || s.Title != "THỦ TƯỚNG" || s.Name != "Trần Văn Minh" || s.Position() != "TM. CHÍNH PHỦ, THỦ TƯỚNG" {
			t.Errorf("signature %+v", s)
		}
	}
}

// TestProvincialDecision: a provincial decision whose "Căn cứ" clauses run
// over broken lines, with two columns on one line at the foot (recipients
// beside the KT. signature) and a list of repealed decisions.
func TestProvincialDecision(t *testing.T) {
	_, d := fixture(t, "provincial_decision.txt", false)
	if d.Issuer.Value != "ỦY BAN NHÂN DÂN TỈNH HÒA GIANG" || d.Number.Value != "1520/QĐ-UBND" {
		t.Errorf("issuer %q, number %q", d.Issuer.Value, d.Number.Value)
	}
	if d.Place.Value != "Hòa Giang" || d.Date.On != "2024-10-09" || d.Type.Value != "QUYẾT ĐỊNH" {
		t.Errorf("place %q, date %q, type %q", d.Place.Value, d.Date.On, d.Type.Value)
	}
	if want := "Về việc công bố danh mục thủ tục hành chính được sửa đổi trong lĩnh vực đất đai thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã"; d.Summary.Value != want {
		t.Errorf("summary %q", d.Summary.Value)
	}
	if got, want := values(d.Bases), []string{"63/2010/NĐ-CP", "92/2017/NĐ-CP", "2208/QĐ-BTNMT"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bases %q, want %q (a Xét clause is no basis)", got, want)
	}
	want := []effectWant{{Repeals, "870/QĐ-UBND", PartArticle, 2}, {Repeals, "1021/QĐ-UBND", PartArticle, 2}}
	if got := effects(d); !reflect.DeepEqual(got, want) {
		t.Errorf("effects %+v, want %+v", got, want)
	}
	if !d.Effective.OnSigning || d.Effective.On != "2024-10-09" {
		t.Errorf("effective %+v, want on signing, 2024-10-09", d.Effective)
	}
	s := d.Signature
	if s.Capacity != "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH" || s.Title != "PHÓ CHỦ TỊCH" || s.Name != "Lê Thị Hồng Vân" || s.Part != PartSignature {
		t.Errorf("signature %+v", s)
	}
}

// TestResolutionWithoutDate: a Standing Committee resolution numbered
// "Nghị quyết số:" and dated only at its end, where the header's window
// gives no date.
func TestResolutionWithoutDate(t *testing.T) {
	_, d := fixture(t, "resolution.txt", false)
	if d.Issuer.Value != "ỦY BAN THƯỜNG VỤ QUỐC HỘI" || d.Number.Value != "31/2023/UBTVQH15" || d.SymbolErr != nil {
		t.Errorf("issuer %q, number %q (%v)", d.Issuer.Value, d.Number.Value, d.SymbolErr)
	}
	if d.Date.Value != "" || d.Place.Value != "" {
		t.Errorf("date %q, place %q: the header states none", d.Date.Value, d.Place.Value)
	}
	if d.TypeName != "Nghị quyết" || !strings.HasSuffix(d.Summary.Value, "trong nhiệm kỳ 2021 - 2026") {
		t.Errorf("type %q, summary %q", d.TypeName, d.Summary.Value)
	}
	if got, want := values(d.Bases), []string{"57/2014/QH13", "65/2020/QH14", "77/2015/QH13"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bases %q, want %q", got, want)
	}
	if d.Effective.On != calendar.Date("2023-09-01") || d.Signature.Name != "Vương Minh Khải" || d.Signature.Title != "CHỦ TỊCH" {
		t.Errorf("effective %+v, signature %+v", d.Effective, d.Signature)
	}
}

// TestHeaders: layouts of the header.
func TestHeaders(t *testing.T) {
	motto := "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
	tests := []struct {
		name, text                           string
		issuer, parent, number, typ, summary string
	}{
		{"a law with no number line: what is there",
			"QUỐC HỘI\n" + motto + "LUẬT\nQUẢN LÝ VƯỜN ƯƠM\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\nQuốc hội ban hành Luật Quản lý vườn ươm.\nĐiều 1. Phạm vi",
			"QUỐC HỘI", "", "", "LUẬT", "QUẢN LÝ VƯỜN ƯƠM"},
		{"a department under its province",
			"UBND TỈNH HÒA GIANG\nSỞ NỘI VỤ\nSố: 45/QĐ-SNV    " + strings.TrimSpace(motto) + "\nHòa Giang, ngày 3 tháng 4 năm 2024\nQUYẾT ĐỊNH Về việc giao chỉ tiêu biên chế\nGIÁM ĐỐC SỞ NỘI VỤ\nCăn cứ Quyết định số 12/2021/QĐ-UBND;\nQUYẾT ĐỊNH:\nĐiều 1. Giao chỉ tiêu.\nQ. GIÁM ĐỐC\nPhạm Quốc Huy",
			"SỞ NỘI VỤ", "UBND TỈNH HÒA GIANG", "45/QĐ-SNV", "QUYẾT ĐỊNH", "Về việc giao chỉ tiêu biên chế"},
		{"an official letter's V/v line",
			"BỘ TÀI CHÍNH\nSố: 1234/BTC-NSNN\nV/v hướng dẫn lập dự toán\nnăm 2025\n" + motto + "Hà Nội, ngày 10 tháng 6 năm 2024\nKính gửi: Ủy ban nhân dân các tỉnh.",
			"BỘ TÀI CHÍNH", "", "1234/BTC-NSNN", "", "hướng dẫn lập dự toán năm 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Read(tt.text)
			if !ok {
				t.Fatal("not read as an official document")
			}
			checkSpans(t, tt.text, d)
			got := []string{d.Issuer.Value, d.Parent.Value, d.Number.Value, d.Type.Value, d.Summary.Value}
			if want := []string{tt.issuer, tt.parent, tt.number, tt.typ, tt.summary}; !reflect.DeepEqual(got, want) {
				t.Errorf("issuer, parent, number, type, summary = %q, want %q", got, want)
			}
		})
	}
}

// TestIsOfficial: news prose that names documents, or even quotes the
// motto, is no official document.
func TestIsOfficial(t *testing.T) {
	for _, s := range []string{
		"Ngày 16/3, UBND tỉnh ban hành Quyết định số 30/QĐ-UBND về việc công bố thủ tục hành chính.",
		"Phóng viên ghi nhận: Cộng hòa xã hội chủ nghĩa Việt Nam đã ký Hiệp định.\nSố: 12 người tham dự.",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nGIẤY MỜI\nTrân trọng kính mời.",
		"",
	} {
		if IsOfficial(s) {
			t.Errorf("IsOfficial(%q) = true", s)
		}
	}
	if _, ok := Read("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/QĐ-UBND\n"); !ok {
		t.Error("motto and number line: not read")
	}
}

// TestRelations: the registry's edges, a suspension included; the
// document's own symbol makes no edge.
func TestRelations(t *testing.T) {
	text := "CHÍNH PHỦ\nSố: 15/2026/NQ-CP\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày 14 tháng 3 năm 2026\nNGHỊ QUYẾT\n" +
		"Tạm ngưng hiệu lực Nghị định số 52/2025/NĐ-CP\nCăn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;\n" +
		"Căn cứ Nghị quyết số 15/2026/NQ-CP;\nChính phủ ban hành Nghị quyết.\nĐiều 1. Bãi bỏ Quyết định số 7/QĐ-TTg."
	d, ok := Read(text)
	if !ok {
		t.Fatal("not read")
	}
	var got []string
	for _, r := range d.Relations() {
		got = append(got, string(r.Kind)+" "+r.Symbol+" | "+r.Excerpt)
	}
	want := []string{
		"BASED_ON 63/2025/QH15 | Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;",
		"SUSPENDS 52/2025/NĐ-CP | Tạm ngưng hiệu lực Nghị định số 52/2025/NĐ-CP",
		"REPEALS 07/QĐ-TTg | Bãi bỏ Quyết định số 7/QĐ-TTg.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("relations %q, want %q", got, want)
	}
}
