package registry

import "testing"

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		code     string
		want     Period
		refusing bool
	}{
		{code: "2021-03", want: Period{PeriodMonth, "2021-03", "2021-03"}},
		{code: "2022-Q1", want: Period{PeriodQuarter, "2022-01", "2022-03"}},
		{code: "2022-Q4", want: Period{PeriodQuarter, "2022-10", "2022-12"}},
		{code: "2022-H2", want: Period{PeriodHalfYear, "2022-07", "2022-12"}},
		{code: "2023-9M", want: Period{PeriodNineMonths, "2023-01", "2023-09"}},
		{code: "2022", want: Period{PeriodYear, "2022-01", "2022-12"}},
		{code: "2022-01/2022-04", want: Period{PeriodYearToDate, "2022-01", "2022-04"}},
		{code: "2021-13", refusing: true},
		{code: "2022-Q5", refusing: true},
		{code: "2022-02/2022-04", refusing: true},
		{code: "2022-01/2023-04", refusing: true},
		{code: "1800", refusing: true},
		{code: "", refusing: true},
	} {
		got, err := ParsePeriod(c.code)
		if c.refusing {
			if e, ok := err.(*Error); !ok || e.Field != "period" {
				t.Errorf("ParsePeriod(%q) = %+v, %v; want an error on period", c.code, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", c.code, got, err, c.want)
		}
	}
}
