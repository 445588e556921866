package main

// End-to-end tests: the real server (runServer) on a loopback port against the
// test engine, a fresh database per test, spoken to over HTTP and WebSocket.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// ---------------------------------------------------------------------------
// GraphQL over HTTP

func TestE2ETypenameOverPOSTAndGET(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	var out struct {
		Typename string `json:"__typename"`
	}
	s.do(t, `{ __typename }`, nil, &out)
	if out.Typename != "Query" {
		t.Errorf("POST {__typename} = %q, want Query", out.Typename)
	}

	r := s.send(t, s.getRequest(t, `{ __typename }`, nil))
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("GET {__typename}: status %d\n%s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET Content-Type = %q, want application/json", ct)
	}
	r.decode(t, &out)
	if out.Typename != "Query" {
		t.Errorf("GET {__typename} = %q, want Query", out.Typename)
	}

	// Variables travel in the query string too.
	r = s.send(t, s.getRequest(t, `query($c: String!) { agency(code: $c) { code } }`, vars{"c": agencyCode}))
	if r.Status != http.StatusOK || len(r.Errors) > 0 || string(r.Data) != `{"agency":null}` {
		t.Errorf("GET with variables: status %d, body %s; want 200 {\"agency\":null}", r.Status, r.Body)
	}
}

// The GraphQL-over-HTTP media type: asked for, it is answered, and a document
// that does not parse is 400 without a "data" entry; with application/json
// it is 200, as the specification asks (gqlgen's own answer, 422, is corrected).
func TestE2EResponseMediaTypeAndRequestErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const gqlJSON = "application/graphql-response+json"

	for _, method := range []string{http.MethodPost, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			build := s.postRequest
			if method == http.MethodGet {
				build = s.getRequest
			}
			req := build(t, `{ __typename }`, nil)
			req.Header.Set("Accept", gqlJSON)
			r := s.send(t, req)
			if r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Errorf("Accept %s: status %d\n%s", gqlJSON, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != gqlJSON {
				t.Errorf("Accept %s: Content-Type %q", gqlJSON, ct)
			}

			for _, doc := range []struct{ name, query string }{
				{"syntax error", `{ __typename`},
				{"validation error", `{ noSuchField }`},
			} {
				for _, c := range []struct {
					accept string
					status int
					ct     string
				}{
					{gqlJSON, http.StatusBadRequest, gqlJSON},
					{"application/json", http.StatusOK, "application/json"},
					{"", http.StatusOK, "application/json"},
				} {
					req := build(t, doc.query, nil)
					if c.accept != "" {
						req.Header.Set("Accept", c.accept)
					}
					r := s.send(t, req)
					if r.Status != c.status {
						t.Errorf("%s with Accept %q: status %d, want %d\n%s", doc.name, c.accept, r.Status, c.status, r.Body)
					}
					if ct := r.Header.Get("Content-Type"); ct != c.ct {
						t.Errorf("%s with Accept %q: Content-Type %q, want %q", doc.name, c.accept, ct, c.ct)
					}
					if string(r.Data) != "" && string(r.Data) != "null" {
						t.Errorf("%s: data = %s, want none", doc.name, r.Data)
					}
					wantError(t, r, "BAD_USER_INPUT", "")
				}
			}
		})
	}
}

func TestE2EMethodsAndMediaTypes(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("POST text/plain is 415", func(t *testing.T) {
		req := s.postRequest(t, `{ __typename }`, nil)
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		r := s.send(t, req)
		if r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("status %d, want 415\n%s", r.Status, r.Body)
		}
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "application/json") {
			t.Errorf("errors %s: want one naming application/json", r.Body)
		}
	})

	t.Run("POST without Content-Type is 415", func(t *testing.T) {
		req := s.postRequest(t, `{ __typename }`, nil)
		req.Header.Del("Content-Type")
		if r := s.send(t, req); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("status %d, want 415\n%s", r.Status, r.Body)
		}
	})

	t.Run("application/json with charset is accepted", func(t *testing.T) {
		req := s.postRequest(t, `{ __typename }`, nil)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if r := s.send(t, req); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("status %d\n%s", r.Status, r.Body)
		}
	})

	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		t.Run(method+" is 405", func(t *testing.T) {
			req := s.postRequest(t, `{ __typename }`, nil)
			req.Method = method
			r := s.send(t, req)
			if r.Status != http.StatusMethodNotAllowed {
				t.Errorf("status %d, want 405\n%s", r.Status, r.Body)
			}
			if allow := r.Header.Get("Allow"); allow != "GET, POST" {
				t.Errorf("Allow = %q, want \"GET, POST\"", allow)
			}
		})
	}

	t.Run("mutation over GET is 405 and writes nothing", func(t *testing.T) {
		mutation := `mutation { createAgency(input: {code: "000.00.06.H56", name: "UBND", level: PROVINCIAL}) { code } }`
		r := s.send(t, s.getRequest(t, mutation, nil))
		if r.Status != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405\n%s", r.Status, r.Body)
		}
		if allow := r.Header.Get("Allow"); allow != http.MethodPost {
			t.Errorf("Allow = %q, want POST", allow)
		}

		// A document with a query and a mutation: the selected operation decides.
		both := `query Q { __typename } mutation M ` + mutation[len("mutation "):]
		req := s.getRequest(t, both, nil)
		q := req.URL.Query()
		q.Set("operationName", "M")
		req.URL.RawQuery = q.Encode()
		if r := s.send(t, req); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("operationName M over GET: status %d, want 405\n%s", r.Status, r.Body)
		}
		q.Set("operationName", "Q")
		req = s.getRequest(t, both, nil)
		req.URL.RawQuery = q.Encode()
		if r := s.send(t, req); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("operationName Q over GET: status %d, want 200\n%s", r.Status, r.Body)
		}

		if n := s.count(t, "agencies"); n != 0 {
			t.Errorf("after mutations over GET, %d agencies exist; want 0", n)
		}
		var out struct{ Agency *struct{ Code string } }
		s.do(t, `{ agency(code: "000.00.06.H56") { code } }`, nil, &out)
		if out.Agency != nil {
			t.Errorf("agency written by a GET: %+v", out.Agency)
		}
	})
}

// ---------------------------------------------------------------------------
// Records: create, read back by natural key, node(id:) and connections

func TestE2ERecordsReadBack(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	var agency struct {
		CreateAgency struct {
			ID, Code, Name, Level string
			Abbreviation          *string
			Parent                *struct{ Code string }
			Provenance            struct {
				Source   string
				Caller   *string
				Recorded string
			}
		}
	}
	s.do(t, createAgencyDoc, vars{"in": vars{"code": agencyCode, "name": "Sở Tư pháp tỉnh Bình Định", "level": "PROVINCIAL"}}, &agency)
	a := agency.CreateAgency
	if a.Code != agencyCode || a.Level != "PROVINCIAL" || a.ID == "" || a.Abbreviation != nil || a.Parent != nil {
		t.Errorf("createAgency = %+v", a)
	}
	if a.Provenance.Source != "api" || a.Provenance.Caller != nil || a.Provenance.Recorded == "" {
		t.Errorf("agency provenance = %+v, want source api, no caller, a recorded instant", a.Provenance)
	}

	// The procedure cites the decree before the registry has it.
	type legalBasis struct {
		Symbol     string
		Directives []struct{ ID string }
	}
	var proc struct {
		CreateProcedure struct {
			ID, Code, Name, Level string
			ProcessingDays        int
			Agency                struct{ Code string }
			LegalBases            []legalBasis
		}
	}
	s.do(t, createProcedureDoc, vars{"in": vars{
		"code": procedureCode, "name": "Đăng ký khai sinh", "level": "PROVINCIAL",
		"agencyCode": agencyCode, "processingDays": 5, "legalBases": []string{decree},
	}}, &proc)
	p := proc.CreateProcedure
	if p.Code != procedureCode || p.ProcessingDays != 5 || p.Agency.Code != agencyCode {
		t.Errorf("createProcedure = %+v", p)
	}
	if len(p.LegalBases) != 1 || p.LegalBases[0].Symbol != decree || len(p.LegalBases[0].Directives) != 0 {
		t.Errorf("legalBases before the directive exists = %+v, want [%s] with no directive", p.LegalBases, decree)
	}

	var dir struct {
		CreateDirective struct {
			ID     string
			Symbol struct {
				Text, Number, Issuer string
				Year                 *int
				Type, Unit           *string
			}
			TypeCode             *string
			TypeName, IssuerCode string
			Year                 int
			IssuedOn             string
			Summary              *string
		}
	}
	s.do(t, createDirectiveDoc, vars{"in": vars{"symbol": decree, "issuedOn": "2018-04-23",
		"summary": "Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"}}, &dir)
	d := dir.CreateDirective
	if d.Symbol.Text != decree || d.Symbol.Number != "61" || d.Symbol.Year == nil || *d.Symbol.Year != 2018 ||
		d.Symbol.Type == nil || *d.Symbol.Type != "NĐ" || d.Symbol.Issuer != "CP" || d.Symbol.Unit != nil {
		t.Errorf("directive symbol = %+v", d.Symbol)
	}
	if d.TypeCode == nil || *d.TypeCode != "NĐ" || d.TypeName != "Nghị định" || d.IssuerCode != "CP" ||
		d.Year != 2018 || d.IssuedOn != "2018-04-23" || d.Summary == nil {
		t.Errorf("createDirective = %+v", d)
	}

	var dos struct {
		ReceiveDossier struct {
			ID, Code, Status, ReceivedAt string
			StatusCode, Version          int
			ProcessingDays               int
			DueDate, AppointmentDate     *string
		}
	}
	s.do(t, receiveDoc, vars{"in": vars{
		"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "IN_PERSON",
		"applicant": vars{"name": "Nguyễn Văn An"}, "receivedAt": receivedAt,
	}}, &dos)
	x := dos.ReceiveDossier
	const dossierCode = agencyCode + "-210415-0001"
	if x.Code != dossierCode || x.Status != "RECEIVED" || x.StatusCode != 2 || x.Version != 1 || x.ProcessingDays != 5 {
		t.Errorf("receiveDossier = %+v, want code %s RECEIVED (2) version 1", x, dossierCode)
	}
	if x.ReceivedAt != receivedAt {
		t.Errorf("receivedAt = %q, want %q", x.ReceivedAt, receivedAt)
	}
	// 5 working days from Thursday 15 April 2021: 16, 19, 20, 22, 23
	// (Wednesday 21 April is the Hùng Kings' festival).
	if x.DueDate == nil || *x.DueDate != "2021-04-23" || x.AppointmentDate == nil || *x.AppointmentDate != "2021-04-23" {
		t.Errorf("dueDate, appointmentDate = %v, %v; want 2021-04-23", valueOf(x.DueDate), valueOf(x.AppointmentDate))
	}

	t.Run("natural keys", func(t *testing.T) {
		var out struct {
			Agency    struct{ ID, Name string }
			Procedure struct {
				ID         string
				LegalBases []struct {
					Symbol     string
					Directives []struct {
						ID      string
						Symbol  struct{ Text string }
						CitedBy struct {
							TotalCount int
							Edges      []struct{ Node struct{ Code string } }
						}
					}
				}
			}
			Dossier struct {
				ID        string
				Procedure struct{ Code string }
				Agency    struct{ Code string }
				Applicant struct {
					Name            string
					IDNumber, Phone *string
				}
			}
			Exact, ASCII, WithYear, OtherYear []struct{ ID string }
			Missing                           *struct{ Code string }
		}
		s.do(t, `query($a: String!, $p: String!, $d: String!) {
  agency(code: $a) { id name }
  procedure(code: $p) {
    id
    legalBases { symbol directives { id symbol { text } citedBy { totalCount edges { node { code } } } } }
  }
  dossier(code: $d) { id procedure { code } agency { code } applicant { name idNumber phone } }
  exact: directive(symbol: "61/2018/NĐ-CP") { id }
  ascii: directive(symbol: "61/2018/ND-CP") { id }
  withYear: directive(symbol: "61/2018/nd-cp", year: 2018) { id }
  otherYear: directive(symbol: "61/2018/ND-CP", year: 2019) { id }
  missing: agency(code: "999.99.99.Z99") { code }
}`, vars{"a": agencyCode, "p": procedureCode, "d": dossierCode}, &out)
		if out.Agency.ID != a.ID || out.Agency.Name != "Sở Tư pháp tỉnh Bình Định" {
			t.Errorf("agency(code:) = %+v", out.Agency)
		}
		if out.Procedure.ID != p.ID {
			t.Errorf("procedure(code:).id = %q, want %q", out.Procedure.ID, p.ID)
		}
		lb := out.Procedure.LegalBases
		if len(lb) != 1 || lb[0].Symbol != decree || len(lb[0].Directives) != 1 || lb[0].Directives[0].ID != d.ID {
			t.Fatalf("procedure.legalBases = %+v, want [%s] resolving to directive %s", lb, decree, d.ID)
		}
		cited := lb[0].Directives[0].CitedBy
		if cited.TotalCount != 1 || len(cited.Edges) != 1 || cited.Edges[0].Node.Code != procedureCode {
			t.Errorf("directive.citedBy = %+v, want the procedure %s", cited, procedureCode)
		}
		if out.Dossier.ID != x.ID || out.Dossier.Procedure.Code != procedureCode || out.Dossier.Agency.Code != agencyCode {
			t.Errorf("dossier(code:) = %+v", out.Dossier)
		}
		if out.Dossier.Applicant.Name != "Nguyễn Văn An" || out.Dossier.Applicant.IDNumber != nil || out.Dossier.Applicant.Phone != nil {
			t.Errorf("applicant = %+v, want absent idNumber and phone as null", out.Dossier.Applicant)
		}
		for name, got := range map[string][]struct{ ID string }{"exact": out.Exact, "ascii": out.ASCII, "withYear": out.WithYear} {
			if len(got) != 1 || got[0].ID != d.ID {
				t.Errorf("%s directive(symbol:) = %+v, want [%s]", name, got, d.ID)
			}
		}
		if len(out.OtherYear) != 0 {
			t.Errorf("directive(symbol:, year: 2019) = %+v, want none", out.OtherYear)
		}
		if out.Missing != nil {
			t.Errorf("agency(code:) of an unknown code = %+v, want null", out.Missing)
		}
	})

	t.Run("node(id:)", func(t *testing.T) {
		var out map[string]map[string]any
		s.do(t, `query($a: ID!, $p: ID!, $d: ID!, $x: ID!) {
  a: node(id: $a) { __typename id ... on Agency { code } }
  p: node(id: $p) { __typename id ... on Procedure { code } }
  d: node(id: $d) { __typename id ... on Directive { symbol { text } } }
  x: node(id: $x) { __typename id ... on Dossier { code dueDate } }
}`, vars{"a": a.ID, "p": p.ID, "d": d.ID, "x": x.ID}, &out)
		want := map[string][3]string{
			"a": {"Agency", a.ID, agencyCode},
			"p": {"Procedure", p.ID, procedureCode},
			"x": {"Dossier", x.ID, dossierCode},
		}
		for alias, w := range want {
			n := out[alias]
			if n["__typename"] != w[0] || n["id"] != w[1] || n["code"] != w[2] {
				t.Errorf("node(%s) = %v, want %s %s", alias, n, w[0], w[2])
			}
		}
		if n := out["d"]; n["__typename"] != "Directive" || n["id"] != d.ID ||
			fmt.Sprint(n["symbol"]) != fmt.Sprint(map[string]any{"text": decree}) {
			t.Errorf("node(directive) = %v", n)
		}
		if out["x"]["dueDate"] != "2021-04-23" {
			t.Errorf("node(dossier).dueDate = %v", out["x"]["dueDate"])
		}
		ids := []string{a.ID, p.ID, d.ID, x.ID}
		slices.Sort(ids)
		if len(slices.Compact(ids)) != 4 {
			t.Errorf("ids are not distinct: %v", ids)
		}

		// An id that decodes to an unknown record is null; garbage is bad input.
		var missing struct{ Node *struct{ ID string } }
		s.do(t, `{ node(id: "QWdlbmN5Ojk5OS45OS45OS5aOTk") { id } }`, nil, &missing) // Agency:999.99.99.Z99
		if missing.Node != nil {
			t.Errorf("node(id:) of a missing agency = %+v, want null", missing.Node)
		}
		s.fail(t, `{ node(id: "not an id!") { id } }`, nil, "BAD_USER_INPUT", "id")
	})

	t.Run("connections", func(t *testing.T) {
		type pageInfo struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		type conn struct {
			Edges []struct {
				Cursor string
				Node   map[string]any
			}
			PageInfo   pageInfo
			TotalCount int
		}
		var out map[string]conn
		s.do(t, `{
  agencies { edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
  procedures(filter: {legalBasis: "61/2018/NĐ-CP"}) { edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
  dossiers(filter: {agencyCode: "000.00.06.H56", status: RECEIVED}) { edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
  directives(filter: {year: 2018}) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
}`, nil, &out)
		for name, want := range map[string]struct{ key, value string }{
			"agencies":   {"code", agencyCode},
			"procedures": {"code", procedureCode},
			"dossiers":   {"code", dossierCode},
			"directives": {"id", d.ID},
		} {
			c := out[name]
			if c.TotalCount != 1 || len(c.Edges) != 1 || c.Edges[0].Node[want.key] != want.value || c.Edges[0].Cursor == "" {
				t.Errorf("%s = %+v, want one edge with %s %s", name, c, want.key, want.value)
				continue
			}
			pi := c.PageInfo
			if pi.HasNextPage || pi.HasPreviousPage || pi.StartCursor == nil || pi.EndCursor == nil ||
				*pi.StartCursor != c.Edges[0].Cursor || *pi.EndCursor != c.Edges[0].Cursor {
				t.Errorf("%s pageInfo = %+v, want one page bounded by the edge's cursor %s", name, pi, c.Edges[0].Cursor)
			}
		}

		// 21 more agencies: the default page is 20, and `after` continues.
		for i := 1; i <= 21; i++ {
			s.createAgency(t, fmt.Sprintf("000.00.%02d.A01", i))
		}
		var page struct{ Agencies conn }
		const pageDoc = `query($first: Int, $after: String) {
  agencies(first: $first, after: $after) { edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
}`
		s.do(t, pageDoc, nil, &page)
		if got := len(page.Agencies.Edges); got != 20 || !page.Agencies.PageInfo.HasNextPage || page.Agencies.PageInfo.HasPreviousPage || page.Agencies.TotalCount != 22 {
			t.Fatalf("agencies with first defaulted: %d edges, pageInfo %+v, totalCount %d; want 20, a next page, totalCount 22",
				got, page.Agencies.PageInfo, page.Agencies.TotalCount)
		}
		var codes []string
		for _, e := range page.Agencies.Edges {
			codes = append(codes, e.Node["code"].(string))
		}
		var rest struct{ Agencies conn }
		s.do(t, pageDoc, vars{"after": *page.Agencies.PageInfo.EndCursor}, &rest)
		if got := len(rest.Agencies.Edges); got != 2 || rest.Agencies.PageInfo.HasNextPage || !rest.Agencies.PageInfo.HasPreviousPage || rest.Agencies.TotalCount != 22 {
			t.Errorf("second page: %d edges, pageInfo %+v, totalCount %d; want 2, a previous page and no next",
				got, rest.Agencies.PageInfo, rest.Agencies.TotalCount)
		}
		for _, e := range rest.Agencies.Edges {
			codes = append(codes, e.Node["code"].(string))
		}
		if !slices.IsSorted(codes) || len(slices.Compact(slices.Clone(codes))) != 22 {
			t.Errorf("pages together = %v, want 22 distinct codes in order", codes)
		}

		var all struct{ Agencies conn }
		s.do(t, pageDoc, vars{"first": 100}, &all)
		if len(all.Agencies.Edges) != 22 {
			t.Errorf("first: 100 gave %d edges, want 22", len(all.Agencies.Edges))
		}
		for _, first := range []int{101, -1} {
			r := s.post(t, pageDoc, vars{"first": first})
			e := wantError(t, r, "BAD_USER_INPUT", "first")
			if !strings.Contains(e.Message, "100") {
				t.Errorf("first: %d: message %q does not state the limit 100", first, e.Message)
			}
			if string(r.Data) != "null" {
				t.Errorf("first: %d: data = %s, want null", first, r.Data)
			}
		}
		s.fail(t, `{ directive(symbol: "61/2018/NĐ-CP") { citedBy(first: 101) { totalCount } } }`, nil, "BAD_USER_INPUT", "first")
		s.fail(t, pageDoc, vars{"after": "garbage"}, "BAD_USER_INPUT", "after")
	})

	// schema/administration.graphqls documents ProcedureFilter.legalBasis as "Canonical or
	// ASCII symbol", as directive(symbol:) accepts.
	t.Run("procedures filtered by an ASCII legal basis", func(t *testing.T) {
		for _, symbol := range []string{decree, "61/2018/ND-CP", "61/2018/nđ-cp"} {
			var out struct {
				Procedures struct {
					TotalCount int
					Edges      []struct{ Node struct{ Code string } }
				}
			}
			s.do(t, `query($b: String) { procedures(filter: {legalBasis: $b}) { totalCount edges { node { code } } } }`, vars{"b": symbol}, &out)
			if out.Procedures.TotalCount != 1 || len(out.Procedures.Edges) != 1 || out.Procedures.Edges[0].Node.Code != procedureCode {
				t.Errorf("BUG: procedures(filter: {legalBasis: %q}) = %+v, want procedure %s citing %s. "+
					"The schema promises canonical or ASCII symbols, but service.Procedures (internal/service/records.go, "+
					"the LegalBasis filter) compares the raw input with the stored canonical symbols; it should parse "+
					"the symbol (registry.ParseSymbol) and filter on its canonical form, or reject it as BAD_USER_INPUT.",
					symbol, out.Procedures, procedureCode, decree)
			}
		}
	})
}

func valueOf[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// ---------------------------------------------------------------------------
// Errors

func TestE2EErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)

	t.Run("duplicate agency is CONFLICT", func(t *testing.T) {
		e := s.fail(t, createAgencyDoc, vars{"in": vars{"code": agencyCode, "name": "Trùng", "level": "PROVINCIAL"}}, "CONFLICT", "")
		if !strings.Contains(e.Message, agencyCode) {
			t.Errorf("message %q does not name the agency", e.Message)
		}
		if len(e.Path) != 1 || e.Path[0] != "createAgency" {
			t.Errorf("path = %v, want [createAgency]", e.Path)
		}
		if n := s.count(t, "agencies"); n != 1 {
			t.Errorf("%d agencies, want 1", n)
		}
	})

	t.Run("duplicate procedure and dossier code are CONFLICT", func(t *testing.T) {
		s.fail(t, createProcedureDoc, vars{"in": vars{"code": procedureCode, "name": "x", "level": "PROVINCIAL",
			"agencyCode": agencyCode, "processingDays": 1}}, "CONFLICT", "")
		code := agencyCode + "-210415-0100"
		s.receive(t, code)
		s.fail(t, receiveDoc, vars{"in": vars{"code": code, "procedureCode": procedureCode, "agencyCode": agencyCode,
			"channel": "IN_PERSON", "applicant": vars{"name": "B"}, "receivedAt": receivedAt}}, "CONFLICT", "")
	})

	t.Run("unknown procedure writes no dossier", func(t *testing.T) {
		before := s.count(t, "dossiers")
		e := s.fail(t, receiveDoc, vars{"in": vars{"procedureCode": "1.999999", "agencyCode": agencyCode,
			"channel": "IN_PERSON", "applicant": vars{"name": "Trần Thị Bình"}, "receivedAt": receivedAt}},
			"BAD_USER_INPUT", "procedureCode")
		if !strings.Contains(e.Message, "1.999999") {
			t.Errorf("message %q does not name the procedure", e.Message)
		}
		if n := s.count(t, "dossiers"); n != before {
			t.Errorf("dossiers totalCount %d after a refused receipt, want %d", n, before)
		}
	})

	t.Run("unknown agency and bad input name the field", func(t *testing.T) {
		s.fail(t, receiveDoc, vars{"in": vars{"procedureCode": procedureCode, "agencyCode": "000.00.07.H56",
			"channel": "IN_PERSON", "applicant": vars{"name": "B"}}}, "BAD_USER_INPUT", "agencyCode")
		s.fail(t, createAgencyDoc, vars{"in": vars{"code": "H56", "name": "x", "level": "PROVINCIAL"}}, "BAD_USER_INPUT", "code")
		s.fail(t, createProcedureDoc, vars{"in": vars{"code": "1.000001", "name": "x", "level": "PROVINCIAL",
			"agencyCode": agencyCode, "processingDays": 400}}, "BAD_USER_INPUT", "processingDays")
		s.fail(t, createProcedureDoc, vars{"in": vars{"code": "1.000002", "name": "x", "level": "PROVINCIAL",
			"agencyCode": "000.00.09.H56", "processingDays": 1}}, "BAD_USER_INPUT", "agencyCode")
		s.fail(t, createDirectiveDoc, vars{"in": vars{"symbol": decree, "issuedOn": "2019-01-01"}}, "BAD_USER_INPUT", "issuedOn")
		// Variable coercion errors come from gqlgen and are still in the catalogue.
		r := s.send(t, s.postRequest(t, receiveDoc, vars{"in": vars{"procedureCode": procedureCode}}))
		if len(r.Errors) == 0 || r.Errors[0].code() != "BAD_USER_INPUT" {
			t.Errorf("missing required input fields: %s", r.Body)
		}
		if n := s.count(t, "procedures"); n != 1 {
			t.Errorf("%d procedures after refused creations, want 1", n)
		}
		if n := s.count(t, "directives"); n != 0 {
			t.Errorf("%d directives after a refused creation, want 0", n)
		}
	})

	t.Run("unknown dossier is NOT_FOUND", func(t *testing.T) {
		s.fail(t, stepDoc, vars{"code": agencyCode + "-210415-9999", "in": vars{"action": "TRANSFER", "toUnit": "x"}}, "NOT_FOUND", "")
	})
}

// ---------------------------------------------------------------------------
// Dossier lifecycle

const stepDoc = `mutation($code: String!, $in: DossierStepInput!, $v: Int) {
  recordDossierStep(code: $code, input: $in, expectedVersion: $v) {
    code status statusCode statusLabel version dueDate appointmentDate supplementRequests
    resolvedAt outcome nationalOutcome workingDaysTaken deadlineState(asOf: "2021-04-20")
    result { approved symbol } allowedActions
    history { seq action actionLabel at actor fromUnit toUnit note statusBefore statusAfter onTime newDueDate }
  }
}`

// dossierView is what stepDoc selects.
type dossierView struct {
	Code, Status, StatusLabel string
	StatusCode, Version       int
	DueDate, AppointmentDate  *string
	SupplementRequests        int
	ResolvedAt, Outcome       *string
	NationalOutcome           *string
	WorkingDaysTaken          *int
	DeadlineState             *string
	Result                    *struct {
		Approved bool
		Symbol   *string
	}
	AllowedActions []string
	History        []map[string]json.RawMessage
}

func (s *testServer) step(t *testing.T, code string, in vars, expectedVersion *int) dossierView {
	t.Helper()
	var out struct{ RecordDossierStep dossierView }
	v := vars{"code": code, "in": in}
	if expectedVersion != nil {
		v["v"] = *expectedVersion
	}
	s.do(t, stepDoc, v, &out)
	return out.RecordDossierStep
}

func jsonString(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func TestE2EDossierLifecycle(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")

	d := s.step(t, code, vars{"action": "TRANSFER", "at": "2021-04-15T10:00:00+07:00",
		"actor": "Lê Văn Cường", "fromUnit": "Bộ phận một cửa", "toUnit": "Phòng Hộ tịch"}, nil)
	if d.Status != "IN_PROCESS" || d.StatusCode != 4 || d.Version != 2 || d.DeadlineState == nil || *d.DeadlineState != "WITHIN_DEADLINE" {
		t.Errorf("after TRANSFER: %+v", d)
	}
	// Not resolved yet: no outcome under either definition (null, not "").
	if d.Outcome != nil || d.NationalOutcome != nil {
		t.Errorf("after TRANSFER: outcome and nationalOutcome must be null: %+v", d)
	}

	d = s.step(t, code, vars{"action": "REQUEST_SUPPLEMENT", "at": "2021-04-16T10:00:00+07:00", "note": "Thiếu bản sao giấy chứng sinh"}, nil)
	if d.Status != "SUPPLEMENT_REQUESTED" || d.SupplementRequests != 1 || d.Version != 3 {
		t.Errorf("after REQUEST_SUPPLEMENT: %+v", d)
	}

	// An action the status does not allow: CONFLICT naming the status; nothing changes.
	r := s.post(t, stepDoc, vars{"code": code, "in": vars{"action": "RESOLVE", "approved": true}})
	e := wantError(t, r, "CONFLICT", "")
	if !strings.Contains(e.Message, "SUPPLEMENT_REQUESTED") || !strings.Contains(e.Message, "RESOLVE") {
		t.Errorf("illegal step message %q does not name the action and the status SUPPLEMENT_REQUESTED", e.Message)
	}
	// A stale expectedVersion: CONFLICT; nothing changes.
	e = s.fail(t, stepDoc, vars{"code": code, "v": 2, "in": vars{"action": "RECEIVE_SUPPLEMENT"}}, "CONFLICT", "")
	if !strings.Contains(e.Message, "version") {
		t.Errorf("version conflict message %q does not mention the version", e.Message)
	}
	// Bad step input: BAD_USER_INPUT naming the field.
	s.fail(t, stepDoc, vars{"code": code, "in": vars{"action": "RECEIVE_SUPPLEMENT", "at": "2021-04-16T09:00:00+07:00"}}, "BAD_USER_INPUT", "at")
	s.fail(t, stepDoc, vars{"code": code, "in": vars{"action": "RECEIVE_SUPPLEMENT", "at": "2999-01-01T00:00:00+07:00"}}, "BAD_USER_INPUT", "at")
	var now struct{ Dossier dossierView }
	s.do(t, `query($c: String!) { dossier(code: $c) { version status history { seq } } }`, vars{"c": code}, &now)
	if now.Dossier.Version != 3 || now.Dossier.Status != "SUPPLEMENT_REQUESTED" || len(now.Dossier.History) != 3 {
		t.Fatalf("refused steps changed the dossier: %+v", now.Dossier)
	}

	three := 3
	d = s.step(t, code, vars{"action": "RECEIVE_SUPPLEMENT", "at": "2021-04-19T09:00:00+07:00"}, &three)
	// The clock stopped for one working day (Monday 19): due moves to Monday 26.
	if d.Status != "IN_PROCESS" || d.Version != 4 || valueOf(d.DueDate) != "2021-04-26" || valueOf(d.AppointmentDate) != "2021-04-26" {
		t.Errorf("after RECEIVE_SUPPLEMENT: status %s version %d due %v appointment %v; want IN_PROCESS 4 2021-04-26",
			d.Status, d.Version, valueOf(d.DueDate), valueOf(d.AppointmentDate))
	}

	d = s.step(t, code, vars{"action": "RESOLVE", "at": "2021-04-26T15:00:00+07:00", "approved": true, "resultSymbol": "123/QĐ-UBND"}, nil)
	if d.Status != "RESOLVED" || d.Result == nil || !d.Result.Approved || valueOf(d.Result.Symbol) != "123/QĐ-UBND" {
		t.Errorf("after RESOLVE: status %s result %+v", d.Status, d.Result)
	}
	if valueOf(d.Outcome) != "ON_TIME" || valueOf(d.NationalOutcome) != "ON_TIME" || valueOf(d.WorkingDaysTaken) != 5 ||
		valueOf(d.ResolvedAt) != "2021-04-26T15:00:00+07:00" || d.DeadlineState != nil {
		t.Errorf("after RESOLVE: outcome %v national %v taken %v resolvedAt %v deadlineState %v; want ON_TIME ON_TIME 5 2021-04-26T15:00:00+07:00 null",
			valueOf(d.Outcome), valueOf(d.NationalOutcome), valueOf(d.WorkingDaysTaken), valueOf(d.ResolvedAt), valueOf(d.DeadlineState))
	}
	if !slices.Equal(d.AllowedActions, []string{"RETURN_RESULT"}) {
		t.Errorf("allowedActions after RESOLVE = %v", d.AllowedActions)
	}

	d = s.step(t, code, vars{"action": "RETURN_RESULT", "at": "2021-04-26T16:30:00+07:00"}, nil)
	if d.Status != "RESULT_RETURNED" || d.StatusCode != 10 || d.Version != 6 || len(d.AllowedActions) != 0 {
		t.Errorf("after RETURN_RESULT: %+v", d)
	}

	want := []struct{ action, before, after string }{
		{"RECEIVE", "", "RECEIVED"},
		{"TRANSFER", "RECEIVED", "IN_PROCESS"},
		{"REQUEST_SUPPLEMENT", "IN_PROCESS", "SUPPLEMENT_REQUESTED"},
		{"RECEIVE_SUPPLEMENT", "SUPPLEMENT_REQUESTED", "IN_PROCESS"},
		{"RESOLVE", "IN_PROCESS", "RESOLVED"},
		{"RETURN_RESULT", "RESOLVED", "RESULT_RETURNED"},
	}
	if len(d.History) != len(want) {
		t.Fatalf("history has %d steps, want %d", len(d.History), len(want))
	}
	for i, w := range want {
		h := d.History[i]
		if string(h["seq"]) != fmt.Sprint(i+1) || jsonString(h["action"]) != w.action || jsonString(h["statusAfter"]) != w.after || jsonString(h["actionLabel"]) == "" {
			t.Errorf("history[%d] = seq %s %s -> %s, want seq %d %s -> %s", i, h["seq"], h["action"], h["statusAfter"], i+1, w.action, w.after)
		}
		if w.before == "" {
			if !isNull(h["statusBefore"]) {
				t.Errorf("history[%d].statusBefore = %s, want null", i, h["statusBefore"])
			}
		} else if jsonString(h["statusBefore"]) != w.before {
			t.Errorf("history[%d].statusBefore = %s, want %s", i, h["statusBefore"], w.before)
		}
		if string(h["onTime"]) != "true" {
			t.Errorf("history[%d].onTime = %s, want true", i, h["onTime"])
		}
		if !isNull(h["newDueDate"]) {
			t.Errorf("history[%d].newDueDate = %s, want null", i, h["newDueDate"])
		}
	}
	// Optional fields absent from a step are null, never "".
	for i, fields := range map[int][]string{
		0: {"actor", "fromUnit", "note"},
		2: {"actor", "fromUnit", "toUnit"},
		3: {"actor", "fromUnit", "toUnit", "note"},
		5: {"actor", "fromUnit", "toUnit", "note"},
	} {
		for _, f := range fields {
			if !isNull(d.History[i][f]) {
				t.Errorf("history[%d].%s = %s, want null", i, f, d.History[i][f])
			}
		}
	}
	if h := d.History[1]; jsonString(h["actor"]) != "Lê Văn Cường" || jsonString(h["fromUnit"]) != "Bộ phận một cửa" || jsonString(h["toUnit"]) != "Phòng Hộ tịch" || !isNull(h["note"]) {
		t.Errorf("TRANSFER step = actor %s from %s to %s note %s", h["actor"], h["fromUnit"], h["toUnit"], h["note"])
	}
	if h := d.History[2]; jsonString(h["note"]) != "Thiếu bản sao giấy chứng sinh" {
		t.Errorf("REQUEST_SUPPLEMENT note = %s", h["note"])
	}
	if at := jsonString(d.History[4]["at"]); at != "2021-04-26T15:00:00+07:00" {
		t.Errorf("RESOLVE at = %s", at)
	}

	// A final status allows nothing.
	e = s.fail(t, stepDoc, vars{"code": code, "in": vars{"action": "TRANSFER", "toUnit": "x"}}, "CONFLICT", "")
	if !strings.Contains(e.Message, "RESULT_RETURNED") {
		t.Errorf("step on a returned dossier: message %q does not name RESULT_RETURNED", e.Message)
	}

	// The same dossier read back is what the steps returned.
	var back struct {
		Dossier struct {
			Version, StatusCode int
			Status, StatusLabel string
			History             []struct{ Seq int }
		}
	}
	s.do(t, `query($c: String!) { dossier(code: $c) { version status statusCode statusLabel history { seq } } }`, vars{"c": code}, &back)
	if back.Dossier.Version != 6 || back.Dossier.Status != "RESULT_RETURNED" || back.Dossier.StatusLabel != "Đã trả kết quả" || len(back.Dossier.History) != 6 {
		t.Errorf("dossier read back = %+v", back.Dossier)
	}
	var listed struct{ Dossiers struct{ TotalCount int } }
	s.do(t, `{ dossiers(filter: {status: RESULT_RETURNED, outcome: ON_TIME}) { totalCount } }`, nil, &listed)
	if listed.Dossiers.TotalCount != 1 {
		t.Errorf("dossiers RESULT_RETURNED ON_TIME totalCount = %d, want 1", listed.Dossiers.TotalCount)
	}
}

// ---------------------------------------------------------------------------
// Concurrency

// concurrentConfig is a server on the test engine where writers really race:
// on the embedded engine, the server's own embedded mode (which is what
// `registry serve` runs with no MONGODB_URI); otherwise the MongoDB under test.
func concurrentConfig(t *testing.T) *serveConfig {
	cfg := defaultConfig(t)
	if storetest.Embedded() {
		cfg.store.mongoURI = ""
		cfg.store.data = t.TempDir()
	}
	return cfg
}

func TestE2EConcurrentStepsLoseNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"server mode", "shared test engine"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "shared test engine" {
				if !storetest.Embedded() {
					t.Skip("the same as server mode when MONGODB_URI is set")
				}
				if os.Getenv("REGISTRY_E2E_FERRETDB_URI") == "" {
					t.Skip("known hazard, outside the documented configuration: with --mongodb-uri naming a FerretDB " +
						"the server does not serialise writes and concurrent steps are lost while every writer is told " +
						"it succeeded; set REGISTRY_E2E_FERRETDB_URI=1 to run")
				}
			}
			cfg := concurrentConfig(t)
			if mode == "shared test engine" {
				// The engine the other tests share, named by URI: the
				// server cannot know it is FerretDB.
				cfg.store.mongoURI, cfg.store.data = storetest.URI(), ""
			}
			s := startServer(t, cfg)
			s.seed(t)
			code := s.receive(t, "")

			const writers = 50
			var wg sync.WaitGroup
			versions := make([]int, writers)
			errs := make([]string, writers)
			for i := range writers {
				wg.Go(func() {
					body, _ := json.Marshal(map[string]any{"query": `mutation($c: String!, $u: String!) {
  recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: $u}) { version }
}`, "variables": vars{"c": code, "u": fmt.Sprintf("unit-%02d", i)}})
					res, err := s.client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
					if err != nil {
						errs[i] = err.Error()
						return
					}
					defer res.Body.Close()
					var r struct {
						Data *struct {
							RecordDossierStep struct{ Version int }
						}
						Errors []gqlError
					}
					if err := json.NewDecoder(res.Body).Decode(&r); err != nil || res.StatusCode != http.StatusOK {
						errs[i] = fmt.Sprintf("status %d: %v", res.StatusCode, err)
						return
					}
					if len(r.Errors) > 0 || r.Data == nil {
						errs[i] = fmt.Sprintf("%+v", r.Errors)
						return
					}
					versions[i] = r.Data.RecordDossierStep.Version
				})
			}
			wg.Wait()
			for i, e := range errs {
				if e != "" {
					t.Errorf("writer %d: %s", i, e)
				}
			}

			var out struct {
				Dossier struct {
					Version int
					Status  string
					History []struct {
						Seq    int
						Action string
						ToUnit *string
					}
				}
			}
			s.do(t, `query($c: String!) { dossier(code: $c) { version status history { seq action toUnit } } }`, vars{"c": code}, &out)
			d := out.Dossier
			if d.Version != writers+1 || len(d.History) != writers+1 {
				t.Errorf("after %d concurrent TRANSFERs: version %d, %d history entries; want %d and %d (steps were lost)",
					writers, d.Version, len(d.History), writers+1, writers+1)
			}
			units := map[string]int{}
			for i, h := range d.History {
				if h.Seq != i+1 {
					t.Errorf("history[%d].seq = %d, want %d", i, h.Seq, i+1)
				}
				if i > 0 {
					if h.Action != "TRANSFER" || h.ToUnit == nil {
						t.Errorf("history[%d] = %+v, want a TRANSFER", i, h)
						continue
					}
					units[*h.ToUnit]++
				}
			}
			for i := range writers {
				if u := fmt.Sprintf("unit-%02d", i); units[u] != 1 {
					t.Errorf("TRANSFER to %s recorded %d times, want once", u, units[u])
				}
			}
			// Each writer saw its own step applied: versions 2..51, each once.
			slices.Sort(versions)
			for i, v := range versions {
				if v != i+2 {
					t.Errorf("writers saw versions %v, want 2..%d each once", versions, writers+1)
					break
				}
			}
		})
	}
}

func TestE2EConcurrentReceiptsGetDistinctCodes(t *testing.T) {
	t.Parallel()
	s := startServer(t, concurrentConfig(t))
	s.seed(t)

	const n = 30
	codes := make([]string, n)
	errs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]any{"query": receiveDoc, "variables": vars{"in": vars{
				"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "ONLINE",
				"applicant": vars{"name": fmt.Sprintf("Người nộp %d", i)}, "receivedAt": receivedAt,
			}}})
			res, err := s.client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				errs[i] = err.Error()
				return
			}
			defer res.Body.Close()
			var r struct {
				Data   *struct{ ReceiveDossier struct{ Code string } }
				Errors []gqlError
			}
			if err := json.NewDecoder(res.Body).Decode(&r); err != nil || len(r.Errors) > 0 || r.Data == nil {
				errs[i] = fmt.Sprintf("status %d, %v, %+v", res.StatusCode, err, r.Errors)
				return
			}
			codes[i] = r.Data.ReceiveDossier.Code
		})
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("receipt %d: %s", i, e)
		}
	}
	pattern := regexp.MustCompile(`^` + regexp.QuoteMeta(agencyCode) + `-210415-[0-9]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !pattern.MatchString(c) {
			t.Errorf("code %q is not %s-210415-XXXX", c, agencyCode)
		}
		if seen[c] {
			t.Errorf("code %s given twice", c)
		}
		seen[c] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct codes, want %d", len(seen), n)
	}
	if got := s.count(t, "dossiers"); got != n {
		t.Errorf("dossiers totalCount = %d, want %d", got, n)
	}
}

// ---------------------------------------------------------------------------
// Subscriptions over graphql-transport-ws

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a graphql-transport-ws connection whose messages arrive on a channel.
type wsClient struct {
	conn *websocket.Conn
	in   chan wsMessage
}

func dialWS(t *testing.T, ctx context.Context, s *testServer, origin string) (*wsClient, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, res, err := websocket.Dial(ctx, "ws://"+s.addr+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h,
	})
	if err != nil {
		return nil, res, err
	}
	c := &wsClient{conn: conn, in: make(chan wsMessage, 256)}
	t.Cleanup(func() { conn.CloseNow() })
	go func() {
		defer close(c.in)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var m wsMessage
			if json.Unmarshal(data, &m) == nil {
				c.in <- m
			}
		}
	}()
	return c, res, nil
}

func (c *wsClient) send(t *testing.T, ctx context.Context, m wsMessage) {
	t.Helper()
	b, _ := json.Marshal(m)
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("websocket write %s: %v", m.Type, err)
	}
}

// next returns the next message other than ping/pong.
func (c *wsClient) next(t *testing.T, ctx context.Context) wsMessage {
	t.Helper()
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				t.Fatal("websocket closed")
			}
			if m.Type == "ping" || m.Type == "pong" {
				continue
			}
			return m
		case <-ctx.Done():
			t.Fatal("no websocket message before the hang guard")
		}
	}
}

func (c *wsClient) init(t *testing.T, ctx context.Context) {
	t.Helper()
	c.send(t, ctx, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)})
	if m := c.next(t, ctx); m.Type != "connection_ack" {
		t.Fatalf("after connection_init got %s %s, want connection_ack", m.Type, m.Payload)
	}
}

type stepEvent struct {
	Data *struct {
		DossierSteps struct {
			Dossier struct {
				Code    string
				Version int
				Status  string
			}
			Step struct {
				Seq          int
				Action       string
				Actor        *string
				ToUnit       *string
				StatusBefore *string
				StatusAfter  string
			}
		}
	}
	Errors []gqlError
}

func TestE2ESubscriptionDeliversSteps(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")
	other := s.receive(t, "")

	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	c, res, err := dialWS(t, ctx, s, "")
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	if p := c.conn.Subprotocol(); p != "graphql-transport-ws" {
		t.Errorf("negotiated subprotocol %q, want graphql-transport-ws (response %v)", p, res.Header)
	}
	c.init(t, ctx)
	c.send(t, ctx, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{
		"query": `subscription($c: String) {
  dossierSteps(code: $c) { dossier { code version status } step { seq action actor toUnit statusBefore statusAfter } }
}`,
		"variables": vars{"c": code},
	})})

	// The protocol does not acknowledge a subscription, so steps are recorded
	// until one is delivered: from then on every step must arrive, in order.
	recorded := 1
	var first stepEvent
	for first.Data == nil {
		recorded++
		s.step(t, code, vars{"action": "TRANSFER", "toUnit": fmt.Sprintf("sync-%d", recorded)}, nil)
		select {
		case m, ok := <-c.in:
			if !ok {
				t.Fatal("websocket closed")
			}
			if m.Type != "next" || m.ID != "1" {
				t.Fatalf("got %s (id %q) %s, want next for subscription 1", m.Type, m.ID, m.Payload)
			}
			if err := json.Unmarshal(m.Payload, &first); err != nil || first.Data == nil {
				t.Fatalf("next payload %s: %v", m.Payload, err)
			}
		case <-time.After(50 * time.Millisecond): // not an assertion: record another step
		case <-ctx.Done():
			t.Fatal("no step delivered before the hang guard")
		}
	}
	seq := first.Data.DossierSteps.Step.Seq
	for seq < recorded {
		var ev stepEvent
		json.Unmarshal(c.next(t, ctx).Payload, &ev)
		if ev.Data == nil || ev.Data.DossierSteps.Step.Seq != seq+1 {
			t.Fatalf("after step %d got %+v, want step %d", seq, ev, seq+1)
		}
		seq++
	}

	// A step of another dossier is not delivered; the next one of ours is, in full.
	s.step(t, other, vars{"action": "TRANSFER", "toUnit": "elsewhere"}, nil)
	s.step(t, code, vars{"action": "REQUEST_SUPPLEMENT", "actor": "Phạm Thị Dung"}, nil)
	m := c.next(t, ctx)
	var ev stepEvent
	if err := json.Unmarshal(m.Payload, &ev); err != nil || m.Type != "next" || m.ID != "1" || ev.Data == nil {
		t.Fatalf("got %s %s, want next", m.Type, m.Payload)
	}
	got := ev.Data.DossierSteps
	if got.Dossier.Code != code || got.Dossier.Version != recorded+1 || got.Dossier.Status != "SUPPLEMENT_REQUESTED" ||
		got.Step.Seq != recorded+1 || got.Step.Action != "REQUEST_SUPPLEMENT" || valueOf(got.Step.Actor) != "Phạm Thị Dung" ||
		got.Step.ToUnit != nil || valueOf(got.Step.StatusBefore) != "IN_PROCESS" || got.Step.StatusAfter != "SUPPLEMENT_REQUESTED" {
		t.Errorf("event = %+v, want step %d REQUEST_SUPPLEMENT of %s", got, recorded+1, code)
	}

	c.send(t, ctx, wsMessage{ID: "1", Type: "complete"})
	c.conn.Close(websocket.StatusNormalClosure, "")
}

func TestE2ESubscriptionNeedsAgencyOrCode(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	c, _, err := dialWS(t, ctx, s, "")
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	c.init(t, ctx)
	c.send(t, ctx, wsMessage{ID: "x", Type: "subscribe", Payload: mustJSON(map[string]any{
		"query": `subscription { dossierSteps { step { seq } } }`,
	})})
	// A resolver error, not a request error: gqlgen answers `next` with the
	// errors, then `complete`.
	m := c.next(t, ctx)
	var r struct {
		Data   json.RawMessage
		Errors []gqlError
	}
	if m.Type != "next" || m.ID != "x" || json.Unmarshal(m.Payload, &r) != nil {
		t.Fatalf("got %s (id %q) %s, want next with errors for subscription x", m.Type, m.ID, m.Payload)
	}
	checkErrors(t, r.Errors)
	if len(r.Errors) != 1 || r.Errors[0].code() != "BAD_USER_INPUT" || r.Errors[0].field() != "agency" ||
		!strings.Contains(r.Errors[0].Message, "agency") || string(r.Data) != "null" {
		t.Errorf("payload %s, want data null and one BAD_USER_INPUT error on field agency", m.Payload)
	}
	if m := c.next(t, ctx); m.Type != "complete" || m.ID != "x" {
		t.Errorf("after the error got %s (id %q), want complete for x", m.Type, m.ID)
	}
	// The connection stays usable.
	c.send(t, ctx, wsMessage{ID: "y", Type: "subscribe", Payload: mustJSON(map[string]any{
		"query": `subscription { dossierSteps(agency: "000.00.06.H56") { step { seq } } }`,
	})})
	c.send(t, ctx, wsMessage{Type: "ping"})
	for m := range c.in {
		if m.Type == "pong" {
			break
		}
		if m.Type != "ping" {
			t.Fatalf("valid subscription answered %s %s", m.Type, m.Payload)
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// ---------------------------------------------------------------------------
// CORS

func TestE2ECORS(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	cfg.corsOrigins = "https://app.example.vn"
	s := startServer(t, cfg)
	const allowed, evil = "https://app.example.vn", "https://evil.example"

	// The headers real clients add: Apollo Client's client awareness and
	// W3C trace context.
	const clientHeaders = "apollographql-client-name,apollographql-client-version,content-type,traceparent,tracestate" // sorted, as browsers send them
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.url+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", clientHeaders)
		res, err := s.client.Do(req)
		if err != nil {
			t.Fatalf("preflight: %v", err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	post := func(origin string) *gqlResponse {
		req := s.postRequest(t, `{ __typename }`, nil)
		req.Header.Set("Origin", origin)
		return s.send(t, req)
	}

	res := preflight(allowed)
	if res.StatusCode/100 != 2 {
		t.Errorf("preflight from %s: status %d", allowed, res.StatusCode)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != allowed {
		t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", allowed, got)
	}
	if got := strings.ToUpper(res.Header.Get("Access-Control-Allow-Methods")); !strings.Contains(got, "POST") {
		t.Errorf("preflight: Access-Control-Allow-Methods %q, want POST", got)
	}
	for h := range strings.SplitSeq(clientHeaders, ",") {
		if got := strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, h) {
			t.Errorf("preflight: Access-Control-Allow-Headers %q, want %s", got, h)
		}
	}
	r := post(allowed)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("POST from %s: status %d %s", allowed, r.Status, r.Body)
	}
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != allowed {
		t.Errorf("POST from %s: Access-Control-Allow-Origin %q", allowed, got)
	}

	res = preflight(evil)
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight from %s: Access-Control-Allow-Origin %q, want none", evil, got)
	}
	r = post(evil)
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("POST from %s: Access-Control-Allow-Origin %q, want none", evil, got)
	}
	if got := r.Header.Values("Vary"); !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, "Origin") }) {
		t.Errorf("POST: Vary %v, want Origin (responses differ by origin)", got)
	}

	// WebSockets are not covered by CORS: the handshake checks the origin itself.
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	c, _, err := dialWS(t, ctx, s, allowed)
	if err != nil {
		t.Errorf("websocket from %s refused: %v", allowed, err)
	} else {
		c.init(t, ctx)
	}
	if _, res, err := dialWS(t, ctx, s, evil); err == nil {
		t.Errorf("websocket from %s accepted", evil)
	} else if res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("websocket from %s: %v, want 403", evil, err)
	}
}

// ---------------------------------------------------------------------------
// Playground and health

func TestE2EPlaygroundAndHealth(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	res, body := s.get(t, "/", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !bytes.Contains(body, []byte(`data-endpoint="/graphql"`)) {
		t.Errorf("GET /: page does not point GraphiQL at /graphql")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("GET /: Content-Security-Policy %q", csp)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/playground/[^"]+)"`).FindAllSubmatch(body, -1)
	if len(refs) != 4 {
		t.Errorf("GET /: %d /playground/ references, want 4 (react, react-dom, graphiql js and css)", len(refs))
	}
	if bytes.Contains(body, []byte("https://")) || bytes.Contains(body, []byte("//cdn")) {
		t.Errorf("GET /: the page references a remote origin")
	}
	for _, ref := range refs {
		path := strings.ReplaceAll(string(ref[1]), "&amp;", "&")
		res, asset := s.get(t, path, nil)
		if res.StatusCode != http.StatusOK || len(asset) == 0 {
			t.Errorf("GET %s: status %d, %d bytes", path, res.StatusCode, len(asset))
		}
		ct := res.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "text/css") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if etag := res.Header.Get("ETag"); etag == "" {
			t.Errorf("GET %s: no ETag", path)
		} else if res, _ := s.get(t, path, http.Header{"If-None-Match": {etag}}); res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: status %d, want 304", path, res.StatusCode)
		}
	}
	if res, _ := s.get(t, "/playground/nope.js", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /playground/nope.js: status %d, want 404", res.StatusCode)
	}

	if res, body := s.get(t, "/healthz", nil); res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("GET /healthz: status %d body %q, want 200 ok", res.StatusCode, body)
	}
	res, body = s.get(t, "/readyz", nil)
	var ready struct {
		Status  string
		Store   string
		Details map[string]string
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &ready) != nil || ready.Status != "ready" || ready.Store != "reachable" ||
		ready.Details["subscriptions"] != "this instance only" {
		t.Errorf("GET /readyz: status %d body %q, want 200 ready, store reachable, subscriptions of this instance (FerretDB has no change streams)", res.StatusCode, body)
	}
}

// ---------------------------------------------------------------------------
// Lifecycle of the process: restart and graceful shutdown

func TestE2ERestartKeepsRecords(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"test engine", "embedded engine"} {
		t.Run(mode, func(t *testing.T) {
			cfg := defaultConfig(t)
			if mode == "embedded engine" {
				cfg.store.mongoURI, cfg.store.data = "", t.TempDir()
			}
			s := startServer(t, cfg)
			s.seed(t)
			s.do(t, createDirectiveDoc, vars{"in": vars{"symbol": decree, "issuedOn": "2018-04-23"}}, nil)
			code := s.receive(t, "")
			s.step(t, code, vars{"action": "TRANSFER", "toUnit": "Phòng Hộ tịch"}, nil)
			firstAddr := s.addr
			if err := s.stop(t); err != nil {
				t.Fatalf("runServer returned %v after its context ended, want nil", err)
			}
			waitClosed(t, firstAddr)

			s, err := tryStartServer(t, cfg)
			if err != nil {
				t.Fatalf("BUG: restarting on an existing database fails: %v\n"+
					"mongostore.CreateIndexes (internal/mongostore/store.go) calls Indexes().CreateMany with several "+
					"indexes per collection; when they already exist FerretDB 1.24.2 panics (\"slice bounds out of range\") "+
					"and drops the connection, so `registry serve` cannot start again on its own data. "+
					"Creating the indexes one at a time (CreateOne) is idempotent on both engines.", err)
			}
			var out struct {
				Agency    *struct{ Code string }
				Procedure *struct {
					LegalBases []struct{ Directives []struct{ Year int } }
				}
				Dossier *struct {
					Version int
					Status  string
				}
				Dossiers struct{ TotalCount int }
			}
			s.do(t, `query($a: String!, $p: String!, $d: String!) {
  agency(code: $a) { code }
  procedure(code: $p) { legalBases { directives { year } } }
  dossier(code: $d) { version status }
  dossiers { totalCount }
}`, vars{"a": agencyCode, "p": procedureCode, "d": code}, &out)
			if out.Agency == nil || out.Procedure == nil || out.Dossier == nil {
				t.Fatalf("after restart: %+v, want the agency, procedure and dossier", out)
			}
			if len(out.Procedure.LegalBases) != 1 || len(out.Procedure.LegalBases[0].Directives) != 1 {
				t.Errorf("after restart: legal bases %+v, want the decree", out.Procedure.LegalBases)
			}
			if out.Dossier.Version != 2 || out.Dossier.Status != "IN_PROCESS" || out.Dossiers.TotalCount != 1 {
				t.Errorf("after restart: dossier %+v, %d dossiers", out.Dossier, out.Dossiers.TotalCount)
			}
			// The generated-code counter survived too: the next code follows.
			if next := s.receive(t, ""); next != agencyCode+"-210415-0002" {
				t.Errorf("first code after restart = %s, want %s-210415-0002", next, agencyCode)
			}
		})
	}
}

// A request in flight when the context ends is completed before runServer
// returns. The request is held open deterministically with Expect:
// 100-continue: the server answers 100 Continue when the handler starts
// reading the body, and the client sends the body only after shutdown began.
func TestE2EGracefulShutdownFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)

	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	handlerReading := make(chan struct{})
	var once sync.Once
	req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { once.Do(func() { close(handlerReading) }) },
	}))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: hangGuard}}
	type result struct {
		res  *http.Response
		body []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		got <- result{res, body, err}
	}()

	select {
	case <-handlerReading:
	case r := <-got:
		t.Fatalf("request finished before the body was sent: %+v", r)
	case <-time.After(hangGuard):
		t.Fatal("no 100 Continue before the hang guard")
	}

	shuttingDown := s.logs.when("shutting down")
	s.cancel()
	<-shuttingDown
	waitClosed(t, s.addr) // the listener is closed: Shutdown has begun
	select {
	case err := <-s.done:
		t.Fatalf("runServer returned %v while a request was in flight", err)
	default:
	}

	// Now complete the request: it must be served in full.
	body := mustJSON(map[string]any{"query": `mutation($in: ReceiveDossierInput!) { receiveDossier(input: $in) { code } }`,
		"variables": vars{"in": vars{"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "POSTAL",
			"applicant": vars{"name": "Võ Thị Em"}, "receivedAt": receivedAt}}})
	go func() {
		pw.Write(body)
		pw.Close()
	}()
	var r result
	select {
	case r = <-got:
	case <-time.After(hangGuard):
		t.Fatal("in-flight request not answered before the hang guard")
	}
	if r.err != nil {
		t.Fatalf("in-flight request failed during shutdown: %v", r.err)
	}
	if r.res.StatusCode != http.StatusOK || !bytes.Contains(r.body, []byte(agencyCode+"-210415-0001")) {
		t.Errorf("in-flight request: status %d body %s", r.res.StatusCode, r.body)
	}
	if err := s.stop(t); err != nil {
		t.Errorf("runServer returned %v, want nil", err)
	}
	waitClosed(t, s.addr)

	// What the in-flight request wrote is stored.
	c, err := mongo.Connect(options.Client().ApplyURI(s.cfg.store.mongoURI))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	n, err := c.Database(s.cfg.store.database).Collection("dossiers").CountDocuments(ctx, bson.D{})
	if err != nil || n != 1 {
		t.Errorf("after shutdown, %d dossiers stored (%v); want the 1 the in-flight request received", n, err)
	}
}

// An idle server stops promptly and cleanly, with open WebSocket
// subscriptions too (hijacked connections are not Shutdown's to wait for).
func TestE2EShutdownWithOpenSubscription(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	code := s.receive(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	c, _, err := dialWS(t, ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	c.init(t, ctx)
	c.send(t, ctx, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{
		"query": `subscription($c: String) { dossierSteps(code: $c) { step { seq } } }`, "variables": vars{"c": code},
	})})
	if err := s.stop(t); err != nil {
		t.Errorf("runServer returned %v, want nil", err)
	}
	waitClosed(t, s.addr)

	// runServer has returned and closed the store: nothing may still be
	// serving the subscription. A ping tells without waiting: a pong means
	// the connection is still served.
	b, _ := json.Marshal(wsMessage{Type: "ping"})
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		return // closed: good
	}
	for m := range c.in {
		if m.Type == "pong" {
			t.Errorf("BUG: a WebSocket subscription is still served after runServer returned: http.Server.Shutdown " +
				"neither closes nor waits for hijacked connections, and runServer (cmd/registry/serve.go) does not " +
				"close them (e.g. srv.RegisterOnShutdown cancelling a base context the WebSocket transport watches, " +
				"or closing with 1001 Going Away). Clients are never told the server is going; in the binary the " +
				"process exit drops them abruptly, and an embedding caller leaks the connections.")
			return
		}
	}
}

// TestE2EMixedReadLoadAnswersEveryRequest: eight clients reading agencies,
// statistics, directives and dossier pages at once all get answers. On the
// embedded engine about 1 request in 1,000 used to answer INTERNAL when
// FerretDB lost a cursor between batches; these reads now come from memory
// (and the engine's, on MongoDB, are read again when a cursor is lost).
func TestE2EMixedReadLoadAnswersEveryRequest(t *testing.T) {
	t.Parallel()
	s := startServer(t, concurrentConfig(t))
	s.seed(t)
	for range 5 {
		s.receive(t, "")
	}
	queries := []string{
		`{ agencies(first: 50) { totalCount edges { node { code name } } } }`,
		`{ dossierStats(filter: {from: "2021-01", to: "2021-12"}, groupBy: [MONTH, AGENCY], asOf: "2021-12-31") { total { received { total } } groups { period { label } } } }`,
		`{ directives(first: 20, filter: {search: "mot cua"}) { totalCount facets { types { value count } } } }`,
		`{ dossiers(first: 20) { totalCount edges { node { code status history { seq } } } } }`,
		`{ procedures(first: 20) { totalCount edges { node { code agency { name } } } } }`,
	}
	const clients, each = 8, 60
	var wg sync.WaitGroup
	failures := make(chan string, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				q := queries[(c+i)%len(queries)]
				body, _ := json.Marshal(map[string]any{"query": q})
				res, err := s.client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					failures <- err.Error()
					continue
				}
				var r struct{ Errors []gqlError }
				err = json.NewDecoder(res.Body).Decode(&r)
				res.Body.Close()
				if err != nil || len(r.Errors) > 0 {
					failures <- fmt.Sprintf("%s: status %d, %v, %+v", q, res.StatusCode, err, r.Errors)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
}

// TestE2EFailingMutationKeepsTheOthers: in one request, a receipt that
// succeeds and a step that fails: the receipt's result (its generated code)
// stands, the step is null with its own error.
func TestE2EFailingMutationKeepsTheOthers(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.seed(t)
	r := s.post(t, `mutation($in: ReceiveDossierInput!) {
		received: receiveDossier(input: $in) { code status }
		stepped: recordDossierStep(code: "000.00.00.H00-210101-0001", input: {action: TRANSFER, toUnit: "Phòng"}) { code }
	}`, vars{"in": vars{"procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "IN_PERSON",
		"applicant": vars{"name": "Nguyễn Văn An"}, "receivedAt": receivedAt}})
	var data struct {
		Received *struct{ Code, Status string }
		Stepped  *struct{ Code string }
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
	if data.Received == nil || data.Received.Code == "" || data.Received.Status != "RECEIVED" || data.Stepped != nil {
		t.Errorf("data %s, want the receipt's code and a null step", r.Data)
	}
	if len(r.Errors) != 1 || r.Errors[0].code() != "NOT_FOUND" || fmt.Sprint(r.Errors[0].Path) != "[stepped]" {
		t.Errorf("errors %+v, want one NOT_FOUND at stepped", r.Errors)
	}
	if n := s.count(t, "dossiers"); n != 1 {
		t.Errorf("%d dossiers stored, want the one received", n)
	}
}
