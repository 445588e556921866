// Package bulletin extracts directives and statistics reports from
// Vietnamese news text, each with the sentence it was read from. What the
// text does not say is left empty and reported as a finding, never guessed.
// It does no I/O.
package bulletin

import (
	"cmp"
	"slices"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Span locates a record's sentence in the source: offsets count characters
// (runes) of the original text, so runes[Offset:Offset+Length] is Sentence.
type Span struct {
	Offset, Length int
	Sentence       string
}

// Directive is a directive as a text mentions it.
type Directive struct {
	Symbol          registry.Symbol
	IssuedOn        calendar.Date // "" when the text does not state it
	IssuerAsWritten string        // "Chính phủ", even when the symbol says TTg
	TypeAsWritten   string        // "Quyết định", "Công văn"; "" when not stated
	Summary         string        // the rest of the sentence after the symbol and its date/issuer clause
	Span
	Findings []registry.Finding
}

// Extraction is what one text yields, in order of position.
type Extraction struct {
	Directives []Directive
	// Reports have Key, Findings and Provenance (Source, Excerpt, Offset,
	// Length) set; Provenance.Recorded and AgencyCode are the importer's.
	Reports []registry.Report
}

// Extract reads text, naming it source in the reports' provenance. Any input
// is accepted; invalid UTF-8 reads as U+FFFD, one character per bad byte,
// as []rune conversion counts it.
func Extract(source, text string) Extraction {
	t := newText(text)
	sents := t.sentences()
	var x Extraction
	for _, s := range sents {
		x.Directives = append(x.Directives, t.directives(s)...)
	}
	x.Reports = t.reports(sents, source)
	// A report's excerpt may start before its total's sentence.
	slices.SortStableFunc(x.Reports, func(a, b registry.Report) int {
		return cmp.Compare(a.Provenance.Offset, b.Provenance.Offset)
	})
	return x
}
