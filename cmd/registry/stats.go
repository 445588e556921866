package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vnregistry/registry/internal/memstore"
)

// statsCommand runs `registry stats rebuild|verify`.
func statsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = `Usage: registry stats rebuild|verify [flags]

  rebuild  recompute the statistics rollups from the dossiers
  verify   recompute them and list every difference from the stored rollups;
           exits 1 when there is any. The embedded store repairs them as it
           opens: verify then reports that repair, and exits 1 too

Flags (the same store flags as serve):
`
	if len(args) == 0 || (args[0] != "rebuild" && args[0] != "verify") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs, c := toolFlags("stats "+args[0], usage, stderr)
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	log, st, closeStore, code := openTool(ctx, c, stderr)
	if st == nil {
		return code
	}
	defer closeStore()
	if args[0] == "rebuild" {
		cells, err := st.RebuildRollups(ctx)
		if err != nil {
			log.Error("rebuild failed", "err", err)
			return 1
		}
		fmt.Fprintf(stdout, "rebuilt rollups: %d cells\n", cells)
		return 0
	}
	drift, err := st.VerifyRollups(ctx)
	if err != nil {
		log.Error("verify failed", "err", err)
		return 1
	}
	for _, d := range drift {
		fmt.Fprintln(stdout, d)
	}
	// Opening the store repaired what it found before VerifyRollups could
	// compare: that was drift all the same.
	if r := st.RollupsRepaired(); r != nil {
		printRepair(stdout, r, len(drift))
		if len(drift) == 0 {
			return 1
		}
	}
	if len(drift) > 0 {
		fmt.Fprintf(stdout, "%d differences between the rollups and the dossiers; `registry stats rebuild` repairs them\n", len(drift))
		return 1
	}
	fmt.Fprintln(stdout, "rollups agree with the dossiers")
	return 0
}

// printRepair says what opening the store repaired, and whether the stored
// rollups agree now (remaining differences are listed above it).
func printRepair(stdout io.Writer, r *memstore.RollupRepair, remaining int) {
	now := "the stored rollups now agree with the dossiers"
	if remaining > 0 {
		now = fmt.Sprintf("%d differences remain (above)", remaining)
	}
	first := ""
	if len(r.First) > 0 {
		first = ", first " + r.First[0].String()
	}
	fmt.Fprintf(stdout, "repaired at open (%s): %d documents, %d counters%s; %s\n",
		r.At.UTC().Format(time.RFC3339), r.Documents, r.Counters, first, now)
	for _, d := range r.First[min(1, len(r.First)):] {
		fmt.Fprintf(stdout, "  repaired too: %s\n", d)
	}
}

// quietEngine is the embedded engine's logger: FerretDB logs every refused
// command (the driver's endSessions, say) at warn level, so only its errors.
func quietEngine(c *storeConfig, stderr io.Writer) *slog.Logger {
	l, _ := c.logger(stderr, new(slog.LevelError))
	return l.With("component", "ferretdb")
}
