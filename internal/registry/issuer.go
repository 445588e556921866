package registry

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vnregistry/registry/internal/fold"
)

// issuerBody is an issuing body: its code in symbols, an English description
// for messages, and the names news uses for it.
type issuerBody struct {
	code, english string
	names         []string
}

// issuerBodies maps names as written to symbol issuer codes. There is no
// national table; these are the bodies whose names news prints. A People's
// Committee or Council of any level has the same code, so "UBND tỉnh",
// "UBND huyện" and "Ủy ban nhân dân xã" all match by their common prefix.
var issuerBodies = []issuerBody{
	{"TTg", "the Prime Minister", []string{"Thủ tướng Chính phủ", "Thủ tướng", "Phó Thủ tướng Chính phủ", "Phó Thủ tướng"}},
	{"CP", "the Government", []string{"Chính phủ"}},
	{"VPCP", "the Government Office", []string{"Văn phòng Chính phủ"}},
	{"BCĐCCHC", "the Government's Steering Committee for Administrative Reform", []string{
		"Ban Chỉ đạo cải cách hành chính của Chính phủ", "Ban Chỉ đạo cải cách hành chính Chính phủ"}},
	{"UBND", "a People's Committee", []string{"Ủy ban nhân dân", "UBND"}},
	{"HĐND", "a People's Council", []string{"Hội đồng nhân dân", "HĐND"}},
	{"TTPVHCC", "a Public Administration Service Centre", []string{"Trung tâm Phục vụ hành chính công"}},
	{"QH", "the National Assembly", []string{"Quốc hội"}},
	{"UBTVQH", "the Standing Committee of the National Assembly", []string{"Ủy ban Thường vụ Quốc hội"}},
	{"CTN", "the President", []string{"Chủ tịch nước"}},
	{"BNV", "the Ministry of Home Affairs", []string{"Bộ Nội vụ"}},
	{"BTC", "the Ministry of Finance", []string{"Bộ Tài chính"}},
	{"BKHĐT", "the Ministry of Planning and Investment", []string{"Bộ Kế hoạch và Đầu tư"}},
	{"BCA", "the Ministry of Public Security", []string{"Bộ Công an"}},
	{"BQP", "the Ministry of National Defence", []string{"Bộ Quốc phòng"}},
	{"BNG", "the Ministry of Foreign Affairs", []string{"Bộ Ngoại giao"}},
	{"BTP", "the Ministry of Justice", []string{"Bộ Tư pháp"}},
	{"BCT", "the Ministry of Industry and Trade", []string{"Bộ Công Thương"}},
	{"BYT", "the Ministry of Health", []string{"Bộ Y tế"}},
	{"BGDĐT", "the Ministry of Education and Training", []string{"Bộ Giáo dục và Đào tạo"}},
	{"BGTVT", "the Ministry of Transport", []string{"Bộ Giao thông vận tải"}},
	{"BXD", "the Ministry of Construction", []string{"Bộ Xây dựng"}},
	{"BTNMT", "the Ministry of Natural Resources and Environment", []string{"Bộ Tài nguyên và Môi trường"}},
	{"BTTTT", "the Ministry of Information and Communications", []string{"Bộ Thông tin và Truyền thông"}},
	{"BLĐTBXH", "the Ministry of Labour, Invalids and Social Affairs", []string{"Bộ Lao động - Thương binh và Xã hội"}},
	{"BVHTTDL", "the Ministry of Culture, Sports and Tourism", []string{"Bộ Văn hóa, Thể thao và Du lịch"}},
	{"BNNPTNT", "the Ministry of Agriculture and Rural Development", []string{"Bộ Nông nghiệp và Phát triển nông thôn"}},
	{"BKHCN", "the Ministry of Science and Technology", []string{"Bộ Khoa học và Công nghệ"}},
	{"NHNN", "the State Bank", []string{"Ngân hàng Nhà nước Việt Nam", "Ngân hàng Nhà nước"}},
	{"TTCP", "the Government Inspectorate", []string{"Thanh tra Chính phủ"}},
	{"UBDT", "the Committee for Ethnic Minority Affairs", []string{"Ủy ban Dân tộc"}},
	{"KTNN", "the State Audit Office", []string{"Kiểm toán Nhà nước"}},
	{"TANDTC", "the Supreme People's Court", []string{"Tòa án nhân dân tối cao"}},
	{"VKSNDTC", "the Supreme People's Procuracy", []string{"Viện kiểm sát nhân dân tối cao"}},
}

type issuerName struct{ key, code string }

// issuerNames holds every name folded, longest first: names match as
// prefixes, so the most specific name must be tried before any name that
// begins it.
var issuerNames = func() []issuerName {
	var names []issuerName
	for _, b := range issuerBodies {
		for _, n := range b.names {
			names = append(names, issuerName{fold.String(n), b.code})
		}
	}
	slices.SortStableFunc(names, func(a, b issuerName) int { return cmp.Compare(len(b.key), len(a.key)) })
	return names
}()

// IssuerCodeForName returns the symbol issuer code of a body named as news
// writes it, ignoring case and diacritics. A name matches when it is a known
// name or starts with one followed by more words ("UBND tỉnh Thái Bình").
func IssuerCodeForName(name string) (code string, ok bool) {
	key := fold.String(name)
	for _, n := range issuerNames {
		if key == n.key || strings.HasPrefix(key, n.key+" ") {
			return n.code, true
		}
	}
	return "", false
}

// IssuerDisagreement compares the issuer a text names with the one the symbol
// carries. It returns nil when they agree or the name is not in the table:
// an unknown name is not evidence of a disagreement.
func IssuerDisagreement(nameAsWritten string, sym Symbol) *Finding {
	code, ok := IssuerCodeForName(nameAsWritten)
	// Joint documents (TTLT-BTP-BNV) have several issuers, named together.
	if !ok || sym.Issuer == "" || issuerAgrees(code, sym.Issuer) || strings.Contains(sym.Issuer, "-") {
		return nil
	}
	return &Finding{
		Code:  FindingIssuerDisagreesWithSymbol,
		Field: "issuer",
		Message: fmt.Sprintf("the text names %q (%s) as the issuer, but the symbol %s says %s",
			strings.TrimSpace(nameAsWritten), describeIssuer(code), sym, describeIssuer(sym.Issuer)),
	}
}

// issuerAgrees also accepts an assembly's term number: "Quốc hội" is QH, and
// the symbol of a law says QH13.
func issuerAgrees(code, symbolIssuer string) bool {
	if code == symbolIssuer {
		return true
	}
	term, ok := strings.CutPrefix(symbolIssuer, code)
	return ok && (code == "QH" || code == "UBTVQH") && term != "" && allASCIIDigits(term)
}

// describeIssuer renders a code with its English description when known:
// "TTg, the Prime Minister".
func describeIssuer(code string) string {
	for _, b := range issuerBodies {
		if issuerAgrees(b.code, code) {
			return code + ", " + b.english
		}
	}
	return code
}

// IssuingBody identifies the body that issued a directive: with the year and
// the symbol, it is the directive's identity. It is the symbol's issuer code
// folded ("ttg"), unless the code is one every province, district and commune
// has (UBND, HĐND, TTPVHCC) and the issuer's name says which of them: every
// People's Council issues NQ-HĐND, so a commune's, "HĐND xã Chiềng Hặc", is
// "hdnd xa chieng hac", with "Hội đồng nhân dân" and "Ủy ban nhân dân" written
// short so the long and the short name meet. A name the table does not know,
// or one naming another body than the code, says nothing about which body it
// was (news credits the Government with the Prime Minister's decisions).
func IssuingBody(code, name string) string {
	body := fold.String(code)
	if !localCodes[code] {
		return body
	}
	key := fold.String(name)
	for _, n := range issuerNames {
		if key == n.key {
			break
		}
		rest, ok := strings.CutPrefix(key, n.key+" ")
		if !ok || n.code != code {
			continue
		}
		if rest = strings.Trim(rest, " ,.;:"); rest != "" {
			return body + " " + rest
		}
	}
	return body
}

// localCodes are the issuer codes of bodies that exist in every province,
// district or commune: the code alone does not say which one issued.
var localCodes = map[string]bool{"UBND": true, "HĐND": true, "TTPVHCC": true}
