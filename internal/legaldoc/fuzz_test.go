package legaldoc

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzRead: any input is read without a panic, every span lies within it,
// and the reading does not change from one run to the next.
func FuzzRead(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố:\nQUYẾT ĐỊNH\nCăn cứ 1/2020/\nĐiều 1. Bãi bỏ:\na) 5-NQ/TW“")
	f.Add("\xffCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\r\nSố:   \r\nLUẬT\u0301\r\nTM.\r\nA B")
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := Read(s)
		if !ok {
			return
		}
		n := len([]rune(s))
		spans := []Span{d.Issuer.Span, d.Parent.Span, d.Number.Span, d.Place.Span, d.Date.Span, d.Type.Span,
			d.Summary.Span, d.Effective.Span, d.Signature.Span}
		for _, c := range d.Preamble {
			spans = append(spans, c.Span)
		}
		for _, b := range d.Bases {
			spans = append(spans, b.Span)
		}
		for _, e := range d.Effects {
			spans = append(spans, e.Target.Span)
		}
		for _, sp := range spans {
			if sp.Offset < 0 || sp.Length < 0 || sp.Offset+sp.Length > n {
				t.Fatalf("span %+v outside the text of %d characters", sp, n)
			}
		}
		if again, _ := Read(s); !reflect.DeepEqual(d, again) {
			t.Fatal("Read is not deterministic")
		}
	})
}

// BenchmarkRead reads the decree fixture.
func BenchmarkRead(b *testing.B) {
	text, err := os.ReadFile(filepath.Join("testdata", "decree.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Read(string(text))
	}
}
