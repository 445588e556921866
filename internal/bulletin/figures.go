package bulletin

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
)

// Patterns for figures in the folded text. Dates are day first; a count
// groups thousands with "." ("5.570"); a rate has a decimal comma ("83,8%").
const (
	datePattern = `(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?\b` +
		`|(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*,?\s*nam\s+(\d{4}))?\b`
	countPattern = `\d{1,3}(?:\.\d{3}){1,3}|\d{1,9}`
	ratePattern  = `\d{1,3}(?:,\d{1,4})?`
)

var (
	// monthRE is a reporting month: "tháng 3/2021", "Tháng 01/2021",
	// "tháng 3 năm 2021".
	monthRE = regexp.MustCompile(`\bthang\s+(\d{1,2})\s*(?:/|-|nam)\s*(\d{4})\b`)
	// inTheMonthRE is "trong tháng" with no month after it: the month is
	// said elsewhere, if at all.
	inTheMonthRE = regexp.MustCompile(`\btrong\s+thang\b(?:\s*[^\s\d]|\s*$)`)
)

// statedDate is a date as the text gives it; date is "" when the text gives
// no year, or an impossible day.
type statedDate struct {
	date    calendar.Date
	written string
	year    bool
}

// readDate reads the datePattern submatch whose first group is g in m, a
// match in the folded text from offset base. fallbackYear stands in when the text gives no year and
// the caller knows it for certain (a symbol that carries it), else it is 0.
func readDate(t *text, base int, m []int, g, fallbackYear int) statedDate {
	s := t.f[base:]
	if m[2*g] < 0 {
		g += 3 // the "ngày 05 tháng 3 năm 2020" alternative matched
	}
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	end := m[2*(g+1)+1]
	if m[2*(g+2)] >= 0 {
		end = m[2*(g+2)+1]
	}
	d := statedDate{written: t.orig(base+m[2*g], base+end), year: group(g+2) != ""}
	y := fallbackYear
	if d.year {
		y, _ = strconv.Atoi(group(g + 2))
	}
	day, _ := strconv.Atoi(group(g))
	month, _ := strconv.Atoi(group(g + 1))
	if y < 1945 || y > 2100 {
		return d
	}
	if date, err := calendar.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, month, day)); err == nil {
		d.date = date
	}
	return d
}

// readCount reads "5.570" as 5570.
func readCount(s string) (int, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ".", ""))
	return n, err == nil
}

// readRate reads "83,8" (percent) as the fraction 0.838. Dividing the digits
// by a power of ten gives the float nearest the printed decimal.
func readRate(s string) (float64, bool) {
	whole, frac, _ := strings.Cut(s, ",")
	digits, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	den := 100.0
	for range len(frac) {
		den *= 10
	}
	return float64(digits) / den, true
}

// readMonth reads a monthRE match as "2021-03", or "" for a month that does
// not exist.
func readMonth(s string, m []int) string {
	mm, _ := strconv.Atoi(s[m[2]:m[3]])
	y, _ := strconv.Atoi(s[m[4]:m[5]])
	if mm < 1 || mm > 12 || y < 1945 || y > 2100 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", y, mm)
}
