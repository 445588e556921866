package bulletin

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

const dashClass = `[-\x{2010}-\x{2014}\x{2212}]`

var (
	// symbolRE finds number-and-symbol candidates; ParseSymbol decides. The
	// number must not continue a figure or a date ("5.570", "22/4/2021").
	symbolRE = regexp.MustCompile(`(?:^|[^a-z0-9/.,])(\d{1,6}\s*/\s*(?:\d{4}\s*/\s*)?[a-z0-9]+(?:\s*` + dashClass + `\s*[a-z0-9]+){0,2})`)
	dashRE   = regexp.MustCompile(`\s*` + dashClass + `\s*`)

	// typeBeforeRE is the type a text gives just before a symbol, with an
	// optional "số": "Quyết định số 468/QĐ-TTg", "Công văn 516/TTg-KSTT".
	typeBeforeRE = regexp.MustCompile(`(?:^|[^a-z0-9])(` + typeAlternation() + `)\s*(?:so\s*:?\s*)?$`)
	numberWordRE = regexp.MustCompile(`(?:^|[^a-z0-9])so\s*:?\s*$`)
	issuedRE     = regexp.MustCompile(`(?:^|[^a-z0-9])ban\s+hanh\s*$`)

	// leadDateRE is a sentence that opens with its date: "Ngày 22/4/2021,",
	// "Chiều ngày 16/3".
	leadDateRE = regexp.MustCompile(`^(?:vao\s+)?(?:(?:sang|chieu|toi|trua|dem)\s+)?(?:vao\s+)?ngay\s+(?:` + datePattern + `)\s*,?`)
	// trailDateRE is a date right after a symbol: "2503/QĐ-UBND ngày 6/9/2019".
	trailDateRE = regexp.MustCompile(`^\s*,?\s*(?:(?:ban\s+hanh|ky)\s+)?(?:vao\s+)?ngay\s+(?:` + datePattern + `)`)
	// ofWords introduce the issuer after a symbol: "của UBND tỉnh", "do ... ban hành".
	ofWords = newPhrases("của", "do")
)

// Type names as news writes them, beyond Annex III: an official letter
// (công văn) and a law have no type code; "văn bản" says no type at all.
const (
	letterName  = "Công văn"
	lawName     = "Luật"
	genericName = "Văn bản"
)

// typeCodes maps folded type names to codes.
var typeCodes = func() map[string]string {
	m := map[string]string{}
	for _, t := range registry.DocTypes() {
		m[fold.String(t.Name)] = t.Code
	}
	return m
}()

func typeAlternation() string {
	names := []string{fold.String(letterName), fold.String(lawName), fold.String(genericName)}
	for _, t := range registry.DocTypes() {
		names = append(names, fold.String(t.Name))
	}
	for i, n := range names {
		names[i] = strings.ReplaceAll(regexp.QuoteMeta(n), " ", `\s+`)
	}
	return strings.Join(names, "|")
}

// lookbackBytes bounds the folded text searched before a symbol for its
// type and "ban hành": both are short and adjacent to it.
const lookbackBytes = 64

// directives extracts every directive mentioned in sentence s.
func (t *text) directives(s sentence) []Directive {
	var out []Directive
	for _, m := range symbolRE.FindAllStringSubmatchIndex(t.f[s.b:s.e], -1) {
		b := s.b + m[2]
		e := t.cutSymbol(b, s.b+m[3])
		sym, err := registry.ParseSymbol(t.orig(b, e))
		if err != nil {
			continue
		}
		if d, ok := t.directive(s, b, e, sym); ok {
			out = append(out, d)
		}
	}
	return out
}

// cutSymbol ends a symbol before a spaced dash whose next group does not
// start with a capital: "12/KH-UBND - kế hoạch" is 12/KH-UBND, while
// "2503/QĐ - UBND" is one symbol.
func (t *text) cutSymbol(b, e int) int {
	for _, m := range dashRE.FindAllStringIndex(t.f[b:e], -1) {
		if !strings.Contains(t.f[b+m[0]:b+m[1]], " ") {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t.orig(b+m[1], e))
		if !unicode.IsUpper(r) {
			return b + m[0]
		}
	}
	return e
}

// directive reads what the sentence says about the symbol at [b, e).
func (t *text) directive(s sentence, b, e int, sym registry.Symbol) (Directive, bool) {
	d := Directive{Symbol: sym, Span: t.span(s.b, s.e)}

	// Before the symbol: its type, and whether the sentence is
	// "<issuer> ban hành <type> số <symbol>".
	w := max(s.b, b-lookbackBytes)
	cut := b
	if m := typeBeforeRE.FindStringSubmatchIndex(t.f[w:b]); m != nil {
		d.TypeAsWritten = t.orig(w+m[2], w+m[3])
		cut = w + m[2]
	} else if m := numberWordRE.FindStringIndex(t.f[w:b]); m != nil {
		cut = w + m[0]
	}
	// A bare "số/CƠQUAN" is a letter only when the text says what it is:
	// otherwise "5/ha" would be letter 05 of an issuer HA.
	if sym.Type == "" && sym.Unit == "" && sym.Year == 0 && d.TypeAsWritten == "" {
		return Directive{}, false
	}

	// After the symbol: "ngày <date>" and "của <issuer>", in either order.
	var date statedDate
	haveDate := false
	issuerB, issuerE := -1, -1
	p := e
	for {
		if !haveDate {
			if m := trailDateRE.FindStringSubmatchIndex(t.ahead(p, s.e, 128)); m != nil {
				date, haveDate = readDate(t, p, m, 1, sym.Year), true
				p += m[1]
				continue
			}
		}
		if issuerB < 0 {
			if nb := t.afterOf(p, s.e); nb >= 0 {
				if ne, ok := t.nameEnd(nb, s.e); ok {
					issuerB, issuerE, p = nb, ne, ne
					continue
				}
			}
		}
		break
	}

	// "<date>, <issuer> ban hành ..." gives what the symbol's own clause did not.
	bw := max(s.b, cut-lookbackBytes)
	if m := issuedRE.FindStringIndex(t.f[bw:cut]); m != nil {
		bh := bw + m[0]
		lead := leadDateRE.FindStringSubmatchIndex(t.ahead(s.b, s.e, 128))
		if !haveDate && lead != nil && s.b+lead[1] <= bh {
			date, haveDate = readDate(t, s.b, lead, 1, sym.Year), true
		}
		if issuerB < 0 {
			issuerB, issuerE = t.subject(s, bh, lead)
		}
	}
	if issuerB >= 0 {
		d.IssuerAsWritten = t.orig(issuerB, issuerE)
	}
	d.IssuedOn = date.date

	// The rest of the sentence is the summary, unless a comma closes the
	// mention: "theo Quyết định số ... của UBND tỉnh, bộ phận ..." goes on
	// about something else.
	rb := p
	for rb < s.e && t.f[rb] == ' ' {
		rb++
	}
	if rb < s.e && t.f[rb] != ',' && t.f[rb] != ';' {
		if sb, se := trimPunct(t.f, rb, s.e); sb < se {
			d.Summary = t.orig(sb, se)
		}
	}

	d.Findings = directiveFindings(&d, date, haveDate)
	return d, true
}

// maxClauseBytes bounds how far before "ban hành" its subject may start.
const maxClauseBytes = 256

// subject returns the issuer in "<date>, <issuer> [đã|vừa ký] ban hành",
// bh being where "ban hành" starts, or -1, -1. The subject starts after the
// last separator before bh, or after the sentence's leading date.
func (t *text) subject(s sentence, bh int, lead []int) (int, int) {
	w := max(s.b, bh-maxClauseBytes)
	i := strings.LastIndexAny(t.f[w:bh], ",;:(")
	if i < 0 && w > s.b {
		return -1, -1 // a clause this long is not "<issuer> ban hành"
	}
	start := w + i + 1
	if lead != nil {
		start = max(start, s.b+lead[1])
	}
	for start < bh && t.f[start] == ' ' {
		start++
	}
	if ne, ok := t.nameEnd(start, bh); ok {
		return start, ne
	}
	return -1, -1
}

// afterOf returns where the issuer starts after "của" or "do" at p (an
// optional comma before it), or -1.
func (t *text) afterOf(p, limit int) int {
	for p < limit && (t.f[p] == ' ' || t.f[p] == ',') {
		p++
	}
	e := ofWords.at(t, p, limit)
	if e < 0 {
		return -1
	}
	for e < limit && t.f[e] == ' ' {
		e++
	}
	return e
}

func directiveFindings(d *Directive, date statedDate, haveDate bool) []registry.Finding {
	var fs []registry.Finding
	sym := d.Symbol
	switch {
	case !haveDate:
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text gives no date of issue for %s", sym)})
	case d.IssuedOn == "" && !date.year:
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %q, without a year", sym, date.written)})
	case d.IssuedOn == "":
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %q, which is not a valid date", sym, date.written)})
	case sym.Year != 0 && d.IssuedOn.Year() != sym.Year:
		fs = append(fs, registry.Finding{Code: registry.FindingYearDisagreesWithSymbol, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %s, but the symbol carries the year %d", sym, d.IssuedOn, sym.Year)})
	}

	if d.IssuerAsWritten == "" {
		fs = append(fs, registry.Finding{Code: registry.FindingIssuerUndetermined, Field: "issuer",
			Message: fmt.Sprintf("the text does not name the issuer of %s; the symbol says %s", sym, sym.Issuer)})
	} else if f := registry.IssuerDisagreement(d.IssuerAsWritten, sym); f != nil {
		fs = append(fs, *f)
	}

	if f := typeDisagreement(d.TypeAsWritten, sym); f != nil {
		fs = append(fs, *f)
	}

	if d.Summary == "" {
		fs = append(fs, registry.Finding{Code: registry.FindingSummaryUndetermined, Field: "summary",
			Message: fmt.Sprintf("the text gives no summary of %s", sym)})
	}
	return fs
}

// typeDisagreement compares the type a text gives with the symbol's type
// code; an official letter and a law have none.
func typeDisagreement(written string, sym registry.Symbol) *registry.Finding {
	key := fold.String(written)
	var want string
	switch key {
	case "", fold.String(genericName):
		return nil
	case fold.String(letterName), fold.String(lawName):
		want = ""
	default:
		want = typeCodes[key]
	}
	if want == sym.Type {
		return nil
	}
	says := "no type code, as an official letter or a law has"
	if t, ok := registry.LookupDocType(sym.Type); ok {
		says = "the type " + t.Code + " (" + t.Name + ")"
	}
	calls := fmt.Sprintf("%q", written)
	if want != "" {
		calls += " (" + want + ")"
	}
	return &registry.Finding{Code: registry.FindingTypeDisagreesWithSymbol, Field: "type",
		Message: fmt.Sprintf("the text calls %s a %s, but the symbol has %s", sym, calls, says)}
}
