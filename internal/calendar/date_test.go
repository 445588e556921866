package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	if d, err := ParseDate("2021-04-22"); err != nil || d != "2021-04-22" {
		t.Fatalf(`ParseDate("2021-04-22") = %q, %v`, d, err)
	}
	for _, s := range []string{"", "2021-4-22", "22/04/2021", "2021-02-30", "2021-04-22T00:00:00Z", " 2021-04-22", "20210422"} {
		_, err := ParseDate(s)
		if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("ParseDate(%q) error = %v, want one naming YYYY-MM-DD", s, err)
		}
	}
}

func TestDateOfVietnamMidnight(t *testing.T) {
	tests := []struct {
		name string
		utc  string
		want Date
	}{
		{"17:30Z is 00:30 next day in Vietnam (UTC+7)", "2021-03-31T17:30:00Z", "2021-04-01"},
		{"16:59:59Z is still 23:59:59 the same day", "2021-03-31T16:59:59Z", "2021-03-31"},
		{"17:00Z is exactly Vietnam midnight", "2021-03-31T17:00:00Z", "2021-04-01"},
		{"new year's eve 20:00Z is 1 January in Vietnam", "2020-12-31T20:00:00Z", "2021-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tt.utc)
			if err != nil {
				t.Fatal(err)
			}
			if got := DateOf(at); got != tt.want {
				t.Errorf("DateOf(%s) = %s, want %s", tt.utc, got, tt.want)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	want := time.Date(2021, 3, 31, 17, 0, 0, 0, time.UTC)
	if got := Date("2021-04-01").Time(); !got.Equal(want) || got.Location() != Vietnam {
		t.Errorf("Time() = %v, want %v in Vietnam", got, want)
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{"2021-01-31", 1, "2021-02-01"},
		{"2020-02-28", 1, "2020-02-29"},
		{"2021-12-31", 1, "2022-01-01"},
		{"2021-03-01", -1, "2021-02-28"},
		{"2021-04-22", 0, "2021-04-22"},
	}
	for _, tt := range tests {
		if got := tt.d.AddDays(tt.n); got != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
		if got := tt.d.DaysUntil(tt.want); got != tt.n {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.d, tt.want, got, tt.n)
		}
	}
	if got := Date("2021-04-22").Weekday(); got != time.Thursday {
		t.Errorf("Weekday = %v, want Thursday", got)
	}
	if got := Date("2021-04-22").Year(); got != 2021 {
		t.Errorf("Year = %d, want 2021", got)
	}
}

func TestDateGQL(t *testing.T) {
	var buf bytes.Buffer
	Date("2021-04-22").MarshalGQL(&buf)
	if buf.String() != `"2021-04-22"` {
		t.Errorf("MarshalGQL wrote %s", buf.String())
	}
	var d Date
	if err := d.UnmarshalGQL("2021-04-22"); err != nil || d != "2021-04-22" {
		t.Errorf("UnmarshalGQL = %q, %v", d, err)
	}
	for _, v := range []any{"22/4/2021", 20210422, nil} {
		if err := d.UnmarshalGQL(v); err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("UnmarshalGQL(%#v) error = %v", v, err)
		}
	}
}
