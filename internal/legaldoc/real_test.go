package legaldoc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/realmaterial"
)

// realThreshold is the precision and recall each field must reach over the
// real documents (issue 21).
const realThreshold = 0.95

type realDoc struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Expect struct {
		Symbol  string   `json:"symbol"`
		Type    string   `json:"type"`
		Issuer  string   `json:"issuer"`
		Date    string   `json:"date"`
		BasedOn []string `json:"based_on"`
	} `json:"expect"`
}

// tally counts a field's answers: right, given but wrong or unexpected,
// expected but missed or wrong.
type tally struct{ tp, fp, fn int }

// one scores a single-valued field; "" is no answer.
func (c *tally) one(got, want string) bool {
	switch {
	case got != "" && got == want:
		c.tp++
		return true
	case got != "" && want != "":
		c.fp++
		c.fn++
	case got != "":
		c.fp++
	case want != "":
		c.fn++
	default:
		return true
	}
	return false
}

// set scores a many-valued field and returns what was missed and what was
// not expected.
func (c *tally) set(got, want []string) (missed, extra []string) {
	in := map[string]bool{}
	for _, g := range got {
		in[g] = true
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
		if in[w] {
			c.tp++
		} else {
			c.fn++
			missed = append(missed, w)
		}
	}
	for g := range in {
		if !wanted[g] {
			c.fp++
			extra = append(extra, g)
		}
	}
	return missed, extra
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (c tally) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c tally) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

// nameKey compares bodies and types by name: folded (case, diacritics),
// without spaces, every dash a hyphen.
func nameKey(s string) string { return SymbolKey(fold.String(s)) }

// TestRealDocuments reads the gazette texts in the shared real material and
// reports precision and recall per field. Symbols compare by SymbolKey
// (folded, no spaces), types and issuers by nameKey, dates as written
// YYYY-MM-DD; a document whose window holds no date must get none.
func TestRealDocuments(t *testing.T) {
	f, err := os.Open(realmaterial.File(t, "documents.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fields := []string{"symbol", "type", "date", "issuer", "based_on"}
	tallies := map[string]*tally{}
	for _, k := range fields {
		tallies[k] = &tally{}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		var rd realDoc
		if err := json.Unmarshal(sc.Bytes(), &rd); err != nil {
			t.Fatal(err)
		}
		n++
		for _, miss := range scoreReal(rd, tallies) {
			t.Logf("%s: %s", rd.ID, miss)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%d documents\n%-9s %9s %6s %4s %4s %4s\n", n, "field", "precision", "recall", "tp", "fp", "fn")
	for _, k := range fields {
		c := tallies[k]
		fmt.Fprintf(&table, "%-9s %9.3f %6.3f %4d %4d %4d\n", k, c.precision(), c.recall(), c.tp, c.fp, c.fn)
	}
	t.Log("\n" + table.String())
	for _, k := range fields {
		if c := tallies[k]; c.precision() < realThreshold || c.recall() < realThreshold {
			t.Errorf("%s: precision %.3f, recall %.3f; want both at least %.2f", k, c.precision(), c.recall(), realThreshold)
		}
	}
}

// scoreReal reads one document, adds its answers to the tallies and returns
// what it got wrong.
func scoreReal(rd realDoc, tallies map[string]*tally) []string {
	d, ok := Read(rd.Text)
	var out []string
	if !ok {
		out = append(out, "not read as an official document")
	}
	typ := d.TypeName
	if typ == "" {
		typ = d.Type.Value
	}
	for _, c := range []struct{ field, got, want string }{
		{"symbol", SymbolKey(d.Number.Value), SymbolKey(rd.Expect.Symbol)},
		{"type", nameKey(typ), nameKey(rd.Expect.Type)},
		{"date", string(d.Date.On), rd.Expect.Date},
		{"issuer", nameKey(d.Issuer.Value), nameKey(rd.Expect.Issuer)},
	} {
		if !tallies[c.field].one(c.got, c.want) {
			out = append(out, fmt.Sprintf("%s %q, want %q", c.field, c.got, c.want))
		}
	}
	got := make([]string, len(d.Bases))
	for i, b := range d.Bases {
		got[i] = b.Key()
	}
	want := make([]string, len(rd.Expect.BasedOn))
	for i, w := range rd.Expect.BasedOn {
		want[i] = SymbolKey(w)
	}
	if missed, extra := tallies["based_on"].set(got, want); len(missed)+len(extra) > 0 {
		out = append(out, fmt.Sprintf("based_on missed %q, not expected %q", missed, extra))
	}
	return out
}
