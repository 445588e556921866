// Package playground serves a GraphiQL page whose scripts and styles are
// embedded in the binary, so it works on closed networks with no CDN access.
// The third-party bundles are fetched by `make assets` (see package.json).
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed assets
var embedded embed.FS

// assetPrefix is where the bundles are served; the page references them there.
const assetPrefix = "/playground/"

// bundles are the files `make assets` copies into assets/, in load order
// (GraphiQL's UMD build expects the React and ReactDOM globals).
var bundles = []string{
	"react.production.min.js",
	"react-dom.production.min.js",
	"graphiql.min.js",
	"graphiql.min.css",
}

const notBuilt = "GraphQL playground assets are not built: run `make assets`, then rebuild the binary.\n"

// bootScript is constant so the page's Content-Security-Policy can allow it
// by hash; the endpoint comes from a data attribute instead.
const bootScript = `
(function () {
  var root = document.getElementById("graphiql");
  var endpoint = root.dataset.endpoint;
  var ws = location.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: ws + "//" + location.host + endpoint
  });
  var tabs = JSON.parse(document.getElementById("tabs").textContent);
  // A link may bring a document to run (/explore's "show query").
  var params = new URLSearchParams(location.search);
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    schemaDescription: true,
    defaultTabs: tabs.map(function (q) { return { query: q }; }),
    query: params.get("query") || undefined,
    variables: params.get("variables") || undefined
  }));

  // The editors keep Tab for indenting: Esc, then Tab or Shift+Tab, leaves
  // one (as VS Code's tab trapping does); the page's hint says so.
  var escaped = false;
  document.addEventListener("keydown", function (e) {
    var inEditor = e.target.closest && e.target.closest(".CodeMirror");
    if (inEditor && e.key === "Tab" && escaped) e.stopPropagation(); // the browser moves the focus
    escaped = !!inEditor && e.key === "Escape";
  }, true);

  // The editors' text areas get names, and the hint as their description.
  var names = [
    [".graphiql-query-editor", "Truy vấn GraphQL"],
    [".graphiql-editor-tool .graphiql-editor:nth-of-type(1)", "Biến (JSON)"],
    [".graphiql-editor-tool .graphiql-editor:nth-of-type(2)", "Tiêu đề HTTP (JSON)"],
    [".graphiql-response", "Kết quả"]
  ];
  function label() {
    names.forEach(function (n) {
      document.querySelectorAll(n[0] + " .CodeMirror textarea").forEach(function (t) {
        t.setAttribute("aria-label", n[1]);
        t.setAttribute("aria-describedby", "editor-keys");
      });
    });
  }
  new MutationObserver(label).observe(root, { childList: true, subtree: true });
  label();
})();
`

// csp keeps the page same-origin even if a bundle tried to load something
// remote; GraphiQL embeds its fonts as data: URLs and sets inline styles.
var csp = "default-src 'none'; " +
	"script-src 'self' 'sha256-" + sha256Base64(bootScript) + "'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'"

var page = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vietnam administrative registry — GraphQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{index .URLs "graphiql.min.css"}}">
<style>
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; }
#graphiql { flex: 1; min-height: 0; }
#hint { margin: 0; padding: 2px 16px; font: 13px/20px system-ui, sans-serif; color: #1b1b1b; background: #f4f4f2; }
#hint a { color: #0b5394; }
#hint .phone { display: none; }
/* On a phone the panes stack, each as wide as the screen, and the hint
   points to the pages made for it. */
@media (max-width: 40rem) {
  #hint .phone { display: inline; }
  #editor-keys { display: none; }
  .graphiql-container .graphiql-sessions { margin: 4px; }
  .graphiql-container .graphiql-session { flex-direction: column; overflow-y: auto; }
  .graphiql-container .graphiql-session > div { flex: none !important; display: flex; min-height: 60vh; }
  .graphiql-container .graphiql-session > div > * { flex: 1; }
  .graphiql-container .graphiql-horizontal-drag-bar { display: none; }
}
</style>
</head>
<body>
<p id="hint"><span id="editor-keys">Trong ô soạn thảo, Tab để thụt lề: nhấn Esc rồi Tab để ra khỏi ô. <span lang="en">In an editor, Tab indents: press Esc, then Tab, to leave it.</span></span>
<span class="phone">Trên điện thoại, dùng <a href="/explore#/stats">/explore</a>: biểu đồ, bảng và tệp CSV tải từ /stats.csv.</span></p>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading GraphiQL…</div>
<script type="application/json" id="tabs">{{.Tabs}}</script>
<script src="{{index .URLs "react.production.min.js"}}"></script>
<script src="{{index .URLs "react-dom.production.min.js"}}"></script>
<script src="{{index .URLs "graphiql.min.js"}}"></script>
<script>{{.Script}}</script>
</body>
</html>
`))

type asset struct {
	body        []byte
	etag        string
	contentType string
}

// Handler serves the GraphiQL page at "/" querying endpoint, an absolute path
// on the same host such as "/graphql" (subscriptions use ws(s):// on it), and
// the embedded bundles under "/playground/". It panics on a non-path endpoint,
// which is a programming error.
func Handler(endpoint string) http.Handler {
	return newHandler(endpoint, embedded)
}

// newHandler takes the file system so tests can exercise an unbuilt tree.
func newHandler(endpoint string, fsys fs.FS) http.Handler {
	if !strings.HasPrefix(endpoint, "/") || strings.HasPrefix(endpoint, "//") {
		panic("playground: endpoint must be an absolute path such as /graphql, got " + endpoint)
	}
	assets, ok := loadAssets(fsys)
	if !ok {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			if !allowMethod(w, r) {
				return
			}
			http.Error(w, notBuilt, http.StatusServiceUnavailable)
		})
	}

	// Content-hashed URLs let browsers cache the bundles for a year and
	// still pick up new ones after an upgrade.
	urls := make(map[string]string, len(assets))
	for name, a := range assets {
		urls[name] = assetPrefix + name + "?v=" + strings.Trim(a.etag, `"`)
	}
	var buf bytes.Buffer
	tabs, err := json.Marshal(Tabs)
	if err != nil {
		panic("playground: tabs: " + err.Error())
	}
	err = page.Execute(&buf, struct {
		Endpoint string
		URLs     map[string]string
		Script   template.JS
		Tabs     template.JS
	}{endpoint, urls, template.JS(bootScript), template.JS(tabs)})
	if err != nil {
		panic("playground: rendering page: " + err.Error())
	}
	index := buf.Bytes()

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		h := w.Header()
		switch name, isAsset := strings.CutPrefix(r.URL.Path, assetPrefix); {
		case r.URL.Path == "/":
			if !allowMethod(w, r) {
				return
			}
			body = index
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Security-Policy", csp)
		case isAsset && assets[name] != nil:
			if !allowMethod(w, r) {
				return
			}
			a := assets[name]
			body = a.body
			h.Set("Content-Type", a.contentType)
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			h.Set("ETag", a.etag)
		default:
			http.NotFound(w, r)
			return
		}
		h.Set("X-Content-Type-Options", "nosniff")
		// ServeContent handles HEAD, If-None-Match and ranges.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// loadAssets reads the bundles; ok is false when `make assets` has not run
// before the build and only the placeholder README was embedded.
func loadAssets(fsys fs.FS) (map[string]*asset, bool) {
	assets := make(map[string]*asset, len(bundles))
	for _, name := range bundles {
		body, err := fs.ReadFile(fsys, "assets/"+name)
		if err != nil {
			return nil, false
		}
		sum := sha256.Sum256(body)
		ct := "text/javascript; charset=utf-8"
		if strings.HasSuffix(name, ".css") {
			ct = "text/css; charset=utf-8"
		}
		assets[name] = &asset{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, contentType: ct}
	}
	return assets, true
}

func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func sha256Base64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
