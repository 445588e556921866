package main

import (
	"regexp"
	"slices"
	"testing"

	"github.com/vnregistry/registry/internal/playground"
)

// TestPlaygroundInABrowser opens the playground in headless Chromium
// (installed by `make test`) and finds it rendered with one tab per example
// document, titled by the operation's name; its editors' text areas named;
// the query editor left by Esc then Tab (Tab alone indents); and on a
// phone's width, the result pane as wide as the editor, beside a pointer to
// /explore.
func TestPlaygroundInABrowser(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	c := startChrome(t)
	c.size(1280, 800)
	c.navigate(s.url + "/")
	// GraphiQL makes its four editors one by one.
	c.waitFor(`document.querySelector(".graphiql-tab-button") && document.querySelectorAll(".CodeMirror textarea").length === 4 &&
		Array.from(document.querySelectorAll(".CodeMirror textarea")).every(function (t) { return t.hasAttribute("aria-label"); })`)
	var titles []string
	c.eval(`Array.from(document.querySelectorAll(".graphiql-tab-button")).map(function (b) { return b.textContent; })`, &titles)
	var want []string
	for _, doc := range playground.Tabs {
		want = append(want, regexp.MustCompile(`(?m)^query (\w+)`).FindStringSubmatch(doc)[1])
	}
	if !slices.Equal(titles, want) {
		t.Errorf("the rendered playground's tabs are %q, want %q", titles, want)
	}

	var labels []string
	c.eval(`Array.from(document.querySelectorAll(".CodeMirror textarea")).map(function (t) { return t.getAttribute("aria-label"); })`, &labels)
	if !slices.Equal(labels, []string{"Truy vấn GraphQL", "Biến (JSON)", "Tiêu đề HTTP (JSON)", "Kết quả"}) {
		t.Errorf("the editors' text areas are named %q, want the query, variables, headers and result named", labels)
	}

	inEditor := `!!document.activeElement.closest(".graphiql-query-editor .CodeMirror")`
	var in bool
	c.eval(`document.querySelector(".graphiql-query-editor .CodeMirror textarea").focus()`, nil)
	c.key("Tab", false)
	if c.eval(inEditor, &in); !in {
		t.Error("Tab left the query editor: it should indent there")
	}
	c.key("Escape", false)
	c.key("Tab", false)
	if c.eval(inEditor, &in); in {
		t.Error("Esc, then Tab, did not leave the query editor")
	}

	c.size(390, 800)
	var phone struct {
		Response, Editors float64
		Hint              string
	}
	c.waitFor(`document.querySelector(".graphiql-response").getBoundingClientRect().width > 250`)
	c.eval(`({response: document.querySelector(".graphiql-response").getBoundingClientRect().width,
		editors: document.querySelector(".graphiql-editors").getBoundingClientRect().width,
		hint: document.querySelector("#hint .phone").offsetParent ? document.querySelector("#hint .phone a").getAttribute("href") : ""})`, &phone)
	if phone.Response < phone.Editors-1 || phone.Hint != "/explore#/stats" {
		t.Errorf("on a phone, the result pane is %.0f px beside editors of %.0f px, and the hint leads to %q: want them as wide, and /explore#/stats",
			phone.Response, phone.Editors, phone.Hint)
	}
}
