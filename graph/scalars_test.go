package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestMalformedDatesAreBadInput: a malformed Date or DateTime, or one
// outside 1945-2100, as a literal or a variable, in an argument, an input
// field or a nested field's argument, is BAD_USER_INPUT naming that field
// and the rule, and changes nothing (it used to answer INTERNAL, or accept
// year 1 and panic at year 10000).
func TestMalformedDatesAreBadInput(t *testing.T) {
	st := storetest.Memory(t, service.Config{})
	ctx := storetest.Context(t)
	if _, err := st.CreateAgency(ctx, registry.CreateAgencyInput{Code: "000.00.31.H56", Name: "Bộ phận một cửa", Level: registry.LevelDistrict}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateProcedure(ctx, registry.CreateProcedureInput{Code: "1.001699", Name: "Cấp phép", Level: registry.LevelDistrict,
		AgencyCode: "000.00.31.H56", ProcessingDays: 5}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2021, 4, 15, 9, 0, 0, 0, calendar.Vietnam)
	if _, err := st.ReceiveDossier(ctx, registry.ReceiveDossierInput{ProcedureCode: "1.001699", AgencyCode: "000.00.31.H56",
		Channel: registry.ChannelInPerson, Applicant: registry.ApplicantInput{Name: "A"}, ReceivedAt: &at}, "test"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(storetest.AsDeveloper(graph.NewHandler(&graph.Resolver{Registry: st, Feed: feed.New()}, graph.Options{Logger: slog.New(slog.DiscardHandler)})))
	defer srv.Close()

	receive := func(at string) string {
		return `mutation { receiveDossier(input: {procedureCode: "1.001699", agencyCode: "000.00.31.H56", channel: IN_PERSON,
			applicant: {name: "B"}, receivedAt: "` + at + `"}) { code } }`
	}
	for _, c := range []struct {
		doc   string
		vars  map[string]any
		field string
	}{
		{receive("2021-04-15"), nil, "receivedAt"},
		{receive("2021-02-30T09:00:00+07:00"), nil, "receivedAt"},
		{receive("2021-04-15T09:00:00+25:00"), nil, "receivedAt"},
		{receive("0001-01-01T00:00:00Z"), nil, "receivedAt"},
		{`mutation { receiveDossier(input: {procedureCode: "1.001699", agencyCode: "000.00.31.H56", channel: IN_PERSON,
			applicant: {name: "B"}, receivedAt: "2021-04-15T09:00:00+07:00", dueDate: "9999-12-31"}) { code } }`, nil, "dueDate"},
		{`{ dossierStats(asOf: "9999-12-31", filter: {from: "9999-12", to: "9999-12"}) { total { received { total } } } }`, nil, "asOf"},
		{`{ dossierStats(asOf: "2021-02-28", filter: {from: "9999-12", to: "9999-12"}) { total { received { total } } } }`, nil, "filter.from"},
		{`{ dossiers { edges { node { deadlineState(asOf: "yesterday") } } } }`, nil, "asOf"},
		{`{ dossiers(filter: {receivedFrom: "2021-04-15"}) { totalCount } }`, nil, "filter.receivedFrom"},
		{`query($d: DateTime) { dossiers(filter: {receivedFrom: $d}) { totalCount } }`, map[string]any{"d": "yesterday"}, "filter.receivedFrom"},
		{`{ dossierStats(asOf: "2021-02-31", filter: {from: "2021-01", to: "2021-02"}) { total { received { total } } } }`, nil, "asOf"},
		{`{ auditLog(filter: {from: "x"}) { totalCount } }`, nil, "filter.from"},
		{`mutation { createDirective(input: {symbol: "1/QĐ-UBND", issuedOn: "2021-02-29"}) { id } }`, nil, "issuedOn"},
		{`mutation { createDirective(input: {symbol: "1/QĐ-UBND", issuedOn: ""}) { id } }`, nil, "issuedOn"},
		{`mutation($d: Date!) { createDirective(input: {symbol: "1/QĐ-UBND", issuedOn: $d}) { id } }`, map[string]any{"d": 20210101}, "issuedOn"},
	} {
		body, _ := json.Marshal(map[string]any{"query": c.doc, "variables": c.vars})
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code, Field string }
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || len(out.Errors) == 0 {
			t.Errorf("%s: %v, no error", c.doc, err)
			continue
		}
		e := out.Errors[0]
		if e.Extensions.Code != string(registry.CodeBadUserInput) || e.Extensions.Field != c.field {
			t.Errorf("%s %v:\n got %s (field %q): %s\nwant BAD_USER_INPUT naming %q", c.doc, c.vars, e.Extensions.Code, e.Extensions.Field, e.Message, c.field)
		}
	}
	// Nothing was written: one dossier, no directive.
	page, err := st.Dossiers(ctx, registry.DossierFilter{}, "", registry.PageArgs{})
	if n, _ := page.TotalCount(ctx); err != nil || n != 1 {
		t.Errorf("dossiers after the refused requests: %d (%v), want 1", n, err)
	}
	dirs, err := st.Directives(ctx, registry.DirectiveFilter{}, registry.PageArgs{})
	if n, _ := dirs.TotalCount(ctx); err != nil || n != 0 {
		t.Errorf("directives after the refused requests: %d (%v), want 0", n, err)
	}
}
