package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
)

// statsCommand runs `registry stats rebuild|verify`.
func statsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const usage = `Usage: registry stats rebuild|verify [flags]

  rebuild  recompute the statistics rollups from the dossiers
  verify   recompute them and list every difference from the stored rollups;
           exits 1 when there is any

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
	c, log, code := parseToolFlags("stats "+args[0], usage, args[1:], stderr)
	if c == nil {
		return code
	}
	st, closeStore, err := openStore(ctx, c, log, quietEngine(c, stderr), nil)
	if err != nil {
		log.Error("open store", "err", err)
		return 1
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
	if len(drift) > 0 {
		fmt.Fprintf(stdout, "%d differences between the rollups and the dossiers; `registry stats rebuild` repairs them\n", len(drift))
		return 1
	}
	fmt.Fprintln(stdout, "rollups agree with the dossiers")
	return 0
}

// parseToolFlags parses the store flags of a tool subcommand. A nil config
// means stop with the returned exit code (help or a bad flag).
func parseToolFlags(name, usage string, args []string, stderr io.Writer) (*storeConfig, *slog.Logger, int) {
	var c storeConfig
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, 0
		}
		return nil, nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, nil, 2
	}
	log, err := c.logger(stderr, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, nil, 2
	}
	return &c, log, 0
}

// quietEngine is the embedded engine's logger: FerretDB logs every refused
// command (the driver's endSessions, say) at warn level, so only its errors.
func quietEngine(c *storeConfig, stderr io.Writer) *slog.Logger {
	l, _ := c.logger(stderr, new(slog.LevelError))
	return l.With("component", "ferretdb")
}
