package bulletin

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/vnregistry/registry/internal/registry"
)

// officialPage is what an official document published as HTML must read
// as: the fields its header, preamble and signature block state.
type officialPage struct {
	file, symbol, typ, date, issuer, summary string
	bases                                    []string
	signer                                   registry.Signer
}

// officialPages are documents as published in HTML, written for these
// tests: the header and signature block laid out in two-column tables, as
// portals, Word ("Save as Web Page") and document databases publish them.
var officialPages = []officialPage{
	{
		// One row a table, each cell's lines broken by <br>.
		file: "table_header.html", symbol: "12/2026/QĐ-UBND", typ: "QUYẾT ĐỊNH", date: "2026-03-05",
		issuer:  "ỦY BAN NHÂN DÂN TỈNH BẮC LÂM",
		summary: "Ban hành Quy định về tiếp nhận hồ sơ và trả kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích trên địa bàn tỉnh",
		bases:   []string{"118/2025/NĐ-CP", "45/2016/QĐ-TTg"},
		signer:  registry.Signer{Position: "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH, PHÓ CHỦ TỊCH", Name: "Đỗ Minh Khoa"},
	},
	{
		// Word's HTML: <p class=MsoNormal> in every cell, &nbsp;, <o:p>,
		// conditional comments; number and date in a second row.
		file: "word_saved.html", symbol: "08/2026/NQ-HĐND", typ: "NGHỊ QUYẾT", date: "2026-07-12",
		issuer:  "HỘI ĐỒNG NHÂN DÂN TỈNH BẮC LÂM",
		summary: "Quy định mức chi hỗ trợ công chức làm việc tại Bộ phận Một cửa các cấp trên địa bàn tỉnh Bắc Lâm",
		bases:   []string{"64/2025/QH15", "83/2015/QH13", "01/2018/TT-VPCP"},
		signer:  registry.Signer{Position: "CHỦ TỊCH", Name: "Hà Thị Lan Phương"},
	},
	{
		// A document database's page: site furniture around the text, the
		// header over two rows, the signer's row above the recipients'.
		file: "portal.html", symbol: "250/QĐ-UBND", typ: "QUYẾT ĐỊNH", date: "2026-01-20",
		issuer:  "ỦY BAN NHÂN DÂN TỈNH HÒA GIANG",
		summary: "VỀ VIỆC CÔNG BỐ DANH MỤC THỦ TỤC HÀNH CHÍNH ĐƯỢC SỬA ĐỔI, BỔ SUNG TRONG LĨNH VỰC HỘ TỊCH THUỘC PHẠM VI CHỨC NĂNG QUẢN LÝ CỦA SỞ TƯ PHÁP",
		bases:   []string{"63/2010/NĐ-CP", "92/2017/NĐ-CP", "02/2017/TT-VPCP"},
		signer:  registry.Signer{Position: "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH", Name: "Trần Quốc Bảo"},
	},
}

// TestOfficialHTML: an official document published as HTML reads as its
// plain text does, its header and signature tables cell by cell.
func TestOfficialHTML(t *testing.T) {
	for _, p := range officialPages {
		t.Run(p.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "official", p.file))
			if err != nil {
				t.Fatal(err)
			}
			if !IsHTML(string(b)) {
				t.Fatal("not recognised as HTML")
			}
			text, err := HTMLText(string(b))
			if err != nil {
				t.Fatal(err)
			}
			checkOfficial(t, text, p)
		})
	}
}

// checkOfficial checks that text reads as the one directive p describes.
func checkOfficial(t *testing.T, text string, p officialPage) {
	t.Helper()
	x := checkInvariants(t, text)
	if len(x.Directives) != 1 {
		t.Fatalf("%d directives, want the document alone; text:\n%s", len(x.Directives), text)
	}
	d := x.Directives[0]
	if d.Symbol.String() != p.symbol || d.TypeAsWritten != p.typ || string(d.IssuedOn) != p.date || d.IssuerAsWritten != p.issuer {
		t.Errorf("symbol %s, type %q, date %q, issuer %q; want %s, %q, %q, %q\ntext:\n%s",
			d.Symbol, d.TypeAsWritten, d.IssuedOn, d.IssuerAsWritten, p.symbol, p.typ, p.date, p.issuer, text)
	}
	if d.Summary != p.summary {
		t.Errorf("summary %q, want %q", d.Summary, p.summary)
	}
	var bases []string
	for _, r := range d.Relations {
		if r.Kind == registry.RelBasedOn {
			bases = append(bases, r.Symbol)
		}
	}
	if !slices.Equal(bases, p.bases) {
		t.Errorf("bases %q, want %q", bases, p.bases)
	}
	if d.Signer != p.signer {
		t.Errorf("signer %+v, want %+v", d.Signer, p.signer)
	}
}

// TestHTMLTables: a table of figures is a row a line, cells separated by
// " | ", however its cells wrap their text (Word puts a <p> in each, a
// heading may break with <br>); a table holding an official document's
// header lines is read cell by cell.
func TestHTMLTables(t *testing.T) {
	tests := []struct{ name, page, want string }{
		{"word figures", `<html><body><table class=MsoNormalTable>
<tr><td><p class=MsoNormal><b>Đơn vị<o:p></o:p></b></p></td><td><p class=MsoNormal><b>Tỷ lệ<o:p></o:p></b></p><p class=MsoNormal><b>đúng hạn (%)</b></p></td></tr>
<tr><td><p class=MsoNormal>Sở Tư pháp</p></td><td><p class=MsoNormal align=right>98,5</p></td></tr></table></body></html>`,
			"Đơn vị | Tỷ lệ đúng hạn (%)\nSở Tư pháp | 98,5"},
		{"wrapped heading", `<html><body><table><tr><th>Đơn vị</th><th>Số hồ sơ<br>đã giải quyết</th></tr>
<tr><td>Sở Xây dựng</td><td>612</td></tr></table></body></html>`,
			"Đơn vị | Số hồ sơ đã giải quyết\nSở Xây dựng | 612"},
		{"header", `<html><body><table><tr><td>BỘ NỘI VỤ<br>-------<br>Số: 21/2026/TT-BNV</td>
<td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</td></tr></table><p>THÔNG TƯ</p></body></html>`,
			"BỘ NỘI VỤ\n-------\nSố: 21/2026/TT-BNV\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nTHÔNG TƯ"},
	}
	for _, tt := range tests {
		if got, err := HTMLText(tt.page); err != nil || got != tt.want {
			t.Errorf("%s: HTMLText =\n%q, %v\nwant\n%q", tt.name, got, err, tt.want)
		}
	}
}

// TestHTMLEncodings: a page Word saved in its code page reads as the same
// text as in UTF-8 (windows-1252 with entities for what it lacks;
// windows-1258 with tone marks apart, composed again); a byte-order mark
// or an XML declaration before the page does not hide it.
func TestHTMLEncodings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "official", "word_saved.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(string(b), "charset=utf-8", "charset=windows-1252", 1)
	var cp1252 []byte
	for _, r := range page {
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			cp1252 = append(cp1252, c)
		} else {
			cp1252 = fmt.Appendf(cp1252, "&#%d;", r)
		}
	}
	text, err := HTMLText(HTMLBytes(cp1252))
	if err != nil {
		t.Fatal(err)
	}
	checkOfficial(t, text, officialPages[1])

	cp1258 := "<html><head><meta charset=\"windows-1258\"></head><body><p>QUY\xca\xecT \xd0I\xf2NH</p></body></html>"
	if got, err := HTMLText(HTMLBytes([]byte(cp1258))); err != nil || got != "QUYẾT ĐỊNH" {
		t.Errorf("windows-1258: %q, %v; want QUYẾT ĐỊNH, composed", got, err)
	}
	for _, page := range []string{"\uFEFF<html><head><title>Tin</title></head><body><p>Nội dung</p></body></html>",
		`<?xml version="1.0" encoding="utf-8"?>` + "\n<!DOCTYPE html><html><head><title>Tin</title></head><body><p>Nội dung</p></body></html>"} {
		if got, err := HTMLText(page); !IsHTML(page) || err != nil || got != "Nội dung" {
			t.Errorf("%.20q: IsHTML %v, HTMLText %q, %v; want the body's text", page, IsHTML(page), got, err)
		}
	}
}
