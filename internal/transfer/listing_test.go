package transfer_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/realmaterial"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

// readListing reads a listing and returns its lines, failing on an error
// reading the file at all.
func readListing(t *testing.T, content string, csv bool) []transfer.Line {
	t.Helper()
	rd := transfer.NewListingReader(strings.NewReader(content), "ds.txt", csv, calendar.Default(), importNow)
	var out []transfer.Line
	for {
		line, ok, err := rd.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, line)
	}
}

// listed is the one directive a listing holds.
func listed(t *testing.T, content string, csv bool) *registry.Directive {
	t.Helper()
	lines := readListing(t, content, csv)
	if len(lines) != 1 || lines[0].Err != nil {
		t.Fatalf("want one directive, got %+v", lines)
	}
	return lines[0].Record.(*registry.Directive)
}

// TestListingMapsFields: each field of a gazette listing row lands in its
// directive field, in NDJSON and in CSV under Vietnamese column names.
func TestListingMapsFields(t *testing.T) {
	ndjson := `{"row": 7, "symbol": "215/QĐ-UBND", "date": "2025-03-14", "effective": "2025-04-01", "expires": "2027-12-31",` +
		` "issuer": "UBND Tỉnh", "type": "Quyết định của Chủ tịch UBND tỉnh", "signer": "Phó Chủ tịch UBND Trần Văn Bảo",` +
		` "summary": "Ban hành quy chế phối hợp quản lý chợ đêm", "status": "Đang hiệu lực", "gazette_no": null,` +
		` "url": "https://congbao.example.gov.vn/vb/215"}`
	csv := "Số ký hiệu,Ngày ban hành,Ngày hiệu lực,Ngày hết hiệu lực,Cơ quan ban hành,Loại văn bản,Người ký,Trích yếu,Tình trạng,Đường dẫn\n" +
		"215/QĐ-UBND,14/03/2025,01/04/2025,31/12/2027,UBND Tỉnh,Quyết định của Chủ tịch UBND tỉnh,Phó Chủ tịch UBND Trần Văn Bảo," +
		"Ban hành quy chế phối hợp quản lý chợ đêm,Đang hiệu lực,https://congbao.example.gov.vn/vb/215\n"
	for _, tc := range []struct {
		name    string
		content string
		csv     bool
	}{{"ndjson", ndjson, false}, {"csv", csv, true}} {
		t.Run(tc.name, func(t *testing.T) {
			d := listed(t, tc.content, tc.csv)
			got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", d.Symbol, d.IssuerCode, d.IssuerName, d.IssuerAsWritten,
				d.IssuedOn, d.EffectiveFrom, d.EffectiveTo, d.Signer.Position, d.Signer.Name, d.Summary, d.Validity)
			want := "215/QĐ-UBND|UBND|UBND Tỉnh|UBND Tỉnh|2025-03-14|2025-04-01|2027-12-31|Phó Chủ tịch UBND|Trần Văn Bảo|" +
				"Ban hành quy chế phối hợp quản lý chợ đêm|IN_FORCE"
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if len(d.Findings) != 0 {
				t.Errorf("findings %v, want none", d.Findings)
			}
			if d.Provenance.Source != "import ds.txt:1" && d.Provenance.Source != "import ds.txt:2" {
				t.Errorf("provenance source %q, want the file and line", d.Provenance.Source)
			}
			for _, s := range []string{"url: https://congbao.example.gov.vn/vb/215", "type: Quyết định của Chủ tịch UBND tỉnh", "status: Đang hiệu lực"} {
				if !strings.Contains(d.Provenance.Excerpt, s) {
					t.Errorf("provenance excerpt %q lacks %q", d.Provenance.Excerpt, s)
				}
			}
			if !strings.Contains(d.Search, "tran van bao") || !strings.Contains(d.Search, "ubnd tinh") {
				t.Errorf("search text %q lacks the signer or the issuer as written", d.Search)
			}
		})
	}
}

// TestListingStatuses: every status listings print maps to a validity; an
// empty one is not stated, an unknown one is UNKNOWN with a finding.
func TestListingStatuses(t *testing.T) {
	for status, want := range map[string]registry.Validity{
		"Đang hiệu lực":            registry.ValidityInForce,
		"Văn bản đang có hiệu lực": registry.ValidityInForce,
		"Còn hiệu lực":             registry.ValidityInForce,
		"Hết hiệu lực toàn bộ":     registry.ValidityExpired,
		"Văn bản hết hiệu lực":     registry.ValidityExpired,
		"Hết hiệu lực một phần":    registry.ValidityPartiallyExpired,
		"Chưa có hiệu lực":         registry.ValidityNotYetInForce,
		"Ngưng hiệu lực":           registry.ValiditySuspended,
		"NGƯNG HIỆU LỰC":           registry.ValiditySuspended,
		"SUSPENDED":                registry.ValiditySuspended,
		"":                         registry.ValidityUnknown,
		"Đang chờ xem xét":         registry.ValidityUnknown,
	} {
		d := listed(t, fmt.Sprintf(`{"symbol": "9/KH-UBND", "date": "2024-01-05", "summary": "Kế hoạch", "status": %q}`, status), false)
		unrecognised := slices.ContainsFunc(d.Findings, func(f registry.Finding) bool { return f.Code == registry.FindingValidityUnrecognised })
		if d.Validity != want || unrecognised != (status == "Đang chờ xem xét") {
			t.Errorf("status %q: %s with findings %v, want %s (a finding only for the unknown status)", status, d.Validity, d.Findings, want)
		}
	}
}

// TestListingFindings: what a row states against its symbol or leaves
// out is stored with the directive as findings.
func TestListingFindings(t *testing.T) {
	for _, tc := range []struct {
		name, row string
		codes     []registry.FindingCode
		check     func(*registry.Directive) string
		want      string // what check gives
	}{
		{"type disagrees", `{"symbol": "31/NQ-HĐND", "date": "2025-07-02", "summary": "S", "type": "Quyết định của HĐND tỉnh"}`,
			[]registry.FindingCode{registry.FindingTypeDisagreesWithSymbol}, nil, ""},
		{"type agrees, long name first", `{"symbol": "4/2025/TTLT-BTP-BNV", "date": "2025-07-02", "summary": "S", "type": "Thông tư liên tịch"}`,
			nil, nil, ""},
		{"official letter", `{"symbol": "88/UBND-KT", "date": "2025-07-02", "summary": "S", "type": "Công văn"}`, nil, nil, ""},
		{"issuer disagrees", `{"symbol": "31/NQ-HĐND", "date": "2025-07-02", "summary": "S", "issuer": "UBND Tỉnh"}`,
			[]registry.FindingCode{registry.FindingIssuerDisagreesWithSymbol}, nil, ""},
		{"effective before issue", `{"symbol": "77/QĐ-UBND", "date": "2025-07-09", "effective": "2025-07-01", "summary": "S"}`,
			[]registry.FindingCode{registry.FindingEffectiveBeforeIssued}, nil, ""},
		{"no date, no summary", `{"symbol": "77/QĐ-UBND"}`,
			[]registry.FindingCode{registry.FindingDateUndetermined, registry.FindingSummaryUndetermined}, nil, ""},
		{"date_raw when no date", `{"symbol": "77/QĐ-UBND", "date": null, "date_raw": "9/7/2025", "summary": "S"}`, nil,
			func(d *registry.Directive) string { return string(d.IssuedOn) + " " + fmt.Sprint(d.Year) }, "2025-07-09 2025"},
		{"date before date_raw", `{"symbol": "77/QĐ-UBND", "date": "2025-07-10", "date_raw": "9/7/2025", "summary": "S"}`, nil,
			func(d *registry.Directive) string { return string(d.IssuedOn) }, "2025-07-10"},
		{"signer without a name", `{"symbol": "77/QĐ-UBND", "date": "2025-07-10", "summary": "S", "signer": "Chủ tịch UBND"}`,
			[]registry.FindingCode{registry.FindingSignerUndetermined}, signer, "Chủ tịch UBND|"},
		{"signer, title with a place", `{"symbol": "77/QĐ-UBND", "date": "2025-07-10", "summary": "S", "signer": "Phó Chủ tịch Thường trực UBND Tỉnh Lê Thị Mai"}`,
			nil, signer, "Phó Chủ tịch Thường trực UBND Tỉnh|Lê Thị Mai"},
		{"signer, name only", `{"symbol": "77/QĐ-UBND", "date": "2025-07-10", "summary": "S", "signer": "Đinh Công A"}`,
			nil, signer, "|Đinh Công A"},
	} {
		d := listed(t, tc.row, false)
		var codes []registry.FindingCode
		for _, f := range d.Findings {
			codes = append(codes, f.Code)
		}
		if !slices.Equal(codes, tc.codes) {
			t.Errorf("%s: findings %v, want %v", tc.name, d.Findings, tc.codes)
		}
		if tc.check != nil && tc.check(d) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.check(d), tc.want)
		}
	}
}

func signer(d *registry.Directive) string { return d.Signer.Position + "|" + d.Signer.Name }

// badListing holds good rows and bad ones, each bad one for one reason.
const badListing = `{"symbol": "12/QĐ-UBND", "date": "2025-02-03", "issuer": "UBND Tỉnh", "summary": "Phê duyệt danh mục dự án", "status": "Đang hiệu lực"}
{"symbol": "13/QĐ-UBND", "date": "2025-02-30", "summary": "Ngày không có"}
{"symbol": "", "date": "2025-02-03", "summary": "Không số hiệu"}
{"symbol": "Về việc", "date": "2025-02-03", "summary": "Không phải số hiệu"}
{"symbol": "14/2024/QĐ-UBND", "date": "2025-02-03", "summary": "Năm khác"}
{"symbol": "15/QĐ-UBND", "date": "2025-02-03", "effective": "2025-03-01", "expires": "2025-02-01", "summary": "Hết trước khi có"}
{"symbol": "16/QĐ-UBND", "date": "2025-02-03", "summary": "Quá dài: ` + "%s" + `"}
{"symbol": "17/QĐ-UBND", "date": "2025-02-03", "noi_dung": "Cột lạ"}
{"symbol": "18/QĐ-UBND", "date": {"y": 2025}}
{"symbol": "19/QĐ-UBND", "date": "2025-02-03", "ngay_ban_hanh": "2025-02-04"}
not json
{"symbol": "21/NQ-HĐND", "date": "2025-02-03", "issuer": "HĐND xã Bản Lầu", "summary": "Nghị quyết của xã thứ nhất"}
{"symbol": "21/NQ-HĐND", "date": "2025-02-05", "issuer": "HĐND xã Nà Hẩu", "summary": "Nghị quyết của xã thứ hai"}
{"symbol": "12/QĐ-UBND", "date": "2025-02-03", "issuer": "UBND Tỉnh", "summary": "Phê duyệt danh mục dự án (đăng lại)"}
{"symbol": "22/KH-UBND", "date_raw": "03/02/2025", "summary": "Kế hoạch", "status": "Văn bản đang có hiệu lực"}
`

// TestListingImportRefusesBadRows: through registry import --listing, a
// bad row is refused with its line, the field as the file names it and
// the rule; the good rows are stored and nothing of the bad ones; a second
// import changes nothing.
func TestListingImportRefusesBadRows(t *testing.T) {
	st := storetest.Open(t)
	path := writeFile(t, filepath.Join(t.TempDir(), "congbao.ndjson"), fmt.Sprintf(badListing, strings.Repeat("chữ ", 530)))
	want := []string{
		`congbao.ndjson:2: date: "2025-02-30" is not a date`,
		`congbao.ndjson:3: symbol: is empty`,
		`congbao.ndjson:4: symbol:`,
		`congbao.ndjson:5: date: year 2025 disagrees with the year 2024 in the symbol`,
		`congbao.ndjson:6: expires: must not be before effectiveFrom`,
		`congbao.ndjson:7: summary: must be at most`,
		`congbao.ndjson:8: noi_dung: is not a listing field`,
		`congbao.ndjson:9: date: must be text, a number or null`,
		`congbao.ndjson:10: ngay_ban_hanh: is the field date again`,
		`congbao.ndjson:11: not a JSON object`,
	}
	for round, stored := range []int{4, 0} {
		sum, refused, err := listingImport(t, st, path)
		if err != nil {
			t.Fatal(err)
		}
		byLine(refused)
		if len(refused) != len(want) {
			t.Fatalf("round %d: refused %v, want %d lines", round+1, refused, len(want))
		}
		for i, r := range refused {
			if got := fmt.Sprintf("%s:%d: %v", filepath.Base(r.file), r.line, r.err); !strings.HasPrefix(got, want[i]) {
				t.Errorf("round %d: refused %q, want it to begin %q", round+1, got, want[i])
			}
		}
		// Line 14 repeats line 1: already present, the first time too.
		if wantSum := (transfer.Summary{Lines: 15, Inserted: stored, Existing: 5 - stored, Refused: 10}); sum != wantSum {
			t.Errorf("round %d: %v, want %v", round+1, sum, wantSum)
		}
	}
	var got []string
	if err := st.EachDirective(storetest.Context(t), registry.DirectiveFilter{}, func(d *registry.Directive) error {
		got = append(got, fmt.Sprintf("%s %s %s", d.Symbol, d.IssuedOn, d.Provenance.Source))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	// Each commune council's 21/NQ-HĐND is its own.
	wantStored := []string{"12/QĐ-UBND 2025-02-03 import congbao.ndjson:1", "21/NQ-HĐND 2025-02-03 import congbao.ndjson:12",
		"21/NQ-HĐND 2025-02-05 import congbao.ndjson:13", "22/KH-UBND 2025-02-03 import congbao.ndjson:15"}
	if !slices.Equal(got, wantStored) {
		t.Errorf("stored %q, want %q", got, wantStored)
	}
}

// TestListingCSVHeader: a CSV listing's header must name listing fields,
// each once, one of them the symbol; otherwise the file is not read.
func TestListingCSVHeader(t *testing.T) {
	for header, want := range map[string]string{
		"so_ky_hieu,ngay_ban_hanh,ghi_chu":      `ghi_chu: is not a listing field`,
		"trich_yeu,ngay_ban_hanh":               `symbol: no column holds the symbol`,
		"Số ký hiệu,so_ky_hieu":                 `so_ky_hieu: is the field symbol again, already given as "Số ký hiệu"`,
		"symbol,,date":                          `header: column 2 has no name`,
		"symbol,date,effective_from,tinh_trang": ``,
	} {
		rd := transfer.NewListingReader(strings.NewReader(header+"\n5/CT-UBND,2024-04-02,2024-04-02,Còn hiệu lực\n"), "ds.csv", true, cal, importNow)
		line, _, err := rd.Next()
		switch {
		case want == "" && (err != nil || line.Err != nil):
			t.Errorf("header %q: %v %v, want the row read", header, err, line.Err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), "ds.csv: line 1, the header: "+want)):
			t.Errorf("header %q: error %v, want one saying %q", header, err, want)
		}
	}
}

func listingImport(t *testing.T, st *gateway.Registry, files ...string) (transfer.Summary, []refusal, error) {
	t.Helper()
	var got []refusal
	sum, err := transfer.Import(storetest.Context(t), st, files, transfer.Options{
		Calendar: st.Calendar(), Now: importNow, Listing: true,
		Refused: func(file string, line int, err error) { got = append(got, refusal{file, line, err}) },
	})
	return sum, got, err
}

// TestImportRealListings imports the two real listings (a provincial
// gazette's, a province's steering documents) and reports what became of
// every row: stored, already present (a row repeating an earlier one), or
// refused, by reason.
func TestImportRealListings(t *testing.T) {
	files := []string{realmaterial.File(t, "symbols_sonla_congbao.ndjson"), realmaterial.File(t, "symbols_binhduong_vbcddh.ndjson")}
	st := storetest.Open(t)
	sum, refused, err := listingImport(t, st, files...)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string][]string{}
	for _, r := range refused {
		reason := refusalReason(r.err)
		reasons[reason] = append(reasons[reason], fmt.Sprintf("%s:%d", filepath.Base(r.file), r.line))
	}
	t.Logf("%d rows: %d stored, %d already present (repeating an earlier row), %d refused", sum.Lines, sum.Inserted, sum.Existing, sum.Refused)
	for _, reason := range slices.Sorted(maps.Keys(reasons)) {
		t.Logf("  refused, %s: %d (%s)", reason, len(reasons[reason]), strings.Join(reasons[reason], " "))
	}
	if sum.Lines != 367+673 || sum.Inserted+sum.Existing+sum.Refused != sum.Lines {
		t.Errorf("%v: want each of the 1,040 rows stored, present or refused", sum)
	}
	again, _, err := listingImport(t, st, files...)
	if err != nil || again.Inserted != 0 || again.Existing != sum.Inserted+sum.Existing || again.Refused != sum.Refused {
		t.Errorf("second import: %v, %v; want nothing new, %d present, %d refused", again, err, sum.Inserted+sum.Existing, sum.Refused)
	}
	checkStored(t, st, files)
	known := map[string]bool{
		"symbol: empty":             true, // three rows of the steering list have none
		"symbol: unreadable symbol": true, // the strict check below says
	}
	for reason := range reasons {
		if !known[reason] {
			t.Errorf("rows refused for a reason not accounted for: %s: %v", reason, reasons[reason])
		}
	}
	// STRICT (issue 21, "Done when"): none refused for its symbol.
	if n := len(reasons["symbol: unreadable symbol"]); n > 0 {
		t.Errorf("STRICT: %d rows refused for their symbol: %v", n, reasons["symbol: unreadable symbol"])
	}
}

// checkStored: a row counted as already present repeats an earlier row
// of the same body, never another body's directive of the same number
// (the four bodies' 21/NQ-HĐND of 2026 in the gazette are four records).
// It reports the findings stored, and how many signers were split.
func checkStored(t *testing.T, st *gateway.Registry, files []string) {
	t.Helper()
	stored := map[string]*registry.Directive{}
	councils := map[string]bool{}
	findings := map[registry.FindingCode]int{}
	named := 0
	if err := st.EachDirective(storetest.Context(t), registry.DirectiveFilter{}, func(d *registry.Directive) error {
		stored[d.Key] = d
		if d.Symbol.String() == "21/NQ-HĐND" && d.Year == 2026 {
			councils[d.IssuerAsWritten] = true
		}
		for _, f := range d.Findings {
			findings[f.Code]++
		}
		if d.Signer.Name != "" {
			named++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("  signers split into title and name: %d; findings stored: %v", named, findings)
	if len(councils) != 4 {
		t.Errorf("21/NQ-HĐND of 2026 stored for %v, want the four councils that issued one", slices.Sorted(maps.Keys(councils)))
	}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rd := transfer.NewListingReader(strings.NewReader(string(content)), filepath.Base(file), false, cal, importNow)
		for line, ok, err := rd.Next(); ok || err != nil; line, ok, err = rd.Next() {
			if err != nil {
				t.Fatal(err)
			}
			if line.Err != nil {
				continue
			}
			d := line.Record.(*registry.Directive)
			first, found := stored[d.Key]
			switch {
			case !found:
				t.Errorf("%s:%d: %s neither stored nor refused", filepath.Base(file), line.Number, d.Symbol)
			case first.Provenance.Source == d.Provenance.Source:
			case fold.String(first.IssuerAsWritten) != fold.String(d.IssuerAsWritten):
				t.Errorf("%s:%d: %s of %q taken for %s's, of %q", filepath.Base(file), line.Number, d.Symbol, d.IssuerAsWritten,
					first.Provenance.Source, first.IssuerAsWritten)
			default:
				t.Logf("  already present: %s:%d, %s, repeats %s", filepath.Base(file), line.Number, d.Symbol, first.Provenance.Source)
			}
		}
	}
}

// refusalReason classes a refusal by field and rule.
func refusalReason(err error) string {
	e, ok := errors.AsType[*registry.Error](err)
	switch {
	case !ok:
		return "other: " + err.Error()
	case e.Field == "symbol" && strings.HasPrefix(e.Message, "is empty"):
		return "symbol: empty"
	case e.Field == "symbol":
		return "symbol: unreadable symbol"
	case e.Code == registry.CodeConflict && e.Field == "issuer":
		return "issuer: another body's"
	}
	return e.Field + ": " + e.Message
}
