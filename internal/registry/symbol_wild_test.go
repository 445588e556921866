package registry

import (
	"slices"
	"strings"
	"testing"
)

// wildSymbolCases are forms outside the grammar met in real listings and
// preambles (written here by hand, in their shapes), with what they read as
// and the findings ReadSymbol gives. The fuzz test seeds from them too.
var wildSymbolCases = []struct {
	name  string
	in    string
	want  string        // String()
	sym   Symbol        // the fields
	codes []FindingCode // ReadSymbol's findings, in order
}{
	// Canonicalised: a rule restores the grammar's form.
	{"space for slash", "1830 QĐ-UBND", "1830/QĐ-UBND", Symbol{Number: "1830", Type: "QĐ", Issuer: "UBND"},
		[]FindingCode{FindingSymbolCanonicalised}},
	{"dash for slash", "251-BCĐ", "251/BCĐ", Symbol{Number: "251", Issuer: "BCĐ"},
		[]FindingCode{FindingSymbolCanonicalised}},
	{"dash for slash, spaced", "7 - KH-UBND", "07/KH-UBND", Symbol{Number: "07", Type: "KH", Issuer: "UBND"},
		[]FindingCode{FindingSymbolCanonicalised}},
	{"underscore for dash", "157/TB_UBND", "157/TB-UBND", Symbol{Number: "157", Type: "TB", Issuer: "UBND"},
		[]FindingCode{FindingSymbolCanonicalised}},
	{"look-alike eth", "781/QÐ-UBND", "781/QĐ-UBND", Symbol{Number: "781", Type: "QĐ", Issuer: "UBND"},
		[]FindingCode{FindingSymbolCanonicalised}},
	{"two rules", "12 QÐ_UBND", "12/QĐ-UBND", Symbol{Number: "12", Type: "QĐ", Issuer: "UBND"},
		[]FindingCode{FindingSymbolCanonicalised, FindingSymbolCanonicalised, FindingSymbolCanonicalised}},

	// Kept as written: no rule reads them.
	{"council standing committee", "23/QĐ-TT HĐND", "23/QĐ-TT HĐND", Symbol{Number: "23", Type: "QĐ", Issuer: "TT HĐND"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"spaced issuer of a letter", "140/bcđ  vđ hmtn", "140/BCĐ VĐ HMTN", Symbol{Number: "140", Issuer: "BCĐ VĐ HMTN"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"space inside group", "46/QĐ-UB ND", "46/QĐ-UB ND", Symbol{Number: "46", Type: "QĐ", Issuer: "UB ND"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"unit in parentheses", "12/BCĐ (CAT-PC02)", "12/BCĐ (CAT-PC02)", Symbol{Number: "12", Issuer: "BCĐ", Unit: "(CAT-PC02)"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"parentheses spaced", "12/bcđ( cat - pc02 )", "12/BCĐ (CAT-PC02)", Symbol{Number: "12", Issuer: "BCĐ", Unit: "(CAT-PC02)"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"parentheses after a unit", "5/QĐ-UBND-VX (KT)", "05/QĐ-UBND-VX (KT)", Symbol{Number: "05", Type: "QĐ", Issuer: "UBND", Unit: "VX (KT)"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"unknown type, three groups", "2151/QCPH-UBND-BCHTĐ", "2151/QCPH-UBND-BCHTĐ", Symbol{Number: "2151", Issuer: "QCPH", Unit: "UBND-BCHTĐ"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"letter too many groups", "516/TTg-KSTT-X", "516/TTg-KSTT-X", Symbol{Number: "516", Issuer: "TTg", Unit: "KSTT-X"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"too many groups", "46/QĐ-UBND-VP-X", "46/QĐ-UBND-VP-X", Symbol{Number: "46", Type: "QĐ", Issuer: "UBND", Unit: "VP-X"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"year too many groups", "61/2018/NĐ-CP-X", "61/2018/NĐ-CP-X", Symbol{Number: "61", Year: 2018, Type: "NĐ", Issuer: "CP", Unit: "X"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"unknown type with year", "61/2018/XX-CP", "61/2018/XX-CP", Symbol{Number: "61", Year: 2018, Issuer: "XX", Unit: "CP"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"ambiguous folded type with year", "61/2018/DÁ-CP", "61/2018/DÁ-CP", Symbol{Number: "61", Year: 2018, Issuer: "DÁ", Unit: "CP"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"dotted number", "66.16/2026/NQ-CP", "66.16/2026/NQ-CP", Symbol{Number: "66.16", Year: 2026, Type: "NQ", Issuer: "CP"},
		[]FindingCode{FindingSymbolKeptAsWritten}},
	{"both kinds", "1830 QĐ-TT HĐND", "1830/QĐ-TT HĐND", Symbol{Number: "1830", Type: "QĐ", Issuer: "TT HĐND"},
		[]FindingCode{FindingSymbolCanonicalised, FindingSymbolKeptAsWritten}},

	// Party documents: số-LOẠI/CƠQUAN.
	{"Party resolution", "57-NQ/TW", "57-NQ/TW", Symbol{Number: "57", Party: "NQ", Issuer: "TW"},
		[]FindingCode{FindingPartyDocument}},
	{"Party conclusion", "số 34-KL/TW", "34-KL/TW", Symbol{Number: "34", Party: "KL", Issuer: "TW"},
		[]FindingCode{FindingPartyDocument}},
	{"Party notice of a steering committee", "03-TB/BCĐ", "03-TB/BCĐ", Symbol{Number: "03", Party: "TB", Issuer: "BCĐ"},
		[]FindingCode{FindingPartyDocument}},
	{"Party notice of a provincial committee", "139-tb/tu", "139-TB/TU", Symbol{Number: "139", Party: "TB", Issuer: "TU"},
		[]FindingCode{FindingPartyDocument}},
	{"Party directive, padded", "1-CT/TW", "01-CT/TW", Symbol{Number: "01", Party: "CT", Issuer: "TW"},
		[]FindingCode{FindingPartyDocument}},
	{"Party regulation spelling", "08 - qdi / tw", "08-QĐi/TW", Symbol{Number: "08", Party: "QĐi", Issuer: "TW"},
		[]FindingCode{FindingPartyDocument}},
	{"Party code spelling", "12-Ctr/TU", "12-CTr/TU", Symbol{Number: "12", Party: "CTr", Issuer: "TU"},
		[]FindingCode{FindingPartyDocument}},
	{"Party with a unit", "15-CV/TU-BTC", "15-CV/TU-BTC", Symbol{Number: "15", Party: "CV", Issuer: "TU", Unit: "BTC"},
		[]FindingCode{FindingPartyDocument}},

	// Regular forms: no finding.
	{"ordinance", "28/2005/PL-UBTVQH11", "28/2005/PL-UBTVQH11", Symbol{Number: "28", Year: 2005, Type: "PL", Issuer: "UBTVQH11"}, nil},
	{"PL without a year stays an issuer", "12/PL-UBND", "12/PL-UBND", Symbol{Number: "12", Issuer: "PL", Unit: "UBND"}, nil},
	{"ordinary variants", "số 6 / qd - ubnd", "06/QĐ-UBND", Symbol{Number: "06", Type: "QĐ", Issuer: "UBND"}, nil},
}

func TestParseWildSymbols(t *testing.T) {
	for _, tt := range wildSymbolCases {
		t.Run(tt.name, func(t *testing.T) {
			got, findings, err := ReadSymbol(tt.in)
			if err != nil {
				t.Fatalf("ReadSymbol(%q): %v", tt.in, err)
			}
			if got != tt.sym || got.String() != tt.want {
				t.Errorf("ReadSymbol(%q) = %+v %q, want %+v %q", tt.in, got, got.String(), tt.sym, tt.want)
			}
			var codes []FindingCode
			for _, f := range findings {
				codes = append(codes, f.Code)
				if f.Field != "symbol" || f.Message == "" || !strings.Contains(f.Message, got.String()) {
					t.Errorf("finding %+v: want field symbol and a message naming %s", f, got)
				}
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("ReadSymbol(%q) findings %v, want %v", tt.in, findings, tt.codes)
			}
			// What was canonicalised is gone from the canonical form; what
			// was kept as written is still there.
			_, again, _ := ReadSymbol(got.String())
			for _, f := range again {
				if f.Code == FindingSymbolCanonicalised {
					t.Errorf("%s, read again, still canonicalised: %s", got, f.Message)
				}
			}
		})
	}
}

// TestWildSymbolMessages: a finding says what was irregular, in words an
// importer can act on.
func TestWildSymbolMessages(t *testing.T) {
	for in, want := range map[string]string{
		"1830 QĐ-UBND":         `written "1830 QĐ-UBND" without "/" after the number: read as 1830/QĐ-UBND`,
		"251-BCĐ":              `written "251-BCĐ" with "-" for "/" after the number: read as 251/BCĐ`,
		"157/TB_UBND":          `written "157/TB_UBND" with "_" for "-": read as 157/TB-UBND`,
		"781/QÐ-UBND":          `written "781/QÐ-UBND" with the look-alike Ð (U+00D0, eth) for Đ: read as 781/QĐ-UBND`,
		"23/QĐ-TT HĐND":        `group "TT HĐND" has spaces: kept as written in 23/QĐ-TT HĐND`,
		"12/BCĐ (CAT-PC02)":    `(CAT-PC02) in parentheses: kept as written in 12/BCĐ (CAT-PC02)`,
		"2151/QCPH-UBND-BCHTĐ": `unit UBND-BCHTĐ beyond số/CƠQUAN-ĐƠNVỊ (QCPH is not a type code): kept as written in 2151/QCPH-UBND-BCHTĐ`,
		"61/2018/xx-cp":        `XX-CP with a year, XX not a type code: kept as written in 61/2018/XX-CP`,
		"66.16/2026/NQ-CP":     `number 66.16 has dots: kept as written in 66.16/2026/NQ-CP`,
		"57-NQ/TW":             `57-NQ/TW is a Party document's number (số-LOẠI/CƠQUAN), not a state document's`,
	} {
		_, findings, err := ReadSymbol(in)
		if err != nil || len(findings) != 1 || findings[0].Message != want {
			t.Errorf("ReadSymbol(%q) = %v, %v; want one finding %q", in, findings, err, want)
		}
	}
}

// TestPartyKeysApart: a Party document never shares a key with a state one
// of the same number, type and body.
func TestPartyKeysApart(t *testing.T) {
	for _, pair := range [][2]string{{"57-NQ/TW", "57/NQ-TW"}, {"03-TB/BCĐ", "03/TB-BCĐ"}, {"12-CT/TU", "12/CT-TU"}} {
		a, b := mustParseSymbol(t, pair[0]), mustParseSymbol(t, pair[1])
		if a.Key() == b.Key() {
			t.Errorf("%s and %s share key %q", pair[0], pair[1], a.Key())
		}
		if b.Party != "" {
			t.Errorf("%s read as a Party document", pair[1])
		}
	}
}
