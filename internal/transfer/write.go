package transfer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/vnregistry/registry/internal/csvout"
)

// Format is an export file format.
type Format string

const (
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// Writer writes records of one kind as NDJSON lines (each with its "kind",
// so files of several kinds can be concatenated and imported) or as CSV,
// whose text a spreadsheet shows and never runs (see csvout).
type Writer struct {
	format  Format
	kind    Kind
	csv     *csvout.Writer
	out     io.Writer
	columns []string
}

// NewWriter writes k's records to out in format f.
func NewWriter(out io.Writer, f Format, k Kind) (*Writer, error) {
	w := &Writer{format: f, kind: k, out: out}
	switch f {
	case NDJSON:
	case CSV:
		w.csv, w.columns = csvout.NewWriter(out), columns(k)
		if err := w.csv.Header(w.columns...); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown format %q: ndjson or csv", f)
	}
	return w, nil
}

// Write writes one record.
func (w *Writer) Write(rec any) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if w.format == NDJSON {
		// Records always have fields, so the kind goes in front of the first.
		line := append([]byte(`{"kind":"`+string(w.kind)+`",`), body[1:]...)
		_, err = w.out.Write(append(line, '\n'))
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return err
	}
	row := make([]csvout.Cell, len(w.columns))
	for i, c := range w.columns {
		raw, ok := fields[c]
		if !ok {
			continue
		}
		var s string
		if bytes.HasPrefix(raw, []byte(`"`)) && json.Unmarshal(raw, &s) == nil {
			row[i] = csvout.Text(s) // text as text; everything else as JSON
		} else {
			row[i] = csvout.Number(string(raw))
		}
	}
	return w.csv.Write(row)
}

// Flush writes out anything buffered.
func (w *Writer) Flush() error {
	if w.csv == nil {
		return nil
	}
	return w.csv.Flush()
}

// columns are k's JSON field names in declaration order.
func columns(k Kind) []string {
	var out []string
	t := reflect.TypeOf(k.new()).Elem()
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
