package legaldoc

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// article is an article's number and lines, its heading line first.
type article struct {
	n  int
	ls []line
}

// articles reads the articles from line i, and the summary, for the
// documents they act on; and the articles for the effective date.
func (r *reader) articles(d *Document, i int) {
	var arts []article
	for ; i < len(r.ls); i++ {
		l := r.ls[i]
		s := r.t.f[l.b:l.e]
		if m := articleRE.FindStringSubmatch(s); m != nil && r.t.startsUpper(l.b, l.e) {
			n, _ := strconv.Atoi(m[1])
			arts = append(arts, article{n: n, ls: []line{l}})
			continue
		}
		if recipientsRE.MatchString(s) || capacityRE.MatchString(s) && !r.t.hasLower(l.b, l.e) {
			break
		}
		if len(arts) == 0 || l.kind != kindText {
			continue
		}
		if headingRE.MatchString(s) && r.t.startsUpper(l.b, l.e) {
			// A chapter's heading and title belong to no article.
			arts = append(arts, article{n: -1})
			continue
		}
		arts[len(arts)-1].ls = append(arts[len(arts)-1].ls, l)
	}
	if d.Summary.Value != "" {
		r.effects(d, r.t.view(r.summaryLines), PartSummary, 0)
	}
	for _, a := range arts {
		if a.n < 0 {
			continue
		}
		v := r.t.view(a.ls)
		r.effects(d, v, PartArticle, a.n)
		if d.Effective.Value == "" {
			r.effective(d, v, a.n)
		}
	}
}

var (
	// actionRE is an action on another document. "Thay thế cụm từ ..." and
	// "thay thế Phụ lục ..." amend; they do not replace the document.
	actionRE = regexp.MustCompile(`\b(?:(bai bo)|(thay the)(\s+(?:cum tu|tu ngu|tu|cac tu|phu luc|mau|bieu mau|bang|khoan|diem|dieu))?|(sua doi(?:\s*,\s*bo sung)?|bo sung)|(dinh chinh)|((?:tam\s+)?ngung\s+(?:hieu\s+luc|thi\s+hanh|ap\s+dung)|(?:tam\s+)?dinh\s+chi))\b`)
	// sentenceEndRE ends a sentence of an article or a list item.
	sentenceEndRE = regexp.MustCompile(`[.;:](?:\s|$)`)
	// leadRE is what may precede the action at the start of a sentence:
	// numbering, a bullet, a quotation mark, "Về việc".
	leadRE = regexp.MustCompile(`^(?:(?:\d{1,3}\s*[.)]|[a-z]{1,2}\s*\)|[-+•*"“”']|ve\s+viec|ve)\s*)*$`)
	// thisRE is the document speaking of itself: "Thông tư này ... thay thế".
	thisRE = regexp.MustCompile(`\bnay\b`)
	// detourRE, between an action and a symbol, shows the symbol is named in
	// a description, not acted on: "Sửa đổi nhiệm vụ trong Chương trình ...
	// thực hiện Nghị quyết số ...".
	detourRE = regexp.MustCompile(`\b(?:thuc hien|trien khai|huong dan|de|nham|theo|ve viec)\b`)
	// formRE: a form's number ("Mẫu số 01/TKN-CNKD") is no document's.
	formRE = regexp.MustCompile(`\bmau\s+(?:so\s*)?$`)
	// connectorRE joins a further target: "... và Nghị quyết số", ", số".
	connectorRE = regexp.MustCompile(`(?:\bva|,|;)\s*(?:cac\s+)?(?:(?:bo\s+)?(?:luat|nghi dinh|nghi quyet|quyet dinh|thong tu(?:\s+lien\s+tich)?|chi thi|phap lenh|ke hoach|van ban)\s+)?(?:so\s*)?$`)
	// namedTypeRE: a document named just before a connector, which then
	// joins the description ("hướng dẫn Luật Quản lý thuế và Nghị định số").
	namedTypeRE = regexp.MustCompile(`\b(?:luat|nghi dinh|nghi quyet|quyet dinh|thong tu|phap lenh)\b`)
)

// maxActionReach bounds how far after its action a first target may be.
const maxActionReach = 240

// effects reads the actions in v, the text of article n (or the summary),
// sentence by sentence. A sentence ending "sau:" with no target of its own
// acts on the documents the following items name.
func (r *reader) effects(d *Document, v view, part Part, n int) {
	var listed Action
	depth := 0 // quotation marks open before the sentence
	for b := 0; b < len(v.s); {
		e := len(v.s)
		if m := sentenceEndRE.FindStringIndex(v.s[b:]); m != nil {
			e = b + m[0] + 1
		}
		s := v.s[b:e]
		if a, ae, ok := r.action(v, b, e, depth); ok {
			listed = ""
			targets := r.targets(v, part, n, b+ae, e, true)
			if len(targets) == 0 && strings.HasSuffix(s, ":") && !strings.Contains(s, "nhu sau") {
				listed = a
			}
			r.addEffects(d, a, targets, r.t.viewOrig(v, b, e))
		} else if listed != "" {
			r.addEffects(d, listed, r.targets(v, part, n, b, e, false), r.t.viewOrig(v, b, e))
		}
		depth += quotes(s)
		b = e
	}
}

// action finds the action the sentence [b, e) of v states, and where it
// ends (relative to b): at the sentence's start, or anywhere when the
// document speaks of itself before it ("Quyết định này ... thay thế ...").
// One stated in the passive ("được sửa đổi, bổ sung") describes; one
// inside quotation marks (depth of them open at b) is the text an
// amendment puts in.
func (r *reader) action(v view, b, e, depth int) (Action, int, bool) {
	s := v.s[b:e]
	this := len(s)
	if m := thisRE.FindStringIndex(s); m != nil {
		this = m[0]
	}
	prev := 0
	for _, m := range actionRE.FindAllStringSubmatchIndex(s, -1) {
		depth += quotes(s[prev:m[0]])
		prev = m[0]
		before := s[:m[0]]
		if !leadRE.MatchString(strings.TrimSpace(before)) && this >= m[0] {
			continue
		}
		if depth > 0 || passiveRE.MatchString(before[max(0, len(before)-passiveReach):]) {
			continue
		}
		// Folded, "quy định chi tiết" holds "dinh chi"; "đình chỉ" is
		// told from it by its accents.
		if m[12] >= 0 && strings.Contains(s[m[12]:m[13]], "dinh") && !strings.Contains(strings.ToLower(norm.NFC.String(r.t.viewOrig(v, b+m[12], b+m[13]))), "đình chỉ") {
			continue
		}
		switch {
		case m[2] >= 0:
			return Repeals, m[1], true
		case m[4] >= 0 && m[6] < 0:
			return Replaces, m[1], true
		case m[4] >= 0, m[8] >= 0:
			return Amends, m[1], true
		case m[10] >= 0:
			return Corrects, m[1], true
		}
		return Suspends, m[1], true
	}
	return "", 0, false
}

// quotes is how many more quotation marks s opens than it closes.
func quotes(s string) int { return strings.Count(s, "“") - strings.Count(s, "”") }

// passiveReach is how far before an action the passive is looked for.
const passiveReach = 24

var passiveRE = regexp.MustCompile(`\b(?:duoc|bi|da)\s+(?:\S+\s+)?$`)

// targets are the symbols in v's range [b, e) an action acts on: the first
// (when first, unless named in a description), and each joined to the one
// before by "và", "," or ";" right before its type.
func (r *reader) targets(v view, part Part, n, b, e int, first bool) []Reference {
	var out []Reference
	prev := b
	for _, m := range symbolRE.FindAllStringSubmatchIndex(v.s[b:e], -1) {
		sb, se := b+m[2], b+m[3]
		if formRE.MatchString(v.s[max(b, sb-12):sb]) {
			continue
		}
		switch {
		case len(out) == 0 && (!first || sb-b <= maxActionReach && !detour(v.s[b:sb])):
		case len(out) > 0 && joined(v.s[prev:sb]):
		default:
			if len(out) == 0 {
				return nil
			}
			continue
		}
		out = append(out, r.reference(v, part, n, sb, se))
		prev = se
	}
	return out
}

// detour reports whether gap, from an action to a symbol, names the symbol
// in a description. "ban hành kèm theo Thông tư số ..." names what is acted
// on.
func detour(gap string) bool {
	return detourRE.MatchString(strings.ReplaceAll(gap, "kem theo", "kem"))
}

// joined reports whether gap, from a target to the next symbol, joins the
// symbol as a further target.
func joined(gap string) bool {
	m := connectorRE.FindStringIndex(gap)
	if m == nil {
		return false
	}
	words := strings.Fields(gap[:m[0]])
	return !namedTypeRE.MatchString(strings.Join(words[max(0, len(words)-6):], " "))
}

func (r *reader) addEffects(d *Document, a Action, targets []Reference, excerpt string) {
	for _, t := range targets {
		dup := false
		for _, e := range d.Effects {
			dup = dup || e.Action == a && e.Target.Key() == t.Key()
		}
		if !dup {
			d.Effects = append(d.Effects, Effect{Action: a, Target: t, Excerpt: excerpt})
		}
	}
}

// effectiveRE is the effective-date sentence: "Thông tư này có hiệu lực thi
// hành kể từ ngày 01 tháng 7 năm 2026", "... có hiệu lực kể từ ngày ký".
var effectiveRE = regexp.MustCompile(`\b(?:bo\s+)?(?:luat|nghi dinh|nghi quyet|quyet dinh|thong tu(?:\s+lien\s+tich)?|chi thi|phap lenh|lenh|van ban)(?:\s+nay)?\s+co\s+hieu\s+luc(?:\s+thi\s+hanh)?\s+(?:ke\s+)?tu\s+(ngay\s+ky\b(?:\s+ban\s+hanh)?|ngay\b)`)

// effective reads the effective date from article n's text v.
func (r *reader) effective(d *Document, v view, n int) {
	m := effectiveRE.FindStringSubmatchIndex(v.s)
	if m == nil {
		return
	}
	if strings.HasPrefix(v.s[m[2]:m[3]], "ngay ky") {
		d.Effective = Effective{OnSigning: true, Text: Text{Value: r.t.viewOrig(v, m[0], m[1]), Span: r.t.viewSpan(v, PartArticle, n, m[0], m[1])}}
		return
	}
	dm := dateRE.FindStringSubmatchIndex(v.s[m[2]:])
	if dm == nil || dm[0] != 0 {
		return
	}
	on, ok := dateOf(v.s[m[2]:], dm)
	if !ok {
		return
	}
	e := m[2] + dm[1]
	d.Effective = Effective{On: on, Text: Text{Value: r.t.viewOrig(v, m[0], e), Span: r.t.viewSpan(v, PartArticle, n, m[0], e)}}
}
