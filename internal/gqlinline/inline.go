// Package gqlinline is a gqlgen plugin that resolves the fields of chosen
// object types on their parent's goroutine.
//
// gqlgen runs every field that has a resolver in a goroutine of its own.
// That pays for itself when the resolver waits on I/O, and is pure overhead
// when it only turns a zero value into null: a dossier's history of ten steps,
// each with five such fields, started fifty goroutines a request, and their
// start-up, stack growth and garbage were most of the full dossier query's
// cost over the floor. gqlgen has no setting for this (99designs/gqlgen#4321
// proposes one), so the plugin sets the flag gqlgen itself sets for Mutation.
package gqlinline

import (
	"fmt"

	"github.com/99designs/gqlgen/codegen"
)

// Plugin inlines the resolvers of Objects. List only types whose resolvers
// never read a store or wait on a loader: an inlined wait is serial.
type Plugin struct{ Objects []string }

// Name implements plugin.Plugin.
func (Plugin) Name() string { return "gqlinline" }

// GenerateCode implements plugin.CodeGenerator: it runs after the schema is
// bound and before the executable code is written.
func (p Plugin) GenerateCode(data *codegen.Data) error {
	for _, name := range p.Objects {
		obj := data.Objects.ByName(name)
		if obj == nil {
			return fmt.Errorf("gqlinline: no object type %q in the schema", name)
		}
		obj.DisableConcurrency = true
	}
	return nil
}
