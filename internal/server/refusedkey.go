package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/vnregistry/registry/internal/limits"
)

// What a request refused for its API key tried, for the audit log: read
// from its document without running it (the parser alone, no schema), so
// an auditor sees which operations and records a bad key was sent for.

// The caller is unknown and may send anything: what it writes into the
// audit log is bounded.
const (
	maxAttempt      = 300 // bytes of the operation, and of the target
	maxTargetValue  = 64  // bytes of one argument's value
	maxDescribedOps = 10  // operations of a batch
	maxRootFields   = 20  // root fields of an operation
)

// targetArgs are the arguments that name the record an operation is about,
// in the order one is taken: those the audit log names for changes.
var targetArgs = [][]string{
	{"code"}, {"input", "code"}, {"symbol"}, {"input", "symbol"}, {"key"}, {"id"}, {"source"}, {"input", "agencyCode"},
}

// attempt is one GraphQL request as its body or query string has it.
type attempt struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    struct {
		PersistedQuery struct {
			Hash string `json:"sha256Hash"`
		} `json:"persistedQuery"`
	} `json:"extensions"`
	malformed bool
}

// attempted names the operations a request tried and their targets: root
// fields (a batch's operations separated by "; "), or the method and path
// when it carries no document, with the reason when it could not be read.
func attempted(r *http.Request) (operation, target string) {
	fallback := r.Method + " " + r.URL.Path
	reqs, reason := attempts(r)
	if reason != "" {
		return fallback + " (" + reason + ")", ""
	}
	if len(reqs) == 0 {
		return fallback, ""
	}
	if len(reqs) == 1 && !reqs[0].malformed && reqs[0].Query == "" && reqs[0].Extensions.PersistedQuery.Hash == "" {
		return fallback, ""
	}
	var ops, targets []string
	for i, a := range reqs {
		if i == maxDescribedOps {
			ops = append(ops, fmt.Sprintf("(%d more)", len(reqs)-i))
			break
		}
		op, t := a.describe()
		ops = append(ops, op)
		if t != "" {
			targets = append(targets, t)
		}
	}
	if len(reqs) == 1 && strings.HasPrefix(ops[0], "(") {
		return fallback + " " + ops[0], clip(strings.Join(targets, "; "), maxAttempt)
	}
	return clip(strings.Join(ops, "; "), maxAttempt), clip(strings.Join(targets, "; "), maxAttempt)
}

// attempts reads the GraphQL requests of r: the query string of a GET, the
// body (one object, or a batch's array) of a POST.
func attempts(r *http.Request) ([]attempt, string) {
	switch {
	case r.Header.Get("Upgrade") != "":
		return nil, ""
	case r.Method == http.MethodGet:
		q := r.URL.Query()
		if !q.Has("query") && !q.Has("extensions") {
			return nil, ""
		}
		a := attempt{Query: q.Get("query"), OperationName: q.Get("operationName")}
		_ = decodeJSON([]byte(q.Get("variables")), &a.Variables)
		_ = decodeJSON([]byte(q.Get("extensions")), &a.Extensions)
		return []attempt{a}, ""
	case r.Method != http.MethodPost:
		return nil, ""
	}
	body, err := io.ReadAll(r.Body)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, "the body is too large"
	} else if err != nil {
		return nil, "the body could not be read"
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		var a attempt
		a.malformed = decodeJSON(body, &a) != nil
		return []attempt{a}, ""
	}
	var batch []json.RawMessage
	if json.Unmarshal(body, &batch) != nil {
		return nil, "not a GraphQL request"
	}
	out := make([]attempt, len(batch))
	for i, b := range batch {
		if i < maxDescribedOps {
			out[i].malformed = decodeJSON(b, &out[i]) != nil
		}
	}
	return out, ""
}

// decodeJSON decodes b into v, numbers as json.Number.
func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// describe names the root fields of the operation a would run (of every
// operation when it names none of several) and the records they name.
func (a attempt) describe() (operation, target string) {
	switch {
	case a.malformed:
		return "(not a GraphQL request)", ""
	case a.Query == "" && a.Extensions.PersistedQuery.Hash != "":
		return "(persisted query)", clip(a.Extensions.PersistedQuery.Hash, maxTargetValue)
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: a.Query}, limits.TokenLimit)
	if err != nil {
		return "(the document does not parse)", ""
	}
	ops := doc.Operations
	if op := ops.ForName(a.OperationName); op != nil {
		ops = ast.OperationList{op}
	}
	d := describer{doc: doc, vars: a.Variables, seen: map[string]bool{}}
	for _, op := range ops {
		d.fields(op.SelectionSet)
	}
	if len(d.names) == 0 {
		return "(no operation)", ""
	}
	if d.more > 0 {
		d.names = append(d.names, fmt.Sprintf("(%d more)", d.more))
	}
	return strings.Join(d.names, ", "), strings.Join(d.targets, ", ")
}

// describer collects the root fields of a document's operations.
type describer struct {
	doc            *ast.QueryDocument
	vars           map[string]any
	seen           map[string]bool // fragments spread, each once
	names, targets []string
	count, more    int // root fields named, and those left out
}

func (d *describer) fields(set ast.SelectionSet) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if d.count == maxRootFields {
				d.more++
				continue
			}
			d.count++
			d.names = appendNew(d.names, s.Name)
			if t, ok := d.target(s.Arguments); ok {
				d.targets = appendNew(d.targets, clip(t, maxTargetValue))
			}
		case *ast.InlineFragment:
			d.fields(s.SelectionSet)
		case *ast.FragmentSpread:
			if f := d.doc.Fragments.ForName(s.Name); f != nil && !d.seen[s.Name] {
				d.seen[s.Name] = true
				d.fields(f.SelectionSet)
			}
		}
	}
}

// target is the first of targetArgs the arguments give a value.
func (d *describer) target(args ast.ArgumentList) (string, bool) {
	for _, path := range targetArgs {
		if a := args.ForName(path[0]); a != nil {
			if v, ok := d.valueAt(a.Value, path[1:]); ok {
				return v, true
			}
		}
	}
	return "", false
}

// valueAt is the scalar at path under v, a literal or a variable's value.
func (d *describer) valueAt(v *ast.Value, path []string) (string, bool) {
	switch {
	case v == nil:
		return "", false
	case v.Kind == ast.Variable:
		return jsonAt(d.vars[v.Raw], path)
	case len(path) > 0:
		if v.Kind != ast.ObjectValue {
			return "", false
		}
		return d.valueAt(v.Children.ForName(path[0]), path[1:])
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue, ast.IntValue, ast.FloatValue, ast.EnumValue:
		return v.Raw, true
	}
	return "", false
}

// jsonAt is the scalar at path under a decoded JSON value.
func jsonAt(v any, path []string) (string, bool) {
	for _, p := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = obj[p]
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// clip cuts s to at most n bytes, at a character's boundary, marking the
// cut; bytes that are not UTF-8 become U+FFFD.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
