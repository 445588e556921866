package main

// registry bench at a tiny scale, on its own embedded engine: a first run
// generates into an empty data directory, a second measures that store as
// it is, and a third, asked for another size, is refused. Every operation
// must answer without errors and the report must have every row; no
// figure is asserted: timings are the report's business, not the tests'.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchGeneratesThenReusesItsStore(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(out, []byte("# Benchmarks\n\nIntro kept as it is.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	bench := func(extra ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"bench", "--data", data, "--directives", "200", "--codes", "100", "--concurrency", "2",
			"--log-level", "warn", "--out", out}, extra...)
		code := run(ctx, args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	for i, extra := range [][]string{
		{"--dossiers", "300", "--duration", "1s", "--stats-recompute-runs", "1", "--stats-rollup-runs", "2"},
		{"--duration", "300ms"},
	} {
		code, stdout, stderr := bench(extra...)
		if code != 0 {
			t.Fatalf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, stdout, stderr)
		}
		wants := []string{
			"## 300 dossiers",
			"| time to ready: ",
			"| RSS idle, ",
			"| RSS under load, highest ",
			"| floor `{ __typename }` | ",
			"| full dossier query | ",
			"| page of 20 with procedures, filtered and sorted | ",
			"| directive search with facets | ",
			"| statistics dashboard | ",
			"| `recordDossierStep`, 2 writers | ",
			"- Command: `registry bench --data ",
		}
		if i == 0 {
			wants = append(wants, "dossiers generated (seed 1", "Identical results (every row and the total, every run): yes.")
		} else {
			wants = append(wants, "300 dossiers already in the store, measured as they were; 200 directives (none added)")
		}
		for _, want := range wants {
			if !strings.Contains(stdout, want) {
				t.Errorf("run %d: the report lacks %q:\n%s", i+1, want, stdout)
			}
		}
		// Every operation made requests and none failed: the rows of the
		// operations table (10 columns) say so in their second and third.
		ops := 0
		for line := range strings.SplitSeq(stdout, "\n") {
			cells := strings.Split(line, "|")
			if len(cells) != 12 || strings.TrimSpace(cells[1]) == "operation" || strings.HasPrefix(cells[1], "---") {
				continue
			}
			ops++
			if strings.TrimSpace(cells[2]) == "0" || strings.TrimSpace(cells[3]) != "0" {
				t.Errorf("run %d: an operation made no request or had errors: %s", i+1, line)
			}
		}
		if ops != 7 {
			t.Errorf("run %d: %d operations in the table, want 7 (the floor, two dossier queries, page, search, dashboard, steps):\n%s", i+1, ops, stdout)
		}
		if strings.Contains(stdout, "**Failed**") {
			t.Errorf("run %d: a failure is reported:\n%s", i+1, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "Intro kept as it is.") {
		t.Errorf("the intro was not kept:\n%s", text)
	}
	if n := strings.Count(text, "<!-- registry bench --dossiers 300: start -->"); n != 1 {
		t.Errorf("%d sections for 300 dossiers after two runs, want 1:\n%s", n, text)
	}

	code, stdout, stderr := bench("--dossiers", "400")
	if code != 1 || !strings.Contains(stderr, "holds 300 dossiers, not 400") {
		t.Errorf("a store of another size: exit %d, want 1 saying why\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"--out", "BENCHMARKS.md", "--data", "my dir", "it's"})
	if want := `--out BENCHMARKS.md --data 'my dir' 'it'\''s'`; got != want {
		t.Errorf("shellJoin = %s, want %s", got, want)
	}
}
