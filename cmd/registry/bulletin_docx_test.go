package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wordFile zips a DOCX whose body is the given paragraphs, the first two
// lines of its header in a table; written here, no binary kept.
func wordFile(t *testing.T, header [2][]string, paras ...string) []byte {
	t.Helper()
	p := func(s string) string { return `<w:p><w:r><w:t xml:space="preserve">` + s + `</w:t></w:r></w:p>` }
	var body strings.Builder
	body.WriteString(`<w:tbl><w:tr>`)
	for _, cell := range header {
		body.WriteString(`<w:tc>`)
		for _, l := range cell {
			body.WriteString(p(l))
		}
		body.WriteString(`</w:tc>`)
	}
	body.WriteString(`</w:tr></w:tbl>`)
	for _, s := range paras {
		body.WriteString(p(s))
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportBulletinDOCX: `registry import-bulletin` reads a Word document
// by its content, whatever its name, as the official document it is; a
// file named .docx that is none, a zip that holds no document and a PDF
// are refused naming the rule, and the next file is read.
func TestImportBulletinDOCX(t *testing.T) {
	dir := t.TempDir()
	decision := wordFile(t, [2][]string{
		{"ỦY BAN NHÂN DÂN", "TỈNH BẮC LÂM", "Số: 31/QĐ-UBND"},
		{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Bắc Lâm, ngày 14 tháng 5 năm 2026"},
	},
		"QUYẾT ĐỊNH", "Về việc kiện toàn Tổ công tác cải cách thủ tục hành chính", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC LÂM",
		"Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ;", "QUYẾT ĐỊNH:",
		"Điều 1. Kiện toàn Tổ công tác.", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
		"CHỦ TỊCH", "Lâm Văn Đức")
	files := map[string][]byte{
		"quyet-dinh.docx": decision,
		"tai-lieu":        decision, // no extension: read by its content
		"gia.docx":        []byte("Ngày 5/3/2026, UBND tỉnh ban hành Kế hoạch số 47/KH-UBND."),
		"van-ban.pdf":     []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"),
	}
	var zb bytes.Buffer // a workbook, no document
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	zw.Close()
	files["bang.zip"] = zb.Bytes()
	var args []string
	for _, name := range []string{"gia.docx", "bang.zip", "van-ban.pdf", "quyet-dinh.docx", "tai-lieu"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	var out bytes.Buffer
	code := run(t.Context(), append([]string{"import-bulletin", "--dry-run", "--data", t.TempDir()}, args...), &out, &out)
	got := out.String()
	if code != 1 {
		t.Errorf("exit %d, want 1: three files refused\n%s", code, got)
	}
	for _, want := range []string{
		"quyet-dinh.docx: directive 31/QĐ-UBND issued 2026-05-14",
		"tai-lieu: directive 31/QĐ-UBND issued 2026-05-14",
		"signed by CHỦ TỊCH Lâm Văn Đức",
		"BASED_ON (căn cứ) 118/2025/NĐ-CP",
		"is named .docx but is not a zip archive",
		"is a zip archive without word/document.xml",
		"is a PDF",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "47/KH-UBND") {
		t.Errorf("a file named .docx that is none was read as text:\n%s", got)
	}
}
