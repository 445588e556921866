package transfer_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
	"github.com/vnregistry/registry/internal/transfer"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	agencyA = "000.00.06.H56" // provincial department
	agencyB = "000.00.07.H56" // district, under agencyA
	procP   = "1.001612"      // 3 working days at agencyA
	daysP   = 3
)

var (
	cal = calendar.Default()
	// recorded is the provenance time of the fixtures: whole milliseconds,
	// as the engine keeps them.
	recorded = time.Date(2021, 5, 1, 3, 0, 0, 0, time.UTC)
	// importNow stamps records read without provenance.
	importNow = time.Date(2021, 6, 1, 3, 0, 0, 0, time.UTC)
)

func vn(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2021, month, day, hour, minute, 0, 0, calendar.Vietnam)
}

func fixtureProv() registry.Provenance {
	return registry.Provenance{Source: "fixture", Recorded: recorded}
}

// refusal is one call of Options.Refused.
type refusal struct {
	file string
	line int
	err  error
}

func (r refusal) String() string { return fmt.Sprintf("%s:%d: %v", r.file, r.line, r.err) }

// run imports files into st, collecting the refusals.
func run(t *testing.T, st *gateway.Registry, batch int, files ...string) (transfer.Summary, []refusal, error) {
	t.Helper()
	var got []refusal
	sum, err := transfer.Import(storetest.Context(t), st, files, transfer.Options{
		BatchSize: batch, Calendar: st.Calendar(), Now: importNow,
		Refused: func(file string, line int, err error) { got = append(got, refusal{file, line, err}) },
	})
	return sum, got, err
}

// byLine sorts each file's refusals (reported file after file) by line.
func byLine(rs []refusal) {
	for start := 0; start < len(rs); {
		end := start
		for end < len(rs) && rs[end].file == rs[start].file {
			end++
		}
		slices.SortStableFunc(rs[start:end], func(a, b refusal) int { return cmp.Compare(a.line, b.line) })
		start = end
	}
}

// mustImport imports files and fails the test on an error or a refusal.
func mustImport(t *testing.T, st *gateway.Registry, files ...string) transfer.Summary {
	t.Helper()
	sum, refused, err := run(t, st, 0, files...)
	if err != nil {
		t.Fatalf("import %v: %v", files, err)
	}
	for _, r := range refused {
		t.Errorf("refused %s", r)
	}
	if len(refused) > 0 {
		t.FailNow()
	}
	return sum
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// line is rec as one NDJSON line, as the exporter writes it.
func line(t *testing.T, rec any) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := transfer.NewWriter(&buf, transfer.NDJSON, transfer.KindOf(rec))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// export writes every record of st, kind by kind, in format f.
func export(t *testing.T, st *gateway.Registry, f transfer.Format) map[transfer.Kind][]byte {
	t.Helper()
	ctx := storetest.Context(t)
	out := map[transfer.Kind][]byte{}
	for _, k := range transfer.Kinds {
		var buf bytes.Buffer
		w, err := transfer.NewWriter(&buf, f, k)
		if err != nil {
			t.Fatal(err)
		}
		switch k {
		case transfer.Agency:
			err = st.EachAgency(ctx, registry.AgencyFilter{}, func(a *registry.Agency) error { return w.Write(a) })
		case transfer.Procedure:
			err = st.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error { return w.Write(p) })
		case transfer.Directive:
			err = st.EachDirective(ctx, registry.DirectiveFilter{}, func(d *registry.Directive) error { return w.Write(d) })
		case transfer.Report:
			err = st.EachReport(ctx, registry.ReportFilter{}, func(r *registry.Report) error { return w.Write(r) })
		case transfer.Dossier:
			err = st.EachDossier(ctx, registry.DossierFilter{}, func(d *registry.Dossier) error { return w.Write(d) })
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			t.Fatalf("export %s: %v", k.Plural(), err)
		}
		out[k] = buf.Bytes()
	}
	return out
}

// counts is the number of records of each kind in an NDJSON export.
func counts(exp map[transfer.Kind][]byte) map[transfer.Kind]int {
	out := map[transfer.Kind]int{}
	for k, b := range exp {
		out[k] = bytes.Count(b, []byte("\n"))
	}
	return out
}

// sameExport fails unless two NDJSON exports are byte-identical, showing the
// first line that differs in each kind.
func sameExport(t *testing.T, what string, got, want map[transfer.Kind][]byte) {
	t.Helper()
	for _, k := range transfer.Kinds {
		if bytes.Equal(got[k], want[k]) {
			continue
		}
		g, w := strings.Split(string(got[k]), "\n"), strings.Split(string(want[k]), "\n")
		for i := 0; i < max(len(g), len(w)); i++ {
			var gl, wl string
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Errorf("%s: %s differ (%d lines, want %d) first at line %d:\n got  %.600s\n want %.600s",
					what, k.Plural(), len(g)-1, len(w)-1, i+1, gl, wl)
				break
			}
		}
	}
}

// fixture records, all valid.

func agency(code, name string, level registry.Level, parent string) *registry.Agency {
	a, err := registry.NewAgency(registry.CreateAgencyInput{Code: code, Name: name, Level: level, ParentCode: &parent}, fixtureProv())
	if err != nil {
		panic(err)
	}
	return a
}

func procedure(code, agencyCode string) *registry.Procedure {
	p, err := registry.NewProcedure(registry.CreateProcedureInput{
		Code: code, Name: "Cấp bản sao trích lục hộ tịch", Level: registry.LevelProvincial, AgencyCode: agencyCode, ProcessingDays: daysP,
	}, fixtureProv())
	if err != nil {
		panic(err)
	}
	return p
}

func directive(symbol string, issued calendar.Date, summary string) *registry.Directive {
	d, err := registry.NewDirective(registry.CreateDirectiveInput{Symbol: symbol, IssuedOn: issued, Summary: &summary}, fixtureProv())
	if err != nil {
		panic(err)
	}
	return d
}

func report(period string, resolved, early, onTime int) *registry.Report {
	r, err := registry.NewReport(registry.Report{AgencyName: "Sở Tư pháp", Period: period, Resolved: &resolved, Early: &early, OnTime: &onTime},
		registry.Provenance{Source: "fixture", Excerpt: "Tháng " + period + ", Sở Tư pháp giải quyết hồ sơ.", Recorded: recorded})
	if err != nil {
		panic(err)
	}
	return r
}

// dossier is a dossier of procP received at agencyA at received, then
// transferred, resolved and returned an hour apart each.
func dossier(t *testing.T, seq int, received time.Time) *registry.Dossier {
	t.Helper()
	code := fmt.Sprintf("%s%04d", registry.DossierCodePrefix(agencyA, received), seq)
	d, err := registry.NewDossier(registry.ReceiveDossierInput{
		ProcedureCode: procP, AgencyCode: agencyA, Channel: registry.ChannelInPerson,
		Applicant: registry.ApplicantInput{Name: "Nguyễn Văn An"}, ReceivedAt: &received,
	}, registry.ActionReceive, code, &registry.Procedure{Code: procP, ProcessingDays: daysP}, cal, received, fixtureProv())
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	for i, in := range []registry.DossierStepInput{
		{Action: registry.ActionTransfer, ToUnit: new("Phòng Hộ tịch")},
		{Action: registry.ActionResolve, Approved: &yes},
		{Action: registry.ActionReturnResult},
	} {
		at := received.Add(time.Duration(i+1) * time.Hour)
		in.At = &at
		if err := d.Apply(in, cal, at); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// changed is a copy of d changed by mod, and given the code with seq.
func changed(t *testing.T, d *registry.Dossier, seq int, mod func(*registry.Dossier)) *registry.Dossier {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var c registry.Dossier
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c.Code = fmt.Sprintf("%s%04d", registry.DossierCodePrefix(agencyA, d.ReceivedAt), seq)
	mod(&c)
	return &c
}

// TestImportRefusesBadLines: each bad line is reported with its line number
// and a reason naming the field or rule; nothing of it is written; the good
// lines around it are loaded, in batches smaller than the file.
func TestImportRefusesBadLines(t *testing.T) {
	st := storetest.Open(t)
	ctx := storetest.Context(t)
	good := dossier(t, 1, vn(4, 20, 9, 30))
	good2 := dossier(t, 6, vn(4, 22, 8, 0))
	lines := []struct {
		text string
		want string // reason of the refusal; "" for a good line
	}{
		{line(t, agency(agencyA, "Sở Tư pháp", registry.LevelProvincial, "")), ""},
		{`{"kind":"agency","code":"000.00.08.H56"`, "not a JSON object"},
		{line(t, agency(agencyB, "UBND huyện Cam Lâm", registry.LevelDistrict, agencyA)), ""},
		{`{"code":"000.00.08.H56","name":"UBND huyện","level":"DISTRICT"}`, `no "kind"`},
		{line(t, procedure(procP, agencyA)), ""},
		{`{"kind":"agencie","code":"000.00.08.H56","name":"UBND huyện","level":"DISTRICT"}`, `unknown kind "agencie"`},
		{line(t, directive("468/QĐ-TTg", "2021-03-27", "Phê duyệt Đề án đổi mới việc thực hiện cơ chế một cửa")), ""},
		{`{"kind":"agency","code":"000.00.08.H56","name":"UBND huyện","levle":"DISTRICT"}`, `unknown field "levle"`},
		{line(t, directive("61/2018/NĐ-CP", "2018-04-23", "Về thực hiện cơ chế một cửa, một cửa liên thông")), ""},
		{`{"kind":"procedure","code":"1.001613","name":"Đăng ký khai sinh","level":"DISTRICT","agency":"000.00.06.H56","processingDays":"five"}`, "processingDays"},
		{line(t, report("2021-03", 10, 6, 4)), ""},
		{`{"kind":"agency","code":"H56","name":"UBND huyện","level":"DISTRICT"}`, "code: must be a unit id"},
		{"", ""}, // blank lines are skipped but counted
		{line(t, procedure("1.001614", "000.00.99.H56")), `agencyCode: no agency with code "000.00.99.H56"`},
		{line(t, good), ""},
		{`{"kind":"directive","symbol":"Quyết định năm ngoái","issuedOn":"2021-03-27"}`, "symbol"},
		{`{"kind":"directive","symbol":"107/2021/NĐ-CP","issuedOn":"2020-12-06"}`, "issuedOn: year 2020 disagrees with the year 2021"},
		{line(t, changed(t, good, 2, func(d *registry.Dossier) { d.History[1].Action = registry.ActionReturnResult })),
			"RETURN_RESULT is not allowed while the dossier is RECEIVED"},
		{line(t, changed(t, good, 3, func(d *registry.Dossier) { d.History[2].At = d.History[1].At.Add(-30 * time.Minute) })),
			"history[2].at: must not be before the previous step"},
		{line(t, changed(t, good, 4, func(d *registry.Dossier) { d.DueDate = "2021-05-10" })),
			`dueDate: is "2021-05-10" but the history gives "2021-04-26"`},
		{line(t, changed(t, good, 5, func(d *registry.Dossier) { d.ProcedureCode = "1.009999" })),
			`procedureCode: no procedure with code "1.009999"`},
		{line(t, good2), ""},
		{`{"kind":"report","agencyName":"Sở Tư pháp","period":"2021-13","resolved":5}`, "period: must be a month that exists"},
		{line(t, report("2021-04", 12, 8, 4)), ""},
	}
	var text strings.Builder
	var want []refusal
	path := filepath.Join(t.TempDir(), "mixed.ndjson")
	for i, l := range lines {
		text.WriteString(l.text + "\n")
		if l.want != "" {
			want = append(want, refusal{path, i + 1, fmt.Errorf("%s", l.want)})
		}
	}
	writeFile(t, path, text.String())

	sum, got, err := run(t, st, 3, path)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	// Lines refused at load are reported when their batch is loaded, after
	// later lines refused at decoding.
	byLine(got)
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("line %d not refused, want %q", want[i].line, want[i].err)
		case i >= len(want):
			t.Errorf("unexpected refusal %s", got[i])
		case got[i].file != want[i].file || got[i].line != want[i].line || !strings.Contains(got[i].err.Error(), want[i].err.Error()):
			t.Errorf("refusal #%d: got %s\n want %s:%d: ...%s...", i+1, got[i], want[i].file, want[i].line, want[i].err)
		}
	}
	if want := (transfer.Summary{Lines: 23, Inserted: 9, Refused: 14}); sum != want {
		t.Errorf("summary: got %+v, want %+v", sum, want)
	}
	if got, want := counts(export(t, st, transfer.NDJSON)), map[transfer.Kind]int{
		transfer.Agency: 2, transfer.Procedure: 1, transfer.Directive: 2, transfer.Report: 2, transfer.Dossier: 2,
	}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored: got %v, want %v", got, want)
	}
	for _, code := range []string{"1.001613", "1.001614"} {
		if p, err := st.Procedure(ctx, code); err != nil || p != nil {
			t.Errorf("procedure %s of a refused line: got %v, %v; want nothing stored", code, p, err)
		}
	}
	if a, err := st.Agency(ctx, "000.00.08.H56"); err != nil || a != nil {
		t.Errorf("agency 000.00.08.H56 of refused lines: got %v, %v; want nothing stored", a, err)
	}
	for seq := 1; seq <= 6; seq++ {
		code := fmt.Sprintf("%s%04d", registry.DossierCodePrefix(agencyA, good.ReceivedAt), seq)
		if seq == 6 {
			code = good2.Code
		}
		d, err := st.Dossier(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if stored := d != nil; stored != (seq == 1 || seq == 6) {
			t.Errorf("dossier %s: stored %v, want %v", code, stored, !stored)
		}
	}
	// A good line's record is the canonical one, with the import's
	// provenance when it had none, and its own otherwise.
	d, err := st.Dossier(ctx, good.Code)
	if err != nil || d == nil {
		t.Fatalf("dossier %s: %v, %v", good.Code, d, err)
	}
	if d.Provenance.Source != "fixture" || d.Status != registry.StatusResultReturned || d.Version != 4 || d.Outcome != registry.OutcomeEarly {
		t.Errorf("stored dossier: source %q status %s version %d outcome %s", d.Provenance.Source, d.Status, d.Version, d.Outcome)
	}
}

// TestImportRefusesBadCSV: a CSV file is one kind, named for it; a row with
// the wrong number of cells, an invalid value or a column no field has is
// refused with its physical line number; a file named for no kind is not read.
func TestImportRefusesBadCSV(t *testing.T) {
	st := storetest.Open(t)
	ctx := storetest.Context(t)
	dir := t.TempDir()
	agencies := writeFile(t, filepath.Join(dir, "agencies-2021.csv"), strings.Join([]string{
		"code,name,level,parent",
		agencyA + ",Sở Tư pháp,PROVINCIAL,",
		"000.00.07.H56,UBND huyện Cam Lâm,DISTRICT", // 3 cells
		`000.00.08.H56,"UBND huyện
Khánh Sơn, tỉnh Khánh Hòa",DISTRICT,` + agencyA, // a quoted cell over two lines
		"H56,UBND huyện,DISTRICT,",                        // invalid code
		"000.00.09.H56,UBND huyện,DISTRICT,000.00.98.H56", // parent missing: refused at load
		"000.00.10.H56,UBND huyện,DISTRIKT,",              // unknown level
		"000.00.11.H56,UBND huyện Vạn Ninh,DISTRICT," + agencyA,
	}, "\n")+"\n")
	procedures := writeFile(t, filepath.Join(dir, "procedures.csv"), strings.Join([]string{
		"code,name,level,agency,processingDays,legalBases",
		procP + `,Cấp bản sao,PROVINCIAL,` + agencyA + `,3,"[""61/2018/ND-CP""]"`,
		"1.001613,Đăng ký khai sinh,DISTRICT," + agencyA + ",five,",
		"1.001614,Đăng ký kết hôn,DISTRICT," + agencyA + ",5,",
	}, "\n")+"\n")
	typo := writeFile(t, filepath.Join(dir, "procedures-typo.csv"), strings.Join([]string{
		"code,name,level,agency,processingDay",
		"1.001615,Đăng ký khai tử,DISTRICT," + agencyA + ",5",
	}, "\n")+"\n")

	sum, got, err := run(t, st, 2, agencies, procedures, typo)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	byLine(got)
	want := []struct {
		file string
		line int
		want string
	}{
		{agencies, 3, "has 3 cells, the header 4"},
		{agencies, 6, "code: must be a unit id"},
		{agencies, 7, `parentCode: no agency with code "000.00.98.H56"`},
		{agencies, 8, "level"},
		{procedures, 3, "processingDays"},
		{typo, 2, `unknown field "processingDay"`},
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("%s:%d not refused, want %q", want[i].file, want[i].line, want[i].want)
		case i >= len(want):
			t.Errorf("unexpected refusal %s", got[i])
		case got[i].file != want[i].file || got[i].line != want[i].line || !strings.Contains(got[i].err.Error(), want[i].want):
			t.Errorf("refusal #%d: got %s\n want %s:%d: ...%s...", i+1, got[i], want[i].file, want[i].line, want[i].want)
		}
	}
	if want := (transfer.Summary{Lines: 11, Inserted: 5, Refused: 6}); sum != want {
		t.Errorf("summary: got %+v, want %+v", sum, want)
	}
	a, err := st.Agency(ctx, "000.00.08.H56")
	if err != nil || a == nil || a.Name != "UBND huyện\nKhánh Sơn, tỉnh Khánh Hòa" || a.ParentCode != agencyA {
		t.Errorf("agency from a two-line row: %+v, %v", a, err)
	}
	p, err := st.Procedure(ctx, procP)
	if err != nil || p == nil || p.ProcessingDays != 3 || fmt.Sprint(p.LegalBases) != "[61/2018/NĐ-CP]" {
		t.Errorf("procedure from CSV: %+v, %v", p, err)
	}
	if got := counts(export(t, st, transfer.NDJSON)); got[transfer.Agency] != 3 || got[transfer.Procedure] != 2 {
		t.Errorf("stored: got %v, want 3 agencies and 2 procedures", got)
	}

	t.Run("named for no kind", func(t *testing.T) {
		st := storetest.Open(t)
		things := writeFile(t, filepath.Join(t.TempDir(), "things.csv"), "code,name,level\n"+agencyA+",Sở Tư pháp,PROVINCIAL\n")
		sum, refused, err := run(t, st, 0, things)
		if err == nil || !strings.Contains(err.Error(), "things.csv") || !strings.Contains(err.Error(), "named for its kind") {
			t.Errorf("import of things.csv: got error %v, want one saying a CSV file is named for its kind", err)
		}
		if sum.Lines != 0 || sum.Inserted != 0 || len(refused) != 0 {
			t.Errorf("import of things.csv: %+v, refusals %v; want nothing read", sum, refused)
		}
		if n := counts(export(t, st, transfer.NDJSON))[transfer.Agency]; n != 0 {
			t.Errorf("%d agencies stored from things.csv", n)
		}
	})
}

// TestImportMalformedCSVRow: a row that is not CSV at all is a bad line like
// any other, whichever cell the stray quote is in.
func TestImportMalformedCSVRow(t *testing.T) {
	for _, tc := range []struct{ name, row string }{
		{"quote in the second cell", `000.00.07.H56,"UBND" huyện,DISTRICT,`},
		{"quote in the first cell", `"000.00.07.H56"x,UBND huyện,DISTRICT,`},
		// encoding/csv reads an unclosed quote on through the next line and
		// reports only this one: the next line was neither stored nor reported.
		{"unterminated quote", `000.00.07.H56,"UBND huyện,DISTRICT,`},
		{"unterminated quote in the first cell", `"000.00.07.H56,UBND huyện,DISTRICT,`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.Open(t)
			path := writeFile(t, filepath.Join(t.TempDir(), "agencies.csv"), strings.Join([]string{
				"code,name,level,parent",
				agencyA + ",Sở Tư pháp,PROVINCIAL,",
				tc.row,
				"000.00.11.H56,UBND huyện Vạn Ninh,DISTRICT," + agencyA,
			}, "\n")+"\n")
			var (
				sum     transfer.Summary
				refused []refusal
				err     error
			)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("BUG: transfer.Import panicked on a malformed CSV row (%s): %v\n"+
							"newCSVReader (read.go) calls cr.FieldPos(0) before checking the error of cr.Read; after a "+
							"csv.ParseError in a row's first field no field position is recorded, and FieldPos panics", tc.row, p)
					}
				}()
				sum, refused, err = run(t, st, 0, path)
			}()
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if len(refused) != 1 || refused[0].line != 3 || !strings.Contains(refused[0].err.Error(), "malformed CSV") {
				t.Errorf("refusals: %v, want line 3 as malformed CSV", refused)
			}
			if sum.Inserted != 2 {
				t.Errorf("summary %+v, want the 2 good rows stored", sum)
			}
		})
	}
}

// TestImportOutOfOrderHistoryNamesTheStep: a history whose last step is
// before an earlier one must be refused for that step, not for another.
func TestImportOutOfOrderHistoryNamesTheStep(t *testing.T) {
	st := storetest.Open(t)
	good := dossier(t, 1, vn(4, 20, 9, 30))
	// RETURN_RESULT (step 4) recorded half an hour before RESOLVE (step 3).
	bad := changed(t, good, 2, func(d *registry.Dossier) { d.History[3].At = d.History[2].At.Add(-30 * time.Minute) })
	path := writeFile(t, filepath.Join(t.TempDir(), "dossiers.ndjson"), strings.Join([]string{
		line(t, agency(agencyA, "Sở Tư pháp", registry.LevelProvincial, "")),
		line(t, procedure(procP, agencyA)),
		line(t, bad),
	}, "\n")+"\n")
	_, refused, err := run(t, st, 0, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 1 || refused[0].line != 3 {
		t.Fatalf("refusals %v, want line 3", refused)
	}
	if msg := refused[0].err.Error(); !strings.Contains(msg, "history[3].at") || !strings.Contains(msg, "before the previous step") {
		t.Errorf("BUG: the dossier whose step 4 (history[3]) is half an hour before step 3 is refused with %q; want the reason to name "+
			"history[3].at and the rule \"must not be before the previous step\". registry.Replay (replay.go) takes the last "+
			"step's time as the replay's clock, so an earlier step that is after the last one is reported as being in the future", msg)
	}
}

// sampleDataset loads generated agencies, procedures and dossiers, plus
// directives and reports read from a bulletin and entered by hand.
func sampleDataset(t *testing.T, st *gateway.Registry, dossiers int) {
	t.Helper()
	ctx := storetest.Context(t)
	from, to := calendar.Date("2021-01-01").Time(), calendar.Date("2021-04-01").Time()
	cfg := generate.Config{Seed: 3, Dossiers: dossiers, From: from, To: to, Now: to, Calendar: st.Calendar()}
	b := transfer.NewBatcher(st, 200)
	if err := generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error { return b.Add(ctx, rec) }); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("/work/shared/seeds/000_f9bf3ebd35c96490.txt")
	if err != nil {
		text, err = os.ReadFile("../bulletin/testdata/fixture.txt")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportBulletin(ctx, "Bản tin CCHC", string(text), false); err != nil {
		t.Fatal(err)
	}
	inForce, expired := registry.ValidityInForce, registry.ValidityExpired
	for _, in := range []registry.CreateDirectiveInput{
		{Symbol: "45/2020/ND-CP", IssuerName: new("Chính phủ"), IssuedOn: "2020-04-08", Summary: new("Về thực hiện thủ tục hành chính trên môi trường điện tử"),
			Signer: &registry.SignerInput{Position: new("Thủ tướng"), Name: new("Nguyễn Xuân Phúc")}, Validity: &inForce,
			EffectiveFrom: new(calendar.Date("2020-05-22")), Topics: []string{"một cửa", "dịch vụ công trực tuyến"}},
		{Symbol: "42/2022/NĐ-CP", IssuedOn: "2022-06-24", Summary: new(`Quy định "dịch vụ công" – cung cấp thông tin, 100% trực tuyến`), Validity: &inForce,
			Relations: []registry.RelationInput{{Kind: registry.RelAmends, Symbol: "45/2020/NĐ-CP", Article: new("Điều 1"), Part: new("khoản 3 Điều 6")},
				{Kind: registry.RelBasedOn, Symbol: "80/2015/QH13"}}},
		{Symbol: "03/2020/TT-VPCP", IssuerCode: new("VPCP"), IssuedOn: "2020-12-29", Validity: &expired, EffectiveTo: new(calendar.Date("2022-01-01")),
			Relations: []registry.RelationInput{{Kind: registry.RelGuides, Symbol: "45/2020/NĐ-CP"}}},
	} {
		if _, err := st.CreateDirective(ctx, in, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoundTrip: every kind exported as NDJSON imports into an empty store
// and exports again byte for byte; the CSV export imports to the same data.
func TestRoundTrip(t *testing.T) {
	a := storetest.Open(t)
	sampleDataset(t, a, 300)
	want := export(t, a, transfer.NDJSON)
	n := counts(want)
	if n[transfer.Agency] == 0 || n[transfer.Procedure] == 0 || n[transfer.Directive] < 4 || n[transfer.Report] < 3 || n[transfer.Dossier] != 300 {
		t.Fatalf("sample: %v", n)
	}
	dir := t.TempDir()
	var all bytes.Buffer
	for _, k := range transfer.Kinds {
		all.Write(want[k])
	}
	ndjson := writeFile(t, filepath.Join(dir, "all.ndjson"), all.String())
	var csvFiles []string
	for _, k := range transfer.Kinds {
		csvFiles = append(csvFiles, writeFile(t, filepath.Join(dir, k.Plural()+".csv"), string(export(t, a, transfer.CSV)[k])))
	}
	total := n[transfer.Agency] + n[transfer.Procedure] + n[transfer.Directive] + n[transfer.Report] + n[transfer.Dossier]

	t.Run("ndjson", func(t *testing.T) {
		b := storetest.Open(t)
		sum := mustImport(t, b, ndjson)
		if sum != (transfer.Summary{Lines: total, Inserted: total}) {
			t.Errorf("summary %+v, want %d stored", sum, total)
		}
		sameExport(t, "NDJSON export of the imported NDJSON export", export(t, b, transfer.NDJSON), want)
	})
	t.Run("csv", func(t *testing.T) {
		c := storetest.Open(t)
		sum := mustImport(t, c, csvFiles...)
		if sum != (transfer.Summary{Lines: total, Inserted: total}) {
			t.Errorf("summary %+v, want %d stored", sum, total)
		}
		sameExport(t, "NDJSON export of the imported CSV export", export(t, c, transfer.NDJSON), want)
		if again := mustImport(t, c, csvFiles...); again != (transfer.Summary{Lines: total, Existing: total}) {
			t.Errorf("CSV imported again: %+v, want all %d already present", again, total)
		}
	})
}

// TestImportIdempotent: importing the same files again stores nothing and
// changes nothing, even with another clock.
func TestImportIdempotent(t *testing.T) {
	src := storetest.Open(t)
	sampleDataset(t, src, 60)
	exp := export(t, src, transfer.NDJSON)
	dir := t.TempDir()
	var files []string
	total := 0
	for _, k := range transfer.Kinds {
		// Without provenance, so the import's own is stamped.
		var b strings.Builder
		for l := range strings.Lines(string(exp[k])) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			delete(m, "provenance")
			out, _ := json.Marshal(m)
			b.Write(append(out, '\n'))
			total++
		}
		files = append(files, writeFile(t, filepath.Join(dir, k.Plural()+".ndjson"), b.String()))
	}

	st := storetest.Open(t)
	first := mustImport(t, st, files...)
	if first != (transfer.Summary{Lines: total, Inserted: total}) {
		t.Errorf("first import: %+v, want %d stored", first, total)
	}
	before := export(t, st, transfer.NDJSON)
	if !bytes.Contains(before[transfer.Dossier], []byte(`"source":"import dossiers.ndjson:1"`)) {
		t.Errorf("imported dossiers do not carry the import's provenance")
	}
	var sum transfer.Summary
	var refused []refusal
	sum, err := transfer.Import(storetest.Context(t), st, files, transfer.Options{
		BatchSize: 7, Calendar: st.Calendar(), Now: importNow.Add(48 * time.Hour),
		Refused: func(file string, line int, err error) { refused = append(refused, refusal{file, line, err}) },
	})
	if err != nil || len(refused) > 0 {
		t.Fatalf("second import: %v, refusals %v", err, refused)
	}
	if sum != (transfer.Summary{Lines: total, Existing: total}) {
		t.Errorf("second import: %+v, want 0 stored, %d already present", sum, total)
	}
	sameExport(t, "export after the second import", export(t, st, transfer.NDJSON), before)
}

// TestImportResumes: an import cut short (as by a crash) is resumed by
// importing the whole file: the first lines are found, the rest stored, and
// the result is the one a single import gives.
func TestImportResumes(t *testing.T) {
	src := storetest.Open(t)
	sampleDataset(t, src, 60)
	exp := export(t, src, transfer.NDJSON)
	var all []string
	for _, k := range transfer.Kinds {
		all = append(all, strings.Split(strings.TrimSuffix(string(exp[k]), "\n"), "\n")...)
	}
	cut := len(all) / 2
	dir := t.TempDir()
	path := filepath.Join(dir, "registry.ndjson")

	st := storetest.Open(t)
	writeFile(t, path, strings.Join(all[:cut], "\n")+"\n")
	if sum := mustImport(t, st, path); sum != (transfer.Summary{Lines: cut, Inserted: cut}) {
		t.Errorf("partial import: %+v, want %d stored", sum, cut)
	}
	writeFile(t, path, strings.Join(all, "\n")+"\n")
	if sum := mustImport(t, st, path); sum != (transfer.Summary{Lines: len(all), Inserted: len(all) - cut, Existing: cut}) {
		t.Errorf("resumed import: %+v, want %d stored and %d already present", sum, len(all)-cut, cut)
	}
	sameExport(t, "export after the resumed import", export(t, st, transfer.NDJSON), exp)
}

// TestRoundTripDeskDueDate: a dossier received with a due date given at the
// desk (the store accepts one) must survive export and import: the README
// says "NDJSON exports import back as they are".
func TestRoundTripDeskDueDate(t *testing.T) {
	a := storetest.Open(t, func(c *gateway.Config) { c.Now = func() time.Time { return vn(5, 31, 10, 0) } })
	ctx := storetest.Context(t)
	if _, err := a.CreateAgency(ctx, registry.CreateAgencyInput{Code: agencyA, Name: "Sở Tư pháp", Level: registry.LevelProvincial}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateProcedure(ctx, registry.CreateProcedureInput{Code: procP, Name: "Cấp bản sao", Level: registry.LevelProvincial, AgencyCode: agencyA, ProcessingDays: daysP}, "test"); err != nil {
		t.Fatal(err)
	}
	at := vn(4, 20, 9, 30)
	d, err := a.ReceiveDossier(ctx, registry.ReceiveDossierInput{
		ProcedureCode: procP, AgencyCode: agencyA, Channel: registry.ChannelInPerson,
		Applicant: registry.ApplicantInput{Name: "Nguyễn Văn An"}, ReceivedAt: &at, DueDate: new(calendar.Date("2021-04-30")),
		DueDateReason: new("gia hạn"),
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if d.DueDate != "2021-04-30" {
		t.Fatalf("due date given at the desk: stored %s", d.DueDate)
	}
	want := export(t, a, transfer.NDJSON)
	var all bytes.Buffer
	for _, k := range transfer.Kinds {
		all.Write(want[k])
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "export.ndjson"), all.String())
	b := storetest.Open(t)
	_, refused, err := run(t, b, 0, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refused {
		t.Errorf("BUG: the export of a dossier received through the API with a due date given at the desk "+
			"(ReceiveDossierInput.DueDate) does not import back: %s. registry.Replay rebuilds the due date from "+
			"the history, which does not record the one given at the desk, and refuses the recorded one", r)
	}
	if len(refused) == 0 {
		sameExport(t, "re-export", export(t, b, transfer.NDJSON), want)
	}
}

// TestBatcher: generated records load in batches; a refusal is an error
// naming the kind.
func TestBatcher(t *testing.T) {
	st := storetest.Open(t)
	ctx := storetest.Context(t)
	b := transfer.NewBatcher(st, 2)
	for _, rec := range []any{
		agency(agencyA, "Sở Tư pháp", registry.LevelProvincial, ""),
		procedure(procP, agencyA),
		directive("468/QĐ-TTg", "2021-03-27", "Một cửa"),
	} {
		if err := b.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Sum != (transfer.Summary{Lines: 3, Inserted: 3}) {
		t.Errorf("summary %+v", b.Sum)
	}
	err := b.Add(ctx, procedure("1.001613", "000.00.99.H56"))
	if err == nil {
		err = b.Flush(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "procedure refused") || !strings.Contains(err.Error(), "000.00.99.H56") {
		t.Errorf("refused record: got %v, want an error naming the procedure and the missing agency", err)
	}
}

// TestImportSkipsByteOrderMark: a UTF-8 byte order mark at the start of an
// NDJSON or CSV file (spreadsheets and Windows editors write one) is no
// part of the first line: every line is stored (line 1 was refused, and
// every CSV row with it, for a header "\ufeffcode").
func TestImportSkipsByteOrderMark(t *testing.T) {
	st := storetest.Open(t)
	dir := t.TempDir()
	csvPath := writeFile(t, filepath.Join(dir, "agencies.csv"), "\ufeffcode,name,level,parent\n"+
		agencyA+",Sở Tư pháp,PROVINCIAL,\n000.00.11.H56,UBND huyện Vạn Ninh,DISTRICT,"+agencyA+"\n")
	ndjsonPath := writeFile(t, filepath.Join(dir, "more.ndjson"),
		"\ufeff"+`{"kind":"agency","code":"000.00.12.H56","name":"UBND huyện Cam Lâm","level":"DISTRICT","parent":"`+agencyA+`"}`+"\n")
	sum, refused, err := run(t, st, 0, csvPath, ndjsonPath)
	if err != nil || len(refused) > 0 || sum.Inserted != 3 {
		t.Errorf("import of files with a byte order mark: %+v, refused %v, %v; want 3 stored", sum, refused, err)
	}
}

// panickyStore stores through the real store but panics on a batch holding
// the agency with code bad, as a bug in storing one record would.
type panickyStore struct {
	*gateway.Registry
	bad string
}

func (p panickyStore) Load(ctx context.Context, records []any) ([]bool, []error, error) {
	for _, r := range records {
		if a, ok := r.(*registry.Agency); ok && a.Code == p.bad {
			panic("storing " + a.Code)
		}
	}
	return p.Registry.Load(ctx, records)
}

// TestImportPanicRefusesOneLine: a panic while storing a record refuses its
// line, as a bug to report, and the lines around it, in the same batch, are
// stored; the import goes on to the end.
func TestImportPanicRefusesOneLine(t *testing.T) {
	st := storetest.Open(t)
	const bad = "000.00.09.H56"
	path := writeFile(t, filepath.Join(t.TempDir(), "agencies.ndjson"), strings.Join([]string{
		line(t, agency(agencyA, "Sở Tư pháp", registry.LevelProvincial, "")),
		line(t, agency(bad, "UBND huyện Diên Khánh", registry.LevelDistrict, agencyA)),
		line(t, agency("000.00.11.H56", "UBND huyện Vạn Ninh", registry.LevelDistrict, agencyA)),
	}, "\n")+"\n")
	var refused []refusal
	sum, err := transfer.Import(storetest.Context(t), panickyStore{st, bad}, []string{path}, transfer.Options{
		Calendar: st.Calendar(), Now: importNow,
		Refused: func(file string, line int, err error) { refused = append(refused, refusal{file, line, err}) },
	})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var pe *transfer.PanicError
	if len(refused) != 1 || refused[0].line != 2 || !errors.As(refused[0].err, &pe) || pe.Value != "storing "+bad || len(pe.Stack) == 0 {
		t.Errorf("refusals %v, want line 2 refused for the panic, with its stack", refused)
	}
	if sum != (transfer.Summary{Lines: 3, Inserted: 2, Refused: 1}) {
		t.Errorf("summary %+v, want the 2 other lines stored", sum)
	}
	for _, code := range []string{agencyA, "000.00.11.H56"} {
		if a, err := st.Agency(storetest.Context(t), code); err != nil || a == nil {
			t.Errorf("agency %s: %v, %v; want it stored", code, a, err)
		}
	}
}
