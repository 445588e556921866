package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func vn(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Vietnam)
}

func TestDefaultEncodesRules(t *testing.T) {
	c := Default()
	lunarNewYear := []Date{"2019-02-05", "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06"}
	hungKings := []Date{"2019-04-14", "2020-04-02", "2021-04-21", "2022-04-10", "2023-04-29", "2024-04-18", "2025-04-07", "2026-04-26", "2027-04-16"}
	for i, lny := range lunarNewYear {
		y := lny.Year()
		want := []Date{Date(fmt.Sprintf("%d-01-01", y)), hungKings[i]}
		// Each year's published five days differ, but always hold the last
		// day of the lunar year and the first three of the new one.
		for k := -1; k <= 2; k++ {
			want = append(want, lny.AddDays(k))
		}
		for _, md := range []string{"-04-30", "-05-01", "-09-02"} {
			want = append(want, Date(fmt.Sprintf("%d%s", y, md)))
		}
		for _, d := range want {
			if _, ok := c.Holiday(d); !ok {
				t.Errorf("%d: %s is not a holiday", y, d)
			}
		}
	}
	for _, d := range []Date{"2019-01-01", "2027-12-31"} {
		if !c.Covers(d) {
			t.Errorf("Covers(%s) = false", d)
		}
	}
	for _, d := range []Date{"2018-12-31", "2028-01-01"} {
		if c.Covers(d) {
			t.Errorf("Covers(%s) = true", d)
		}
	}
}

func TestHolidayNames(t *testing.T) {
	c := Default()
	tests := []struct {
		d    Date
		want string
	}{
		{"2021-02-12", "Tết Nguyên đán (mùng 1)"},
		{"2022-05-02", "Nghỉ bù 30/4"},
		{"2021-09-03", "Quốc khánh (ngày liền sau 2/9)"},
		{"2022-09-01", "Quốc khánh (ngày liền trước 2/9)"},
	}
	for _, tt := range tests {
		if got, ok := c.Holiday(tt.d); !ok || got != tt.want {
			t.Errorf("Holiday(%s) = %q, %v; want %q", tt.d, got, ok, tt.want)
		}
	}
	if name, ok := c.Holiday("2021-03-10"); ok {
		t.Errorf("Holiday(2021-03-10) = %q, want none", name)
	}
}

func TestDueDate(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		received time.Time
		days     int
		want     Date
	}{
		{"Thu 4/3/2021 + 3: Fri 5, weekend skipped, Mon 8, Tue 9",
			vn(2021, 3, 4, 9, 0), 3, "2021-03-09"},
		{"Tết 2021: 10-16/2 off, so Wed 10/2 09:00 counts from Wed 17/2; 3 days are Thu 18, Fri 19, Mon 22",
			vn(2021, 2, 10, 9, 0), 3, "2021-02-22"},
		{"Fri 5/3/2021 16:59 counts from Fri 5; 1 day is Mon 8",
			vn(2021, 3, 5, 16, 59), 1, "2021-03-08"},
		{"Fri 5/3/2021 17:00 is at office close, counts from Mon 8; 1 day is Tue 9",
			vn(2021, 3, 5, 17, 0), 1, "2021-03-09"},
		{"Fri 5/3/2021 17:30 is after hours, counts from Mon 8; 1 day is Tue 9",
			vn(2021, 3, 5, 17, 30), 1, "2021-03-09"},
		{"Sun 7/3/2021 counts from Mon 8; 5 days are Tue 9 .. Mon 15",
			vn(2021, 3, 7, 10, 0), 5, "2021-03-15"},
		{"2022: 30/4 Sat and 1/5 Sun compensated Mon 2/5 and Tue 3/5; Fri 29/4 + 1 is Wed 4/5",
			vn(2022, 4, 29, 9, 0), 1, "2022-05-04"},
		{"2023: Hùng Kings Sat 29/4, 30/4 Sun, 1/5 Mon, compensated Tue 2/5 and Wed 3/5; Fri 28/4 + 1 is Thu 4/5",
			vn(2023, 4, 28, 9, 0), 1, "2023-05-04"},
		{"received on holiday 30/4/2021 (Fri), 1/5 Sat compensated Mon 3/5; counts from Tue 4/5; 0 days is Tue 4/5",
			vn(2021, 4, 30, 9, 0), 0, "2021-05-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.DueDate(tt.received, tt.days); got != tt.want {
				t.Errorf("DueDate(%v, %d) = %s, want %s", tt.received, tt.days, got, tt.want)
			}
		})
	}
}

func TestCountingStartAcrossUTCMidnight(t *testing.T) {
	// 2021-03-31T17:30Z is Thu 1/4 00:30 in Vietnam: a working day, before close.
	at := time.Date(2021, 3, 31, 17, 30, 0, 0, time.UTC)
	if got := Default().CountingStart(at); got != "2021-04-01" {
		t.Errorf("CountingStart(%v) = %s, want 2021-04-01", at, got)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Default()
	tests := []struct {
		name  string
		start Date
		n     int
		want  Date
	}{
		{"n=0 returns start", "2021-03-10", 0, "2021-03-10"},
		{"n=0 returns start even on a holiday", "2021-02-12", 0, "2021-02-12"},
		{"Fri + 1 skips the weekend", "2021-03-05", 1, "2021-03-08"},
		{"Sat + 1 is Mon", "2021-03-06", 1, "2021-03-08"},
		{"Mon - 1 is the previous Fri", "2021-03-08", -1, "2021-03-05"},
		{"Wed 17/2/2021 - 1 skips Tết and the days in lieu back to Tue 9/2", "2021-02-17", -1, "2021-02-09"},
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(tt.start, tt.n); got != tt.want {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", tt.name, tt.start, tt.n, got, tt.want)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Default()
	tests := []struct {
		name     string
		from, to Date
		want     int
	}{
		{"Fri to next Fri: Mon..Fri", "2021-03-05", "2021-03-12", 5},
		{"backwards is 0", "2021-03-12", "2021-03-05", 0},
		{"same day is 0", "2021-03-05", "2021-03-05", 0},
		{"Fri to Sun is 0", "2021-03-05", "2021-03-07", 0},
		{"Tue 9/2/2021 to Fri 19/2 across Tết: Wed 17, Thu 18, Fri 19", "2021-02-09", "2021-02-19", 3},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: WorkingDaysBetween(%s, %s) = %d, want %d", tt.name, tt.from, tt.to, got, tt.want)
		}
	}
}

func TestExtendForPause(t *testing.T) {
	c := Default()
	tests := []struct {
		name            string
		due             Date
		paused, resumed time.Time
		want            Date
	}{
		{"paused Mon 8/3/2021, resumed Wed 10/3: Tue 9 and Wed 10 stopped; Fri 19 becomes Tue 23",
			"2021-03-19", vn(2021, 3, 8, 10, 0), vn(2021, 3, 10, 15, 0), "2021-03-23"},
		{"paused Fri 12/3, resumed Mon 15/3: only Mon 15 stopped; Fri 19 becomes Mon 22",
			"2021-03-19", vn(2021, 3, 12, 10, 0), vn(2021, 3, 15, 8, 0), "2021-03-22"},
		{"paused and resumed the same day: no change",
			"2021-03-19", vn(2021, 3, 10, 9, 0), vn(2021, 3, 10, 16, 0), "2021-03-19"},
		{"resumed before paused: no change",
			"2021-03-19", vn(2021, 3, 10, 9, 0), vn(2021, 3, 8, 9, 0), "2021-03-19"},
	}
	for _, tt := range tests {
		if got := c.ExtendForPause(tt.due, tt.paused, tt.resumed); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestParseOverrides(t *testing.T) {
	c, err := Parse([]byte(`{
		"officeClose": "16:30",
		"years": [2021, 2021],
		"holidays": [{"date": "2021-02-10", "name": "Tết Nguyên đán (đổi ngày)"}],
		"workdays": [{"date": "2021-02-20", "name": "Làm bù ngày 10/2"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkingDay("2021-02-10") {
		t.Error("listed holiday Wed 10/2 is a working day")
	}
	if !c.IsWorkingDay("2021-02-20") {
		t.Error("make-up Sat 20/2 is not a working day")
	}
	if got := c.AddWorkingDays("2021-02-19", 1); got != "2021-02-20" {
		t.Errorf("Fri 19/2 + 1 = %s, want make-up Sat 20/2", got)
	}
	if got := c.CountingStart(vn(2021, 3, 5, 16, 45)); got != "2021-03-08" {
		t.Errorf("16:45 with officeClose 16:30 counts from %s, want Mon 8/3", got)
	}
	if got := c.CountingStart(vn(2021, 3, 5, 16, 15)); got != "2021-03-05" {
		t.Errorf("16:15 with officeClose 16:30 counts from %s, want Fri 5/3", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"not JSON", `{`, "calendar:"},
		{"unknown field", `{"years":[2021,2021],"holiday":[]}`, `"holiday"`},
		{"trailing data", `{"years":[2021,2021]} {}`, "after the JSON object"},
		{"years missing", `{}`, "years"},
		{"years reversed", `{"years":[2022,2021]}`, "first <= last"},
		{"bad officeClose", `{"officeClose":"5pm","years":[2021,2021]}`, `officeClose "5pm"`},
		{"bad date", `{"years":[2021,2021],"holidays":[{"date":"30/4/2021","name":"30/4"}]}`, `holidays[0] ("30/4")`},
		{"empty name", `{"years":[2021,2021],"holidays":[{"date":"2021-04-30"}]}`, "holidays[0] (2021-04-30): name is empty"},
		{"outside years", `{"years":[2021,2021],"holidays":[{"date":"2022-04-30","name":"30/4"}]}`, "outside years 2021..2021"},
		{"duplicate holiday", `{"years":[2021,2021],"holidays":[{"date":"2021-04-30","name":"a"},{"date":"2021-04-30","name":"b"}]}`, `holidays[1] (2021-04-30 "b"): date already listed as holiday "a"`},
		{"holiday also workday", `{"years":[2021,2021],"holidays":[{"date":"2021-02-20","name":"a"}],"workdays":[{"date":"2021-02-20","name":"b"}]}`, `workdays[0] (2021-02-20 "b"): date already listed as holiday "a"`},
		{"duplicate workday", `{"years":[2021,2021],"workdays":[{"date":"2021-02-20","name":"a"},{"date":"2021-02-20","name":"b"}]}`, `workdays[1] (2021-02-20 "b"): date already listed as workday "a"`},
		{"workday on a weekday", `{"years":[2021,2021],"workdays":[{"date":"2021-02-19","name":"a"}]}`, "not a Saturday or Sunday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
