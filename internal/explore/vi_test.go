package explore

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// vietnamese is assets/vi.json: the page's words for the API's codes, whose
// own messages are English.
type vietnamese struct {
	Findings        map[string]string
	Fields          map[string]string
	Measures        map[string]string
	RateDefinitions map[string]string
	Definitions     map[string]struct{ Label, Numerator, Denominator, Description string }
}

func readVietnamese(t *testing.T) vietnamese {
	t.Helper()
	data, err := fs.ReadFile(embedded, "assets/vi.json")
	if err != nil {
		t.Fatal(err)
	}
	var vi vietnamese
	if err := json.Unmarshal(data, &vi); err != nil {
		t.Fatalf("assets/vi.json: %v", err)
	}
	return vi
}

// declared is what the Go code under internal/ declares that the page
// shows: finding codes (constants and conversions of type FindingCode) and
// the fields findings name, each with the place it is declared.
type declared struct{ codes, fields map[string]string }

func declaredInCode(t *testing.T) declared {
	t.Helper()
	d := declared{codes: map[string]string{}, fields: map[string]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "node_modules" || e.Name() == "testdata") {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			d.note(fset, n)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (d declared) note(fset *token.FileSet, n ast.Node) {
	switch n := n.(type) {
	case *ast.ValueSpec:
		if isFindingCode(n.Type) {
			for _, v := range n.Values {
				if s, ok := stringLit(v); ok {
					d.codes[s] = fset.Position(v.Pos()).String()
				}
			}
		}
	case *ast.CallExpr:
		if s, ok := stringLit(firstArg(n)); ok && isFindingCode(n.Fun) {
			d.codes[s] = fset.Position(n.Pos()).String()
		}
	case *ast.CompositeLit:
		if !isNamed(n.Type, "Finding") {
			return
		}
		for _, e := range n.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok && isNamed(kv.Key, "Field") {
				if s, ok := stringLit(kv.Value); ok {
					d.fields[s] = fset.Position(kv.Pos()).String()
				}
			}
		}
	}
}

func firstArg(c *ast.CallExpr) ast.Expr {
	if len(c.Args) != 1 {
		return nil
	}
	return c.Args[0]
}

func isFindingCode(e ast.Expr) bool { return isNamed(e, "FindingCode") }

// isNamed: e is the identifier name, or pkg.name.
func isNamed(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == name
	case *ast.SelectorExpr:
		return e.Sel.Name == name
	}
	return false
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestEveryFindingHasVietnamese: every finding code the code declares, and
// every field a finding names, has its Vietnamese text, so /explore never
// shows a bare code or the API's English message.
func TestEveryFindingHasVietnamese(t *testing.T) {
	vi := readVietnamese(t)
	d := declaredInCode(t)
	if len(d.codes) < 20 || d.codes[string(registry.FindingPartsDoNotAddUp)] == "" {
		t.Fatalf("found %d finding codes under internal/, want every one (PARTS_DO_NOT_ADD_UP among them): %v", len(d.codes), d.codes)
	}
	for code, where := range d.codes {
		if strings.TrimSpace(vi.Findings[code]) == "" {
			t.Errorf("finding code %s (%s) has no Vietnamese text in assets/vi.json \"findings\"", code, where)
		}
	}
	for field, where := range d.fields {
		if strings.TrimSpace(vi.Fields[field]) == "" {
			t.Errorf("finding field %q (%s) has no Vietnamese name in assets/vi.json \"fields\"", field, where)
		}
	}
}

// TestEveryDefinitionHasVietnamese: every measure and rate definition the
// API lists (statDefinitions), every rate definition, and every figure a
// reconciliation compares has its Vietnamese text, part for part.
func TestEveryDefinitionHasVietnamese(t *testing.T) {
	vi := readVietnamese(t)
	for _, d := range stats.Definitions() {
		key := d.Name
		if d.Definition != "" {
			key += "/" + string(d.Definition)
		}
		v, ok := vi.Definitions[key]
		switch {
		case !ok || v.Label == "":
			t.Errorf("definition %s has no Vietnamese label in assets/vi.json \"definitions\"", key)
		case (d.Numerator != "") != (v.Numerator != ""), (d.Denominator != "") != (v.Denominator != ""), (d.Description != "") != (v.Description != ""):
			t.Errorf("definition %s: numerator, denominator and description %q, %q, %q; Vietnamese %q, %q, %q: want the same parts",
				key, d.Numerator, d.Denominator, d.Description, v.Numerator, v.Denominator, v.Description)
		}
	}
	for _, def := range []stats.Definition{stats.Provincial, stats.National766} {
		if vi.RateDefinitions[string(def)] == "" {
			t.Errorf("rate definition %s has no Vietnamese text in assets/vi.json \"rateDefinitions\"", def)
		}
	}
	n, f := 1, 0.5
	full := &registry.Report{Resolved: &n, Early: &n, OnTime: &n, Late: &n, EarlyRate: &f, OnTimeRate: &f, LateRate: &f}
	for _, fig := range stats.Reconcile(full, &stats.Measures{}).Figures {
		if vi.Measures[fig.Measure] == "" || vi.Fields[fig.Measure] == "" {
			t.Errorf("reconciled figure %s has no Vietnamese name in assets/vi.json \"measures\" and \"fields\"", fig.Measure)
		}
	}
}
