// Package fold reduces Vietnamese text to a diacritic-free, lower-case form so
// that "mot cua" finds "Một cửa" and "QD-TTg" finds "QĐ-TTg".
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// String folds s for search: canonical decomposition, combining marks
// U+0300–U+036F dropped, đ/Đ and the look-alikes ð/Ð mapped to d (they have no
// decomposition), lower case, whitespace runs collapsed to one space, trimmed.
//
// The rule is "NFC, then NFD"; NFD(NFC(s)) equals NFD(s) for every s, so the
// NFC pass would change nothing and is skipped.
func String(s string) string {
	// norm leaves a character undecomposed after an invalid byte, so repair
	// the encoding first; otherwise folding would not be idempotent.
	s = norm.NFD.String(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case r >= '\u0300' && r <= '\u036f':
			continue
		case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð':
			r = 'd'
		case unicode.IsSpace(r):
			// Leading space is dropped; inner runs become one space, written
			// only when more text follows, which also trims the end.
			pendingSpace = b.Len() > 0
			continue
		default:
			r = unicode.ToLower(r)
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
