package transfer_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/transfer"
)

// readDirectives reads content (NDJSON, or CSV of directives when csv) and
// returns the directives, failing on any refused line.
func readDirectives(t *testing.T, content string, csv bool) []*registry.Directive {
	t.Helper()
	kind := transfer.Kind("")
	if csv {
		kind = transfer.Directive
	}
	rd := transfer.NewReader(strings.NewReader(content), "listing", kind, calendar.Default(), time.Now())
	var out []*registry.Directive
	for {
		line, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		if line.Err != nil {
			t.Fatalf("line %d refused: %v", line.Number, line.Err)
		}
		out = append(out, line.Record.(*registry.Directive))
	}
}

func findingCodes(d *registry.Directive) []registry.FindingCode {
	var codes []registry.FindingCode
	for _, f := range d.Findings {
		codes = append(codes, f.Code)
	}
	return codes
}

// TestImportWildSymbols: a listing's symbols written outside the grammar are
// stored, and the stored record's findings say what was irregular; an
// export read back gains no second copy of them.
func TestImportWildSymbols(t *testing.T) {
	ndjson := `{"kind":"directive","symbol":"1830 QĐ-UBND","issuedOn":"2020-05-04"}
{"kind":"directive","symbol":"12/BCĐ (CAT-PC02)","issuedOn":"2019-03-02"}
{"kind":"directive","symbol":"57-NQ/TW","issuedOn":"2024-12-22"}
{"kind":"directive","symbol":"468/QĐ-TTg","issuedOn":"2021-03-27"}
`
	ds := readDirectives(t, ndjson, false)
	want := []struct {
		symbol string
		codes  []registry.FindingCode
	}{
		{"1830/QĐ-UBND", []registry.FindingCode{registry.FindingSymbolCanonicalised}},
		{"12/BCĐ (CAT-PC02)", []registry.FindingCode{registry.FindingSymbolKeptAsWritten}},
		// Given as a directive, a Party document is one; the finding says whose.
		{"57-NQ/TW", []registry.FindingCode{registry.FindingPartyDocument}},
		{"468/QĐ-TTg", nil},
	}
	for i, w := range want {
		if got := ds[i].Symbol.String(); got != w.symbol || !slices.Equal(findingCodes(ds[i]), w.codes) {
			t.Errorf("line %d: %s with findings %v, want %s with %v", i+1, got, ds[i].Findings, w.symbol, w.codes)
		}
	}
	if f := ds[0].Findings; len(f) == 0 || !strings.Contains(f[0].Message, `"1830 QĐ-UBND"`) {
		t.Errorf("findings %v do not quote the symbol as written", f)
	}

	var out bytes.Buffer
	w, _ := transfer.NewWriter(&out, transfer.NDJSON, transfer.Directive)
	for _, d := range ds {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range readDirectives(t, out.String(), false) {
		if !slices.Equal(d.Findings, ds[i].Findings) {
			t.Errorf("%s read back from its export: findings %v, want %v", d.Symbol, d.Findings, ds[i].Findings)
		}
	}

	csv := "symbol,issuedOn\n157/TB_UBND,2018-06-01\n"
	if d := readDirectives(t, csv, true)[0]; d.Symbol.String() != "157/TB-UBND" ||
		!slices.Equal(findingCodes(d), []registry.FindingCode{registry.FindingSymbolCanonicalised}) {
		t.Errorf("CSV: %s with findings %v, want 157/TB-UBND, canonicalised", d.Symbol, d.Findings)
	}
}
