package legaldoc

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/fold"
)

// reader holds one text being read.
type reader struct {
	t  *text
	ls []line // the lines, without noise (running headers, page numbers, stamps)
	// first is the summary's part on the line that opens it (the type line
	// or a letter's "V/v" line), nil when the summary starts on a line of
	// its own.
	first *line
	// summaryLines are the parts of lines the summary was read from.
	summaryLines []line
	bases        map[string]bool // the keys of Document.Bases
}

func newReader(s string) *reader {
	r := &reader{t: newText(s), bases: map[string]bool{}}
	for _, l := range r.t.lines() {
		if l.kind != kindNoise {
			r.ls = append(r.ls, l)
		}
	}
	return r
}

// Read reads s as an official document. ok is false when s is not laid out
// as one (no national motto, or neither a number line nor a type line in
// its header): news prose that quotes a document is not one.
func Read(s string) (d Document, ok bool) {
	r := newReader(s)
	i, ok := r.header(&d)
	if !ok {
		return Document{}, false
	}
	i = r.summary(&d, i)
	i = r.preamble(&d, i)
	r.articles(&d, i)
	r.signature(&d, i)
	if d.Effective.OnSigning {
		d.Effective.On = d.Date.On
	}
	return d, true
}

// IsOfficial reports whether s is laid out as an official document: the
// national motto (or the Party's) and, in the header, a number line ("Số:")
// or a type line ("QUYẾT ĐỊNH").
func IsOfficial(s string) bool {
	_, ok := newReader(s).header(&Document{})
	return ok
}

// issuer reads the issuing body, and the body above it, from the header's
// lines in capitals. PDF text often prints the name twice (once whole, once
// as laid out over two lines): a repeated run is read once. A line that
// starts with the head of a body ("SỞ", "CỤC", "BỘ") starts a body of its
// own; any other continues the name above it ("BỘ NÔNG NGHIỆP" / "VÀ PHÁT
// TRIỂN NÔNG THÔN", "ỦY BAN THƯỜNG VỤ" / "QUỐC HỘI").
func (r *reader) issuer(d *Document, ls []line) {
	ls = r.once(ls)
	var bodies [][]line
	for _, l := range ls {
		if len(bodies) == 0 || bodyHeadRE.MatchString(r.t.f[l.b:l.e]) {
			bodies = append(bodies, nil)
		}
		bodies[len(bodies)-1] = append(bodies[len(bodies)-1], l)
	}
	text := func(ls []line) Text {
		v := r.t.view(ls)
		return Text{Value: r.t.viewOrig(v, 0, len(v.s)), Span: r.t.viewSpan(v, PartHeader, 0, 0, len(v.s))}
	}
	if n := len(bodies); n > 0 {
		d.Issuer = text(bodies[n-1])
		if n > 1 {
			d.Parent = text(bodies[n-2])
		}
	}
}

// bodyHeadRE opens the name of a body that may stand under another. "CHÍNH
// PHỦ" and "QUỐC HỘI" never do: on a line of their own below another they
// end its name ("THỦ TƯỚNG" / "CHÍNH PHỦ").
var bodyHeadRE = regexp.MustCompile(`^(?:bo|uy ban|ubnd|hoi dong|hdnd|so|cuc|tong cuc|chi cuc|vu|van phong|ban|ngan hang|toa an|vien|kiem toan|thanh tra|phong|trung tam|tinh uy|thanh uy|huyen uy|dang uy|dang bo|thu tuong|chu tich|hoc vien|truong|benh vien|cong an|kho bac|bao hiem xa hoi|tap doan|tong cong ty|cong ty|bo chi huy|bo tu lenh)\b`)

// once returns ls without a repetition: when the lines split into two runs
// that read the same (spaces aside), the first.
func (r *reader) once(ls []line) []line {
	keys := make([]string, len(ls))
	for i, l := range ls {
		keys[i] = strings.ReplaceAll(r.t.f[l.b:l.e], " ", "")
	}
	for k := 1; k < len(ls); k++ {
		if strings.Join(keys[:k], "") == strings.Join(keys[k:], "") {
			return ls[:k]
		}
	}
	return ls
}

// maxSummaryLines bounds a summary: Decree 30 keeps it short.
const maxSummaryLines = 12

// summary reads the trích yếu from line i (and r.first): until a rule line,
// a preamble clause, an article, or the line in capitals that names the
// issuing authority above the preamble ("CHÍNH PHỦ", "BỘ TRƯỞNG BỘ TÀI
// CHÍNH"). A law's title is in capitals too: there only the issuer's name
// ends it. It returns the index of the line after it.
func (r *reader) summary(d *Document, i int) int {
	var parts []line
	if r.first != nil {
		parts = append(parts, *r.first)
	}
	for ; i < len(r.ls) && len(parts) < maxSummaryLines; i++ {
		l := r.ls[i]
		if l.kind == kindRule {
			if len(parts) > 0 {
				i++
				break
			}
			continue
		}
		// A letter's summary ends where its right column comes in.
		if l.kind == kindMotto || placeDateRE.MatchString(r.t.f[l.b:l.e]) || r.endsSummary(l, len(parts) == 0) {
			break
		}
		if len(parts) > 0 && r.authority(d, parts, l) {
			break
		}
		parts = append(parts, l)
	}
	if len(parts) > 0 {
		r.summaryLines = parts
		v := r.t.view(parts)
		d.Summary = Text{Value: r.t.viewOrig(v, 0, len(v.s)), Span: r.t.viewSpan(v, PartSummary, 0, 0, len(v.s))}
	}
	return i
}

// endsSummary reports whether l ends the summary: a preamble clause, an
// article or the enacting formula. A summary's first line may begin as a
// clause does ("Triển khai thực hiện ..."), unless it is a "Căn cứ".
func (r *reader) endsSummary(l line, first bool) bool {
	if s := r.t.f[l.b:l.e]; articleRE.MatchString(s) || addresseesRE.MatchString(s) || r.endsPreamble(l, false) {
		return true
	}
	o := r.opener(l)
	return o != "" && (!first || o == "căn cứ")
}

// authority reports whether l, after the summary's lines so far, names the
// authority that enacts rather than continuing the summary.
func (r *reader) authority(d *Document, parts []line, l line) bool {
	if r.t.hasLower(l.b, l.e) || strings.IndexFunc(r.t.orig(l.b, l.e), unicode.IsLetter) < 0 {
		return false
	}
	if r.t.hasLower(parts[0].b, parts[0].e) {
		return true
	}
	return d.Issuer.Value != "" && strings.Contains(fold.String(r.t.orig(l.b, l.e)), fold.String(d.Issuer.Value))
}

// openers begin a preamble clause. They are matched on the source, accents
// and all: folded, "Để" would also be "Đề án" at the start of a line.
var openers = []string{
	"căn cứ", "thực hiện", "để", "xét", "theo", "sau khi", "trên cơ sở", "nhằm",
	"thi hành", "triển khai", "tiếp theo", "qua",
}

// opener returns the opener l begins with, capitalised as a clause starts,
// or "". A line all in capitals is a title ("THEO HỢP ĐỒNG"), no clause.
func (r *reader) opener(l line) string {
	src := r.t.orig(l.b, l.e)
	if first, _ := utf8.DecodeRuneInString(src); !unicode.IsUpper(first) || !r.t.hasLower(l.b, l.e) {
		return ""
	}
	src = strings.ToLower(norm.NFC.String(src))
	for _, o := range openers {
		if rest, ok := strings.CutPrefix(src, o); ok {
			if next, _ := utf8.DecodeRuneInString(rest); rest == "" || !unicode.IsLetter(next) && !unicode.IsDigit(next) {
				return o
			}
		}
	}
	return ""
}
