package bulletin

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/fold"
)

// text is a source text with a folded view for matching. Patterns run on
// the folded view (lower case, no diacritics, đ as d), so "Quyet dinh",
// "QUYẾT ĐỊNH" and decomposed input all match; what is reported is cut from
// the source through pos and bpos, so offsets count characters of the source.
type text struct {
	src  string // the source with each invalid byte as U+FFFD, as []rune reads it
	f    string // folded: line breaks as "\n", other white space as " "
	pos  []int  // pos[i]: index of the character folded byte i came from; pos[len(f)] counts all
	bpos []int  // bpos[i]: the byte offset in src of that character
	// accented is whether any letter folds to something else; in an
	// unaccented text "da" may stand for "đã", otherwise it may not.
	accented bool
	sents    []sentence // set by sentences
}

// sentenceStart is where the sentence holding folded offset i starts.
func (t *text) sentenceStart(i int) int {
	k, _ := slices.BinarySearchFunc(t.sents, i, func(s sentence, i int) int { return cmp.Compare(s.e, i) })
	if k < len(t.sents) && t.sents[k].b <= i {
		return t.sents[k].b
	}
	return i
}

func newText(s string) *text {
	m := fold.Map(s)
	return &text{src: m.Source, f: m.Folded, pos: m.Rune, bpos: m.Byte, accented: m.Accented}
}

// orig returns the source text of the folded range [b, e). It shares the
// source's memory, so many records cut from one long sentence stay cheap.
func (t *text) orig(b, e int) string { return t.src[t.bpos[b]:t.bpos[e]] }

// span returns the provenance of the folded range [b, e).
func (t *text) span(b, e int) Span {
	return Span{Offset: t.pos[b], Length: t.pos[e] - t.pos[b], Sentence: t.orig(b, e)}
}

// ahead returns the folded text from b for an anchored pattern: about n
// bytes, extended to the end of a word, never past limit. Bounding what an
// anchored pattern sees keeps its cost independent of the text's length.
// From at or past limit there is nothing: callers skip spaces without
// regard to limit, so b may lie beyond it.
func (t *text) ahead(b, limit, n int) string {
	if b >= limit {
		return ""
	}
	e, stop := min(limit, b+n), min(limit, b+2*n)
	for e < stop && t.f[e] != ' ' && t.f[e] != '\n' {
		e++
	}
	return t.f[b:e]
}

// sentence is a trimmed folded range; sentences in one paragraph (one line)
// share para.
type sentence struct{ b, e, para int }

// abbreviations end in a full stop that does not end a sentence ("TP. Huế").
var abbreviations = map[string]bool{"tp": true, "tx": true, "ths": true, "ts": true, "pgs": true, "gs": true,
	// A signer acting for another: "KT. Chủ tịch", "TM. Ủy ban", "Q. Giám đốc".
	"kt": true, "tm": true, "q": true, "tl": true, "tuq": true}

// sentences splits at line breaks and at ".", "!" or "?" followed by white
// space or the end. A full stop inside a number ("5.570") has no space after
// it, so figures stay whole.
func (t *text) sentences() []sentence {
	var out []sentence
	f := t.f
	start, para := 0, 0
	flush := func(end int) {
		b, e := trimRange(f, start, end)
		if b < e {
			out = append(out, sentence{b, e, para})
		}
	}
	row := isRowLine(f, 0)
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case '\n':
			flush(i)
			start = i + 1
			para++
			row = isRowLine(f, start)
		case '.', '!', '?':
			next := i + 1
			if row || next < len(f) && f[next] != ' ' && f[next] != '\n' {
				continue
			}
			if f[i] == '.' && abbreviations[wordBefore(f, i)] {
				continue
			}
			flush(next)
			start = next
		}
	}
	flush(len(f))
	t.sents = out
	return out
}

// isRowLine reports whether the line starting at b is a table's row: a
// row is one sentence, whatever its cells hold ("1. | Sở Tư pháp").
func isRowLine(f string, b int) bool {
	e := strings.IndexByte(f[b:], '\n')
	if e < 0 {
		e = len(f) - b
	}
	return strings.Contains(f[b:b+e], " | ")
}

func wordBefore(f string, i int) string {
	j := i
	for j > 0 && isASCIIAlnum(f[j-1]) {
		j--
	}
	return f[j:i]
}

func isASCIIAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// trimRange narrows [b, e) of the folded text to drop surrounding spaces.
func trimRange(f string, b, e int) (int, int) {
	for b < e && (f[b] == ' ' || f[b] == '\n') {
		b++
	}
	for e > b && (f[e-1] == ' ' || f[e-1] == '\n') {
		e--
	}
	return b, e
}

// trimPunct also drops punctuation at the ends, as around a summary or a
// name cut from a clause.
func trimPunct(f string, b, e int) (int, int) {
	for b < e {
		r, n := utf8.DecodeRuneInString(f[b:e])
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:.-", r) {
			break
		}
		b += n
	}
	for e > b {
		r, n := utf8.DecodeLastRuneInString(f[b:e])
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:.!?-", r) {
			break
		}
		e -= n
	}
	return b, e
}

// phrases matches any of a list of Vietnamese words or phrases at a position
// of the folded text. Several one-syllable words fold to the same letters
// ("đã" and "Đà", "số" and "sở"), so a one-word phrase must also match the
// source exactly (ignoring case), unless the whole text is unaccented.
type phrases struct {
	re    *regexp.Regexp
	exact map[string]string // folded one-word phrase -> its spelling
}

func newPhrases(list ...string) *phrases {
	p := &phrases{exact: map[string]string{}}
	alts := make([]string, len(list))
	for i, w := range list {
		fw := fold.String(w)
		alts[i] = strings.ReplaceAll(regexp.QuoteMeta(fw), " ", `\s+`)
		if !strings.Contains(fw, " ") {
			p.exact[fw] = strings.ToLower(norm.NFC.String(w))
		}
	}
	// Longest first, so that a phrase is not cut short by one it begins with.
	slices.SortStableFunc(alts, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	p.re = regexp.MustCompile(`^(?:` + strings.Join(alts, "|") + `)\b`)
	return p
}

// at returns the end of the phrase starting at folded offset b, or -1.
func (p *phrases) at(t *text, b, limit int) int {
	loc := p.re.FindStringIndex(t.ahead(b, limit, 64))
	if loc == nil {
		return -1
	}
	e := b + loc[1]
	if w, ok := p.exact[t.f[b:e]]; ok {
		src := strings.ToLower(norm.NFC.String(t.orig(b, e)))
		if src != w && (t.accented || src != t.f[b:e]) {
			return -1
		}
	}
	return e
}

// nameStops end a name cut from running text: verbs and prepositions that
// follow a subject in news sentences. "và" and "của" are not among them,
// because names contain them ("Bộ Tài nguyên và Môi trường").
var nameStops = newPhrases(
	"đã", "đang", "vừa", "mới", "sẽ", "có", "là", "được", "để", "cho", "đều", "cũng", "luôn",
	"về", "v/v", "tại", "theo", "với", "trong", "nhằm", "ngày", "tháng", "ký", "nộp", "gửi",
	"ban hành", "phê duyệt", "quy định", "hướng dẫn", "triển khai", "thực hiện", "sửa đổi",
	"thay thế", "giải quyết", "tiếp nhận", "tiếp tục", "tổ chức", "phối hợp", "báo cáo",
	"xử lý", "thẩm định", "ghi nhận", "chính thức", "yêu cầu", "đề nghị", "nêu rõ",
	"nhấn mạnh", "thông qua", "từ đầu năm", "bãi bỏ", "đính chính", "căn cứ", "cụ thể hóa", "bổ sung",
)

// nameWords are phrases that hold a stop word but are parts of names:
// "Văn phòng Đăng ký đất đai".
var nameWords = newPhrases("đăng ký")

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// maxNameWords bounds a name cut from running text: a longer run has no
// stop and is more likely a clause than a name, so it is not taken.
const maxNameWords = 14

// nameEnd returns where a name starting at folded offset b ends: before a
// stop word, punctuation other than a dash or slash, or limit. ok is false
// when the name is empty or runs past maxNameWords.
func (t *text) nameEnd(b, limit int) (e int, ok bool) {
	f := t.f
	e, words := b, 0
	for i := b; i < limit; {
		r, n := utf8.DecodeRuneInString(f[i:limit])
		if r == ' ' {
			i += n
			continue
		}
		if pe := nameWords.at(t, i, limit); pe >= 0 {
			words++
			e, i = pe, pe
			continue
		}
		// A stop word capitalised inside a name is part of it: "Bộ phận
		// Tiếp nhận và trả kết quả".
		if isNamePunct(r) || nameStops.at(t, i, limit) >= 0 && (i == b || !unicode.IsUpper(firstRune(t.orig(i, i+1)))) {
			break
		}
		// "của Chính phủ và Kế hoạch số ...": another directive starts.
		if e := typeWords.at(t, i, limit); e >= 0 && numberAfterRE.MatchString(t.ahead(e, limit, 16)) {
			break
		}
		j := i
		for j < limit {
			r, n := utf8.DecodeRuneInString(f[j:limit])
			if r == ' ' || r == '\n' || isNamePunct(r) {
				break
			}
			j += n
		}
		if words++; words > maxNameWords {
			return b, false
		}
		e, i = j, j
	}
	// "của Chính phủ và Kế hoạch số ...": the "và" joins, it ends no name.
	if strings.HasSuffix(f[b:e], " va") {
		e -= len(" va")
	}
	return e, e > b
}

func isNamePunct(r rune) bool {
	return r == '\n' || unicode.IsPunct(r) && !strings.ContainsRune("-/&\u2010\u2011\u2013\u2014", r)
}
