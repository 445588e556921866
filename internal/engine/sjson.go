package engine

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB 1.24's SQLite backend stores a document as "sjson"
// (internal/handler/sjson there): first a schema under "$s", then the
// values as plain JSON. The schema lists the keys ("$k") and, in the same
// order, each value's BSON type ("p": key → {"t": type}, with "$s" the
// schema of an embedded document, "i" those of an array's items, "s" a
// binary subtype, "o" regex options). Dates are Unix milliseconds,
// binaries base64, object ids hex, timestamps a uint64; a JSON null is
// BSON null whatever the schema says.

// bsonOfSJSON is the BSON document FerretDB's find answers for a stored
// sjson document. It walks the values and their schemas side by side, in
// one pass and without building either (decoding the JSON into Go values
// first took two thirds of a dossier read, the schema most of that).
func bsonOfSJSON(data []byte) (bson.Raw, error) {
	vs := &sjsonScanner{data: data}
	err := vs.consume('{')
	var key []byte
	if err == nil {
		key, err = vs.str()
	}
	if err == nil && string(key) != "$s" {
		err = fmt.Errorf("no schema first")
	}
	if err == nil {
		err = vs.consume(':')
	}
	ss := &sjsonScanner{data: data, pos: vs.pos}
	if err == nil {
		err = vs.skip()
	}
	var out []byte
	if err == nil {
		out, err = sjsonDocument(make([]byte, 0, len(data)/2), vs, ss, true)
	}
	if err == nil && vs.peek() != 0 {
		err = fmt.Errorf("more after the document")
	}
	if err != nil {
		return nil, fmt.Errorf("engine: stored document, at byte %d or %d: %w", vs.pos, ss.pos, err)
	}
	return out, nil
}

// sjsonDocument appends the BSON document of the JSON object at vs, whose
// schema is at ss. At the top, vs is past the schema, inside the object.
func sjsonDocument(dst []byte, vs, ss *sjsonScanner, top bool) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	values := false // seen the values' object
	err := ss.object(func(field []byte) error {
		if string(field) != "p" {
			return ss.skip() // "$k": the same keys as "p", in the same order
		}
		values = true
		var err error
		dst, err = sjsonMembers(dst, vs, ss, top)
		return err
	})
	if err == nil && !values { // an empty document's schema is {}
		if top {
			err = vs.consume('}')
		} else {
			err = vs.object(func(key []byte) error { return fmt.Errorf("%q not in the schema", key) })
		}
	}
	dst = append(dst, 0)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst, err
}

// sjsonMembers appends the members of the JSON object at vs, whose schemas
// are the members of the JSON object at ss ("p"), in the same order.
func sjsonMembers(dst []byte, vs, ss *sjsonScanner, top bool) ([]byte, error) {
	if !top {
		if err := vs.consume('{'); err != nil {
			return dst, err
		}
	}
	first := !top
	err := ss.object(func(key []byte) error {
		if !first {
			if err := vs.consume(','); err != nil {
				return err
			}
		}
		first = false
		got, err := vs.str()
		if err == nil && string(got) != string(key) {
			err = fmt.Errorf("value %q where the schema has %q", got, key)
		}
		if err == nil {
			err = vs.consume(':')
		}
		if err == nil {
			dst, err = sjsonValue(dst, key, vs, ss)
		}
		return err
	})
	if err == nil {
		err = vs.consume('}')
	}
	return dst, err
}

// sjsonList appends the BSON array of the JSON array at vs, whose items'
// schemas are the items of the JSON array at ss ("i").
func sjsonList(dst []byte, vs, ss *sjsonScanner) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	n := 0
	err := vs.consume('[')
	if err == nil {
		err = ss.array(func() error {
			if n > 0 {
				if err := vs.consume(','); err != nil {
					return err
				}
			}
			var key [20]byte
			var err error
			dst, err = sjsonValue(dst, strconv.AppendInt(key[:0], int64(n), 10), vs, ss)
			n++
			return err
		})
	}
	if err == nil {
		err = vs.consume(']')
	}
	dst = append(dst, 0)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst, err
}

// sjsonValue appends the element key of the JSON value at vs, whose schema is
// the JSON object at ss.
func sjsonValue(dst, key []byte, vs, ss *sjsonScanner) ([]byte, error) {
	if vs.peek() == 'n' {
		return bsonHeader(dst, bson.TypeNull, key), errors.Join(vs.literal("null"), ss.skip())
	}
	var t, options []byte
	var subtype uint64
	nested := false
	err := ss.object(func(field []byte) error {
		var err error
		switch string(field) {
		case "t":
			t, err = ss.str()
		case "$s":
			nested = true
			dst, err = sjsonDocument(bsonHeader(dst, bson.TypeEmbeddedDocument, key), vs, ss, false)
		case "i":
			nested = true
			dst, err = sjsonList(bsonHeader(dst, bson.TypeArray, key), vs, ss)
		case "s":
			var n []byte
			if n, err = ss.num(); err == nil {
				subtype, err = strconv.ParseUint(string(n), 10, 8)
			}
		case "o":
			options, err = ss.str()
		default:
			err = fmt.Errorf("unknown schema field %q", field)
		}
		return err
	})
	switch {
	case err != nil:
		return dst, err
	case nested != (string(t) == "object" || string(t) == "array"):
		return dst, fmt.Errorf("schema of %q: type %q without its parts, or parts without their type", key, t)
	case nested:
		return dst, nil
	}
	return sjsonScalar(dst, key, vs, t, byte(subtype), options)
}

// sjsonScalar appends the element key of the scalar of type t at vs.
func sjsonScalar(dst, key []byte, vs *sjsonScanner, t []byte, subtype byte, options []byte) ([]byte, error) {
	switch string(t) {
	case "bool":
		if vs.peek() == 't' {
			return append(bsonHeader(dst, bson.TypeBoolean, key), 1), vs.literal("true")
		}
		return append(bsonHeader(dst, bson.TypeBoolean, key), 0), vs.literal("false")
	case "double", "int", "long", "date", "timestamp":
		n, err := vs.num()
		if err != nil {
			return dst, err
		}
		return sjsonNumber(dst, key, n, string(t))
	case "string", "binData", "objectId", "regex":
		v, err := vs.str()
		if err != nil {
			return dst, err
		}
		return sjsonString(dst, key, v, string(t), subtype, options)
	}
	return dst, fmt.Errorf("unknown type %q of %q", t, key)
}

func sjsonNumber(dst, key, n []byte, t string) ([]byte, error) {
	switch t {
	case "double":
		f, err := strconv.ParseFloat(string(n), 64)
		return binary.LittleEndian.AppendUint64(bsonHeader(dst, bson.TypeDouble, key), math.Float64bits(f)), err
	case "int":
		i, err := strconv.ParseInt(string(n), 10, 32)
		return binary.LittleEndian.AppendUint32(bsonHeader(dst, bson.TypeInt32, key), uint32(i)), err
	case "timestamp":
		u, err := strconv.ParseUint(string(n), 10, 64)
		return binary.LittleEndian.AppendUint64(bsonHeader(dst, bson.TypeTimestamp, key), u), err
	}
	bt := bson.TypeInt64
	if t == "date" {
		bt = bson.TypeDateTime
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return binary.LittleEndian.AppendUint64(bsonHeader(dst, bt, key), uint64(i)), err
}

// sjsonString appends the values stored as JSON strings.
func sjsonString(dst, key, v []byte, t string, subtype byte, options []byte) ([]byte, error) {
	switch t {
	case "string":
		dst = binary.LittleEndian.AppendUint32(bsonHeader(dst, bson.TypeString, key), uint32(len(v)+1))
		return append(append(dst, v...), 0), nil
	case "binData":
		b, err := base64.StdEncoding.DecodeString(string(v))
		dst = binary.LittleEndian.AppendUint32(bsonHeader(dst, bson.TypeBinary, key), uint32(len(b)))
		return append(append(dst, subtype), b...), err
	case "objectId":
		var id bson.ObjectID
		if n, err := hex.Decode(id[:], v); err != nil || n != len(id) {
			return dst, fmt.Errorf("object id %q", v)
		}
		return append(bsonHeader(dst, bson.TypeObjectID, key), id[:]...), nil
	}
	dst = append(append(bsonHeader(dst, bson.TypeRegex, key), v...), 0)
	return append(append(dst, options...), 0), nil
}

func bsonHeader(dst []byte, t bson.Type, key []byte) []byte {
	return append(append(append(dst, byte(t)), key...), 0)
}

// sjsonScanner reads the JSON FerretDB writes: no more of JSON than that.
// Strings it returns are slices of data unless they hold escapes.
type sjsonScanner struct {
	data []byte
	pos  int
}

// skip reads past one value.
func (s *sjsonScanner) skip() error {
	depth := 0
	for {
		switch c := s.peek(); c {
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
		case '{', '[':
			depth++
			s.pos++
			continue
		case '}', ']':
			depth--
			s.pos++
		case ',', ':':
			s.pos++
			continue
		case 0:
			return fmt.Errorf("unterminated value")
		default:
			for s.pos < len(s.data) && !strings.ContainsRune(",:}] \t\n\r", rune(s.data[s.pos])) {
				s.pos++
			}
		}
		if depth <= 0 {
			return nil
		}
	}
}

// object calls member with the key of each member of the JSON object at
// s, at its value, which member reads.
func (s *sjsonScanner) object(member func(key []byte) error) error {
	if err := s.consume('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.str()
		if err == nil {
			err = s.consume(':')
		}
		if err == nil {
			err = member(key)
		}
		if err != nil {
			return err
		}
		if done, err := s.next('}'); done || err != nil {
			return err
		}
	}
}

// array calls item at each item of the JSON array at s, which item reads.
func (s *sjsonScanner) array(item func() error) error {
	if err := s.consume('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if done, err := s.next(']'); done || err != nil {
			return err
		}
	}
}

// next reads a comma, or end, which it reports.
func (s *sjsonScanner) next(end byte) (bool, error) {
	switch s.peek() {
	case ',':
		s.pos++
		return false, nil
	case end:
		s.pos++
		return true, nil
	}
	return false, fmt.Errorf("want ',' or %q", end)
}

// peek is the next byte that is not white space, 0 at the end.
func (s *sjsonScanner) peek() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

func (s *sjsonScanner) consume(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("want %q", c)
	}
	s.pos++
	return nil
}

func (s *sjsonScanner) literal(word string) error {
	s.peek()
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return fmt.Errorf("want %s", word)
	}
	s.pos += len(word)
	return nil
}

// num reads a number's text.
func (s *sjsonScanner) num() ([]byte, error) {
	s.peek()
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		s.pos++
	}
	if s.pos == start {
		return nil, fmt.Errorf("want a number")
	}
	return s.data[start:s.pos], nil
}

// str reads a string: the bytes between its quotes when it has no escapes
// (FerretDB writes UTF-8 as it is), else its decoded copy.
func (s *sjsonScanner) str() ([]byte, error) {
	if err := s.consume('"'); err != nil {
		return nil, err
	}
	start, escaped := s.pos, false
	for ; s.pos < len(s.data); s.pos++ {
		switch c := s.data[s.pos]; {
		case c == '\\':
			escaped = true
			s.pos++
		case c == '"':
			s.pos++
			if !escaped {
				return s.data[start : s.pos-1], nil
			}
			var v string
			err := json.Unmarshal(s.data[start-1:s.pos], &v)
			return []byte(v), err
		case c < 0x20:
			return nil, fmt.Errorf("control character in a string")
		}
	}
	return nil, fmt.Errorf("unterminated string")
}
