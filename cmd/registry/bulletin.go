package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
)

const importBulletinUsage = `Usage: registry import-bulletin [flags] FILE...

Read directives and statistics reports from Vietnamese news text files and
store those not yet in the registry, each with its source (the file name),
sentence and character offsets. Importing the same file again changes
nothing. Findings (figures that do not add up, an undetermined period, an
issuer the symbol contradicts) are printed and kept with the records.

Flags (and the store flags of serve):
`

func importBulletinCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, c := toolFlags("import-bulletin", importBulletinUsage, stderr)
	dryRun := fs.Bool("dry-run", false, "print what would be stored, store nothing")
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
	failed := 0
	for _, file := range fs.Args() {
		text, err := os.ReadFile(file)
		if err != nil {
			log.Error("read bulletin", "err", err)
			return 1
		}
		res, err := importBulletin(ctx, log, st, file, string(text), *dryRun)
		if err != nil {
			log.Error("import bulletin", "file", file, "err", err)
			failed++
			continue
		}
		for _, d := range res.Directives {
			fmt.Fprintf(stdout, "%s: directive %s issued %s%s\n", file, d.Directive.Symbol, orUnknown(string(d.Directive.IssuedOn)), stored(d.Created, *dryRun))
			if sg := d.Directive.Signer; sg.Name != "" {
				fmt.Fprintf(stdout, "  signed by %s %s\n", sg.Position, sg.Name)
			}
			for _, r := range d.Directive.Relations {
				fmt.Fprintf(stdout, "  %s (%s) %s\n", r.Kind, r.Kind.Label(), r.Symbol)
			}
			for _, f := range d.Directive.Findings {
				fmt.Fprintf(stdout, "  %s: %s\n", f.Code, f.Message)
			}
		}
		for _, r := range res.Reports {
			fmt.Fprintf(stdout, "%s: report %s, %s%s\n", file, orUnknown(r.Report.Period), orUnknown(r.Report.AgencyName), stored(r.Created, *dryRun))
			for _, f := range r.Report.Findings {
				fmt.Fprintf(stdout, "  %s: %s\n", f.Code, f.Message)
			}
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// importBulletin imports one file; a panic (a bug) fails that file only,
// logged with its stack, and the next file is read.
func importBulletin(ctx context.Context, log *slog.Logger, st *gateway.Registry, file, text string, dryRun bool) (_ *registry.BulletinImport, err error) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("panic importing a bulletin", "file", file, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error, a bug to report with the stack above: %v", v)
		}
	}()
	return st.ImportBulletin(ctx, filepath.Base(file), text, dryRun)
}

func orUnknown(s string) string {
	if s == "" {
		return "(not stated)"
	}
	return s
}

func stored(created, dryRun bool) string {
	switch {
	case dryRun:
		return ""
	case created:
		return " [stored]"
	}
	return " [already present]"
}
