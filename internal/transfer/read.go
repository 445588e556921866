package transfer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/csvout"
)

// maxLine bounds one line: a dossier with a long history is a few KB.
const maxLine = 1 << 20

// errLongLine refuses a line over maxLine.
var errLongLine = fmt.Errorf("the line is longer than %d bytes, the most one record may take", maxLine)

// Line is one record read from a file, validated, or the reason it was not.
type Line struct {
	Number int
	Kind   Kind
	Record any   // canonical record, when Err is nil
	Err    error // why the line is refused
}

// Reader reads records from NDJSON (each line an object with a "kind") or
// CSV (one kind per file, a header naming the JSON fields; nested values as
// JSON in their cells).
type Reader struct {
	next func() (Line, bool, error)
}

// Next returns the next line; ok is false at the end. err is a failure to
// read the file at all, as opposed to a bad line.
func (r *Reader) Next() (line Line, ok bool, err error) { return r.next() }

// NewReader reads file's content from in. kind is required for CSV and must
// be empty for NDJSON. now stamps the provenance of records that have none.
func NewReader(in io.Reader, file string, csvKind Kind, cal *calendar.Calendar, now time.Time) *Reader {
	// Spreadsheets and Windows editors start UTF-8 files with a byte order
	// mark: it is no part of the first line.
	in = transform.NewReader(in, unicode.BOMOverride(transform.Nop))
	if csvKind != "" {
		return newCSVReader(in, file, csvKind, cal, now)
	}
	return &Reader{next: ndjsonRecords(in, func(raw []byte, n int) Line { return ndjsonLine(raw, n, file, cal, now) })}
}

// ndjsonRecords gives each line of in that is not blank to decode, with its
// number; a line over maxLine is refused without being read.
func ndjsonRecords(in io.Reader, decode func(raw []byte, n int) Line) func() (Line, bool, error) {
	lines := newLineReader(in)
	return func() (Line, bool, error) {
		for {
			text, long, err := lines.next()
			switch {
			case err == io.EOF:
				return Line{}, false, nil
			case err != nil:
				return Line{}, false, err
			case long:
				return Line{Number: lines.n, Err: errLongLine}, true, nil
			}
			if raw := bytes.TrimSpace(text); len(raw) > 0 {
				return decode(raw, lines.n), true, nil
			}
		}
	}
}

// lineReader reads a file line by line. A line over maxLine is read to its
// end and given as long, without its text, so that the lines after it are
// still read (bufio.Scanner stops at it).
type lineReader struct {
	r   *bufio.Reader
	n   int // lines read
	buf []byte
}

func newLineReader(in io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(in, 64*1024)}
}

// next returns the next line without its line end (\n or \r\n), valid until
// the next call; err is io.EOF after the last line.
func (l *lineReader) next() (text []byte, long bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !long && len(l.buf)+len(chunk) > maxLine+len("\r\n") {
			long, l.buf = true, l.buf[:0]
		} else if !long {
			l.buf = append(l.buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(l.buf) == 0 && !long:
			return nil, false, io.EOF
		case err != nil && err != io.EOF:
			return nil, false, err
		}
		l.n++
		text = bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte("\n")), []byte("\r"))
		if long || len(text) > maxLine {
			return nil, true, nil
		}
		return text, false, nil
	}
}

func ndjsonLine(raw []byte, n int, file string, cal *calendar.Calendar, now time.Time) Line {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Line{Number: n, Err: fmt.Errorf("not a JSON object: %s", describeJSONError(err))}
	}
	var name string
	if err := json.Unmarshal(fields["kind"], &name); err != nil || name == "" {
		return Line{Number: n, Err: errors.New(`no "kind" (agency, procedure, directive, report or dossier; a gazette listing has none: registry import --listing)`)}
	}
	k, err := ParseKind(name)
	if err != nil {
		return Line{Number: n, Err: err}
	}
	delete(fields, "kind")
	body, _ := json.Marshal(fields)
	rec, err := decode(k, body, cal, importProvenance(file, n, now))
	return Line{Number: n, Kind: k, Record: rec, Err: err}
}

func newCSVReader(in io.Reader, file string, k Kind, cal *calendar.Calendar, now time.Time) *Reader {
	var header []string
	var stringField map[string]bool
	return &Reader{next: csvRecords(in, file, k, func(n int, row []string) (Line, bool, error) {
		if header == nil {
			header, stringField = row, stringFields(k)
			return Line{}, false, nil
		}
		if len(row) != len(header) {
			return Line{Number: n, Kind: k, Err: fmt.Errorf("has %d cells, the header %d", len(row), len(header))}, true, nil
		}
		obj := map[string]json.RawMessage{}
		for i, cell := range row {
			if cell == "" {
				continue
			}
			// Cells of string fields are text; others hold JSON (numbers,
			// booleans, objects, arrays), or text when they are not JSON
			// (an RFC 3339 time). Text loses the apostrophe the exporter
			// puts before a formula character (csvout).
			if !stringField[header[i]] && json.Valid([]byte(cell)) {
				obj[header[i]] = json.RawMessage(cell)
			} else {
				obj[header[i]], _ = json.Marshal(csvout.Restore(cell))
			}
		}
		body, _ := json.Marshal(obj)
		rec, err := decode(k, body, cal, importProvenance(file, n, now))
		return Line{Number: n, Kind: k, Record: rec, Err: err}, true, nil
	})}
}

// csvRecords gives each CSV record of in to decode, with the number of its
// first line; a record that cannot be read is refused. decode answers a
// line, or false to read on (a header); its error stops the reading.
func csvRecords(in io.Reader, file string, k Kind, decode func(n int, row []string) (Line, bool, error)) func() (Line, bool, error) {
	rows := newCSVRows(in)
	return func() (Line, bool, error) {
		for {
			n, row, err := rows.next()
			if err == io.EOF {
				return Line{}, false, nil
			}
			if errors.Is(err, errLongLine) {
				return Line{Number: n, Kind: k, Err: err}, true, nil
			}
			if err != nil {
				if pe, ok := errors.AsType[*csv.ParseError](err); ok {
					return Line{Number: n, Kind: k, Err: fmt.Errorf("malformed CSV: %v", pe.Err)}, true, nil
				}
				return Line{}, false, fmt.Errorf("%s: %w", file, err)
			}
			line, ok, err := decode(n, row)
			if err != nil {
				return Line{}, false, err
			}
			if ok {
				return line, true, nil
			}
		}
	}
}

// csvRows splits CSV into records itself so that a broken quote costs one
// line: encoding/csv reads an unclosed quote on to the next closing one and
// reports only the line it started on, and the lines it swallowed are then
// neither stored nor reported. A record continues onto the next line only
// while its quotes are unbalanced (a cell holding a line break); when the
// lines so joined do not parse, the first is reported and the reading
// starts again at the second.
type csvRows struct {
	lines   *lineReader
	pending []csvPending // lines given back, read before lines
}

type csvPending struct {
	n    int
	text string
	long bool // over maxLine: refused, its text not kept
}

// csvMaxJoined bounds the lines one record may span.
const csvMaxJoined = 1000

func newCSVRows(in io.Reader) *csvRows { return &csvRows{lines: newLineReader(in)} }

func (r *csvRows) line() (csvPending, error) {
	if len(r.pending) > 0 {
		p := r.pending[0]
		r.pending = r.pending[1:]
		return p, nil
	}
	text, long, err := r.lines.next()
	return csvPending{n: r.lines.n, text: string(text), long: long}, err
}

// next returns the number of the record's first line and its cells; a
// malformed record is a *csv.ParseError, a line over maxLine errLongLine.
func (r *csvRows) next() (int, []string, error) {
	var first csvPending
	for first.text == "" && !first.long {
		var err error
		if first, err = r.line(); err != nil {
			return 0, nil, err
		}
	}
	if first.long {
		return first.n, nil, errLongLine
	}
	joined := []csvPending{first}
	text, size := first.text, len(first.text)
	for strings.Count(text, `"`)%2 == 1 && len(joined) < csvMaxJoined && size < maxLine {
		p, err := r.line()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		if p.long {
			// No record goes on through a line too long to read: it is
			// refused on its own, after the lines before it.
			r.pending = append([]csvPending{p}, r.pending...)
			break
		}
		joined = append(joined, p)
		text += "\n" + p.text
		size += len(p.text) + 1
	}
	row, err := parseCSVRecord(text)
	if err != nil && len(joined) > 1 {
		r.pending = append(joined[1:], r.pending...)
		row, err = parseCSVRecord(first.text)
	}
	return first.n, row, err
}

// parseCSVRecord reads text as exactly one record.
func parseCSVRecord(text string) ([]string, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	row, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if _, err := cr.Read(); err != io.EOF {
		return nil, &csv.ParseError{StartLine: 1, Line: 1, Err: csv.ErrQuote}
	}
	return row, nil
}

// stringFields are the JSON names of k's fields that hold text.
func stringFields(k Kind) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(k.new()).Elem()
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.Type.Kind() == reflect.String {
			out[name] = true
		}
	}
	// A symbol is text in CSV, though a struct in Go.
	if k == Directive {
		out["symbol"] = true
	}
	return out
}
