package service_test

import (
	"cmp"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// drCreate registers a directive; it must succeed.
func drCreate(t *testing.T, e *env, in registry.CreateDirectiveInput) *registry.Directive {
	t.Helper()
	return must(e.s.CreateDirective(storetest.Context(t), in, source))(t)
}

// drSymbols lists the canonical symbols of ds, sorted.
func drSymbols(ds []*registry.Directive) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Symbol.String())
	}
	slices.Sort(out)
	return out
}

func drSorted(symbols ...string) []string {
	out := slices.Clone(symbols)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}

// drFixture registers directives differing in every filtered field.
func drFixture(t *testing.T, e *env) []*registry.Directive {
	t.Helper()
	v := func(x registry.Validity) *registry.Validity { return &x }
	var out []*registry.Directive
	for _, in := range []registry.CreateDirectiveInput{
		{Symbol: "468/QĐ-TTg", IssuedOn: "2021-03-27", Validity: v(registry.ValidityInForce), Topics: []string{"một cửa"},
			Summary: new("Phê duyệt Đề án đổi mới việc thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính")},
		{Symbol: "406/QD-TTg", IssuedOn: "2021-03-22", Validity: v(registry.ValidityInForce), Topics: []string{"dịch vụ công"},
			Summary: new("Phê duyệt Danh mục dịch vụ công trực tuyến tích hợp, cung cấp trên Cổng Dịch vụ công Quốc gia năm 2021")},
		{Symbol: "516/TTg-KSTT", IssuedOn: "2021-04-22",
			Summary: new("Về việc thúc đẩy cải cách thủ tục hành chính, đổi mới thực hiện cơ chế một cửa")},
		{Symbol: "46/QĐ-BCĐCCHC", IssuedOn: "2021-04-16", Validity: v(registry.ValidityExpired), Topics: []string{"cải cách hành chính"},
			Summary: new("Kế hoạch kiểm tra công tác cải cách hành chính năm 2021")},
		{Symbol: "61/2018/ND-CP", IssuedOn: "2018-04-23", Validity: v(registry.ValidityPartiallyExpired), IssuerName: new("Chính phủ"),
			Topics: []string{"một cửa", "cải cách hành chính"}, Signer: &registry.SignerInput{Position: new("Thủ tướng"), Name: new("Nguyễn Xuân Phúc")},
			Summary: new("Về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính")},
		{Symbol: "2503/QĐ-UBND", IssuedOn: "2019-09-06", Validity: v(registry.ValidityInForce),
			Summary: new("Phương án “5 tại chỗ” tại Trung tâm Phục vụ hành chính công tỉnh")},
		// The issuer code as a clerk typed it: lower case.
		{Symbol: "47/KH-UBND", IssuerCode: new("ubnd"), IssuedOn: "2020-03-05", Validity: v(registry.ValidityNotYetInForce),
			Summary: new("Kế hoạch thực hiện cơ chế một cửa năm 2020")},
		{Symbol: "01/2018/TT-VPCP", IssuedOn: "2018-11-23", Validity: v(registry.ValiditySuspended),
			Summary: new("Hướng dẫn thi hành một số quy định của Nghị định số 61/2018/NĐ-CP")},
		{Symbol: "10/UBND-VX", IssuedOn: "2021-01-05",
			Summary: new("Về việc tra cứu mẫu .* trong hệ thống (thử nghiệm) [bản nháp]")},
	} {
		out = append(out, drCreate(t, e, in))
	}
	return out
}

// drList is every directive f matches, walking the list page by page
// (newest first, which it checks).
func drList(t *testing.T, e *env, f registry.DirectiveFilter) []*registry.Directive {
	t.Helper()
	var out []*registry.Directive
	var after *string
	for {
		p, err := e.s.Directives(storetest.Context(t), f, registry.PageArgs{First: new(4), After: after})
		if err != nil {
			t.Fatalf("Directives(%s): %v", drDescribe(f), err)
		}
		out = append(out, p.Items...)
		if !p.HasNext {
			break
		}
		after = &p.Cursors[len(p.Cursors)-1]
	}
	if !slices.IsSortedFunc(out, func(a, b *registry.Directive) int { return cmp.Compare(b.IssuedOn, a.IssuedOn) }) {
		t.Errorf("Directives(%s) not newest first: %v", drDescribe(f), drSymbols(out))
	}
	var each []*registry.Directive
	if err := e.s.EachDirective(storetest.Context(t), f, func(d *registry.Directive) error { each = append(each, d); return nil }); err != nil {
		t.Fatalf("EachDirective(%s): %v", drDescribe(f), err)
	}
	if !slices.Equal(drSymbols(each), drSymbols(out)) {
		t.Errorf("EachDirective(%s) = %v, the list %v", drDescribe(f), drSymbols(each), drSymbols(out))
	}
	return out
}

func drDescribe(f registry.DirectiveFilter) string {
	var parts []string
	add := func(name, v string) { parts = append(parts, name+"="+v) }
	if f.Search != nil {
		add("search", strconv.Quote(*f.Search))
	}
	if f.Type != nil {
		add("type", *f.Type)
	}
	if f.IssuerCode != nil {
		add("issuer", *f.IssuerCode)
	}
	if f.Year != nil {
		add("year", strconv.Itoa(*f.Year))
	}
	if f.IssuedFrom != nil {
		add("from", string(*f.IssuedFrom))
	}
	if f.IssuedTo != nil {
		add("to", string(*f.IssuedTo))
	}
	if f.Validity != nil {
		add("validity", string(*f.Validity))
	}
	if f.Topic != nil {
		add("topic", *f.Topic)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// TestDirectiveRelationsBothWays: an edge is stated on its source and read
// inverted from its target; a target not yet registered keeps the edge.
func TestDirectiveRelationsBothWays(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		b := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "61/2018/NĐ-CP", IssuedOn: "2018-04-23"})
		a := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "01/2018/TT-VPCP", IssuedOn: "2018-11-23"})
		c := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "107/2021/NĐ-CP", IssuedOn: "2021-12-06",
			Relations: []registry.RelationInput{{Kind: registry.RelReplaces, Symbol: "2503/QD-UBND"}}})

		// ASCII input, stated twice: one edge, in canonical form.
		for i := range 2 {
			got := must(e.s.AddDirectiveRelation(ctx, a.Key, registry.RelationInput{Kind: registry.RelImplements, Symbol: "61/2018/ND-CP"}))(t)
			if len(got.Relations) != 1 || got.Relations[0].Kind != registry.RelImplements || got.Relations[0].Symbol != "61/2018/NĐ-CP" {
				t.Errorf("AddDirectiveRelation #%d returned relations %+v, want IMPLEMENTS 61/2018/NĐ-CP once", i+1, got.Relations)
			}
		}
		stored := must(e.s.DirectiveByKey(ctx, a.Key))(t)
		if len(stored.Relations) != 1 || stored.Relations[0].Symbol != "61/2018/NĐ-CP" {
			t.Errorf("stored relations of %s: %+v, want IMPLEMENTS 61/2018/NĐ-CP once", a.Symbol, stored.Relations)
		}
		if got := must(e.s.DirectiveByKey(ctx, c.Key))(t); len(got.Relations) != 1 || got.Relations[0].Symbol != "2503/QĐ-UBND" || got.Relations[0].Kind != registry.RelReplaces {
			t.Errorf("stored relations of %s: %+v, want REPLACES 2503/QĐ-UBND (kept though not registered)", c.Symbol, got.Relations)
		}

		// Refused: inverse kinds (stated on the other directive), unknown kinds,
		// a relation to itself (in any spelling), bad symbols, unknown sources.
		before := e.counts(t)
		_, err := e.s.AddDirectiveRelation(ctx, a.Key, registry.RelationInput{Kind: registry.RelImplementedBy, Symbol: "61/2018/NĐ-CP"})
		if e := wantError(t, err, registry.CodeBadUserInput, "kind"); !strings.Contains(e.Message, "IMPLEMENTS") {
			t.Errorf("inverse kind refused with %q; want it to say to state IMPLEMENTS on the other directive", e.Message)
		}
		_, err = e.s.AddDirectiveRelation(ctx, a.Key, registry.RelationInput{Kind: "SUPERSEDES", Symbol: "61/2018/NĐ-CP"})
		wantError(t, err, registry.CodeBadUserInput, "kind")
		_, err = e.s.AddDirectiveRelation(ctx, a.Key, registry.RelationInput{Kind: registry.RelReferences, Symbol: "Số 01/2018/tt-vpcp"})
		wantError(t, err, registry.CodeBadUserInput, "symbol")
		_, err = e.s.AddDirectiveRelation(ctx, a.Key, registry.RelationInput{Kind: registry.RelReferences, Symbol: "Nghị định 61"})
		wantError(t, err, registry.CodeBadUserInput, "symbol")
		_, err = e.s.AddDirectiveRelation(ctx, "tt|2099|01/2099/tt-vpcp", registry.RelationInput{Kind: registry.RelReferences, Symbol: "61/2018/NĐ-CP"})
		wantError(t, err, registry.CodeNotFound, "")
		_, err = e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "02/2018/TT-VPCP", IssuedOn: "2018-12-01",
			Relations: []registry.RelationInput{{Kind: registry.RelGuidedBy, Symbol: "61/2018/NĐ-CP"}}}, source)
		wantError(t, err, registry.CodeBadUserInput, "relations[0].kind")
		_, err = e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "02/2018/TT-VPCP", IssuedOn: "2018-12-01",
			Relations: []registry.RelationInput{{Kind: registry.RelAmends, Symbol: "02/2018/TT-VPCP"}}}, source)
		wantError(t, err, registry.CodeBadUserInput, "relations[0].symbol")
		if after := e.counts(t); !drMapsEqual(after, before) {
			t.Errorf("refused relations changed the collections: %v, before %v", after, before)
		}
		if got := must(e.s.DirectiveByKey(ctx, a.Key))(t); len(got.Relations) != 1 {
			t.Errorf("refused relations were stored on %s: %+v", a.Symbol, got.Relations)
		}

		type edge struct {
			kind       registry.RelationKind
			label      string
			symbol     string
			directives []string
		}
		relations := func(d *registry.Directive) []edge {
			t.Helper()
			d = must(e.s.DirectiveByKey(ctx, d.Key))(t)
			var out []edge
			for _, r := range must(e.s.DirectiveRelations(ctx, d))(t) {
				if r.Directives == nil {
					t.Errorf("relation %s %s of %s: Directives is nil, want an empty list", r.Kind, r.Symbol, d.Symbol)
				}
				out = append(out, edge{r.Kind, r.Label(), r.Symbol, drSymbols(r.Directives)})
			}
			return out
		}
		check := func(d *registry.Directive, want ...edge) {
			t.Helper()
			got := relations(d)
			if len(got) != len(want) {
				t.Errorf("relations of %s: got %+v, want %+v", d.Symbol, got, want)
				return
			}
			for i := range got {
				if got[i].kind != want[i].kind || got[i].label != want[i].label || got[i].symbol != want[i].symbol || !slices.Equal(got[i].directives, want[i].directives) {
					t.Errorf("relations of %s #%d: got %+v, want %+v", d.Symbol, i, got[i], want[i])
				}
			}
		}
		check(a, edge{registry.RelImplements, "triển khai", "61/2018/NĐ-CP", []string{"61/2018/NĐ-CP"}})
		check(b, edge{registry.RelImplementedBy, "được triển khai bởi", "01/2018/TT-VPCP", []string{"01/2018/TT-VPCP"}})
		check(c, edge{registry.RelReplaces, "thay thế", "2503/QĐ-UBND", []string{}})

		// Once the target is registered (by two provinces: one symbol), the
		// kept edge reaches both, and both see it inverted.
		hna := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "2503/QĐ-UBND", IssuerCode: new("UBND.HNA"), IssuedOn: "2019-09-06"})
		bdi := drCreate(t, e, registry.CreateDirectiveInput{Symbol: "2503/QD-UBND", IssuerCode: new("UBND.BDI"), IssuedOn: "2021-07-02"})
		check(c, edge{registry.RelReplaces, "thay thế", "2503/QĐ-UBND", []string{"2503/QĐ-UBND", "2503/QĐ-UBND"}})
		for _, d := range []*registry.Directive{hna, bdi} {
			check(d, edge{registry.RelReplacedBy, "bị thay thế bởi", "107/2021/NĐ-CP", []string{"107/2021/NĐ-CP"}})
		}

		// Outgoing edges come first, then the inverse ones.
		must(e.s.AddDirectiveRelation(ctx, b.Key, registry.RelationInput{Kind: registry.RelBasedOn, Symbol: "80/2015/QH13"}))(t)
		must(e.s.AddDirectiveRelation(ctx, c.Key, registry.RelationInput{Kind: registry.RelAmends, Symbol: "61/2018/NĐ-CP"}))(t)
		got := relations(b)
		if len(got) != 3 || got[0].kind != registry.RelBasedOn || got[0].label != "căn cứ" || len(got[0].directives) != 0 {
			t.Fatalf("relations of %s: got %+v, want BASED_ON 80/2015/QH13 first", b.Symbol, got)
		}
		inverse := got[1:]
		slices.SortFunc(inverse, func(x, y edge) int { return cmp.Compare(x.kind, y.kind) })
		if inverse[0].kind != registry.RelAmendedBy || inverse[0].label != "được sửa đổi, bổ sung bởi" || inverse[0].symbol != "107/2021/NĐ-CP" ||
			inverse[1].kind != registry.RelImplementedBy || inverse[1].symbol != "01/2018/TT-VPCP" {
			t.Errorf("inverse relations of %s: got %+v, want AMENDED_BY 107/2021/NĐ-CP and IMPLEMENTED_BY 01/2018/TT-VPCP", b.Symbol, inverse)
		}
	})
}

func drMapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDirectiveSearch: words match without regard to case or diacritics,
// every word is required, and what users type is text, never a pattern.
func TestDirectiveSearch(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		drFixture(t, e)
		for _, tc := range []struct {
			search string
			want   []string
		}{
			{"mot cua", drSorted("468/QĐ-TTg", "516/TTg-KSTT", "61/2018/NĐ-CP", "47/KH-UBND", "01/2018/TT-VPCP")},
			{"MỘT   CỬA", drSorted("468/QĐ-TTg", "516/TTg-KSTT", "61/2018/NĐ-CP", "47/KH-UBND", "01/2018/TT-VPCP")},
			{"một cửa liên thông", drSorted("468/QĐ-TTg", "61/2018/NĐ-CP")},
			{"mot cua kiem tra", drSorted()},
			{"QD-TTg", drSorted("468/QĐ-TTg", "406/QĐ-TTg")},
			{"qđ-ttg 468", drSorted("468/QĐ-TTg")},
			{"nd-cp", drSorted("61/2018/NĐ-CP", "01/2018/TT-VPCP")}, // the guidance cites the decree in its summary
			{"nguyen xuan phuc", drSorted("61/2018/NĐ-CP")},
			{"bcdcchc", drSorted("46/QĐ-BCĐCCHC")},
			{".*", drSorted("10/UBND-VX")},
			{"t.*t", drSorted()},
			{"(thử", drSorted("10/UBND-VX")},
			{"[bản", drSorted("10/UBND-VX")},
			{"[", drSorted("10/UBND-VX")},
			{"a+", drSorted()},
			{"“5", drSorted("2503/QĐ-UBND")},
			{"", drSorted("468/QĐ-TTg", "406/QĐ-TTg", "516/TTg-KSTT", "46/QĐ-BCĐCCHC", "61/2018/NĐ-CP", "2503/QĐ-UBND", "47/KH-UBND", "01/2018/TT-VPCP", "10/UBND-VX")},
		} {
			got := drSymbols(drList(t, e, registry.DirectiveFilter{Search: &tc.search}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("search %q: got %v, want %v", tc.search, got, tc.want)
			}
		}

		// The separator of the searched fields is no term: alone it is refused,
		// among words it separates them.
		bullet := "•"
		_, err := e.s.Directives(ctx, registry.DirectiveFilter{Search: &bullet}, registry.PageArgs{})
		wantError(t, err, registry.CodeBadUserInput, "filter.search")
		if got, want := drSymbols(drList(t, e, registry.DirectiveFilter{Search: new("• một • cửa liên thông")})), drSorted("468/QĐ-TTg", "61/2018/NĐ-CP"); !slices.Equal(got, want) {
			t.Errorf("search with bullets between the words: got %v, want %v", got, want)
		}

		ok := strings.Repeat("đ", 200)
		if got := drList(t, e, registry.DirectiveFilter{Search: &ok}); len(got) != 0 {
			t.Errorf("200-character search found %v", drSymbols(got))
		}
		long := strings.Repeat("a", 201)
		_, err = e.s.Directives(ctx, registry.DirectiveFilter{Search: &long}, registry.PageArgs{})
		wantError(t, err, registry.CodeBadUserInput, "filter.search")
		_, err = e.s.DirectiveFacet(ctx, registry.DirectiveFilter{Search: &long}, registry.FacetYear)
		wantError(t, err, registry.CodeBadUserInput, "filter.search")
		err = e.s.EachDirective(ctx, registry.DirectiveFilter{Search: &long}, func(*registry.Directive) error { return nil })
		wantError(t, err, registry.CodeBadUserInput, "filter.search")
	})
}

// drMatch is registry.DirectiveFilter's meaning, computed in Go.
func drMatch(d *registry.Directive, f registry.DirectiveFilter) bool {
	if f.Search != nil {
		terms, _ := registry.SearchTerms(*f.Search)
		for _, term := range terms {
			if !strings.Contains(d.SearchText(), term) {
				return false
			}
		}
	}
	if f.Type != nil && *f.Type == "" && d.Symbol.Type != "" {
		return false
	}
	if f.Type != nil && *f.Type != "" {
		dt, ok := registry.LookupDocType(*f.Type)
		if !ok || d.Symbol.Type != dt.Code {
			return false
		}
	}
	if f.IssuerCode != nil && fold.String(d.IssuerCode) != fold.String(*f.IssuerCode) {
		return false
	}
	if f.Year != nil && d.Year != *f.Year {
		return false
	}
	if f.IssuedFrom != nil && d.IssuedOn < *f.IssuedFrom {
		return false
	}
	if f.IssuedTo != nil && d.IssuedOn > *f.IssuedTo {
		return false
	}
	if f.Validity != nil && d.Validity != *f.Validity {
		return false
	}
	if f.Topic != nil && !slices.Contains(d.Topics, *f.Topic) {
		return false
	}
	return true
}

// TestDirectiveFiltersAndFacets: each filter selects what it means, and the
// facets count the filtered set.
func TestDirectiveFiltersAndFacets(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		all := drFixture(t, e)
		str := func(s string) *string { return &s }
		date := func(s string) *calendar.Date { d := calendar.Date(s); return &d }
		validity := func(v registry.Validity) *registry.Validity { return &v }
		for _, tc := range []struct {
			f    registry.DirectiveFilter
			want []string
		}{
			{registry.DirectiveFilter{Type: str("QD")}, drSorted("468/QĐ-TTg", "406/QĐ-TTg", "46/QĐ-BCĐCCHC", "2503/QĐ-UBND")},
			{registry.DirectiveFilter{Type: str("qđ")}, drSorted("468/QĐ-TTg", "406/QĐ-TTg", "46/QĐ-BCĐCCHC", "2503/QĐ-UBND")},
			{registry.DirectiveFilter{Type: str("ND")}, drSorted("61/2018/NĐ-CP")},
			{registry.DirectiveFilter{Type: str("KH")}, drSorted("47/KH-UBND")},
			{registry.DirectiveFilter{Type: str("")}, drSorted("516/TTg-KSTT", "10/UBND-VX")},
			{registry.DirectiveFilter{IssuerCode: str("ttg")}, drSorted("468/QĐ-TTg", "406/QĐ-TTg", "516/TTg-KSTT")},
			{registry.DirectiveFilter{IssuerCode: str("Ubnd")}, drSorted("2503/QĐ-UBND", "47/KH-UBND", "10/UBND-VX")},
			{registry.DirectiveFilter{IssuerCode: str("BCDCCHC")}, drSorted("46/QĐ-BCĐCCHC")},
			{registry.DirectiveFilter{Year: new(2021)}, drSorted("468/QĐ-TTg", "406/QĐ-TTg", "516/TTg-KSTT", "46/QĐ-BCĐCCHC", "10/UBND-VX")},
			{registry.DirectiveFilter{Year: new(2018)}, drSorted("61/2018/NĐ-CP", "01/2018/TT-VPCP")},
			{registry.DirectiveFilter{Year: new(2022)}, drSorted()},
			{registry.DirectiveFilter{IssuedFrom: date("2021-03-22"), IssuedTo: date("2021-04-16")}, drSorted("406/QĐ-TTg", "468/QĐ-TTg", "46/QĐ-BCĐCCHC")},
			{registry.DirectiveFilter{IssuedFrom: date("2021-04-22")}, drSorted("516/TTg-KSTT")},
			{registry.DirectiveFilter{IssuedTo: date("2018-11-23")}, drSorted("61/2018/NĐ-CP", "01/2018/TT-VPCP")},
			{registry.DirectiveFilter{IssuedFrom: date("2021-04-17"), IssuedTo: date("2021-04-21")}, drSorted()},
			{registry.DirectiveFilter{Validity: validity(registry.ValidityInForce)}, drSorted("468/QĐ-TTg", "406/QĐ-TTg", "2503/QĐ-UBND")},
			{registry.DirectiveFilter{Validity: validity(registry.ValidityUnknown)}, drSorted("516/TTg-KSTT", "10/UBND-VX")},
			{registry.DirectiveFilter{Topic: str("một cửa")}, drSorted("468/QĐ-TTg", "61/2018/NĐ-CP")},
			{registry.DirectiveFilter{Topic: str("cải cách hành chính")}, drSorted("46/QĐ-BCĐCCHC", "61/2018/NĐ-CP")},
			{registry.DirectiveFilter{Type: str("QD"), Year: new(2021), Validity: validity(registry.ValidityInForce)}, drSorted("468/QĐ-TTg", "406/QĐ-TTg")},
			{registry.DirectiveFilter{Search: str("mot cua"), IssuerCode: str("UBND")}, drSorted("47/KH-UBND")},
		} {
			got := drSymbols(drList(t, e, tc.f))
			if !slices.Equal(got, tc.want) {
				t.Errorf("filter %s: got %v, want %v", drDescribe(tc.f), got, tc.want)
			}
			var brute []*registry.Directive
			for _, d := range all {
				if drMatch(d, tc.f) {
					brute = append(brute, d)
				}
			}
			if !slices.Equal(drSymbols(brute), tc.want) {
				t.Errorf("filter %s: the fixture's meaning gives %v, the test wants %v (test bug)", drDescribe(tc.f), drSymbols(brute), tc.want)
			}
		}
		_, err := e.s.Directives(ctx, registry.DirectiveFilter{Type: str("Quyết định")}, registry.PageArgs{})
		wantError(t, err, registry.CodeBadUserInput, "filter.type")

		// Facets: counts by field over the filtered set, largest first.
		facetValue := map[string]func(*registry.Directive) string{
			registry.FacetType:     func(d *registry.Directive) string { return d.Symbol.Type },
			registry.FacetIssuer:   func(d *registry.Directive) string { return d.IssuerCode },
			registry.FacetYear:     func(d *registry.Directive) string { return strconv.Itoa(d.Year) },
			registry.FacetValidity: func(d *registry.Directive) string { return string(d.Validity) },
		}
		for _, f := range []registry.DirectiveFilter{
			{},
			{Year: new(2021)},
			{Type: str("QD")},
			{Type: str("")},
			{Search: str("mot cua")},
			{IssuedFrom: date("2019-01-01"), IssuedTo: date("2021-03-31")},
			{Validity: validity(registry.ValidityInForce)},
			{IssuerCode: str("ubnd")},
			{Year: new(2022)},
		} {
			var filtered []*registry.Directive
			for _, d := range all {
				if drMatch(d, f) {
					filtered = append(filtered, d)
				}
			}
			for field, value := range facetValue {
				// Issuers count as the issuer filter matches them: spellings that
				// fold alike are one, shown by the most frequent.
				key := func(v string) string { return v }
				if field == registry.FacetIssuer {
					key = fold.String
				}
				counts, spellings := map[string]int{}, map[string]map[string]int{}
				for _, d := range filtered {
					k := key(value(d))
					counts[k]++
					if spellings[k] == nil {
						spellings[k] = map[string]int{}
					}
					spellings[k][value(d)]++
				}
				var want []registry.Facet
				for k, n := range counts {
					shown, most := "", 0
					for sp, c := range spellings[k] {
						if c > most || (c == most && sp < shown) {
							shown, most = sp, c
						}
					}
					label := shown
					if field == registry.FacetType {
						label = map[string]string{"": "Công văn, luật (ký hiệu không có mã loại)", "QĐ": "Quyết định", "NĐ": "Nghị định",
							"KH": "Kế hoạch", "TT": "Thông tư"}[shown]
					}
					want = append(want, registry.Facet{Value: shown, Label: label, Count: n})
				}
				slices.SortFunc(want, func(a, b registry.Facet) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value)) })
				got := must(e.s.DirectiveFacet(ctx, f, field))(t)
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("facet %s of %s: got %v, want %v", field, drDescribe(f), got, want)
				}
			}
		}
	})
}

// TestDirectiveIssuerFacetAgreesWithFilter: choosing an issuer facet value
// as the issuer filter lists as many directives as the facet counted.
func TestDirectiveIssuerFacetAgreesWithFilter(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		drFixture(t, e)
		for _, fc := range must(e.s.DirectiveFacet(storetest.Context(t), registry.DirectiveFilter{}, registry.FacetIssuer))(t) {
			n := len(drList(t, e, registry.DirectiveFilter{IssuerCode: &fc.Value}))
			if n != fc.Count {
				t.Errorf("BUG: issuer facet %q counts %d directives, but the issuer filter %q lists %d. "+
					"DirectiveFacet (directives.go) groups by the issuer code as entered (\"issuer\"), while the "+
					"filter matches the folded code (\"issuerKey\"): codes differing only in case or diacritics "+
					"(UBND, ubnd) are one issuer to the filter and several to the facet", fc.Value, fc.Count, fc.Value, n)
			}
		}
	})
}

// TestImportBulletinIdempotent: a bulletin imported twice stores its
// directives and reports once; a dry run stores nothing.
func TestImportBulletinIdempotent(t *testing.T) {
	path := "/work/shared/seeds/000_f9bf3ebd35c96490.txt"
	if _, err := os.Stat(path); err != nil {
		path = "../bulletin/testdata/fixture.txt"
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	e := newEnv(t)
	ctx := storetest.Context(t)

	dry := must(e.s.ImportBulletin(ctx, "Bản tin CCHC", text, true))(t)
	if !dry.DryRun || len(dry.Directives) != 5 || len(dry.Reports) != 3 {
		t.Fatalf("dry run: %d directives, %d reports (dryRun %v), want 5 and 3", len(dry.Directives), len(dry.Reports), dry.DryRun)
	}
	for _, d := range dry.Directives {
		if d.Created {
			t.Errorf("dry run: directive %s created", d.Directive.Symbol)
		}
	}
	for _, r := range dry.Reports {
		if r.Created {
			t.Errorf("dry run: report %s created", r.Report.Key)
		}
	}
	if c := e.counts(t); c["directives"] != 0 || c["reports"] != 0 {
		t.Errorf("dry run stored: %v", c)
	}

	first := must(e.s.ImportBulletin(ctx, "Bản tin CCHC", text, false))(t)
	if len(first.Directives) != 5 || len(first.Reports) != 3 {
		t.Fatalf("import: %d directives, %d reports, want 5 and 3", len(first.Directives), len(first.Reports))
	}
	for _, d := range first.Directives {
		if !d.Created {
			t.Errorf("first import: directive %s not created", d.Directive.Symbol)
		}
		if got := must(e.s.DirectiveByKey(ctx, d.Directive.Key))(t); got == nil {
			t.Errorf("first import: directive %s not stored", d.Directive.Symbol)
		}
	}
	for _, r := range first.Reports {
		if !r.Created {
			t.Errorf("first import: report %s (%s) not created", r.Report.Key, r.Report.Period)
		}
		if got := must(e.s.Report(ctx, r.Report.Key))(t); got == nil {
			t.Errorf("first import: report %s not stored", r.Report.Key)
		}
	}
	after := e.counts(t)
	if after["directives"] != 5 || after["reports"] != 3 {
		t.Errorf("after the first import: %v, want 5 directives and 3 reports", after)
	}
	if got := must(e.s.DirectivesBySymbol(ctx, "468/QD-TTg", new(2021), ""))(t); len(got) != 1 || got[0].Provenance.Source != "Bản tin CCHC" || got[0].Provenance.Excerpt == "" {
		t.Errorf("468/QĐ-TTg from the bulletin: %+v", got)
	}

	second := must(e.s.ImportBulletin(ctx, "Bản tin CCHC", text, false))(t)
	if len(second.Directives) != 5 || len(second.Reports) != 3 {
		t.Errorf("second import: %d directives, %d reports, want 5 and 3", len(second.Directives), len(second.Reports))
	}
	for i, d := range second.Directives {
		if d.Created {
			t.Errorf("second import: directive %s created again", d.Directive.Symbol)
		}
		if d.Directive.Key != first.Directives[i].Directive.Key {
			t.Errorf("second import: directive #%d has key %s, first %s", i, d.Directive.Key, first.Directives[i].Directive.Key)
		}
	}
	for i, r := range second.Reports {
		if r.Created {
			t.Errorf("second import: report %s created again", r.Report.Key)
		}
		if r.Report.Key != first.Reports[i].Report.Key {
			t.Errorf("second import: report #%d has key %s, first %s", i, r.Report.Key, first.Reports[i].Report.Key)
		}
	}
	if again := e.counts(t); !drMapsEqual(again, after) {
		t.Errorf("second import changed the collections: %v, after the first %v", again, after)
	}
	if dry := must(e.s.ImportBulletin(ctx, "Bản tin CCHC", text, true))(t); len(dry.Directives) != 5 || slices.ContainsFunc(dry.Directives, func(d *registry.ImportedDirective) bool { return d.Created }) {
		t.Errorf("dry run after the import: %d directives, some created", len(dry.Directives))
	}
	if again := e.counts(t); !drMapsEqual(again, after) {
		t.Errorf("dry run changed the collections: %v, before %v", again, after)
	}
}

// TestImportBulletinWithInvisibleCharacters: text pasted from a web page
// with zero-width spaces and soft hyphens imports as the text a reader
// sees (names refuse those characters; quotes must not fail for them).
func TestImportBulletinWithInvisibleCharacters(t *testing.T) {
	e := newEnv(t)
	text := "Ngày 27/3/2021, Thủ tướng Chính phủ ban hành Quyết định số 468/QĐ-TTg\u200b về việc ban hành Quy\u00adchế thực hiện cơ chế một cửa."
	got := must(e.s.ImportBulletin(storetest.Context(t), "Báo mẫu", text, false))(t)
	if len(got.Directives) != 1 || strings.ContainsAny(got.Directives[0].Directive.Provenance.Excerpt, "\u200b\u00ad") {
		t.Fatalf("import of text with invisible characters: %+v", got.Directives)
	}
}

// TestImportBulletinSourceChecked: the source readers see beside every
// figure is a name: bounded, without invisible characters.
func TestImportBulletinSourceChecked(t *testing.T) {
	e := newEnv(t)
	for _, source := range []string{strings.Repeat("a", 501), "Báo\u202emẫu"} {
		_, err := e.s.ImportBulletin(storetest.Context(t), source, "Ngày 27/3/2021, Thủ tướng ban hành Quyết định số 468/QĐ-TTg.", false)
		wantError(t, err, registry.CodeBadUserInput, "source")
	}
}

// TestImportBulletinFromHTML: a page saved from a browser imports as the
// text its reader sees: what its navigation and scripts mention is not read,
// and excerpts carry no markup.
func TestImportBulletinFromHTML(t *testing.T) {
	e := newEnv(t)
	page := `<!DOCTYPE html><html><head><script>track("Quyết định số 9/QĐ-UBND")</script></head><body>
<nav><a href="/tin/1">Công văn 12/UBND-VX</a></nav>
<div class="content"><p>Ng&agrave;y 27/3/2021, Thủ tướng Chính phủ ban hành <b>Quyết định số 468/QĐ-TTg</b>
phê duyệt Đề án đổi mới việc thực hiện cơ chế một cửa.</p></div></body></html>`
	got := must(e.s.ImportBulletin(storetest.Context(t), "portal.html", page, true))(t)
	if len(got.Directives) != 1 {
		t.Fatalf("directives %+v, want only 468/QĐ-TTg", got.Directives)
	}
	d := got.Directives[0].Directive
	if d.Symbol.String() != "468/QĐ-TTg" || d.IssuedOn != "2021-03-27" || strings.ContainsAny(d.Provenance.Excerpt, "<>&") {
		t.Errorf("directive %s issued %s, excerpt %q", d.Symbol, d.IssuedOn, d.Provenance.Excerpt)
	}
}

// TestImportBulletinContradictoryDate: a text that dates a directive in
// another year than its symbol carries imports it undated with the finding,
// rather than refusing the whole bulletin (found by the API fuzz test).
func TestImportBulletinContradictoryDate(t *testing.T) {
	e := newEnv(t)
	got := must(e.s.ImportBulletin(storetest.Context(t), "Báo mẫu", "Ngày 22/4/2021, Chính phủ ban hành Nghị định số 61/2018/NĐ-CP về một cửa.", false))(t)
	if len(got.Directives) != 1 {
		t.Fatalf("directives %+v, want 61/2018/NĐ-CP", got.Directives)
	}
	d := got.Directives[0].Directive
	if d.IssuedOn != "" || !slices.ContainsFunc(d.Findings, func(f registry.Finding) bool { return f.Code == registry.FindingYearDisagreesWithSymbol }) {
		t.Errorf("directive issued %q with findings %+v, want undated with YEAR_DISAGREES_WITH_SYMBOL", d.IssuedOn, d.Findings)
	}
}

// TestImportBulletinAddsRelationsToKnownDirectives: a later bulletin that
// says more of a directive already registered adds the relations it states;
// importing it again adds nothing.
func TestImportBulletinAddsRelationsToKnownDirectives(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		must(e.s.ImportBulletin(ctx, "tin 1", "Ngày 1/3/2021, UBND tỉnh ban hành Quyết định số 5/QĐ-UBND về một cửa.", false))(t)
		later := "Quyết định số 5/QĐ-UBND ngày 1/3/2021 của UBND tỉnh bãi bỏ Quyết định số 2/QĐ-UBND ngày 4/1/2019 của UBND tỉnh."
		for range 2 {
			must(e.s.ImportBulletin(ctx, "tin 2", later, false))(t)
			got := must(e.s.DirectivesBySymbol(ctx, "5/QĐ-UBND", nil, ""))(t)
			if len(got) != 1 || len(got[0].Relations) != 1 || got[0].Relations[0].Kind != registry.RelRepeals || got[0].Relations[0].Symbol != "02/QĐ-UBND" {
				t.Fatalf("05/QĐ-UBND after the later bulletin: %+v, want one relation REPEALS 02/QĐ-UBND", got)
			}
		}
	})
}
