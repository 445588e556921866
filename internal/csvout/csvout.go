// Package csvout writes every CSV the project produces (/stats.csv, `registry
// export --format csv`) so that a spreadsheet opening it reads data and runs
// nothing.
//
// A spreadsheet takes a cell that starts with =, +, -, @, a tab or a carriage
// return for a formula: =HYPERLINK(...) sends the sheet's data away, DDE
// formulas start programs (CSV injection). Such a text cell is written behind
// one apostrophe, OWASP's rule: spreadsheets show the rest as text. Numbers
// are written as they are, so -5 stays a number; text that merely looks like
// one ("-5" as a name) is text, and neutralised. Restore undoes the
// apostrophe, for importers reading such a file back.
package csvout

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// formulaStarts are the first characters that make a spreadsheet read a cell
// as a formula.
const formulaStarts = "=+-@\t\r"

// number is a number as strconv and JSON write it; only these stay numbers.
var number = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// Cell is one cell of a row: text or a number.
type Cell struct {
	s      string
	number bool
}

// Text is a cell of text, neutralised if a spreadsheet would run it.
func Text(s string) Cell { return Cell{s: s} }

// Number is a value the program wrote (strconv's or JSON's: a number, a
// boolean, an object): written as it is when it is a number, and otherwise
// checked as text.
func Number(s string) Cell { return Cell{s: s, number: true} }

// Writer writes rows of cells as CSV.
type Writer struct {
	cw  *csv.Writer
	row []string
}

// NewWriter writes CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Header writes a row of column names.
func (w *Writer) Header(names ...string) error {
	cells := make([]Cell, len(names))
	for i, n := range names {
		cells[i] = Text(n)
	}
	return w.Write(cells)
}

// Write writes one row.
func (w *Writer) Write(cells []Cell) error {
	w.row = w.row[:0]
	for _, c := range cells {
		w.row = append(w.row, c.String())
	}
	return w.cw.Write(w.row)
}

// Flush writes out anything buffered and reports any error met writing.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// String is the cell as written. Text that starts with apostrophes before a
// formula character gets one more, so that Restore, which removes one, gives
// it back as it was.
func (c Cell) String() string {
	if c.number && number.MatchString(c.s) {
		return c.s
	}
	if formula(strings.TrimLeft(c.s, "'")) {
		return "'" + c.s
	}
	return c.s
}

// Restore is the text a cell written by Writer stood for: without the
// apostrophe put before a formula character. Any other cell is returned as
// it is.
func Restore(cell string) string {
	if strings.HasPrefix(cell, "'") && formula(strings.TrimLeft(cell, "'")) {
		return cell[1:]
	}
	return cell
}

func formula(s string) bool { return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0 }
