package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Report is what a run measured.
type Report struct {
	cfg   Config
	began time.Time

	dossiers                    int
	generated                   bool
	loaded, rebuilt, sampled    time.Duration
	directives, directivesAdded int
	sample                      *sample
	statsCompare                *statsComparison

	ready                    time.Duration
	readyOthers              float64 // other processes' share of the CPU meanwhile (-1 unknown)
	rssIdle, rssPeak, rssEnd int64
	floor                    row
	rows                     []row
}

// row is one measured operation.
type row struct {
	op       operation
	res      result
	checkErr error // of the first answer, made before measuring
	// others is the share of the machine's CPU other processes took while
	// it was measured (-1 unknown).
	others float64
}

// failure says what went wrong, or "".
func (r row) failure() string {
	var out []string
	if r.checkErr != nil {
		out = append(out, fmt.Sprintf("the first answer failed its check: %v", r.checkErr))
	}
	if r.res.errors > 0 {
		out = append(out, fmt.Sprintf("%d requests failed, the first with: %v", r.res.errors, r.res.firstErr))
	}
	if r.res.requests == 0 && r.res.errors == 0 {
		out = append(out, "no request was made")
	}
	return strings.Join(out, "; ")
}

// targetSize is the store size the time-to-ready and memory targets are set for.
const targetSize = 1_000_000

// Markdown is the report's section of BENCHMARKS.md.
func (r *Report) Markdown() string {
	var w strings.Builder
	cfg, s := r.cfg, r.sample
	fmt.Fprintf(&w, "%s\n## %s dossiers\n\n", sectionStart(r.dossiers), thousands(r.dossiers))
	fmt.Fprintf(&w, "- Command: `%s`\n", cfg.Command)
	fmt.Fprintf(&w, "- Date: %s\n", r.began.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&w, "- Machine: %s\n", machine())
	fmt.Fprintf(&w, "- Code: %s\n", revision())
	fmt.Fprintf(&w, "- Store: %s\n", cfg.Store)
	added := "none added"
	if r.directivesAdded > 0 {
		added = thousands(r.directivesAdded) + " of them added by this run"
	}
	if r.generated {
		fmt.Fprintf(&w, "- Data: %s dossiers generated (seed %d, receipts in 2021) and stored in %s, rollups rebuilt in %s; %s directives (%s).\n",
			thousands(r.dossiers), cfg.Seed, fmtDur(r.loaded), fmtDur(r.rebuilt), thousands(r.directives), added)
	} else {
		fmt.Fprintf(&w, "- Data: %s dossiers already in the store, measured as they were; %s directives (%s).\n",
			thousands(r.dossiers), thousands(r.directives), added)
	}
	fmt.Fprintf(&w, "- Arguments: %s dossier codes, %s open dossiers for the writers and %d agencies, drawn with seed %d from "+
		"the store's lists in %s, through a store opened and closed before the server's: the server starts cold, "+
		"its cache of the 20,000 most recently used dossiers empty.\n\n",
		thousands(len(s.codes)), thousands(openCount(s)), len(s.agencies), s.seed, fmtDur(r.sampled))

	r.writeProcess(&w)
	r.writeOperations(&w)
	r.writeStatsCompare(&w)
	fmt.Fprintf(&w, "\n%s\n", sectionEnd(r.dossiers))
	return w.String()
}

// writeProcess is the section's table of the process: time to ready, RSS.
func (r *Report) writeProcess(w *strings.Builder) {
	fmt.Fprintf(w, "### Process\n\n")
	fmt.Fprintf(w, "| measure | value | target (for %s dossiers) | met |\n|---|---:|---|---|\n", thousands(targetSize))
	fmt.Fprintf(w, "| time to ready: from starting the server (engine, memory built from the store) to `/readyz` 200 | %s | ≤ 60 s | %s |\n",
		fmtDur(r.ready), met(r.ready <= time.Minute))
	fmt.Fprintf(w, "| RSS idle, once ready, after a GC that returns freed memory | %s | | |\n", fmtMB(r.rssIdle))
	fmt.Fprintf(w, "| RSS under load, highest (sampled every 200 ms while measuring) | %s | ≤ 600 MB | %s |\n",
		fmtMB(r.rssPeak), met(r.rssPeak >= 0 && r.rssPeak <= 600<<20))
	fmt.Fprintf(w, "| RSS under load, at the end | %s | | |\n\n", fmtMB(r.rssEnd))
	if r.readyOthers >= 0 {
		fmt.Fprintf(w, "While the server got ready, other processes took %.0f%% of the machine's CPU. ", 100*r.readyOthers)
	}
	fmt.Fprintf(w, "RSS is the bench process's VmRSS: the server runs in it, beside the HTTP clients. ")
	if r.dossiers != targetSize {
		fmt.Fprintf(w, "The time-to-ready and RSS targets are set for %s dossiers; at %s they are shown for reference.",
			thousands(targetSize), thousands(r.dossiers))
	}
	fmt.Fprintf(w, "\n\n")
}

// writeOperations is the section's table of the operations and what each asks.
func (r *Report) writeOperations(w *strings.Builder) {
	cfg := r.cfg
	fmt.Fprintf(w, "### Operations\n\n")
	fmt.Fprintf(w, "%d concurrent clients per operation for %s (at most %s requests), over loopback HTTP "+
		"(POST /graphql; no rate limit, request deadline %s), one operation after the other. "+
		"Latencies of successful requests; the p99 of fewer than 100 requests is their maximum; "+
		"p50 / floor is the operation's p50 over the floor's, measured in the same run with the same clients. "+
		"Targets are for the embedded engine, 2 cores, 4 clients. "+
		"Others' CPU is the share of the machine's CPU time that other processes took meanwhile (from /proc/stat, less this process's): "+
		"the machine is shared, and figures measured beside other work are slower than the code.\n\n",
		cfg.Concurrency, cfg.Duration, thousands(cfg.MaxRequests), cfg.Timeout)
	fmt.Fprintf(w, "| operation | requests | errors | req/s | p50 | p99 | p50 / floor | target | met | others' CPU |\n|---|---:|---:|---:|---:|---:|---:|---|---|---:|\n")
	for _, x := range append([]row{r.floor}, r.rows...) {
		times, ratio := "— | —", "—"
		if x.res.requests > 0 {
			times = fmtDur(x.res.p50) + " | " + fmtDur(x.res.p99)
			if r.floor.res.requests > 0 {
				ratio = fmtRatio(float64(x.res.p50) / float64(r.floor.res.p50))
			}
		}
		goal, ok := "", ""
		if x.op.target.met != nil {
			goal = x.op.target.text
			ok = met(x.failure() == "" && r.floor.failure() == "" && x.op.target.met(x.res, r.floor.res))
		}
		others := "unknown"
		if x.others >= 0 {
			others = fmt.Sprintf("%.0f%%", 100*x.others)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f | %s | %s | %s | %s | %s |\n",
			x.op.name, x.res.requests, x.res.errors, x.res.throughput(), times, ratio, goal, ok, others)
	}
	for _, x := range append([]row{r.floor}, r.rows...) {
		if f := x.failure(); f != "" {
			fmt.Fprintf(w, "\n**Failed**: %s: %s\n", x.op.name, f)
		}
	}
	fmt.Fprintf(w, "\nWhat each operation asks:\n\n")
	for _, x := range append([]row{r.floor}, r.rows...) {
		fmt.Fprintf(w, "- %s: %s.", x.op.name, x.op.what)
		if x.op.note != nil {
			fmt.Fprintf(w, " In this run, %s.", x.op.note(x.res))
		}
		fmt.Fprintln(w)
	}
}

// writeStatsCompare is the dashboard from the rollups against recomputing
// it, when the run measured both.
func (r *Report) writeStatsCompare(w *strings.Builder) {
	if c := r.statsCompare; c != nil {
		fmt.Fprintf(w, "\n### Statistics: rollups against recomputing from the dossiers\n\n")
		fmt.Fprintf(w, "The dashboard (%s..%s by month and agency, stocks and durations, as of %s) in this process, before the server started: "+
			"%d rows plus the total, %s dossiers received in those months.\n\n", c.query.From, c.query.To, c.query.AsOf, c.rows, thousands(c.received))
		fmt.Fprintf(w, "| path | runs | median | min | max |\n|---|---:|---:|---:|---:|\n")
		for _, p := range []struct {
			name string
			d    []time.Duration
		}{{"recomputed from every dossier (`RecomputeRollup` + `stats.Compute`)", c.recompute}, {"read from the rollups (`Store.DossierStats`)", c.read}} {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", p.name, len(p.d), fmtDur(median(p.d)), fmtDur(slices.Min(p.d)), fmtDur(slices.Max(p.d)))
		}
		fmt.Fprintf(w, "\nRatio of the medians, recompute / rollups: **%s**. Identical results (every row and the total, every run): %s.\n",
			fmtRatio(float64(median(c.recompute))/float64(median(c.read))), met(c.identical))
	}
}

func openCount(s *sample) int {
	n := 0
	for _, w := range s.open {
		n += len(w)
	}
	return n
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func sectionStart(n int) string {
	return fmt.Sprintf("<!-- registry bench --dossiers %d: start -->", n)
}

func sectionEnd(n int) string { return fmt.Sprintf("<!-- registry bench --dossiers %d: end -->", n) }

// WriteSection replaces the report's section (keyed by the number of
// dossiers) in the markdown file at path, or appends it, creating the file
// with a title when missing. The rest of the file is left as it is.
func (r *Report) WriteSection(path string) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		old, err = []byte("# Benchmarks\n\nWritten by `registry bench`.\n"), nil
	}
	if err != nil {
		return err
	}
	text := string(old)
	section := r.Markdown()
	start, end := sectionStart(r.dossiers), sectionEnd(r.dossiers)
	i, j := strings.Index(text, start), strings.Index(text, end)
	if i >= 0 && j > i {
		text = text[:i] + strings.TrimSuffix(section, "\n") + text[j+len(end):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// machine describes where the benchmark ran: CPUs, their model, Go, the OS.
func machine() string {
	cpu := ""
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = " (" + strings.TrimSpace(v) + ")"
				break
			}
		}
	}
	mem := ""
	if info, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
					mem = fmt.Sprintf(", %.1f GB of memory", float64(kb)/(1<<20))
				}
			}
		}
	}
	return fmt.Sprintf("%d CPUs%s%s, %s, %s/%s", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// revision names the commit the binary was built from, as go build
// records it, or as git tells when it was built without.
func revision() string {
	var rev, modified string
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	if rev == "" {
		out, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			return "unknown"
		}
		rev = strings.TrimSpace(string(out))
		if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(out) > 0 {
			modified = "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return "commit " + rev + " with uncommitted changes"
	}
	return "commit " + rev
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fmtRatio prints a ratio with two significant figures or so.
func fmtRatio(r float64) string {
	switch {
	case r >= 10:
		return fmt.Sprintf("%.0f×", r)
	case r >= 0.1:
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2g×", r)
}

// fmtDur prints a duration with three significant figures or so.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// fmtMB prints bytes in MB (2^20), or "unknown".
func fmtMB(b int64) string {
	if b < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}
