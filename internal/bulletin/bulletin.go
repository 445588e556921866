// Package bulletin extracts directives and statistics reports from
// Vietnamese news text, each with the sentence it was read from, and reads
// an official document (internal/legaldoc) as the directive it is. What the
// text does not say is left empty and reported as a finding, never guessed.
// It does no I/O.
package bulletin

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/legaldoc"
	"github.com/vnregistry/registry/internal/registry"
)

// Span locates a record's sentence in the source: offsets count characters
// (runes) of the original text, so runes[Offset:Offset+Length] is Sentence.
type Span struct {
	Offset, Length int
	Sentence       string
}

// Directive is a directive as a text mentions it.
type Directive struct {
	Symbol          registry.Symbol
	IssuedOn        calendar.Date // "" when the text does not state it
	IssuerAsWritten string        // "Chính phủ", even when the symbol says TTg
	// IssuerName is the body's own name, from an official document's
	// header ("HĐND xã Chiềng Hặc"); "" for news, which may credit another.
	IssuerName    string
	IssuerParent  string        // the body above it in the header; "" otherwise
	EffectiveFrom calendar.Date // from an official document's effective-date article; "" otherwise
	// Parts say where in an official document each value was read.
	Parts         []registry.SourcePart
	TypeAsWritten string // "Quyết định", "Công văn"; "" when not stated
	Summary       string // the rest of the sentence after the symbol and its date/issuer clause
	Signer        registry.Signer
	// Relations are the edges the text states from this directive to others.
	Relations []registry.Relation
	Span
	Findings []registry.Finding
}

// Extraction is what one text yields, in order of position.
type Extraction struct {
	// Published is the date the text gives for itself (a dateline), or "".
	Published calendar.Date
	// Directives are each named once, with what all their mentions say.
	Directives []Directive
	// Reports have Key, Findings and Provenance (Source, Excerpt, Offset,
	// Length) set; Provenance.Recorded and AgencyCode are the importer's.
	Reports []registry.Report
}

// Extract reads text, naming it source in the reports' provenance. Any input
// is accepted; invalid UTF-8 reads as U+FFFD, one character per bad byte,
// as []rune conversion counts it. A text laid out as an official document
// (national motto, number or type line) is read as that document; news
// that quotes one in full after its own paragraphs is read as news, the
// document's signature block and what its preamble and articles state
// added to the directive it is (quoted).
func Extract(source, text string) Extraction {
	doc, isDoc := legaldoc.Read(text)
	if isDoc && !quoted(text, doc) {
		return official(source, text, doc)
	}
	t := newText(text)
	sents := t.sentences()
	years := t.years(sents)
	x := Extraction{Published: years.published}
	var all []*mention
	// A sentence ending "căn cứ:" states the bases its list gives; one
	// ending "UBND tỉnh đã ban hành:" the issuer of what its list names.
	var basesOf *mention
	var basesKind registry.RelationKind
	listIssuerB, listIssuerE := -1, -1
	for _, s := range sents {
		ms := t.mentions(s, years)
		t.relate(s, ms, t.referredTo(s, all))
		t.attachSigner(s, ms, all)
		if isListItem(t.f[s.b:s.e]) && len(ms) > 0 {
			if basesOf != nil {
				t.addRelation(&basesOf.Directive, basesKind, ms[0].Symbol, s.b, s.e)
			}
			if listIssuerB >= 0 && ms[0].IssuerAsWritten == "" {
				ms[0].IssuerAsWritten, ms[0].issuerB, ms[0].issuerE = t.orig(listIssuerB, listIssuerE), listIssuerB, listIssuerE
				ms[0].issued = true
			}
		} else if !isListItem(t.f[s.b:s.e]) {
			basesOf, listIssuerB, listIssuerE = nil, -1, -1
		}
		if from, kind, ok := t.listIntro(s, ms, all); ok {
			basesOf, basesKind = from, kind
		}
		if b, e, ok := t.listIssuer(s); ok {
			listIssuerB, listIssuerE = b, e
		}
		all = append(all, ms...)
	}
	x.Directives = t.merge(all)
	if isDoc {
		addQuoted(x.Directives, text, doc)
	}
	x.Reports = t.reports(sents, source, years)
	// A report's excerpt may start before its total's sentence.
	slices.SortStableFunc(x.Reports, func(a, b registry.Report) int {
		return cmp.Compare(a.Provenance.Offset, b.Provenance.Offset)
	})
	return x
}

// quoted reports whether an official document stands in text after
// paragraphs of prose (a headline, a lead, "Toàn văn Quyết định như
// sau:"): news quoting it, not the document itself.
func quoted(text string, doc legaldoc.Document) bool {
	start := -1
	for _, s := range []legaldoc.Span{doc.Issuer.Span, doc.Number.Span, doc.Date.Span, doc.Type.Span} {
		if s.Length > 0 && (start < 0 || s.Offset < start) {
			start = s.Offset
		}
	}
	if start <= 0 {
		return false
	}
	runes := []rune(text)
	for l := range strings.SplitSeq(string(runes[:min(start, len(runes))]), "\n") {
		// PDF text pads a running head with spaces to the width of the page.
		l = strings.Join(strings.Fields(l), " ")
		if utf8.RuneCountInString(l) >= minProse && strings.ToUpper(l) != l {
			return true
		}
	}
	return false
}

// minProse is the length of a line of prose, in characters: a gazette's
// running head ("CÔNG BÁO/Số 15 + 16/Ngày 10-01-2024") is shorter.
const minProse = 60

// addQuoted adds to the directive a quoted document is what its signature
// block and its text state: the signer (the title they sign with, their
// name), the bases its "Căn cứ" clauses name on their first line (a
// clause running on past it is a report's own "Căn cứ số liệu ..."), and
// what its articles do to other documents.
func addQuoted(ds []Directive, text string, doc legaldoc.Document) {
	if doc.SymbolErr != nil || doc.Number.Value == "" {
		return
	}
	i := slices.IndexFunc(ds, func(d Directive) bool { return d.Symbol.Key() == doc.Symbol.Key() })
	if i < 0 {
		return
	}
	d := &ds[i]
	if sig := doc.Signature; d.Signer == (registry.Signer{}) && sig.Name != "" {
		d.Signer = registry.Signer{Position: cmp.Or(sig.Title, sig.Capacity), Name: sig.Name}
	}
	runes := []rune(text)
	stated := map[string]bool{}
	for _, b := range doc.Bases {
		if b.Err != nil || b.Number < 1 || b.Number > len(doc.Preamble) {
			continue
		}
		if c := doc.Preamble[b.Number-1]; c.Offset <= b.Offset && b.Offset <= len(runes) && !strings.ContainsRune(string(runes[c.Offset:b.Offset]), '\n') {
			stated[b.Symbol.Key()] = true
		}
	}
	for _, r := range doc.Relations() {
		if (r.Kind != registry.RelBasedOn || stated[r.SymbolKey]) && !registry.HasRelation(d.Relations, r) {
			d.Relations = append(d.Relations, r)
		}
	}
}

// datelineLines are how far into a text its own date is looked for: a
// page's headline and dateline come first.
const datelineLines = 8

// years finds the page's date (a short line among the first ones holding a
// full date and no symbol: "Cập nhật lúc 15:20, 12/04/2021", or such a
// line further on when labelled so) and every full date, for dates
// written without a year.
func (t *text) years(sents []sentence) *yearContext {
	c := &yearContext{}
	for _, s := range sents {
		if c.published != "" {
			break
		}
		// A page may print its dateline under the article, labelled.
		if s.e-s.b > 80 || t.namesSymbol(s) || s.para >= datelineLines && !datelineRE.MatchString(t.f[s.b:s.e]) {
			continue
		}
		if _, _, d, ok := t.dateAt(s.b, s.e, nil, 0); ok && d.year && d.date != "" {
			c.published = d.date
		}
	}
	for p := 0; p < len(t.f); {
		b, e, d, ok := t.dateAt(p, len(t.f), nil, 0)
		if !ok {
			p = min(len(t.f), p+160)
			continue
		}
		if d.year && d.date != "" {
			c.full = append(c.full, fullDate{b, d.date.Year()})
		}
		p = e
	}
	return c
}

// datelineRE labels a page's own date: "Ngày đăng:", "Cập nhật lúc",
// "Đăng ngày", "Thời gian đăng".
var datelineRE = regexp.MustCompile(`^(?:ngay\s+(?:dang|cap\s+nhat|xuat\s+ban)|dang\s+(?:ngay|luc)|cap\s+nhat|thoi\s+gian\s+dang)\b`)

// attachSigner gives "do <position> <name> ký" to the directive it follows
// in the sentence, or, in a sentence about "the plan" ("Kế hoạch do ...
// ký"), to the last plan named before.
func (t *text) attachSigner(s sentence, ms []*mention, before []*mention) {
	signer, at, ok := t.signerIn(s.b, s.e)
	if !ok {
		return
	}
	// The nearest directive named before the phrase, else the one the
	// sentence refers to ("Thông tư do Thứ trưởng ... ký, ...").
	var m *mention
	for _, c := range ms {
		if c.e <= at {
			m = c
		}
	}
	if m == nil {
		m = t.referredTo(s, before)
	}
	if m != nil && m.Signer == (registry.Signer{}) {
		m.Signer = signer
	}
}

// referredTo is the directive a sentence without a symbol refers to by
// its type word at the start: the last one of that type the text issues,
// else the last one a sentence was about. One only named along the way
// ("Triển khai Quyết định A, UBND tỉnh ban hành Quyết định về ...") may not
// be the one meant: the text may have issued another without its number.
func (t *text) referredTo(s sentence, before []*mention) *mention {
	typ := t.referringType(s)
	if typ == "" {
		return nil
	}
	var about *mention
	for i := len(before) - 1; i >= 0; i-- {
		if fold.String(before[i].TypeAsWritten) != typ {
			continue
		}
		if before[i].issued {
			return before[i]
		}
		if about == nil && before[i].opens {
			about = before[i]
		}
	}
	return about
}

// listIntro recognises a sentence that ends by introducing a list of
// related directives ("Quyết định được ban hành căn cứ:"): the directive
// it is about and the relation.
func (t *text) listIntro(s sentence, ms []*mention, before []*mention) (*mention, registry.RelationKind, bool) {
	if t.f[s.e-1] != ':' {
		return nil, "", false
	}
	from, gapB := (*mention)(nil), s.b
	switch {
	case len(ms) > 0:
		from, gapB = ms[len(ms)-1], ms[len(ms)-1].clauseEnd
	default:
		from = t.referredTo(s, before)
		_, gapB = t.referringAt(s)
	}
	if from == nil || gapB < 0 {
		return nil, "", false
	}
	kind, reversed, ok := t.relationIn(gapB, s.e-1, !t.adverbial(s, from))
	if !ok || reversed {
		return nil, "", false
	}
	return from, kind, true
}

// listIssuer recognises a sentence ending "<issuer> đã ban hành:" and
// returns where the issuer is.
func (t *text) listIssuer(s sentence) (int, int, bool) {
	if t.f[s.e-1] != ':' {
		return -1, -1, false
	}
	m := issuingRE.FindStringSubmatchIndex(t.f[s.b:s.e-1] + " ")
	if m == nil {
		return -1, -1, false
	}
	b, e := t.subject(s, s.b, s.b+m[2])
	return b, e, b >= 0
}

// isListItem: a line starting with a bullet ("- ", "+ ", "• ", "a) ").
func isListItem(line string) bool {
	if line == "" {
		return false
	}
	if strings.ContainsRune("-+•*–", rune(line[0])) || strings.HasPrefix(line, "•") || strings.HasPrefix(line, "–") {
		return true
	}
	return len(line) > 2 && line[1] == ')' && (line[0] >= 'a' && line[0] <= 'z' || line[0] >= '0' && line[0] <= '9')
}

// merge makes one directive of all the mentions of a symbol: each field
// from the first mention that states it, relations from all, findings
// about the result.
func (t *text) merge(all []*mention) []Directive {
	var order []string
	groups := map[string][]*mention{}
	for _, m := range all {
		k := m.Symbol.Key()
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], m)
	}
	out := make([]Directive, 0, len(order))
	for _, k := range order {
		ms := groups[k]
		d := ms[0].Directive
		d.Relations = nil
		date, haveDate := ms[0].date, ms[0].haveDate
		issuerFrom := ms[0]
		for _, m := range ms {
			if m.issued && !ms[0].issued {
				d.Span = m.Span
			}
			if d.TypeAsWritten == "" {
				d.TypeAsWritten = m.TypeAsWritten
			}
			if d.IssuerAsWritten == "" && m.IssuerAsWritten != "" {
				d.IssuerAsWritten, issuerFrom = m.IssuerAsWritten, m
			}
			if d.Summary == "" {
				d.Summary = m.Summary
			}
			if d.Signer == (registry.Signer{}) {
				d.Signer = m.Signer
			}
			if m.haveDate && (!haveDate || date.date == "" && m.date.date != "") {
				date, haveDate = m.date, true
			}
			for _, r := range m.Relations {
				if !registry.HasRelation(d.Relations, r) {
					d.Relations = append(d.Relations, r)
				}
			}
		}
		d.IssuedOn = date.date
		ambiguous := d.IssuerAsWritten != "" && t.twoIssuers(issuerFrom.issuerB, issuerFrom.issuerE) && d.Symbol.Type != "TTLT"
		if d.IssuerAsWritten == "" {
			// "Phó Chủ tịch UBND tỉnh Trần Văn B đã ký ban hành": the
			// body the signer acts for issued it.
			d.IssuerAsWritten = signerBody(d.Signer.Position)
		}
		shared := ""
		for _, m := range ms {
			shared = cmp.Or(shared, m.sharedIssuer)
		}
		d.Findings = directiveFindings(&d, date, haveDate, ambiguous, shared)
		out = append(out, d)
	}
	return out
}

// official is what an official document yields: itself as one directive,
// read from its header, preamble, articles and signature block (the
// documents it cites are its relations, not directives of their own), and
// the reports its sentences state. A document whose symbol the registry
// cannot parse yields no directive.
func official(source, text string, doc legaldoc.Document) Extraction {
	t := newText(text)
	sents := t.sentences()
	x := Extraction{Published: doc.Date.On, Reports: t.reports(sents, source, t.years(sents))}
	slices.SortStableFunc(x.Reports, func(a, b registry.Report) int {
		return cmp.Compare(a.Provenance.Offset, b.Provenance.Offset)
	})
	if doc.SymbolErr != nil || doc.Number.Value == "" {
		return x
	}
	d := Directive{
		Symbol: doc.Symbol, IssuedOn: doc.Date.On, IssuerAsWritten: doc.Issuer.Value, IssuerName: doc.Issuer.Value,
		IssuerParent: doc.Parent.Value, EffectiveFrom: doc.Effective.On,
		TypeAsWritten: doc.Type.Value, Summary: doc.Summary.Value,
		Signer:    registry.Signer{Position: doc.Signature.Position(), Name: doc.Signature.Name},
		Relations: doc.Relations(),
	}
	// The directive's span runs from the header to the summary: what a
	// reader checks the record against.
	b, e := doc.Number.Offset, doc.Number.Offset+doc.Number.Length
	for _, s := range []legaldoc.Span{doc.Issuer.Span, doc.Date.Span, doc.Type.Span, doc.Summary.Span} {
		if s.Length > 0 {
			b, e = min(b, s.Offset), max(e, s.Offset+s.Length)
		}
	}
	runes := []rune(text)
	d.Span = Span{Offset: b, Length: e - b, Sentence: string(runes[b:e])}
	d.Findings = directiveFindings(&d, statedDate{date: d.IssuedOn, written: doc.Date.Value, year: true}, d.IssuedOn != "", false, "")
	if n := utf8.RuneCountInString(d.Summary); n > registry.MaxSummaryRunes {
		d.Summary = ""
		d.Findings = append(d.Findings, registry.Finding{Code: registry.FindingSummaryUndetermined, Field: "summary",
			Message: fmt.Sprintf("the summary of %s runs to %d characters, more than the %d the registry keeps: it is left out", d.Symbol, n, registry.MaxSummaryRunes)})
	}
	d.Parts = sourceParts(doc)
	x.Directives = []Directive{d}
	return x
}

// sourceParts are the parts of doc its directive's values came from.
func sourceParts(doc legaldoc.Document) []registry.SourcePart {
	var out []registry.SourcePart
	for _, v := range []struct {
		field string
		at    legaldoc.Span
	}{
		{"symbol", doc.Number.Span}, {"issuerName", doc.Issuer.Span}, {"issuerParent", doc.Parent.Span},
		{"issuedOn", doc.Date.Span}, {"type", doc.Type.Span}, {"summary", doc.Summary.Span},
		{"effectiveFrom", doc.Effective.Span}, {"signer", doc.Signature.Span},
	} {
		if v.at.Length > 0 {
			out = append(out, registry.SourcePart{Field: v.field, Part: string(v.at.Part), Number: v.at.Number, Offset: v.at.Offset, Length: v.at.Length})
		}
	}
	return out
}
