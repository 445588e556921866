package legaldoc

import (
	"regexp"
	"strings"

	"github.com/vnregistry/registry/internal/registry"
)

var (
	// articleRE opens an article: "Điều 3." ("Điều 3 của Luật" in running
	// text has no full stop).
	articleRE = regexp.MustCompile(`^dieu\s+(\d+)\s*(?:[.:]|$)`)
	// headingRE is a chapter, section or part heading, or a directive's
	// numbered heading ("I. NGUYÊN TẮC").
	headingRE = regexp.MustCompile(`^(?:(?:chuong|muc|phan)\s+(?:[ivxlc]+|\d+|thu\s+\S+)\b|[ivxl]+\s*\.\s)`)
	// enactRE is the enacting formula that closes a preamble: "QUYẾT
	// ĐỊNH:", "QUYẾT NGHỊ:".
	enactRE = regexp.MustCompile(`^(?:quyet dinh|quyet nghi|nghi quyet|chi thi|ket luan)\s*:`)
	// enactingRE is the sentence that closes a normative document's
	// preamble: "Chính phủ ban hành Nghị định ...", "Bộ trưởng Bộ Tài chính
	// ban hành Thông tư ...".
	enactingRE = regexp.MustCompile(`^[^;:]{0,150}?\bban hanh\s+(?:bo\s+)?(?:luat|nghi dinh|nghi quyet|quyet dinh|thong tu|chi thi|phap lenh|lenh)\b`)
	// recipientsRE opens the list of recipients beside the signature.
	recipientsRE = regexp.MustCompile(`^noi nhan\s*:`)
)

// endsPreamble reports whether l closes the preamble. The enacting sentence
// does only at the start of a line after a clause has ended (with ";", ".",
// "," or ":"): a clause may run on "... của" / "Chính phủ ban hành Quy chế".
func (r *reader) endsPreamble(l line, clauseEnded bool) bool {
	s := r.t.f[l.b:l.e]
	if recipientsRE.MatchString(s) || r.t.startsUpper(l.b, l.e) && (articleRE.MatchString(s) || headingRE.MatchString(s)) {
		return true
	}
	if enactRE.MatchString(s) && !r.t.hasLower(l.b, l.e) {
		return true
	}
	return clauseEnded && r.t.startsUpper(l.b, l.e) && enactingRE.MatchString(s)
}

// maxPreambleLines bounds the preamble: past it, the text is the body.
const maxPreambleLines = 150

// preamble reads the clauses from line i to the enacting formula and the
// bases the "Căn cứ" clauses name; it returns the index of the line that
// ends the preamble. A clause begins at a line starting with an opener
// ("Căn cứ", "Theo đề nghị") and runs over the lines after it, across a
// page break: "Căn cứ Luật A ...; Luật sửa đổi A ..." is one clause, both
// laws its bases.
func (r *reader) preamble(d *Document, i int) int {
	var cur []line
	opener := ""
	flush := func() {
		if cur != nil {
			r.clause(d, opener, cur)
		}
		cur = nil
	}
	stop := min(len(r.ls), i+maxPreambleLines)
	for ; i < stop; i++ {
		l := r.ls[i]
		if l.kind != kindText {
			continue
		}
		ended := cur == nil || strings.ContainsAny(r.t.f[cur[len(cur)-1].e-1:cur[len(cur)-1].e], ";.,:")
		if r.endsPreamble(l, ended) {
			break
		}
		if o := r.opener(l); o != "" {
			flush()
			cur, opener = []line{l}, o
		} else if cur != nil {
			cur = append(cur, l)
		}
	}
	flush()
	return i
}

// clause records a preamble clause and, for a "Căn cứ" clause, every
// symbol it names.
func (r *reader) clause(d *Document, opener string, ls []line) {
	n := len(d.Preamble) + 1
	v := r.t.view(ls)
	c := Clause{Basis: opener == "căn cứ", Text: Text{Value: r.t.viewOrig(v, 0, len(v.s)), Span: r.t.viewSpan(v, PartPreamble, n, 0, len(v.s))}}
	d.Preamble = append(d.Preamble, c)
	if !c.Basis {
		return
	}
	for _, ref := range r.references(v, PartPreamble, n, 0, len(v.s)) {
		if k := ref.Key(); !r.bases[k] {
			r.bases[k] = true
			d.Bases = append(d.Bases, ref)
		}
	}
}

// symbolRE is a number and symbol in the folded text: a State document's
// số/[năm/]KÝHIỆU (66.16/2026/NQ-CP, 798/QĐ-TTg, 80/2015/QH13, the letter
// 3374/BKHCN-CNCNTT with a space after the slash) or a Party document's
// số-LOẠI/CƠQUAN (57-NQ/TW). After the last slash a letter comes first, so
// a date (12/9/2022) is none. The character before must not continue a
// word or a number.
var symbolRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}/.\-])(\d+(?:\.\d+)*\s*/\s*(?:\d{4}\s*/\s*)?[a-z][a-z0-9]*(?:-[a-z0-9]+)*|\d+-[a-z]+/[a-z][a-z0-9]*(?:-[a-z0-9]+)*)`)

// references returns the symbols named in v's range [b, e), each with its
// span in part n.
func (r *reader) references(v view, part Part, n, b, e int) []Reference {
	var out []Reference
	for _, m := range symbolRE.FindAllStringSubmatchIndex(v.s[b:e], -1) {
		out = append(out, r.reference(v, part, n, b+m[2], b+m[3]))
	}
	return out
}

func (r *reader) reference(v view, part Part, n, b, e int) Reference {
	ref := Reference{Text: Text{Value: r.t.viewOrig(v, b, e), Span: r.t.viewSpan(v, part, n, b, e)}}
	ref.Symbol, ref.Err = registry.ParseSymbol(ref.Value)
	if ref.Err != nil {
		ref.Symbol = registry.Symbol{}
	}
	return ref
}
