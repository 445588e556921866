package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mapped is a text with its folded view for matching (lower case, no
// diacritics, đ as d, every line break as "\n" and other white space as " ").
// Each source character folds on its own, so every folded byte maps back to
// the character it came from: a reader matches on Folded and cuts what it
// reports from Source, with offsets that count the source's characters.
type Mapped struct {
	Source string // the input, each invalid byte as U+FFFD, as []rune reads it
	Folded string
	Rune   []int // Rune[i]: the index of the character folded byte i came from; Rune[len(Folded)] counts all
	Byte   []int // Byte[i]: that character's byte offset in Source
	// Accented is whether any letter folds to something else: in a text
	// typed without diacritics "da" may stand for "đã", otherwise not.
	Accented bool
}

// Map folds s one character at a time.
func Map(s string) *Mapped {
	m := &Mapped{Rune: make([]int, 0, len(s)+1), Byte: make([]int, 0, len(s)+1)}
	var src, f strings.Builder
	src.Grow(len(s))
	f.Grow(len(s))
	cache := map[rune]string{}
	i := 0 // characters so far
	for _, r := range s {
		at := src.Len()
		src.WriteRune(r)
		var piece string
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			piece = "\n"
		case unicode.IsSpace(r):
			piece = " "
		case r < utf8.RuneSelf:
			piece = asciiLower[r]
		default:
			// A lone combining mark folds to nothing and so joins the
			// character before it.
			var ok bool
			if piece, ok = cache[r]; !ok {
				piece = String(string(r))
				cache[r] = piece
			}
			m.Accented = m.Accented || unicode.IsLetter(r) && piece != string(unicode.ToLower(r))
		}
		f.WriteString(piece)
		for range len(piece) {
			m.Rune = append(m.Rune, i)
			m.Byte = append(m.Byte, at)
		}
		i++
	}
	m.Source, m.Folded = src.String(), f.String()
	m.Rune = append(m.Rune, i)
	m.Byte = append(m.Byte, len(m.Source))
	return m
}

var asciiLower = func() (m [utf8.RuneSelf]string) {
	for r := range rune(utf8.RuneSelf) {
		m[r] = string(unicode.ToLower(r))
	}
	return m
}()
