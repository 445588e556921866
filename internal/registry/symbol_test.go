package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/fold"
)

// symbolCases is the grammar table; the fuzz test seeds from it too.
var symbolCases = []struct {
	name string
	in   string
	want string // canonical form; "" when the input is rejected
	err  string // substring of the rejection reason
}{
	// Canonical forms of each grammar rule.
	{name: "administrative", in: "46/QĐ-BCĐCCHC", want: "46/QĐ-BCĐCCHC"},
	{name: "administrative UBND", in: "2503/QĐ-UBND", want: "2503/QĐ-UBND"},
	{name: "plan", in: "223/KH-UBND", want: "223/KH-UBND"},
	{name: "administrative with unit", in: "12/QĐ-UBND-VX", want: "12/QĐ-UBND-VX"},
	{name: "official letter", in: "516/TTg-KSTT", want: "516/TTg-KSTT"},
	{name: "official letter without unit", in: "123/VPCP", want: "123/VPCP"},
	{name: "normative decree", in: "61/2018/NĐ-CP", want: "61/2018/NĐ-CP"},
	{name: "normative circular", in: "01/2018/TT-VPCP", want: "01/2018/TT-VPCP"},
	{name: "normative decree 2021", in: "107/2021/NĐ-CP", want: "107/2021/NĐ-CP"},
	{name: "law", in: "80/2015/QH13", want: "80/2015/QH13"},
	{name: "standing committee", in: "1211/2016/UBTVQH13", want: "1211/2016/UBTVQH13"},
	{name: "mixed-case type", in: "5/QyĐ-UBND", want: "05/QyĐ-UBND"},
	{name: "joint circular", in: "23/2014/ttlt-btp-bnv", want: "23/2014/TTLT-BTP-BNV"},
	{name: "joint resolution of three", in: "09/2008/NQLT-CP-UBTWMTTQVN-TLĐ", want: "09/2008/NQLT-CP-UBTWMTTQVN-TLĐ"},

	// Forms found in the wild.
	{name: "QD for QĐ", in: "468/QD-TTg", want: "468/QĐ-TTg"},
	{name: "ND for NĐ", in: "61/2018/ND-CP", want: "61/2018/NĐ-CP"},
	{name: "CD for CĐ", in: "7/CD-TTg", want: "07/CĐ-TTg"},
	{name: "HD stays Hướng dẫn", in: "3/HD-UBND", want: "03/HD-UBND"},
	{name: "HĐ stays Hợp đồng", in: "3/HĐ-UBND", want: "03/HĐ-UBND"},
	{name: "DA stays Dự án", in: "9/DA-UBND", want: "09/DA-UBND"},
	{name: "ĐA stays Đề án", in: "9/ĐA-UBND", want: "09/ĐA-UBND"},
	{name: "QyĐ in capitals", in: "5/QYĐ-UBND", want: "05/QyĐ-UBND"},
	{name: "CTr in capitals", in: "5/CTR-UBND", want: "05/CTr-UBND"},
	{name: "spaces around separators", in: "2503 / QĐ - UBND", want: "2503/QĐ-UBND"},
	{name: "en dash", in: "2503/QĐ–UBND", want: "2503/QĐ-UBND"},
	{name: "em dash", in: "2503/QĐ—UBND", want: "2503/QĐ-UBND"},
	{name: "minus sign", in: "2503/QĐ−UBND", want: "2503/QĐ-UBND"},
	{name: "lower case", in: "468/qđ-ttg", want: "468/QĐ-TTg"},
	{name: "lower case without đ", in: "468/qd-ttg", want: "468/QĐ-TTg"},
	{name: "missing leading zero", in: "1/2018/TT-VPCP", want: "01/2018/TT-VPCP"},
	{name: "extra leading zeros", in: "007/QĐ-UBND", want: "07/QĐ-UBND"},
	{name: "look-alike Ð", in: "46/QÐ-BCÐCCHC", want: "46/QĐ-BCĐCCHC"},
	{name: "look-alike ð", in: "46/qð-bcðcchc", want: "46/QĐ-BCĐCCHC"},
	{name: "surrounding spaces", in: " \t46/QĐ-BCĐCCHC \n", want: "46/QĐ-BCĐCCHC"},
	{name: "no-break spaces", in: "46\u00a0/\u00a0QĐ-UBND", want: "46/QĐ-UBND"},
	{name: "số prefix", in: "số 46/QĐ-BCĐCCHC", want: "46/QĐ-BCĐCCHC"},
	{name: "Số: header", in: "Số: 46/QĐ-BCĐCCHC", want: "46/QĐ-BCĐCCHC"},
	{name: "so without diacritics", in: "so 80/2015/QH13", want: "80/2015/QH13"},
	{name: "decomposed input", in: "So\u0302\u0301 46/Q\u0110-UBND", want: "46/QĐ-UBND"},
	{name: "issuer without đ", in: "46/QĐ-BCDCCHC", want: "46/QĐ-BCĐCCHC"},
	{name: "issuer case", in: "516/TTG-KSTT", want: "516/TTg-KSTT"},
	{name: "issuer HĐND", in: "12/NQ-hdnd", want: "12/NQ-HĐND"},
	{name: "issuer BKHĐT", in: "3/2019/TT-BKHDT", want: "03/2019/TT-BKHĐT"},
	{name: "law lower case", in: "80/2015/qh13", want: "80/2015/QH13"},
	{name: "unknown issuer upper-cased", in: "15/KH-sgddt", want: "15/KH-SGDDT"},
	{name: "unit upper-cased", in: "516/TTg-kstt", want: "516/TTg-KSTT"},

	// Rejections, each naming its rule.
	{name: "empty", in: "", err: "empty"},
	{name: "blank", in: "   ", err: "empty"},
	{name: "only số", in: "Số:", err: "empty"},
	{name: "invalid UTF-8", in: "46/Q\xffĐ-UBND", err: "invalid UTF-8"},
	{name: "control character", in: "46/QĐ\x00-UBND", err: "control character"},
	{name: "inner newline", in: "46/QĐ-\nUBND", err: "control character"},
	{name: "too long", in: "46/QĐ-" + strings.Repeat("A", 60), err: "too long"},
	{name: "too long after padding", in: "1/QĐ-" + strings.Repeat("A", 59), err: "too long"},
	{name: "too many slashes", in: "46/2020/QĐ/UBND", err: "too many \"/\""},
	{name: "number missing", in: "/QĐ-UBND", err: "nothing before \"/\""},
	{name: "symbol missing", in: "46/", err: "nothing after \"/\""},
	{name: "number not digits", in: "4a/QĐ-UBND", err: "number \"4a\" is not digits"},
	{name: "number not ASCII digits", in: "٤٦/QĐ-UBND", err: "is not digits"},
	{name: "number zero", in: "00/QĐ-UBND", err: "number must not be 0"},
	{name: "year not digits", in: "61/20x8/NĐ-CP", err: "year \"20x8\" is not digits"},
	{name: "year too early", in: "61/1944/NĐ-CP", err: "outside 1945..2100"},
	{name: "year too late", in: "61/2101/NĐ-CP", err: "outside 1945..2100"},
	{name: "two-digit year", in: "61/18/NĐ-CP", err: "outside 1945..2100"},
	{name: "huge year", in: "61/99999999999999999999/NĐ-CP", err: "outside 1945..2100"},
	{name: "year without type", in: "61/2018/CP", err: "neither LOẠI-CƠQUAN nor QHnn"},
	{name: "year type without issuer", in: "61/2018/NĐ", err: "type NĐ without an issuer"},
	{name: "type without issuer", in: "46/QĐ", err: "type QĐ without an issuer"},
	{name: "empty group", in: "46/QĐ--UBND", err: "empty group"},
	{name: "trailing dash", in: "46/QĐ-UBND-", err: "empty group"},
	{name: "empty year", in: "61//NĐ-CP", err: "empty group"},
	{name: "space inside number", in: "4 6/QĐ-UBND", err: "space inside"},
	{name: "punctuation", in: "46/QĐ-UBND.VP", err: "only letters and digits"},
	{name: "zero-width space", in: "46/QĐ-UB\u200bND", err: "only letters and digits"},
	{name: "digits only symbol", in: "46/2021", err: "has no letter"},
	{name: "not a prefix", in: "Sob/QĐ-UBND", err: "not digits"},
	{name: "no slash, no space", in: "46QĐ-UBND", err: "no \"/\""},
	{name: "no number", in: "QĐ-UBND", err: "no \"/\""},
	{name: "no slash, digits only", in: "46 2021", err: "no \"/\""},
	{name: "parenthesis inside", in: "12/BCĐ (CAT)-VP", err: "parentheses"},
	{name: "parenthesis unclosed", in: "12/BCĐ (CAT", err: "parentheses"},
	{name: "two parentheses", in: "12/BCĐ (A) (B)", err: "parentheses"},
	{name: "nothing before parenthesis", in: "12/(CAT)", err: "nothing before"},
	{name: "empty parentheses", in: "12/BCĐ ()", err: "empty group in parentheses"},
	{name: "punctuation in parentheses", in: "12/BCĐ (CAT.PC)", err: "only letters and digits"},
	{name: "dotted number, empty segment", in: "66..16/2026/NQ-CP", err: "digits between dots"},
	{name: "dotted number zero", in: "0.0/2026/NQ-CP", err: "must not be 0"},
	{name: "dotted number not digits", in: "66.a/2026/NQ-CP", err: "not digits"},
	{name: "year without type, no rule", in: "61/2018/CP", err: "neither LOẠI-CƠQUAN nor QHnn"},
	{name: "Party code with a digit", in: "57-N1/TW", err: "not digits"},
	{name: "Party number with a year", in: "57-NQ/2020/TW", err: "not digits"},
	{name: "Party body missing", in: "57-NQ/", err: "nothing after"},
	{name: "Party body without letter", in: "57-NQ/12", err: "has no letter"},
}

func TestParseSymbol(t *testing.T) {
	for _, tt := range symbolCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSymbol(tt.in)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("ParseSymbol(%q) = %+v, want error containing %q", tt.in, got, tt.err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeBadUserInput || e.Field != "symbol" {
					t.Fatalf("ParseSymbol(%q) error %#v, want *Error BAD_USER_INPUT on field symbol", tt.in, err)
				}
				if !strings.Contains(e.Message, tt.err) {
					t.Errorf("ParseSymbol(%q) error %q, want it to contain %q", tt.in, e.Message, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSymbol(%q): %v", tt.in, err)
			}
			if s := got.String(); s != tt.want {
				t.Errorf("ParseSymbol(%q).String() = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestParseSymbolFields(t *testing.T) {
	tests := []struct {
		in   string
		want Symbol
	}{
		{"46/QĐ-BCĐCCHC", Symbol{Number: "46", Type: "QĐ", Issuer: "BCĐCCHC"}},
		{"516/TTg-KSTT", Symbol{Number: "516", Issuer: "TTg", Unit: "KSTT"}},
		{"12/QĐ-UBND-VX", Symbol{Number: "12", Type: "QĐ", Issuer: "UBND", Unit: "VX"}},
		{"1/2018/TT-VPCP", Symbol{Number: "01", Year: 2018, Type: "TT", Issuer: "VPCP"}},
		{"80/2015/QH13", Symbol{Number: "80", Year: 2015, Issuer: "QH13"}},
	}
	for _, tt := range tests {
		got, err := ParseSymbol(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSymbol(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestSymbolRoundTrip(t *testing.T) {
	var inputs []string
	for _, tt := range symbolCases {
		if tt.err == "" {
			inputs = append(inputs, tt.in)
		}
	}
	for _, tt := range wildSymbolCases {
		inputs = append(inputs, tt.in)
	}
	for _, in := range inputs {
		s, err := ParseSymbol(in)
		if err != nil {
			t.Fatalf("ParseSymbol(%q): %v", in, err)
		}
		again, err := ParseSymbol(s.String())
		if err != nil || again != s {
			t.Errorf("ParseSymbol(%q) = %+v, %v; want %+v", s.String(), again, err, s)
		}
		if fold.String(s.Key()) != fold.String(s.String()) || again.Key() != s.Key() {
			t.Errorf("Key of %q unstable: %q, %q", in, s.Key(), again.Key())
		}
	}
}

func TestSymbolKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"468/QĐ-TTg", "468/QD-TTG"},
		{"46/QĐ-BCĐCCHC", "46/qđ-bcdcchc"},
		{"3/HĐ-UBND", "03/hđ-ubnd"},
		{"7/2020/ĐA-UBND", "7/2020/đa-ubnd"},
	}
	for _, tt := range tests {
		a, errA := ParseSymbol(tt.a)
		b, errB := ParseSymbol(tt.b)
		if errA != nil || errB != nil {
			t.Fatalf("parse %q, %q: %v, %v", tt.a, tt.b, errA, errB)
		}
		if a.Key() != b.Key() {
			t.Errorf("Key(%q) = %q, Key(%q) = %q; want equal", tt.a, a.Key(), tt.b, b.Key())
		}
	}
	if got, want := mustParseSymbol(t, "468/QĐ-TTg").Key(), "468/qd-ttg"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	// Different types never share a key, even where folding makes their
	// codes one (HD hướng dẫn, HĐ hợp đồng; DA dự án, ĐA đề án).
	for _, pair := range [][2]string{{"5/QĐ-UBND", "5/QyĐ-UBND"}, {"1/HD-UBND", "1/HĐ-UBND"}, {"2/DA-UBND", "2/ĐA-UBND"}} {
		if a, b := mustParseSymbol(t, pair[0]).Key(), mustParseSymbol(t, pair[1]).Key(); a == b {
			t.Errorf("%s and %s share key %q", pair[0], pair[1], a)
		}
	}
	for _, typ := range docTypeTable {
		for _, other := range docTypeTable {
			if typ.Code != other.Code && typeKeys[typ.Code] == typeKeys[other.Code] {
				t.Errorf("types %s and %s share key %q", typ.Code, other.Code, typeKeys[typ.Code])
			}
		}
	}
}

func mustParseSymbol(t *testing.T, s string) Symbol {
	t.Helper()
	sym, err := ParseSymbol(s)
	if err != nil {
		t.Fatalf("ParseSymbol(%q): %v", s, err)
	}
	return sym
}

func TestLookupDocType(t *testing.T) {
	tests := []struct {
		in, want string // want "" for no match
	}{
		{"QĐ", "QĐ"},
		{"qđ", "QĐ"},
		{"QD", "QĐ"},
		{"QÐ", "QĐ"}, // look-alike eth
		{"CD", "CĐ"},
		{"ND", "NĐ"},
		{"HD", "HD"},
		{"hd", "HD"}, // case-insensitive match wins before folding
		{"HĐ", "HĐ"},
		{"DA", "DA"},
		{"ĐA", "ĐA"},
		{"ÐA", "ĐA"},
		{"DÁ", ""}, // folds to both DA and ĐA
		{"QyĐ", "QyĐ"},
		{"QYD", "QyĐ"},
		{"CTR", "CTr"},
		{"TT", "TT"},
		{"TTg", ""}, // an issuer, not Thông tư
		{"XX", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := LookupDocType(tt.in)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("LookupDocType(%q) = %q, %v; want %q", tt.in, got.Code, ok, tt.want)
		}
	}
}

func TestDocTypes(t *testing.T) {
	types := DocTypes()
	seen := map[string]string{}
	for _, dt := range types {
		if prev, dup := seen[strings.ToLower(dt.Code)]; dup {
			t.Errorf("codes %q and %q differ only in case", prev, dt.Code)
		}
		seen[strings.ToLower(dt.Code)] = dt.Code
		if got, ok := LookupDocType(dt.Code); !ok || got != dt {
			t.Errorf("LookupDocType(%q) = %+v, %v", dt.Code, got, ok)
		}
	}
	for _, code := range []string{"NĐ", "TT", "NQ", "QĐ"} {
		if dt, ok := LookupDocType(code); !ok || !dt.Normative {
			t.Errorf("%s should be a normative type", code)
		}
	}
	types[0].Code = "changed"
	if DocTypes()[0].Code == "changed" {
		t.Error("DocTypes shares its backing array")
	}
}

// An issuer that read as a type code would turn a letter into an
// administrative document when its canonical form is parsed again.
func TestKnownIssuers(t *testing.T) {
	seen := map[string]string{}
	for _, is := range knownIssuers {
		if dt, ok := LookupDocType(is); ok {
			t.Errorf("issuer %q reads as type %q", is, dt.Code)
		}
		k := fold.String(is)
		if prev, dup := seen[k]; dup {
			t.Errorf("issuers %q and %q fold alike", prev, is)
		}
		seen[k] = is
	}
}

// TestSymbolCompatibilityForms: full-width letters are the letters they
// stand for (NFKC), not an issuer of their own.
func TestSymbolCompatibilityForms(t *testing.T) {
	sym, err := ParseSymbol("468/ＱĐ-ＴＴg")
	if err != nil || sym.String() != "468/QĐ-TTg" {
		t.Errorf("ParseSymbol(full-width) = %v, %v; want 468/QĐ-TTg", sym, err)
	}
}
