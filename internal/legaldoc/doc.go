// Package legaldoc reads one official document laid out as Decree
// 30/2020/NĐ-CP (Appendix I) prescribes, from plain text such as a PDF's
// extracted text: the issuing body, number and symbol, place and date, type
// and summary, the "Căn cứ" preamble, the articles that repeal, replace,
// amend, correct or suspend other documents, the effective-date article and
// the signature block. Every value says which part of the document it was
// read from and where (in characters of the input). What the text does not
// state is left empty, never guessed. It does no I/O.
package legaldoc

import (
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/registry"
)

// Part is the part of a document a value was read from.
type Part string

const (
	PartHeader    Part = "header"     // the issuing body's lines, top left
	PartNumber    Part = "number"     // "Số: 21/CT-TTg"
	PartPlaceDate Part = "place-date" // "Hà Nội, ngày 20 tháng 5 năm 2026"
	PartType      Part = "type"       // "CHỈ THỊ"
	PartSummary   Part = "summary"    // the trích yếu under the type
	PartPreamble  Part = "preamble"   // a clause of the preamble; Span.Number counts them from 1
	PartArticle   Part = "article"    // an article; Span.Number is its number
	PartSignature Part = "signature"  // the signature block
)

// Span locates a value: the part it was read from and the characters
// (runes) of the input it covers, input[Offset:Offset+Length] as []rune.
type Span struct {
	Part Part
	// Number is the preamble clause (from 1) or the article's number; 0
	// for the other parts.
	Number         int
	Offset, Length int
}

// Text is a value as written, white space collapsed, and where it is.
type Text struct {
	Value string
	Span
}

// Date is a date read from the text.
type Date struct {
	On calendar.Date
	Text
}

// Clause is a clause of the preamble.
type Clause struct {
	// Basis: the clause begins "Căn cứ" and so states the document's legal
	// bases; "Thực hiện", "Xét", "Theo đề nghị" and the others do not.
	Basis bool
	Text
}

// Reference is a document named by its number and symbol.
type Reference struct {
	Text   // the symbol as written
	Symbol registry.Symbol
	// Err is why registry.ParseSymbol refused the symbol as written; Symbol
	// is then zero and Text.Value is all there is.
	Err error
}

// Key is what references are compared on: the symbol as written, folded
// (case and diacritics) and without spaces.
func (r Reference) Key() string { return SymbolKey(r.Value) }

// SymbolKey folds a symbol as written for comparison: lower case, no
// diacritics, đ as d, no white space, every dash a hyphen.
func SymbolKey(s string) string {
	return dashes.Replace(strings.Join(strings.Fields(fold.String(s)), ""))
}

var dashes = strings.NewReplacer("\u2010", "-", "\u2011", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-")

// Action is what an article (or the summary) does to another document.
type Action string

const (
	Repeals  Action = "REPEALS"  // bãi bỏ
	Replaces Action = "REPLACES" // thay thế
	Amends   Action = "AMENDS"   // sửa đổi, bổ sung
	Corrects Action = "CORRECTS" // đính chính
	Suspends Action = "SUSPENDS" // (tạm) ngưng hiệu lực, đình chỉ
)

// Effect is an action on another document; Target's span says where it is
// stated (an article, or the summary), Excerpt the sentence stating it.
type Effect struct {
	Action  Action
	Target  Reference
	Excerpt string
}

// Effective is when the document takes effect, as its article says.
type Effective struct {
	// On is the date, or the date of signing when OnSigning and the
	// document's date is known; "" otherwise.
	On        calendar.Date
	OnSigning bool // "có hiệu lực kể từ ngày ký"
	Text           // the phrase, in the article
}

// Signature is the signature block: "KT. BỘ TRƯỞNG / THỨ TRƯỞNG / Nguyễn
// Văn A". The signer signs for the body; the body stays the issuer.
type Signature struct {
	// Capacity is the line(s) saying for whom the signer signs: "TM.
	// CHÍNH PHỦ", "KT. BỘ TRƯỞNG", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH",
	// "Q. GIÁM ĐỐC"; "" when signing in one's own name.
	Capacity string
	Title    string // the signer's own title: "THỦ TƯỚNG", "THỨ TRƯỞNG"
	Name     string
	Span
}

// Position is the signer's position as the block writes it: "KT. BỘ
// TRƯỞNG, THỨ TRƯỞNG".
func (s Signature) Position() string {
	switch {
	case s.Capacity == "":
		return s.Title
	case s.Title == "":
		return s.Capacity
	}
	return s.Capacity + ", " + s.Title
}

// Document is what one official document states of itself. A field whose
// Value is "" is not stated (or not found) in the text.
type Document struct {
	Issuer Text // the issuing body as written: "BỘ TÀI CHÍNH"
	Parent Text // the body above it in the header: "UBND TỈNH SƠN LA"
	Number Text // the number and symbol as written after "Số:"
	// Symbol is Number parsed; SymbolErr says why it could not be.
	Symbol    registry.Symbol
	SymbolErr error
	Place     Text // "Hà Nội"
	Date      Date // of the place-date line above the type line
	Type      Text // as written: "NGHỊ ĐỊNH"
	TypeName  string
	Summary   Text
	Preamble  []Clause
	// Bases are the symbols the "Căn cứ" clauses name, each once, in order.
	Bases     []Reference
	Effects   []Effect
	Effective Effective
	Signature Signature
}
