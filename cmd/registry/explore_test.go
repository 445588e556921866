package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os/exec"
	"regexp"
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
// the dossiers' figures, a directive's relations, its validity today and
// its effects as a timeline, and the procedures resting on dead law, with
// the sample's values.
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

	var found struct{ Directive, Land, Replacing []struct{ ID string } }
	s.do(t, `{ directive(symbol: "468/QĐ-TTg") { id } land: directive(symbol: "43/2014/NĐ-CP") { id }
		replacing: directive(symbol: "102/2024/NĐ-CP") { id } }`, nil, &found)
	if len(found.Directive) != 1 || len(found.Land) != 1 || len(found.Replacing) != 1 {
		t.Fatalf("468/QĐ-TTg, 43/2014/NĐ-CP, 102/2024/NĐ-CP: %+v", found)
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

	// The sample's land decree: amended from 3 March 2017, replaced from 1
	// August 2024 (the replacing decree was signed on 30 July).
	land := dom("/directive?id=" + url.QueryEscape(found.Land[0].ID))
	check("validity", land,
		`id="validity" data-state="REPLACED" data-source="DERIVED"`, "Hết hiệu lực do bị thay thế", "từ ngày 01/08/2024",
		"bị thay thế bởi ", "Nghị định 102/2024/NĐ-CP", "Suy ra từ ngày có hiệu lực",
		`<ol class="timeline" id="effects">`, "15/05/2014 — </strong>Ban hành", "01/07/2014 — </strong>Có hiệu lực",
		`data-kind="AMENDED_BY"`, "03/03/2017 — </strong>Được sửa đổi, bổ sung bởi ", "Nghị định 01/2017/NĐ-CP",
		`data-kind="REPLACED_BY"`, "01/08/2024 — </strong>Bị thay thế bởi ")
	if a, r := strings.Index(land, "03/03/2017 — </strong>"), strings.Index(land, "01/08/2024 — </strong>"); a < 0 || r < a {
		t.Error("the timeline is not in date order: the amendment (2017) before the replacement (2024)")
	}
	replacing := dom("/directive?id=" + url.QueryEscape(found.Replacing[0].ID))
	check("effects", replacing, `data-kind="REPLACES"`, "01/08/2024 — </strong>Thay thế ", "Nghị định 43/2014/NĐ-CP",
		`data-state="IN_FORCE"`, "Còn hiệu lực")

	check("directive list", dom("/directives"), `href="#/deadlaw" id="deadlaw-link"`)
	dead := dom("/deadlaw?on=2026-01-01")
	check("dead law", dead,
		// The sample's five land procedures cite the decree.
		`<p id="deadlaw-count">5 thủ tục có căn cứ pháp lý không còn hiệu lực ngày 01/01/2026</p>`,
		"Đăng ký, cấp giấy chứng nhận quyền sử dụng đất lần đầu (1.004203)", "Chuyển mục đích sử dụng đất của hộ gia đình, cá nhân (2.000889)",
		// The one-stop decree they also cite is not in the sample: unknown, not dead.
		`<tr data-state="UNKNOWN">`, "Chưa có trong cơ sở dữ liệu: không rõ hiệu lực",
		`<tr data-state="REPLACED">`, "Nghị định 43/2014/NĐ-CP", "<td>Hết hiệu lực do bị thay thế</td><td>01/08/2024</td>",
		"Bị thay thế bởi 102/2024/NĐ-CP")
	check("dead law the day before", dom("/deadlaw?on=2024-07-31"), "0 thủ tục có căn cứ pháp lý không còn hiệu lực ngày 31/07/2024")
	// Without a date, today in Vietnam.
	if today := dom("/deadlaw"); !regexp.MustCompile(`<input type="date" name="on" value="20\d\d-\d\d-\d\d"[^>]*><`).MatchString(today) ||
		!strings.Contains(today, "5 thủ tục có căn cứ pháp lý không còn hiệu lực ngày ") {
		t.Errorf("dead law today lacks the date chosen, or the five land procedures\n%.3000s", today)
	}

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
