package bulletin

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

// The DOCX files of these tests are built here from WordprocessingML we
// write, zipped in memory: no binary is kept in the repository.

const docxHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
 xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"><w:body>`

const docxTail = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`

// docx zips parts (name to content) as Word would, with its content types
// and relationships.
func docx(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	all := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
	}
	for k, v := range parts {
		all[k] = v
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "xl/workbook.xml"} {
		body, ok := all[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// document is a DOCX whose body is the given WordprocessingML.
func document(t *testing.T, body ...string) []byte {
	return docx(t, map[string]string{"word/document.xml": docxHead + strings.Join(body, "") + docxTail})
}

// wp is a paragraph of text as Word writes it: a run for each piece, a tab
// for "\t", a line break for "\n", the piece bold as headings are.
func wp(text string) string {
	var b strings.Builder
	b.WriteString(`<w:p><w:pPr><w:jc w:val="center"/><w:tabs><w:tab w:val="center" w:pos="7000"/></w:tabs></w:pPr>`)
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString(`<w:r><w:br/></w:r>`)
		}
		for j, piece := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString(`<w:r><w:tab/></w:r>`)
			}
			b.WriteString(`<w:r><w:rPr><w:b/><w:sz w:val="26"/></w:rPr><w:t xml:space="preserve">` + piece + `</w:t></w:r>`)
		}
	}
	b.WriteString(`</w:p>`)
	return b.String()
}

// wtable is a table whose rows are cells of paragraphs.
func wtable(rows ...[][]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid><w:gridCol w:w="3800"/><w:gridCol w:w="5600"/></w:tblGrid>`)
	for _, row := range rows {
		b.WriteString(`<w:tr>`)
		for _, cell := range row {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="3800" w:type="dxa"/></w:tcPr>`)
			for _, p := range cell {
				b.WriteString(wp(p))
			}
			b.WriteString(`</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	return b.String()
}

// TestDOCXText: paragraphs are lines, a line break a new line, a tab a
// column gap; deleted text, field codes and a text box's fallback copy are
// not read; a table of figures is read row by row.
func TestDOCXText(t *testing.T) {
	b := document(t,
		`<w:p><w:r><w:t xml:space="preserve">Ngày 5/3/2026, UBND tỉnh ban hành </w:t></w:r>`+
			`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.vn/47" </w:instrText></w:r>`+
			`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Kế hoạch số 47/KH-</w:t></w:r><w:r><w:t>UBND</w:t></w:r>`+
			`<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> về cải cách hành chính.</w:t></w:r></w:p>`,
		wp("Dòng một\ndòng hai"),
		wp("Số:\t12/2026/QĐ-UBND"),
		`<w:p><w:r><w:t>Ghi chú</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>`+
			`<w:p><w:r><w:t>DỰ THẢO</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>`+
			`<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>DỰ THẢO</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>`+
			`</mc:AlternateContent></w:r></w:p>`,
		`<w:p><w:r><w:t xml:space="preserve">Thay thế </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>Quyết định số 99/QĐ-UBND và </w:delText><w:tab/></w:r></w:del>`+
			`<w:r><w:t>văn bản cũ</w:t></w:r><w:r><w:noBreakHyphen/><w:t>nay.</w:t></w:r></w:p>`,
		wtable([][]string{{"Đơn vị"}, {"Tỷ lệ", "đúng hạn (%)"}}, [][]string{{"Sở Tư pháp"}, {"98,5"}}),
	)
	want := "Ngày 5/3/2026, UBND tỉnh ban hành Kế hoạch số 47/KH-UBND về cải cách hành chính.\n" +
		"Dòng một\ndòng hai\n" +
		"Số:    12/2026/QĐ-UBND\n" +
		"Ghi chú\nDỰ THẢO\n" +
		"Thay thế văn bản cũ-nay.\n" +
		"Đơn vị | Tỷ lệ đúng hạn (%)\nSở Tư pháp | 98,5"
	if got, err := DOCXText(b); err != nil || got != want {
		t.Errorf("DOCXText =\n%q, %v\nwant\n%q", got, err, want)
	}
}

// docxDecision is an official decision as Word lays it out: the header
// and the signature block in tables, the signer's lines broken in one
// paragraph, the number split over runs.
func docxDecision(header string) []string {
	return []string{
		header,
		wp("QUYẾT ĐỊNH"),
		wp("Về việc ban hành Quy chế làm việc của Bộ phận"),
		wp("tiếp nhận và trả kết quả thủ tục hành chính"),
		wp("GIÁM ĐỐC SỞ NỘI VỤ TỈNH BẮC LÂM"),
		wp("Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông;"),
		wp("Căn cứ Quyết định số 20/2025/QĐ-UBND ngày 10 tháng 3 năm 2025 của Ủy ban nhân dân tỉnh quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Nội vụ;"),
		wp("Theo đề nghị của Chánh Văn phòng Sở."),
		wp("QUYẾT ĐỊNH:"),
		wp("Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Bộ phận tiếp nhận và trả kết quả."),
		`<w:p><w:r><w:t xml:space="preserve">Điều 2. Quyết định này có hiệu lực kể từ ngày ký</w:t></w:r>` +
			`<w:del w:id="2" w:author="B"><w:r><w:delText xml:space="preserve"> và thay thế Quyết định số 99/QĐ-SNV</w:delText></w:r></w:del><w:r><w:t>.</w:t></w:r></w:p>`,
		wtable([][]string{
			{"Nơi nhận:", "- Như Điều 2;", "- UBND tỉnh (b/c);", "- Lưu: VT, VP."},
			{"KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\n\n\nVũ Thị Thanh Hà"},
		}),
	}
}

var docxDecisionPage = officialPage{
	symbol: "15/QĐ-SNV", typ: "QUYẾT ĐỊNH", date: "2026-04-02", issuer: "SỞ NỘI VỤ",
	summary: "Về việc ban hành Quy chế làm việc của Bộ phận tiếp nhận và trả kết quả thủ tục hành chính",
	bases:   []string{"118/2025/NĐ-CP", "20/2025/QĐ-UBND"},
	signer:  registry.Signer{Position: "KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC", Name: "Vũ Thị Thanh Hà"},
}

// TestDOCXOfficial: an official document in DOCX reads as its plain text
// does, whether its header is a table or laid out with tabs.
func TestDOCXOfficial(t *testing.T) {
	headers := map[string]string{
		"table": wtable(
			[][]string{{"UBND TỈNH BẮC LÂM", "SỞ NỘI VỤ", "_______"}, {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "_______________"}},
			[][]string{{"Số: 15/QĐ-SNV"}, {"Bắc Lâm, ngày 02 tháng 4 năm 2026"}},
		),
		"tabs": wp("UBND TỈNH BẮC LÂM\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + wp("SỞ NỘI VỤ\t\tĐộc lập - Tự do - Hạnh phúc") +
			`<w:p><w:r><w:t xml:space="preserve">Số: </w:t></w:r><w:r><w:t>15/QĐ-</w:t></w:r><w:r><w:t>SNV</w:t></w:r>` +
			`<w:r><w:tab/></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>Bắc Lâm, ngày 02 tháng 4 năm 2026</w:t></w:r></w:p>`,
	}
	for name, header := range headers {
		t.Run(name, func(t *testing.T) {
			text, err := DOCXText(document(t, docxDecision(header)...))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text, "99/QĐ-SNV") {
				t.Errorf("deleted text read:\n%s", text)
			}
			checkOfficial(t, text, docxDecisionPage)
		})
	}
}

// rawZip zips one part as given, its sizes as stated: what a zip bomb or a
// damaged archive holds.
func rawZip(t *testing.T, name string, content []byte, statedSize uint64) []byte {
	t.Helper()
	var packed bytes.Buffer
	fw, err := flate.NewWriter(&packed, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content),
		CompressedSize64: uint64(packed.Len()), UncompressedSize64: statedSize})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(packed.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDOCXRefused: what is not a DOCX, or would unpack past the bound, is
// refused on "file" naming the rule, and nothing past the bound is read.
func TestDOCXRefused(t *testing.T) {
	bomb := []byte(docxHead + strings.Repeat(wp("Căn cứ"), 4000) + docxTail) // 1 MB, packing to a few kB
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"text", []byte("Ngày 5/3/2026, UBND tỉnh ban hành Kế hoạch số 47/KH-UBND."), "not a readable zip archive"},
		{"workbook", docx(t, map[string]string{"xl/workbook.xml": "<workbook/>"}), "without word/document.xml"},
		{"stated too large", rawZip(t, "word/document.xml", bomb, 1<<40), "unpacks to more than 33554432 bytes"},
		{"unpacking past its stated size", rawZip(t, "word/document.xml", bomb, 4096), "cannot be unpacked"},
		{"not XML", document(t, `<w:p><w:r><w:t>Số: 1</w:p>`), "not well-formed XML"},
		{"nested tables", document(t, strings.Repeat(`<w:tbl><w:tr><w:tc>`, 65)+wp("ô")+strings.Repeat(`</w:tc></w:tr></w:tbl>`, 65)), "more than 64 deep"},
	}
	for _, tt := range tests {
		text, err := DOCXText(tt.file)
		e, ok := errors.AsType[*registry.Error](err)
		if !ok || e.Code != registry.CodeBadUserInput || e.Field != "file" || !strings.Contains(e.Message, tt.want) || text != "" {
			t.Errorf("%s: DOCXText = %.60q, %v; want BAD_USER_INPUT on file, %q", tt.name, text, err, tt.want)
		}
	}
	if text, err := DOCXText(rawZip(t, "word/document.xml", bomb, uint64(len(bomb)))); err != nil || !strings.HasPrefix(text, "Căn cứ\nCăn cứ") {
		t.Errorf("the same part, its size stated: %.40q, %v", text, err)
	}
}

// FuzzDOCXDocument: any document.xml is read, as lines neither empty nor
// padded, or refused; never a panic.
func FuzzDOCXDocument(f *testing.F) {
	f.Add(docxHead + wp("Số:\t12/2026/QĐ-UBND\nHà Nội") + wtable([][]string{{"Nơi nhận:"}, {"KT. CHỦ TỊCH"}}) + docxTail)
	f.Add(docxHead + `<w:tc><w:p><w:r><w:t>ô</w:t></w:r></w:p></w:tc><w:tbl><w:tc/></w:tbl>` + docxTail)
	f.Fuzz(func(t *testing.T, xml string) {
		text, err := DOCXText(docx(t, map[string]string{"word/document.xml": xml}))
		if err != nil || text == "" {
			return
		}
		for l := range strings.SplitSeq(text, "\n") {
			if l == "" || l != strings.TrimSpace(l) {
				t.Fatalf("line %q in %q", l, text)
			}
		}
	})
}
