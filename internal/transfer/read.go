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
)

// maxLine bounds one NDJSON line: a dossier with a long history is a few KB.
const maxLine = 1 << 20

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
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	n := 0
	return &Reader{next: func() (Line, bool, error) {
		for sc.Scan() {
			n++
			raw := bytes.TrimSpace(sc.Bytes())
			if len(raw) == 0 {
				continue
			}
			return ndjsonLine(raw, n, file, cal, now), true, nil
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return Line{}, false, fmt.Errorf("%s: line %d is longer than %d bytes", file, n+1, maxLine)
			}
			return Line{}, false, err
		}
		return Line{}, false, nil
	}}
}

func ndjsonLine(raw []byte, n int, file string, cal *calendar.Calendar, now time.Time) Line {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Line{Number: n, Err: fmt.Errorf("not a JSON object: %s", describeJSONError(err))}
	}
	var name string
	if err := json.Unmarshal(fields["kind"], &name); err != nil || name == "" {
		return Line{Number: n, Err: errors.New(`no "kind" (agency, procedure, directive, report or dossier)`)}
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
	rows := newCSVRows(in)
	var header []string
	var stringField map[string]bool
	return &Reader{next: func() (Line, bool, error) {
		for {
			n, row, err := rows.next()
			if err == io.EOF {
				return Line{}, false, nil
			}
			if err != nil {
				if pe, ok := errors.AsType[*csv.ParseError](err); ok {
					return Line{Number: n, Kind: k, Err: fmt.Errorf("malformed CSV: %v", pe.Err)}, true, nil
				}
				return Line{}, false, fmt.Errorf("%s: %w", file, err)
			}
			if header == nil {
				header, stringField = row, stringFields(k)
				continue
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
				// (an RFC 3339 time).
				if !stringField[header[i]] && json.Valid([]byte(cell)) {
					obj[header[i]] = json.RawMessage(cell)
				} else {
					obj[header[i]], _ = json.Marshal(cell)
				}
			}
			body, _ := json.Marshal(obj)
			rec, err := decode(k, body, cal, importProvenance(file, n, now))
			return Line{Number: n, Kind: k, Record: rec, Err: err}, true, nil
		}
	}}
}

// csvRows splits CSV into records itself so that a broken quote costs one
// line: encoding/csv reads an unclosed quote on to the next closing one and
// reports only the line it started on, and the lines it swallowed are then
// neither stored nor reported. A record continues onto the next line only
// while its quotes are unbalanced (a cell holding a line break); when the
// lines so joined do not parse, the first is reported and the reading
// starts again at the second.
type csvRows struct {
	sc      *bufio.Scanner
	n       int          // physical lines read from sc
	pending []csvPending // lines given back, read before sc
}

type csvPending struct {
	n    int
	text string
}

// csvMaxJoined bounds the lines one record may span.
const csvMaxJoined = 1000

func newCSVRows(in io.Reader) *csvRows {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	return &csvRows{sc: sc}
}

func (r *csvRows) line() (int, string, error) {
	if len(r.pending) > 0 {
		p := r.pending[0]
		r.pending = r.pending[1:]
		return p.n, p.text, nil
	}
	if r.sc.Scan() {
		r.n++
		return r.n, r.sc.Text(), nil
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return 0, "", fmt.Errorf("line %d is longer than %d bytes", r.n+1, maxLine)
		}
		return 0, "", err
	}
	return 0, "", io.EOF
}

// next returns the number of the record's first line and its cells; a
// malformed record is a *csv.ParseError.
func (r *csvRows) next() (int, []string, error) {
	var start int
	var first string
	for first == "" {
		var err error
		if start, first, err = r.line(); err != nil {
			return 0, nil, err
		}
	}
	joined := []csvPending{{start, first}}
	text, size := first, len(first)
	for strings.Count(text, `"`)%2 == 1 && len(joined) < csvMaxJoined && size < maxLine {
		n, l, err := r.line()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		joined = append(joined, csvPending{n, l})
		text += "\n" + l
		size += len(l) + 1
	}
	row, err := parseCSVRecord(text)
	if err != nil && len(joined) > 1 {
		r.pending = append(joined[1:], r.pending...)
		row, err = parseCSVRecord(first)
	}
	return start, row, err
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
