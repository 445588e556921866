package service_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/historytest"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// agreeData is what the seeded database holds, plus values it holds
// nowhere and a few it refuses: what random filters are drawn from.
type agreeData struct {
	agencies, procedures, bases, words, issuers, topics, periods []string
	years                                                        []int
	dates                                                        []calendar.Date
	times                                                        []time.Time
}

var (
	agreeLevels     = []registry.Level{registry.LevelCentral, registry.LevelProvincial, registry.LevelDistrict, registry.LevelCommune, "NOWHERE"}
	agreeValidities = []registry.Validity{registry.ValidityUnknown, registry.ValidityInForce, registry.ValidityPartiallyExpired,
		registry.ValidityExpired, registry.ValidityNotYetInForce, registry.ValiditySuspended}
	agreeChannels = []registry.Channel{registry.ChannelInPerson, registry.ChannelOnline, registry.ChannelPostal}
)

// pick is one of vs one time in odds, else nil.
func pick[T any](r *rand.Rand, odds int, vs ...T) *T {
	if r.IntN(odds) != 0 {
		return nil
	}
	return new(vs[r.IntN(len(vs))])
}

// some is a random part of vs.
func some[T any](r *rand.Rand, vs ...T) []T {
	return slices.DeleteFunc(slices.Clone(vs), func(T) bool { return r.IntN(3) > 0 })
}

// agreeRecords stores agencies and procedures through s.
func agreeRecords(t *testing.T, s *gateway.Registry, r *rand.Rand, data *agreeData) []*registry.Procedure {
	ctx := storetest.Context(t)
	for i := range 6 {
		in := registry.CreateAgencyInput{Code: fmt.Sprintf("000.00.%02d.H56", 10+i), Name: "Cơ quan " + strconv.Itoa(i), Level: agreeLevels[r.IntN(4)]}
		if i > 0 && r.IntN(2) == 0 {
			in.ParentCode = new(data.agencies[r.IntN(i)])
		}
		data.agencies = append(data.agencies, must(s.CreateAgency(ctx, in, source))(t).Code)
	}
	var procs []*registry.Procedure
	for i := range 9 {
		p := must(s.CreateProcedure(ctx, registry.CreateProcedureInput{Code: fmt.Sprintf("1.%06d", 1000+i), Name: "Thủ tục " + strconv.Itoa(i),
			Level: agreeLevels[r.IntN(4)], AgencyCode: data.agencies[r.IntN(6)], ProcessingDays: 1 + r.IntN(15),
			LegalBases: some(r, "61/2018/NĐ-CP", "468/QĐ-TTg", "107/2021/NĐ-CP", "01/2018/TT-VPCP")}, source))(t)
		procs, data.procedures = append(procs, p), append(data.procedures, p.Code)
	}
	// Also an ASCII spelling, symbols cited nowhere, one that is no symbol;
	// codes of nothing, and empty ones.
	data.bases = []string{"61/2018/NĐ-CP", "468/QĐ-TTg", "107/2021/NĐ-CP", "01/2018/TT-VPCP", "61/2018/ND-CP", "80/2015/QH13", "468"}
	data.agencies = append(data.agencies, "999.99.99.Z99", "")
	data.procedures = append(data.procedures, "9.999999", "")
	return procs
}

// agreeDocuments are directives and reports as records to load: dates from
// a small pool (ties), some without a date, issuers spelled two ways.
func agreeDocuments(t *testing.T, r *rand.Rand, data *agreeData) []any {
	kinds := []string{"QĐ-UBND", "CT-TTg", "KH-UBND", "TB-VPCP", "UBND-VX", "NĐ-CP", "TT-BTP"}
	data.words = []string{"quy định", "thủ tục", "hộ tịch", "đất đai", "cải cách", "hành chính", "kế hoạch", "phòng chống", "dịch bệnh"}
	data.topics = []string{"Hộ tịch", "Đất đai", "Y tế", "Giáo dục"}
	data.issuers = []string{"UBND tỉnh Hà Nam", "UBND tinh Ha Nam", "UBND tỉnh Bình Định"}
	for range 15 {
		data.dates = append(data.dates, calendar.Date(fmt.Sprintf("%d-%02d-%02d", 2018+r.IntN(5), 1+r.IntN(12), 1+r.IntN(28))))
	}
	var recs []any
	for i := range 50 {
		issued := data.dates[r.IntN(len(data.dates))]
		year := issued.Year()
		if r.IntN(6) == 0 {
			issued, year = "", 2018+r.IntN(5)
		}
		kind := kinds[r.IntN(len(kinds))]
		symbol := fmt.Sprintf("%d/%s", i+1, kind)
		if kind == "NĐ-CP" || kind == "TT-BTP" { // normative: the symbol has the year
			symbol = fmt.Sprintf("%d/%d/%s", i+1, year, kind)
		}
		in := registry.CreateDirectiveInput{Symbol: symbol, IssuedOn: issued,
			IssuerCode: pick(r, 3, data.issuers...), Validity: pick(r, 2, agreeValidities...),
			Summary: new(strings.Join(some(r, data.words...), " ")), Topics: some(r, data.topics...),
			EffectiveFrom: pick(r, 3, data.dates...), EffectiveTo: pick(r, 4, data.dates...),
			Relations: agreeEffects(r, recs)}
		if in.EffectiveFrom != nil && in.EffectiveTo != nil && *in.EffectiveTo < *in.EffectiveFrom {
			in.EffectiveFrom, in.EffectiveTo = in.EffectiveTo, in.EffectiveFrom
		}
		// A stated validity speaks from the day it was recorded.
		prov := registry.Provenance{Source: source, Recorded: data.dates[r.IntN(len(data.dates))].Time().Add(9 * time.Hour)}
		d, err := registry.NewDirective(in, prov)
		if err != nil {
			t.Fatalf("directive %s: %v", symbol, err)
		}
		recs = append(recs, d)
	}
	data.words = append(data.words, "HO TICH", "qđ-ubnd", "ubnd", "1", "12/", "tỉnh hà", "zzz", "", "   ", strings.Repeat("a", 201))
	data.issuers = append(data.issuers, "ubnd tinh ha nam", "TTg", "VPCP", "CP", "UBND", "BTP", "Bộ Ngoại giao")
	data.years = []int{0, 2018, 2019, 2020, 2021, 2022, 1999}
	data.dates = append(data.dates, "2017-01-01", "2020-06-15", "2023-12-31")
	data.periods = []string{"2021-03", "2021-04", "2021-Q1", "2021-H1", "2021", "", "2030-01"}
	for i := range 25 {
		rep := registry.Report{AgencyName: []string{"Sở Tư pháp", "UBND huyện", "Trung tâm"}[r.IntN(3)],
			Period: data.periods[r.IntN(len(data.periods)-1)], Resolved: new(r.IntN(100))}
		if r.IntN(3) > 0 {
			rep.AgencyCode = data.agencies[r.IntN(6)]
		}
		recs = append(recs, must(registry.NewReport(rep, registry.Provenance{Source: source, Excerpt: "câu " + strconv.Itoa(i)}))(t))
	}
	return recs
}

// agreeEffects are, one time in three, a relation that changes one of the
// directives made before (the inForceOn filter leaves out what such
// relations ended), whole or in part.
func agreeEffects(r *rand.Rand, before []any) []registry.RelationInput {
	if len(before) == 0 || r.IntN(3) > 0 {
		return nil
	}
	target := before[r.IntN(len(before))].(*registry.Directive)
	in := registry.RelationInput{Kind: []registry.RelationKind{registry.RelReplaces, registry.RelRepeals, registry.RelSuspends, registry.RelAmends}[r.IntN(4)],
		Symbol: target.Symbol.String()}
	if r.IntN(4) == 0 {
		in.Part = new("Điều 2")
	}
	return []registry.RelationInput{in}
}

// agreeDossiers are n dossiers with random histories built by the domain,
// as records to load: receipts at shared instants, due dates given now and then.
func agreeDossiers(t *testing.T, r *rand.Rand, procs []*registry.Procedure, data *agreeData, n int) []any {
	cal := calendar.Default()
	var recs []any
	for i := range n {
		at := time.Date(2021, 1, 1, 0, 0, 0, 0, calendar.Vietnam).Add(time.Duration(r.Int64N(int64(140 * 24 * time.Hour)))).Truncate(time.Minute)
		if len(data.times) > 0 && r.IntN(5) == 0 {
			at = data.times[r.IntN(len(data.times))]
		}
		agency, proc := data.agencies[r.IntN(6)], procs[r.IntN(len(procs))]
		in := registry.ReceiveDossierInput{ProcedureCode: proc.Code, AgencyCode: agency, Channel: agreeChannels[r.IntN(3)],
			Applicant: registry.ApplicantInput{Name: "Lê Văn Cường"}, ReceivedAt: &at}
		first := registry.ActionReceive
		if in.Channel == registry.ChannelOnline && r.IntN(2) == 0 {
			first = registry.ActionRegisterOnline
		} else if r.IntN(8) == 0 {
			in.DueDate, in.DueDateReason = new(calendar.DateOf(at).AddDays(r.IntN(20))), new("gia hạn")
		}
		code := registry.DossierCodePrefix(agency, at) + fmt.Sprintf("%04d", i)
		d, err := registry.NewDossier(in, first, code, proc, cal, now, registry.Provenance{Source: source})
		for when := at; err == nil && r.IntN(6) > 0; {
			allowed := registry.AllowedActions(d.Status)
			if when = when.Add(historytest.Gap(r)); len(allowed) == 0 || when.After(now) {
				break
			}
			step := when
			err = d.Apply(historytest.StepInput(r, historytest.NextAction(r, allowed), &step, ""), cal, now)
		}
		if err != nil {
			t.Fatalf("dossier %s: %v", code, err)
		}
		// Times as stored (milliseconds), and now and then a bound between
		// two milliseconds, as a client may send one.
		data.times = append(data.times, d.ReceivedAt.Truncate(time.Millisecond))
		if d.ResolvedAt != nil {
			data.times = append(data.times, d.ResolvedAt.Truncate(time.Millisecond))
		}
		if r.IntN(5) == 0 {
			data.times = append(data.times, d.ReceivedAt.Truncate(time.Millisecond).Add(500*time.Microsecond))
		}
		if d.DueDate != "" && r.IntN(10) == 0 {
			data.dates = append(data.dates, d.DueDate)
		}
		recs = append(recs, d)
	}
	return recs
}

// agreePage is one page as the two stores must agree on it (Total -1: not counted).
type agreePage struct {
	Keys             []string
	HasNext, HasPrev bool
	Total            int
	Err              string
}

// lister reads a page of one list with one filter and order, counted when
// count is set, and the cursor after its last item.
type lister func(s *gateway.Registry, args registry.PageArgs, count bool) (agreePage, *string)

// listOf is the lister of a list whose items have key.
func listOf[T any](ctx context.Context, key func(T) string, list func(*gateway.Registry, registry.PageArgs) (*registry.Page[T], error)) lister {
	return func(s *gateway.Registry, args registry.PageArgs, count bool) (agreePage, *string) {
		p, err := list(s, args)
		if err != nil {
			return agreePage{Err: errKey(err)}, nil
		}
		out := agreePage{HasNext: p.HasNext, HasPrev: p.HasPrev, Total: -1}
		if count {
			if out.Total, err = p.TotalCount(ctx); err != nil {
				out.Err = errKey(err)
			}
		}
		for _, it := range p.Items {
			out.Keys = append(out.Keys, key(it))
		}
		if n := len(p.Cursors); n > 0 {
			return out, &p.Cursors[n-1]
		}
		return out, nil
	}
}

// errKey is what two refusals must share: BAD_USER_INPUT and the field.
func errKey(err error) string {
	if e, ok := errors.AsType[*registry.Error](err); ok && e.Code == registry.CodeBadUserInput {
		return string(e.Code) + " " + e.Field
	}
	return "unexpected error: " + err.Error()
}

// agreeCase is one random list request.
type agreeCase struct {
	Kind   string
	Filter any
	Order  registry.DossierOrder `json:",omitempty"`
	First  int
	list   lister
}

// agreeDraw draws a list, a filter of values from d (each field set one time
// in two to five), an order and a page size.
func agreeDraw(ctx context.Context, r *rand.Rand, d *agreeData) agreeCase {
	type reg = *gateway.Registry
	type args = registry.PageArgs
	c := agreeCase{First: r.IntN(26)}
	switch c.Kind = []string{"agencies", "procedures", "directives", "reports", "dossiers"}[r.IntN(5)]; c.Kind {
	case "agencies":
		f := registry.AgencyFilter{Level: pick(r, 2, agreeLevels...)}
		c.Filter, c.list = f, listOf(ctx, registry.AgencyOrder.Key, func(s reg, a args) (*registry.Page[*registry.Agency], error) { return s.Agencies(ctx, f, a) })
	case "procedures":
		f := registry.ProcedureFilter{AgencyCode: pick(r, 3, d.agencies...), Level: pick(r, 3, agreeLevels...), LegalBasis: pick(r, 3, d.bases...)}
		c.Filter, c.list = f, listOf(ctx, registry.ProcedureOrder.Key, func(s reg, a args) (*registry.Page[*registry.Procedure], error) { return s.Procedures(ctx, f, a) })
	case "directives":
		f := registry.DirectiveFilter{Search: pick(r, 5, d.words...), Type: pick(r, 5, "QĐ", "QD", "CT", "KH", "TB", "NĐ", "TT", "", "NQ", "XYZ"),
			IssuerCode: pick(r, 5, d.issuers...), Year: pick(r, 5, d.years...), IssuedFrom: pick(r, 5, d.dates...), IssuedTo: pick(r, 5, d.dates...),
			Validity: pick(r, 5, append(agreeValidities, "NOWHERE")...), Topic: pick(r, 5, append(d.topics, "hộ tịch", "Quốc phòng")...),
			InForceOn: pick(r, 3, d.dates...)}
		if r.IntN(5) == 0 { // the service's own filter: directives stating a relation of these kinds
			f.Stating = some(r, registry.RelReplaces, registry.RelRepeals, registry.RelSuspends, registry.RelAmends)
		}
		c.Filter, c.list = f, listOf(ctx, registry.DirectiveOrder.Key, func(s reg, a args) (*registry.Page[*registry.Directive], error) { return s.Directives(ctx, f, a) })
	case "reports":
		f := registry.ReportFilter{Period: pick(r, 3, d.periods...), AgencyCode: pick(r, 3, d.agencies...)}
		c.Filter, c.list = f, listOf(ctx, registry.ReportOrder.Key, func(s reg, a args) (*registry.Page[*registry.Report], error) { return s.Reports(ctx, f, a) })
	default:
		f := registry.DossierFilter{AgencyCode: pick(r, 5, d.agencies...), ProcedureCode: pick(r, 5, d.procedures...),
			Status: pick(r, 5, append(registry.OpenStatuses(), registry.StatusResolved, registry.StatusResultReturned, registry.StatusWithdrawn,
				registry.StatusStopped, registry.StatusNotReceived, "NOWHERE")...),
			Channel: pick(r, 5, append(agreeChannels, "NOWHERE")...), Outcome: pick(r, 5, registry.OutcomeEarly, registry.OutcomeOnTime, registry.OutcomeLate, "", "NOWHERE"),
			ReceivedFrom: pick(r, 5, d.times...), ReceivedTo: pick(r, 5, d.times...), ResolvedFrom: pick(r, 5, d.times...), ResolvedTo: pick(r, 5, d.times...),
			OverdueAsOf: pick(r, 5, d.dates...)}
		c.Order = []registry.DossierOrder{"", registry.OrderByCode, registry.OrderByReceivedAt, registry.OrderByReceivedDesc, registry.OrderByDueDate, "PRIORITY"}[r.IntN(6)]
		c.Filter, c.list = f, listOf(ctx, func(d *registry.Dossier) string { return d.Code }, func(s reg, a args) (*registry.Page[*registry.Dossier], error) {
			return s.Dossiers(ctx, f, c.Order, a)
		})
	}
	return c
}

// agreeWalk pages through c's list on both registries, each following its
// own cursors, and reports the first page they disagree on. Walks stop after
// 6 pages, and only the first two are counted: on the embedded engine every
// page of dossiers and every count is a scan.
func agreeWalk(c agreeCase, mem, eng *gateway.Registry) (diff string) {
	var afterMem, afterEng *string
	for page := 1; page <= 6; page++ {
		pm, nextMem := c.list(mem, registry.PageArgs{First: &c.First, After: afterMem}, page <= 2)
		pe, nextEng := c.list(eng, registry.PageArgs{First: &c.First, After: afterEng}, page <= 2)
		if !reflect.DeepEqual(pm, pe) || strings.HasPrefix(pm.Err, "unexpected") {
			return fmt.Sprintf("page %d:\n memory:        %+v\n MongoDB store: %+v", page, pm, pe)
		}
		if !pm.HasNext || nextMem == nil || nextEng == nil {
			return ""
		}
		afterMem, afterEng = nextMem, nextEng
	}
	return ""
}

// facetDiff compares the four directive facets of f as multisets of
// (value, count).
func facetDiff(ctx context.Context, f registry.DirectiveFilter, mem, eng *gateway.Registry) string {
	for _, field := range []string{registry.FacetType, registry.FacetIssuer, registry.FacetYear, registry.FacetValidity} {
		got, errs := [2][]registry.Facet{}, [2]string{}
		for i, s := range []*gateway.Registry{mem, eng} {
			fs, err := s.DirectiveFacet(ctx, f, field)
			if err != nil {
				errs[i] = errKey(err)
			}
			for _, x := range fs {
				got[i] = append(got[i], registry.Facet{Value: x.Value, Count: x.Count})
			}
			slices.SortFunc(got[i], func(a, b registry.Facet) int { return cmp.Or(cmp.Compare(a.Value, b.Value), a.Count-b.Count) })
		}
		if errs[0] != errs[1] || !slices.Equal(got[0], got[1]) || strings.HasPrefix(errs[0], "unexpected") {
			return fmt.Sprintf("facet %s:\n memory:        %v %s\n MongoDB store: %v %s", field, got[0], errs[0], got[1], errs[1])
		}
	}
	return ""
}

// TestStoresAgree holds the MongoDB store's queries and memory's predicates
// and columns to the same answers: random filters, orders and page sizes on
// one database, read through a registry of each kind.
func TestStoresAgree(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("memory runs over the embedded engine only: on MONGODB_URI both registries are the MongoDB store")
	}
	seed, err := strconv.ParseUint(cmp.Or(os.Getenv("AGREE_SEED"), strconv.FormatInt(time.Now().UnixNano(), 10)), 10, 64)
	if err != nil {
		t.Fatalf("AGREE_SEED: %v", err)
	}
	t.Logf("seed %d (AGREE_SEED=%[1]d replays it)", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	cfg := storetest.Config(t) // one database for both
	cfg.Now = func() time.Time { return now }
	open := func(disableMemory bool) *gateway.Registry {
		c := cfg
		c.DisableMemory = disableMemory
		s := must(gateway.Open(storetest.Context(t), c))(t)
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		return s
	}
	eng, ctx := open(true), storetest.Context(t)
	var data agreeData
	procs := agreeRecords(t, eng, r, &data)
	recs := append(agreeDocuments(t, r, &data), agreeDossiers(t, r, procs, &data, 160)...)
	if _, refused, err := eng.Load(ctx, recs); err != nil || slices.ContainsFunc(refused, func(e error) bool { return e != nil }) {
		t.Fatalf("load: %v %v", err, refused)
	}
	mem := open(false) // opened now, memory is built from what is stored
	failures := 0
	for i := range 300 {
		c := agreeDraw(ctx, r, &data)
		diff := agreeWalk(c, mem, eng)
		if f, ok := c.Filter.(registry.DirectiveFilter); ok && diff == "" {
			diff = facetDiff(ctx, f, mem, eng)
		}
		if diff != "" {
			js, _ := json.Marshal(c)
			t.Errorf("seed %d, case %d: %s\n%s", seed, i, js, diff)
			if failures++; failures == 5 {
				t.Fatal("stopping after 5 disagreements")
			}
		}
	}
}
