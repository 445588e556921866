package legaldoc

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/fold"
)

// text is the input with a folded view for matching: lower case, no
// diacritics, đ as d, every line break as "\n" and other white space as " ".
// Each source character folds on its own, so positions map back exactly:
// values are cut from the source and spans count its characters (runes).
type text struct {
	src  string // the source, each invalid byte as U+FFFD
	f    string // folded
	pos  []int  // pos[i]: the rune index of the character folded byte i came from
	bpos []int  // bpos[i]: its byte offset in src
}

func newText(s string) *text {
	m := fold.Map(s)
	return &text{src: m.Source, f: m.Folded, pos: m.Rune, bpos: m.Byte}
}

// orig is the source of the folded range [b, e).
func (t *text) orig(b, e int) string { return t.src[t.bpos[b]:t.bpos[e]] }

// span is the provenance of the folded range [b, e).
func (t *text) span(part Part, n, b, e int) Span {
	return Span{Part: part, Number: n, Offset: t.pos[b], Length: t.pos[e] - t.pos[b]}
}

// kind classifies a line.
type kind int

const (
	kindText  kind = iota
	kindNoise      // gazette running header, page number, signature stamp, gazette section title
	kindMotto      // national motto or the Party's
	kindRule       // a line of underscores or dashes under a heading
)

// line is a trimmed folded range holding no line break. PDF text puts two
// columns on one line with a wide gap between them ("BỘ CÔNG AN      CỘNG
// HÒA ..."), so such a line is two cells, each a line of its own here.
type line struct {
	b, e int
	kind kind
}

// columnGap is the run of spaces that separates two columns.
var columnGap = regexp.MustCompile(` {3,}`)

// numberLabelRE is a number line's label with nothing after it yet.
var numberLabelRE = regexp.MustCompile(`(?:^|\s)so\s*:$`)

// lines splits t into its non-empty cells, classified.
func (t *text) lines() []line {
	var out []line
	start := 0
	for i := 0; i <= len(t.f); i++ {
		if i < len(t.f) && t.f[i] != '\n' {
			continue
		}
		b := start
		for _, gap := range columnGap.FindAllStringIndex(t.f[start:i], -1) {
			if numberLabelRE.MatchString(t.f[b : start+gap[0]]) {
				continue // "Số:   15/2026/NQ-CP": the label and its value
			}
			out = t.appendCell(out, b, start+gap[0])
			b = start + gap[1]
		}
		out = t.appendCell(out, b, i)
		start = i + 1
	}
	t.markStamps(out)
	return out
}

func (t *text) appendCell(out []line, b, e int) []line {
	b, e = trimSpace(t.f, b, e)
	if b >= e {
		return out
	}
	l := line{b: b, e: e}
	s := t.f[b:e]
	switch {
	case runningHeaderRE.MatchString(s) || pageNumberRE.MatchString(s) || sectionTitleRE.MatchString(s):
		l.kind = kindNoise
	case mottoRE.MatchString(s):
		l.kind = kindMotto
	case ruleRE.MatchString(s):
		l.kind = kindRule
	}
	return append(out, l)
}

var (
	// "CÔNG BÁO/Số 503 + 504/Ngày 20-02-2023", with the page number
	// before or after it.
	runningHeaderRE = regexp.MustCompile(`^(?:\d+\s+)?cong bao\s*/\s*so\b[^/]*/\s*ngay\s*[\d\s./-]+$`)
	pageNumberRE    = regexp.MustCompile(`^\d{1,4}$`)
	// The gazette's section titles above a document.
	sectionTitleRE = regexp.MustCompile(`^(?:van ban quy pham phap luat|van ban phap luat khac|van ban hop nhat|van ban khac)$`)
	mottoRE        = regexp.MustCompile(`^(?:cong hoa xa hoi chu nghia viet nam|doc lap\s*\p{Pd}\s*tu do\s*\p{Pd}\s*hanh phuc|dang cong san viet nam)$`)
	ruleRE         = regexp.MustCompile(`^[\s_\p{Pd}=*.·]+$`)
	// A digital-signature stamp: "Ký bởi: ...", "Cơ quan: ...", "Ngày
	// ký: ..." or "Người ký: ...", "Email: ...", "Cơ quan: ...", "Thời gian
	// ký: ...". Its first line opens it; the others are only noise in it.
	stampOpenRE = regexp.MustCompile(`^(?:ky boi|nguoi ky)\s*:`)
	stampLineRE = regexp.MustCompile(`^(?:ky boi|nguoi ky|email|co quan|thoi gian ky|ngay ky)\s*:`)
)

// markStamps marks the lines of signature stamps as noise.
func (t *text) markStamps(ls []line) {
	in := false
	for i := range ls {
		s := t.f[ls[i].b:ls[i].e]
		switch {
		case stampOpenRE.MatchString(s):
			in = true
		case !in || !stampLineRE.MatchString(s):
			in = false
			continue
		}
		ls[i].kind = kindNoise
	}
}

func trimSpace(f string, b, e int) (int, int) {
	for b < e && f[b] == ' ' {
		b++
	}
	for e > b && f[e-1] == ' ' {
		e--
	}
	return b, e
}

// view is the text of several lines joined, for patterns that run across
// line breaks: at maps each byte of s to the folded offset it came from.
// Lines join with a space, except after a hyphen or slash that breaks a
// symbol ("68/2026/NĐ-" then "CP").
type view struct {
	s  string
	at []int // at[i] for each byte of s; a joining space maps to -1
}

func (t *text) view(ls []line) view {
	var v view
	var b strings.Builder
	for i, l := range ls {
		if i > 0 && !brokenSymbol(b.String()) {
			b.WriteByte(' ')
			v.at = append(v.at, -1)
		}
		b.WriteString(t.f[l.b:l.e])
		for j := l.b; j < l.e; j++ {
			v.at = append(v.at, j)
		}
	}
	v.s = b.String()
	return v
}

// brokenSymbol reports whether s ends in a hyphen or slash right after a
// letter or digit: a symbol broken at the end of a line.
func brokenSymbol(s string) bool {
	n := len(s)
	return n >= 2 && (s[n-1] == '-' || s[n-1] == '/') && s[n-2] != ' '
}

// viewOrig is the source of the view's range [b, e), each line's part cut from
// the source and the parts joined as the view joins them.
func (t *text) viewOrig(v view, b, e int) string {
	var out strings.Builder
	for i := b; i < e; {
		if v.at[i] < 0 {
			out.WriteByte(' ')
			i++
			continue
		}
		j := i
		for j+1 < e && v.at[j+1] == v.at[j]+1 {
			j++
		}
		out.WriteString(t.orig(v.at[i], v.at[j]+1))
		i = j + 1
	}
	return collapseSpace(out.String())
}

// viewSpan is the provenance of the view's range [b, e).
func (t *text) viewSpan(v view, part Part, n, b, e int) Span {
	for b < e && v.at[b] < 0 {
		b++
	}
	for e > b && v.at[e-1] < 0 {
		e--
	}
	if b >= e {
		return Span{Part: part, Number: n}
	}
	return t.span(part, n, v.at[b], v.at[e-1]+1)
}

// collapseSpace trims s and writes each run of white space as one space.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// hasLower reports whether the source of [b, e) has a lower-case letter.
func (t *text) hasLower(b, e int) bool {
	return strings.IndexFunc(t.orig(b, e), unicode.IsLower) >= 0
}

// startsUpper reports whether the source of [b, e) starts with a capital.
func (t *text) startsUpper(b, e int) bool {
	r, _ := utf8.DecodeRuneInString(t.orig(b, e))
	return unicode.IsUpper(r)
}
