package main

import (
	"os/exec"
	"regexp"
	"slices"
	"testing"

	"github.com/vnregistry/registry/internal/playground"
)

// TestPlaygroundTabsInABrowser opens the playground in headless Chromium
// (installed by `make test`) and finds it rendered with one tab per example
// document, titled by the operation's name.
func TestPlaygroundTabsInABrowser(t *testing.T) {
	t.Parallel()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is needed: `make test` installs it (Debian's package)")
	}
	s := startServer(t, nil)
	cmd := exec.CommandContext(t.Context(), browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000", "--dump-dom", s.url+"/")
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	var titles []string
	for _, m := range regexp.MustCompile(`graphiql-tab-button">([^<]+)<`).FindAllSubmatch(dom, -1) {
		titles = append(titles, string(m[1]))
	}
	var want []string
	for _, doc := range playground.Tabs {
		want = append(want, regexp.MustCompile(`(?m)^query (\w+)`).FindStringSubmatch(doc)[1])
	}
	if !slices.Equal(titles, want) {
		t.Errorf("the rendered playground's tabs are %q, want %q\n%.2000s", titles, want, dom)
	}
}
