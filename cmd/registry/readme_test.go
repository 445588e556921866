package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/demo"
)

// TestReadme runs every code block of README.md as it is written there, in
// the README's order, and the GraphQL blocks of the docs/ pages after them:
//
//   - GraphQL blocks go to a server started as `make run` starts it, over
//     HTTP on loopback, on a fresh store holding the sample data; each must
//     answer without errors, and what the text says of an answer is checked
//     (readmeAnswers). The tour's mutations are then sent again: they must
//     change nothing. What the README says of the sample is asked first.
//   - Shell blocks of `go run ./cmd/registry ...` lines run with sh from the
//     repository's root, on an empty temporary data directory
//     (REGISTRY_DATA), without MONGODB_URI.
//   - The client recipes (readme_clients_test.go) run in a scratch npm
//     project made by the README's own shell blocks, run as one terminal
//     session; each recipe is written to the file its first line names and
//     run with node, and prints what its `// prints:` comment says.
//   - A block preceded by the line `<!-- not run: reason -->` is not run
//     (the reason is logged); its `make TARGET` lines must be targets of the
//     Makefile (make -n TARGET).
//
// The one change made to the text: the address of `make run`'s server,
// 127.0.0.1:8080, becomes the test server's. A block of any other kind
// fails the test until it is run here or marked.
func TestReadme(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme := readMarkdown(t, root, "README.md")
	if readme.lines >= readmeLines {
		t.Errorf("README.md has %d lines: keep it under %d, reference in docs/", readme.lines, readmeLines)
	}
	plan := planReadme(t, readme, readMarkdown(t, root, "docs/clients.md"))
	pages := append([]mdPage{readme}, readDocs(t, root)...)
	checkLinks(t, root, pages)

	clients := newClientProject(t, root, plan)
	tools := runTools(t, root, plan.tools)
	s := sampleServer(t)
	clients.setUp(t)

	checkSample(t, s, readme.text)
	steps := clients.startSubscriptions(t, s)
	runGraphQLBlocks(t, s, pages)
	checkTourAgain(t, s, plan.graphql)
	clients.check(t, s, steps)
	checkNotRun(t, root, plan.notRun)
	if err := <-tools; err != nil {
		t.Error(err)
	}
}

// mdPage is a Markdown page: its text, whitespace collapsed, and its fenced
// code blocks.
type mdPage struct {
	name   string
	text   string
	raw    string
	lines  int
	blocks []mdBlock
}

// readmeLines is the README's length: a newcomer reads it to the end.
const readmeLines = 250

type mdBlock struct {
	page   string
	line   int
	lang   string
	body   string
	notRun string // the reason a `<!-- not run: ... -->` line gives, just before the block
}

func (b mdBlock) String() string { return fmt.Sprintf("%s:%d (%s)", b.page, b.line, b.lang) }

var (
	fence       = regexp.MustCompile("^```([a-z]*)$")
	notRunMark  = regexp.MustCompile(`^<!-- not run: (.+) -->$`)
	whitespaces = regexp.MustCompile(`\s+`)
)

func readMarkdown(t *testing.T, root, name string) mdPage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	page := mdPage{name: name, text: whitespaces.ReplaceAllString(string(data), " "), raw: string(data), lines: len(lines)}
	prev := ""
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.TrimSpace(lines[i]) != "" {
				prev = lines[i]
			}
			continue
		}
		b := mdBlock{page: name, line: i + 1, lang: m[1]}
		if r := notRunMark.FindStringSubmatch(prev); r != nil {
			b.notRun = r[1]
		}
		var body []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		b.body = strings.Join(body, "\n") + "\n"
		page.blocks = append(page.blocks, b)
		prev = ""
	}
	return page
}

// readDocs reads the docs/ pages, in name order.
func readDocs(t *testing.T, root string) []mdPage {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(names) == 0 {
		t.Fatalf("docs/*.md: %v, %d pages", err, len(names))
	}
	slices.Sort(names)
	var pages []mdPage
	for _, n := range names {
		rel, _ := filepath.Rel(root, n)
		pages = append(pages, readMarkdown(t, root, rel))
	}
	return pages
}

// readmePlan sorts the README's blocks by how they are run.
type readmePlan struct {
	graphql, tools, notRun []mdBlock
	session                []mdBlock // the client project's shell blocks and files, in order
}

var toolLine = regexp.MustCompile(`^go run \./cmd/registry( |$)`)

// planReadme sorts the blocks of the README, and of the pages that continue
// its client project after it (docs/clients.md), by how they are run.
func planReadme(t *testing.T, readme mdPage, more ...mdPage) readmePlan {
	t.Helper()
	var p readmePlan
	blocks := readme.blocks
	for _, page := range more {
		blocks = append(slices.Clip(blocks), page.blocks...)
	}
	for _, b := range blocks {
		switch {
		case b.notRun != "":
			p.notRun = append(p.notRun, b)
		case b.lang == "graphql":
			p.graphql = append(p.graphql, b)
		case b.lang == "sh" && allLines(b.body, toolLine):
			p.tools = append(p.tools, b)
		case b.lang == "sh" || recipeFile(b) != "":
			p.session = append(p.session, b)
		default:
			t.Errorf("%s: a block this test does not run: run it in TestReadme, or mark it <!-- not run: why -->", b)
		}
	}
	if len(p.graphql) < 4 || len(p.tools) == 0 || len(p.session) < 5 {
		t.Fatalf("README: %d GraphQL blocks, %d of tools, %d of the client project: want the tour, the tools and the recipes",
			len(p.graphql), len(p.tools), len(p.session))
	}
	return p
}

// allLines reports whether every line of body that is not empty matches re.
func allLines(body string, re *regexp.Regexp) bool {
	for l := range strings.SplitSeq(strings.TrimSpace(body), "\n") {
		if !re.MatchString(l) {
			return false
		}
	}
	return true
}

// sampleServer starts the server as `make run` does on an empty ./data: the
// embedded engine on a new data directory, where it loads the sample.
func sampleServer(t *testing.T) *testServer {
	t.Helper()
	cfg := defaultConfig(t)
	cfg.store = storeConfig{data: t.TempDir(), database: "registry"}
	cfg.demo = true
	return startServer(t, cfg)
}

// withServer puts the test server's address where the README has make
// run's.
func withServer(s *testServer, text string) string {
	return strings.ReplaceAll(text, "127.0.0.1:8080", s.addr)
}

// runTools runs the tools' shell blocks from the repository's root on an
// empty data directory; the result arrives once all have run.
func runTools(t *testing.T, root string, blocks []mdBlock) <-chan error {
	env := append(environ("MONGODB_URI", "REGISTRY_DATA"), "REGISTRY_DATA="+t.TempDir())
	return inBackground(t, func(ctx context.Context) error {
		for _, b := range blocks {
			ctx, cancel := context.WithTimeout(ctx, hangGuard)
			cmd := exec.CommandContext(ctx, "sh", "-ec", b.body)
			cmd.Dir, cmd.Env = root, env
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %v\n%s\n%s", b, err, b.body, out)
			}
		}
		return nil
	})
}

// inBackground runs f while the test goes on; its result arrives on the
// channel. At the test's end f's context is cancelled and f waited for, so
// that nothing writes in the test's directories as they are removed.
func inBackground(t *testing.T, f func(ctx context.Context) error) <-chan error {
	ctx, cancel := context.WithCancel(context.Background())
	result, ended := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(ended)
		result <- f(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-ended
	})
	return result
}

// environ is the process's environment without the variables named.
func environ(drop ...string) []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, name)
	})
}

// checkSample holds what the README says of the sample, before the tour
// adds to it.
func checkSample(t *testing.T, s *testServer, readme string) {
	t.Helper()
	var out struct {
		Dossiers, Agencies, Procedures, Reports struct{ TotalCount int }
		Directives                              struct {
			TotalCount int
			Edges      []struct {
				Node struct{ Provenance struct{ Source string } }
			}
		}
		March struct {
			Total struct {
				Resolved struct{ Total, Early, OnTime int }
			}
		}
	}
	s.do(t, `{ dossiers { totalCount } agencies { totalCount } procedures { totalCount } reports { totalCount }
		directives(first: 100) { totalCount edges { node { provenance { source } } } }
		march: dossierStats(filter: {from: "2021-03", to: "2021-03", agencyCodes: ["000.00.06.H56"]}) {
			total { resolved { total early onTime } } } }`, nil, &out)
	from := map[string]int{}
	for _, e := range out.Directives.Edges {
		from[e.Node.Provenance.Source]++
	}
	m := out.March.Total.Resolved
	for _, c := range []struct {
		says      string
		got, want int
	}{
		{"16,000 generated dossiers", out.Dossiers.TotalCount, 16000},
		{"(29 agencies)", out.Agencies.TotalCount, 29},
		{"30 procedures", out.Procedures.TotalCount, 30},
		{"10 directives", out.Directives.TotalCount, 10},
		{"6 from the bulletin", from[demo.BulletinSource], 6},
		{"its 4 reports", out.Reports.TotalCount, 4},
		{"4 showing validity over time", from[demo.ChainSource], 4},
		{"5,570 = 4,671 early + 899 on time", m.Total*1e8 + m.Early*1e4 + m.OnTime, 5570*1e8 + 4671*1e4 + 899},
	} {
		if !strings.Contains(readme, c.says) {
			t.Errorf("the README no longer says %q of the sample: say it again, or change this check", c.says)
		}
		if c.got != c.want {
			t.Errorf("the README says %q of the sample: the sample has %d", c.says, c.got)
		}
	}
}

// readmeAnswer is what a page says of an answer: the value at path (keys
// and indexes separated by dots, # for a list's length), and the words
// of the page that say it.
type readmeAnswer struct{ path, want, says string }

// readmeAnswers are keyed by a fragment found in exactly one GraphQL block.
var readmeAnswers = map[string][]readmeAnswer{
	`createDirective(`: {
		{"createDirective.symbol.text", "61/2018/NĐ-CP", ""},
		{"createProcedure.legalBases.0.directives.0.summary", "Thực hiện cơ chế một cửa, một cửa liên thông", ""},
	},
	`receiveDossier(`: {
		{"receiveDossier.dueDate", "2021-04-23", "from 15 April end on the 23rd"},
		{"resolve.outcome", "EARLY", "the dossier is `EARLY`"},
	},
	`dossier(code: "000.00.31.H56-210415-0001")`: {{"dossier.history.#", "3", ""}, {"dossier.procedure.legalBases.0.directives.#", "1", ""}},
	`directive(symbol: "61/2018/nd-cp")`: {
		{"directive.#", "1", "answers a list"},
		{"directive.0.symbol.text", "61/2018/NĐ-CP", ""},
	},
	`search: "mot cua"`: {
		{"directives.totalCount", "6", `finds 6 for "mot cua"`},
		{"reports.edges.#", "1", "finds the January report"},
		{"reports.edges.0.node.findings.0.code", "PARTS_DO_NOT_ADD_UP", "exceed its total by 28 (`PARTS_DO_NOT_ADD_UP`)"},
		{"reports.edges.0.node.findings.1.code", "RATE_BASED_ON_PARTS", "(`RATE_BASED_ON_PARTS`)"},
	},
	`national: rates(definition: NATIONAL_766)`: {
		{"dossierStats.groups.2.period.label", "2021-03", ""},
		{"dossierStats.groups.2.resolved.total", "5570", "5,570 resolved"},
		{"dossierStats.groups.2.resolved.early", "4671", "4,671 early"},
		{"dossierStats.groups.2.resolved.onTime", "899", "899 on time, none late"},
		{"dossierStats.groups.2.resolved.late", "0", "none late"},
		{"dossierStats.groups.2.resolved.nationalOnTime", "5510", "5,510 on time"},
		{"dossierStats.groups.2.resolved.nationalLate", "60", "60 late"},
	},
	`plan: directive(symbol: "63/KH-UBND")`: {
		{"plan.0.relations.0.kind", "IMPLEMENTS", "The plan `IMPLEMENTS` 468/QĐ-TTg"},
		{"decision.0.relations.0.kind", "IMPLEMENTED_BY", "`IMPLEMENTED_BY` 63/KH-UBND"},
		{"decision.0.relations.0.directives.0.symbol.text", "63/KH-UBND", ""},
	},
	`quarter: reconciliation(`: {
		{"january.comparisons.0.report.resolved", "6164", "the report says 6,164 resolved"},
		{"january.computed.resolved.total", "6192", "the dossiers give 6,192"},
		{"quarter.comparisons.0.report.resolved", "12058", "reported 12,058"},
		{"quarter.computed.resolved.total", "12084", "computed 12,084"},
	},
	`land: directive(symbol: "43/2014/NĐ-CP")`: {
		{"land.0.today.state", "REPLACED", "`today` is `REPLACED` since 2024-08-01 by 102/2024/NĐ-CP (`DERIVED`)"},
		{"land.0.today.since", "2024-08-01", ""},
		{"land.0.today.by.symbol", "102/2024/NĐ-CP", ""},
		{"land.0.today.source", "DERIVED", ""},
		{"land.0.before.state", "PARTLY_AMENDED", "`before` is `PARTLY_AMENDED` since 2017-03-03 until 2024-07-31"},
		{"land.0.before.since", "2017-03-03", ""},
		{"land.0.before.until", "2024-07-31", ""},
		{"inForce.totalCount", "2", "`inForce` counts 2"},
		{"procedures.totalCount", "5", "the sample's 5 land procedures"},
		{"procedures.edges.0.node.legalBasesNotInForce.#", "1", "until the README tour's example 1 registers it"},
		{"procedures.edges.0.node.legalBasesNotInForce.0.basis", "43/2014/NĐ-CP", "43/2014/NĐ-CP `REPLACED`"},
		{"procedures.edges.0.node.legalBasesNotInForce.0.state", "REPLACED", ""},
	},
}

// runGraphQLBlocks sends every page's GraphQL blocks in order and checks
// the answers against readmeAnswers.
func runGraphQLBlocks(t *testing.T, s *testServer, pages []mdPage) {
	t.Helper()
	matched := map[string]int{}
	for _, p := range pages {
		for _, b := range p.blocks {
			if b.lang != "graphql" || b.notRun != "" {
				continue
			}
			r := s.post(t, withServer(s, b.body), nil)
			if len(r.Errors) > 0 {
				t.Errorf("%s: %s", b, r.Body)
				continue
			}
			var data any
			r.decode(t, &data)
			for key, answers := range readmeAnswers {
				if !strings.Contains(b.body, key) {
					continue
				}
				matched[key]++
				checkAnswers(t, b, p.text, data, answers)
			}
		}
	}
	for key := range readmeAnswers {
		if matched[key] != 1 {
			t.Errorf("%d GraphQL blocks contain %q, want one: change readmeAnswers with the examples", matched[key], key)
		}
	}
}

func checkAnswers(t *testing.T, b mdBlock, text string, data any, answers []readmeAnswer) {
	t.Helper()
	for _, a := range answers {
		if a.says != "" && !strings.Contains(text, a.says) {
			t.Errorf("%s: %s no longer says %q: say it again, or change readmeAnswers", b, b.page, a.says)
		}
		got, ok := jsonAt(data, a.path)
		if !ok || fmt.Sprint(got) != a.want {
			t.Errorf("%s: %s is %v, want %s (the page says %q)", b, a.path, got, a.want, a.says)
		}
	}
}

// jsonAt is the value at a dotted path in decoded JSON; # is a list's length.
func jsonAt(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			if k == "#" {
				v = len(x)
				continue
			}
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// checkTourAgain sends the tour's mutations a second time: as the README
// says, each field answers CONFLICT and the desk still has one dossier.
func checkTourAgain(t *testing.T, s *testServer, tour []mdBlock) {
	t.Helper()
	sent := 0
	for _, b := range tour {
		if !strings.HasPrefix(strings.TrimSpace(b.body), "mutation") {
			continue
		}
		sent++
		r := s.post(t, b.body, nil)
		var data map[string]json.RawMessage
		r.decode(t, &data)
		if len(r.Errors) != len(data) {
			t.Errorf("%s sent again: %d errors for %d fields, want each field refused\n%s", b, len(r.Errors), len(data), r.Body)
		}
		for _, e := range r.Errors {
			if e.code() != "CONFLICT" {
				t.Errorf("%s sent again: %s %q, want CONFLICT", b, e.code(), e.Message)
			}
		}
	}
	if sent != 2 {
		t.Errorf("the tour has %d mutations, want 2 (a desk, then a dossier's steps)", sent)
	}
	if n := s.count(t, `dossiers(filter: {agencyCode: "000.00.31.H56"})`); n != 1 {
		t.Errorf("the tour's desk has %d dossiers after the tour ran twice, want 1", n)
	}
}

// checkNotRun logs why each marked block is not run, and checks that its
// make targets are the Makefile's.
func checkNotRun(t *testing.T, root string, blocks []mdBlock) {
	t.Helper()
	for _, b := range blocks {
		t.Logf("%s not run: %s", b, b.notRun)
		for l := range strings.SplitSeq(b.body, "\n") {
			f := strings.Fields(l)
			if len(f) < 2 || f[0] != "make" {
				continue
			}
			if _, err := exec.LookPath("make"); err != nil {
				t.Logf("make is not installed: %s's `make %s` is not checked", b, f[1])
				continue
			}
			cmd := exec.CommandContext(t.Context(), "make", "-n", f[1])
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: `make %s` is not a target of the Makefile: %v\n%s", b, f[1], err, out)
			}
		}
	}
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#+ (.+)$`)
	notInSlug = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// checkLinks: every relative link of the pages reaches a file, and its
// #fragment a heading of that file, as GitHub makes their anchors.
func checkLinks(t *testing.T, root string, pages []mdPage) {
	t.Helper()
	for _, p := range pages {
		for _, m := range mdLink.FindAllStringSubmatch(p.raw, -1) {
			target, fragment, _ := strings.Cut(m[1], "#")
			if strings.Contains(target, "://") {
				continue
			}
			file := filepath.Join(root, filepath.Dir(p.name), target)
			if target == "" {
				file = filepath.Join(root, p.name)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s links to %s: %v", p.name, m[1], err)
				continue
			}
			if fragment == "" {
				continue
			}
			var anchors []string
			for _, h := range mdHeading.FindAllStringSubmatch(string(data), -1) {
				anchors = append(anchors, strings.ReplaceAll(notInSlug.ReplaceAllString(strings.ToLower(h[1]), ""), " ", "-"))
			}
			if !slices.Contains(anchors, fragment) {
				t.Errorf("%s links to %s: no heading makes #%s (%v)", p.name, m[1], fragment, anchors)
			}
		}
	}
}
