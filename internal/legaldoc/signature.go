package legaldoc

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	// capacityRE is a capacity line: "TM. CHÍNH PHỦ", "KT. BỘ TRƯỞNG",
	// "TL. BỘ TRƯỞNG", "TUQ. CHỦ TỊCH", "Q. GIÁM ĐỐC".
	capacityRE = regexp.MustCompile(`^(?:tm|kt|tl|tuq|q|ttl)\s*\.\s*\S`)
	// titleRE is a signer's title: "THỦ TƯỚNG", "PHÓ CHỦ TỊCH", "CHỦ TỊCH
	// QUỐC HỘI".
	titleRE = regexp.MustCompile(`^(?:pho\s+)?(?:thu tuong|bo truong|thu truong|chu tich|giam doc|thong doc|chanh an|vien truong|tong kiem toan|tong thanh tra|tong cuc truong|cuc truong|vu truong|chanh van phong|truong ban|bi thu|tong bi thu|hieu truong|chu nhiem|tong giam doc|tong thu ky|truong phong|chi cuc truong)\b`)
	// asideRE are lines the signature block is interleaved with in PDF
	// text: recipients ("Nơi nhận:", "- Như Điều 3;", "Lưu: VT"), "(Đã ký)".
	asideRE = regexp.MustCompile(`^(?:noi nhan\s*:|luu\s*:|[-+•*]|\(?\s*da ky)`)
)

// maxAside bounds the lines between a signer's title and name.
const maxAside = 8

// signature reads the signature block after line from: the last signer's
// name (a line of two to seven capitalised words) under a title or
// capacity line in capitals, with the title and capacity lines above it.
func (r *reader) signature(d *Document, from int) {
	for k := len(r.ls) - 1; k > from; k-- {
		if !r.name(r.ls[k]) {
			continue
		}
		p := r.above(k, from)
		if p < 0 || !r.titleOrCapacity(r.ls[p]) {
			continue
		}
		// Titles under capacities: "KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG".
		var titles, capacities []line
		for ; p >= 0 && r.titleOrCapacity(r.ls[p]); p = r.above(p, from) {
			l := r.ls[p]
			if capacityRE.MatchString(r.t.f[l.b:l.e]) {
				capacities = append([]line{l}, capacities...)
			} else if len(capacities) == 0 {
				titles = append([]line{l}, titles...)
			} else {
				break
			}
		}
		top := append(capacities, titles...)[0]
		nl := r.ls[k]
		d.Signature = Signature{
			Capacity: r.joined(capacities), Title: r.joined(titles),
			Name: collapseSpace(r.t.orig(nl.b, nl.e)),
			Span: r.t.span(PartSignature, 0, top.b, nl.e),
		}
		return
	}
}

// above is the index of the line above k that is not aside the block, or
// -1 within maxAside lines.
func (r *reader) above(k, from int) int {
	for p := k - 1; p > from && p >= k-maxAside; p-- {
		l := r.ls[p]
		if l.kind == kindText && !asideRE.MatchString(r.t.f[l.b:l.e]) {
			return p
		}
	}
	return -1
}

func (r *reader) titleOrCapacity(l line) bool {
	s := r.t.f[l.b:l.e]
	return !r.t.hasLower(l.b, l.e) && (capacityRE.MatchString(s) || titleRE.MatchString(s))
}

func (r *reader) joined(ls []line) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = collapseSpace(r.t.orig(l.b, l.e))
	}
	return strings.Join(parts, " ")
}

// name reports whether l is a person's name: two to seven words, each a
// capital and then small letters ("Nguyễn Thị Kim Ngân").
func (r *reader) name(l line) bool {
	words := strings.Fields(r.t.orig(l.b, l.e))
	if len(words) < 2 || len(words) > 7 {
		return false
	}
	for _, w := range words {
		for i, c := range []rune(w) {
			if i == 0 && !unicode.IsUpper(c) || i > 0 && !unicode.IsLower(c) && !unicode.Is(unicode.Mn, c) {
				return false
			}
		}
	}
	return true
}
