package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/vnregistry/registry/internal/bulletin"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
)

const importBulletinUsage = `Usage: registry import-bulletin [flags] FILE...

Read directives and statistics reports from Vietnamese news text files and
store those not yet in the registry, each with its source (the file name),
sentence and character offsets. Importing the same file again changes
nothing. Findings (figures that do not add up, an undetermined period, an
issuer the symbol contradicts) are printed and kept with the records.

A file is plain text (a PDF's extracted text included), an HTML page, or a
Word document (DOCX), told apart by its content whatever its name. An
official document in any of them is read as the one directive it is.
DOCX is read here only: the importBulletin mutation takes text and HTML.

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
		data, err := os.ReadFile(file)
		if err != nil {
			log.Error("read bulletin", "err", err)
			return 1
		}
		text, err := bulletinText(file, data)
		if err != nil {
			log.Error("read bulletin", "file", file, "err", err)
			failed++
			continue
		}
		res, err := importBulletin(ctx, log, st, file, text, *dryRun)
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

// bulletinText is a file's text, its format told by its content: a DOCX
// (a zip archive) as DOCXText reads it; an HTML page in UTF-8, whatever
// charset it was saved in; text as it is. A PDF or a Word 97-2003 file is
// refused saying what to send instead: read as text, its bytes would be
// stored as what it says.
func bulletinText(file string, data []byte) (string, error) {
	switch {
	case bulletin.IsZip(data):
		return bulletin.DOCXText(data)
	case strings.EqualFold(filepath.Ext(file), ".docx"):
		return "", registry.Invalid("file", "is named .docx but is not a zip archive, as every DOCX is")
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "", registry.Invalid("file", "is a PDF, whose text is not read here: extract it first (pdftotext -layout) and import the text")
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "", registry.Invalid("file", "is a Word 97-2003 document (.doc) or another file of Office before 2007, which is not read: save it as DOCX")
	case bulletin.IsHTML(string(data)):
		return bulletin.HTMLBytes(data), nil
	}
	return string(data), nil
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
