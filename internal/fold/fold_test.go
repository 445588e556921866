package fold

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "Mot Cua", "mot cua"},
		{"vietnamese", "Một cửa", "mot cua"},
		{"đ upper in symbol", "QĐ-TTg", "qd-ttg"},
		{"đ lower", "đề án", "de an"},
		{"look-alike eth upper", "QÐ-TTg", "qd-ttg"},
		{"look-alike eth lower", "ðồng", "dong"},
		{"decomposed input", "Mo\u0323\u0302t cu\u031b\u0309a", "mot cua"},
		{"all tones", "àáảãạ ằắẳẵặ ầấẩẫậ", "aaaaa aaaaa aaaaa"},
		{"horn and breve", "ƯƠĂÂÊÔ ươăâêô", "uoaaeo uoaaeo"},
		{"whitespace collapsed and trimmed", "  Trung tâm\t\tPhục vụ\n hành chính\u00a0công  ", "trung tam phuc vu hanh chinh cong"},
		{"only whitespace", " \t\n ", ""},
		{"stray mark between spaces", "a \u0301 b", "a b"},
		{"digits and punctuation kept", "Số 46/QĐ-BCĐCCHC, 22/4/2021", "so 46/qd-bcdcchc, 22/4/2021"},
		{"uppercase with dot above", "İ", "i"},
		{"non-latin kept", "Ωμέγα", "ωμεγα"},
		{"invalid utf-8 becomes replacement", "a\xffb", "a\ufffdb"},
		{"decomposed after invalid byte", "\xf6Й", "\ufffdи"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"Một cửa", "QĐ-TTg", "Ð ð", " a \u0301 b ", "İ", "\xff", "ẞ", "Ǆ", "\xf6Й"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if again := String(got); again != got {
			t.Errorf("not idempotent: String(%q) = %q, String of that = %q", s, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Errorf("String(%q) = %q: untrimmed or uncollapsed whitespace", s, got)
		}
	})
}

var sink string

func BenchmarkString(b *testing.B) {
	inputs := map[string]string{
		"ascii":      "46/QD-BCDCCHC ke hoach cai cach hanh chinh nam 2021",
		"vietnamese": "Quyết định số 46/QĐ-BCĐCCHC về kế hoạch cải cách hành chính năm 2021",
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				sink = String(in)
			}
		})
	}
}
