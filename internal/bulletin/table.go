package bulletin

import (
	"regexp"
	"slices"
	"strings"

	"github.com/vnregistry/registry/internal/registry"
)

// Tables of figures, as HTMLText and DOCXText lay them out: a row a line,
// cells separated by "|", merged cells repeated in each column and row
// they cover. A table is read by what its header says of each column, the
// header being the rows above the first row of figures however they are
// typed (<th>, <thead>, or bold cells in the first <tbody> row), a merged
// heading ("Kết quả giải quyết" over Trước hạn, Đúng hạn, Quá hạn) read
// with the one under it. Columns of row numbers ("TT", "STT"), of what is
// not a resolved count (received, pending, notes) and column-number rows
// ("(1) | (2)") are left aside.

// column is what a table's column holds.
type column int

const (
	otherColumn column = iota
	rowNumberColumn
	agencyColumn
	resolvedColumn
	countColumn // + partKind: early, onTime, late
	rateColumn  = countColumn + column(partKinds)
)

var (
	// rowNumberRE heads a column of row numbers.
	rowNumberRE = regexp.MustCompile(`^(?:s\s*tt|tt|so\s+tt|so\s+thu\s+tu|stt\.?|#)$`)
	// asideRE heads a column of something else than dossiers resolved:
	// received, pending, carried over, online, notes.
	asideRE        = regexp.MustCompile(`\b(?:tiep\s+nhan|dang\s+(?:giai\s+quyet|xu\s+ly)|chua\s+(?:giai\s+quyet|den\s+han)|ton\b|ky\s+truoc|chuyen\s+sang|truc\s+tuyen|ghi\s+chu|trong\s+han|rut|tra\s+lai|bo\s+sung)`)
	rateWordRE     = regexp.MustCompile(`\b(?:ty|ti)\s+le\b|%`)
	resolvedWordRE = regexp.MustCompile(`\bgiai\s+quyet\b|\btong\s+so\b|\btong\b|\bda\s+xu\s+ly\b`)
	kindWordREs    = [partKinds]*regexp.Regexp{
		regexp.MustCompile(`\btruoc\s+han\b`), regexp.MustCompile(`\bdung\s+han\b`), regexp.MustCompile(`\b(?:qua|tre)\s+han\b`),
	}
	// bothKindsRE heads a column of early and on-time together.
	bothKindsRE = regexp.MustCompile(`\btruoc(?:\s+han)?\s*(?:va|,|/)\s*dung\s+han\b`)
	// totalRowRE names a row of totals.
	totalRowRE = regexp.MustCompile(`^(?:tong\s+cong|tong\s+so|tong|cong|toan\s+tinh|chung)\s*:?$`)
	// columnNumbersRE is a cell of a row numbering the columns: "(1)",
	// "3=4+5".
	columnNumbersRE = regexp.MustCompile(`^\(?[0-9a-z]{1,2}\)?(?:\s*=\s*[()0-9a-z+\s]+)?$`)

	countRE = regexp.MustCompile(`^(?:` + countPattern + `)$`)
	// rateCellRE is a rate in a cell: "97,7", "97,7%", or "97.7" under a
	// header that says the column holds rates.
	rateCellRE = regexp.MustCompile(`^(\d{1,3}(?:[,.]\d{1,4})?)\s*%?$`)
)

// columnOf reads what a column holds from its header, folded.
func columnOf(h string) column {
	h = strings.TrimSpace(h)
	switch {
	case h == "":
		return otherColumn
	case rowNumberRE.MatchString(h):
		return rowNumberColumn
	case asideRE.MatchString(h) || bothKindsRE.MatchString(h):
		return otherColumn
	}
	rate := rateWordRE.MatchString(h)
	for k, re := range kindWordREs {
		if re.MatchString(h) {
			if rate {
				return rateColumn + column(k)
			}
			return countColumn + column(k)
		}
	}
	if !rate && resolvedWordRE.MatchString(h) {
		return resolvedColumn
	}
	return otherColumn
}

// isRow reports whether sentence s is a row of a table: a line of cells.
func (t *text) isRow(s sentence) bool {
	return strings.Contains(t.f[s.b:s.e], " | ")
}

// cells splits a table row at "|" into folded ranges, spaces trimmed.
func (t *text) cells(s sentence) [][2]int {
	var out [][2]int
	b := s.b
	for {
		i := strings.IndexByte(t.f[b:s.e], '|')
		e := s.e
		if i >= 0 {
			e = b + i
		}
		cb, ce := trimRange(t.f, b, e)
		out = append(out, [2]int{cb, ce})
		if i < 0 {
			return out
		}
		b = e + 1
	}
}

// isFigure reports whether a cell holds a number, as figures do.
func isFigure(cell string) bool {
	return countRE.MatchString(cell) || rateCellRE.MatchString(cell)
}

// tableReports reads tables of figures: the header rows above the first
// row of figures name the columns; each row after them is one agency's
// report, a row of totals that of the agency the table breaks down (the
// introducing sentence names it). The period is the one the sentence
// introducing the table, or its caption, states.
func (t *text) tableReports(c *reportContext, source string) []registry.Report {
	var out []registry.Report
	for i := 0; i < len(c.sents); i++ {
		if !t.isRow(c.sents[i]) {
			continue
		}
		j := i
		for j < len(c.sents) && t.isRow(c.sents[j]) {
			j++
		}
		out = append(out, t.table(c, i, j, source)...)
		i = j
	}
	return out
}

// table reads the rows sentences [from, to) hold.
func (t *text) table(c *reportContext, from, to int, source string) []registry.Report {
	var out []registry.Report
	var header [][][2]int // the rows above the figures: their cells
	var cols []tableColumn
	intro := t.tableIntro(c, from)
	for i := from; i < to; i++ {
		row := c.sents[i]
		cells := t.cells(row)
		folded := make([]string, len(cells))
		figures := 0
		for k, cl := range cells {
			folded[k] = t.f[cl[0]:cl[1]]
			if isFigure(folded[k]) {
				figures++
			}
		}
		switch {
		case isColumnNumbers(folded):
			continue
		case cols == nil && figures == 0:
			header = append(header, cells)
			continue
		case cols == nil && len(header) == 0:
			return nil // figures without a header say nothing of what they count
		case cols == nil:
			cols = t.headerColumns(header, len(cells), c.years)
		}
		if len(cells) != len(cols) {
			continue
		}
		for _, r := range t.tableRow(cells, cols, intro) {
			out = append(out, t.finish(r, row.b, row.e, source))
		}
	}
	return out
}

// tableIntro is what the sentences introducing a table (its caption,
// "Kết quả giải quyết hồ sơ của <agency> trong <period> như sau:", two
// sentences back at most) say of all its rows.
type tableIntro struct {
	period periodHit
	// agency is the agency whose figures the table breaks down: named
	// before the period in the sentence stating it; "" when none is.
	agency string
}

func (t *text) tableIntro(c *reportContext, first int) tableIntro {
	for j := first - 1; j >= max(0, first-2); j-- {
		if n := len(c.periods[j]); n > 0 {
			in := tableIntro{period: c.periods[j][n-1]}
			if b, e, ok := t.lastAgency(c.sents[j].b, in.period.b); ok {
				in.agency = t.orig(b, e)
			}
			return in
		}
	}
	return tableIntro{}
}

// isColumnNumbers reports whether a row numbers the columns: "(1) | (2)".
func isColumnNumbers(cells []string) bool {
	numbered := 0
	for _, c := range cells {
		if c != "" && !columnNumbersRE.MatchString(c) {
			return false
		}
		if strings.HasPrefix(c, "(") || strings.Contains(c, "=") {
			numbered++
		}
	}
	return numbered > 0
}

// tableColumn is what a column holds, and the period its heading states
// ("Quý II/2024" over Đã giải quyết, Trước hạn ...), if any.
type tableColumn struct {
	kind   column
	period periodHit
}

// headerColumns reads the columns of n cells from the header rows above
// them: each column's headings from top to bottom, a merged one once.
// Rows of another width than the figures' are left aside, but the last.
// The agency is the first column of text that is neither row numbers
// nor figures.
func (t *text) headerColumns(header [][][2]int, n int, years *yearContext) []tableColumn {
	cols := make([]tableColumn, n)
	for k := range n {
		var cells [][2]int
		for _, row := range header {
			if len(row) == n && (len(cells) == 0 || t.f[cells[len(cells)-1][0]:cells[len(cells)-1][1]] != t.f[row[k][0]:row[k][1]]) {
				cells = append(cells, row[k])
			}
		}
		if last := header[len(header)-1]; len(cells) == 0 && len(last) > k {
			cells = [][2]int{last[k]}
		}
		var words []string
		for _, cl := range cells {
			words = append(words, t.f[cl[0]:cl[1]])
			if ps := t.periodsIn(sentence{b: cl[0], e: cl[1]}, years); len(ps) > 0 && cols[k].period.typ == "" {
				cols[k].period = ps[0]
			}
		}
		cols[k].kind = columnOf(strings.Join(words, " "))
	}
	if i := slices.IndexFunc(cols, func(c tableColumn) bool { return c.kind == otherColumn }); i >= 0 &&
		!slices.ContainsFunc(cols[:i], func(c tableColumn) bool { return c.kind > agencyColumn }) {
		cols[i].kind = agencyColumn
	}
	return cols
}

// tableRow is the reports a row of figures gives, one for each period
// its columns' headings state (the introducing sentence's for columns
// stating none), when it names an agency (or totals) and gives figures.
func (t *text) tableRow(cells [][2]int, cols []tableColumn, intro tableIntro) []registry.Report {
	agency := slices.IndexFunc(cols, func(c tableColumn) bool { return c.kind == agencyColumn })
	if agency < 0 {
		return nil
	}
	name := t.f[cells[agency][0]:cells[agency][1]]
	if name == "" || isFigure(name) {
		return nil
	}
	agencyName := t.orig(cells[agency][0], cells[agency][1])
	if totalRowRE.MatchString(name) {
		// The sum of the rows: the figures of the agency they break down.
		agencyName = intro.agency
	}
	var out []registry.Report
	var periods []string
	for _, col := range cols {
		key := col.period.code + string(col.period.typ)
		if slices.Contains(periods, key) {
			continue
		}
		periods = append(periods, key)
		p := col.period
		if p.typ == "" {
			p = intro.period
		}
		r := registry.Report{Period: p.code, PeriodType: p.typ, AgencyName: agencyName}
		if t.setFigures(&r, cells, cols, col.period) {
			out = append(out, r)
		}
	}
	return out
}

// setFigures sets on r the figures of the row's columns whose heading
// states period (none: the columns stating none), and reports whether
// there was any.
func (t *text) setFigures(r *registry.Report, cells [][2]int, cols []tableColumn, period periodHit) bool {
	counts := [partKinds]**int{&r.Early, &r.OnTime, &r.Late}
	rates := [partKinds]**float64{&r.EarlyRate, &r.OnTimeRate, &r.LateRate}
	figures := 0
	for k, col := range cols {
		if col.period.code != period.code || col.period.typ != period.typ {
			continue
		}
		cell := t.f[cells[k][0]:cells[k][1]]
		switch {
		case col.kind >= rateColumn:
			if m := rateCellRE.FindStringSubmatch(cell); m != nil {
				if v, ok := readRate(strings.Replace(m[1], ".", ",", 1)); ok {
					*rates[col.kind-rateColumn], figures = &v, figures+1
				}
			}
		case col.kind >= countColumn && countRE.MatchString(cell):
			n, _ := readCount(cell)
			*counts[col.kind-countColumn], figures = &n, figures+1
		case col.kind == resolvedColumn && countRE.MatchString(cell):
			n, _ := readCount(cell)
			r.Resolved, figures = &n, figures+1
		}
	}
	return figures > 0
}
