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
	"strings"
	"testing"
	"time"
)

// The README's client recipes, for TestReadme: a scratch npm project made by
// the README's shell blocks, run in order as one terminal session (each
// starts in the directory the one before ended in), in a temporary
// directory where `registry` is this repository, as for a reader who
// cloned it beside the project. npm prefers its cache, which `make test`
// fills with the exact versions the README installs (testdata/node's
// packages, which must be the README's).

// clientProject is the scratch project; skip says why it is not run.
type clientProject struct {
	skip    string
	root    string // the repository
	dir     string // the session's working directory
	tmp     string // the test's own files
	env     []string
	blocks  []mdBlock
	next    int // blocks[next] is the first not yet run or written
	written []mdBlock
	timings []string
	started <-chan error
}

var (
	recipeName  = regexp.MustCompile(`^// (\S+\.(?:mjs|ts))\n`)
	printsLine  = regexp.MustCompile(`(?m)^// prints[^:\n]*:\n((?://   .*\n)+)`)
	npmPackages = regexp.MustCompile(`(?m)^npm install (.+)$`)
)

// recipeFile is the file a client block is saved as, from its first line.
func recipeFile(b mdBlock) string {
	if m := recipeName.FindStringSubmatch(b.body); m != nil && (b.lang == "js" || b.lang == "ts") {
		return m[1]
	}
	return ""
}

// newClientProject checks what the README installs, and starts the
// session's blocks up to the first file in the background.
func newClientProject(t *testing.T, root string, plan readmePlan) *clientProject {
	t.Helper()
	c := &clientProject{root: root, blocks: plan.session}
	checkPackageVersions(t, root, plan.session)
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			c.skip = tool + " is not installed: the README's client recipes need Node.js and npm (`make test` expects them)"
			return c
		}
	}
	c.dir, c.tmp = t.TempDir(), t.TempDir()
	if err := os.Symlink(root, filepath.Join(c.dir, "registry")); err != nil {
		t.Fatal(err)
	}
	c.env = append(environ("MONGODB_URI"), "npm_config_prefer_offline=true", "npm_config_audit=false",
		"npm_config_fund=false", "npm_config_update_notifier=false", "npm_config_loglevel=error")
	c.started = inBackground(t, c.runShell)
	return c
}

// runShell runs the session's shell blocks from the next one on, until a
// file.
func (c *clientProject) runShell(ctx context.Context) error {
	for ; c.next < len(c.blocks) && c.blocks[c.next].lang == "sh"; c.next++ {
		if err := c.sh(ctx, c.blocks[c.next]); err != nil {
			return err
		}
	}
	return nil
}

// sh runs one block in the session's directory and keeps the directory it
// ends in.
func (c *clientProject) sh(ctx context.Context, b mdBlock) error {
	pwd := filepath.Join(c.tmp, "pwd")
	ctx, cancel := context.WithTimeout(ctx, hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-ec", b.body+"pwd > '"+pwd+"'\n")
	cmd.Dir, cmd.Env = c.dir, c.env
	began := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s\n%s", b, err, b.body, out)
	}
	dir, err := os.ReadFile(pwd)
	if err != nil {
		return err
	}
	c.dir = strings.TrimSpace(string(dir))
	c.timings = append(c.timings, fmt.Sprintf("%s ran in %v", b, time.Since(began).Round(time.Millisecond)))
	return nil
}

// setUp waits for the project's first shell blocks.
func (c *clientProject) setUp(t *testing.T) {
	t.Helper()
	if c.skip != "" {
		return
	}
	if err := <-c.started; err != nil {
		t.Fatal(err)
	}
}

// checkPackageVersions: the README's `npm install` lines name exact
// versions, the ones testdata/node installs, so that `make test` caches
// them.
func checkPackageVersions(t *testing.T, root string, blocks []mdBlock) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "cmd/registry/testdata/node/package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Dependencies map[string]string }
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	installs := 0
	for _, b := range blocks {
		for _, m := range npmPackages.FindAllStringSubmatch(b.body, -1) {
			for _, arg := range strings.Fields(m[1]) {
				if strings.HasPrefix(arg, "-") {
					continue
				}
				installs++
				at := strings.LastIndex(arg, "@")
				if at <= 0 {
					t.Errorf("%s: npm install %s: name the exact version (testdata/node's)", b, arg)
					continue
				}
				if name, version := arg[:at], arg[at+1:]; pkg.Dependencies[name] != version {
					t.Errorf("%s: npm install %s, but testdata/node/package.json has %q: keep them equal", b, arg, pkg.Dependencies[name])
				}
			}
		}
	}
	if installs == 0 {
		t.Error("the README installs no npm package for its client recipes")
	}
}

// recipe is a running recipe: its output so far.
type recipe struct {
	block  mdBlock
	name   string
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startSubscriptions writes the recipes and starts those that subscribe,
// which print as the tour's steps are recorded; it returns once the server
// runs their subscriptions.
func (c *clientProject) startSubscriptions(t *testing.T, s *testServer) []*recipe {
	t.Helper()
	if c.skip != "" {
		return nil
	}
	var running []*recipe
	for _, b := range c.writeFiles(t, s) {
		if strings.Contains(b.body, ".subscribe(") {
			running = append(running, c.start(t, b, recipeFile(b)))
		}
	}
	for deadline := time.Now().Add(hangGuard); inFlight(t, s) < len(running); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server runs %d subscriptions %v after %d recipes subscribed", inFlight(t, s), hangGuard, len(running))
		}
	}
	return running
}

// writeFiles saves the session's files from the next block on, until a
// shell block, and returns them.
func (c *clientProject) writeFiles(t *testing.T, s *testServer) []mdBlock {
	t.Helper()
	var files []mdBlock
	for ; c.next < len(c.blocks) && c.blocks[c.next].lang != "sh"; c.next++ {
		b := c.blocks[c.next]
		if err := os.WriteFile(filepath.Join(c.dir, recipeFile(b)), []byte(withServer(s, b.body)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	c.written = append(c.written, files...)
	return files
}

func (c *clientProject) start(t *testing.T, b mdBlock, name string) *recipe {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	r := &recipe{block: b, name: name, out: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	cmd := exec.CommandContext(ctx, "node", name)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = c.dir, c.env, r.out, r.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(cancel)
	return r
}

// inFlight is the server's count of GraphQL operations running, which
// counts an open subscription from the moment its resolver subscribes.
func inFlight(t *testing.T, s *testServer) int {
	t.Helper()
	_, body := s.get(t, "/metrics", nil)
	var n int
	if m := regexp.MustCompile(`(?m)^registry_graphql_in_flight (\d+)$`).FindSubmatch(body); m != nil {
		fmt.Sscan(string(m[1]), &n)
	}
	return n
}

// expectedOutput is what a recipe's `// prints:` comment says it prints.
func expectedOutput(b mdBlock) []string {
	m := printsLine.FindStringSubmatch(b.body)
	if m == nil {
		return nil
	}
	var lines []string
	for l := range strings.SplitSeq(strings.TrimSuffix(m[1], "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "//   "))
	}
	return lines
}

// outputLines are a recipe's lines of output.
func outputLines(out string) []string {
	return strings.Split(strings.TrimRight(out, "\n"), "\n")
}

// check: the subscriptions printed the tour's steps, every other recipe
// prints what it says, and the rest of the session (graphql-codegen) runs
// and types every custom scalar.
func (c *clientProject) check(t *testing.T, s *testServer, subscribed []*recipe) {
	t.Run("client recipes", func(t *testing.T) {
		if c.skip != "" {
			t.Skip(c.skip)
		}
		for _, r := range subscribed {
			r.check(t)
		}
		c.runRecipes(t, c.written)
		for c.next < len(c.blocks) {
			if err := c.runShell(t.Context()); err != nil {
				t.Fatal(err)
			}
			c.runRecipes(t, c.writeFiles(t, s))
		}
		c.checkCodegen(t)
		for _, l := range c.timings {
			t.Log(l)
		}
	})
}

// check stops a subscribing recipe once it printed as many lines as it
// says, and compares them.
func (r *recipe) check(t *testing.T) {
	t.Helper()
	want := expectedOutput(r.block)
	if want == nil {
		t.Errorf("%s: %s does not say what it prints (a `// prints:` comment)", r.block, r.name)
	}
	deadline := time.Now().Add(hangGuard)
	for len(outputLines(r.out.String())) < len(want) && time.Now().Before(deadline) {
		select {
		case err := <-r.done:
			t.Fatalf("%s: node %s ended: %v\n%s", r.block, r.name, err, r.out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	r.cancel()
	<-r.done
	if got := outputLines(r.out.String()); !slices.Equal(got, want) {
		t.Errorf("%s: node %s printed\n%s\nwant, as the README says:\n%s", r.block, r.name, r.out, strings.Join(want, "\n"))
	}
}

// runRecipes runs each recipe (an .mjs file that subscribes to nothing)
// and compares what it prints with what it says.
func (c *clientProject) runRecipes(t *testing.T, blocks []mdBlock) {
	t.Helper()
	for _, b := range blocks {
		name := recipeFile(b)
		if !strings.HasSuffix(name, ".mjs") || strings.Contains(b.body, ".subscribe(") {
			continue
		}
		want := expectedOutput(b)
		if want == nil {
			t.Errorf("%s: %s does not say what it prints (a `// prints:` comment)", b, name)
		}
		ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
		cmd := exec.CommandContext(ctx, "node", name)
		cmd.Dir, cmd.Env = c.dir, c.env
		began := time.Now()
		out, err := cmd.Output()
		cancel()
		if err != nil {
			stderr := ""
			if e, ok := err.(*exec.ExitError); ok {
				stderr = string(e.Stderr)
			}
			t.Errorf("%s: node %s: %v\n%s%s", b, name, err, out, stderr)
			continue
		}
		if got := outputLines(string(out)); !slices.Equal(got, want) {
			t.Errorf("%s: node %s printed\n%s\nwant, as the README says:\n%s", b, name, out, strings.Join(want, "\n"))
		}
		c.timings = append(c.timings, fmt.Sprintf("node %s ran in %v", name, time.Since(began).Round(time.Millisecond)))
	}
}

var (
	codegenOutput = regexp.MustCompile(`'([^']+\.ts)':\s*\{`)
	schemaScalar  = regexp.MustCompile(`(?m)^scalar (\w+)`)
	operationType = regexp.MustCompile(`\b[A-Z]\w*(?:Query|Mutation|Subscription)\b`)
)

// checkCodegen reads what graphql-codegen wrote: every custom scalar of the
// schema typed (neither unknown nor any), and the operations the README
// names.
func (c *clientProject) checkCodegen(t *testing.T) {
	t.Helper()
	var config mdBlock
	for _, b := range c.written {
		if b.lang == "ts" && strings.Contains(b.body, "generates:") {
			config = b
		}
	}
	m := codegenOutput.FindStringSubmatch(config.body)
	if m == nil {
		t.Fatal("the README gives no graphql-codegen configuration (a ts block with `generates:` and its output file)")
	}
	generated, err := os.ReadFile(filepath.Join(c.dir, m[1]))
	if err != nil {
		t.Fatalf("%s: graphql-codegen wrote no %s: %v", config, m[1], err)
	}
	schemas, _ := filepath.Glob(filepath.Join(c.root, "schema", "*.graphqls"))
	scalars := 0
	for _, f := range append(schemas, filepath.Join(c.root, "schema.graphqls")) {
		sdl, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range schemaScalar.FindAllStringSubmatch(string(sdl), -1) {
			scalars++
			typed := regexp.MustCompile(`(?m)^\s*` + sc[1] + `: \{ input: (\w+); output: (\w+); \}`).FindStringSubmatch(string(generated))
			if typed == nil {
				t.Errorf("%s: no type for the scalar %s", m[1], sc[1])
			} else if untyped := []string{"unknown", "any"}; slices.Contains(untyped, typed[1]) || slices.Contains(untyped, typed[2]) {
				t.Errorf("%s: the scalar %s is typed input %s, output %s: map it in `scalars`", m[1], sc[1], typed[1], typed[2])
			}
		}
	}
	if scalars == 0 {
		t.Error("the schema files declare no custom scalar: this test reads the wrong files")
	}
	for _, b := range c.blocks {
		if b.lang == "sh" && strings.Contains(b.body, "graphql-codegen") {
			for _, op := range operationType.FindAllString(b.body, -1) {
				if !strings.Contains(string(generated), "export type "+op+" = ") {
					t.Errorf("%s: graphql-codegen wrote no type %s, which the README names", m[1], op)
				}
			}
		}
	}
	if !strings.Contains(string(generated), "export type DirectiveQuery = { directive: Array<") {
		t.Errorf("%s: DirectiveQuery's directive is not a list, as directive(symbol:) is", m[1])
	}
}
