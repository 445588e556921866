package legaldoc

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

// typeNames are the types a type line names, as Decree 30 (Annex III) and
// the Law on legal documents list them.
var typeNames = []string{
	"Nghị định", "Quyết định", "Thông tư", "Thông tư liên tịch", "Nghị quyết",
	"Nghị quyết liên tịch", "Luật", "Bộ luật", "Pháp lệnh", "Lệnh", "Chỉ thị",
	"Hiến pháp", "Quy chế", "Quy định", "Thông cáo", "Thông báo", "Hướng dẫn",
	"Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo",
	"Biên bản", "Tờ trình", "Công điện", "Kết luận",
}

// typeLineRE is a type line: the type alone, or followed on the same line by
// the summary when the PDF text joined them. Longest names first, so that
// "Thông tư liên tịch" is not read as "Thông tư".
var typeLineRE = func() *regexp.Regexp {
	alts := make([]string, len(typeNames))
	for i, n := range typeNames {
		alts[i] = strings.ReplaceAll(fold.String(n), " ", `\s+`)
	}
	slices.SortStableFunc(alts, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return regexp.MustCompile(`^(` + strings.Join(alts, "|") + `)(?:\s+(\S.*))?$`)
}()

func typeName(folded string) string {
	folded = strings.Join(strings.Fields(folded), " ")
	for _, n := range typeNames {
		if fold.String(n) == folded {
			return n
		}
	}
	return ""
}

var (
	// numberRE is the number line: "Số: 21/CT-TTg", "Số:188/2026/NĐ-CP",
	// "Nghị quyết số: 89/2025/UBTVQH15", "Luật số: 69/2020/QH14".
	numberRE = regexp.MustCompile(`^(?:[a-z]+\s+){0,3}so\s*:\s*(\S.*)$`)
	// placeDateRE is the place-date line: "Hà Nội, ngày 20 tháng 5 năm
	// 2026"; a draft leaves the day and month blank.
	placeDateRE = regexp.MustCompile(`^([^,:;]{0,60}),\s*ngay\b`)
	// dateRE is a date in words or figures. A footnote mark may follow the
	// year ("năm 20264" for 2026 and note 4): four digits are the year.
	dateRE = regexp.MustCompile(`ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})|ngay\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})`)
	// letterSummaryRE opens an official letter's summary: "V/v ...".
	letterSummaryRE = regexp.MustCompile(`^v\s*/\s*v\b\s*:?\s*`)
)

// headerLines bounds how far the header is looked for.
const headerLines = 40

// header reads the lines down to the type line (or an official letter's
// "V/v" line); it returns the index of the line after it, and whether the
// text is laid out as an official document at all: a national motto, and a
// number line or a type line. When the summary starts on that line,
// r.first holds its part there.
func (r *reader) header(d *Document) (next int, ok bool) {
	motto, typeAt, letterAt := false, -1, -1
	var bodyLines []line
	i := 0
scan:
	for ; i < len(r.ls) && i < headerLines && typeAt < 0; i++ {
		l := r.ls[i]
		s := r.t.f[l.b:l.e]
		switch {
		case l.kind == kindMotto:
			motto = true
		case l.kind == kindRule:
		case d.Number.Value == "" && numberRE.MatchString(s):
			r.number(d, l)
		case d.Date.Value == "" && d.Place.Value == "" && placeDateRE.MatchString(s):
			r.placeDate(d, l)
		case r.typeLine(d, l):
			typeAt = i
		case letterAt < 0 && letterSummaryRE.MatchString(s):
			letterAt = i
			m := letterSummaryRE.FindStringIndex(s)
			r.first = &line{b: l.b + m[1], e: l.e}
		case r.endsHeader(l):
			break scan
		case letterAt < 0 && !r.t.hasLower(l.b, l.e):
			bodyLines = append(bodyLines, l)
		}
	}
	if !motto || typeAt < 0 && d.Number.Value == "" {
		return 0, false
	}
	r.issuer(d, bodyLines)
	if typeAt < 0 && letterAt >= 0 {
		// A letter's right column (motto, date) may come after its "V/v".
		return letterAt + 1, true
	}
	return i, true
}

// endsHeader: a preamble clause, an article or a letter's addressees
// ("Kính gửi:") mean the header is over.
func (r *reader) endsHeader(l line) bool {
	s := r.t.f[l.b:l.e]
	return r.opener(l) != "" || articleRE.MatchString(s) || addresseesRE.MatchString(s)
}

var addresseesRE = regexp.MustCompile(`^kinh gui\s*:`)

func (r *reader) number(d *Document, l line) {
	m := numberRE.FindStringSubmatchIndex(r.t.f[l.b:l.e])
	b := l.b + m[2]
	d.Number = Text{Value: collapseSpace(r.t.orig(b, l.e)), Span: r.t.span(PartNumber, 0, b, l.e)}
	d.Symbol, d.SymbolErr = registry.ParseSymbol(d.Number.Value)
}

func (r *reader) placeDate(d *Document, l line) {
	s := r.t.f[l.b:l.e]
	m := placeDateRE.FindStringSubmatchIndex(s)
	if pe := l.b + m[3]; pe > l.b {
		d.Place = Text{Value: collapseSpace(r.t.orig(l.b, pe)), Span: r.t.span(PartPlaceDate, 0, l.b, pe)}
	}
	if dm := dateRE.FindStringSubmatchIndex(s); dm != nil {
		if on, ok := dateOf(s, dm); ok {
			b, e := l.b+dm[0], l.b+dm[1]
			d.Date = Date{On: on, Text: Text{Value: collapseSpace(r.t.orig(b, e)), Span: r.t.span(PartPlaceDate, 0, b, e)}}
		}
	}
}

// dateOf reads the day, month and year dateRE matched; ok is false for a
// day that does not exist.
func dateOf(s string, m []int) (calendar.Date, bool) {
	g := 2
	if m[2] < 0 {
		g = 8
	}
	var n [3]int
	for k := range n {
		n[k], _ = strconv.Atoi(s[m[g+2*k]:m[g+2*k+1]])
	}
	on, err := calendar.ParseDate(fmt.Sprintf("%04d-%02d-%02d", n[2], n[1], n[0]))
	return on, err == nil
}

// typeLine reads the type line, and the summary when it shares the line.
// The type is printed in capitals: a line that starts "Quyết định" in
// running text is no type line.
func (r *reader) typeLine(d *Document, l line) bool {
	m := typeLineRE.FindStringSubmatchIndex(r.t.f[l.b:l.e])
	if m == nil {
		return false
	}
	te := l.b + m[3]
	if r.t.hasLower(l.b, te) {
		return false
	}
	d.Type = Text{Value: collapseSpace(r.t.orig(l.b, te)), Span: r.t.span(PartType, 0, l.b, te)}
	d.TypeName = typeName(r.t.f[l.b:te])
	if m[4] >= 0 {
		r.first = &line{b: l.b + m[4], e: l.e}
	}
	return true
}
