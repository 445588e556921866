package main

// The change feed over HTTP (issue 24): a client following `changes` from
// the start keeps exactly the registry's records through imports, receipts
// and steps, a restart, a re-import, removals and a merge; the `changed`
// subscription streams the same entries; bad input and callers who may not
// remove records change nothing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/storetest"
)

// feedPage is the page size the follower asks for: odd, so that pages end
// inside runs of entries of one kind or one change.
const feedPage = 7

const changesDoc = `query($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    edges { cursor node { kind key id op version mergedInto record { id ... on Dossier { version } } } }
    pageInfo { endCursor hasNextPage }
  }
}`

// feedEntry is a Change as the follower reads it.
type feedEntry struct {
	Kind, Key, ID, Op string
	Version           *int
	MergedInto        *string
	Record            *struct {
		ID      string
		Version *int
	}
}

// follower keeps a local copy of the registry over HTTP, as a client app
// would: record id -> a dossier's version (0 for other kinds), and the
// cursor it resumes from.
type follower struct {
	secret string
	cursor *string
	copy   map[string]int
	read   []feedEntry // every entry read, over all syncs
}

// sync reads the feed from the cursor to its end and returns the entries
// this sync read. Each record must come once a sync, at its latest change.
func (f *follower) sync(t *testing.T, h *hostileServer) []feedEntry {
	t.Helper()
	var got []feedEntry
	seen := map[string]bool{}
	for {
		var out struct {
			Changes struct {
				Edges []struct {
					Cursor string
					Node   feedEntry
				}
				PageInfo struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
		}
		h.as200(t, f.secret, changesDoc, vars{"after": f.cursor, "first": feedPage}, &out)
		edges, info := out.Changes.Edges, out.Changes.PageInfo
		for _, e := range edges {
			c := e.Node
			if seen[c.ID] {
				t.Errorf("one sync read %s %s twice", c.Kind, c.Key)
			}
			seen[c.ID] = true
			apply(t, f.copy, c)
			got = append(got, c)
		}
		if len(edges) > 0 && (info.EndCursor == nil || *info.EndCursor != edges[len(edges)-1].Cursor) {
			t.Fatalf("pageInfo.endCursor %v is not the last edge's cursor %s", valueOf(info.EndCursor), edges[len(edges)-1].Cursor)
		}
		if len(edges) == 0 && deref(info.EndCursor) != deref(f.cursor) {
			t.Errorf("an empty page's endCursor is %v, want the cursor given %v", valueOf(info.EndCursor), valueOf(f.cursor))
		}
		if info.EndCursor != nil {
			f.cursor = info.EndCursor
		}
		if !info.HasNextPage {
			f.read = append(f.read, got...)
			return got
		}
	}
}

// apply applies one entry to a copy, checking what it says of its record.
func apply(t *testing.T, kept map[string]int, c feedEntry) {
	t.Helper()
	switch c.Op {
	case "DELETE":
		if c.Record != nil {
			t.Errorf("the removal of %s %s still shows its record", c.Kind, c.Key)
		}
		delete(kept, c.ID)
	case "UPSERT":
		if c.Record == nil || c.Record.ID != c.ID {
			t.Fatalf("the entry of %s %s (%s) shows record %+v", c.Kind, c.Key, c.ID, c.Record)
		}
		v := deref(c.Version)
		if c.Kind == "DOSSIER" && (v == 0 || deref(c.Record.Version) != v) {
			t.Errorf("dossier %s: entry version %d, record version %d", c.Key, v, deref(c.Record.Version))
		}
		kept[c.ID] = v
	default:
		t.Fatalf("entry %+v: op %q", c, c.Op)
	}
}

// listed is every record the list queries give, as the follower keeps them.
func listed(t *testing.T, h *hostileServer) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, list := range []string{"agencies", "procedures", "directives", "reports", "dossiers"} {
		var after *string
		for {
			var page map[string]struct {
				Edges []struct {
					Node struct {
						ID      string
						Version *int
					}
				}
				PageInfo struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
			version := ""
			if list == "dossiers" {
				version = "version"
			}
			doc := fmt.Sprintf(`query($a: String) { l: %s(first: 100, after: $a) { edges { node { id %s } } pageInfo { endCursor hasNextPage } } }`, list, version)
			h.as200(t, h.keys.admin, doc, vars{"a": after}, &page)
			for _, e := range page["l"].Edges {
				out[e.Node.ID] = deref(e.Node.Version)
			}
			if !page["l"].PageInfo.HasNextPage {
				break
			}
			after = page["l"].PageInfo.EndCursor
		}
	}
	return out
}

// sameAsListed fails when the follower's copy is not what the lists give.
func sameAsListed(t *testing.T, when string, f *follower, h *hostileServer) {
	t.Helper()
	want := listed(t, h)
	if diff := storetest.CopyDiff(f.copy, want); diff != nil {
		t.Fatalf("%s: the copy (%d records) differs from the lists (%d): %v", when, len(f.copy), len(want), diff)
	}
}

// as200 posts query as the holder of secret and decodes its data, failing
// on any error.
func (h *hostileServer) as200(t *testing.T, secret, query string, v vars, out any) {
	t.Helper()
	r := h.call(t, secret, query, v)
	if r.Status != 200 || len(r.Errors) > 0 {
		t.Fatalf("%s: status %d\n%s", firstLine(query), r.Status, r.Body)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// feedNews states, in words of this test, a decision replacing another
// and a monthly report of the desk.
const feedNews = "Ngày 5/3/2021, UBND tỉnh ban hành Quyết định số 412/QĐ-UBND về chuyển đổi số, thay thế Quyết định số 96/QĐ-UBND. " +
	"Trong tháng 2/2021, Trung tâm Phục vụ hành chính công tỉnh tiếp nhận 1.200 hồ sơ, đã giải quyết 1.100 hồ sơ, trong đó trước hạn 900 hồ sơ, đúng hạn 200 hồ sơ."

const importNewsDoc = `mutation($text: String!) {
  importBulletin(text: $text, source: "feed e2e") { directives { created directive { id } } reports { created report { id } } }
}`

// TestChangeFeedOverHTTP follows the feed over HTTP, seven entries a page,
// from the start through the sample data, a receipt and steps, a news
// import, a restart, the same import again, a directive's and a report's
// removal and a merge: after each, the copy is what the lists give, no
// record comes twice in a sync, and what changes nothing adds no entry.
func TestChangeFeedOverHTTP(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	var out bytes.Buffer
	if code := run(t.Context(), []string{"generate", "--mongodb-uri", cfg.store.mongoURI, "--database", cfg.store.database,
		"--dossiers", "30", "--seed", "7"}, &out, &out); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, out.String())
	}
	h := startHostile(t, false, func(c *serveConfig) { c.store = cfg.store })
	f := &follower{secret: h.keys.admin, copy: map[string]int{}}

	f.sync(t, h)
	sameAsListed(t, "after the sample", f, h)
	if len(f.read) != len(f.copy) || len(f.read) < 3*feedPage {
		t.Errorf("read %d entries for %d records: want one each, over several pages", len(f.read), len(f.copy))
	}

	code := receiveAndStep(t, h)
	if got := f.sync(t, h); len(got) != 1 || got[0].Key != code || deref(got[0].Version) != 3 {
		t.Errorf("after a receipt and two steps the feed gave %+v, want the dossier once at version 3", got)
	}
	sameAsListed(t, "after a receipt and steps", f, h)

	h.as200(t, h.keys.editor, importNewsDoc, vars{"text": feedNews}, nil)
	f.sync(t, h)
	sameAsListed(t, "after a news import", f, h)

	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	h = startHostile(t, false, func(c *serveConfig) { c.store = cfg.store })
	f.secret = h.keys.admin
	if got := f.sync(t, h); len(got) != 0 {
		t.Errorf("after a restart the feed gave %d entries, want none", len(got))
	}
	h.as200(t, h.keys.editor, importNewsDoc, vars{"text": feedNews}, nil)
	if got := f.sync(t, h); len(got) != 0 {
		t.Errorf("importing the same news again gave %+v, want no entry", got)
	}
	sameAsListed(t, "after a restart and a re-import", f, h)

	removeAndMerge(t, h, f, checkRemovalsRefused(t, h, f))

	checkSubscriptionFromNow(t, h)
	f.sync(t, h)
	sameAsListed(t, "after directives created while subscribed", f, h)
	g := &follower{secret: h.keys.admin, copy: map[string]int{}}
	g.sync(t, h)
	sameAsListed(t, "a new follower from the start", g, h)
}

// deref is *p, or T's zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// receiveAndStep receives a dossier of a sample procedure and records two
// steps, as the administrator; it returns the dossier's code.
func receiveAndStep(t *testing.T, h *hostileServer) string {
	t.Helper()
	var p struct {
		Procedures struct {
			Edges []struct {
				Node struct {
					Code   string
					Agency struct{ Code string }
				}
			}
		}
	}
	h.as200(t, h.keys.admin, `{ procedures(first: 1) { edges { node { code agency { code } } } } }`, nil, &p)
	proc := p.Procedures.Edges[0].Node
	var d struct{ ReceiveDossier struct{ Code string } }
	h.as200(t, h.keys.admin, receiveDoc, vars{"in": vars{
		"procedureCode": proc.Code, "agencyCode": proc.Agency.Code, "channel": "IN_PERSON",
		"applicant": vars{"name": "Trần Thị Bình"}, "receivedAt": receivedAt,
	}}, &d)
	code := d.ReceiveDossier.Code
	for _, unit := range []string{"Phòng Hộ tịch", "Phòng Tư pháp"} {
		h.as200(t, h.keys.admin, `mutation($c: String!, $u: String) { recordDossierStep(code: $c, input: {action: TRANSFER, toUnit: $u}) { version } }`,
			vars{"c": code, "u": unit}, nil)
	}
	return code
}

const (
	createNoteDoc      = `mutation($s: String!, $on: Date!) { createDirective(input: {symbol: $s, issuedOn: $on}) { id } }`
	deleteDirectiveDoc = `mutation($id: ID!, $r: String!) { deleteDirective(id: $id, reason: $r) { id kind key } }`
)

// createNote creates a directive of symbol s as the editor and returns its id.
func createNote(t *testing.T, h *hostileServer, s, on string) string {
	t.Helper()
	var out struct{ CreateDirective struct{ ID string } }
	h.as200(t, h.keys.editor, createNoteDoc, vars{"s": s, "on": on}, &out)
	return out.CreateDirective.ID
}

// checkRemovalsRefused: a removal by a caller who may not edit the
// registry, without a reason, or of a directive a procedure needs, and a
// cursor that is not one, are refused naming why, and add no entry. It
// returns the id of the directive it failed to remove.
func checkRemovalsRefused(t *testing.T, h *hostileServer, f *follower) string {
	t.Helper()
	id := createNote(t, h, "77/KH-UBND", "2021-04-02")
	f.sync(t, h)
	for _, c := range []struct {
		who, secret, reason, code, field string
	}{
		{"anonymous", "", "entered by mistake", "UNAUTHENTICATED", ""},
		{"a clerk", h.keys.clerk, "entered by mistake", "FORBIDDEN", ""},
		{"an auditor", h.keys.auditor, "entered by mistake", "FORBIDDEN", ""},
		{"the editor without a reason", h.keys.editor, "", "BAD_USER_INPUT", "reason"},
		{"the editor with a blank reason", h.keys.editor, "  ", "BAD_USER_INPUT", "reason"},
	} {
		r := h.call(t, c.secret, deleteDirectiveDoc, vars{"id": id, "r": c.reason})
		if len(r.Errors) != 1 || r.Errors[0].code() != c.code || r.Errors[0].field() != c.field {
			t.Errorf("deleteDirective by %s: %s\nwant one %s naming field %q", c.who, r.Body, c.code, c.field)
		}
	}
	wantError(t, h.call(t, h.keys.admin, changesDoc, vars{"after": "garbage"}), "BAD_USER_INPUT", "after")
	cited := citedDirective(t, h)
	f.sync(t, h)
	wantError(t, h.call(t, h.keys.editor, deleteDirectiveDoc, vars{"id": cited, "r": "in use"}), "CONFLICT", "")
	if got := f.sync(t, h); len(got) != 0 {
		t.Errorf("refused removals made entries: %+v", got)
	}
	sameAsListed(t, "after refused removals", f, h)
	return id
}

// citedDirective creates a directive and a procedure citing it as its
// only legal basis, and returns the directive's id.
func citedDirective(t *testing.T, h *hostileServer) string {
	t.Helper()
	id := createNote(t, h, "120/QĐ-UBND", "2021-01-11")
	var p struct {
		Agencies struct {
			Edges []struct{ Node struct{ Code string } }
		}
	}
	h.as200(t, h.keys.admin, `{ agencies(first: 1) { edges { node { code } } } }`, nil, &p)
	h.as200(t, h.keys.editor, createProcedureDoc, vars{"in": vars{
		"code": "2.000120", "name": "Cấp bản sao trích lục", "level": "PROVINCIAL",
		"agencyCode": p.Agencies.Edges[0].Node.Code, "processingDays": 3, "legalBases": []string{"120/QĐ-UBND"},
	}}, nil)
	return id
}

// removeAndMerge removes the directive mistaken and a report as the
// editor, then, with a subscription to the feed's directives open from the
// follower's cursor, creates a duplicate of the news's decision and merges
// it: the follower reads each removal with no record, the merge's removal
// naming the directive that remains, and the subscription the same entries.
func removeAndMerge(t *testing.T, h *hostileServer, f *follower, mistaken string) {
	t.Helper()
	var removed struct {
		DeleteDirective struct{ ID, Kind, Key string }
	}
	h.as200(t, h.keys.editor, deleteDirectiveDoc, vars{"id": mistaken, "r": "entered by mistake"}, &removed)
	var reports struct {
		Reports struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	h.as200(t, h.keys.admin, `{ reports(first: 1) { edges { node { id } } } }`, nil, &reports)
	report := reports.Reports.Edges[0].Node.ID
	h.as200(t, h.keys.editor, `mutation($id: ID!) { deleteReport(id: $id, reason: "a figure misread") { id } }`, vars{"id": report}, nil)
	got := f.sync(t, h)
	if len(got) != 2 || got[0].ID != mistaken || got[0].Op != "DELETE" || got[1].ID != report || got[1].Op != "DELETE" {
		t.Errorf("after removing %s and %s the feed gave %+v, want their removals", mistaken, report, got)
	}
	sameAsListed(t, "after removing a directive and a report", f, h)
	checkAudit(t, h, "deleteDirective", removed.DeleteDirective.Key+": entered by mistake")

	sub := subscribeChanges(t, h, f.cursor)
	var created struct{ CreateDirective struct{ ID string } }
	h.as200(t, h.keys.editor, `mutation { createDirective(input: {symbol: "412/QĐ-UBND", issuedOn: "2020-03-05",
		relations: [{kind: IMPLEMENTS, symbol: "45/NQ-HĐND"}]}) { id } }`, nil, &created)
	dup := created.CreateDirective.ID
	if first := sub.next(t); first.ID != dup || first.Op != "UPSERT" {
		t.Fatalf("the subscription's first entry is %+v, want the duplicate %s as created", first, dup)
	}
	into := theOtherDirective(t, h, "412/QĐ-UBND", dup)
	h.as200(t, h.keys.editor, `mutation($d: ID!, $i: ID!) { mergeDirective(duplicate: $d, into: $i, reason: "one decision entered twice") { id } }`,
		vars{"d": dup, "i": into}, nil)
	got = f.sync(t, h)
	sameAsListed(t, "after a merge", f, h)
	keys := map[string]string{}
	var directives []feedEntry
	for _, c := range got {
		keys[c.ID] = c.Key
		if c.Kind == "DIRECTIVE" {
			directives = append(directives, c)
		}
	}
	if last := got[len(got)-1]; last.ID != dup || last.Op != "DELETE" || keys[into] == "" || deref(last.MergedInto) != keys[into] {
		t.Errorf("the merge's last entry is %+v, want the duplicate's removal naming the directive that remains (%q)", last, keys[into])
	}
	for i, want := range directives {
		if c := sub.next(t); c.ID != want.ID || c.Op != want.Op || deref(c.MergedInto) != deref(want.MergedInto) {
			t.Errorf("subscription entry %d after the duplicate's creation: %+v, want %+v as the feed pages it", i, c, want)
		}
	}
	checkAudit(t, h, "mergeDirective", "")
}

// theOtherDirective is the id of the directive bearing symbol that is not not.
func theOtherDirective(t *testing.T, h *hostileServer, symbol, not string) string {
	t.Helper()
	var out struct{ Directive []struct{ ID string } }
	h.as200(t, h.keys.admin, `query($s: String!) { directive(symbol: $s) { id } }`, vars{"s": symbol}, &out)
	for _, d := range out.Directive {
		if d.ID != not {
			return d.ID
		}
	}
	t.Fatalf("no directive %s other than %s: %+v", symbol, not, out)
	return ""
}

// checkAudit: the audit log holds a successful op whose target is target
// (any target when empty).
func checkAudit(t *testing.T, h *hostileServer, op, target string) {
	t.Helper()
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Target, Result string }
			}
		}
	}
	h.as200(t, h.keys.admin, `query($op: String!) { auditLog(first: 50, filter: {operation: $op}) { edges { node { target result } } } }`,
		vars{"op": op}, &out)
	for _, e := range out.AuditLog.Edges {
		if e.Node.Result == "OK" && (target == "" || e.Node.Target == target) {
			return
		}
	}
	t.Errorf("the audit log has no successful %s of %q: %+v", op, target, out.AuditLog.Edges)
}

// checkSubscriptionFromNow: a `changed` subscription without a cursor
// streams the directives created after it subscribed, and nothing before.
// The protocol does not acknowledge a subscription, so directives are
// created until one is delivered; from then on each must arrive, in order.
func checkSubscriptionFromNow(t *testing.T, h *hostileServer) {
	t.Helper()
	sub := subscribeChanges(t, h, nil)
	var created []string
	var first feedEntry
	for first.ID == "" {
		created = append(created, createNote(t, h, fmt.Sprintf("%d/TB-UBND", 500+len(created)), "2021-06-01"))
		select {
		case m, ok := <-sub.c.in:
			if !ok {
				t.Fatal("websocket closed")
			}
			if m.Type == "ping" || m.Type == "pong" {
				continue
			}
			var ev struct{ Data *struct{ Changed feedEntry } }
			if err := json.Unmarshal(m.Payload, &ev); err != nil || m.Type != "next" || ev.Data == nil {
				t.Fatalf("subscription: %s %s, want next with an entry", m.Type, m.Payload)
			}
			first = ev.Data.Changed
		case <-time.After(50 * time.Millisecond): // not an assertion: create another
		case <-sub.ctx.Done():
			t.Fatal("no entry delivered before the hang guard")
		}
	}
	i := slices.Index(created, first.ID)
	if i < 0 || first.Op != "UPSERT" {
		t.Fatalf("a subscription from now first streamed %+v, not one of the directives created since (%v)", first, created)
	}
	for _, id := range created[i+1:] {
		if c := sub.next(t); c.ID != id {
			t.Errorf("subscription from now: %+v, want the creation of %s", c, id)
		}
	}
}

// changeStream is a `changed` subscription over graphql-transport-ws.
type changeStream struct {
	c   *wsClient
	ctx context.Context
}

// subscribeChanges subscribes to the feed's directives after cursor, or
// from now when cursor is nil.
func subscribeChanges(t *testing.T, h *hostileServer, cursor *string) *changeStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	c, _, err := dialWS(t, ctx, h.testServer, "")
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	c.init(t, ctx)
	c.send(t, ctx, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(vars{
		"query":     `subscription($a: String) { changed(kinds: [DIRECTIVE], after: $a) { kind key id op mergedInto } }`,
		"variables": vars{"a": cursor},
	})})
	return &changeStream{c: c, ctx: ctx}
}

// next is the subscription's next entry.
func (s *changeStream) next(t *testing.T) feedEntry {
	t.Helper()
	m := s.c.next(t, s.ctx)
	var ev struct {
		Data *struct{ Changed feedEntry }
	}
	if err := json.Unmarshal(m.Payload, &ev); err != nil || m.Type != "next" || ev.Data == nil {
		t.Fatalf("subscription: %s %s, want next with an entry", m.Type, m.Payload)
	}
	return ev.Data.Changed
}

// TestSyncRecipe runs the README's sync.mjs (plain fetch, no package) as
// written, twice, against a fresh sample server: the first run copies
// every directive and report, the second, from the cursor the first saved,
// reads nothing and keeps them (TestReadme checks the first run's output
// after the tour).
func TestSyncRecipe(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the README's sync.mjs needs Node.js 18 or later (`make test` expects it)")
	}
	var recipe mdBlock
	for _, b := range readMarkdown(t, "../..", "README.md").blocks {
		if recipeFile(b) == "sync.mjs" {
			recipe = b
		}
	}
	if recipe.body == "" {
		t.Fatal("the README has no `// sync.mjs` recipe")
	}
	s := sampleServer(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sync.mjs"), []byte(withServer(s, recipe.body)), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 2 {
		ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
		cmd := exec.CommandContext(ctx, "node", "sync.mjs")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("node sync.mjs: %v\n%s", err, out)
		}
		got = append(got, outputLines(string(out))...)
	}
	// The sample's 10 directives and 4 reports.
	if want := []string{"14 changes; 14 records kept", "0 changes; 14 records kept"}; !slices.Equal(got, want) {
		t.Errorf("node sync.mjs, run twice, printed %q, want %q", got, want)
	}
}
