package bulletin

import (
	"fmt"
	"regexp"
	"slices"
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
	symbolRE = regexp.MustCompile(`(?:^|[^a-z0-9/.,]|\bso:?)(\d{1,6}\s*/\s*(?:\d{4}\s*/\s*)?[a-z0-9]+(?:\s*` + dashClass + `\s*[a-z0-9]+){0,3})`)
	dashRE   = regexp.MustCompile(`\s*` + dashClass + `\s*`)

	// typeBeforeRE is the type a text gives just before a symbol, with an
	// optional "số": "Quyết định số 468/QĐ-TTg", "Công văn 516/TTg-KSTT"; a
	// law's title may stand between ("Luật Tổ chức chính quyền địa phương
	// số 77/2015/QH13").
	typeBeforeRE = regexp.MustCompile(`(?:^|[^a-z0-9])(` + typeAlternation() + `)\s*(?:so\s*:?\s*)?$`)
	lawTitleRE   = regexp.MustCompile(`(?:^|[^a-z0-9])(luat)\s[^,;:()\n]{1,80}?\s+so\s*:?\s*$`)
	numberWordRE = regexp.MustCompile(`(?:^|[^a-z0-9])so\s*:?\s*$`)

	// issuingRE is the verb a directive is the object of, ending just before
	// its type: "ban hành", "vừa ký", "đã có", "phê duyệt".
	issuingRE = regexp.MustCompile(`(?:^|[^a-z0-9])((?:(?:vua|da|moi|cung|chinh\s+thuc|tiep\s+tuc)\s+)*(?:ky\s+ban\s+hanh|ban\s+hanh|phat\s+hanh|phe\s+duyet|thong\s+qua|ky|co|gui|trinh)` +
		// "đã phê duyệt Đề án tại Quyết định số ...".
		`(?:\s+[^,;:]{1,80}?\s+tai)?)\s+$`)
	// agentRE is the passive's agent before its verb: "được Chính phủ phê
	// duyệt tại", "được Quốc hội thông qua".
	agentRE = regexp.MustCompile(`(?:^|[^a-z0-9])duoc\s+([^,;:()]{1,60}?)\s*$`)
	// After an issuer or signer named behind a symbol: "do UBND tỉnh ban
	// hành", "do Thứ trưởng ... ký".
	signVerb   = newPhrases("ký", "ký ban hành")
	ofWords    = newPhrases("của", "do")
	issueVerbs = newPhrases("ban hành", "phát hành", "ký ban hành", "ký")
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

func typeNames() []string {
	names := []string{letterName, lawName, genericName}
	for _, t := range registry.DocTypes() {
		names = append(names, t.Name)
	}
	return names
}

func typeAlternation() string {
	names := typeNames()
	for i, n := range names {
		names[i] = strings.ReplaceAll(regexp.QuoteMeta(fold.String(n)), " ", `\s+`)
	}
	// Longest first: "Thông tư liên tịch" before "Thông tư".
	slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	return strings.Join(names, "|")
}

// typeWords matches a type name at a position (a sentence about "the
// plan" refers back to the last plan named).
var typeWords = newPhrases(typeNames()...)

// lookbackBytes bounds the folded text searched before a symbol for its
// type and issuing verb: both are short and adjacent to it.
const lookbackBytes = 96

// mention is a symbol where a sentence names it, with what the words
// around it say.
type mention struct {
	Directive
	b, e      int // the symbol in the folded text
	typeB     int // where its type word (or "số", or the symbol) starts
	clauseEnd int // after its date and issuer clause
	issued    bool
	// opens: the sentence starts with it ("Quyết định số ... phê duyệt"),
	// so the sentence is about it.
	opens    bool
	date     statedDate
	haveDate bool
	// issuerB, issuerE locate IssuerAsWritten in the folded text.
	issuerB, issuerE int
	// sharedIssuer is the issuer named after the next directive when this
	// one is listed with it ("Quyết định A và Kế hoạch B của UBND tỉnh"):
	// it may be both's or B's only.
	sharedIssuer string
}

// typeWordIn reports whether a type name starts in [b, e): a law's title
// does not run across another directive's type ("Luật Hộ tịch và Nghị
// định số ...").
func typeWordIn(t *text, b, e int) bool {
	for i := b; i < e; i++ {
		if isWordByte(t.f[i]) && (i == b || !isWordByte(t.f[i-1])) && typeWords.at(t, i, e) >= 0 {
			return true
		}
	}
	return false
}

// namesSymbol reports whether s names a number and symbol.
func (t *text) namesSymbol(s sentence) bool {
	for _, m := range symbolRE.FindAllStringSubmatchIndex(t.f[s.b:s.e], -1) {
		if _, err := registry.ParseSymbol(t.orig(s.b+m[2], t.cutSymbol(s.b+m[2], s.b+m[3]))); err == nil {
			return true
		}
	}
	return false
}

// mentions reads every symbol in sentence s.
func (t *text) mentions(s sentence, years *yearContext) []*mention {
	type found struct {
		b, e int
		sym  registry.Symbol
	}
	var symbols []found
	for _, m := range symbolRE.FindAllStringSubmatchIndex(t.f[s.b:s.e], -1) {
		b := s.b + m[2]
		e := t.cutSymbol(b, s.b+m[3])
		if sym, err := registry.ParseSymbol(t.orig(b, e)); err == nil {
			symbols = append(symbols, found{b, e, sym})
		}
	}
	var out []*mention
	for i, f := range symbols {
		prev := s.b
		if len(out) > 0 {
			prev = out[len(out)-1].clauseEnd
		}
		// What is said of this symbol ends where the next one is named.
		limit := s
		if i+1 < len(symbols) {
			limit.e = symbols[i+1].b
		}
		if d, ok := t.mention(s, limit, prev, f.b, f.e, f.sym, years); ok {
			d.opens = d.typeB == s.b
			out = append(out, d)
		}
	}
	for j := 1; j < len(out); j++ {
		a, b := out[j-1], out[j]
		if a.IssuerAsWritten == "" && b.IssuerAsWritten != "" && !b.issued && a.clauseEnd <= b.typeB &&
			listedAfterRE.MatchString(t.f[a.clauseEnd:b.typeB]) {
			a.sharedIssuer = b.IssuerAsWritten
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

// mention reads what sentence s says about the symbol at [b, e); prev is
// where the previous mention's clause ends.
func (t *text) mention(s, limit sentence, prev, b, e int, sym registry.Symbol, years *yearContext) (*mention, bool) {
	d := &mention{Directive: Directive{Symbol: sym, Span: t.span(s.b, s.e)}, b: b, e: e, typeB: b}

	// Before the symbol: its type, and the verb it is the object of.
	w := max(prev, b-lookbackBytes)
	if m := typeBeforeRE.FindStringSubmatchIndex(t.f[w:b]); m != nil {
		d.TypeAsWritten, d.typeB = t.orig(w+m[2], w+m[3]), w+m[2]
	} else if m := lawTitleRE.FindStringSubmatchIndex(t.f[w:b]); m != nil && !typeWordIn(t, w+m[3], b) {
		d.TypeAsWritten, d.typeB = t.orig(w+m[2], w+m[3]), w+m[2]
	} else if m := numberWordRE.FindStringIndex(t.f[w:b]); m != nil {
		d.typeB = w + m[0]
	}
	// A bare "số/CƠQUAN" is a letter only when the text says what it is:
	// otherwise "5/ha" would be letter 05 of an issuer HA.
	if sym.Type == "" && sym.Unit == "" && sym.Year == 0 && d.TypeAsWritten == "" {
		return nil, false
	}

	p, issuerB, issuerE := t.afterSymbol(d, e, limit, years, sym)
	d.clauseEnd = p
	issuerB, issuerE = t.issuedBy(d, s, prev, issuerB, issuerE, years, sym)
	if issuerB < 0 {
		issuerB, issuerE = t.proposedBy(prev, d.typeB)
	}
	if issuerB >= 0 {
		d.IssuerAsWritten, d.issuerB, d.issuerE = t.orig(issuerB, issuerE), issuerB, issuerE
	}
	d.IssuedOn = d.date.date

	// The rest of the sentence is the summary, unless a comma closes the
	// mention: "theo Quyết định số ... của UBND tỉnh, bộ phận ..." goes on
	// about something else.
	rb := skipSpace(t.f, p)
	if rb < s.e && t.f[rb] != ',' && t.f[rb] != ';' {
		if sb, se := trimPunct(t.f, rb, s.e); sb < se {
			d.Summary = t.orig(sb, se)
		}
	}
	return d, true
}

// afterSymbol reads what follows the symbol ending at e: "ngày <date>",
// "của <issuer>", "do <issuer> ban hành", "do <signer> ký", in any order,
// setting d's date and signer; it returns where the clause ends and the
// issuer's span (-1 when none).
func (t *text) afterSymbol(d *mention, e int, limit sentence, years *yearContext, sym registry.Symbol) (p, issuerB, issuerE int) {
	issuerB, issuerE = -1, -1
	p = e
	for {
		if !d.haveDate {
			if db, de, date, ok := t.dateAt(p, limit.e, years, sym.Year); ok && db-p <= len(" ban hanh vao ngay ") {
				// After a comma, a date opens the next clause: "Triển khai
				// Quyết định 468/QĐ-TTg, ngày 10/5/2021, UBND huyện ban hành".
				if gap := strings.TrimSpace(t.f[p:db]); gap == "" || issuedGapRE.MatchString(gap) {
					d.date, d.haveDate, p = date, true, de
					continue
				}
			}
		}
		if issuerB < 0 {
			if m := passiveAfterRE.FindStringIndex(t.f[p:limit.e]); m != nil {
				if ne, ok := t.nameEnd(p+m[1], limit.e); ok {
					if v := passiveVerbs.at(t, skipSpace(t.f, ne), limit.e); v >= 0 {
						issuerB, issuerE, p = p+m[1], ne, v
						continue
					}
				}
			}
		}
		if nb := t.afterOf(p, limit.e); nb >= 0 && (issuerB < 0 || d.Signer.Name == "") {
			if signer, ve, ok := t.signedBy(nb, limit.e); ok {
				d.Signer, p = signer, ve
				continue
			}
			if ne, ok := t.nameEnd(nb, limit.e); ok {
				if issuerB < 0 {
					issuerB, issuerE, p = nb, ne, ne
					if v := issueVerbs.at(t, skipSpace(t.f, ne), limit.e); v >= 0 {
						p = v
					}
					continue
				}
			}
		}
		break
	}
	return p, issuerB, issuerE
}

// issuedBy reads "<date>, <issuer> vừa ban hành <type> số <symbol>": the
// symbol is the object of the verb, whose subject and date are the
// directive's. It returns the issuer's span, the one given when the
// sentence names none there.
func (t *text) issuedBy(d *mention, s sentence, prev, issuerB, issuerE int, years *yearContext, sym registry.Symbol) (int, int) {
	vw := max(prev, d.typeB-lookbackBytes)
	if m := issuingRE.FindStringSubmatchIndex(t.f[vw:d.typeB]); m != nil {
		vb := vw + m[2]
		d.issued = true
		sb, se := t.subject(s, prev, vb)
		if sb >= 0 {
			if signer, ok := t.person(sb, se); ok {
				d.Signer = signer
				// "Thay mặt Chính phủ, Thủ tướng ... đã ký ban hành".
				if m := onBehalfRE.FindStringSubmatchIndex(t.f[prev:sb]); m != nil && issuerB < 0 {
					if ne, ok := t.nameEnd(prev+m[2], sb); ok {
						issuerB, issuerE = prev+m[2], ne
					}
				}
			} else if issuerB < 0 {
				issuerB, issuerE = sb, se
			}
		}
		if !d.haveDate {
			if date, ok := t.dateBefore(prev, vb, years, sym.Year); ok {
				d.date, d.haveDate = date, true
			}
		}
	}
	return issuerB, issuerE
}

// signedBy reads "<position> <name> ký" from b, the position possibly
// signing for another ("KT. Chủ tịch UBND tỉnh, Phó Chủ tịch Nguyễn Văn
// An ký"), and returns the signer and where the verb ends.
func (t *text) signedBy(b, limit int) (registry.Signer, int, bool) {
	for ne := b; ne < min(limit, b+maxClauseBytes); ne++ {
		if t.f[ne] != ' ' {
			continue
		}
		if v := signVerb.at(t, ne+1, limit); v >= 0 {
			if signer, ok := t.person(b, ne); ok {
				return signer, v, true
			}
			return registry.Signer{}, -1, false
		}
	}
	return registry.Signer{}, -1, false
}

// proposedRE is "(theo) đề nghị của <body> tại" before a directive: the
// body's proposal is that directive ("Xét đề nghị của Sở Nội vụ tại Tờ
// trình số 245/TTr-SNV").
var proposedRE = regexp.MustCompile(`\b(?:de\s+nghi|y\s+kien)\s+cua\s+([^,;:()]{1,80}?)\s+tai\s*$`)

// proposedBy returns where the body proposing by the directive whose type
// starts at typeB is named, or -1, -1.
func (t *text) proposedBy(prev, typeB int) (int, int) {
	w := max(prev, typeB-lookbackBytes)
	m := proposedRE.FindStringSubmatchIndex(t.f[w:typeB])
	if m == nil {
		return -1, -1
	}
	if ne, ok := t.nameEnd(w+m[2], typeB); ok && ne == w+m[3] {
		return w + m[2], ne
	}
	return -1, -1
}

// onBehalfRE is "thay mặt <body>," before a signer who signs for it.
var onBehalfRE = regexp.MustCompile(`(?:\bthay\s+mat|\btm\.)\s*()`)

// passiveAfterRE opens "được <issuer> thông qua" right after a symbol.
var (
	passiveAfterRE = regexp.MustCompile(`^\s*,?\s*duoc\s+`)
	passiveVerbs   = newPhrases("ban hành", "phát hành", "ký ban hành", "ký", "thông qua", "phê duyệt")
)

// issuedGapRE may stand between a symbol and its date: "ký ngày", "ban
// hành ngày", "vào ngày".
var issuedGapRE = regexp.MustCompile(`^(?:(?:duoc\s+)?(?:ky\s+ban\s+hanh|ban\s+hanh|ky)\s*)?(?:vao\s*)?$`)

func skipSpace(f string, i int) int {
	for i < len(f) && f[i] == ' ' {
		i++
	}
	return i
}

// maxClauseBytes bounds how far before its verb a subject may start.
const maxClauseBytes = 256

// subject returns the subject of the verb at vb: the name after the last
// separator (or the previous mention, or the sentence start) before it,
// a date before the verb excluded. -1, -1 when there is none.
func (t *text) subject(s sentence, prev, vb int) (int, int) {
	w := max(prev, vb-maxClauseBytes)
	if m := agentRE.FindStringSubmatchIndex(t.f[w:vb]); m != nil {
		if ne, ok := t.nameEnd(w+m[2], vb); ok && ne == w+m[3] {
			return w + m[2], ne
		}
	}
	i := strings.LastIndexAny(t.f[w:vb], ",;:(")
	if i < 0 && w > prev {
		return -1, -1 // a clause this long is not "<issuer> ban hành"
	}
	start := skipSpace(t.f, w+i+1)
	start = t.clauseStart(start, vb)
	// "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ Trần Văn Sơn vừa ký": a
	// title before the comma belongs to the subject.
	title := -1
	if i >= 0 && t.f[w+i] == ',' {
		j := strings.LastIndexAny(t.f[w:w+i], ",;:()") + 1
		if tb := skipSpace(t.f, t.clauseStart(w+j, w+i)); positions.at(t, tb, w+i) == w+i {
			title = tb
		}
	}
	// "Ngày 9/4/2021 UBND tỉnh ban hành", without the comma.
	if db, de, _, ok := t.dateAt(start, vb, nil, 0); ok && db == start {
		start = skipSpace(t.f, de)
	}
	if m := subjectLeadRE.FindStringIndex(t.f[start:vb]); m != nil {
		start += m[1]
	}
	// "Q. Giám đốc Sở Nội vụ ...": the full stop is the title's.
	from := start
	if m := actingRE.FindStringIndex(t.f[start:vb]); m != nil {
		from = skipSpace(t.f, start+m[1])
	}
	if ne, ok := t.nameEnd(from, vb); ok {
		if title >= 0 {
			return title, ne
		}
		return start, ne
	}
	return -1, -1
}

// clauseStart moves b past a spaced dash or a closing parenthesis in [b,
// e): "(Moha.gov.vn) – Bộ Nội vụ vừa ban hành".
func (t *text) clauseStart(b, e int) int {
	for _, sep := range []string{") ", " - ", " \u2013 ", " \u2014 "} {
		if j := strings.LastIndex(t.f[b:e], sep); j >= 0 {
			b = skipSpace(t.f, b+j+len(sep))
		}
	}
	return b
}

// subjectLeadRE are words before a subject that are not part of it: "và
// Thủ tướng cũng đã có", "được Chính phủ phê duyệt", "sau khi Văn phòng
// Chính phủ ban hành".
var subjectLeadRE = regexp.MustCompile(`^(?:(?:va|dong\s+thoi|con|sau\s+do|truoc\s+do|ngoai\s+ra|duoc|da\s+duoc|(?:sau|truoc|ke\s+tu|tu)\s+khi|khi)\s+)+`)

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
	return skipSpace(t.f, e)
}

// relationWords say how a directive relates to the one named after them,
// longest phrases first so "hướng dẫn thực hiện" is guidance, not
// implementation.
var relationWords = []struct {
	kind  registry.RelationKind
	words *phrases
}{
	{registry.RelAmends, newPhrases("sửa đổi, bổ sung", "sửa đổi bổ sung", "sửa đổi", "bổ sung")},
	{registry.RelReplaces, newPhrases("thay thế")},
	{registry.RelRepeals, newPhrases("bãi bỏ")},
	{registry.RelCorrects, newPhrases("đính chính")},
	{registry.RelGuides, newPhrases("hướng dẫn thi hành", "hướng dẫn thực hiện", "hướng dẫn", "quy định chi tiết")},
	{registry.RelImplements, newPhrases("triển khai thực hiện", "triển khai", "thực hiện", "cụ thể hóa", "cụ thể hoá")},
	{registry.RelBasedOn, newPhrases("căn cứ", "căn cứ vào")},
}

// gapLead may come before a relation phrase ("nhằm triển khai", "được ban
// hành để thay thế"); gapFiller after it, before the other directive ("một
// số điều của").
var (
	gapLeadRE = regexp.MustCompile(`^(?:(?:(?:duoc\s+)?ban\s+hanh|nham|de|va|dong\s+thoi|cung\s+nhu|nay|ve(?:\s+viec)?)\s*,?\s*)*`)
	// sentToRE opens a letter's gap with its recipients: "gửi các bộ, ...
	// hướng dẫn thực hiện B".
	// "đề nghị các bộ, ngành, địa phương tổ chức thực hiện B".
	sentToRE    = regexp.MustCompile(`^(?:gui|de\s+nghi|yeu\s+cau)\s`)
	gapFillerRE = regexp.MustCompile(`^(?:,?\s*(?:(?:mot\s+so|cac)\s+(?:dieu(?:\s*,\s*khoan)?|noi\s+dung|quy\s+dinh)(?:\s+va\s+bieu\s+mau)?|viec|noi\s+dung|quy\s+dinh\s+tai|tai|theo|cua)\s*)*$`)
	passiveRE   = regexp.MustCompile(`^(?:da\s+)?(?:duoc|bi)\s+`)
	byRE        = regexp.MustCompile(`^\s*(?:boi|bang|tai|theo)\s*$`)
)

// relationIn reads the gap [b, e) between two directives as a relation of
// the first to the second, or, passive ("được sửa đổi bởi"), of the second
// to the first. The relation phrase opens the gap ("A triển khai ... B",
// "A sửa đổi một số điều của Quy chế ... ban hành kèm theo B"), or closes
// it with only filler after it ("A có hiệu lực từ ngày ... và thay thế B")
// when A is the subject of what the gap says (subject).
func (t *text) relationIn(b, e int, subject bool) (kind registry.RelationKind, reversed, ok bool) {
	if b >= e {
		return "", false, false
	}
	b, e = trimRange(t.f, b, e)
	for b < e && (t.f[b] == ',' || t.f[b] == ' ') {
		b++
	}
	if strings.ContainsAny(t.f[b:e], ";") || strings.Count(t.f[b:e], " ") > maxGapWords {
		return "", false, false
	}
	lead := gapLeadRE.FindStringIndex(t.f[b:e])[1]
	p := b + lead
	// "Thực hiện A, đồng thời bãi bỏ B": the sentence goes on with its
	// subject, which A is not.
	if !subject && coordinatedLeadRE.MatchString(" "+t.f[b:p]) {
		return "", false, false
	}
	// "về thực hiện thủ tục hành chính" is a summary; "về thực hiện Quyết
	// định số ..." a relation: after "về", only filler may follow.
	about := strings.Contains(t.f[b:p], "ve")
	for _, r := range relationWords {
		if end := r.words.at(t, p, e); end >= 0 && (!about || gapFillerRE.MatchString(t.f[end:e])) {
			return r.kind, false, true
		}
	}
	// Further in: "..., đã được thay thế bằng B" (passive), or "... và
	// thay thế B" (one more thing A does), the phrase followed by filler
	// only; the earliest such phrase, so "hướng dẫn thực hiện" is guidance,
	// and never a word inside a longer phrase ("bổ sung" in "sửa đổi, bổ
	// sung").
	inside := p
	for i := p; i < e; i++ {
		if i > p && isWordByte(t.f[i-1]) || !isWordByte(t.f[i]) {
			continue
		}
		if m := passiveRE.FindStringIndex(t.f[i:e]); m != nil {
			for _, r := range relationWords {
				if end := r.words.at(t, i+m[1], e); end >= 0 && byRE.MatchString(t.f[end:e]) {
					return r.kind, true, true
				}
			}
		}
		if i < inside || !subject {
			continue
		}
		for _, r := range relationWords {
			end := r.words.at(t, i, e)
			if end < 0 {
				continue
			}
			inside = end
			if (coordinatedRE.MatchString(t.f[p:i]) || sentToRE.MatchString(t.f[b:e]) && recipientsRE.MatchString(t.f[p:i])) &&
				gapFillerRE.MatchString(t.f[end:e]) {
				return r.kind, false, true
			}
			break
		}
	}
	return "", false, false
}

// recipientsRE ends the recipients of a letter: "gửi các bộ, ... UBND các
// tỉnh, thành phố trực thuộc Trung ương".
var recipientsRE = regexp.MustCompile(`\b(?:trung\s+uong|dia\s+phuong|nganh|tinh|thanh\s+pho|huyen|thi\s+xa|xa|thi\s+tran|don\s+vi|co\s+quan|bo)\s*(?:to\s+chuc\s*)?$`)

// coordinatedRE ends the words before a relation phrase that is one more
// thing the first directive does, or what it is for: "có hiệu lực từ ngày
// 25/3/2021 và", "về các giải pháp ... để", "được xây dựng".
var coordinatedRE = regexp.MustCompile(`(?:,|\bva|\bdong\s+thoi|\bde|\bnham|(?:^|,)\s*duoc\s+(?:xay\s+dung|ban\s+hanh))\s*$`)

// maxGapWords bounds the words between two directives a relation is read
// across: further apart, the phrase is about something else.
const maxGapWords = 40

// listedAfter: "B và C", "B, C": C is listed with B and shares its
// relation.
var listedAfterRE = regexp.MustCompile(`^\s*(?:,|va|cung\s+nhu|,\s*va)\s*$`)

// relate states the relations sentence s shows between its mentions: a
// relation phrase between two ("Kế hoạch A triển khai Quyết định B", "B
// được sửa đổi bởi A"), to directives listed together ("hướng dẫn B và
// C"), or at the start of a sentence that issues one ("Căn cứ B, C, UBND
// tỉnh ban hành A", "Triển khai B, UBND huyện ban hành A"). A sentence
// about "the plan" relates the last plan named before (from).
func (t *text) relate(s sentence, ms []*mention, from *mention) {
	var src *mention // the source of the last relation, for what is listed after its target
	var kind registry.RelationKind
	for j := 0; j < len(ms); j++ {
		b := ms[j]
		gapB, a := s.b, from
		if j > 0 {
			gapB, a = ms[j-1].clauseEnd, ms[j-1]
		} else if from != nil {
			_, gapB = t.referringAt(s)
		}
		if a == nil || gapB < 0 || gapB > b.typeB {
			src = nil
			continue
		}
		gap := t.f[gapB:b.typeB]
		if src != nil && listedAfterRE.MatchString(gap) {
			t.addRelation(&src.Directive, kind, b.Symbol, s.b, s.e) // "hướng dẫn B và C"
			continue
		}
		k, reversed, ok := t.relationIn(gapB, b.typeB, !t.adverbial(s, a))
		switch {
		case !ok:
			src = nil
		case reversed:
			t.addRelation(&b.Directive, k, a.Symbol, s.b, s.e)
			src = nil
		default:
			// "A căn cứ B và thay thế C": A, not B, replaces C.
			if src != nil && coordinatedLeadRE.MatchString(gap) {
				a = src
			}
			t.addRelation(&a.Directive, k, b.Symbol, s.b, s.e)
			src, kind = a, k
		}
	}

	// "Căn cứ B, C, UBND tỉnh ban hành A" and "Triển khai B, ...": what
	// comes before the directive the sentence issues.
	p := s.b + gapLeadRE.FindStringIndex(t.f[s.b:s.e])[1]
	var lead registry.RelationKind
	for _, r := range relationWords {
		if r.words.at(t, p, s.e) >= 0 {
			lead = r.kind
			break
		}
	}
	if lead == "" {
		return
	}
	for i, m := range ms {
		if !m.issued || i == 0 {
			continue
		}
		for _, b := range ms[:i] {
			t.addRelation(&m.Directive, lead, b.Symbol, s.b, s.e)
		}
		return
	}
}

// adverbial reports whether m is only referred to in a sentence that
// opens with a reference ("Thực hiện A, UBND tỉnh rà soát và bãi bỏ B",
// "Theo A, ..."): the sentence's subject comes after it, so what the
// sentence goes on to do is not m's. What the sentence issues is its
// object, and a directive of an earlier sentence ("Quyết định ..." referring
// back) its subject.
func (t *text) adverbial(s sentence, m *mention) bool {
	if m.issued || m.b < s.b || m.b >= s.e {
		return false
	}
	p := s.b + gapLeadRE.FindStringIndex(t.f[s.b:s.e])[1]
	if referenceLeadRE.MatchString(t.f[p:s.e]) {
		return true
	}
	for _, r := range relationWords {
		if r.words.at(t, p, s.e) >= 0 {
			return true
		}
	}
	return false
}

// referenceLeadRE opens a sentence with what it refers to: "Theo Quyết
// định ...", "Tại Công văn ...".
var referenceLeadRE = regexp.MustCompile(`^(?:theo|tai)\s`)

// coordinatedLeadRE opens a gap that goes on with the same subject: "và
// thay thế", ", đồng thời bãi bỏ".
var coordinatedLeadRE = regexp.MustCompile(`^\s*,?\s*(?:va|dong\s+thoi)\s`)

// addRelation states on d an edge to the directive to, read in the text
// [b, e).
func (t *text) addRelation(d *Directive, kind registry.RelationKind, to registry.Symbol, b, e int) {
	if to.Key() == d.Symbol.Key() {
		return
	}
	rel := registry.Relation{Kind: kind, Symbol: to.String(), SymbolKey: to.Key(), Excerpt: t.orig(b, e)}
	if !registry.HasRelation(d.Relations, rel) {
		d.Relations = append(d.Relations, rel)
	}
}

// referringAt returns where a type word a sentence refers back with
// starts and ends, at the sentence's start or after an opening clause
// ("Đáng chú ý, Thông tư bãi bỏ ..."), a number not following it; -1, -1
// when there is none.
func (t *text) referringAt(s sentence) (int, int) {
	for _, p := range []int{s.b, s.b + strings.Index(t.f[s.b:s.e], ", ") + 2} {
		if p < s.b || p >= s.e {
			continue
		}
		// "Việc ban hành Thông tư nhằm ...".
		if m := issuingLeadRE.FindStringIndex(t.ahead(p, s.e, 32)); m != nil {
			p += m[1]
		}
		if e := typeWords.at(t, p, s.e); e >= 0 && !numberAfterRE.MatchString(t.ahead(e, s.e, 16)) {
			return p, e
		}
	}
	return -1, -1
}

// issuingLeadRE opens a sentence about issuing the directive it refers to.
var issuingLeadRE = regexp.MustCompile(`^viec\s+(?:ban\s+hanh|ky\s+ban\s+hanh)\s+`)

// numberAfterRE: the type word is followed by its number, so it names a
// directive rather than referring back to one.
var numberAfterRE = regexp.MustCompile(`^\s*(?:so\b|\d)`)

// referringType returns the folded type word of referringAt, or "".
func (t *text) referringType(s sentence) string {
	b, e := t.referringAt(s)
	if b < 0 {
		return ""
	}
	return t.f[b:e]
}

// signerIn finds "do <position> <name> ký" in [b, e), and where it starts.
func (t *text) signerIn(b, e int) (registry.Signer, int, bool) {
	for i := b; i < e; i++ {
		if i > b && isWordByte(t.f[i-1]) {
			continue
		}
		nb := ofWords.at(t, i, e)
		if nb < 0 || t.f[i] != 'd' {
			continue
		}
		nb = skipSpace(t.f, nb)
		// "do đồng chí Đỗ Minh Khang, Chủ tịch UBND tỉnh ký".
		ne := nb
		for ne < e && !strings.HasPrefix(t.f[ne:], " ky") {
			ne++
		}
		if ne >= e || signVerb.at(t, ne+1, e) < 0 {
			continue
		}
		if signer, ok := t.person(nb, ne); ok {
			return signer, i, true
		}
	}
	return registry.Signer{}, -1, false
}

// positions start a signer's title.
var positions = newPhrases("Thủ tướng", "Phó Thủ tướng", "Bộ trưởng", "Thứ trưởng", "Chủ tịch", "Phó Chủ tịch",
	"Giám đốc", "Phó Giám đốc", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Trưởng ban", "Phó Trưởng ban",
	"Trưởng phòng", "Phó Trưởng phòng", "Cục trưởng", "Phó Cục trưởng", "Tổng cục trưởng", "Vụ trưởng",
	"Bí thư", "Phó Bí thư", "Tổng Thư ký", "Chủ nhiệm", "Phó Chủ nhiệm", "Viện trưởng", "Chánh án", "Tổng Kiểm toán")

// actingRE is how a signature says for whom one signs: "KT." (on behalf
// of the head), "TM." (for the body), "Q." (acting), "TL.", "TUQ.".
var actingRE = regexp.MustCompile(`^(?:kt|tm|q|tl|tuq)\.\s*`)

// signerBody is the body a signer acts for, as their position names it:
// "Phó Chủ tịch UBND tỉnh" signs for "UBND tỉnh", "Q. Giám đốc Sở Tư
// pháp" for "Sở Tư pháp", "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ" for
// "Văn phòng Chính phủ", "TM. Ủy ban nhân dân tỉnh" for "Ủy ban nhân dân
// tỉnh", a Deputy Prime Minister for the Prime Minister ("Thủ tướng Chính
// phủ"). "" when the position names no body ("Phó Chủ tịch Thường trực").
func signerBody(position string) string {
	t := newText(position)
	p := 0
	for p < len(t.f) {
		switch {
		case strings.HasPrefix(t.f[p:], "thu tuong chinh phu") || strings.HasPrefix(t.f[p:], "pho thu tuong chinh phu"):
			return "Thủ tướng Chính phủ"
		case strings.HasPrefix(t.f[p:], "tm."):
			p = skipSpace(t.f, p+len("tm."))
			if e, ok := t.nameEnd(p, len(t.f)); ok && issuerHeads.at(t, p, e) >= 0 {
				return t.orig(p, e)
			}
			return ""
		}
		if m := actingRE.FindStringIndex(t.f[p:]); m != nil {
			p += m[1]
			continue
		}
		if e := positions.at(t, p, len(t.f)); e >= 0 {
			p = skipSpace(t.f, e)
			if p < len(t.f) && t.f[p] == ',' {
				p = skipSpace(t.f, p+1)
			}
			continue
		}
		break
	}
	if p >= len(t.f) || issuerHeads.at(t, p, len(t.f)) < 0 {
		return ""
	}
	if e, ok := t.nameEnd(p, len(t.f)); ok {
		return t.orig(p, e)
	}
	return ""
}

// surnames begin a Vietnamese full name: what follows a title in it.
var surnames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Lâm Mai Đoàn Trịnh Cao Hà Tạ Lương Đào Chu Thái Tô Quách Kiều Lưu Hầu Triệu Vương Đàm Nghiêm Khổng Lò Giàng Thân Văn La Tăng Châu Từ Tôn") {
		m[s] = true
	}
	return m
}()

// person reads [b, e) as "<position> <full name>" or "đồng chí <full
// name>, <position>".
func (t *text) person(b, e int) (registry.Signer, bool) {
	phrase := strings.TrimSpace(t.orig(b, e))
	phrase = strings.TrimSuffix(phrase, ",")
	for _, prefix := range []string{"đồng chí ", "Đồng chí ", "ông ", "Ông ", "bà ", "Bà "} {
		if rest, ok := strings.CutPrefix(phrase, prefix); ok {
			// "đồng chí Đỗ Minh Khang, Chủ tịch UBND tỉnh".
			name, position, ok := strings.Cut(rest, ",")
			if ok && isFullName(strings.TrimSpace(name)) {
				return registry.Signer{Position: strings.TrimSpace(position), Name: strings.TrimSpace(name)}, true
			}
			phrase = rest
		}
	}
	pb := b
	if m := actingRE.FindStringIndex(t.f[b:e]); m != nil {
		pb = skipSpace(t.f, b+m[1])
	}
	if positions.at(t, pb, e) < 0 {
		return registry.Signer{}, false
	}
	words := strings.Fields(phrase)
	for i := 1; i < len(words); i++ {
		if surnames[words[i]] && isFullName(strings.Join(words[i:], " ")) {
			return registry.Signer{Position: strings.Join(words[:i], " "), Name: strings.Join(words[i:], " ")}, true
		}
	}
	return registry.Signer{}, false
}

// isFullName: two to five words, each capitalised, the first a surname.
func isFullName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 5 || !surnames[words[0]] {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// issuerHeads start the name of a body; two of them joined by "và" in a
// subject are two issuers.
var issuerHeads = newPhrases("UBND", "Ủy ban nhân dân", "Uỷ ban nhân dân", "HĐND", "Hội đồng nhân dân", "Sở", "Bộ",
	"Ban", "Văn phòng", "Phòng", "Trung tâm", "Cục", "Tổng cục", "Chính phủ", "Thủ tướng", "Quốc hội", "Thanh tra")

// localities complete a body's name: "UBND huyện" is a whole name, "Văn
// phòng HĐND" in "Văn phòng HĐND và UBND huyện" is not.
var localityRE = regexp.MustCompile(`\b(?:tinh|huyen|thanh\s+pho|thi\s+xa|quan|xa|phuong|thi\s+tran|chinh\s+phu|trung\s+uong)$`)

// twoIssuers reports whether an issuer as written names two bodies ("UBND
// huyện và Ban Chỉ đạo ..."), which a reader cannot split into one.
func (t *text) twoIssuers(b, e int) bool {
	i := strings.Index(t.f[b:e], " va ")
	if i < 0 {
		return false
	}
	left, right := b, b+i+len(" va ")
	return issuerHeads.at(t, left, e) >= 0 && issuerHeads.at(t, right, e) >= 0 &&
		(localityRE.MatchString(strings.TrimSpace(t.f[left:b+i])) || strings.HasPrefix(t.f[left:], "bo ") || strings.HasPrefix(t.f[left:], "so "))
}

func directiveFindings(d *Directive, date statedDate, haveDate bool, ambiguousIssuer bool, sharedIssuer string) []registry.Finding {
	var fs []registry.Finding
	sym := d.Symbol
	switch {
	case !haveDate:
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text gives no date of issue for %s", sym)})
	case d.IssuedOn == "" && !date.year:
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %q, without a year, and nothing in it gives one", sym, date.written)})
	case d.IssuedOn == "":
		fs = append(fs, registry.Finding{Code: registry.FindingDateUndetermined, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %q, which is not a valid date", sym, date.written)})
	case !date.year:
		fs = append(fs, registry.Finding{Code: registry.FindingDateYearInferred, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %q without a year; %d is %s", sym, date.written, d.IssuedOn.Year(), date.yearFrom)})
	case sym.Year != 0 && d.IssuedOn.Year() != sym.Year:
		fs = append(fs, registry.Finding{Code: registry.FindingYearDisagreesWithSymbol, Field: "issuedOn",
			Message: fmt.Sprintf("the text dates %s %s, but the symbol carries the year %d", sym, d.IssuedOn, sym.Year)})
	}

	switch {
	case ambiguousIssuer:
		fs = append(fs, registry.Finding{Code: registry.FindingAmbiguous, Field: "issuer",
			Message: fmt.Sprintf("the text names %q as issuing %s: more than one body, and the record takes one", d.IssuerAsWritten, sym)})
		d.IssuerAsWritten = ""
	case d.IssuerAsWritten == "" && sharedIssuer != "":
		fs = append(fs, registry.Finding{Code: registry.FindingAmbiguous, Field: "issuer",
			Message: fmt.Sprintf("the text names %q after %s and the directive listed with it: whether it issued both is not said", sharedIssuer, sym)})
	case d.IssuerAsWritten == "":
		fs = append(fs, registry.Finding{Code: registry.FindingIssuerUndetermined, Field: "issuer",
			Message: fmt.Sprintf("the text does not name the issuer of %s; the symbol says %s", sym, sym.Issuer)})
	default:
		if f := registry.IssuerDisagreement(d.IssuerAsWritten, sym); f != nil {
			fs = append(fs, *f)
		}
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
	switch {
	case key == "" || key == fold.String(genericName):
		return nil
	case sym.Type == "" && sym.Year != 0 && key == fold.String("Nghị quyết"):
		return nil // the Assembly's resolutions are numbered as its laws are: 30/2021/QH15
	}
	switch key {
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
