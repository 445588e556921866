package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/transfer"
)

const importUsage = `Usage: registry import [flags] FILE...

Load agencies, procedures, directives, reports and dossiers (with their
histories) from NDJSON files (one record per line, with its "kind") or CSV
files named for their kind (agencies.csv, dossiers-2021.csv). Every line is
validated with the registry's rules; a bad line is reported with its number
and reason and nothing of it is written; good lines go in, in batches.
Records already present are left as they are, so importing twice changes
nothing, and an interrupted import is resumed by running it again.

With --listing, every file is a gazette listing of directives instead, as
provincial gazettes and document portals publish them: NDJSON (an object a
line) or CSV (FILE.csv, a header naming the fields), a directive a row, with
the fields symbol, date (or date_raw, 19/05/2026), issuer (as written: "UBND
Tỉnh"), type, signer ("Phó Chủ tịch UBND Nguyễn Văn A": title, then name),
summary, status ("Đang hiệu lực"...), effective, expires, url, gazette_no,
attachment, row; Vietnamese column names are read too (so_ky_hieu,
ngay_ban_hanh, co_quan_ban_hanh, trich_yeu, tinh_trang...). The README's
"Gazette listings" gives the mapping.

Flags (and the store flags of serve):
`

func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := toolFlags("import", importUsage, stderr)
	batch := fs.Int("batch", 500, "records per batch")
	listing := fs.Bool("listing", false, "the files are gazette listings of directives (see above)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	log, st, closeStore, code := openTool(ctx, c, stderr)
	if st == nil {
		return code
	}
	defer closeStore()
	progress := transfer.NewProgress(stderr, isTerminal(os.Stderr))
	sum, err := transfer.Import(ctx, st, fs.Args(), transfer.Options{
		BatchSize: *batch, Calendar: st.Calendar(), Now: time.Now(), Listing: *listing,
		Refused: func(file string, line int, err error) {
			fmt.Fprintf(stdout, "%s:%d: %s\n", file, line, err)
			if pe, ok := errors.AsType[*transfer.PanicError](err); ok {
				log.Error("panic importing a line", "file", file, "line", line, "panic", pe.Value, "stack", string(pe.Stack))
			}
		},
		Progress: progress.Update,
	})
	fmt.Fprintln(stdout, sum)
	// Rebuilt even after a failure: what was stored before it must count.
	if sum.Inserted > 0 {
		if rerr := rebuildRollups(ctx, st, stdout); rerr != nil {
			log.Error("rebuild statistics", "err", rerr)
			return 1
		}
	}
	if err != nil {
		log.Error("import stopped", "err", err)
		return 1
	}
	if sum.Refused > 0 {
		return 1
	}
	return 0
}

const exportUsage = `Usage: registry export KIND [flags] > FILE

Write every record of KIND (agencies, procedures, directives, reports or
dossiers) matching the filters to standard output, as NDJSON (importable as
it is) or CSV. The filters are those of the GraphQL lists.

Flags (and the store flags of serve):
`

func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, exportUsage)
		return 2
	}
	kind, err := transfer.ParseKind(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 2
	}
	fs, c := toolFlags("export "+kind.Plural(), exportUsage, stderr)
	format := fs.String("format", "ndjson", "ndjson or csv")
	filters := exportFilters(fs, kind)
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	out := bufio.NewWriterSize(stdout, 1<<16)
	w, err := transfer.NewWriter(out, transfer.Format(*format), kind)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 2
	}
	log, st, closeStore, code := openTool(ctx, c, stderr)
	if st == nil {
		return code
	}
	defer closeStore()
	n := 0
	write := func(v any) error { n++; return w.Write(v) }
	if err := filters(ctx, st, write); err != nil {
		log.Error("export failed", "err", err)
		return 1
	}
	if err := w.Flush(); err == nil {
		err = out.Flush()
	}
	fmt.Fprintf(stderr, "exported %d %s\n", n, kind.Plural())
	return 0
}

// exportFilters registers KIND's filter flags and returns what streams the
// matching records.
func exportFilters(fs *envFlags, kind transfer.Kind) func(context.Context, *gateway.Registry, func(any) error) error {
	str := func(name, usage string) *string { return fs.String(name, "", usage) }
	opt := func(p *string) *string {
		if *p == "" {
			return nil
		}
		return p
	}
	switch kind {
	case transfer.Agency:
		level := str("level", "CENTRAL, PROVINCIAL, DISTRICT or COMMUNE")
		return func(ctx context.Context, st *gateway.Registry, w func(any) error) error {
			return st.EachAgency(ctx, registry.AgencyFilter{Level: (*registry.Level)(opt(level))}, func(a *registry.Agency) error { return w(a) })
		}
	case transfer.Procedure:
		agency, level, basis := str("agency", "implementing agency code"), str("level", "level"), str("legal-basis", "symbol of a directive cited")
		return func(ctx context.Context, st *gateway.Registry, w func(any) error) error {
			f := registry.ProcedureFilter{AgencyCode: opt(agency), Level: (*registry.Level)(opt(level)), LegalBasis: opt(basis)}
			return st.EachProcedure(ctx, f, func(p *registry.Procedure) error { return w(p) })
		}
	case transfer.Directive:
		search, typ, issuer := str("search", "words, without diacritics"), str("type", "type code (QĐ, QD...)"), str("issuer", "issuer code")
		validity, topic := str("validity", "validity"), str("topic", "topic")
		from, to := str("issued-from", "first date, 2021-01-01"), str("issued-to", "last date")
		year := fs.Int("year", 0, "year of issue")
		return func(ctx context.Context, st *gateway.Registry, w func(any) error) error {
			f := registry.DirectiveFilter{Search: opt(search), Type: opt(typ), IssuerCode: opt(issuer), Topic: opt(topic),
				Validity: (*registry.Validity)(opt(validity)), IssuedFrom: (*calendar.Date)(opt(from)), IssuedTo: (*calendar.Date)(opt(to))}
			if *year != 0 {
				f.Year = year
			}
			return st.EachDirective(ctx, f, func(d *registry.Directive) error { return w(d) })
		}
	case transfer.Report:
		period, agency := str("period", "month, 2021-03"), str("agency", "agency code")
		return func(ctx context.Context, st *gateway.Registry, w func(any) error) error {
			return st.EachReport(ctx, registry.ReportFilter{Period: opt(period), AgencyCode: opt(agency)}, func(r *registry.Report) error { return w(r) })
		}
	}
	agency, proc, status := str("agency", "agency code"), str("procedure", "procedure code"), str("status", "status")
	channel, outcome := str("channel", "IN_PERSON, ONLINE or POSTAL"), str("outcome", "EARLY, ON_TIME or LATE")
	rf, rt := str("received-from", "received at or after (RFC 3339)"), str("received-to", "received before (RFC 3339)")
	sf, stt := str("resolved-from", "resolved at or after (RFC 3339)"), str("resolved-to", "resolved before (RFC 3339)")
	overdue := str("overdue-as-of", "open and overdue on this date")
	return func(ctx context.Context, st *gateway.Registry, w func(any) error) error {
		f := registry.DossierFilter{AgencyCode: opt(agency), ProcedureCode: opt(proc), Status: (*registry.Status)(opt(status)),
			Channel: (*registry.Channel)(opt(channel)), Outcome: (*registry.Outcome)(opt(outcome)), OverdueAsOf: (*calendar.Date)(opt(overdue))}
		for _, t := range []struct {
			flag, value string
			dst         **time.Time
		}{{"received-from", *rf, &f.ReceivedFrom}, {"received-to", *rt, &f.ReceivedTo}, {"resolved-from", *sf, &f.ResolvedFrom}, {"resolved-to", *stt, &f.ResolvedTo}} {
			if t.value == "" {
				continue
			}
			v, err := time.Parse(time.RFC3339, t.value)
			if err != nil {
				return registry.Invalid(t.flag, "must be an RFC 3339 instant such as 2021-03-01T00:00:00+07:00")
			}
			*t.dst = &v
		}
		return st.EachDossier(ctx, f, func(d *registry.Dossier) error { return w(d) })
	}
}

// toolFlags is a flag set with the store flags.
func toolFlags(name, usage string, stderr io.Writer) (*envFlags, *storeConfig) {
	var c storeConfig
	fs := newFlagSet(name, stderr, usage)
	c.register(fs)
	return fs, &c
}

// parseFlags parses args and the environment; ok false means stop with
// code (help: 0).
func parseFlags(fs *envFlags, args []string) (code int, ok bool) {
	if err := fs.parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// openTool opens the store for a tool subcommand; a nil store means stop
// with the returned code.
func openTool(ctx context.Context, c *storeConfig, stderr io.Writer) (*slog.Logger, *gateway.Registry, func(), int) {
	log, err := c.logger(stderr, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, nil, nil, 2
	}
	st, closeStore, err := openStore(ctx, c, log, quietEngine(c, stderr), nil)
	if err != nil {
		log.Error("open store", "err", err)
		return nil, nil, nil, 1
	}
	return log, st, closeStore, 0
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// rebuildRollups recomputes the statistics after a bulk load (see store.Load).
func rebuildRollups(ctx context.Context, st *gateway.Registry, stdout io.Writer) error {
	began := time.Now()
	cells, err := st.RebuildRollups(ctx)
	if err == nil {
		fmt.Fprintf(stdout, "statistics rollups rebuilt: %d cells in %s\n", cells, time.Since(began).Round(time.Millisecond))
	}
	return err
}
