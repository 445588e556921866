package service_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestImportBulletinUndatedMentionResolves: a text naming a registered
// directive without a date (so without a year) speaks of that directive:
// no yearless duplicate is stored, and what the text states of it goes to
// the registered one. When several registered directives bear the symbol,
// the one whose issuer matches is meant; with none or several matching,
// the mention is left unresolved with a finding, and nothing is stored
// for it.
func TestImportBulletinUndatedMentionResolves(t *testing.T) {
	e := newEnv(t)
	ctx := storetest.Context(t)
	registered := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "468/QĐ-TTg", IssuedOn: "2021-03-27"})
	text := "Các sở tiếp tục thực hiện Quyết định 468/QĐ-TTg. Quyết định số 468/QĐ-TTg sửa đổi Quyết định số 100/QĐ-TTg."
	got := must(e.s.ImportBulletin(ctx, "Báo mẫu", text, false))(t)
	i := slices.IndexFunc(got.Directives, func(d *registry.ImportedDirective) bool { return d.Directive.Symbol.String() == "468/QĐ-TTg" })
	if i < 0 || got.Directives[i].Created || got.Directives[i].Directive.Key != registered.Key {
		t.Fatalf("468/QĐ-TTg imported as %+v, want resolved to the registered %s, not created", got.Directives[i], registered.Key)
	}
	all := must(e.s.DirectivesBySymbol(ctx, "468/QĐ-TTg", nil, ""))(t)
	if len(all) != 1 {
		t.Fatalf("%d directives bear 468/QĐ-TTg after the import (keys %v), want the registered one only", len(all), drKeys(all))
	}
	if !slices.ContainsFunc(all[0].Relations, func(r registry.Relation) bool { return r.Kind == registry.RelAmends && r.Symbol == "100/QĐ-TTg" }) {
		t.Errorf("the registered 468/QĐ-TTg has relations %+v, want AMENDS 100/QĐ-TTg the text states", all[0].Relations)
	}

	// Two years of 12/QĐ-UBND: one issued by UBND as its symbol says, one
	// registered under a unit's code; the text means the first.
	byUBND := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "12/QĐ-UBND", IssuedOn: "2020-01-02"})
	drCreate(t, e, registry.CreateDirectiveInput{Symbol: "12/QĐ-UBND", IssuedOn: "2021-05-06", IssuerCode: new("000.00.07.H56")})
	got = must(e.s.ImportBulletin(ctx, "Báo mẫu", "Quyết định số 12/QĐ-UBND bãi bỏ Quyết định số 9/QĐ-UBND.", false))(t)
	if d := got.Directives[0]; d.Created || d.Directive.Key != byUBND.Key {
		t.Errorf("12/QĐ-UBND imported with key %s (created %v), want the one UBND issued, %s", d.Directive.Key, d.Created, byUBND.Key)
	}

	// A yearless record an earlier text left before the directive was
	// registered gives way to the registered one.
	if d := must(e.s.ImportBulletin(ctx, "Báo mẫu", "Quyết định số 7/QĐ-UBND về nhân sự.", false))(t).Directives[0]; !d.Created || d.Directive.Year != 0 {
		t.Fatalf("7/QĐ-UBND, registered nowhere: created %v in year %d, want stored as read", d.Created, d.Directive.Year)
	}
	dated := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "7/QĐ-UBND", IssuedOn: "2021-02-03"})
	got = must(e.s.ImportBulletin(ctx, "Báo mẫu", "Quyết định số 7/QĐ-UBND bãi bỏ Quyết định số 3/QĐ-UBND.", false))(t)
	if d := got.Directives[0]; d.Created || d.Directive.Key != dated.Key {
		t.Errorf("7/QĐ-UBND imported with key %s (created %v), want the registered %s", d.Directive.Key, d.Created, dated.Key)
	}

	// Two years of 468/QĐ-TTg, both by TTg: which one is meant is not said.
	drCreate(t, e, registry.CreateDirectiveInput{Symbol: "468/QĐ-TTg", IssuedOn: "2019-04-20"})
	before := e.counts(t)
	got = must(e.s.ImportBulletin(ctx, "Báo mẫu", "Quyết định số 468/QĐ-TTg thay thế Quyết định số 101/QĐ-TTg.", false))(t)
	d := got.Directives[0]
	if d.Created || !slices.ContainsFunc(d.Directive.Findings, func(f registry.Finding) bool {
		return f.Code == registry.FindingAmbiguous && f.Field == "symbol" && strings.Contains(f.Message, "2019") && strings.Contains(f.Message, "2021")
	}) {
		t.Errorf("ambiguous 468/QĐ-TTg: created %v, findings %+v, want not stored with an AMBIGUOUS finding naming both years", d.Created, d.Directive.Findings)
	}
	after := e.counts(t)
	if after["directives"] != before["directives"]+1 { // 101/QĐ-TTg only
		t.Errorf("directives %d -> %d, want only 101/QĐ-TTg added", before["directives"], after["directives"])
	}
	for _, o := range must(e.s.DirectivesBySymbol(ctx, "468/QĐ-TTg", nil, ""))(t) {
		if o.Year == 0 || slices.ContainsFunc(o.Relations, func(r registry.Relation) bool { return r.Kind == registry.RelReplaces }) {
			t.Errorf("468/QĐ-TTg %s (year %d) has relations %+v: an unresolved mention changed a directive", o.Key, o.Year, o.Relations)
		}
	}
}

func drKeys(ds []*registry.Directive) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Key
	}
	return out
}

// TestImportBulletinDeepHTMLRefused: a page nesting its article deeper
// than the HTML parser reads is refused naming the text and the rule; read
// as plain text instead, its scripts and tags were stored as summaries and
// excerpts.
func TestImportBulletinDeepHTMLRefused(t *testing.T) {
	e := newEnv(t)
	for _, depth := range []int{600, 10_000} {
		page := `<!DOCTYPE html><html><head><script>var secret="k";</script></head><body>` + strings.Repeat("<div>", depth) +
			`<p>Ngày 5/3/2021, UBND tỉnh ban hành <b>Kế hoạch số 47/KH-UBND</b> về cải cách hành chính.</p>` +
			strings.Repeat("</div>", depth) + `</body></html>`
		before := e.counts(t)
		_, err := e.s.ImportBulletin(storetest.Context(t), "portal.html", page, false)
		if err := wantError(t, err, registry.CodeBadUserInput, "text"); !strings.Contains(err.Message, "512") {
			t.Errorf("nesting %d: %q does not state the rule", depth, err.Message)
		}
		if after := e.counts(t); !drMapsEqual(after, before) {
			t.Errorf("nesting %d: the refused import changed the collections: %v, before %v", depth, after, before)
		}
	}
}

// TestImportOfficialDocument: an official document is stored as the body
// its header names (so a commune's 21/NQ-HĐND is its own record), with the
// date its effective-date article gives, and each effect with its article.
func TestImportOfficialDocument(t *testing.T) {
	e := newEnv(t)
	text := must(os.ReadFile("../legaldoc/testdata/provincial_decision.txt"))(t)
	got := must(e.s.ImportBulletin(storetest.Context(t), "1520-qd-ubnd.txt", string(text), true))(t)
	if len(got.Directives) != 1 {
		t.Fatalf("directives %+v, want only 1520/QĐ-UBND", got.Directives)
	}
	d := got.Directives[0].Directive
	if d.Symbol.String() != "1520/QĐ-UBND" || d.Body() != "ubnd tinh hoa giang" || d.EffectiveFrom != "2024-10-09" {
		t.Errorf("directive %s of body %q effective %q, want 1520/QĐ-UBND of ubnd tinh hoa giang effective on signing, 2024-10-09",
			d.Symbol, d.Body(), d.EffectiveFrom)
	}
	parts := map[string]string{}
	for _, p := range d.Provenance.Parts {
		parts[p.Field] = fmt.Sprint(p.Part, p.Number)
		if got := string([]rune(string(text))[p.Offset : p.Offset+p.Length]); p.Length == 0 || strings.TrimSpace(got) == "" {
			t.Errorf("%s read from %s at %d+%d: %q", p.Field, p.Part, p.Offset, p.Length, got)
		}
	}
	for field, want := range map[string]string{"symbol": "number0", "issuedOn": "place-date0", "issuerName": "header0",
		"summary": "summary0", "effectiveFrom": "article3", "signer": "signature0"} {
		if parts[field] != want {
			t.Errorf("%s read from %q, want %q (parts %v)", field, parts[field], want, parts)
		}
	}
	repealed := 0
	for _, r := range d.Relations {
		if r.Kind == registry.RelRepeals {
			repealed++
			if r.Article != "Điều 2" {
				t.Errorf("repeal of %s stated in %q, want Điều 2", r.Symbol, r.Article)
			}
		}
	}
	if repealed != 2 {
		t.Errorf("relations %+v, want two repeals", d.Relations)
	}
}
