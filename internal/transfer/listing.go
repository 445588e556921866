package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	textunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

// A gazette listing is directive metadata as provincial gazettes (công báo)
// and document portals publish it: one row a directive, with its symbol,
// date, issuer and type as written, signer, summary, status and dates of
// effect. Each row becomes a directive line and goes the directive kind's
// way (decode), so it meets the same rules as any directive imported.

// listingFields are a listing's fields: the name the table in docs/reading-documents.md gives
// each, then the other names a file may use (compared folded, without
// separators, so "Số ký hiệu", "so_ky_hieu" and "SoKyHieu" are one).
var listingFields = [][]string{
	{"symbol", "so_ky_hieu", "so_hieu", "ky_hieu"},
	{"date", "issued_on", "ngay_ban_hanh"},
	{"date_raw"},
	{"issuer", "issuer_name", "co_quan_ban_hanh", "noi_ban_hanh"},
	{"type", "loai_van_ban"},
	{"signer", "nguoi_ky"},
	{"summary", "trich_yeu"},
	{"status", "validity", "tinh_trang", "tinh_trang_hieu_luc", "hieu_luc"},
	{"effective", "effective_from", "ngay_hieu_luc", "ngay_co_hieu_luc"},
	{"expires", "effective_to", "ngay_het_hieu_luc"},
	{"url", "link", "duong_dan"},
	{"gazette_no", "so_cong_bao"},
	{"attachment", "tep_dinh_kem"},
	// A position in the source's dump: the line number says where.
	{"row", "stt"},
}

// listingNames maps every accepted name, as listingKey makes it, to the
// field's name.
var listingNames = func() map[string]string {
	m := map[string]string{}
	for _, names := range listingFields {
		for _, n := range names {
			m[listingKey(n)] = names[0]
		}
	}
	return m
}()

// listingKey is name folded, letters and digits only.
func listingKey(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, fold.String(name))
}

func listingFieldList() string {
	var names []string
	for _, f := range listingFields {
		names = append(names, f[0])
	}
	return strings.Join(names, ", ")
}

// listingRow is one row: each field's text, and the name the file gave it.
type listingRow struct {
	text   map[string]string
	column map[string]string
}

func newListingRow() listingRow {
	return listingRow{text: map[string]string{}, column: map[string]string{}}
}

// get is field's text, "" when the row does not give it.
func (r listingRow) get(field string) string { return r.text[field] }

// col is the name the file gave field, for messages: what the user wrote.
func (r listingRow) col(field string) string {
	if c, ok := r.column[field]; ok {
		return c
	}
	return field
}

// listingField names the field a column holds.
func listingField(column string) (string, error) {
	f, ok := listingNames[listingKey(column)]
	if !ok {
		return "", registry.Invalid(column, "is not a listing field: the fields are %s (see docs/reading-documents.md, Gazette listings)", listingFieldList())
	}
	return f, nil
}

// set gives the field column names its value, once.
func (r listingRow) set(column, value string) error {
	f, err := listingField(column)
	if err != nil {
		return err
	}
	if prev, dup := r.column[f]; dup {
		return registry.Invalid(column, "is the field %s again, already given as %q", f, prev)
	}
	r.column[f], r.text[f] = column, strings.TrimSpace(value)
	return nil
}

// listing reads one file's rows.
type listing struct {
	file string
	cal  *calendar.Calendar
	now  time.Time
}

// NewListingReader reads a gazette listing from in: NDJSON (an object a
// line) or, when csv, CSV whose header names the fields. Fields go by the
// names in listingFields; a row with a field of another name is refused,
// and a CSV header with one stops the reading of the file.
func NewListingReader(in io.Reader, file string, csv bool, cal *calendar.Calendar, now time.Time) *Reader {
	in = transform.NewReader(in, textunicode.BOMOverride(transform.Nop))
	l := &listing{file: file, cal: cal, now: now}
	if !csv {
		return &Reader{next: ndjsonRecords(in, func(raw []byte, n int) Line {
			row, err := listingNDJSON(raw)
			if err != nil {
				return Line{Number: n, Kind: Directive, Err: err}
			}
			return l.line(n, row)
		})}
	}
	var header, fields []string
	return &Reader{next: csvRecords(in, file, Directive, func(n int, cells []string) (Line, bool, error) {
		if header == nil {
			var err error
			if fields, err = listingHeader(cells); err != nil {
				return Line{}, false, fmt.Errorf("%s: line %d, the header: %w", file, n, err)
			}
			header = slices.Clone(cells)
			for i := range header {
				header[i] = strings.TrimSpace(header[i])
			}
			return Line{}, false, nil
		}
		if len(cells) != len(header) {
			return Line{Number: n, Kind: Directive, Err: fmt.Errorf("has %d cells, the header %d", len(cells), len(header))}, true, nil
		}
		row := newListingRow()
		for i, f := range fields {
			row.column[f], row.text[f] = header[i], strings.TrimSpace(cells[i])
		}
		return l.line(n, row), true, nil
	})}
}

// listingHeader names the field of each column; it must have a symbol,
// and no field twice.
func listingHeader(cells []string) ([]string, error) {
	row := newListingRow()
	fields := make([]string, len(cells))
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			return nil, registry.Invalid("header", "column %d has no name", i+1)
		}
		if err := row.set(strings.TrimSpace(c), ""); err != nil {
			return nil, err
		}
		fields[i], _ = listingField(strings.TrimSpace(c))
	}
	if _, ok := row.column["symbol"]; !ok {
		return nil, registry.Invalid("symbol", "no column holds the symbol (symbol, so_ky_hieu or Số ký hiệu)")
	}
	return fields, nil
}

// listingNDJSON reads one NDJSON row: an object whose values are text,
// numbers or null.
func listingNDJSON(raw []byte) (listingRow, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return listingRow{}, fmt.Errorf("not a JSON object: %s", describeJSONError(err))
	}
	row := newListingRow()
	// In order, so that a row with two faults names the same one each time.
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		text, err := jsonText(name, obj[name])
		if err != nil {
			return listingRow{}, err
		}
		if err := row.set(name, text); err != nil {
			return listingRow{}, err
		}
	}
	return row, nil
}

// jsonText is a value as text: a string, a number as written, "" for null.
func jsonText(name string, v json.RawMessage) (string, error) {
	switch {
	case string(v) == "null":
		return "", nil
	case len(v) > 0 && v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9'):
		return string(v), nil
	}
	return "", registry.Invalid(name, "must be text, a number or null, not %s", v)
}

// directiveLine is a directive as an NDJSON line of the directive kind
// holds it (the JSON names of registry.Directive).
type directiveLine struct {
	Symbol          string             `json:"symbol"`
	IssuerName      string             `json:"issuerName,omitempty"`
	IssuerAsWritten string             `json:"issuerAsWritten,omitempty"`
	IssuedOn        calendar.Date      `json:"issuedOn,omitempty"`
	Summary         string             `json:"summary,omitempty"`
	Signer          registry.Signer    `json:"signer"`
	Validity        registry.Validity  `json:"validity,omitempty"`
	EffectiveFrom   calendar.Date      `json:"effectiveFrom,omitempty"`
	EffectiveTo     calendar.Date      `json:"effectiveTo,omitempty"`
	Findings        []registry.Finding `json:"findings,omitempty"`
}

// line turns row n into a directive, or says why it is refused.
func (l *listing) line(n int, row listingRow) Line {
	d, err := l.directive(n, row)
	if err != nil {
		return Line{Number: n, Kind: Directive, Err: err}
	}
	return Line{Number: n, Kind: Directive, Record: d}
}

func (l *listing) directive(n int, row listingRow) (_ *registry.Directive, err error) {
	defer recovered(&err)
	raw := row.get("symbol")
	if raw == "" {
		return nil, registry.Invalid(row.col("symbol"), "is empty: a directive is registered by its symbol")
	}
	sym, err := registry.ParseSymbol(raw)
	if err != nil {
		return nil, registry.AsField(row.col("symbol"), err)
	}
	dl, err := row.directiveLine(sym)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(dl)
	if err != nil {
		return nil, err
	}
	prov := importProvenance(l.file, n, l.now)
	prov.Excerpt = row.excerpt()
	rec, err := decode(Directive, body, l.cal, prov)
	if err != nil {
		return nil, row.relabel(err)
	}
	return rec.(*registry.Directive), nil
}

// directiveLine maps the row's fields to a directive's, with what the
// mapping noticed as findings.
func (r listingRow) directiveLine(sym registry.Symbol) (directiveLine, error) {
	dl := directiveLine{Symbol: r.get("symbol"), Summary: r.get("summary"),
		IssuerName: r.get("issuer"), IssuerAsWritten: r.get("issuer")}
	var err error
	if dl.IssuedOn, err = listingDate(r.col(r.dateField()), r.get(r.dateField())); err != nil {
		return dl, err
	}
	if dl.EffectiveFrom, err = listingDate(r.col("effective"), r.get("effective")); err != nil {
		return dl, err
	}
	if dl.EffectiveTo, err = listingDate(r.col("expires"), r.get("expires")); err != nil {
		return dl, err
	}
	var f *registry.Finding
	dl.Validity, f = listingValidity(r.get("status"))
	dl.Findings = appendFinding(dl.Findings, f)
	dl.Signer, f = splitSigner(r.get("signer"))
	dl.Findings = appendFinding(dl.Findings, f)
	dl.Findings = appendFinding(dl.Findings, typeDisagreement(r.get("type"), sym))
	if dl.IssuerAsWritten != "" {
		dl.Findings = appendFinding(dl.Findings, registry.IssuerDisagreement(dl.IssuerAsWritten, sym))
	}
	dl.Findings = append(dl.Findings, undetermined(dl)...)
	return dl, nil
}

func appendFinding(fs []registry.Finding, f *registry.Finding) []registry.Finding {
	if f == nil {
		return fs
	}
	return append(fs, *f)
}

// undetermined are the findings on what the row leaves out, or states
// against itself.
func undetermined(dl directiveLine) []registry.Finding {
	var fs []registry.Finding
	if dl.IssuedOn == "" {
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn", Message: "the listing gives no date of issue"})
	}
	if dl.Summary == "" {
		fs = append(fs, registry.Finding{Code: registry.FindingSummaryUndetermined, Field: "summary", Message: "the listing gives no summary"})
	}
	if dl.IssuedOn != "" && dl.EffectiveFrom != "" && dl.EffectiveFrom < dl.IssuedOn {
		fs = append(fs, registry.Finding{Code: registry.FindingEffectiveBeforeIssued, Field: "effectiveFrom",
			Message: fmt.Sprintf("the listing has it take effect on %s, before it was issued on %s", dl.EffectiveFrom, dl.IssuedOn)})
	}
	return fs
}

// dateField is the field the date of issue is read from: date_raw, the
// date as the source printed it, only when there is no date.
func (r listingRow) dateField() string {
	if r.get("date") == "" && r.get("date_raw") != "" {
		return "date_raw"
	}
	return "date"
}

// relabel names, in an error about a directive field, the row's field it
// came from, as the file names it.
func (r listingRow) relabel(err error) error {
	e, ok := errors.AsType[*registry.Error](err)
	if !ok {
		return err
	}
	from := map[string]string{"symbol": "symbol", "issuedOn": r.dateField(), "issuerName": "issuer", "summary": "summary",
		"signer.position": "signer", "signer.name": "signer", "validity": "status", "effectiveFrom": "effective", "effectiveTo": "expires"}
	if f, ok := from[e.Field]; ok {
		return registry.AsField(r.col(f), err)
	}
	return err
}

// excerpt keeps, where a reader of the record sees them, what the row
// says that no directive field holds as written: where the document is
// published, and the type and status in the listing's words.
func (r listingRow) excerpt() string {
	var parts []string
	for _, f := range []string{"url", "attachment", "gazette_no", "type", "status"} {
		if v := r.get(f); v != "" {
			parts = append(parts, f+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// listingDate reads a date written 2026-05-19 or 19/05/2026 (also with "-"
// or "." between day, month and year).
func listingDate(field, s string) (calendar.Date, error) {
	if s == "" {
		return "", nil
	}
	if d, err := calendar.ParseDate(s); err == nil {
		return d, nil
	}
	if t, ok := dayMonthYear(s); ok {
		d, err := calendar.ParseDate(t.Format("2006-01-02"))
		if err != nil {
			return "", registry.Invalid(field, "%v", err)
		}
		return d, nil
	}
	return "", registry.Invalid(field, "%q is not a date: write 2026-05-19 or 19/05/2026", s)
}

func dayMonthYear(s string) (time.Time, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return time.Time{}, false
	}
	for _, layout := range []string{"2/1/2006", "02/01/2006", "2/01/2006", "02/1/2006"} {
		if t, err := time.Parse(layout, strings.Join(parts, "/")); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// listingStatuses are the statuses listings print (folded, without "văn
// bản"), in the words of vbpl.vn and the provincial gazettes.
var listingStatuses = map[string]registry.Validity{
	"dang hieu luc":          registry.ValidityInForce,
	"dang co hieu luc":       registry.ValidityInForce,
	"con hieu luc":           registry.ValidityInForce,
	"co hieu luc":            registry.ValidityInForce,
	"het hieu luc":           registry.ValidityExpired,
	"da het hieu luc":        registry.ValidityExpired,
	"het hieu luc toan bo":   registry.ValidityExpired,
	"het hieu luc mot phan":  registry.ValidityPartiallyExpired,
	"chua co hieu luc":       registry.ValidityNotYetInForce,
	"chua hieu luc":          registry.ValidityNotYetInForce,
	"ngung hieu luc":         registry.ValiditySuspended,
	"ngung hieu luc toan bo": registry.ValiditySuspended,
	"tam ngung hieu luc":     registry.ValiditySuspended,
}

// listingValidity reads a status; an empty one is not stated (UNKNOWN), an
// unknown one is UNKNOWN with a finding. The registry's own codes
// (IN_FORCE) are read too.
func listingValidity(s string) (registry.Validity, *registry.Finding) {
	if v := registry.Validity(strings.ToUpper(strings.TrimSpace(s))); v.Valid() {
		return v, nil
	}
	key := strings.TrimPrefix(strings.TrimRight(fold.String(s), ".;"), "van ban ")
	if key == "" {
		return registry.ValidityUnknown, nil
	}
	if v, ok := listingStatuses[key]; ok {
		return v, nil
	}
	return registry.ValidityUnknown, &registry.Finding{Code: registry.FindingValidityUnrecognised, Field: "validity",
		Message: fmt.Sprintf("the listing's status %q is none the registry knows (Đang hiệu lực, Hết hiệu lực toàn bộ, Hết hiệu lực một phần, Chưa có hiệu lực, Ngưng hiệu lực): stored as UNKNOWN", s)}
}

// titleWords begin titles and place names, never a person's name: a
// capitalised one ("Chủ Tịch", "UBND Tỉnh") is not taken for the name's
// first word.
var titleWords = map[string]bool{
	"Chủ": true, "Tịch": true, "Phó": true, "Giám": true, "Đốc": true, "Trưởng": true, "Bộ": true, "Thứ": true,
	"Tổng": true, "Thủ": true, "Tướng": true, "Chánh": true, "Ủy": true, "Uỷ": true, "Viên": true,
	"Tỉnh": true, "Huyện": true, "Xã": true, "Thành": true, "Phố": true, "Phường": true, "Quận": true, "Thị": true, "Trấn": true,
}

// splitSigner parts "Phó Chủ tịch UBND Nguyễn Thành Công" into the title
// and the person: a Vietnamese name is the last two to five capitalised
// words (family name, middle names, given name). Without such a name the
// text is kept as the position, with a finding.
func splitSigner(s string) (registry.Signer, *registry.Finding) {
	words := strings.Fields(norm.NFC.String(s))
	start := len(words)
	for start > 0 && isNameWord(words[start-1]) {
		start--
	}
	for start < len(words) && titleWords[words[start]] {
		start++
	}
	if n := len(words) - start; n < 2 || n > 5 {
		if len(words) == 0 {
			return registry.Signer{}, nil
		}
		return registry.Signer{Position: strings.Join(words, " ")}, &registry.Finding{Code: registry.FindingSignerUndetermined, Field: "signer.name",
			Message: fmt.Sprintf("the signer %q ends in no name of two to five capitalised words: kept as the position", strings.Join(words, " "))}
	}
	return registry.Signer{
		Position: strings.TrimRight(strings.Join(words[:start], " "), " ,:;-–"),
		Name:     strings.Join(words[start:], " "),
	}, nil
}

// isNameWord: a capital then small letters ("Hà", "Công"; "A" as in
// Nguyễn Văn A), unlike "UBND" or "tỉnh".
func isNameWord(w string) bool {
	for i, r := range w {
		if i == 0 && !unicode.IsUpper(r) || i > 0 && !unicode.IsLower(r) {
			return false
		}
	}
	return w != ""
}

// typeDisagreement compares the type a listing writes ("Quyết định của
// UBND tỉnh") with the symbol's type code. A type the registry does not
// know is not evidence of a disagreement.
func typeDisagreement(asWritten string, sym registry.Symbol) *registry.Finding {
	key := fold.String(asWritten)
	found, best := registry.DocType{}, 0
	types := append(registry.DocTypes(), registry.DocType{Code: "", Name: "Công văn"})
	for _, t := range types {
		name := fold.String(t.Name)
		if len(name) > best && (key == name || strings.HasPrefix(key, name+" ")) {
			found, best = t, len(name)
		}
	}
	if best == 0 || found.Code == sym.Type {
		return nil
	}
	says := "has no type code, an official letter's"
	if sym.Type != "" {
		says = "says " + sym.Type + ", " + registry.DocTypeName(sym.Type)
	}
	return &registry.Finding{Code: registry.FindingTypeDisagreesWithSymbol, Field: "type",
		Message: fmt.Sprintf("the listing's type %q is a %s, but the symbol %s %s", strings.TrimSpace(asWritten), found.Name, sym, says)}
}
