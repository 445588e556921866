package registry

import (
	"slices"
	"testing"

	"github.com/vnregistry/registry/internal/calendar"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, p := range []Position{
		{Seq: 0, Kind: KindAgency, Key: "000.00.06.H56"},
		{Seq: 41, Kind: KindDirective, Key: "ubnd|2021|310/qđ-ubnd"},
		{Seq: 9_000_000_000, Kind: KindDossier, Key: "a:b:c"},
	} {
		got, err := ParseCursor(p.Cursor())
		if err != nil || got != p {
			t.Errorf("ParseCursor(Cursor(%+v)) = %+v, %v", p, got, err)
		}
	}
	if p, err := ParseCursor(""); err != nil || p != (Position{}) {
		t.Errorf(`ParseCursor("") = %+v, %v; want the start`, p, err)
	}
	for _, bad := range []string{"x", Position{Seq: 1, Kind: "NOPE", Key: "k"}.Cursor(), Position{Seq: 1, Kind: KindReport}.Cursor(),
		Position{Seq: -1, Kind: KindReport, Key: "k"}.Cursor()} {
		if _, err := ParseCursor(bad); ErrorCode(err) != CodeBadUserInput || err.(*Error).Field != "after" {
			t.Errorf("ParseCursor(%q) = %v, want BAD_USER_INPUT on after", bad, err)
		}
	}
}

// TestPositionOrder: by sequence number; records of number 0 (stored
// before the feed) by kind, then key; EndOf(n) is after every change up
// to n and before n+1's.
func TestPositionOrder(t *testing.T) {
	ordered := []Position{
		{Seq: 0, Kind: KindAgency, Key: "b"},
		{Seq: 0, Kind: KindProcedure, Key: "a"},
		{Seq: 0, Kind: KindDossier, Key: "a"},
		{Seq: 0, Kind: KindDossier, Key: "b"},
		{Seq: 1, Kind: KindDossier, Key: "a"},
		EndOf(1),
		{Seq: 2, Kind: KindAgency, Key: "z"},
	}
	if !slices.IsSortedFunc(ordered, Position.Compare) {
		t.Errorf("positions out of order: %+v", ordered)
	}
}

func directiveFor(t *testing.T, symbol, issued string, rels ...RelationInput) *Directive {
	t.Helper()
	d, err := NewDirective(CreateDirectiveInput{Symbol: symbol, IssuedOn: calendar.Date(issued), Relations: rels}, Provenance{Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPlanMerge: the duplicate's relations move to the directive that
// remains; with a symbol of its own, citations and relations to it follow;
// with a symbol another directive bears, they stay.
func TestPlanMerge(t *testing.T) {
	into := directiveFor(t, "310/QĐ-UBND", "2021-03-02", RelationInput{Kind: RelReplaces, Symbol: "95/QĐ-UBND"})
	dup := directiveFor(t, "301/QĐ-UBND", "2021-03-02",
		RelationInput{Kind: RelReplaces, Symbol: "95/QĐ-UBND"}, RelationInput{Kind: RelImplements, Symbol: "45/NQ-HĐND"})
	citing := &Procedure{Code: "1.001612", LegalBases: []string{"301/QĐ-UBND", "310/QĐ-UBND", "12/2020/NĐ-CP"}}
	relating := directiveFor(t, "20/KH-UBND", "2021-04-01", RelationInput{Kind: RelImplements, Symbol: "301/QĐ-UBND"})

	m, err := PlanMerge(dup, into, []*Procedure{citing}, []*Directive{relating, dup}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range m.Into.Relations {
		got = append(got, string(r.Kind)+" "+r.Symbol)
	}
	if want := []string{"REPLACES 95/QĐ-UBND", "IMPLEMENTS 45/NQ-HĐND"}; !slices.Equal(got, want) {
		t.Errorf("the remaining directive's relations = %v, want %v", got, want)
	}
	if len(m.Procedures) != 1 || !slices.Equal(m.Procedures[0].LegalBases, []string{"310/QĐ-UBND", "12/2020/NĐ-CP"}) {
		t.Errorf("citing procedures = %+v, want 1.001612 citing 310/QĐ-UBND once", m.Procedures)
	}
	if len(m.Relating) != 1 || m.Relating[0].Relations[0].Symbol != "310/QĐ-UBND" || relating.Relations[0].Symbol != "301/QĐ-UBND" {
		t.Errorf("relating = %+v, want 20/KH-UBND pointing at 310/QĐ-UBND (and the original unchanged)", m.Relating)
	}
	if len(into.Relations) != 1 || len(citing.LegalBases) != 3 {
		t.Error("PlanMerge modified what it was given")
	}

	shared, err := PlanMerge(dup, into, []*Procedure{citing}, []*Directive{relating}, true)
	if err != nil || len(shared.Procedures) != 0 || len(shared.Relating) != 0 || len(shared.Records()) != 1 {
		t.Errorf("with the symbol shared: %+v, %v; want only the remaining directive stored again", shared, err)
	}
	if _, err := PlanMerge(into, into, nil, nil, false); ErrorCode(err) != CodeBadUserInput {
		t.Errorf("merging a directive into itself: %v, want BAD_USER_INPUT", err)
	}
}
