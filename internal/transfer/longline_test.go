package transfer_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

// TestImportRefusesLongLine: a line over the limit (3 MB here, made by the
// test) is refused with its number and the rule, and the lines after it,
// NDJSON or CSV, are read and stored as usual.
func TestImportRefusesLongLine(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	dir := t.TempDir()
	ndjson := writeFile(t, filepath.Join(dir, "long.ndjson"), strings.Join([]string{
		`{"kind":"agency","code":"000.00.05.H56","name":"` + long + `","level":"PROVINCIAL"}`,
		line(t, agency(agencyA, "Sở Tư pháp", registry.LevelProvincial, "")),
	}, "\n")+"\n")
	csvFile := writeFile(t, filepath.Join(dir, "agencies.csv"), strings.Join([]string{
		"code,name,level,parent",
		"000.00.05.H56," + long + ",DISTRICT," + agencyA,
		agencyB + `,"UBND huyện Cam Lâm,DISTRICT,` + agencyA, // a quote left open before a long line
		`000.00.08.H56,"` + long + `",DISTRICT,` + agencyA,
		"000.00.11.H56,UBND huyện Vạn Ninh,DISTRICT," + agencyA,
	}, "\r\n")) // Windows line ends, and no line end at the end of the file
	st := storetest.Open(t)
	sum, got, err := run(t, st, 0, ndjson, csvFile)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	want := []struct {
		file string
		line int
		want string
	}{
		{ndjson, 1, "longer than 1048576 bytes"},
		{csvFile, 2, "longer than 1048576 bytes"},
		{csvFile, 3, "malformed CSV"},
		{csvFile, 4, "longer than 1048576 bytes"},
	}
	byLine(got)
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("%s:%d not refused, want %q", want[i].file, want[i].line, want[i].want)
		case i >= len(want):
			t.Errorf("unexpected refusal %s", got[i])
		case got[i].file != want[i].file || got[i].line != want[i].line || !strings.Contains(got[i].err.Error(), want[i].want):
			t.Errorf("refusal #%d: got %.200s\n want %s:%d: ...%s...", i+1, got[i], want[i].file, want[i].line, want[i].want)
		}
	}
	if want := (transfer.Summary{Lines: 6, Inserted: 2, Refused: 4}); sum != want {
		t.Errorf("summary: got %+v, want %+v", sum, want)
	}
	for _, code := range []string{agencyA, "000.00.11.H56"} {
		if a, err := st.Agency(storetest.Context(t), code); err != nil || a == nil {
			t.Errorf("agency %s after a long line: %v, %v; want it stored", code, a, err)
		}
	}
}
