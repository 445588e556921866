package server

import (
	"bytes"
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// StatsSource answers statistics queries.
type StatsSource interface {
	DossierStats(ctx context.Context, q stats.Query) (stats.Result, error)
	// Today is the date by the store's clock, the default asOf.
	Today() calendar.Date
}

// statsCSV serves GET /stats.csv: the same figures as the dossierStats query,
// for spreadsheets. Parameters mirror the GraphQL arguments:
// from, to (months), groupBy (comma-separated dimensions), agency, procedure,
// field, level, channel (comma-separated lists), asOf (date), definition.
func statsCSV(src StatsSource, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, def, err := parseStatsQuery(r.URL.Query(), src.Today())
		if err == nil {
			var res stats.Result
			if res, err = src.DossierStats(r.Context(), q); err == nil {
				var buf bytes.Buffer
				if err = stats.WriteCSV(&buf, res, def); err == nil {
					w.Header().Set("Content-Type", "text/csv; charset=utf-8")
					w.Header().Set("Content-Disposition", `attachment; filename="dossier-stats-`+q.From+`-`+q.To+`.csv"`)
					_, _ = w.Write(buf.Bytes())
					return
				}
			}
		}
		writeCatalogueError(w, r, log, err)
	}
}

func parseStatsQuery(v url.Values, today calendar.Date) (stats.Query, stats.Definition, error) {
	list := func(name string) []string {
		var out []string
		for _, s := range strings.Split(v.Get(name), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	q := stats.Query{
		From: v.Get("from"), To: v.Get("to"), AsOf: today,
		Agencies: list("agency"), Procedures: list("procedure"), Fields: list("field"),
		Stocks: true, Durations: true,
	}
	for _, d := range list("groupBy") {
		q.GroupBy = append(q.GroupBy, stats.Dimension(strings.ToUpper(d)))
	}
	for _, l := range list("level") {
		if !registry.Level(l).Valid() {
			return q, "", registry.Invalid("level", "unknown level %q", l)
		}
		q.Levels = append(q.Levels, registry.Level(l))
	}
	for _, c := range list("channel") {
		if !registry.Channel(c).Valid() {
			return q, "", registry.Invalid("channel", "unknown channel %q", c)
		}
		q.Channels = append(q.Channels, registry.Channel(c))
	}
	if s := v.Get("asOf"); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return q, "", registry.Invalid("asOf", "%v", err)
		}
		q.AsOf = d
	}
	def := stats.Definition(cmp.Or(v.Get("definition"), string(stats.Provincial)))
	if !def.Valid() {
		return q, "", registry.Invalid("definition", "must be PROVINCIAL or NATIONAL_766")
	}
	return q, def, nil
}
