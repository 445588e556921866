package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vnregistry/registry/internal/auth"
)

const keysUsage = `Usage: registry keys new --name NAME --role ROLE [--agency UNIT]

Make an API key. The secret is printed once, for the caller to keep; the
entry, which holds only its SHA-256, goes into the key file given to
registry serve --keys ({"keys": [entry, ...]}).

Roles: CLERK (needs --agency), EDITOR, AUDITOR, ADMIN.

Flags:
`

func keysCommand(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "new" {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	fs := newFlagSet("keys new", stderr, keysUsage)
	name := fs.String("name", "", "who holds the key, as the audit log will name them")
	role := fs.String("role", "", "CLERK, EDITOR, AUDITOR or ADMIN")
	agency := fs.String("agency", "", "the unit id a CLERK works for, e.g. 000.00.06.H56")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	secret, entry, err := auth.NewKey(*name, auth.Role(*role), *agency)
	if err != nil {
		fmt.Fprintln(stderr, "keys new:", err)
		return 2
	}
	line, _ := json.Marshal(entry)
	fmt.Fprintf(stdout, "secret (give it to %s; it is not stored anywhere): %s\nentry for the key file: %s\n", *name, secret, line)
	return 0
}
