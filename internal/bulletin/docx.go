package bulletin

// A DOCX is read with archive/zip and encoding/xml: its text is in one part,
// word/document.xml, and the Go DOCX libraries in reach add nothing a text
// reader needs (baliance.com/gooxml is not served; github.com/ubavic/godocx
// lists no release).

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/vnregistry/registry/internal/registry"
)

const (
	// maxDOCXPart bounds word/document.xml unpacked: a zip of a few
	// kilobytes can unpack to gigabytes. A 1 MiB text, the most a
	// bulletin holds, takes some 20 MiB of Word's markup.
	maxDOCXPart = 32 << 20
	// maxDOCXNesting bounds tables and cells open at once: Word nests
	// tables at most 63 deep.
	maxDOCXNesting = 64
	// docxPart is the part holding a document's body.
	docxPart = "word/document.xml"
)

// docxTabGap is what a tab reads as: the run of spaces PDF text shows
// between columns, so that "Số: 12/2026/QĐ-UBND<tab>Sơn La, ngày ..." is
// two columns, as legaldoc reads them, and "Số:<tab>12/2026/QĐ-UBND" one
// number line.
const docxTabGap = "    "

// wordNS are WordprocessingML's namespaces, transitional and strict; mcNS
// is markup compatibility's, whose Fallback repeats its Choice.
var wordNS = map[string]bool{
	"http://schemas.openxmlformats.org/wordprocessingml/2006/main": true,
	"http://purl.oclc.org/ooxml/wordprocessingml/main":             true,
}

const mcNS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

// IsZip reports whether b is a zip archive, as every DOCX is.
func IsZip(b []byte) bool { return bytes.HasPrefix(b, []byte("PK\x03\x04")) }

// DOCXText is the text of a Word document (DOCX): each paragraph a line, a
// line break (w:br, w:cr) a new line, a tab a gap between columns, tables
// as tableText lays them out (an official document's header and signature
// tables cell by cell, tables of figures row by row). Deleted and moved-away
// text, field codes, headers, footers and notes are not read. Offsets of what
// is extracted count characters of this text. It does no I/O: what is not
// a DOCX, or unpacks to more than maxDOCXPart, is refused naming the rule.
func DOCXText(b []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", registry.Invalid("file", "is not a DOCX: not a readable zip archive (%v)", err)
	}
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == docxPart {
			part = f
			break
		}
	}
	if part == nil {
		return "", registry.Invalid("file", "is a zip archive without %s: not a Word document (DOCX)", docxPart)
	}
	tooBig := registry.Invalid("file", "is a DOCX whose %s unpacks to more than %d bytes (32 MiB), the most read of one document: "+
		"a guard against zip bombs; split the document", docxPart, maxDOCXPart)
	if part.UncompressedSize64 > maxDOCXPart {
		return "", tooBig
	}
	rc, err := part.Open()
	if err != nil {
		return "", registry.Invalid("file", "is a DOCX whose %s cannot be unpacked (%v)", docxPart, err)
	}
	defer rc.Close()
	// archive/zip stops with ErrFormat past the size the archive's
	// directory states, checked above: a lying archive unpacks no further.
	text, err := readDocument(rc)
	switch {
	case errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum):
		return "", registry.Invalid("file", "is a DOCX whose %s cannot be unpacked: the archive is damaged, "+
			"or its part unpacks to more than its directory states (%v)", docxPart, err)
	case errors.Is(err, errDOCXNesting):
		return "", registry.Invalid("file", "is a DOCX nesting tables more than %d deep, deeper than Word does", maxDOCXNesting)
	case err != nil:
		return "", registry.Invalid("file", "is a DOCX whose %s is not well-formed XML (%v)", docxPart, err)
	}
	var lines []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), nil
}

var errDOCXNesting = errors.New("tables nested too deep")

// docxReader gathers a document's text as its XML streams by.
type docxReader struct {
	sinks  []*strings.Builder // where text goes: the body, then each open cell
	tables []*docxTable       // the open tables, innermost last
	paras  []int              // where each open paragraph starts in its sink
	runs   int                // open runs (w:r): tabs and breaks count only in one
	texts  int                // open text elements (w:t)
}

// docxTable is a table being read: its cells' text, row by row, and
// whether one of its own paragraphs (not a nested table's) is an official
// document's header or signature line.
type docxTable struct {
	rows   [][]string
	layout bool
}

func readDocument(r io.Reader) (string, error) {
	dr := &docxReader{sinks: []*strings.Builder{{}}}
	d := xml.NewDecoder(r)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return dr.sinks[0].String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			skip, err := dr.start(t)
			if err != nil {
				return "", err
			}
			if skip {
				if err := d.Skip(); err != nil {
					return "", err
				}
			}
		case xml.EndElement:
			dr.end(t)
		case xml.CharData:
			if dr.texts > 0 {
				dr.sink().Write(t)
			}
		}
	}
}

func (dr *docxReader) sink() *strings.Builder { return dr.sinks[len(dr.sinks)-1] }

// start handles an element's start; skip says to pass over its content.
func (dr *docxReader) start(t xml.StartElement) (skip bool, err error) {
	if t.Name.Space == mcNS {
		return t.Name.Local == "Fallback", nil
	}
	if !wordNS[t.Name.Space] {
		return false, nil
	}
	s := dr.sink()
	switch t.Name.Local {
	case "del", "moveFrom":
		return true, nil
	case "p":
		// A paragraph inside another (a text box's) starts a line.
		if s.Len() > 0 && !strings.HasSuffix(s.String(), "\n") {
			s.WriteByte('\n')
		}
		dr.paras = append(dr.paras, s.Len())
	case "r":
		dr.runs++
	case "t":
		dr.texts++
	case "tab", "ptab":
		if dr.runs > 0 {
			s.WriteString(docxTabGap)
		}
	case "br", "cr":
		if dr.runs > 0 {
			s.WriteByte('\n')
		}
	case "noBreakHyphen":
		if dr.runs > 0 {
			s.WriteByte('-')
		}
	case "tbl":
		if len(dr.tables) >= maxDOCXNesting {
			return false, errDOCXNesting
		}
		dr.tables = append(dr.tables, &docxTable{})
	case "tr":
		if n := len(dr.tables); n > 0 {
			dr.tables[n-1].rows = append(dr.tables[n-1].rows, nil)
		}
	case "tc":
		if len(dr.sinks) > maxDOCXNesting {
			return false, errDOCXNesting
		}
		dr.sinks = append(dr.sinks, &strings.Builder{})
	}
	return false, nil
}

func (dr *docxReader) end(t xml.EndElement) {
	if !wordNS[t.Name.Space] {
		return
	}
	switch t.Name.Local {
	case "p":
		dr.endParagraph()
	case "r":
		dr.runs--
	case "t":
		dr.texts--
	case "tc":
		cell := dr.sink().String()
		dr.sinks = dr.sinks[:len(dr.sinks)-1]
		n := len(dr.tables)
		if n == 0 { // a cell outside a table: its text as it is
			dr.sink().WriteString(cell + "\n")
			return
		}
		tb := dr.tables[n-1]
		if len(tb.rows) == 0 {
			tb.rows = append(tb.rows, nil)
		}
		tb.rows[len(tb.rows)-1] = append(tb.rows[len(tb.rows)-1], cell)
	case "tbl":
		n := len(dr.tables)
		tb := dr.tables[n-1]
		dr.tables = dr.tables[:n-1]
		dr.sink().WriteString("\n" + tableText(tb) + "\n")
	}
}

// endParagraph ends the open paragraph's line; one in a cell of the
// innermost table (as many cells open as tables) decides its layout.
func (dr *docxReader) endParagraph() {
	s := dr.sink()
	if n := len(dr.paras); n > 0 {
		from := dr.paras[n-1]
		dr.paras = dr.paras[:n-1]
		if t := len(dr.tables); t > 0 && t == len(dr.sinks)-1 && !dr.tables[t-1].layout {
			dr.tables[t-1].layout = hasLayoutLine(s.String()[from:])
		}
	}
	s.WriteByte('\n')
}

// tableText lays out a table as renderTable does an HTML one: an official
// document's header or signature table cell after cell, each cell's lines
// together; a table of figures a row a line, cells separated by " | ".
func tableText(tb *docxTable) string {
	var out []string
	for _, row := range tb.rows {
		cells := make([]string, 0, len(row))
		for _, c := range row {
			var ls []string
			for l := range strings.SplitSeq(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					ls = append(ls, l)
				}
			}
			if tb.layout {
				out = append(out, ls...)
			} else {
				cells = append(cells, strings.Join(ls, " "))
			}
		}
		if !tb.layout {
			out = append(out, strings.Join(cells, " | "))
		}
	}
	return strings.Join(out, "\n")
}
