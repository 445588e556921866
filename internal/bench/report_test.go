package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteSectionReplacesItsOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte("# Benchmarks\n\nIntro.\n\n<!-- registry bench --dossiers 7: start -->\nold\n<!-- registry bench --dossiers 7: end -->\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Report{dossiers: 300, sample: &sample{codes: []string{"x"}, agencies: []string{"a"}}, floor: row{op: floorOp()}}
	for range 2 {
		if err := r.WriteSection(path); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.HasPrefix(text, "# Benchmarks\n\nIntro.\n") || !strings.Contains(text, "\nold\n") {
		t.Errorf("the rest of the file changed:\n%s", text)
	}
	if n := strings.Count(text, sectionStart(300)); n != 1 {
		t.Errorf("%d sections for 300 dossiers after two writes, want 1:\n%s", n, text)
	}
}

func TestFormats(t *testing.T) {
	for r, want := range map[float64]string{96.4: "96×", 1.04: "1.0×", 0.616: "0.6×", 0.000408: "0.00041×"} {
		if got := fmtRatio(r); got != want {
			t.Errorf("fmtRatio(%v) = %s, want %s", r, got, want)
		}
	}
	for d, want := range map[time.Duration]string{297 * time.Microsecond: "297 µs", 9840 * time.Microsecond: "9.84 ms", 31630 * time.Millisecond: "31.6 s"} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %s, want %s", d, got, want)
		}
	}
	if got := thousands(100000); got != "100,000" {
		t.Errorf("thousands(100000) = %s", got)
	}
	if got := quantile([]time.Duration{1, 2, 3, 4}, 0.5); got != 2 {
		t.Errorf("p50 of 1..4 = %d, want 2 (nearest rank)", got)
	}
}
