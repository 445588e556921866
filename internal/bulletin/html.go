package bulletin

import (
	"iter"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/legaldoc"
	"github.com/vnregistry/registry/internal/registry"
)

// htmlStart recognises a page saved from a browser, as opposed to text: a
// byte-order mark and an XML declaration (XHTML) may come first.
var htmlStart = regexp.MustCompile(`(?i)^\x{FEFF}?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]`)

// IsHTML reports whether s is an HTML page rather than plain text.
func IsHTML(s string) bool { return htmlStart.MatchString(s) }

// HTMLBytes is a page read from a file, as UTF-8: a page in another
// encoding is decoded from the charset it declares (Word saves web pages
// in the system's code page: windows-1252, with entities for what it
// lacks, or windows-1258), then composed (NFC), as windows-1258 writes
// tone marks apart from their letters.
func HTMLBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	enc, _, _ := charset.DetermineEncoding(b, "text/html")
	s, err := enc.NewDecoder().Bytes(b)
	if err != nil { // undecodable: each bad byte reads as U+FFFD
		return string(b)
	}
	return norm.NFC.String(string(s))
}

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
// blocks on lines of their own; tables as renderTable lays them out. Offsets of
// what is extracted then count characters of this text. A page nesting
// elements deeper than the parser builds is refused: read as text instead,
// its markup and scripts would be stored as what it says.
func HTMLText(page string) (string, error) {
	// A byte-order mark before <html> would open the body early.
	doc, err := html.Parse(strings.NewReader(strings.TrimPrefix(page, "\uFEFF")))
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
	var r renderer
	r.render(root)
	var lines []string
	for l := range strings.SplitSeq(r.b.String(), "\n") {
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

// renderer writes the text of a page's nodes, each once: a table is laid
// out as it is met, so nested tables cost no more than the rest.
type renderer struct {
	b strings.Builder
	// inline counts the open cells of tables of figures: a row is one line,
	// so within them a block ends with a space.
	inline int
}

func (r *renderer) render(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// Line breaks in the source are spaces to a reader.
		r.b.WriteString(lineBreaks.Replace(n.Data))
		return
	case html.CommentNode:
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || isChrome(n) {
			return
		}
		switch n.DataAtom {
		case atom.Table:
			r.renderTable(n)
			return
		case atom.Li:
			r.b.WriteString(r.lineEnd() + "- ") // the bullet a reader sees
		}
	}
	r.children(n)
	if n.Type == html.ElementNode && blocks[n.DataAtom] {
		r.b.WriteString(r.lineEnd())
	}
}

func (r *renderer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.render(c)
	}
}

func (r *renderer) lineEnd() string {
	if r.inline > 0 {
		return " "
	}
	return "\n"
}

// renderTable lays out a table. An official document's header and
// signature block are two-column tables (the issuing body and number
// beside the motto and date; the recipients beside the signer): such a
// table, one holding a line only those parts hold, is read as columns are,
// each cell's lines together, cell after cell. Any other table is figures:
// a row a line, its cells separated by " | ".
func (r *renderer) renderTable(table *html.Node) {
	layout := r.inline == 0 && layoutTable(table)
	r.b.WriteString(r.lineEnd())
	for row := range tableRows(table) {
		if row.DataAtom == atom.Caption {
			r.render(row)
			continue
		}
		for c := range cells(row) {
			if layout {
				r.b.WriteString("\n")
				r.children(c)
				r.b.WriteString("\n")
				continue
			}
			r.b.WriteString(" | ")
			r.inline++
			r.children(c)
			r.inline--
		}
		r.b.WriteString(r.lineEnd())
	}
}

// tableRows yields a table's caption and its own rows, not those of a
// table inside a cell.
func tableRows(table *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		var walk func(n *html.Node) bool
		walk = func(n *html.Node) bool {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type != html.ElementNode || skipped[c.DataAtom] || isChrome(c) {
					continue
				}
				switch c.DataAtom {
				case atom.Thead, atom.Tbody, atom.Tfoot:
					if !walk(c) {
						return false
					}
				case atom.Caption, atom.Tr:
					if !yield(c) {
						return false
					}
				}
			}
			return true
		}
		walk(table)
	}
}

// cells yields a row's cells, but those of the site's furniture.
func cells(row *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		for c := row.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) && !isChrome(c) && !yield(c) {
				return
			}
		}
	}
}

// layoutTable reports whether a cell of table holds, outside the tables
// nested in it, a line only an official document's header or signature
// block holds.
func layoutTable(table *html.Node) bool {
	var own renderer
	for row := range tableRows(table) {
		for c := range cells(row) {
			own.ownText(c)
			own.b.WriteString("\n")
		}
	}
	return hasLayoutLine(own.b.String())
}

// ownText renders n as render does, a nested table as a line break.
func (r *renderer) ownText(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			r.b.WriteString(lineBreaks.Replace(c.Data))
		case c.Type != html.ElementNode || skipped[c.DataAtom] || isChrome(c):
		case c.DataAtom == atom.Table:
			r.b.WriteString("\n")
		default:
			r.ownText(c)
			if blocks[c.DataAtom] {
				r.b.WriteString("\n")
			}
		}
	}
}

// hasLayoutLine reports whether a line of text is one only an official
// document's header or signature block holds (legaldoc.IsLayoutLine).
func hasLayoutLine(text string) bool {
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && len(l) <= maxLayoutLine && legaldoc.IsLayoutLine(l) {
			return true
		}
	}
	return false
}

// maxLayoutLine bounds the lines looked at, in bytes: a motto, a number
// line or a capacity is short; a paragraph is not folded to be looked at.
const maxLayoutLine = 200
