package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/transfer"
)

const generateUsage = `Usage: registry generate [flags]

Generate deterministic synthetic data: a provincial centre, district and
commune desks, national-style procedures, and dossiers whose histories follow
the lifecycle and the holiday calendar. The same seed gives the same data.
Loads it into the store, or writes NDJSON with --out (importable with
registry import).

Flags (and the store flags of serve):
`

func generateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := toolFlags("generate", generateUsage, stderr)
	n := fs.Int("dossiers", 10000, "number of dossiers")
	seed := fs.Uint64("seed", 1, "random seed")
	from := fs.String("from", "2021-01-01", "first receipt date")
	to := fs.String("to", "2022-01-01", "receipts before this date; dossiers still open then stay open")
	out := fs.String("out", "", "write NDJSON to this file (- for standard output) instead of loading the store")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	start, err1 := calendar.ParseDate(*from)
	end, err2 := calendar.ParseDate(*to)
	if err1 != nil || err2 != nil || end <= start {
		fmt.Fprintln(stderr, "generate: --from and --to must be dates like 2021-01-01, --from first")
		return 2
	}
	cfg := generate.Config{Seed: *seed, Dossiers: *n, From: start.Time(), To: end.Time(), Now: end.Time(),
		Calendar: calendar.Default(), Source: fmt.Sprintf("generate seed=%d", *seed)}
	began := time.Now()
	var count int
	if *out != "" {
		count, err1 = generateNDJSON(cfg, *out, stdout)
	} else {
		log, st, closeStore, code := openTool(ctx, c, stderr)
		if st == nil {
			return code
		}
		defer closeStore()
		cfg.Calendar = st.Calendar()
		var sum transfer.Summary
		sum, err1 = generateInto(ctx, st, cfg, 1000, transfer.NewProgress(stderr, isTerminal(os.Stderr)).Update)
		count = sum.Lines
		if err1 == nil {
			fmt.Fprintln(stdout, sum)
			err1 = rebuildRollups(ctx, st, stdout)
		}
		if err1 != nil {
			log.Error("generate failed", "err", err1)
		}
	}
	if err1 != nil {
		fmt.Fprintln(stderr, "generate:", err1)
		return 1
	}
	took := time.Since(began)
	fmt.Fprintf(stdout, "%d records in %s (%.0f records/s)\n", count, took.Round(time.Millisecond), float64(count)/took.Seconds())
	return 0
}

// generateInto loads generated data through l. progress, when not nil,
// learns how many dossiers of cfg.Dossiers are done.
func generateInto(ctx context.Context, l transfer.Loader, cfg generate.Config, batch int, progress func(done, total int64, records int)) (transfer.Summary, error) {
	b := transfer.NewBatcher(l, batch)
	done := 0
	err := generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error {
		if _, ok := rec.(*registry.Dossier); ok {
			if done++; progress != nil && done%batch == 0 {
				progress(int64(done), int64(cfg.Dossiers), b.Sum.Lines)
			}
		}
		return b.Add(ctx, rec)
	})
	if err == nil {
		err = b.Flush(ctx)
	}
	if progress != nil {
		progress(int64(cfg.Dossiers), int64(cfg.Dossiers), b.Sum.Lines)
	}
	return b.Sum, err
}

func generateNDJSON(cfg generate.Config, path string, stdout io.Writer) (int, error) {
	w := stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		w = f
	}
	buf := bufio.NewWriterSize(w, 1<<16)
	count := 0
	err := generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error {
		tw, err := transfer.NewWriter(buf, transfer.NDJSON, transfer.KindOf(rec))
		if err != nil {
			return err
		}
		count++
		return tw.Write(rec)
	})
	if err != nil {
		return count, err
	}
	return count, buf.Flush()
}
