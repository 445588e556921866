package main

// Who sees a dossier's personal data, through every path that hands
// dossiers out, and who sets the deadline a desk is measured by (issue 20,
// defects 2 and 3). One rule decides what a principal sees of a dossier
// (service.visible over auth.Principal.SeesApplicantOf); these tests hold
// every path to it: GraphQL over HTTP on loopback (dossier, dossiers, node,
// subscription events, the audit log, /stats.csv) and, for the system the
// command-line tools act as, the service's export stream.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/storetest"
)

// applicantPhone is the seeded dossier's phone (startHostile).
const applicantPhone = "0912345678"

// personal is every personal field of registry.Applicant with the value the
// seeded dossier holds.
var personal = []struct{ field, value string }{
	{"name", applicantName}, {"idNumber", applicantID}, {"phone", applicantPhone},
}

// viewer is a caller over HTTP and whether it may see the seeded dossier's
// (agency 000.00.06.H56) personal data.
type viewer struct {
	name   string
	secret func(roleKeys) string
	sees   bool
}

// viewers are every role an API key can have, and anonymous. The editor
// maintains reference data and needs no applicant's data (README, Security).
var viewers = []viewer{
	{"anonymous", noKey, false},
	{"clerk of the dossier's agency", func(k roleKeys) string { return k.clerk }, true},
	{"clerk of another agency", func(k roleKeys) string { return k.otherClerk }, false},
	{"editor", func(k roleKeys) string { return k.editor }, false},
	{"auditor", func(k roleKeys) string { return k.auditor }, true},
	{"admin", func(k roleKeys) string { return k.admin }, true},
}

// checkApplicant holds one path's applicant (name, idNumber, phone as
// decoded JSON) to what v may see.
func checkApplicant(t *testing.T, v viewer, path string, got map[string]*string) {
	t.Helper()
	for _, f := range personal {
		switch val := got[f.field]; {
		case v.sees && (val == nil || *val != f.value):
			t.Errorf("%s: %s does not see applicant.%s: got %v, want %q", path, v.name, f.field, valueOf(val), f.value)
		case !v.sees && val != nil:
			t.Errorf("%s: %s sees applicant.%s = %q", path, v.name, f.field, *val)
		}
	}
}

// noPersonalData fails when body holds any of the seeded personal values.
func noPersonalData(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, f := range personal {
		if strings.Contains(string(body), f.value) {
			t.Errorf("%s holds applicant.%s %q:\n%s", what, f.field, f.value, body)
		}
	}
}

const visibilityDoc = `query($c: String!, $id: ID!) {
  dossier(code: $c) { code applicant { name idNumber phone } }
  dossiers(first: 10, filter: {agencyCode: "000.00.06.H56"}) { edges { node { code applicant { name idNumber phone } } } }
  node(id: $id) { ... on Dossier { code applicant { name idNumber phone } } }
  changes(first: 100, kinds: [DOSSIER]) { edges { node { record { ... on Dossier { code applicant { name idNumber phone } } } } } }
}`

type applicantView struct {
	Code      string
	Applicant map[string]*string
}

func TestVisibilityOfPersonalData(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	for _, v := range viewers {
		t.Run("queries as "+v.name, func(t *testing.T) {
			r := h.call(t, v.secret(h.keys), visibilityDoc, vars{"c": hostileDossier, "id": globalIDOf("Dossier", hostileDossier)})
			if r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("status %d\n%s", r.Status, r.Body)
			}
			var out struct {
				Dossier  applicantView
				Dossiers struct {
					Edges []struct{ Node applicantView }
				}
				Node    applicantView
				Changes struct {
					Edges []struct {
						Node struct{ Record applicantView }
					}
				}
			}
			r.decode(t, &out)
			if len(out.Dossiers.Edges) != 1 || len(out.Changes.Edges) != 1 {
				t.Fatalf("dossiers and changes: %s", r.Data)
			}
			for path, d := range map[string]applicantView{"dossier": out.Dossier, "dossiers": out.Dossiers.Edges[0].Node, "node": out.Node,
				"changes": out.Changes.Edges[0].Node.Record} {
				if d.Code != hostileDossier {
					t.Errorf("%s: %s does not see the dossier itself: %s", path, v.name, r.Data)
				}
				checkApplicant(t, v, path, d.Applicant)
			}
			if !v.sees {
				noPersonalData(t, "the answer to "+v.name, r.Body)
			}
		})
		t.Run("audit log, change feed and statistics as "+v.name, func(t *testing.T) {
			// None holds personal data, for anyone allowed to read them.
			r := h.call(t, v.secret(h.keys), `{ auditLog(first: 100) { edges { node { operation target } } } }`, nil)
			noPersonalData(t, "auditLog as "+v.name, r.Body)
			r = h.call(t, v.secret(h.keys), `{ changes(first: 100) { edges { node { kind key id op at version mergedInto } } } }`, nil)
			if !strings.Contains(string(r.Body), hostileDossier) {
				t.Errorf("the change feed as %s does not name the dossier: %s", v.name, r.Body)
			}
			noPersonalData(t, "changes as "+v.name, r.Body)
			req, err := http.NewRequest(http.MethodGet, h.url+"/stats.csv?from=2021-01&to=2021-12&groupBy=agency", nil)
			if err != nil {
				t.Fatal(err)
			}
			res := h.exchange(t, h.as(req, v.secret(h.keys)))
			noPersonalData(t, fmt.Sprintf("/stats.csv as %s (status %d)", v.name, res.status), res.body)
		})
	}
	t.Run("subscription events", func(t *testing.T) { subscriptionVisibility(t, h) })
}

// subscriptionVisibility subscribes to the seeded dossier's steps as every
// viewer and records steps until each has had an event.
func subscriptionVisibility(t *testing.T, h *hostileServer) {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	clients := make([]*wsClient, len(viewers))
	for i, v := range viewers {
		clients[i] = dialAs(t, ctx, h, v.secret(h.keys))
		clients[i].send(t, ctx, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{
			"query":     `subscription($c: String) { dossierSteps(code: $c) { dossier { code applicant { name idNumber phone } } } }`,
			"variables": vars{"c": hostileDossier},
		})})
	}
	events := make([]json.RawMessage, len(viewers))
	// The protocol does not acknowledge a subscription: steps are recorded
	// until every subscriber has had one.
	for n, pending := 0, len(viewers); pending > 0; n++ {
		if ctx.Err() != nil {
			t.Fatal("no event for every subscriber before the hang guard")
		}
		r := h.call(t, h.keys.admin, `mutation($c: String!, $u: String) { recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: $u}) { version } }`,
			vars{"c": hostileDossier, "u": fmt.Sprintf("unit-%d", n)})
		if len(r.Errors) > 0 {
			t.Fatalf("step: %s", r.Body)
		}
		for i, c := range clients {
			if events[i] != nil {
				continue
			}
			select {
			case m, ok := <-c.in:
				switch {
				case !ok:
					t.Fatalf("%s: websocket closed", viewers[i].name)
				case m.Type == "next":
					events[i], pending = m.Payload, pending-1
				case m.Type != "ping" && m.Type != "pong":
					t.Fatalf("%s: got %s %s", viewers[i].name, m.Type, m.Payload)
				}
			case <-time.After(50 * time.Millisecond): // not an assertion: record another step
			}
		}
	}
	for i, v := range viewers {
		var ev struct {
			Data struct {
				DossierSteps struct{ Dossier applicantView }
			}
		}
		if err := json.Unmarshal(events[i], &ev); err != nil || ev.Data.DossierSteps.Dossier.Code != hostileDossier {
			t.Errorf("%s: event %s (%v)", v.name, events[i], err)
			continue
		}
		checkApplicant(t, v, "subscription event", ev.Data.DossierSteps.Dossier.Applicant)
	}
}

// dialAs opens a graphql-transport-ws connection as the holder of secret.
func dialAs(t *testing.T, ctx context.Context, h *hostileServer, secret string) *wsClient {
	t.Helper()
	header := http.Header{}
	if secret != "" {
		header.Set("Authorization", "Bearer "+secret)
	}
	conn, _, err := websocket.Dial(ctx, "ws://"+h.addr+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header,
	})
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{conn: conn, in: make(chan wsMessage, 256)}
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
	c.init(t, ctx)
	return c
}

// TestVisibilityInService holds the service's own paths to the same rule,
// with the system principal the command-line tools act as: `registry
// export` streams whole dossiers because it acts as the system, and a
// principal that may not see the applicant gets none from the stream.
func TestVisibilityInService(t *testing.T) {
	t.Parallel()
	s := storetest.Memory(t, service.Config{})
	sys := storetest.Context(t)
	for _, a := range []string{agencyCode, otherAgency} {
		if _, err := s.CreateAgency(sys, registry.CreateAgencyInput{Code: a, Name: "Đơn vị " + a, Level: registry.LevelProvincial}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateProcedure(sys, registry.CreateProcedureInput{Code: procedureCode, Name: "Thủ tục", Level: registry.LevelProvincial,
		AgencyCode: agencyCode, ProcessingDays: 5}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2021, 4, 15, 9, 0, 0, 0, time.UTC)
	whole, err := s.ReceiveDossier(sys, registry.ReceiveDossierInput{ProcedureCode: procedureCode, AgencyCode: agencyCode,
		Channel: registry.ChannelInPerson, ReceivedAt: &at, Applicant: registry.ApplicantInput{
			Name: applicantName, IDNumber: new(applicantID), Phone: new(applicantPhone)}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	principals := []struct {
		name string
		p    auth.Principal
		sees bool
	}{
		{"anonymous", auth.Anonymous(), false},
		{"clerk of the dossier's agency", auth.Principal{Name: "c", Role: auth.RoleClerk, Agency: agencyCode}, true},
		{"clerk of another agency", auth.Principal{Name: "o", Role: auth.RoleClerk, Agency: otherAgency}, false},
		{"editor", auth.Principal{Name: "e", Role: auth.RoleEditor}, false},
		{"auditor", auth.Principal{Name: "a", Role: auth.RoleAuditor}, true},
		{"admin", auth.Principal{Name: "r", Role: auth.RoleAdmin}, true},
		{"system", auth.System("export"), true},
	}
	for _, c := range principals {
		ctx := auth.WithPrincipal(t.Context(), c.p)
		got := map[string]*registry.Dossier{"feed (Visible)": s.Visible(ctx, whole)}
		got["dossier by code"], err = s.Dossier(ctx, whole.Code)
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.Dossiers(ctx, registry.DossierFilter{}, registry.OrderByCode, registry.PageArgs{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("dossiers: %v, %v", page, err)
		}
		got["dossiers list"] = page.Items[0]
		if err := s.EachDossier(ctx, registry.DossierFilter{}, func(d *registry.Dossier) error { got["export"] = d; return nil }); err != nil {
			t.Fatal(err)
		}
		for path, d := range got {
			fields := map[string]string{"name": d.Applicant.Name, "idNumber": d.Applicant.IDNumber, "phone": d.Applicant.Phone}
			for _, f := range personal {
				if want := map[bool]string{true: f.value}[c.sees]; fields[f.field] != want {
					t.Errorf("%s, %s: applicant.%s = %q, want %q", c.name, path, f.field, fields[f.field], want)
				}
			}
		}
	}
	if whole.Applicant.Name != applicantName {
		t.Errorf("hiding the applicant changed the feed's dossier: %+v", whole.Applicant)
	}
}

// ---------------------------------------------------------------------------
// The due date a desk is measured by follows from the procedure and the
// calendar; only an administrator sets another, with a reason, audited and
// bounded.

const receiveDueDoc = `mutation($in: ReceiveDossierInput!) { receiveDossier(input: $in) { code dueDate appointmentDate } }`

func TestDueDateOverride(t *testing.T) {
	t.Parallel()
	h := startHostile(t, true, nil)
	in := func(code string, extra vars) vars {
		v := vars{"code": code, "procedureCode": procedureCode, "agencyCode": agencyCode, "channel": "IN_PERSON",
			"applicant": vars{"name": "Lê Thị Cúc"}, "receivedAt": receivedAt}
		for k, x := range extra {
			v[k] = x
		}
		return vars{"in": v}
	}
	const reason = "Quyết định gia hạn số 12/QĐ-UBND: thẩm định liên ngành"
	refusals := []struct {
		name, secret, code, field string
		extra                     vars
	}{
		{"clerk setting the deadline it is measured by", h.keys.clerk, "FORBIDDEN", "dueDate", vars{"dueDate": "2100-01-01"}},
		{"clerk setting it with a reason", h.keys.clerk, "FORBIDDEN", "dueDate", vars{"dueDate": "2021-04-30", "dueDateReason": reason}},
		{"admin without a reason", h.keys.admin, "BAD_USER_INPUT", "dueDateReason", vars{"dueDate": "2021-04-30"}},
		{"admin with a blank reason", h.keys.admin, "BAD_USER_INPUT", "dueDateReason", vars{"dueDate": "2021-04-30", "dueDateReason": "  "}},
		{"admin with a reason of 501 characters", h.keys.admin, "BAD_USER_INPUT", "dueDateReason", vars{"dueDate": "2021-04-30", "dueDateReason": strings.Repeat("ă", 501)}},
		{"admin with a reason with a control character", h.keys.admin, "BAD_USER_INPUT", "dueDateReason", vars{"dueDate": "2021-04-30", "dueDateReason": "a\x07b"}},
		{"admin with a reason and no date", h.keys.admin, "BAD_USER_INPUT", "dueDateReason", vars{"dueDateReason": reason}},
		{"admin setting 2100-01-01", h.keys.admin, "BAD_USER_INPUT", "dueDate", vars{"dueDate": "2100-01-01", "dueDateReason": reason}},
		// 2021-04-23 is the computed date; 30 working days later, 2021-06-08.
		{"admin one working day past the bound", h.keys.admin, "BAD_USER_INPUT", "dueDate", vars{"dueDate": "2021-06-09", "dueDateReason": reason}},
		{"admin before the receipt day", h.keys.admin, "BAD_USER_INPUT", "dueDate", vars{"dueDate": "2021-04-14", "dueDateReason": reason}},
	}
	for i, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			code := fmt.Sprintf("%s-210415-%04d", agencyCode, 100+i)
			wantError(t, h.call(t, c.secret, receiveDueDoc, in(code, c.extra)), c.code, c.field)
			r := h.call(t, h.keys.admin, `query($c: String!) { dossier(code: $c) { code } }`, vars{"c": code})
			if !strings.Contains(string(r.Data), `"dossier":null`) {
				t.Errorf("refused receipt stored a dossier: %s", r.Data)
			}
		})
	}

	var out struct {
		ReceiveDossier struct{ Code, DueDate, AppointmentDate string }
	}
	r := h.call(t, h.keys.clerk, receiveDueDoc, in(agencyCode+"-210415-0200", nil))
	if len(r.Errors) > 0 {
		t.Fatalf("clerk's receipt: %s", r.Body)
	}
	if r.decode(t, &out); out.ReceiveDossier.DueDate != "2021-04-23" {
		t.Errorf("clerk's receipt has due date %s, want the computed 2021-04-23", out.ReceiveDossier.DueDate)
	}
	for code, due := range map[string]string{"0300": "2021-04-15", "0301": "2021-06-08"} { // the receipt day and the bound
		code := agencyCode + "-210415-" + code
		r := h.call(t, h.keys.admin, receiveDueDoc, in(code, vars{"dueDate": due, "dueDateReason": reason}))
		if len(r.Errors) > 0 {
			t.Fatalf("admin's override %s: %s", due, r.Body)
		}
		if r.decode(t, &out); out.ReceiveDossier.DueDate != due || out.ReceiveDossier.AppointmentDate != due {
			t.Errorf("admin's override: %+v, want due and appointment %s", out.ReceiveDossier, due)
		}
	}

	// The audit log names the date and the reason, for the attempts refused too.
	r = h.call(t, h.keys.auditor, `{ auditLog(first: 100, filter: {operation: "receiveDossier"}) { edges { node { who target result } } } }`, nil)
	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Who, Target, Result string }
			}
		}
	}
	r.decode(t, &log)
	want := map[string]bool{
		keyNames.admin + " OK " + agencyCode + "-210415-0301 dueDate 2021-06-08: " + reason:        false,
		keyNames.clerk + " FORBIDDEN " + agencyCode + "-210415-0100 dueDate 2100-01-01":            false,
		keyNames.clerk + " FORBIDDEN " + agencyCode + "-210415-0101 dueDate 2021-04-30: " + reason: false,
	}
	for _, e := range log.AuditLog.Edges {
		k := e.Node.Who + " " + e.Node.Result + " " + e.Node.Target
		if _, ok := want[k]; ok {
			want[k] = true
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("audit log has no entry %q:\n%s", k, r.Data)
		}
	}
}
