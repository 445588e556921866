package main

// A schema-driven fuzz test through the HTTP API: requests generated from the
// introspected schema, with valid, boundary and malformed arguments, against
// a real server with a few realistic records. Whatever a client sends, the
// server must answer in time with JSON, never blame itself (INTERNAL) for the
// client's mistake, stay up, and leave the store as it was when it refuses a
// mutation.
//
// The sequence is deterministic: FUZZ_SEED picks it (the seed is logged, set
// it to replay a failure) and FUZZ_REQUESTS sets its length (`make fuzz` runs
// a long one).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/limits"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/server"
	"github.com/vnregistry/registry/internal/storetest"
)

// fuzzRequests is the default length: every root field a dozen times or so,
// short enough to run with the rest of the suite.
const fuzzRequests = 400

// fuzzSlack is how much longer than the server's own request limit an answer
// may take before the request counts as hung.
const fuzzSlack = 10 * time.Second

// maxSelectionDepth bounds nested selections: deeper ones would mostly
// exceed the cost limit and never reach the resolvers.
const maxSelectionDepth = 3

func TestFuzzAPI(t *testing.T) {
	t.Parallel()
	seed := fuzzSetting(t, "FUZZ_SEED", 1)
	requests := int(fuzzSetting(t, "FUZZ_REQUESTS", fuzzRequests))
	t.Logf("FUZZ_SEED=%d FUZZ_REQUESTS=%d", seed, requests)

	cfg := defaultConfig(t)
	path, keys := writeKeys(t)
	cfg.keys = path
	s := startServer(t, cfg)
	s.client.Transport = adminByDefault{base: s.client.Transport, secret: keys.admin}
	pools := seedFuzz(t, s)
	schema := introspect(t, s)
	roots := schema.roots()
	f := &fuzzer{rnd: rand.New(rand.NewPCG(seed, seed)), schema: schema, pools: pools}
	run := newFuzzRun(t, s, seed, pools)
	run.keys = keys
	oracle := newCostOracle()
	run.checkLimitEdges()

	start := time.Now()
	for n := range requests {
		// Every root field once per round, in an order drawn anew each round.
		if n%len(roots) == 0 {
			f.rnd.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
			// Once a round, the costliest document a root query accepts
			// and a role's view of an applicant.
			if root := roots[0]; root.operation == "query" {
				run.costliest(f, oracle, n, root)
			}
			run.checkView(f, n)
		}
		run.exchange(f.request(n, roots[n%len(roots)]))
		if t.Failed() && len(run.failures) >= 20 {
			t.Fatalf("stopping after %d kinds of failure", len(run.failures))
		}
	}
	t.Logf("%d requests over %d root fields in %v; slowest: %v for #%d (%s)",
		requests, len(roots), time.Since(start).Round(time.Millisecond), run.slowest.Round(time.Millisecond), run.slowestN, run.slowestField)
	for _, sig := range slices.Sorted(maps.Keys(run.failures)) {
		if n := run.failures[sig]; n > 1 {
			t.Logf("%s: %d times", sig, n)
		}
	}
	// The server must still do real work, not only answer /healthz.
	s.do(t, `{ agencies { totalCount } dossiers(first: 1) { totalCount } }`, nil, nil)
}

// fuzzSetting reads a non-negative integer from the environment.
func fuzzSetting(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// ---------------------------------------------------------------------------
// Records

// fuzzBulletin gives a directive and a statistics report to import.
const fuzzBulletin = `Ngày 27/3/2021, Chính phủ ban hành Quyết định số 468/QĐ-TTg phê duyệt Đề án đổi mới việc thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính.

Tháng 3/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 5.570 hồ sơ, trong đó trước hạn 4.671 hồ sơ, đạt 83,8%; đúng hạn 899 hồ sơ, đạt 16,2%.`

// fuzzBulletinHTML is the bulletin as a saved web page, which the import
// reads differently.
const fuzzBulletinHTML = `<!DOCTYPE html><html><head><title>Bản tin</title><script>var x = "<p>";</script></head>
<body><nav>Trang chủ</nav><article><p>Ngày 27/3/2021, Chính phủ ban hành <b>Quyết định số 468/QĐ-TTg</b> phê duyệt Đề án.</p>
<table><tr><td>Tháng 3/2021</td><td>giải quyết 5.570 hồ sơ</td></tr></table><p>Tháng 3/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 5.570 hồ sơ, trong đó trước hạn 4.671 hồ sơ, đạt 83,8%; đúng hạn 899 hồ sơ, đạt 16,2%.</p></article></body></html>`

// seedFuzz creates a few records of every kind, so that plausible values
// reach real records, and returns the values they offer.
func seedFuzz(t *testing.T, s *testServer) *valuePools {
	t.Helper()
	s.seed(t)
	s.do(t, createAgencyDoc, vars{"in": vars{"code": "000.00.07.H57", "name": "Ủy ban nhân dân huyện Tuy Phước",
		"abbreviation": "UBND huyện", "level": "DISTRICT", "parentCode": agencyCode}}, nil)
	s.do(t, createDirectiveDoc, vars{"in": vars{"symbol": decree, "issuedOn": "2018-04-23",
		"summary": "Về thực hiện cơ chế một cửa, một cửa liên thông", "validity": "IN_FORCE", "topics": []string{"một cửa"},
		"signer": vars{"position": "Thủ tướng", "name": "Nguyễn Xuân Phúc"}, "relations": []vars{{"kind": "REPLACES", "symbol": "63/2010/NĐ-CP"}}}}, nil)
	s.do(t, `mutation($text: String!) { importBulletin(text: $text, source: "fuzz") { dryRun } }`, vars{"text": fuzzBulletin}, nil)
	for range 3 {
		s.receive(t, "")
	}
	// Every personal field, at both agencies with a clerk, for the roles' views.
	for _, agency := range []string{agencyCode, otherAgency} {
		s.do(t, receiveDoc, vars{"in": vars{"procedureCode": procedureCode, "agencyCode": agency, "channel": "IN_PERSON",
			"applicant": vars{"name": applicantName, "idNumber": applicantID, "phone": applicantPhone}, "receivedAt": receivedAt}}, nil)
	}
	code := s.receive(t, "")
	s.step(t, code, vars{"action": "TRANSFER", "at": "2021-04-15T10:00:00+07:00", "toUnit": "Phòng Hộ tịch"}, nil)
	s.step(t, code, vars{"action": "RESOLVE", "at": "2021-04-16T10:00:00+07:00", "approved": true, "resultSymbol": "12/QĐ-UBND"}, nil)

	pools := newValuePools()
	r := s.post(t, `{
  agencies(first: 100) { edges { cursor node { id code abbreviation } } }
  procedures(first: 100) { edges { cursor node { id code legalBases { symbol } } } }
  dossiers(first: 100) { edges { cursor node { id code } } }
  directives(first: 100) { edges { cursor node { id symbol { text } relations { symbol } } } }
  reports(first: 100) { edges { cursor node { id period } } }
}`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("reading the seeded records: %s", r.Body)
	}
	pools.harvest(r.Data)
	return pools
}

// ---------------------------------------------------------------------------
// Schema

const introspectionDoc = `{
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      fields(includeDeprecated: true) { name args { name defaultValue type { ...ref } } type { ...ref } }
      inputFields { name defaultValue type { ...ref } }
      enumValues(includeDeprecated: true) { name }
      possibleTypes { name }
    }
  }
}
fragment ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

type typeRef struct {
	Kind   string
	Name   string // empty for LIST and NON_NULL
	OfType *typeRef
}

// String is the type as a variable definition writes it.
func (r typeRef) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return r.Name
}

func (r typeRef) named() string {
	for r.OfType != nil {
		r = *r.OfType
	}
	return r.Name
}

type introInput struct {
	Name         string
	DefaultValue *string
	Type         typeRef
}

// required reports whether the input must be given: non-null without a default.
func (in introInput) required() bool { return in.Type.Kind == "NON_NULL" && in.DefaultValue == nil }

type introField struct {
	Name string
	Args []introInput
	Type typeRef
}

type introType struct {
	Kind          string
	Name          string
	Fields        []introField
	InputFields   []introInput
	EnumValues    []struct{ Name string }
	PossibleTypes []struct{ Name string }
}

func (it *introType) field(name string) *introField {
	for i := range it.Fields {
		if it.Fields[i].Name == name {
			return &it.Fields[i]
		}
	}
	return nil
}

type apiSchema struct {
	query, mutation string
	types           map[string]*introType
}

// rootField is a field of Query or Mutation.
type rootField struct {
	operation string // query or mutation
	introField
}

func introspect(t *testing.T, s *testServer) *apiSchema {
	t.Helper()
	var out struct {
		Schema struct {
			QueryType    struct{ Name string }
			MutationType *struct{ Name string }
			Types        []*introType
		} `json:"__schema"`
	}
	s.do(t, introspectionDoc, nil, &out)
	sc := &apiSchema{query: out.Schema.QueryType.Name, types: map[string]*introType{}}
	if out.Schema.MutationType != nil {
		sc.mutation = out.Schema.MutationType.Name
	}
	for _, ty := range out.Schema.Types {
		sc.types[ty.Name] = ty
	}
	return sc
}

// roots are the fields of Query and Mutation (subscriptions need WebSockets
// and have their own tests).
func (sc *apiSchema) roots() []rootField {
	var out []rootField
	for op, name := range map[string]string{"query": sc.query, "mutation": sc.mutation} {
		if ty := sc.types[name]; ty != nil {
			for _, f := range ty.Fields {
				out = append(out, rootField{op, f})
			}
		}
	}
	slices.SortFunc(out, func(a, b rootField) int {
		return cmp.Or(cmp.Compare(a.operation, b.operation), cmp.Compare(a.Name, b.Name))
	})
	return out
}

func (sc *apiSchema) isLeaf(r typeRef) bool {
	k := sc.types[r.named()].Kind
	return k == "SCALAR" || k == "ENUM"
}

// ---------------------------------------------------------------------------
// Values the records offer

var (
	agencyCodeShape    = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
	procedureCodeShape = regexp.MustCompile(`^[0-9]\.[0-9]{6}`)
	dossierCodeShape   = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-`)
	monthShape         = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
)

// valuePools are values seen in answers, by what they name.
type valuePools struct {
	agencies, procedures, dossiers, symbols, ids, months []string
	cursors                                              map[string][]string // by connection field
	seen                                                 map[string]bool
}

// maxPool keeps pools small: a few real values are enough to reach records.
const maxPool = 64

func newValuePools() *valuePools {
	return &valuePools{cursors: map[string][]string{}, seen: map[string]bool{}}
}

func (p *valuePools) add(pool *[]string, v string) {
	if v == "" || p.seen[v] || len(*pool) >= maxPool {
		return
	}
	p.seen[v] = true
	*pool = append(*pool, v)
}

// harvest collects the values of an answer's data, in a stable order so the
// sequence stays reproducible.
func (p *valuePools) harvest(data json.RawMessage) {
	var v any
	if json.Unmarshal(data, &v) == nil {
		p.walk("", "", v)
	}
}

// walk collects the values under key; connection is the field of the
// connection v is in, whose cursors only that field accepts.
func (p *valuePools) walk(key, connection string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["pageInfo"]; ok {
			connection = key
		} else if _, ok := v["edges"]; ok {
			connection = key
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p.walk(k, connection, v[k])
		}
	case []any:
		for _, x := range v {
			p.walk(key, connection, x)
		}
	case string:
		switch {
		case key == "id":
			p.add(&p.ids, v)
		case key == "cursor" || key == "endCursor" || key == "startCursor":
			pool := p.cursors[connection]
			p.add(&pool, v)
			p.cursors[connection] = pool
		case key == "period" && monthShape.MatchString(v):
			p.add(&p.months, v)
		case (key == "symbol" || key == "text") && strings.Contains(v, "/"):
			p.add(&p.symbols, v)
		case key == "code" && agencyCodeShape.MatchString(v):
			p.add(&p.agencies, v)
		case key == "code" && procedureCodeShape.MatchString(v):
			p.add(&p.procedures, v)
		case key == "code" && dossierCodeShape.MatchString(v):
			p.add(&p.dossiers, v)
		}
	}
}

// ---------------------------------------------------------------------------
// Requests

// fuzzRequest is one generated request, kept whole for the report.
type fuzzRequest struct {
	n         int
	field     string
	mutation  bool
	query     string
	variables map[string]any
	body      []byte
	secret    string // the key sent, anonymous for none; the administrator's when empty
}

// anonymous is fuzzRequest.secret for a request without a key.
const anonymous = "anonymous"

// fuzzer generates requests. Within a request each value is malformed with
// probability hostility, so that some requests are entirely plausible and
// reach the resolvers and the store, and others break in many ways at once.
type fuzzer struct {
	rnd    *rand.Rand
	schema *apiSchema
	pools  *valuePools

	hostility float64
	inline    bool // arguments as literals in the document, not variables
	varDefs   []string
	variables map[string]any
}

func (f *fuzzer) request(n int, root rootField) *fuzzRequest {
	f.hostility = []float64{0, 0, 0.1, 0.3, 0.6}[f.rnd.IntN(5)]
	f.inline = f.rnd.IntN(4) == 0
	f.varDefs, f.variables = nil, map[string]any{}
	call := root.Name + f.arguments(root.Name, root.Args) + f.selection(root.Type, 0)
	query := root.operation
	if len(f.varDefs) > 0 {
		query += "(" + strings.Join(f.varDefs, ", ") + ")"
	}
	query += " { " + call + " }"
	body, err := json.Marshal(map[string]any{"query": query, "variables": f.variables})
	if err != nil {
		panic(fmt.Sprintf("request #%d: %v", n, err)) // a generator bug, not the server's
	}
	return &fuzzRequest{n: n, field: root.Name, mutation: root.operation == "mutation", query: query, variables: f.variables, body: body}
}

func (f *fuzzer) hostile() bool { return f.rnd.Float64() < f.hostility }

func (f *fuzzer) pick(values ...any) any { return values[f.rnd.IntN(len(values))] }

func (f *fuzzer) pickString(values ...string) string { return values[f.rnd.IntN(len(values))] }

// arguments writes a field's arguments: required ones nearly always, the
// others half the time.
func (f *fuzzer) arguments(field string, args []introInput) string {
	var parts []string
	for _, a := range args {
		if a.required() {
			if f.hostile() && f.rnd.IntN(3) == 0 {
				continue // a required argument left out
			}
		} else if f.rnd.IntN(2) == 0 {
			continue
		}
		v := f.value(a.Type, field+"."+a.Name)
		if f.inline {
			parts = append(parts, a.Name+": "+literal(v))
			continue
		}
		name := fmt.Sprintf("v%d", len(f.varDefs))
		f.varDefs = append(f.varDefs, "$"+name+": "+a.Type.String())
		if !(f.hostile() && f.rnd.IntN(4) == 0) { // else a declared variable never given
			f.variables[name] = v
		}
		parts = append(parts, a.Name+": $"+name)
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// selection selects a few fields of the type r names, nothing for a leaf.
func (f *fuzzer) selection(r typeRef, depth int) string {
	ty := f.schema.types[r.named()]
	switch ty.Kind {
	case "OBJECT":
		return f.objectSelection(ty, depth)
	case "INTERFACE", "UNION":
		parts := []string{"__typename"}
		if ty.field("id") != nil {
			parts = append(parts, "id")
		}
		for _, p := range ty.PossibleTypes {
			if f.rnd.IntN(2) == 0 {
				parts = append(parts, "... on "+p.Name+f.objectSelection(f.schema.types[p.Name], depth))
			}
		}
		return " { " + strings.Join(parts, " ") + " }"
	}
	return ""
}

func (f *fuzzer) objectSelection(ty *introType, depth int) string {
	var parts []string
	var node *introField
	if edges := ty.field("edges"); edges != nil {
		node = f.schema.types[edges.Type.named()].field("node")
	}
	connection := node != nil && ty.field("pageInfo") != nil
	if connection {
		parts = append(parts, "pageInfo { hasNextPage endCursor }", "edges { cursor node"+f.selection(node.Type, depth+1)+" }")
		if ty.field("totalCount") != nil {
			parts = append(parts, "totalCount")
		}
	}
	for _, fd := range ty.Fields {
		if connection && (fd.Name == "edges" || fd.Name == "pageInfo" || fd.Name == "totalCount") {
			continue
		}
		switch {
		case f.schema.isLeaf(fd.Type) && f.rnd.IntN(2) == 0:
			parts = append(parts, fd.Name+f.arguments(fd.Name, fd.Args))
		case !f.schema.isLeaf(fd.Type) && depth < maxSelectionDepth && f.rnd.IntN(4) == 0:
			parts = append(parts, fd.Name+f.arguments(fd.Name, fd.Args)+f.selection(fd.Type, depth+1))
		}
	}
	if len(parts) == 0 {
		parts = []string{"__typename"}
	}
	return " { " + strings.Join(parts, " ") + " }"
}

// enumValue is an enum value: bare in a document, a string in variables.
type enumValue string

// rawJSON is a JSON string literal sent byte for byte, for what json.Marshal
// would repair: lone surrogates, invalid UTF-8.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// literal writes v as a GraphQL literal. Object keys are sorted so that a
// document is the same on every run.
func literal(v any) string {
	switch v := v.(type) {
	case enumValue:
		return string(v)
	case rawJSON:
		return string(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = literal(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, k+": "+literal(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	b, err := json.Marshal(v) // JSON strings and numbers are GraphQL ones
	if err != nil {
		panic(err)
	}
	return string(b)
}

// value generates a value for type r; hint is "<parent>.<name>" of the
// argument or input field, which tells what a plausible value is.
func (f *fuzzer) value(r typeRef, hint string) any {
	if r.Kind == "NON_NULL" {
		if f.hostile() && f.rnd.IntN(4) == 0 {
			return nil
		}
		return f.value(*r.OfType, hint)
	}
	if f.rnd.IntN(12) == 0 {
		return nil
	}
	if f.hostile() && f.rnd.IntN(4) == 0 {
		return f.pick(map[string]any{"x": 1}, []any{"a", 1}, true, 12345, "text", 1.5, []any{})
	}
	switch r.Kind {
	case "LIST":
		return f.list(*r.OfType, hint)
	case "ENUM":
		return f.enum(f.schema.types[r.Name])
	case "INPUT_OBJECT":
		return f.object(f.schema.types[r.Name])
	}
	return f.scalar(r.Name, hint)
}

func (f *fuzzer) list(elem typeRef, hint string) any {
	if f.hostile() && f.rnd.IntN(4) == 0 {
		// Long lists hold plausible values: the length is what is tested.
		saved := f.hostility
		f.hostility = 0
		defer func() { f.hostility = saved }()
		out := make([]any, []int{101, 1000}[f.rnd.IntN(2)])
		for i := range out {
			out[i] = f.value(elem, hint)
		}
		return out
	}
	n := f.rnd.IntN(4)
	if n == 1 && f.rnd.IntN(3) == 0 {
		return f.value(elem, hint) // a single value stands for a list of one
	}
	out := make([]any, n)
	for i := range out {
		out[i] = f.value(elem, hint)
	}
	return out
}

func (f *fuzzer) enum(ty *introType) any {
	valid := ty.EnumValues[f.rnd.IntN(len(ty.EnumValues))].Name
	if !f.hostile() {
		return enumValue(valid)
	}
	switch f.rnd.IntN(5) {
	case 0:
		return enumValue(strings.ToLower(valid))
	case 1:
		return enumValue(valid + "_UNKNOWN")
	case 2:
		return valid // a string: a variable's form, refused in a document
	case 3:
		return ""
	}
	return f.nastyString(valid)
}

func (f *fuzzer) object(ty *introType) any {
	obj := map[string]any{}
	for _, in := range ty.InputFields {
		if in.required() {
			if f.hostile() && f.rnd.IntN(3) == 0 {
				continue // a required field left out
			}
		} else if f.rnd.IntN(2) == 0 {
			continue
		}
		obj[in.Name] = f.value(in.Type, ty.Name+"."+in.Name)
	}
	if f.hostile() && f.rnd.IntN(4) == 0 {
		obj["notInTheSchema"] = f.nastyString("")
	}
	return obj
}

// scalar generates a value of a scalar; custom scalars not known here are
// sent strings, which is what they all read.
func (f *fuzzer) scalar(name, hint string) any {
	switch name {
	case "Int":
		return f.int(hint)
	case "Float":
		if f.hostile() {
			return f.pick(-1, json.Number("1e308"), json.Number("1e400"), "0.5", json.Number("-0.0"))
		}
		return f.pick(0, 0.5, 0.838, 1)
	case "Boolean":
		if f.hostile() {
			return f.pick("true", 1, 0, "false", "")
		}
		return f.rnd.IntN(2) == 0
	case "ID":
		return f.id()
	case "Date":
		return f.date()
	case "DateTime":
		return f.dateTime()
	}
	return f.string(hint)
}

// hostileInts are the integers limits and encodings trip on.
var hostileInts = []any{
	-1, 0, 101, 366, 1000, -100, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1,
	1 << 53, json.Number("9007199254740993"), json.Number("9223372036854775807"), json.Number("9223372036854775808"),
	json.Number("-9223372036854775809"), json.Number("1e20"), json.Number("1e400"), 1.5, json.Number("2.0"), json.Number("-0"),
	"5", true,
}

func (f *fuzzer) int(hint string) any {
	if f.hostile() {
		return f.pick(hostileInts...)
	}
	switch lastName(hint) {
	case "first":
		return f.pick(0, 1, 2, 5, 20, 100)
	case "processingdays":
		return f.pick(0, 1, 5, 30, 365)
	case "year":
		return f.pick(2018, 2019, 2021)
	case "expectedversion":
		return 1 + f.rnd.IntN(6)
	}
	return f.rnd.IntN(10)
}

func lastName(hint string) string {
	return strings.ToLower(hint[strings.LastIndexByte(hint, '.')+1:])
}

func (f *fuzzer) id() any {
	if !f.hostile() && len(f.pools.ids) > 0 {
		return f.pickString(f.pools.ids...)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	valid := b64([]byte("Agency:" + agencyCode))
	if len(f.pools.ids) > 0 {
		valid = f.pickString(f.pools.ids...)
	}
	return f.pick(
		b64([]byte("Agency:")), b64([]byte("Dossier:"+agencyCode+"-000000-0000")), b64([]byte("Report:x")),
		b64([]byte("Unknown:1")), b64([]byte(":")), b64([]byte("Directive:\x00")), b64([]byte("Procedure:"+strings.Repeat("9", 5000))),
		base64.StdEncoding.EncodeToString([]byte("Agency:"+agencyCode)), b64([]byte(`{"$gt":""}`)),
		valid+"=", valid[1:], valid+valid, "", "!!!", f.nastyString(valid),
	)
}

var (
	plausibleDates = []string{"2021-04-15", "2021-04-20", "2021-04-26", "2021-03-31", "2018-04-23", "2021-01-01"}
	hostileDates   = []string{
		"2021-02-30", "2021-02-29", "2020-02-29", "9999-12-31", "0001-01-01", "0000-01-01", "yesterday", "",
		"2021-4-15", "2021-04-15T00:00:00Z", "20210415", " 2021-04-15", "+2021-04-15", "1899-12-31", "2101-01-01",
		"2021-13-01", "2021-00-10", "-2021-01-01", "２０２１-０４-１５", "2021-04-15\x00", "2021-04",
	}
	plausibleDateTimes = []string{
		"2021-04-15T09:00:00+07:00", "2021-04-16T10:00:00+07:00", "2021-04-20T08:00:00Z", "2021-04-26T15:00:00+07:00",
		"2021-03-01T00:00:00+07:00",
	}
	hostileDateTimes = []string{
		"9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2021-02-30T00:00:00Z", "2021-04-15T09:00:00",
		"2016-12-31T23:59:60Z", "2021-04-15T24:00:00Z", "2021-04-15T09:00:00+25:00", "2021-04-15T09:00:00.123456789123+07:00",
		"now", "", "2999-01-01T00:00:00+07:00", "1970-01-01T00:00:00Z", "2021-04-15t09:00:00z", "2021-04-15",
		"1900-01-01T00:00:00+14:00", "2021-04-15T09:00:00-00:00",
	}
)

func (f *fuzzer) date() any {
	if !f.hostile() {
		return f.pickString(plausibleDates...)
	}
	if f.rnd.IntN(5) == 0 {
		return f.nastyString(plausibleDates[0])
	}
	return f.pickString(hostileDates...)
}

func (f *fuzzer) dateTime() any {
	if !f.hostile() {
		return f.pickString(plausibleDateTimes...)
	}
	if f.rnd.IntN(5) == 0 {
		return f.nastyString(plausibleDateTimes[0])
	}
	return f.pickString(hostileDateTimes...)
}

// string generates a string: one naming a real or well-formed record when
// calm, a malformed one when hostile.
func (f *fuzzer) string(hint string) any {
	v := f.plausibleString(hint)
	if !f.hostile() {
		return v
	}
	if lastName(hint) == "after" && f.rnd.IntN(2) == 0 {
		return f.forgedCursor()
	}
	return f.nastyString(v)
}

func (f *fuzzer) plausibleString(hint string) string {
	p := f.pools
	orFresh := func(pool []string, fresh string) string {
		if len(pool) == 0 || f.rnd.IntN(4) == 0 {
			return fresh
		}
		return f.pickString(pool...)
	}
	agency := func() string {
		return orFresh(p.agencies, fmt.Sprintf("000.00.%02d.H%02d", 10+f.rnd.IntN(5), 56+f.rnd.IntN(2)))
	}
	procedure := func() string { return orFresh(p.procedures, fmt.Sprintf("1.%06d", 900000+f.rnd.IntN(10))) }
	dossier := func() string {
		return orFresh(p.dossiers, fmt.Sprintf("%s-2104%02d-%04d", agencyCode, 1+f.rnd.IntN(28), f.rnd.IntN(20)))
	}
	symbol := func() string {
		return orFresh(p.symbols, f.pickString(fmt.Sprintf("%d/QĐ-UBND", 1+f.rnd.IntN(10)), fmt.Sprintf("%d/2021/TT-BTP", 1+f.rnd.IntN(10)), "516/TTg-KSTT", "QD 468 TTg"))
	}
	parent := strings.ToLower(hint)
	switch name := lastName(hint); name {
	case "agencycode", "agencycodes", "parentcode", "agency":
		return agency()
	case "procedurecode", "procedurecodes":
		return procedure()
	case "symbol", "legalbases", "legalbasis", "resultsymbol":
		return symbol()
	case "period", "from", "to":
		// Months, the other periods reconciliation reads, and the ends of
		// the calendar's range (the longest statistics query).
		return orFresh(p.months, f.pickString(fmt.Sprintf("2021-%02d", 1+f.rnd.IntN(12)),
			"2021-Q1", "2021-H1", "2021-9M", "2021", "2021-01/2021-04", "1945-01", "2100-12"))
	case "after":
		if pool := p.cursors[hint[:strings.IndexByte(hint, '.')]]; len(pool) > 0 {
			return f.pickString(pool...)
		}
		return f.forgedCursor()
	case "search":
		return f.pickString("mot cua", "một cửa", "QD-TTg", "468", "Chính phủ", "thủ tục hành chính")
	case "text":
		return f.pickString(fuzzBulletin, fuzzBulletinHTML, "Không có gì.",
			`Tỉnh tiếp tục áp dụng phương án "5 tại chỗ" theo Quyết định số 2503/QĐ-UBND ngày 6/9/2019 của UBND tỉnh.`,
			"Ngày 22/4/2021, Chính phủ ban hành Nghị định số 61/2018/NĐ-CP.",
			"Tháng 01/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 6.164 hồ sơ. Trong đó, trước hạn 5.184 hồ sơ, đạt 83,7%; đúng hạn 1.008 hồ sơ, đạt 16,3%.")
	case "type":
		return f.pickString("QĐ", "QD", "NĐ", "", "TT", "CV")
	case "issuercode", "issuer":
		return f.pickString("TTg", "CP", "UBND", "BCĐCCHC", "BTP")
	case "operation":
		return f.pickString("createAgency", "receiveDossier", "recordDossierStep", "importBulletin")
	case "who":
		return f.pickString("developer", "local")
	case "target":
		return dossier()
	case "code":
		switch {
		case strings.Contains(parent, "agency"):
			return agency()
		case strings.Contains(parent, "procedure"):
			return procedure()
		}
		return dossier()
	}
	return f.pickString("Nguyễn Văn An", "Hộ tịch", "Bộ phận một cửa", "Phòng Hộ tịch", "x", "Quyết định", "https://example.vn/tin/1")
}

// forgedCursor is a cursor a client made up: base64 of JSON shaped like the
// server's, naming lists, values and ids it never issued.
func (f *fuzzer) forgedCursor() string {
	list := f.pickString("agencies", "procedures", "directives", "reports", "auditLog",
		"dossiers by CODE", "dossiers by RECEIVED_AT", "dossiers by RECEIVED_AT_DESC", "dossiers by DUE_DATE", "", "other")
	value := f.pickString(`"x"`, `""`, `null`, `0`, `{"$gt":""}`, `"0000-01-01T00:00:00Z"`, `"9999-12-31T23:59:59Z"`,
		`"2021-02-30"`, `[1]`, `"\u0000"`, `"2021-04-15"`, `"2021-04-15T09:00:00+07:00"`)
	id := f.pickString(`"x"`, `""`, `"\u0000"`, `{"$ne":null}`, `"`+agencyCode+`"`, `1`)
	raw := fmt.Sprintf(`{"l":%q,"v":%s,"id":%s}`, list, value, id)
	if f.rnd.IntN(5) == 0 {
		raw = raw[:f.rnd.IntN(len(raw))] // cut short
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// fullWidth turns ASCII into the full-width forms East Asian input methods type.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r + 0xfee0
		}
		return r
	}, s)
}

// nastyString is a malformed string: limits, invisible and invalid
// characters, injection attempts, or a damaged form of the plausible value v.
func (f *fuzzer) nastyString(v string) any {
	switch f.rnd.IntN(10) {
	case 0:
		return f.pickString("", " ", "\t\n", "null", "undefined", "0", "-1", "NaN", "1e309", "true")
	case 1:
		n := []int{200, 201, 255, 256, 500, 501, 1000, 2001, 4096, 65536}[f.rnd.IntN(10)]
		if f.rnd.IntN(40) == 0 {
			n = 1100 << 10 // beyond the body limit
		}
		return strings.Repeat(f.pickString("a", "Đ", "ệ", "😀"), n)
	case 2:
		return f.pickString("\x00", "a\x00b", v+"\x00", "\x01\x02\x1f\x7f", "\r\n", "a\u0085b", "\x1b[31mred")
	case 3:
		return f.pickString("\u200b", v+"\u200d", "\u202e"+v+"\u202c", "\u2066x\u2069", "\ufeff"+v, "\u00ad"+v, "\u061c")
	case 4:
		return f.pickString(fullWidth(v), norm.NFD.String(v), "e\u0301\u0301\u0301", "\U0010ffff", "\uffff", "\ufffd", "😀"+v)
	case 5:
		// A lone surrogate escape, and invalid UTF-8 bytes: JSON carries
		// both, json.Marshal would repair them.
		return rawJSON(f.pickString(`"\ud800"`, `"a\udfffb"`, `"\udc00\ud800"`, "\"\xff\xfe\"", "\"a\xc3\"", "\"\xed\xa0\x80\""))
	case 6:
		return f.pickString("$gt", `{"$ne":null}`, ".*", "(a+)+$", "^", `\`, "%", "%00", "'; DROP TABLE dossiers;--",
			"../../etc/passwd", "<script>alert(1)</script>", "${jndi:ldap://x}", "%s%n%x", "{{7*7}}", "$where")
	case 7:
		return f.pickString(" "+v, v+" ", strings.ToLower(v), strings.ToUpper(v), v[:len(v)/2], strings.Repeat(v, 50), v+v)
	case 8:
		return f.pickString("2021-13", "2021-00", "0001-01", "9999-12", "1944-12", "2101-01", "2021-3", "2021/03", "03/2021",
			"2021-03-01", "yesterday", "2021-Q5", "2021-H3", "2021-12M", "2021-04/2021-01", "2021-01/2100-12", "2021-01/")
	}
	return strings.Repeat(v+" ", 1+f.rnd.IntN(2000))
}

// ---------------------------------------------------------------------------
// Checks

// clientCodes are the codes an answer to a client's mistake may carry.
var clientCodes = []string{
	string(registry.CodeBadUserInput), string(registry.CodeNotFound), string(registry.CodeConflict),
	string(registry.CodeUnauthenticated), string(registry.CodeForbidden), string(registry.CodeComplexityExceeded),
}

// fuzzRun sends requests and checks the answers.
type fuzzRun struct {
	t        *testing.T
	s        *testServer
	seed     uint64
	client   *http.Client
	limit    time.Duration
	db       *mongo.Database
	keys     roleKeys
	pools    *valuePools    // fed with the values of every answer
	failures map[string]int // signature -> occurrences; the first is reported

	slowest      time.Duration
	slowestN     int
	slowestField string
}

func newFuzzRun(t *testing.T, s *testServer, seed uint64, pools *valuePools) *fuzzRun {
	t.Helper()
	limit := cmp.Or(s.cfg.http.Timeout, server.Defaults().Timeout)
	c, err := mongo.Connect(options.Client().ApplyURI(storetest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return &fuzzRun{
		t: t, s: s, seed: seed, limit: limit,
		client:   &http.Client{Transport: s.client.Transport, Timeout: limit + fuzzSlack},
		db:       c.Database(s.cfg.store.database),
		pools:    pools,
		failures: map[string]int{},
	}
}

// exchange sends req and checks the answer, the server's health and, for a
// refused mutation, the store. It returns the decoded answer, nil when none.
func (r *fuzzRun) exchange(req *fuzzRequest) *gqlResponse {
	var before storeSnapshot
	if req.mutation {
		before = r.snapshot()
	}
	logFrom := r.s.logs.length()
	began := time.Now()
	res, err := r.post(req)
	took := time.Since(began)
	if took > r.slowest {
		r.slowest, r.slowestN, r.slowestField = took, req.n, req.field
	}
	logged := r.s.logs.since(logFrom)
	if err != nil {
		r.fail("no answer", req, nil, logged, fmt.Sprintf("no answer within the server's limit %v plus %v: %v", r.limit, fuzzSlack, err))
	} else if err = json.Unmarshal(res.Body, res); err != nil {
		r.fail("not JSON", req, res, logged, fmt.Sprintf("status %d, body is not JSON: %v", res.Status, err))
	} else {
		for _, p := range answerProblems(res, logged) {
			r.fail(p.kind, req, res, logged, p.detail)
		}
	}
	r.checkAlive(req)
	if err != nil {
		return nil
	}
	if req.mutation && refused(res, req.field) {
		if diff := before.diff(r.snapshot()); len(diff) > 0 {
			r.fail("store changed by a refused mutation", req, res, logged, strings.Join(diff, "\n"))
		}
	}
	r.pools.harvest(res.Data)
	return res
}

func (r *fuzzRun) post(req *fuzzRequest) (*gqlResponse, error) {
	hr, err := http.NewRequest(http.MethodPost, r.s.url+"/graphql", bytes.NewReader(req.body))
	if err != nil {
		r.t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	switch req.secret {
	case "":
	case anonymous:
		hr.Header.Set(anonymousMarker, "1")
	default:
		hr.Header.Set("Authorization", "Bearer "+req.secret)
	}
	hr.Header.Set(server.RequestIDHeader, fmt.Sprintf("fuzz-%d-%d", r.seed, req.n))
	res, err := r.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &gqlResponse{Status: res.StatusCode, Header: res.Header, Body: body}, nil
}

type problem struct{ kind, detail string }

// answerProblems checks what every decoded answer must be, whatever was
// asked: not a server error, with catalogue codes that do not blame the
// server and messages free of internal text, and no error in the server's log.
func answerProblems(res *gqlResponse, logged string) []problem {
	var out []problem
	if res.Status >= 500 {
		out = append(out, problem{fmt.Sprintf("status %d", res.Status), fmt.Sprintf("status %d", res.Status)})
	}
	if len(res.Errors) == 0 && (res.Data == nil || isNull(res.Data)) {
		out = append(out, problem{"no data, no errors", "the answer has neither data nor errors"})
	}
	for _, e := range res.Errors {
		if !slices.Contains(clientCodes, e.code()) {
			out = append(out, problem{"code " + e.code(), fmt.Sprintf("error %q at %v has extensions.code %q, not one of %v", e.Message, e.Path, e.code(), clientCodes)})
		}
		lower := strings.ToLower(e.Message)
		for _, l := range leaks {
			if strings.Contains(lower, strings.ToLower(l)) {
				out = append(out, problem{"leak " + l, fmt.Sprintf("error message %q contains internal text %q", e.Message, l)})
			}
		}
	}
	for line := range strings.Lines(logged) {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, problem{"error logged", "the server logged an error: " + strings.TrimSpace(line)})
			break
		}
	}
	return out
}

// refused reports whether the answer refuses the mutation itself: errors, no
// result, and none about the result's selection (those come after the
// mutation ran, and their null spreads up to the root).
func refused(res *gqlResponse, field string) bool {
	if len(res.Errors) == 0 {
		return false
	}
	var data map[string]json.RawMessage
	if json.Unmarshal(res.Data, &data) == nil && data[field] != nil && !isNull(data[field]) {
		return false
	}
	for _, e := range res.Errors {
		if len(e.Path) > 1 && e.Path[0] == field {
			return false
		}
	}
	return true
}

// checkAlive stops the test when the server no longer answers /healthz.
func (r *fuzzRun) checkAlive(after *fuzzRequest) {
	res, err := r.client.Get(r.s.url + "/healthz")
	if err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return
		}
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	r.fail("server down", after, nil, "", fmt.Sprintf("/healthz after this request: %v", err))
	r.t.FailNow()
}

// fail reports a failed check with everything needed to replay it, the first
// time its kind happens on a root field; later ones are counted.
func (r *fuzzRun) fail(kind string, req *fuzzRequest, res *gqlResponse, logged, detail string) {
	sig := kind + " on " + req.field
	r.failures[sig]++
	if r.failures[sig] > 1 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "request #%d (%s): %s\n%s\n", req.n, req.field, kind, detail)
	fmt.Fprintf(&b, "query:\n%s\n", clip(req.query))
	vb, _ := json.MarshalIndent(req.variables, "", "  ")
	fmt.Fprintf(&b, "variables: %s\n", clip(string(vb)))
	if res != nil {
		fmt.Fprintf(&b, "response: status %d\n%s\n", res.Status, clip(string(res.Body)))
	}
	if logged != "" {
		fmt.Fprintf(&b, "server log during the request:\n%s", clip(logged))
	}
	if f, err := os.CreateTemp("", "fuzz-request-*.json"); err == nil {
		_, _ = f.Write(req.body)
		_ = f.Close()
		fmt.Fprintf(&b, "replay the exact request against `registry serve` holding the same records:\n"+
			"  curl -sS -H 'Content-Type: application/json' --data-binary @%s http://127.0.0.1:8080/graphql\n", f.Name())
	}
	fmt.Fprintf(&b, "or replay the whole sequence: FUZZ_SEED=%d FUZZ_REQUESTS=%d go test -count=1 -run TestFuzzAPI ./cmd/registry",
		r.seed, req.n+1)
	r.t.Error(b.String())
}

// clip shortens what is too long to read in a test log; the exact request is
// in the file fail writes.
func clip(s string) string {
	const limit = 8 << 10
	if len(s) <= limit {
		return s
	}
	return s[:limit] + fmt.Sprintf("... (%d bytes more)", len(s)-limit)
}

func (b *syncBuffer) length() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// since is what was logged after offset.
func (b *syncBuffer) since(offset int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf.Bytes()[offset:])
}

// ---------------------------------------------------------------------------
// Store snapshots

// storeSnapshot is every stored record: collection -> _id -> document. The
// audit log, the statistics rollups and the writer's lease are left out: a
// refused mutation is audited by design, rollups are flushed and the lease
// renewed in the background.
type storeSnapshot map[string]map[string]bson.Raw

func (r *fuzzRun) snapshot() storeSnapshot {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	names, err := r.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		r.t.Fatalf("snapshot: %v", err)
	}
	snap := storeSnapshot{}
	for _, name := range names {
		if name == "audit" || name == "rollups" || name == "leases" {
			continue
		}
		cur, err := r.db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			r.t.Fatalf("snapshot of %s: %v", name, err)
		}
		docs := map[string]bson.Raw{}
		for cur.Next(ctx) {
			docs[cur.Current.Lookup("_id").String()] = slices.Clone(cur.Current)
		}
		if err := cur.Err(); err != nil {
			r.t.Fatalf("snapshot of %s: %v", name, err)
		}
		snap[name] = docs
	}
	return snap
}

// diff describes every record added, removed or changed from a to b.
func (a storeSnapshot) diff(b storeSnapshot) []string {
	var out []string
	cols := map[string]bool{}
	for col := range a {
		cols[col] = true
	}
	for col := range b {
		cols[col] = true
	}
	for _, col := range slices.Sorted(maps.Keys(cols)) {
		before, after := a[col], b[col]
		for _, id := range slices.Sorted(maps.Keys(before)) {
			switch doc, ok := after[id]; {
			case !ok:
				out = append(out, fmt.Sprintf("%s: removed %s", col, before[id]))
			case !bytes.Equal(doc, before[id]):
				out = append(out, fmt.Sprintf("%s: changed %s\n  before: %s\n  after:  %s", col, id, before[id], doc))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(after)) {
			if _, ok := before[id]; !ok {
				out = append(out, fmt.Sprintf("%s: added %s", col, after[id]))
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Keys

// anonymousMarker asks adminByDefault to send a request without a key.
const anonymousMarker = "X-Fuzz-Anonymous"

// adminByDefault sends every request without an Authorization header as
// the administrator, so that the generated requests reach every resolver on
// a server that requires keys; anonymousMarker sends one without.
type adminByDefault struct {
	base   http.RoundTripper
	secret string
}

func (a adminByDefault) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if req.Header.Get(anonymousMarker) != "" {
		req.Header.Del(anonymousMarker)
	} else if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+a.secret)
	}
	return a.base.RoundTrip(req)
}

// ---------------------------------------------------------------------------
// Costliest accepted documents

// costDepth bounds the nesting the costliest documents fill, below the
// depth limit: the cost limit, not depth, is what they reach.
const costDepth = 5

// fuzzLimits are the limits the fuzz server enforces.
func (r *fuzzRun) limits() limits.Config {
	l, d := r.s.cfg.limits, limits.Defaults()
	return limits.Config{MaxDepth: cmp.Or(l.MaxDepth, d.MaxDepth), MaxAliases: cmp.Or(l.MaxAliases, d.MaxAliases),
		MaxRootFields: cmp.Or(l.MaxRootFields, d.MaxRootFields), MaxCost: cmp.Or(l.MaxCost, d.MaxCost)}
}

// costOracle measures a document's cost with the server's own limits code
// over the server's schema, and the registry's counts asked before each
// document (the run is sequential, so they hold when it is sent).
type costOracle struct {
	schema *ast.Schema
	sizes  map[string]int
}

func newCostOracle() *costOracle {
	return &costOracle{schema: graph.NewExecutableSchema(graph.Config{}).Schema()}
}

func (o *costOracle) StatDimensionSizes(context.Context) (map[string]int, error) { return o.sizes, nil }

// refresh reads the counts the statistics dimensions take.
func (o *costOracle) refresh(t *testing.T, s *testServer) {
	var out struct{ Agencies, Procedures struct{ TotalCount int } }
	s.do(t, `{ agencies { totalCount } procedures { totalCount } }`, nil, &out)
	o.sizes = map[string]int{"AGENCY": out.Agencies.TotalCount, "PROCEDURE": out.Procedures.TotalCount, "FIELD": 1}
}

// cost is doc's cost, or -1 when doc is not valid.
func (o *costOracle) cost(doc string) int {
	q, errs := gqlparser.LoadQuery(o.schema, doc)
	if len(errs) > 0 {
		return -1
	}
	// A limit of 1 makes the extension report every cost above it.
	ext := limits.New(limits.Config{MaxDepth: math.MaxInt32, MaxAliases: math.MaxInt32, MaxRootFields: math.MaxInt32, MaxCost: 1}.WithSizes(o))
	err := ext.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: q, Operation: q.Operations[0]})
	if err == nil {
		return 1
	}
	v, _ := err.Extensions["value"].(int)
	return v
}

// selNode is a field of a generated selection.
type selNode struct {
	head     string // name and arguments
	children []*selNode
}

func (n *selNode) render(b *strings.Builder) {
	b.WriteString(n.head)
	if n.children != nil {
		b.WriteString(" {")
		for _, c := range n.children {
			b.WriteByte(' ')
			c.render(b)
		}
		b.WriteString(" }")
	}
}

// costBuilder grows one root field's selection, a field at a time, as long
// as the document stays within the cost limit.
type costBuilder struct {
	f      *fuzzer
	oracle *costOracle
	root   *selNode
	limit  int
}

func (c *costBuilder) doc(pad string) string {
	var b strings.Builder
	b.WriteString("query { ")
	c.root.render(&b)
	b.WriteString(pad + " }")
	return b.String()
}

func (c *costBuilder) fits() bool {
	n := c.oracle.cost(c.doc(""))
	return n >= 0 && n < c.limit
}

// fill adds to n every field of ty that fits, nesting objects to costDepth.
func (c *costBuilder) fill(n *selNode, ty *introType, depth int) {
	for _, fd := range ty.Fields {
		child := &selNode{head: fd.Name + c.args(fd.Name, fd.Args)}
		inner := c.f.schema.types[fd.Type.named()]
		if !c.f.schema.isLeaf(fd.Type) {
			if depth >= costDepth {
				continue
			}
			child.children = []*selNode{{head: "__typename"}}
		}
		n.children = append(n.children, child)
		if !c.fits() {
			n.children = n.children[:len(n.children)-1]
			continue
		}
		if inner.Kind == "OBJECT" {
			c.fill(child, inner, depth+1)
		}
	}
}

// widestGroupBy is every dimension at once, with the finest time one.
const widestGroupBy = "[MONTH, AGENCY, PROCEDURE, FIELD, LEVEL, CHANNEL]"

// args pushes every list argument to its bound and gives required ones a
// plausible value.
func (c *costBuilder) args(field string, args []introInput) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Name == "first":
			parts = append(parts, "first: 100")
		case a.Name == "groupBy":
			parts = append(parts, "groupBy: "+widestGroupBy)
		case a.Type.named() == "DossierStatsFilter":
			parts = append(parts, `filter: {from: "2012-01", to: "2021-12"}`) // the longest span, 120 months
		case a.required():
			v := c.f.value(a.Type, field+"."+a.Name)
			for v == nil {
				v = c.f.value(a.Type, field+"."+a.Name)
			}
			parts = append(parts, a.Name+": "+literal(v))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// costliest sends the costliest document on root the limits accept, padded
// towards the limit, then the same one step past it, which must be refused
// before it runs.
func (r *fuzzRun) costliest(f *fuzzer, oracle *costOracle, n int, root rootField) {
	saved := f.hostility
	f.hostility = 0
	defer func() { f.hostility = saved }()
	oracle.refresh(r.t, r.s)
	c := &costBuilder{f: f, oracle: oracle, limit: r.limits().MaxCost, root: &selNode{head: root.Name + (&costBuilder{f: f}).args(root.Name, root.Args)}}
	if !f.schema.isLeaf(root.Type) {
		c.root.children = []*selNode{{head: "__typename"}}
		if ty := f.schema.types[root.Type.named()]; ty.Kind == "OBJECT" {
			c.fill(c.root, ty, 1)
		}
	}
	cost := oracle.cost(c.doc(""))
	if cost < 0 {
		r.t.Fatalf("request #%d: the costliest document on %s is not valid (a generator bug; replay with FUZZ_SEED=%d):\n%s", n, root.Name, r.seed, c.doc(""))
	}
	// A connection of totalCount costs 1 plus its first.
	at := c.doc(fmt.Sprintf(" pad: agencies(first: %d) { totalCount }", min(100, max(0, c.limit-cost-1))))
	past := c.doc(fmt.Sprintf(" pad: agencies(first: %d) { totalCount }", c.limit-cost))
	if got := oracle.cost(past); got != c.limit+1 {
		r.t.Fatalf("request #%d: the document past the limit costs %d, want %d (replay with FUZZ_SEED=%d):\n%s", n, got, c.limit+1, r.seed, past)
	}
	req := r.limitRequest(n, root.Name+" (costliest accepted)", at)
	if res := r.exchange(req); res != nil && hasCode(res, registry.CodeComplexityExceeded) {
		r.fail("costliest accepted document refused", req, res, "", fmt.Sprintf("cost %d by the limits' own measure is within %d", oracle.cost(at), c.limit))
	}
	r.refusedBefore(r.limitRequest(n, root.Name+" (one past the cost limit)", past), registry.CodeComplexityExceeded)
}

// limitEdges are documents at a limit of depth, aliases and root fields,
// and one past it, by what they test.
func limitEdges(l limits.Config) map[string][2]string {
	parents := func(k int) string { // depth k+2
		return "{ agency(code: \"" + agencyCode + "\") " + strings.Repeat("{ parent ", k) + "{ code }" + strings.Repeat(" }", k) + " }"
	}
	aliases := func(k int) string {
		var b strings.Builder
		for i := range k {
			fmt.Fprintf(&b, " a%d: totalCount", i)
		}
		return "{ agencies(first: 1) {" + b.String() + " } }"
	}
	roots := func(k int) string {
		var b strings.Builder
		for i := range k {
			fmt.Fprintf(&b, " r%d: agencies(first: 1) { totalCount }", i)
		}
		return "{" + b.String() + " }"
	}
	return map[string][2]string{
		"depth":       {parents(l.MaxDepth - 2), parents(l.MaxDepth - 1)},
		"aliases":     {aliases(l.MaxAliases), aliases(l.MaxAliases + 1)},
		"root fields": {roots(l.MaxRootFields), roots(l.MaxRootFields + 1)},
	}
}

// checkLimitEdges sends the documents of limitEdges: those at a limit must
// run, those past it be refused before running.
func (r *fuzzRun) checkLimitEdges() {
	edges := limitEdges(r.limits())
	for _, what := range slices.Sorted(maps.Keys(edges)) {
		req := r.limitRequest(-1, "at the "+what+" limit", edges[what][0])
		if res := r.exchange(req); res != nil && len(res.Errors) > 0 {
			r.fail("document at a limit refused", req, res, "", "a document right at the limit must run")
		}
		r.refusedBefore(r.limitRequest(-1, "one past the "+what+" limit", edges[what][1]), registry.CodeBadUserInput)
	}
}

func (r *fuzzRun) limitRequest(n int, what, query string) *fuzzRequest {
	body, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		panic(err)
	}
	return &fuzzRequest{n: n, field: what, query: query, body: body}
}

// refusedBefore sends req, which must be refused with code before it runs:
// no data at all.
func (r *fuzzRun) refusedBefore(req *fuzzRequest, code registry.Code) {
	res := r.exchange(req)
	if res != nil && (!hasCode(res, code) || (res.Data != nil && !isNull(res.Data))) {
		r.fail("document past a limit not refused", req, res, "", fmt.Sprintf("want an error %s and no data", code))
	}
}

func hasCode(res *gqlResponse, code registry.Code) bool {
	return slices.ContainsFunc(res.Errors, func(e gqlError) bool { return e.code() == string(code) })
}

// ---------------------------------------------------------------------------
// Every role's view of every personal field

// fuzzViewer is a caller and which dossiers' applicants it may see, written
// out here rather than read from auth, so that a change to the rule fails.
type fuzzViewer struct {
	name   string
	secret func(roleKeys) string
	sees   func(agency string) bool
}

var fuzzViewers = []fuzzViewer{
	{"anonymous", noKey, func(string) bool { return false }},
	{"clerk of " + agencyCode, func(k roleKeys) string { return k.clerk }, func(a string) bool { return a == agencyCode }},
	{"clerk of " + otherAgency, func(k roleKeys) string { return k.otherClerk }, func(a string) bool { return a == otherAgency }},
	{"editor", func(k roleKeys) string { return k.editor }, func(string) bool { return false }},
	{"auditor", func(k roleKeys) string { return k.auditor }, func(string) bool { return true }},
	{"admin", func(k roleKeys) string { return k.admin }, func(string) bool { return true }},
}

const applicantTruthDoc = `query($c: String!) { dossier(code: $c) { id agency { code } applicant { name idNumber phone } } }`

const applicantViewDoc = `query($c: String!, $id: ID!, $a: String) {
  dossier(code: $c) { code applicant { name idNumber phone } }
  dossiers(first: 100, filter: {agencyCode: $a}) { edges { node { code applicant { name idNumber phone } } } }
  node(id: $id) { ... on Dossier { code applicant { name idNumber phone } } }
}`

type applicantFields struct{ Name, IDNumber, Phone *string }

// checkView asks, as a random viewer, for the applicant of a random dossier
// through dossier, dossiers and node, and holds each to what the viewer may
// see: the administrator's view of it, or nothing.
func (r *fuzzRun) checkView(f *fuzzer, n int) {
	if len(r.pools.dossiers) == 0 {
		return
	}
	code := f.pickString(r.pools.dossiers...)
	var truth struct {
		Dossier *struct {
			ID        string
			Agency    struct{ Code string }
			Applicant applicantFields
		}
	}
	r.s.do(r.t, applicantTruthDoc, vars{"c": code}, &truth)
	if truth.Dossier == nil {
		return
	}
	v := fuzzViewers[f.rnd.IntN(len(fuzzViewers))]
	agency := truth.Dossier.Agency.Code
	req := r.limitRequest(n, "applicant as "+v.name, applicantViewDoc)
	req.variables = map[string]any{"c": code, "id": truth.Dossier.ID, "a": agency}
	req.body, _ = json.Marshal(map[string]any{"query": req.query, "variables": req.variables})
	req.secret = cmp.Or(v.secret(r.keys), anonymous)
	res := r.exchange(req)
	if res == nil || len(res.Errors) > 0 {
		return // exchange reported it
	}
	type view struct {
		Code      string
		Applicant applicantFields
	}
	var out struct {
		Dossier  *view
		Dossiers struct{ Edges []struct{ Node view } }
		Node     *view
	}
	if err := json.Unmarshal(res.Data, &out); err != nil {
		r.fail("applicant view unreadable", req, res, "", err.Error())
		return
	}
	views := map[string]*view{"dossier": out.Dossier, "node": out.Node}
	for _, e := range out.Dossiers.Edges {
		if e.Node.Code == code {
			views["dossiers"] = &e.Node
		}
	}
	want := applicantFields{}
	if v.sees(agency) {
		want = truth.Dossier.Applicant
	}
	for _, path := range slices.Sorted(maps.Keys(views)) {
		got := views[path]
		if got == nil || !reflect.DeepEqual(got.Applicant, want) {
			r.fail("applicant seen wrongly", req, res, "", fmt.Sprintf("%s of dossier %s (agency %s) as %s: got %s, want %s",
				path, code, agency, v.name, mustJSON(got), mustJSON(want)))
		}
	}
}
