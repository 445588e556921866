package registry

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/vnregistry/registry/internal/fold"
)

// Findings on a symbol written outside the grammar (see ReadSymbol).
const (
	// FindingSymbolCanonicalised: a rule restored the grammar's form (a
	// missing "/", "_" for "-", the look-alike Ð for Đ).
	FindingSymbolCanonicalised FindingCode = "SYMBOL_CANONICALISED"
	// FindingSymbolKeptAsWritten: a part no rule reads (a group with spaces,
	// a part in parentheses, groups beyond the grammar's, an unknown type
	// code with a year, a dotted number) is kept as written.
	FindingSymbolKeptAsWritten FindingCode = "SYMBOL_KEPT_AS_WRITTEN"
	// FindingPartyDocument: the number is a Party document's (57-NQ/TW),
	// not a state document's.
	FindingPartyDocument FindingCode = "PARTY_DOCUMENT"
)

// irregularities are what a written symbol did outside the grammar.
type irregularities struct {
	canon []string // how it was written, where a rule restored the form
	keep  []string // what was kept as written, and why
	party bool
}

func (w *irregularities) canonicalised(how string) { w.canon = append(w.canon, how) }
func (w *irregularities) kept(what string)         { w.keep = append(w.keep, what) }

// ReadSymbol is ParseSymbol for importers: it also says, one finding each,
// what in raw was irregular, so that a stored record can say it. A symbol in
// the grammar's form (in any case, with or without diacritics, leading zeros
// or spaces around its separators) has none.
func ReadSymbol(raw string) (Symbol, []Finding, error) {
	sym, w, err := parseSymbol(raw)
	if err != nil {
		return Symbol{}, nil, err
	}
	var out []Finding
	add := func(code FindingCode, format string, args ...any) {
		out = append(out, Finding{Code: code, Field: "symbol", Message: fmt.Sprintf(format, args...)})
	}
	for _, how := range w.canon {
		add(FindingSymbolCanonicalised, "written %q %s: read as %s", strings.TrimSpace(raw), how, sym)
	}
	for _, what := range w.keep {
		add(FindingSymbolKeptAsWritten, "%s: kept as written in %s", what, sym)
	}
	if w.party {
		add(FindingPartyDocument, "%s is a Party document's number (số-LOẠI/CƠQUAN), not a state document's", sym)
	}
	return sym, out, nil
}

// restoreSlash reads a symbol written without "/" after its number, with a
// space ("1830 QĐ-UBND") or a dash ("251-BCĐ") in its place, and returns its
// parts; nil when s is not such a symbol.
func restoreSlash(s string, w *irregularities) []string {
	i := strings.IndexFunc(s, func(r rune) bool { return !isASCIIDigit(r) })
	if i <= 0 {
		return nil
	}
	rest := strings.TrimLeftFunc(s[i:], unicode.IsSpace)
	how := `without "/" after the number`
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		rest, how = strings.TrimLeftFunc(r, unicode.IsSpace), `with "-" for "/" after the number`
	} else if len(rest) == len(s[i:]) {
		return nil // neither space nor dash: "46QĐ"
	}
	if r := []rune(rest); len(r) == 0 || !unicode.Is(unicode.Latin, r[0]) {
		return nil
	}
	w.canonicalised(how)
	return []string{s[:i], rest}
}

// dottedNumber keeps a number with dots as written (66.16/2026/NQ-CP: the
// Government numbers some resolutions so): digits between the dots.
func dottedNumber(p string, w *irregularities) (string, error) {
	segments := strings.Split(p, ".")
	if len(segments) == 1 {
		return "", Invalid("symbol", "number %q is not digits", p)
	}
	for _, d := range segments {
		if d == "" || !allASCIIDigits(d) {
			return "", Invalid("symbol", "number %q is not digits, or digits between dots", p)
		}
	}
	if strings.Trim(p, "0.") == "" {
		return "", Invalid("symbol", "number must not be 0")
	}
	w.kept(fmt.Sprintf("number %s has dots", p))
	return p, nil
}

// splitQualifier takes a closing part in parentheses off p ("BCĐ (CAT-PC02)":
// the drafting unit, as some bodies write it), canonical inside (upper case,
// one space, no space around "-") and otherwise kept as written.
func splitQualifier(p string, w *irregularities) (string, string, error) {
	open := strings.IndexByte(p, '(')
	if open < 0 && !strings.Contains(p, ")") {
		return p, "", nil
	}
	if open < 0 || !strings.HasSuffix(p, ")") || strings.Count(p, "(") != 1 || strings.Count(p, ")") != 1 {
		return "", "", Invalid("symbol", "parentheses in %q: only one part in parentheses, closing the symbol", p)
	}
	before := strings.TrimSpace(p[:open])
	if before == "" {
		return "", "", Invalid("symbol", "nothing before %q in %q", "(", p)
	}
	inner := strings.Split(p[open+1:len(p)-1], "-")
	for i, g := range inner {
		g = strings.Join(strings.Fields(g), " ")
		if g == "" {
			return "", "", Invalid("symbol", "empty group in parentheses in %q", p)
		}
		for _, r := range g {
			if !unicode.Is(unicode.Latin, r) && !isASCIIDigit(r) && r != ' ' {
				return "", "", Invalid("symbol", "character %q in parentheses in %q: only letters and digits", r, p)
			}
		}
		inner[i] = upperCode(g)
	}
	q := "(" + strings.Join(inner, "-") + ")"
	w.kept(fmt.Sprintf("%s in parentheses", q))
	return before, q, nil
}

// joinGroups is the unit made of groups, upper-cased, as written.
func joinGroups(groups []string) string {
	u := make([]string, len(groups))
	for i, g := range groups {
		u[i] = upperCode(g)
	}
	return strings.Join(u, "-")
}

// joinUnit adds the qualifier to a unit: after a space, as String writes it.
func joinUnit(unit, qualifier string) string {
	if unit == "" || qualifier == "" {
		return unit + qualifier
	}
	return unit + " " + qualifier
}

// partyNumber recognises a Party document's số-LOẠI ("57-NQ" in 57-NQ/TW)
// in parts split at "/": digits, a dash, letters; only two parts.
func partyNumber(parts []string) (number, code string, ok bool) {
	if len(parts) != 2 {
		return "", "", false
	}
	number, code, ok = strings.Cut(parts[0], "-")
	number, code = strings.TrimSpace(number), strings.TrimSpace(code)
	if !ok || number == "" || !allASCIIDigits(number) || code == "" {
		return "", "", false
	}
	for _, r := range code {
		if !unicode.Is(unicode.Latin, r) {
			return "", "", false
		}
	}
	return number, code, true
}

// partyTypes are the Party's type codes beyond the state's table, for their
// spelling (Hướng dẫn 36-HD/VPTW): Kết luận, Quy định, Công văn.
var partyTypes = []string{"KL", "QĐi", "CV"}

// parseParty reads số-LOẠI/CƠQUAN[-ĐƠNVỊ]: 57-NQ/TW, 34-KL/TW, 139-TB/TU.
// A Party document is no state type: Type stays "", and Party holds the
// code (TT there is a thông tri, not a thông tư).
func parseParty(number, code, body string, w *irregularities) (Symbol, error) {
	var sym Symbol
	var err error
	if sym.Number, err = symbolNumber(number, w); err != nil {
		return Symbol{}, err
	}
	sym.Party = partyTypeCode(code)
	groups, qualifier, err := symbolGroups(body, w)
	if err != nil {
		return Symbol{}, err
	}
	sym.Issuer = upperCode(groups[0])
	sym.Unit = joinUnit(joinGroups(groups[1:]), qualifier)
	if len(groups) > 2 {
		w.kept(fmt.Sprintf("unit %s beyond số-LOẠI/CƠQUAN-ĐƠNVỊ", joinGroups(groups[1:])))
	}
	w.party = true
	return sym, nil
}

// partyTypeCode restores a code's spelling (QD -> QĐ, Ctr -> CTr, QDI ->
// QĐi) where one is known, and upper-cases it otherwise.
func partyTypeCode(code string) string {
	if t, ok := LookupDocType(code); ok {
		return t.Code
	}
	key := fold.String(code)
	for _, c := range partyTypes {
		if fold.String(c) == key {
			return c
		}
	}
	return upperCode(code)
}
