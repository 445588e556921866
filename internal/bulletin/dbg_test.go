package bulletin
import ("testing";"fmt";"os";"path/filepath";"strings";"encoding/json")
func TestDbg(t *testing.T) {
	field := os.Getenv("FIELD")
	goldens, _ := filepath.Glob("testdata/corpus/*.golden.json")
	for _, gp := range goldens {
		base := strings.TrimSuffix(gp, ".golden.json")
		var g goldenFile
		raw, _ := os.ReadFile(gp); json.Unmarshal(raw, &g)
		src, err := os.ReadFile(base + ".txt")
		if err != nil { src, _ = os.ReadFile(base + ".html") }
		text := string(src)
		if IsHTML(text) { text = HTMLText(text) }
		x := Extract("x", text)
		got := map[string]record{}
		for _, d := range x.Directives { got[d.Symbol.String()] = directiveRecord(d) }
		for _, w := range g.Directives {
			wr := w.record(); gr := got[w.Symbol]
			if fmt.Sprint(wr[field]) != fmt.Sprint(gr[field]) {
				fmt.Printf("%s %s: want %v got %v\n", filepath.Base(base), w.Symbol, wr[field], gr[field])
				for _, l := range strings.Split(text, "\n") {
					sym := strings.SplitN(w.Symbol, "/", 2)[0] + "/"
					if strings.Contains(l, sym) { fmt.Println("   |", l) }
				}
			}
		}
	}
}
