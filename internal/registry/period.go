package registry

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// PeriodType is the span a report covers, as bulletins state them.
type PeriodType string

const (
	PeriodMonth      PeriodType = "MONTH"        // 2021-03: tháng 3/2021
	PeriodQuarter    PeriodType = "QUARTER"      // 2022-Q1: quý I/2022
	PeriodHalfYear   PeriodType = "HALF_YEAR"    // 2022-H1: 6 tháng đầu năm 2022
	PeriodNineMonths PeriodType = "NINE_MONTHS"  // 2022-9M: 9 tháng đầu năm 2022
	PeriodYear       PeriodType = "YEAR"         // 2022: năm 2022
	PeriodYearToDate PeriodType = "YEAR_TO_DATE" // 2022-01/2022-04: từ đầu năm đến nay
)

// Period is a report's span of whole months, written as its code ("2021-03",
// "2022-Q1", "2022-H1", "2022-9M", "2022", "2022-01/2022-04"), so that a
// report keeps the period its source states and is compared with the
// statistics of the same months.
type Period struct {
	Type     PeriodType
	From, To string // first and last month, "2022-01"
}

// Valid reports whether p is one of the period types.
func (p PeriodType) Valid() bool {
	switch p {
	case PeriodMonth, PeriodQuarter, PeriodHalfYear, PeriodNineMonths, PeriodYear, PeriodYearToDate:
		return true
	}
	return false
}

var periodRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:/(\d{4})-(\d{2}))?|-Q([1-4])|-H([12])|-(9M))?$`)

// ParsePeriod reads a period code; errors are *Error on field "period".
func ParsePeriod(code string) (Period, error) {
	m := periodRE.FindStringSubmatch(code)
	if m == nil {
		return Period{}, Invalid("period", "must be a month (2021-03), a quarter (2022-Q1), a half year (2022-H1), nine months (2022-9M), a year (2022) or months from January (2022-01/2022-04); got %q", code)
	}
	year, _ := strconv.Atoi(m[1])
	if year < 1945 || year > 2100 {
		return Period{}, Invalid("period", "year %d outside 1945..2100", year)
	}
	month := func(n int) string { return fmt.Sprintf("%04d-%02d", year, n) }
	switch {
	case m[3] != "":
		from, to := m[1]+"-"+m[2], m[3]+"-"+m[4]
		if m[3] != m[1] || m[2] != "01" || !validMonth(to) {
			return Period{}, Invalid("period", "months from January run from %s-01 to a month of the same year; got %q", m[1], code)
		}
		return Period{Type: PeriodYearToDate, From: from, To: to}, nil
	case m[2] != "":
		if !validMonth(code) {
			return Period{}, Invalid("period", "must be a month that exists (01 to 12), got %q", code)
		}
		return Period{Type: PeriodMonth, From: code, To: code}, nil
	case m[5] != "":
		q, _ := strconv.Atoi(m[5])
		return Period{Type: PeriodQuarter, From: month(3*q - 2), To: month(3 * q)}, nil
	case m[6] != "":
		h, _ := strconv.Atoi(m[6])
		return Period{Type: PeriodHalfYear, From: month(6*h - 5), To: month(6 * h)}, nil
	case m[7] != "":
		return Period{Type: PeriodNineMonths, From: month(1), To: month(9)}, nil
	}
	return Period{Type: PeriodYear, From: month(1), To: month(12)}, nil
}

func validMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil
}
