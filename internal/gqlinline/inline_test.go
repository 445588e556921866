package gqlinline

import (
	"testing"

	"github.com/99designs/gqlgen/codegen"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestPluginInlinesOnlyTheNamedTypes(t *testing.T) {
	step := &codegen.Object{Definition: &ast.Definition{Name: "Step"}}
	dossier := &codegen.Object{Definition: &ast.Definition{Name: "Dossier"}}
	data := &codegen.Data{Objects: codegen.Objects{step, dossier}}
	if err := (Plugin{Objects: []string{"Step"}}).GenerateCode(data); err != nil {
		t.Fatal(err)
	}
	if !step.DisableConcurrency || dossier.DisableConcurrency {
		t.Errorf("Step inlined %v (want true), Dossier inlined %v (want false)", step.DisableConcurrency, dossier.DisableConcurrency)
	}
}

// A type renamed in the schema must not silently go back to a goroutine a field.
func TestPluginRefusesATypeTheSchemaLacks(t *testing.T) {
	data := &codegen.Data{Objects: codegen.Objects{{Definition: &ast.Definition{Name: "Step"}}}}
	if err := (Plugin{Objects: []string{"Stepp"}}).GenerateCode(data); err == nil {
		t.Fatal("an unknown type was accepted")
	}
}
