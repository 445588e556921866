package main

// registry bench at a tiny scale: it runs to the end, the gateway and the
// driver agree, the statistics paths agree, and a second run replaces its
// section of the report. No figure is asserted: timings are the report's
// business, not the tests'.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/storetest"
)

func TestBenchWritesItsSection(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(out, []byte("# Benchmarks\n\nIntro kept as it is.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		code := run(ctx, []string{"bench", "--mongodb-uri", storetest.URI(), "--database", storetest.Database(t),
			"--dossiers", "150", "--directives", "20", "--concurrency", "2", "--duration", "50ms",
			"--stats-recompute-runs", "1", "--stats-rollup-runs", "2", "--log-level", "warn", "--out", out}, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i, code, &stdout, &stderr)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{
		"Intro kept as it is.",
		"## 150 dossiers",
		"Identical results (every row and the total, every run): yes.",
		"| dossier by code, with history | gateway |",
		"| page of 20 dossiers with procedures | gateway |",
		"| directive search | gateway |",
		"| statistics dashboard | gateway |",
		"- Command: `registry bench --mongodb-uri ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, sectionStart(150)); n != 1 {
		t.Errorf("%d sections for 150 dossiers after two runs, want 1:\n%s", n, text)
	}
}

func TestBenchRefusesAStoreWithDossiers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "registry.sqlite"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--data", dir}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, &stderr)
	}
	if !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("stderr does not say why:\n%s", &stderr)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"--out", "BENCHMARKS.md", "--data", "my dir", "it's"})
	if want := `--out BENCHMARKS.md --data 'my dir' 'it'\''s'`; got != want {
		t.Errorf("shellJoin = %s, want %s", got, want)
	}
}

func TestBenchFormats(t *testing.T) {
	for r, want := range map[float64]string{96.4: "96×", 1.04: "1.0×", 0.616: "0.6×", 0.000408: "0.00041×"} {
		if got := fmtRatio(r); got != want {
			t.Errorf("fmtRatio(%v) = %s, want %s", r, got, want)
		}
	}
	if got := thousands(100000); got != "100,000" {
		t.Errorf("thousands(100000) = %s", got)
	}
}
