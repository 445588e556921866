package bulletin

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestNoSymbolFromOutside: no document named only by a page's furniture
// (menus, tickers, boxes of new or related documents, sidebars, the
// portal's licence in its footer) is imported. The golden file of a page
// names every document its article mentions, cited ones included, and
// nothing else (FORMAT.md): so every symbol read from a saved page, as a
// directive or as the target of a relation, must be one its golden file
// names. A symbol outside that list is either read from outside the
// article or read wrongly from inside it, and both are failures here, so
// the test can fail and does not depend on which block the reader chose.
// It runs over every saved page of the corpus and of the held-out part,
// asserting only (the held-out pages are not looked at to tune the
// reader). That the pages do name documents outside their articles is
// checked too: read whole, the corpus's pages must yield some.
func TestNoSymbolFromOutside(t *testing.T) {
	outside := 0
	for _, dir := range []string{"testdata/corpus", "testdata/heldout"} {
		pages, _ := filepath.Glob(dir + "/*.html")
		for _, path := range pages {
			base := strings.TrimSuffix(path, ".html")
			t.Run(filepath.Base(dir)+"/"+filepath.Base(base), func(t *testing.T) {
				named := goldenSymbols(t, base+".golden.json")
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				page := HTMLBytes(raw)
				text, err := HTMLText(page)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range Extract("page", text).Directives {
					if !named[d.Symbol.String()] {
						t.Errorf("imports %s, which the article does not name (sentence %q)", d.Symbol, d.Sentence)
					}
					for _, r := range d.Relations {
						if !named[r.Symbol] {
							t.Errorf("relates %s to %s, which the article does not name", d.Symbol, r.Symbol)
						}
					}
				}
				if dir == "testdata/corpus" {
					for _, d := range Extract("page", wholePageText(t, page)).Directives {
						if !named[d.Symbol.String()] {
							outside++
						}
					}
				}
			})
		}
	}
	if outside == 0 {
		t.Error("read whole, no corpus page names a document outside its article: the test above proves nothing")
	}
	t.Logf("read whole, the corpus's saved pages name %d documents outside their articles", outside)
}

// goldenSymbols are the symbols a golden file names: its directives and
// the targets of their relations.
func goldenSymbols(t *testing.T, path string) map[string]bool {
	t.Helper()
	var g goldenFile
	raw, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(raw, &g)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	named := map[string]bool{}
	for _, d := range g.Directives {
		named[d.Symbol] = true
		for _, r := range d.Relations {
			named[r.Symbol] = true
		}
	}
	return named
}

// wholePageText is every text a page shows, one block a line, furniture
// and all: what a reader that did not look for the article would read.
func wholePageText(t *testing.T, page string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Head) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(strings.Join(strings.Fields(n.Data), " ") + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if n.Type == html.ElementNode && (blocks[n.DataAtom] || n.DataAtom == atom.Td) {
			b.WriteString("\n")
		}
	}
	rec(doc)
	return b.String()
}
