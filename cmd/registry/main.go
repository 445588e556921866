// Command registry runs the registry gateway and its tools. main only wires:
// each subcommand parses its flags and hands the work to internal packages.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vnregistry/registry/internal/auth"
)

const usage = `registry: a GraphQL gateway over Vietnam's administrative document registry.

Usage:
  registry <command> [flags]

Commands:
  serve    run the GraphQL server (embedded store unless --mongodb-uri is given)
  stats    rebuild or verify the statistics rollups
  import   load records from NDJSON or CSV files
  import-bulletin
           read directives and statistics reports from news text
  export   write records as NDJSON or CSV
  generate generate deterministic synthetic data
  keys     make an API key
  bench    measure the server on generated data (BENCHMARKS.md)

Run 'registry <command> --help' for a command's flags. Every flag has an
environment variable equivalent, named in its help.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] != "serve" {
		// A tool acts for the process itself, and says so: the store treats
		// a context without a principal as anonymous.
		ctx = auth.WithPrincipal(ctx, auth.System(args[0]))
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "stats":
		return statsCommand(ctx, args[1:], stdout, stderr)
	case "import":
		return importCommand(ctx, args[1:], stdout, stderr)
	case "import-bulletin":
		return importBulletinCommand(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCommand(ctx, args[1:], stdout, stderr)
	case "generate":
		return generateCommand(ctx, args[1:], stdout, stderr)
	case "keys":
		return keysCommand(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCommand(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "registry: unknown command %q\n\n%s", args[0], usage)
	return 2
}
