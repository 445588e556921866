// Package explore serves /explore: the registry's figures as charts and
// tables for readers who do not write GraphQL (journalists, auditors). The
// page is static; its script reads the public GraphQL API at /graphql, as
// an anonymous reader unless the user pastes a key. Everything it loads is
// embedded in the binary: the page's own files, among them vi.json, the
// Vietnamese for the codes the API answers with (vi_test.go holds it
// complete), and the chart library (uPlot) that `make assets` fetches from
// npm (see package.json).
package explore

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var embedded embed.FS

// vendor are the files `make assets` copies into assets/vendor.
var vendor = []string{"uPlot.iife.min.js", "uPlot.min.css"}

const notBuilt = "The /explore page's chart library is not built: run `make assets`, then rebuild the binary.\n"

// csp keeps the page to its own origin: scripts and styles from its files
// only, requests to the API only.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page at /explore and its files under /explore/.
func Handler() http.Handler {
	return newHandler(embedded)
}

func newHandler(fsys fs.FS) http.Handler {
	assets, err := fs.Sub(fsys, "assets")
	if err != nil {
		panic("explore: " + err.Error())
	}
	for _, name := range vendor {
		if _, err := fs.Stat(assets, "vendor/"+name); err != nil {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, notBuilt, http.StatusServiceUnavailable)
			})
		}
	}
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The state lives in the URL's fragment, which the server never
		// sees: /explore is one page for every view.
		rest, _ := strings.CutPrefix(r.URL.Path, "/explore")
		r = r.Clone(r.Context())
		r.URL.Path = "/" + strings.TrimPrefix(rest, "/")
		files.ServeHTTP(w, r)
	})
}
