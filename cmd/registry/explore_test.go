package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestExploreInABrowser opens /explore in headless Chromium (installed by
// `make test`) on the sample data, with host names resolving nowhere but
// loopback, and finds the statistics chart and table, the reports beside
// the dossiers' figures, and a directive's relations, with the sample's
// values.
func TestExploreInABrowser(t *testing.T) {
	t.Parallel()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is needed: `make test` installs it (Debian's package)")
	}
	cfg := defaultConfig(t)
	st, err := gateway.Open(context.Background(), gateway.Config{URI: cfg.store.mongoURI, Database: cfg.store.database, Engine: storetest.Engine()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(t.Context(), st, calendar.Default()); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, cfg)

	var found struct{ Directive []struct{ ID string } }
	s.do(t, `{ directive(symbol: "468/QĐ-TTg") { id } }`, nil, &found)
	if len(found.Directive) != 1 {
		t.Fatalf("468/QĐ-TTg: %+v", found)
	}

	dom := func(fragment string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), browser, "--headless", "--no-sandbox", "--disable-gpu",
			"--user-data-dir="+t.TempDir(), "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
			"--virtual-time-budget=15000", "--dump-dom", s.url+"/explore#"+fragment)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium on %s: %v", fragment, err)
		}
		return string(out)
	}
	check := func(view, page string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(page, w) {
				t.Errorf("%s lacks %q\n%.3000s", view, w, page)
			}
		}
	}

	stats := dom("/stats?agency=000.00.06.H56&from=2021-01&to=2021-06")
	check("statistics", stats,
		`id="stats-chart"`, `class="uplot`, "Trung tâm Phục vụ hành chính công tỉnh — đúng hạn", // the chart, drawn
		`<th scope="row">2021-03</th>`, `<td class="num">5.570</td>`, `<td class="num">16,1 %</td>`, // March 2021 in the table
		"resolved.onTime", "/stats.csv?", "Xem truy vấn")

	reports := dom("/reports")
	check("reports", reports,
		"Quý I/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 12.058 hồ sơ", // the source quoted
		`data-code="PARTS_DO_NOT_ADD_UP"`, "Các phần không cộng đúng tổng",
		`<td class="num">12.058</td><td class="num">12.084</td>`, // published beside computed
		`<tr class="disagree">`)

	directive := dom("/directive?id=" + url.QueryEscape(found.Directive[0].ID))
	check("directive", directive,
		"Quyết định 468/QĐ-TTg", `data-kind="IMPLEMENTED_BY"`, "được triển khai bởi", "Kế hoạch 63/KH-UBND",
		"Ngày 9/4/2021, UBND tỉnh ban hành Kế hoạch số 63/KH-UBND") // the relation's sentence

	// "Xem truy vấn" opens its document in the playground.
	if i := strings.Index(directive, `href="/?query=`); i < 0 {
		t.Error("the directive's page has no link to its query in the playground")
	} else {
		raw := directive[i+len(`href="`):]
		raw = raw[:strings.IndexByte(raw, '"')]
		u, err := url.Parse(strings.ReplaceAll(raw, "&amp;", "&"))
		var vars map[string]any
		if err != nil || !strings.Contains(u.Query().Get("query"), "query Directive($id: ID!)") || json.Unmarshal([]byte(u.Query().Get("variables")), &vars) != nil || vars["id"] != found.Directive[0].ID {
			t.Errorf("the playground link %s does not carry the query and its variables", raw)
		}
	}
}
