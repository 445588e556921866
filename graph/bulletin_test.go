package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/playground"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestBulletinRelationsAndQuarterThroughGraphQL: what the sample bulletin
// states is visible through GraphQL: a relation read from its text from
// both directives, and its quarterly report reconciled with the dossiers of
// the quarter's three months.
func TestBulletinRelationsAndQuarterThroughGraphQL(t *testing.T) {
	st := storetest.Memory(t, service.Config{})
	if _, err := demo.Seed(storetest.Context(t), st, calendar.Default()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(storetest.AsDeveloper(graph.WithLoaders(st, graph.NewHandler(&graph.Resolver{Registry: st, Feed: feed.New()}, graph.Options{}))))
	defer srv.Close()
	body, _ := json.Marshal(map[string]string{"query": `{
		plan: directive(symbol: "63/KH-UBND") { relations { kind symbol } provenance { excerpt } }
		decision: directive(symbol: "468/QĐ-TTg") { relations { kind excerpt directives { symbol { text } } } }
		quarter: reconciliation(agency: "000.00.06.H56", period: "2021-Q1") {
			computed { resolved { total } }
			comparisons { report { period periodType resolved findings { code } } }
		}
	}`})
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Plan []struct {
				Relations  []struct{ Kind, Symbol string }
				Provenance struct{ Excerpt string }
			}
			Decision []struct {
				Relations []struct {
					Kind, Excerpt string
					Directives    []struct{ Symbol struct{ Text string } }
				}
			}
			Quarter struct {
				Computed    struct{ Resolved struct{ Total int } }
				Comparisons []struct {
					Report struct {
						Period, PeriodType string
						Resolved           int
						Findings           []struct{ Code string }
					}
				}
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("decode: %v, errors %v", err, out.Errors)
	}
	d := out.Data
	if len(d.Plan) != 1 || len(d.Plan[0].Relations) != 1 || d.Plan[0].Relations[0] != (struct{ Kind, Symbol string }{"IMPLEMENTS", "468/QĐ-TTg"}) {
		t.Errorf("plan 63/KH-UBND: %+v, want one relation IMPLEMENTS 468/QĐ-TTg", d.Plan)
	}
	found := false
	for _, r := range d.Decision[0].Relations {
		found = found || r.Kind == "IMPLEMENTED_BY" && len(r.Directives) == 1 && r.Directives[0].Symbol.Text == "63/KH-UBND" &&
			strings.HasPrefix(r.Excerpt, "Ngày 9/4/2021, UBND tỉnh ban hành Kế hoạch số 63/KH-UBND triển khai")
	}
	if len(d.Decision) != 1 || !found {
		t.Errorf("decision 468/QĐ-TTg relations %+v, want IMPLEMENTED_BY 63/KH-UBND", d.Decision)
	}
	q := d.Quarter
	if q.Computed.Resolved.Total != 12084 || len(q.Comparisons) != 1 {
		t.Fatalf("quarter: %+v, want 12084 resolved from the dossiers and the one quarterly report", q)
	}
	r := q.Comparisons[0].Report
	if r.Period != "2021-Q1" || r.PeriodType != "QUARTER" || r.Resolved != 12058 || len(r.Findings) != 1 || r.Findings[0].Code != "PARTS_DO_NOT_ADD_UP" {
		t.Errorf("quarterly report %+v, want 2021-Q1 QUARTER, 12058 resolved, its parts 28 more", r)
	}
}

// TestPlaygroundTabsRunOnTheSample: every document the playground opens with
// answers on the sample data without errors, and every field it asks for at
// the root has something to show.
func TestPlaygroundTabsRunOnTheSample(t *testing.T) {
	st := storetest.Memory(t, service.Config{})
	if _, err := demo.Seed(storetest.Context(t), st, calendar.Default()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(storetest.AsDeveloper(graph.WithLoaders(st, graph.NewHandler(&graph.Resolver{Registry: st, Feed: feed.New()}, graph.Options{}))))
	defer srv.Close()
	for _, doc := range playground.Tabs {
		body, _ := json.Marshal(map[string]string{"query": doc})
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data   map[string]json.RawMessage
			Errors []any
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || len(out.Errors) > 0 || len(out.Data) == 0 {
			t.Errorf("%.60s: %v, errors %v", doc, err, out.Errors)
		}
		for field, v := range out.Data {
			if s := string(v); s == "null" || s == "[]" || strings.Contains(s, `"totalCount":0`) {
				t.Errorf("%.60s: %s is empty on the sample: %s", doc, field, s)
			}
		}
	}
}
