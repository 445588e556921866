package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportBulletinFiles: `registry import-bulletin` reads several files in
// one run, a page saved from a browser as the text its reader sees, and
// prints each directive with its signer and relations, each report with its
// period; importing again stores nothing twice.
func TestImportBulletinFiles(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "tin.html")
	text := filepath.Join(dir, "tin.txt")
	if err := os.WriteFile(page, []byte(`<!DOCTYPE html><html><head><script>var x = "99/QĐ-UBND";</script></head><body>
<ul class="menu"><li>Trang chủ</li><li>Quyết định số 98/QĐ-UBND</li></ul>
<article><p>Ngày 9/4/2021, UBND tỉnh ban hành Kế hoạch số 63/KH-UBND triển khai Quyết định số 468/QĐ-TTg.
Kế hoạch do Phó Chủ tịch Nguyễn Văn Hùng ký.</p></article></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(text, []byte("Quý I/2021, Sở Tư pháp giải quyết 1.200 hồ sơ, trong đó trước hạn 900 hồ sơ, đúng hạn 300 hồ sơ.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"import-bulletin", "--data", data, page, text}, &out, &out); code != 0 {
		t.Fatalf("import-bulletin: exit %d\n%s", code, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"tin.html: directive 63/KH-UBND issued 2021-04-09 [stored]",
		"signed by Phó Chủ tịch Nguyễn Văn Hùng",
		"IMPLEMENTS (triển khai) 468/QĐ-TTg",
		"tin.txt: report 2021-Q1, Sở Tư pháp [stored]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "99/QĐ-UBND") || strings.Contains(got, "98/QĐ-UBND") {
		t.Errorf("the page's script or menu was read:\n%s", got)
	}
	out.Reset()
	if code := run(t.Context(), []string{"import-bulletin", "--data", data, page, text}, &out, &out); code != 0 || strings.Contains(out.String(), "[stored]") {
		t.Errorf("importing again: exit %d, want nothing stored twice\n%s", code, out.String())
	}
}
