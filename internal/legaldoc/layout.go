package legaldoc

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/vnregistry/registry/internal/fold"
)

// layoutNumberRE is a number line as it opens a header cell: "Số: ...",
// "Nghị quyết số: ...". Narrower than numberRE: "Tổng số: 1.200" in a
// table of figures is no number line.
var layoutNumberRE = regexp.MustCompile(`^(?:(?:nghi quyet|luat|bo luat|phap lenh|lenh)\s+)?so\s*:`)

// IsLayoutLine reports whether line (one line of text) is one only the
// header or the signature block of an official document holds: the
// national motto, a number line, the recipients' heading ("Nơi nhận:"),
// or, in capitals, a capacity or a signer's title ("KT. CHỦ TỊCH", "PHÓ
// CHỦ TỊCH"). Documents published as HTML or DOCX lay these parts out in
// two-column tables: a table holding such a line is read cell by cell, as
// the columns of a page, not as rows of figures.
func IsLayoutLine(line string) bool {
	f := fold.String(line)
	if mottoRE.MatchString(f) || layoutNumberRE.MatchString(f) || recipientsRE.MatchString(f) {
		return true
	}
	return strings.IndexFunc(line, unicode.IsLower) < 0 && (capacityRE.MatchString(f) || titleRE.MatchString(f))
}
