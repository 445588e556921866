package service_test

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestDirectiveTypesSharingAFold keeps HD (hướng dẫn) and HĐ (hợp đồng), and
// DA (dự án) and ĐA (đề án), apart: by one issuer, both are stored and each
// lookup finds its own.
func TestDirectiveTypesSharingAFold(t *testing.T) {
	bothWays(t, func(t *testing.T, way func(*gateway.Config)) {
		e := newEnv(t, way)
		ctx := storetest.Context(t)
		for _, sym := range []string{"1/HD-UBND", "1/HĐ-UBND", "2/DA-UBND", "2/ĐA-UBND"} {
			drCreate(t, e, registry.CreateDirectiveInput{Symbol: sym, IssuedOn: "2021-04-01"})
		}
		for _, sym := range []string{"1/HD-UBND", "1/HĐ-UBND", "2/DA-UBND", "2/ĐA-UBND", "1/hđ-ubnd"} {
			got := must(e.s.DirectivesBySymbol(ctx, sym, nil, ""))(t)
			want := must(registry.ParseSymbol(sym))(t).String()
			if len(got) != 1 || got[0].Symbol.String() != want {
				t.Errorf("DirectivesBySymbol(%q) = %v, want only %s", sym, drSymbols(got), want)
			}
		}
		cited := must(e.s.DirectivesBySymbols(ctx, []string{"1/HD-UBND", "1/HĐ-UBND"}))(t)
		for _, sym := range []string{"1/HD-UBND", "1/HĐ-UBND"} {
			if got := drSymbols(cited[sym]); len(got) != 1 || got[0] != must(registry.ParseSymbol(sym))(t).String() {
				t.Errorf("a procedure citing both: %s resolves to %v", sym, got)
			}
		}
	})
}

// TestOpenRekeysDirectives opens a store on directives written under the
// earlier keys, where HĐ folded to HD: the directive, and a relation to it,
// take the current keys, and a second open changes nothing.
func TestOpenRekeysDirectives(t *testing.T) {
	e := newEnv(t)
	cfg := storetest.Config(t)
	cfg.Database = e.db.Name()
	s, ctx := e.s, storetest.Context(t)
	contract := must(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "5/HĐ-UBND", IssuedOn: "2021-04-01", Summary: new("Hợp đồng thuê đường truyền")}, source))(t)
	plan := must(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "6/KH-UBND", IssuedOn: "2021-04-02",
		Relations: []registry.RelationInput{{Kind: registry.RelImplements, Symbol: "5/HĐ-UBND"}}}, source))(t)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// Write both back as the earlier keys had them.
	col := e.db.Collection(colDirectives)
	oldKey := "ubnd|2021|05/hd-ubnd"
	if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: contract.Key}}); err != nil {
		t.Fatal(err)
	}
	old := *contract
	old.Key, old.SymbolKey = oldKey, "05/hd-ubnd"
	if _, err := col.InsertOne(ctx, &old); err != nil {
		t.Fatal(err)
	}
	if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: plan.Key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "relations.0.symbolKey", Value: "05/hd-ubnd"}}}}); err != nil {
		t.Fatal(err)
	}

	for i := range 2 {
		s, err := gateway.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		got := must(s.DirectivesBySymbol(ctx, "5/HĐ-UBND", nil, ""))(t)
		if len(got) != 1 || got[0].Key != contract.Key || got[0].SymbolKey != contract.SymbolKey {
			t.Errorf("open #%d: 5/HĐ-UBND found as %+v, want key %s", i+1, got, contract.Key)
		}
		if d := must(s.DirectiveByKey(ctx, oldKey))(t); d != nil {
			t.Errorf("open #%d: the old key %s still answers", i+1, oldKey)
		}
		related := must(s.DirectiveRelations(ctx, got[0]))(t)
		if len(related) != 1 || len(related[0].Directives) != 1 || related[0].Directives[0].Key != plan.Key {
			t.Errorf("open #%d: relations of the contract = %+v, want the plan implementing it", i+1, related)
		}
		// To the change feed, the new key is a change after the old key's
		// entries, and the old key is removed, naming the new.
		feed, _, err := s.Changes(ctx, "", new(100), []registry.RecordKind{registry.KindDirective})
		if n := len(feed); err != nil || n < 2 || feed[n-2].Key != contract.Key || feed[n-1].Op != registry.OpDelete ||
			feed[n-1].Key != oldKey || feed[n-1].MergedInto != contract.Key {
			t.Errorf("open #%d: the directives' feed ends %+v, want %s, then %s removed into it", i+1, feed, contract.Key, oldKey)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEachBodysNumberingApart: every People's Council numbers its own
// resolutions, so four councils' 21/NQ-HĐND of one year are four directives;
// the same council's twice, named long or short, is refused naming it.
func TestEachBodysNumberingApart(t *testing.T) {
	e := newEnv(t)
	ctx := storetest.Context(t)
	councils := []string{"HĐND tỉnh Sơn La", "HĐND xã Chiềng Hặc", "HĐND xã Mường Bú", "Hội đồng nhân dân xã Phiêng Pằn"}
	for _, name := range councils {
		drCreate(t, e, registry.CreateDirectiveInput{Symbol: "21/NQ-HĐND", IssuedOn: "2026-07-10", IssuerName: new(name)})
	}
	_, err := e.s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "21/NQ-HDND", IssuedOn: "2026-07-11",
		IssuerName: new("Hội đồng nhân dân xã Chiềng Hặc")}, source)
	if registry.ErrorCode(err) != registry.CodeConflict || !strings.Contains(err.Error(), "Chiềng Hặc") {
		t.Errorf("the same council's 21/NQ-HĐND again: %v, want CONFLICT naming the council", err)
	}
	for _, c := range []struct {
		issuer string
		want   int
	}{{"", 4}, {"HĐND", 4}, {"Hội đồng nhân dân", 4}, {"hdnd xa chieng hac", 1}, {"Hội đồng nhân dân xã Chiềng Hặc", 1},
		{"HĐND tỉnh Sơn La", 1}, {"HĐND xã Nà Ớt", 0}, {"UBND", 0}} {
		got := must(e.s.DirectivesBySymbol(ctx, "21/NQ-HĐND", new(2026), c.issuer))(t)
		if len(got) != c.want {
			t.Errorf("21/NQ-HĐND of 2026 issued by %q: %d found, want %d", c.issuer, len(got), c.want)
		}
	}
}

// TestOpenKeysDirectivesByBody opens a store written when a directive was
// keyed by its symbol's issuer code alone: a commune council's resolution
// takes the key of its body, and a second open changes nothing.
func TestOpenKeysDirectivesByBody(t *testing.T) {
	e := newEnv(t)
	cfg := storetest.Config(t)
	cfg.Database = e.db.Name()
	s, ctx := e.s, storetest.Context(t)
	d := must(s.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "21/NQ-HĐND", IssuedOn: "2026-07-10",
		IssuerName: new("HĐND xã Chiềng Hặc")}, source))(t)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	col := e.db.Collection(colDirectives)
	oldKey := "hdnd|2026|21/nq-hdnd"
	if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.Key}}); err != nil {
		t.Fatal(err)
	}
	old := *d
	old.Key = oldKey
	if _, err := col.InsertOne(ctx, &old); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		s, err := gateway.Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		got := must(s.DirectivesBySymbol(ctx, "21/NQ-HĐND", nil, ""))(t)
		if len(got) != 1 || got[0].Key != "hdnd xa chieng hac|2026|21/nq-hdnd" {
			t.Errorf("open #%d: 21/NQ-HĐND found as %v, want the commune council's key", i+1, got)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
