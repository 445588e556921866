package bulletin

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/calendar"
)

// Patterns for figures in the folded text. A count groups thousands with
// "." ("5.570"); a rate has a decimal comma ("83,8%").
const (
	countPattern = `\d{1,3}(?:\.\d{3}){1,3}|\d{1,9}`
	ratePattern  = `\d{1,3}(?:,\d{1,4})?`
)

var (
	// dateRE is a date, day first: "22/4/2021", "22-4-2021", "22.4.2021",
	// "ngày 22 tháng 4 năm 2021", "12 Tháng 3 2024" and "22 Tháng 4, 2024"
	// (as CMSs print them), "ngày 22/4", "chiều 12/9". Groups: "ngày"
	// or the part of the day; day, month,
	// year in figures; day, month, year in words.
	dateRE = regexp.MustCompile(`(?:\b(ngay|sang|chieu|toi|trua|hom)\s+)?\b(?:(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*,?\s*(?:nam\s+)?(\d{4}))?)\b`)
	// inThePeriodRE is "trong tháng" or "trong quý" with no number after
	// it, "trong cùng kỳ," or "trong cùng khoảng thời gian này": the
	// period is said elsewhere, if at all.
	inThePeriodRE = regexp.MustCompile(`\btrong\s+(?:thang|quy|ky)\b(?:\s*[^\s\d]|\s*$)|\b(?:trong\s+)?cung\s+ky\s*(?:,|$)` +
		`|\btrong\s+cung\s+(?:khoang\s+)?thoi\s+gian\b`)
)

// statedDate is a date as the text gives it; date is "" when the text gives
// no year and nothing around it does, or an impossible day.
type statedDate struct {
	date     calendar.Date
	written  string
	year     bool   // the text writes the year
	yearFrom string // where the year came from when it does not
}

// yearContext completes dates written without a year: the symbol's year,
// else a full date earlier in the sentence, else the page's own date, else
// the last full date before.
type yearContext struct {
	published calendar.Date
	full      []fullDate // in order of position
}

type fullDate struct {
	at   int // folded offset
	year int
}

func (c *yearContext) year(at, sentenceStart, symbolYear int) (int, string) {
	if symbolYear != 0 {
		return symbolYear, "the symbol's year"
	}
	if c == nil {
		return 0, ""
	}
	last := 0
	for _, d := range c.full {
		if d.at >= at {
			break
		}
		if d.at >= sentenceStart {
			return d.year, "the year of the date before it in the sentence"
		}
		last = d.year
	}
	if c.published != "" {
		return c.published.Year(), "the year of the page's date"
	}
	if last != 0 {
		return last, "the year of the last date before it"
	}
	return 0, ""
}

// dateAt returns the first date in [p, limit) that reads as a date: with
// "ngày", a year, or the month in words ("22 tháng 4"); bare "5/3" may be a
// ratio. sentenceStart bounds the context the year may come from.
func (t *text) dateAt(p, limit int, years *yearContext, symbolYear int) (b, e int, d statedDate, ok bool) {
	for _, m := range dateRE.FindAllStringSubmatchIndex(t.f[p:min(limit, p+160)], -1) {
		if m[2] < 0 && m[8] < 0 && m[14] < 0 && m[10] < 0 {
			continue
		}
		b, e = p+m[0], p+m[1]
		return b, e, t.readDate(b, m, p, years, symbolYear), true
	}
	return 0, 0, statedDate{}, false
}

// dateBefore returns the last date in [b, e) that reads as one.
func (t *text) dateBefore(b, e int, years *yearContext, symbolYear int) (statedDate, bool) {
	var found statedDate
	ok := false
	for p := b; p < e; {
		_, de, d, hit := t.dateAt(p, e, years, symbolYear)
		if !hit {
			break
		}
		found, ok, p = d, true, de
	}
	return found, ok
}

// readDate reads a dateRE match m found in the folded text from base; the
// match starts at b.
func (t *text) readDate(b int, m []int, base int, years *yearContext, symbolYear int) statedDate {
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return t.f[base+m[2*i] : base+m[2*i+1]]
	}
	g := 2
	if group(2) == "" {
		g = 5
	}
	from := base + m[2*g]
	d := statedDate{written: t.orig(from, base+m[1]), year: group(g+2) != ""}
	day, _ := strconv.Atoi(group(g))
	month, _ := strconv.Atoi(group(g + 1))
	y := 0
	if d.year {
		y, _ = strconv.Atoi(group(g + 2))
	} else {
		y, d.yearFrom = years.year(b, t.sentenceStart(b), symbolYear)
	}
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
