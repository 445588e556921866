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
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSymbol(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Field != "symbol" || e.Code != CodeBadUserInput {
				t.Fatalf("ParseSymbol(%q) error %#v, want *Error on field symbol", in, err)
			}
			return
		}
		canon := s.String()
		again, err := ParseSymbol(canon)
		if err != nil {
			t.Fatalf("ParseSymbol(%q) = %q, which does not parse: %v", in, canon, err)
		}
		if again != s {
			t.Fatalf("ParseSymbol(%q) = %+v, but its form %q parses to %+v", in, s, canon, again)
		}
		if k := s.Key(); k != again.Key() || fold.String(k) != fold.String(canon) {
			t.Fatalf("Key of %q unstable: %q, %q, want a spelling of %q", in, k, again.Key(), fold.String(canon))
		}
	})
}
