package bulletin

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/vnregistry/registry/internal/registry"
)

// htmlStart recognises a page saved from a browser, as opposed to text.
var htmlStart = regexp.MustCompile(`(?i)^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]`)

// IsHTML reports whether s is an HTML page rather than plain text.
func IsHTML(s string) bool { return htmlStart.MatchString(s) }

// skipped elements hold nothing a reader reads as the article: code,
// styles, forms, and the site's own navigation around it.
var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Iframe: true, atom.Object: true, atom.Form: true, atom.Button: true,
	atom.Select: true, atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true,
}

// blocks end a line: a reader sees their text apart from what follows.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Tr: true, atom.Table: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Blockquote: true, atom.Figure: true, atom.Figcaption: true, atom.Pre: true, atom.Hr: true,
	atom.Dt: true, atom.Dd: true, atom.Caption: true, atom.Title: true,
}

// HTMLText is the text a reader sees in a page: of its <article> (or
// <main>) when it has one, else of its body; without navigation, header,
// footer and asides, nor elements whose class or id says they are menus,
// breadcrumbs, sidebars or sharing; scripts, styles and forms dropped; entities decoded;
// blocks on lines of their own and table cells separated by " | ". Offsets of
// what is extracted then count characters of this text. A page nesting
// elements deeper than the parser builds is refused: read as text instead,
// its markup and scripts would be stored as what it says.
func HTMLText(page string) (string, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil { // the reader cannot fail: the page is too deep
		return "", registry.Invalid("text", "is an HTML page nesting elements more than %d deep, deeper than a page is read: "+
			"send its article's text, or the page with fewer nested elements", maxHTMLDepth)
	}
	root := find(doc, atom.Article)
	if root == nil {
		root = find(doc, atom.Main)
	}
	if root == nil {
		root = doc
	}
	var b strings.Builder
	render(&b, root)
	var lines []string
	for l := range strings.SplitSeq(b.String(), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		l = strings.Trim(l, "| ")
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), nil
}

// maxHTMLDepth is how deep golang.org/x/net/html nests open elements
// before it gives up on a page.
const maxHTMLDepth = 512

// chromeWords in an element's class, id or role mark the site's own
// furniture around an article: menus, breadcrumbs, sidebars, sharing.
var chromeWords = map[string]bool{
	"menu": true, "nav": true, "navbar": true, "navigation": true, "breadcrumb": true, "breadcrumbs": true,
	"sidebar": true, "footer": true, "header": true, "share": true, "social": true, "related": true,
	"comment": true, "comments": true, "banner": true, "advert": true, "ads": true, "widget": true, "topbar": true,
}

func isChrome(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" && a.Key != "role" {
			continue
		}
		for w := range strings.FieldsFuncSeq(strings.ToLower(a.Val), func(r rune) bool { return r == ' ' || r == '-' || r == '_' }) {
			if chromeWords[w] {
				return true
			}
		}
	}
	return false
}

var lineBreaks = strings.NewReplacer("\r", " ", "\n", " ")

func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}

func render(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// Line breaks in the source are spaces to a reader.
		b.WriteString(lineBreaks.Replace(n.Data))
		return
	case html.CommentNode:
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || isChrome(n) {
			return
		}
		switch n.DataAtom {
		case atom.Td, atom.Th:
			b.WriteString(" | ")
		case atom.Li:
			b.WriteString("\n- ") // the bullet a reader sees
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		render(b, c)
	}
	if n.Type == html.ElementNode && blocks[n.DataAtom] {
		b.WriteString("\n")
	}
}
