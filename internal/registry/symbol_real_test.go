package registry

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/realmaterial"
)

// realSymbols reads the symbols of one file of the real material: a
// listing's "symbol" of every row, or the documents' expected symbol and
// bases.
func realSymbols(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var row struct {
			Symbol string
			Expect struct {
				Symbol  string
				BasedOn []string `json:"based_on"`
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !strings.HasPrefix(filepath.Base(path), "documents") {
			out = append(out, row.Symbol)
			continue
		}
		if row.Expect.Symbol != "" {
			out = append(out, row.Expect.Symbol)
		}
		out = append(out, row.Expect.BasedOn...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRealSymbols reads every symbol of the real listings, and those the
// gazette documents state and cite: each non-empty one must parse. It logs
// how many were irregular, by finding.
func TestRealSymbols(t *testing.T) {
	for _, name := range []string{"symbols_sonla_congbao.ndjson", "symbols_binhduong_vbcddh.ndjson", "documents.ndjson"} {
		t.Run(strings.TrimSuffix(name, ".ndjson"), func(t *testing.T) {
			read, empty := 0, 0
			byCode := map[FindingCode]int{}
			examples := map[string]bool{}
			for _, s := range realSymbols(t, realmaterial.File(t, name)) {
				if strings.TrimSpace(s) == "" {
					empty++
					continue
				}
				read++
				_, findings, err := ReadSymbol(s)
				if err != nil {
					t.Errorf("%q refused: %v", s, err)
					continue
				}
				for _, f := range findings {
					byCode[f.Code]++
					examples[string(f.Code)+": "+f.Message] = true
				}
			}
			t.Logf("%d symbols read, %d empty", read, empty)
			for _, code := range []FindingCode{FindingSymbolCanonicalised, FindingSymbolKeptAsWritten, FindingPartyDocument} {
				t.Logf("%s: %d", code, byCode[code])
			}
			lines := make([]string, 0, len(examples))
			for e := range examples {
				lines = append(lines, e)
			}
			sort.Strings(lines)
			for _, e := range lines {
				if !strings.Contains(e, "look-alike") { // one line for each of the many Ð
					t.Log(e)
				}
			}
		})
	}
}
