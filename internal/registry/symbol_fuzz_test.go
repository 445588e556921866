package registry

import (
	"errors"
	"testing"

	"github.com/vnregistry/registry/internal/fold"
)

func FuzzParseSymbol(f *testing.F) {
	for _, tt := range symbolCases {
		f.Add(tt.in)
	}
	for _, tt := range wildSymbolCases {
		f.Add(tt.in)
	}
	for _, p := range symbolPins {
		f.Add(p.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, findings, err := ReadSymbol(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "symbol" || e.Code != CodeBadUserInput {
				t.Fatalf("ReadSymbol(%q) error %#v, want *Error on field symbol", in, err)
			}
			if _, perr := ParseSymbol(in); perr == nil {
				t.Fatalf("ReadSymbol(%q) refuses what ParseSymbol accepts: %v", in, err)
			}
			return
		}
		if p, err := ParseSymbol(in); err != nil || p != s {
			t.Fatalf("ParseSymbol(%q) = %+v, %v; ReadSymbol gave %+v", in, p, err, s)
		}
		canon := s.String()
		again, againFindings, err := ReadSymbol(canon)
		if err != nil {
			t.Fatalf("ParseSymbol(%q) = %q, which does not parse: %v", in, canon, err)
		}
		if again != s {
			t.Fatalf("ParseSymbol(%q) = %+v, but its form %q parses to %+v", in, s, canon, again)
		}
		if k := s.Key(); k != again.Key() || fold.String(k) != fold.String(canon) {
			t.Fatalf("Key of %q unstable: %q, %q, want a spelling of %q", in, k, again.Key(), fold.String(canon))
		}
		// The canonical form needs no rule, and keeps what was kept as
		// written, so it says so again.
		want := 0
		for _, f := range findings {
			if f.Code != FindingSymbolCanonicalised {
				want++
			}
		}
		for _, f := range againFindings {
			if f.Code == FindingSymbolCanonicalised {
				t.Fatalf("canonical %q of %q is canonicalised again: %s", canon, in, f.Message)
			}
		}
		if len(againFindings) != want {
			t.Fatalf("%q has findings %v, its canonical %q has %v", in, findings, canon, againFindings)
		}
		if s.Party != "" && s.Type != "" {
			t.Fatalf("%q: a Party document has no state type: %+v", in, s)
		}
	})
}
