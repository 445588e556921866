// Command gqlgen regenerates graph/ from schema.graphqls and gqlgen.yml: gqlgen's
// own generate, with the gqlinline plugin. Run it from the repository's root
// (make generate).
package main

import (
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/vnregistry/registry/internal/gqlinline"
)

// inlined are the object types whose resolvers only present what the record
// holds (a zero value as null, a symbol's parts, what a role may see): each
// step of a history, each part of a symbol, would otherwise take a goroutine
// per field.
var inlined = []string{"Step", "Symbol", "Provenance", "SourcePart", "Applicant", "Result"}

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err == nil {
		err = api.Generate(cfg, api.AddPlugin(gqlinline.Plugin{Objects: inlined}))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}
