package bulletin

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/vnregistry/registry/internal/registry"
)

var (
	// totalRE is a resolved total: "giải quyết 5.570 hồ sơ", "đã giải quyết
	// xong 5.180 hồ sơ". A count followed by "trước hạn" and the like is a
	// part, not a total (checked by partAfterRE).
	totalRE = regexp.MustCompile(`\bgiai\s+quyet\s+(?:(?:duoc|xong|tong\s+so|tong\s+cong|tong|la)\s+)*(` + countPattern + `)\s+ho\s+so\b` +
		// "14.275 hồ sơ được giải quyết"
		`|\b(` + countPattern + `)\s+ho\s+so\s+(?:da\s+)?(?:duoc\s+)?giai\s+quyet\b`)
	partAfterRE = regexp.MustCompile(`^\s*(?:(?:duoc|da)\s+)?(?:truoc|dung|qua|tre)\s+han\b`)
	// notResolvedRE before "giải quyết" means dossiers in progress ("đang")
	// or pending ("chưa"), which are not a resolved total.
	notResolvedRE = regexp.MustCompile(`(?:^|[^a-z0-9])(?:dang|chua)\s+$`)
	// openRE starts the part of a report about open dossiers, whose "quá
	// hạn" counts overdue dossiers, not late resolutions.
	openRE = regexp.MustCompile(`\b(?:dang\s+giai\s+quyet|dang\s+xu\s+ly|chua\s+giai\s+quyet|con\s+ton|ton\s+dong|tiep\s+nhan|dang\s+trong\s+han|chua\s+den\s+han)\b`)

	// rateAfterRE is the rate printed after a count: ", đạt 83,8%",
	// "(16,2%)", ", chiếm tỷ lệ 0,8%".
	rateAfterRE = regexp.MustCompile(`^\s*(?:[,;]\s*)?(?:\(\s*)?(?:(?:dat|chiem)\s+)?(?:(?:ty|ti)\s+le\s+)?(` + ratePattern + `)\s*%`)
	// bothBeforeRE ends "trước và đúng hạn", a combined count that is
	// neither the early nor the on-time one.
	bothBeforeRE = regexp.MustCompile(`truoc(?:\s+han)?\s*(?:va|,)\s*$`)

	agencyHeads = newPhrases("Trung tâm", "Sở", "UBND", "Ủy ban nhân dân", "Bộ phận", "Văn phòng", "Phòng",
		"Chi cục", "Cục", "Ban quản lý", "Huyện", "Thị xã", "Thành phố", "Quận", "Công an", "Kho bạc",
		"Bảo hiểm xã hội", "Chi nhánh")
)

type partKind int

const (
	early partKind = iota
	onTime
	late
	partKinds
)

// partREs find a part's count after its kind ("trước hạn 4.671 hồ sơ",
// "đúng hạn là 899 hồ sơ") or before it ("1.119 hồ sơ giải quyết đúng hạn").
var partREs = func() [partKinds][]*regexp.Regexp {
	kinds := [partKinds]string{`truoc\s+han`, `dung\s+han`, `(?:qua|tre)\s+han`}
	var res [partKinds][]*regexp.Regexp
	for k, kind := range kinds {
		res[k] = []*regexp.Regexp{
			regexp.MustCompile(`\b(?:` + kind + `)\s+(?:(?:la|duoc|co)\s+)?:?\s*(` + countPattern + `)\s+ho\s+so\b`),
			regexp.MustCompile(`\b(` + countPattern + `)\s+ho\s+so\s+(?:(?:duoc|da)\s+)?(?:giai\s+quyet\s+)?(?:` + kind + `)\b`),
		}
	}
	return res
}()

// part is a count with the rate printed after it, if any, or a rate
// printed without its count ("tỷ lệ trước hạn đạt 88,6%").
type part struct {
	count *int
	rate  *float64
	none  bool // "không có hồ sơ quá hạn": a count of 0 stated in words
}

var (
	// rateOnlyREs find a part's rate given without its count.
	rateOnlyREs = func() [partKinds]*regexp.Regexp {
		kinds := [partKinds]string{`truoc\s+han`, `dung\s+han`, `(?:qua|tre)\s+han`}
		var res [partKinds]*regexp.Regexp
		for k, kind := range kinds {
			// "tỷ lệ trước hạn đạt 90%", "quá hạn chiếm tỷ lệ 0,5%",
			// "đúng hạn 9,5%".
			res[k] = regexp.MustCompile(`\b(?:(?:ty|ti)\s+le\s+(?:ho\s+so\s+)?(?:giai\s+quyet\s+)?)?(?:` + kind +
				`)\s+(?:(?:dat|la|chiem)\s+)?(?:(?:ty|ti)\s+le\s+)?(?:la\s+)?(` + ratePattern + `)\s*%`)
		}
		return res
	}()
	// noneRE says a part is zero: "không có hồ sơ quá hạn".
	noneRE = func() [partKinds]*regexp.Regexp {
		kinds := [partKinds]string{`truoc\s+han`, `dung\s+han`, `(?:qua|tre)\s+han`}
		var res [partKinds]*regexp.Regexp
		for k, kind := range kinds {
			res[k] = regexp.MustCompile(`\bkhong\s+co\s+ho\s+so\s+(?:nao\s+)?(?:giai\s+quyet\s+)?(?:` + kind + `)\b`)
		}
		return res
	}()
)

// parts finds the first count of each kind in the folded range [b, e).
func (t *text) parts(b, e int) [partKinds]*part {
	var found [partKinds]*part
	for k := range partKinds {
		best := -1
		for _, re := range partREs[k] {
			for _, m := range re.FindAllStringSubmatchIndex(t.f[b:e], -1) {
				if best >= 0 && b+m[0] >= best {
					break
				}
				// "trước và đúng hạn 290 hồ sơ", "290 hồ sơ trước và đúng
				// hạn": the words before "đúng hạn" itself.
				kind := b + m[0] + strings.LastIndex(t.f[b+m[0]:b+m[1]], "dung")
				if partKind(k) == onTime && bothBeforeRE.MatchString(t.f[max(b, kind-lookbackBytes):kind]) {
					continue
				}
				n, ok := readCount(t.f[b+m[2] : b+m[3]])
				if !ok {
					continue
				}
				p := &part{count: &n}
				if r := rateAfterRE.FindStringSubmatch(t.ahead(b+m[1], e, 64)); r != nil {
					if v, ok := readRate(r[1]); ok {
						p.rate = &v
					}
				}
				found[k], best = p, b+m[0]
				break
			}
		}
		if found[k] != nil {
			continue
		}
		if m := rateOnlyREs[k].FindStringSubmatchIndex(t.f[b:e]); m != nil && !bothBeforeRE.MatchString(t.f[max(b, b+m[2]-lookbackBytes):b+m[2]]) {
			if v, ok := readRate(t.f[b+m[2] : b+m[3]]); ok {
				found[k] = &part{rate: &v}
			}
		} else if noneRE[k].MatchString(t.f[b:e]) {
			found[k] = &part{count: new(0), none: true}
		}
	}
	return found
}

// total is a resolved total found in a sentence.
type total struct {
	b, e, count int
}

func (t *text) totals(s sentence) []total {
	var out []total
	for _, m := range totalRE.FindAllStringSubmatchIndex(t.f[s.b:s.e], -1) {
		b, e := s.b+m[0], s.b+m[1]
		if notResolvedRE.MatchString(t.f[max(s.b, b-lookbackBytes):b]) || partAfterRE.MatchString(t.ahead(e, s.e, 64)) {
			continue
		}
		g := 2
		if m[2] < 0 {
			g = 4
		}
		if n, ok := readCount(t.f[s.b+m[g] : s.b+m[g+1]]); ok {
			out = append(out, total{b, e, n})
		}
	}
	return out
}

// reports extracts the statistics reports of the text, one per resolved
// total.
func (t *text) reports(sents []sentence, source string, years *yearContext) []registry.Report {
	c := reportContext{sents: sents, totals: make([][]total, len(sents)), periods: make([][]periodHit, len(sents)), years: years}
	for i, s := range sents {
		c.totals[i] = t.totals(s)
		c.periods[i] = t.periodsIn(s, years)
	}
	var out []registry.Report
	var covered [][2]int // what reports used, in the folded text
	use := func(r registry.Report) {
		out = append(out, r)
		b, _ := slices.BinarySearch(t.pos, r.Provenance.Offset)
		e, _ := slices.BinarySearch(t.pos, r.Provenance.Offset+r.Provenance.Length)
		covered = append(covered, [2]int{b, e})
	}
	for i := range sents {
		for k := range c.totals[i] {
			use(t.report(&c, i, k, source))
		}
	}
	for _, r := range t.tableReports(&c, source) {
		// A row of totals restating a report the text gives is that report.
		if !slices.ContainsFunc(out, func(o registry.Report) bool { return sameFigures(o, r) }) {
			use(r)
		}
	}
	// Parts without a total ("Sở Y tế giải quyết trước hạn 1.204 hồ sơ,
	// đúng hạn 37 hồ sơ"), in clauses no report used.
	for i, s := range sents {
		if len(c.totals[i]) > 0 || t.isRow(s) {
			continue
		}
		for cb := s.b; cb < s.e; {
			ce := strings.Index(t.f[cb:s.e], "; ")
			if ce < 0 {
				ce = s.e
			} else {
				ce += cb
			}
			if !slices.ContainsFunc(covered, func(r [2]int) bool { return cb < r[1] && r[0] < ce }) {
				if r, ok := t.partsReport(&c, i, cb, ce, source); ok {
					out = append(out, r)
				}
			}
			cb = ce + len("; ")
		}
	}
	return out
}

// sameFigures reports whether two reports give the same period and
// counts.
func sameFigures(a, b registry.Report) bool {
	eq := func(x, y *int) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Period == b.Period && eq(a.Resolved, b.Resolved) && eq(a.Early, b.Early) && eq(a.OnTime, b.OnTime) && eq(a.Late, b.Late)
}

// openAt returns where the text about open dossiers starts in [b, e), or
// -1; a capitalised phrase is a name ("Bộ phận Tiếp nhận và trả kết quả").
func (t *text) openAt(b, e int) int {
	for _, m := range openRE.FindAllStringIndex(t.f[b:e], -1) {
		if !unicode.IsUpper(firstRune(t.orig(b+m[0], b+m[1]))) {
			return b + m[0]
		}
	}
	return -1
}

// partsReport is the report of a clause [cb, ce) of sentence i that gives
// parts (with a count in figures) but no total.
func (t *text) partsReport(c *reportContext, i, cb, ce int, source string) (registry.Report, bool) {
	partsEnd := ce
	if o := t.openAt(cb, ce); o >= 0 {
		partsEnd = o
	}
	found := t.parts(cb, partsEnd)
	// "X là đơn vị duy nhất không có hồ sơ quá hạn" states no results.
	if !slices.ContainsFunc(found[:], func(p *part) bool { return p != nil && p.count != nil && !p.none }) {
		return registry.Report{}, false
	}
	r := registry.Report{}
	setParts(&r, found)
	end := total{b: ce, e: ce}
	if p, _, ok := t.period(c, i, end, ce); ok {
		r.Period, r.PeriodType = p.code, p.typ
	}
	first := 0
	if cb > c.sents[i].b {
		first = 1 // a later clause does not look into earlier sentences
	}
	if name, _, ok := t.agency(c, i, first, cb, ce); ok {
		r.AgencyName = name
	}
	return t.finish(r, cb, ce, source), true
}

// finish sets a report's provenance, key and findings from its excerpt.
func (t *text) finish(r registry.Report, b, e int, source string) registry.Report {
	sp := t.span(trimExcerpt(t.f, b, e))
	r.Provenance = registry.Provenance{Source: source, Excerpt: sp.Sentence, Offset: sp.Offset, Length: sp.Length}
	r.Key = registry.ReportKey(r.AgencyName, r.Period, r.Provenance.Excerpt)
	r.Findings = registry.CheckReport(&r)
	return r
}

// reportContext is what reports need to know about the other sentences.
type reportContext struct {
	sents   []sentence
	totals  [][]total
	periods [][]periodHit
	years   *yearContext
}

// report reads the k-th total of sentence i. Its parts follow in the same
// clause or in the next sentences of the paragraph ("... giải quyết 6.164
// hồ sơ. Trong đó, ..."); its month and agency come from the sentence, or
// from earlier sentences of the paragraph ("Trong tháng, đã giải quyết").
// The excerpt covers everything used.
func (t *text) report(c *reportContext, i, k int, source string) registry.Report {
	s, tots := c.sents[i], c.totals[i]
	tot, last := tots[k], k == len(tots)-1
	segStart, segEnd := s.b, s.e
	if k > 0 {
		segStart = t.clauseBreak(tots[k-1], tot)
	}
	if !last {
		segEnd = t.clauseBreak(tot, tots[k+1])
	}
	partsEnd, open := segEnd, false
	if o := t.openAt(tot.e, segEnd); o >= 0 {
		partsEnd, open = o, true
	}
	found := t.parts(tot.e, partsEnd)
	excerptB, excerptE := segStart, segEnd
	if last && !open {
		excerptE = t.continueParts(c, i, &found)
	}

	r := registry.Report{Resolved: &tot.count}
	setParts(&r, found)

	// What was used from before the excerpt takes it back to the start of
	// that sentence.
	cover := func(from int) {
		if from < excerptB {
			excerptB = from
			if from >= s.b {
				excerptB = s.b
			}
		}
	}
	if p, from, ok := t.period(c, i, tot, segEnd); ok {
		r.Period, r.PeriodType = p.code, p.typ
		cover(from)
	}
	if name, from, ok := t.agency(c, i, k, segStart, tot.b); ok {
		r.AgencyName = name
		cover(from)
	}

	sp := t.span(trimExcerpt(t.f, excerptB, excerptE))
	r.Provenance = registry.Provenance{Source: source, Excerpt: sp.Sentence, Offset: sp.Offset, Length: sp.Length}
	r.Key = registry.ReportKey(r.AgencyName, r.Period, r.Provenance.Excerpt)
	r.Findings = registry.CheckReport(&r)
	return r
}

// continueParts adds the parts of the sentences after sentence i in its
// paragraph that carry parts but no total of their own, and returns where
// the last one used ends.
func (t *text) continueParts(c *reportContext, i int, found *[partKinds]*part) int {
	sents := c.sents
	end := sents[i].e
	for j := i + 1; j < len(sents) && sents[j].para == sents[i].para && len(c.totals[j]) == 0; j++ {
		s := sents[j]
		partsEnd, open := s.e, false
		if o := t.openAt(s.b, s.e); o >= 0 {
			partsEnd, open = o, true
		}
		added := false
		for k, p := range t.parts(s.b, partsEnd) {
			switch {
			case p == nil:
			case found[k] == nil:
				found[k], added = p, true
			case found[k].rate == nil && p.count == nil:
				// "... quá hạn 10 hồ sơ. Số hồ sơ quá hạn chiếm tỷ lệ 0,69%".
				found[k].rate, added = p.rate, true
			}
		}
		if !added {
			break
		}
		end = s.e
		if open {
			break
		}
	}
	return end
}

// clauseBreak is where the clause of total b starts, after total a in the
// same sentence: at the last "; " between them, else the last ", " (a
// decimal comma has no space after it), else at b itself.
func (t *text) clauseBreak(a, b total) int {
	between := t.f[a.e:b.b]
	for _, sep := range []string{"; ", ", ", " va "} {
		if i := strings.LastIndex(between, sep); i >= 0 {
			return a.e + i
		}
	}
	return b.b
}

func setParts(r *registry.Report, found [partKinds]*part) {
	counts := [partKinds]**int{&r.Early, &r.OnTime, &r.Late}
	rates := [partKinds]**float64{&r.EarlyRate, &r.OnTimeRate, &r.LateRate}
	for k, p := range found {
		if p != nil {
			*counts[k] = p.count
			*rates[k] = p.rate
		}
	}
}

// periodHit is a period stated in a sentence, at [b, e) of the folded
// text; code is "" for one that does not exist ("quý V/2022").
type periodHit struct {
	b, e int
	code string
	typ  registry.PeriodType
}

// periodRE is a span a report covers, the longest reading first at each
// position: "6 tháng đầu năm 2022" before "năm 2022".
var periodRE = regexp.MustCompile(`\b(?:` +
	`(tu\s+dau\s+nam\s+(?:nay\s+)?(?:den|toi)\s+(?:nay|(?:het\s+)?thang\s+(\d{1,2})(?:\s*[/-]\s*(\d{4}))?))` + // 1-3
	`|((?:6|sau)\s+thang\s+(dau|cuoi)\s+nam(?:\s+(\d{4}))?)` + // 4-6
	`|((?:9|chin)\s+thang(?:\s+dau)?\s+nam(?:\s+(\d{4}))?)` + // 7-8
	`|(quy\s+([ivx]+|\d)(?:\s*(?:/|-|nam)\s*(\d{4}))?)` + // 9-11
	`|(thang\s+(\d{1,2})\s*(?:/|-|nam)\s*(\d{4}))` + // 12-14
	`|((?:ca\s+)?nam\s+(\d{4}))` + // 15-16
	`)\b`)

var romanQuarters = map[string]int{"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

// periodsIn returns the periods stated in s, in order, except inside a date
// ("ngày 30 tháng 12 năm 2022" is a day, not a month).
func (t *text) periodsIn(s sentence, years *yearContext) []periodHit {
	var out []periodHit
	f := t.f[s.b:s.e]
	dates := dateRE.FindAllStringIndex(f, -1)
	for _, m := range periodRE.FindAllStringSubmatchIndex(f, -1) {
		if slices.ContainsFunc(dates, func(d []int) bool {
			return m[0] < d[1] && d[0] < m[1] && strings.Contains(f[d[0]:d[1]], "thang")
		}) {
			continue
		}
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return f[m[2*i]:m[2*i+1]]
		}
		at := s.b + m[0]
		year := func(i int) int {
			if y, err := strconv.Atoi(g(i)); err == nil {
				return y
			}
			y, _ := years.year(at, s.b, 0)
			return y
		}
		h := periodHit{b: at, e: s.b + m[1]}
		code := ""
		switch {
		case g(1) != "":
			h.typ = registry.PeriodYearToDate
			to := ""
			switch {
			case g(2) != "":
				mm, _ := strconv.Atoi(g(2))
				to = fmt.Sprintf("%04d-%02d", year(3), mm)
			case years != nil && years.published != "":
				to = string(years.published)[:7]
			}
			if to != "" {
				code = to[:4] + "-01/" + to
			}
		case g(4) != "":
			h.typ = registry.PeriodHalfYear
			half := "H1"
			if g(5) == "cuoi" {
				half = "H2"
			}
			code = fmt.Sprintf("%04d-%s", year(6), half)
		case g(7) != "":
			h.typ = registry.PeriodNineMonths
			code = fmt.Sprintf("%04d-9M", year(8))
		case g(9) != "":
			h.typ = registry.PeriodQuarter
			code = fmt.Sprintf("%04d-Q%d", year(11), romanQuarters[g(10)])
		case g(12) != "":
			h.typ = registry.PeriodMonth
			mm, _ := strconv.Atoi(g(13))
			code = fmt.Sprintf("%s-%02d", g(14), mm)
		default:
			h.typ = registry.PeriodYear
			code = g(16)
		}
		if _, err := registry.ParsePeriod(code); err == nil {
			h.code = code
		}
		out = append(out, h)
	}
	return out
}

// period finds the report's period: the last stated before its total in
// its sentence, else the first after it before segEnd; else, when the
// sentence says "trong tháng" or "trong quý" without one, the one period
// stated by the nearest earlier sentence of the paragraph that states any
// (not past another report's sentence). It also returns where what it used
// starts: the period, or the earlier sentence.
func (t *text) period(c *reportContext, i int, tot total, segEnd int) (periodHit, int, bool) {
	sents, periods := c.sents, c.periods
	s, hits := sents[i], periods[i]
	// Hits do not overlap, so their ends increase with their starts.
	if k := sort.Search(len(hits), func(k int) bool { return hits[k].e > tot.b }); k > 0 {
		return hits[k-1], hits[k-1].b, true
	}
	if k := sort.Search(len(hits), func(k int) bool { return hits[k].b >= tot.e }); k < len(hits) && hits[k].e <= segEnd {
		return hits[k], hits[k].b, true
	}
	if !inThePeriodRE.MatchString(t.f[max(s.b, tot.b-maxClauseBytes):tot.b]) {
		return periodHit{}, 0, false
	}
	for j := i - 1; j >= 0 && sents[j].para == s.para; j-- {
		if len(periods[j]) == 0 {
			continue
		}
		p := periods[j][0]
		for _, h := range periods[j] {
			if h.code != p.code {
				return periodHit{}, 0, false // two periods: which one is meant is not said
			}
		}
		return p, sents[j].b, true
	}
	return periodHit{}, 0, false
}

// agency finds the agency named before the total in its segment of the
// sentence; for a sentence's first total, else in the nearest earlier
// sentence of the paragraph that names one (not past another report's
// sentence). It returns the name as written and where it starts, or where
// the earlier sentence starts.
func (t *text) agency(c *reportContext, i, k, segStart, limit int) (string, int, bool) {
	sents := c.sents
	if b, e, ok := t.lastAgency(segStart, limit); ok {
		return t.orig(b, e), b, true
	}
	if k > 0 {
		return "", 0, false
	}
	for j := i - 1; j >= 0 && sents[j].para == sents[i].para && len(c.totals[j]) == 0; j-- {
		if b, e, ok := t.findAgency(sents[j].b, sents[j].e); ok {
			return t.orig(b, e), sents[j].b, true
		}
	}
	return "", 0, false
}

// findAgency returns the first agency named in [b, e): a head word
// ("Trung tâm", "Sở", "UBND"...) followed by at least one more word.
func (t *text) findAgency(b, e int) (int, int, bool) {
	for i := b; i < e; i++ {
		if i > b && isWordByte(t.f[i-1]) || !isWordByte(t.f[i]) {
			continue
		}
		he := agencyHeads.at(t, i, e)
		if he < 0 {
			continue
		}
		if ne, ok := t.nameEnd(i, e); ok && ne > he {
			return i, ne, true
		}
	}
	return 0, 0, false
}

// lastAgency returns the last agency named in [b, e): the one nearest a
// total ("Cũng theo Văn phòng UBND tỉnh, tháng 3/2021, Trung tâm ... đã
// giải quyết").
func (t *text) lastAgency(b, e int) (int, int, bool) {
	fb, fe, found := 0, 0, false
	for p := b; p < e; {
		nb, ne, ok := t.findAgency(p, e)
		if !ok {
			break
		}
		fb, fe, found, p = nb, ne, true, ne
	}
	return fb, fe, found
}

func isWordByte(c byte) bool { return isASCIIAlnum(c) || c >= 0x80 }

// trimExcerpt drops white space and the separators left at either end of
// an excerpt cut at a clause of a sentence with several totals.
func trimExcerpt(f string, b, e int) (int, int) {
	isSep := func(c byte) bool { return c == ',' || c == ';' || c == ' ' || c == '\n' }
	for b < e && isSep(f[b]) {
		b++
	}
	for e > b && isSep(f[e-1]) {
		e--
	}
	return b, e
}
