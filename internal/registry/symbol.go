package registry

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/fold"
)

// DocType is a document type and its abbreviation in symbols (Decree
// 30/2020/NĐ-CP, Annex III). Normative types can be legal normative documents,
// whose symbols carry the year.
type DocType struct {
	Code, Name string
	Normative  bool
}

// docTypeTable holds the canonical codes. Laws are absent: their symbol
// (80/2015/QH13) has no type code.
var docTypeTable = []DocType{
	{"NQ", "Nghị quyết", true},
	{"QĐ", "Quyết định", true},
	{"CT", "Chỉ thị", false},
	{"QC", "Quy chế", false},
	{"QyĐ", "Quy định", false},
	{"TC", "Thông cáo", false},
	{"TB", "Thông báo", false},
	{"HD", "Hướng dẫn", false},
	{"CTr", "Chương trình", false},
	{"KH", "Kế hoạch", false},
	{"PA", "Phương án", false},
	{"ĐA", "Đề án", false},
	{"DA", "Dự án", false},
	{"BC", "Báo cáo", false},
	{"BB", "Biên bản", false},
	{"TTr", "Tờ trình", false},
	{"HĐ", "Hợp đồng", false},
	{"CĐ", "Công điện", false},
	{"BGN", "Bản ghi nhớ", false},
	{"BTT", "Bản thỏa thuận", false},
	{"GUQ", "Giấy ủy quyền", false},
	{"GM", "Giấy mời", false},
	{"GGT", "Giấy giới thiệu", false},
	{"GNP", "Giấy nghỉ phép", false},
	{"PG", "Phiếu gửi", false},
	{"PC", "Phiếu chuyển", false},
	{"PB", "Phiếu báo", false},
	{"NĐ", "Nghị định", true},
	{"TT", "Thông tư", true},
	// Joint documents of several issuers (23/2014/TTLT-BTP-BNV): Law 80/2015
	// no longer allows new ones, but those in force are cited every day.
	{"TTLT", "Thông tư liên tịch", true},
	{"NQLT", "Nghị quyết liên tịch", true},
	// The Assembly Standing Committee's ordinances (28/2005/PL-UBTVQH11).
	{"PL", "Pháp lệnh", true},
}

// yearOnlyTypes are codes read as types only in a symbol with a year: an
// ordinance's always carries one, and without a year "PL" has always read
// as a letter's issuer (12/PL-UBND), which stored keys depend on.
var yearOnlyTypes = map[string]bool{"PL": true}

// jointTypes name every issuer after the type: 23/2014/TTLT-BTP-BNV.
var jointTypes = map[string]bool{"TTLT": true, "NQLT": true}

// UntypedName names what symbols without a type code are: official letters
// (516/TTg-KSTT) and the Assembly's laws and resolutions (80/2015/QH13).
const UntypedName = "Công văn, luật (ký hiệu không có mã loại)"

// DocTypeName is the name of the type with canonical code, UntypedName for
// "", and "" for an unknown code.
func DocTypeName(code string) string {
	if code == "" {
		return UntypedName
	}
	for _, t := range docTypeTable {
		if t.Code == code {
			return t.Name
		}
	}
	return ""
}

// DocTypes returns the known document types; the caller may modify the slice.
func DocTypes() []DocType { return slices.Clone(docTypeTable) }

// LookupDocType finds a type by code: the exact canonical code first, then
// ignoring case, then ignoring case and diacritics (so "QD" is QĐ) but only
// when that finds a single type: "DÁ" could be DA (Dự án) or ĐA (Đề án).
// The look-alike Ð (U+00D0) is read as Đ throughout.
func LookupDocType(code string) (DocType, bool) {
	code = symbolLookAlikes.Replace(norm.NFKC.String(code))
	for _, t := range docTypeTable {
		if t.Code == code {
			return t, true
		}
	}
	for _, t := range docTypeTable {
		if strings.EqualFold(t.Code, code) {
			return t, true
		}
	}
	key := fold.String(code)
	var found DocType
	n := 0
	for _, t := range docTypeTable {
		if fold.String(t.Code) == key {
			found = t
			n++
		}
	}
	if n != 1 {
		return DocType{}, false
	}
	return found, true
}

// knownIssuers are issuer spellings worth restoring (case, đ); there is no
// national table, so anything else is only upper-cased.
var knownIssuers = []string{
	"TTg", "CP", "VPCP", "QH", "CTN", "UBND", "HĐND", "BCĐCCHC", "TTPVHCC",
	"BNV", "BTC", "BKHĐT", "BCA", "BQP", "BNG", "BTP", "BCT", "BYT", "BGDĐT",
	"BGTVT", "BXD", "BTNMT", "BTTTT", "BLĐTBXH", "BVHTTDL", "BNNPTNT",
	"BKHCN", "NHNN", "TTCP", "UBDT", "KTNN", "TANDTC", "VKSNDTC",
}

// Symbol is a document's number and symbol ("số, ký hiệu") in canonical form.
// It is unique only per issuer and year: 2503/QĐ-UBND exists in every province.
type Symbol struct {
	Number string // digits without leading zeros, below 10 padded to two: "01"
	Year   int    // 0 unless the symbol carries one (legal normative documents)
	Type   string // canonical type code ("QĐ"); "" for official letters and laws
	Issuer string // issuing body code, canonical spelling ("TTg", "QH13"); joint issuers "BTP-BNV"
	Unit   string // drafting unit ("KSTT" in 516/TTg-KSTT), "" when absent; groups beyond the grammar's kept as written
	// Party is a Party document's type code (NQ in 57-NQ/TW, KL in
	// 34-KL/TW), "" for the state's documents. Preambles cite Party
	// documents as bases; they are kept as relation targets, and registered
	// as directives only when given as such (see docs/design.md).
	Party string `bson:"party,omitempty"`
}

const (
	symbolMaxRunes = 64
	symbolMinYear  = 1945
	symbolMaxYear  = 2100
)

// symbolLookAlikes maps characters found in the wild to the ones the
// grammar uses: Ð/ð (eth) typed for Đ/đ, and dashes for the hyphen.
var symbolLookAlikes = strings.NewReplacer(
	"Ð", "Đ", "ð", "đ",
	"\u2010", "-", "\u2011", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-",
)

// ParseSymbol reads a number and symbol in any of the grammar's forms:
//
//	số/LOẠI-CƠQUAN[-ĐƠNVỊ]  administrative document  46/QĐ-BCĐCCHC
//	số/CƠQUAN[-ĐƠNVỊ]       official letter           516/TTg-KSTT
//	số/năm/LOẠI-CƠQUAN      legal normative document  61/2018/NĐ-CP
//	số/năm/QHnn             law                       80/2015/QH13
//	số-LOẠI/CƠQUAN          Party document            57-NQ/TW
//
// It accepts what appears in the wild (a "Số:" prefix, spaces around "/" and
// "-", dashes, lower case, QD for QĐ, Ð for Đ, 1 for 01) and returns the
// canonical form; the forms outside the grammar met in real listings are
// read too, canonicalised where a rule exists and kept as written otherwise
// (see ReadSymbol, which also says what was irregular). Errors are *Error
// for field "symbol".
func ParseSymbol(raw string) (Symbol, error) {
	sym, _, err := parseSymbol(raw)
	return sym, err
}

func parseSymbol(raw string) (Symbol, *irregularities, error) {
	w := &irregularities{}
	s, err := cleanSymbol(raw, w)
	if err != nil {
		return Symbol{}, nil, err
	}
	parts := strings.Split(s, "/")
	if len(parts) == 1 {
		if parts = restoreSlash(s, w); parts == nil {
			return Symbol{}, nil, Invalid("symbol", "no %q between number and symbol", "/")
		}
	}
	if len(parts) > 3 {
		return Symbol{}, nil, Invalid("symbol", "too many %q: expected số/KÝHIỆU or số/năm/KÝHIỆU", "/")
	}
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return Symbol{}, nil, Invalid("symbol", "empty group: nothing %s %q", emptyWhere(i), "/")
		}
		parts[i] = p
	}
	var sym Symbol
	if number, code, ok := partyNumber(parts); ok {
		sym, err = parseParty(number, code, parts[1], w)
	} else {
		sym, err = parseState(parts, w)
	}
	if err != nil {
		return Symbol{}, nil, err
	}
	// Padding the number can lengthen a symbol that was at the limit.
	if n := utf8.RuneCountInString(sym.String()); n > symbolMaxRunes {
		return Symbol{}, nil, Invalid("symbol", "too long: %d characters, at most %d", n, symbolMaxRunes)
	}
	return sym, w, nil
}

// cleanSymbol checks raw and brings it to the characters the grammar uses.
func cleanSymbol(raw string, w *irregularities) (string, error) {
	if !utf8.ValidString(raw) {
		return "", Invalid("symbol", "invalid UTF-8")
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Invalid("symbol", "empty")
	}
	if n := utf8.RuneCountInString(s); n > symbolMaxRunes {
		return "", Invalid("symbol", "too long: %d characters, at most %d", n, symbolMaxRunes)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "", Invalid("symbol", "control character %U", r)
	}
	// NFKC: full-width letters (Ｑ) and other compatibility forms are the
	// letters they stand for, not new ones.
	s = norm.NFKC.String(s)
	if strings.ContainsAny(s, "Ðð") {
		w.canonicalised("with the look-alike Ð (U+00D0, eth) for Đ")
	}
	if strings.Contains(s, "_") {
		w.canonicalised(`with "_" for "-"`)
		s = strings.ReplaceAll(s, "_", "-")
	}
	s = trimNumberPrefix(symbolLookAlikes.Replace(s))
	if s == "" {
		return "", Invalid("symbol", "empty after %q", "số")
	}
	return s, nil
}

// parseState reads the state's forms from parts split at "/" and trimmed.
func parseState(parts []string, w *irregularities) (Symbol, error) {
	for _, p := range parts[:len(parts)-1] {
		// The last part's groups are checked after splitting at "-",
		// around which spaces are allowed.
		if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
			return Symbol{}, Invalid("symbol", "space inside %q", p)
		}
	}
	var sym Symbol
	var err error
	if sym.Number, err = symbolNumber(parts[0], w); err != nil {
		return Symbol{}, err
	}
	groups, qualifier, err := symbolGroups(parts[len(parts)-1], w)
	if err != nil {
		return Symbol{}, err
	}
	if len(parts) == 3 {
		if sym.Year, err = symbolYear(parts[1]); err != nil {
			return Symbol{}, err
		}
		err = sym.setNormative(groups, w)
	} else {
		err = sym.setAdministrative(groups, w)
	}
	if err != nil {
		return Symbol{}, err
	}
	sym.Unit = joinUnit(sym.Unit, qualifier)
	return sym, nil
}

func emptyWhere(i int) string {
	if i == 0 {
		return "before"
	}
	return "after"
}

// trimNumberPrefix drops a leading "số" (any case or diacritics, as in the
// "Số: 46/QĐ-UBND" header line) when a separator or the number follows it.
func trimNumberPrefix(s string) string {
	r0, n0 := utf8.DecodeRuneInString(s)
	if r0 != 's' && r0 != 'S' {
		return s
	}
	r1, n1 := utf8.DecodeRuneInString(s[n0:])
	if fold.String(string(r1)) != "o" {
		return s
	}
	rest := s[n0+n1:]
	next, _ := utf8.DecodeRuneInString(rest)
	if next != ':' && !unicode.IsSpace(next) && !isASCIIDigit(next) {
		return s
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	rest = strings.TrimPrefix(rest, ":")
	return strings.TrimLeftFunc(rest, unicode.IsSpace)
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

func allASCIIDigits(s string) bool {
	for _, r := range s {
		if !isASCIIDigit(r) {
			return false
		}
	}
	return true
}

func symbolNumber(p string, w *irregularities) (string, error) {
	if !allASCIIDigits(p) {
		return dottedNumber(p, w)
	}
	n := strings.TrimLeft(p, "0")
	switch len(n) {
	case 0:
		return "", Invalid("symbol", "number must not be 0")
	case 1:
		return "0" + n, nil
	}
	return n, nil
}

func symbolYear(p string) (int, error) {
	if !allASCIIDigits(p) {
		return 0, Invalid("symbol", "year %q is not digits", p)
	}
	y, err := strconv.Atoi(p)
	if err != nil || len(p) != 4 || y < symbolMinYear || y > symbolMaxYear {
		return 0, Invalid("symbol", "year %s outside %d..%d", p, symbolMinYear, symbolMaxYear)
	}
	return y, nil
}

// symbolGroups splits the part after the last "/" at "-", after taking off
// a closing part in parentheses (the qualifier, "" when absent). Groups are
// codes: Latin letters and digits with at least one letter, so "46/2021" is
// not mistaken for a letter from an issuer called "2021"; spaces inside a
// group are kept as written, as one space.
func symbolGroups(p string, w *irregularities) ([]string, string, error) {
	p, qualifier, err := splitQualifier(p, w)
	if err != nil {
		return nil, "", err
	}
	groups := strings.Split(p, "-")
	for i, g := range groups {
		g = strings.Join(strings.Fields(g), " ")
		if err := checkGroup(g, p); err != nil {
			return nil, "", err
		}
		if strings.Contains(g, " ") {
			w.kept(fmt.Sprintf("group %q has spaces", upperCode(g)))
		}
		groups[i] = g
	}
	return groups, qualifier, nil
}

// checkGroup checks one group of p.
func checkGroup(g, p string) error {
	if g == "" {
		return Invalid("symbol", "empty group in %q", p)
	}
	letter := false
	for _, r := range g {
		switch {
		case unicode.Is(unicode.Latin, r):
			letter = true
		case !isASCIIDigit(r) && r != ' ':
			return Invalid("symbol", "character %q in group %q: only letters and digits", r, g)
		}
	}
	if !letter {
		return Invalid("symbol", "group %q has no letter", g)
	}
	return nil
}

// setAdministrative reads số/LOẠI-CƠQUAN[-ĐƠNVỊ], or a letter's
// số/CƠQUAN[-ĐƠNVỊ] when the first group is not a type code. Groups beyond
// the grammar's are kept as written, as the unit.
func (s *Symbol) setAdministrative(groups []string, w *irregularities) error {
	t, ok := LookupDocType(groups[0])
	if !ok || yearOnlyTypes[t.Code] {
		s.Issuer = canonicalIssuer(groups[0])
		s.Unit = joinGroups(groups[1:])
		if len(groups) > 2 {
			w.kept(fmt.Sprintf("unit %s beyond số/CƠQUAN-ĐƠNVỊ (%s is not a type code)", s.Unit, s.Issuer))
		}
		return nil
	}
	if len(groups) == 1 {
		return Invalid("symbol", "type %s without an issuer: expected số/LOẠI-CƠQUAN", t.Code)
	}
	s.Type = t.Code
	s.Issuer = canonicalIssuer(groups[1])
	s.Unit = joinGroups(groups[2:])
	if len(groups) > 3 {
		w.kept(fmt.Sprintf("unit %s beyond số/LOẠI-CƠQUAN-ĐƠNVỊ", s.Unit))
	}
	return nil
}

// setNormative reads số/năm/LOẠI-CƠQUAN or a law's số/năm/QHnn. An unknown
// type code, or groups beyond the grammar's, are kept as written.
func (s *Symbol) setNormative(groups []string, w *irregularities) error {
	if len(groups) == 1 {
		if isAssemblyCode(groups[0]) {
			s.Issuer = upperCode(groups[0])
			return nil
		}
		if t, ok := LookupDocType(groups[0]); ok {
			return Invalid("symbol", "type %s without an issuer: expected số/năm/LOẠI-CƠQUAN", t.Code)
		}
		return Invalid("symbol", "%q is neither LOẠI-CƠQUAN nor QHnn: expected số/năm/LOẠI-CƠQUAN", groups[0])
	}
	t, ok := LookupDocType(groups[0])
	switch {
	case !ok:
		s.Issuer = canonicalIssuer(groups[0])
		s.Unit = joinGroups(groups[1:])
		w.kept(fmt.Sprintf("%s-%s with a year, %s not a type code", s.Issuer, s.Unit, s.Issuer))
	case jointTypes[t.Code]:
		s.Type = t.Code
		issuers := make([]string, len(groups)-1)
		for i, g := range groups[1:] {
			issuers[i] = canonicalIssuer(g)
		}
		s.Issuer = strings.Join(issuers, "-")
	default:
		s.Type = t.Code
		s.Issuer = canonicalIssuer(groups[1])
		s.Unit = joinGroups(groups[2:])
		if s.Unit != "" {
			w.kept(fmt.Sprintf("unit %s beyond số/năm/LOẠI-CƠQUAN", s.Unit))
		}
	}
	return nil
}

// isAssemblyCode reports QHnn (National Assembly of a term) or UBTVQHnn (its
// Standing Committee): laws and their resolutions have no type code.
func isAssemblyCode(g string) bool {
	u := strings.ToUpper(g)
	u = strings.TrimPrefix(u, "UBTV")
	digits, ok := strings.CutPrefix(u, "QH")
	return ok && digits != "" && allASCIIDigits(digits)
}

// canonicalIssuer restores a known issuer's spelling when g matches it
// ignoring case and diacritics (TTG, Ttg -> TTg; HDND -> HĐND).
func canonicalIssuer(g string) string {
	key := fold.String(g)
	for _, k := range knownIssuers {
		if fold.String(k) == key {
			return k
		}
	}
	return upperCode(g)
}

// upperCode upper-cases rune by rune, so the length in runes is kept.
func upperCode(g string) string {
	return strings.Map(unicode.ToUpper, g)
}

// String returns the canonical form: "46/QĐ-BCĐCCHC", "516/TTg-KSTT",
// "61/2018/NĐ-CP", "80/2015/QH13", "57-NQ/TW"; a unit that is only a part
// in parentheses follows after a space: "12/BCĐ (CAT-PC02)".
func (s Symbol) String() string {
	var b strings.Builder
	b.WriteString(s.Number)
	if s.Party != "" {
		b.WriteByte('-')
		b.WriteString(s.Party)
	}
	b.WriteByte('/')
	if s.Year != 0 {
		b.WriteString(strconv.Itoa(s.Year))
		b.WriteByte('/')
	}
	sep := ""
	for _, g := range []string{s.Type, s.Issuer, s.Unit} {
		if g != "" {
			if sep != "" && strings.HasPrefix(g, "(") {
				sep = " "
			}
			b.WriteString(sep)
			b.WriteString(g)
			sep = "-"
		}
	}
	return b.String()
}

// Key is what lookups match on: the canonical form folded, so "QD-TTg" and
// "QĐ-TTg" meet, except that a type code keeps its đ where folding would make
// it another type's: HĐ (hợp đồng) is "hđ", never HD (hướng dẫn). No group
// can fold to a đ, so such a key meets no official letter either.
func (s Symbol) Key() string {
	t := s.Type
	s.Type = ""
	k := fold.String(s.String())
	if t == "" {
		return k
	}
	number, rest, _ := strings.Cut(k, "/")
	if s.Year != 0 {
		year, groups, _ := strings.Cut(rest, "/")
		return number + "/" + year + "/" + typeKeys[t] + "-" + groups
	}
	return number + "/" + typeKeys[t] + "-" + rest
}

// typeKeys is each type code's part of a Key: folded, or lower-cased with its
// đ when another code folds the same (HĐ and HD, ĐA and DA).
var typeKeys = func() map[string]string {
	folds := map[string]int{}
	for _, t := range docTypeTable {
		folds[fold.String(t.Code)]++
	}
	keys := make(map[string]string, len(docTypeTable))
	for _, t := range docTypeTable {
		keys[t.Code] = fold.String(t.Code)
		if folds[keys[t.Code]] > 1 {
			keys[t.Code] = strings.ToLower(t.Code)
		}
	}
	return keys
}()
