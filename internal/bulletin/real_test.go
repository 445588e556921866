package bulletin

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/vnregistry/registry/internal/realmaterial"
	"github.com/vnregistry/registry/internal/registry"
)

// TestRealDocumentsReadWhole: each of the gazette's official documents in
// the real material is read by Extract as the one directive it is, not as
// news naming the documents it cites.
func TestRealDocumentsReadWhole(t *testing.T) {
	f, err := os.Open(realmaterial.File(t, "documents.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<20)
	n := 0
	for lines.Scan() {
		var doc struct {
			ID     string `json:"id"`
			Text   string `json:"text"`
			Expect struct {
				Symbol string `json:"symbol"`
			} `json:"expect"`
		}
		if err := json.Unmarshal(lines.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		n++
		want, err := registry.ParseSymbol(doc.Expect.Symbol)
		if err != nil {
			t.Fatalf("%s: expected symbol %q: %v", doc.ID, doc.Expect.Symbol, err)
		}
		x := Extract(doc.ID, doc.Text)
		if len(x.Directives) != 1 || x.Directives[0].Symbol.Key() != want.Key() {
			var got []string
			for _, d := range x.Directives {
				got = append(got, d.Symbol.String())
			}
			t.Errorf("%s: directives %v, want %s alone", doc.ID, got, doc.Expect.Symbol)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents read", n)
}
