package bulletin

import (
	"iter"
	"regexp"
	"slices"
	"strconv"
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

// skipped elements hold nothing a reader reads as the article: what is
// not shown, and the site's own navigation around it. A <form> is not
// among them: ASP.NET portals wrap the whole page in one.
var skipped = map[atom.Atom]bool{
	atom.Nav: true, atom.Footer: true, atom.Aside: true,
}

// blocks end a line: a reader sees their text apart from what follows.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Tr: true, atom.Table: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Blockquote: true, atom.Figure: true, atom.Figcaption: true, atom.Pre: true, atom.Hr: true,
	atom.Dt: true, atom.Dd: true, atom.Caption: true, atom.Title: true,
}

// HTMLText is the text a reader sees in a page's article (articleRoots
// finds it; a page where no block reads as one is read whole, from its
// <article> or <main> when it has one): without navigation, header,
// footer and asides, nor elements whose class or id says they are menus,
// breadcrumbs, sidebars or sharing, nor boxes of related news or a
// portal's licence; scripts, styles and controls dropped; entities
// decoded; blocks on lines of their own; tables as renderTable lays them
// out. Offsets of what is extracted then count characters of this text. A
// page nesting elements deeper than the parser builds is refused: read as
// text instead, its markup and scripts would be stored as what it says.
func HTMLText(page string) (string, error) {
	// A byte-order mark before <html> would open the body early.
	doc, err := html.Parse(strings.NewReader(strings.TrimPrefix(page, "\uFEFF")))
	if err != nil { // the reader cannot fail: the page is too deep
		return "", registry.Invalid("text", "is an HTML page nesting elements more than %d deep, deeper than a page is read: "+
			"send its article's text, or the page with fewer nested elements", maxHTMLDepth)
	}
	a := newArticleReader(doc)
	r := renderer{page: a}
	roots := a.articleRoots(doc)
	r.article = roots != nil
	if roots == nil {
		root := find(doc, atom.Article)
		if root == nil {
			root = find(doc, atom.Main)
		}
		if root == nil {
			root = doc
		}
		roots = []*html.Node{root}
	}
	for _, root := range roots {
		r.root(root)
	}
	var lines []string
	for l := range strings.SplitSeq(r.b.String(), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if strings.Trim(l, "| ") != "" {
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

// chromeJoined are names of furniture as classes and ids run words
// together ("dnn_FooterPane", "tin-lien-quan", "box_tinkhac").
var chromeJoined = regexp.MustCompile(`footer|sidebar|breadcrumb|menu|lienquan|tinkhac|tinmoi|vanbanmoi|binhluan|ykien|othernews|relatednews|morenews|ticker|marquee|copyright|socialshare|xemnhieu|docnhieu|quangcao|advert`)

// headerWords name a header: the site's above a page, or, inside the
// article, the article's own (its title and dateline).
var headerWords = map[string]bool{"header": true, "banner": true, "topbar": true}

func isChrome(n *html.Node) bool { return chromeWord(n) != "" }

// isChromeInArticle is isChrome for a block inside or beside an
// article, where a header is the article's.
func isChromeInArticle(n *html.Node) bool {
	w := chromeWord(n)
	return w != "" && !headerWords[w]
}

// chromeWord is the word of n's class, id or role that says it is
// furniture, or "".
func chromeWord(n *html.Node) string {
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article: // a page's body names its layout ("right-sidebar")
		return ""
	}
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" && a.Key != "role" {
			continue
		}
		v := strings.ToLower(a.Val)
		for w := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }) {
			if chromeWords[w] {
				return w
			}
		}
		if m := chromeJoined.FindString(strings.NewReplacer("-", "", "_", "").Replace(v)); m != "" {
			return m
		}
	}
	return ""
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
	b    strings.Builder
	page *articleReader // what is known of the page's blocks; nil for layoutTable's look at a table
	// article: what is rendered is the article articleRoots found, in
	// which a header is the article's own.
	article bool
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
		if r.skips(n) {
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

// root renders a part of the article: whatever its class says, it is read.
func (r *renderer) root(n *html.Node) {
	switch {
	case n.Type == html.ElementNode && n.DataAtom == atom.Table:
		r.renderTable(n)
	case n.Type == html.ElementNode:
		r.children(n)
		r.b.WriteString(r.lineEnd())
	default:
		r.render(n)
	}
}

// skips reports whether an element is left out: not shown, the site's
// furniture, a box of related news, a portal's footer, or, in a page read
// whole, a <header> outside an <article> (inside one, or inside the
// article found, it holds the title and dateline).
func (r *renderer) skips(n *html.Node) bool {
	if r.article && articleFurniture(n) || !r.article && furniture(n) {
		return true
	}
	if !r.article && n.DataAtom == atom.Header && !inArticle(n) {
		return true
	}
	return r.page != nil && (r.page.isBox(n) || r.page.isFooter(n))
}

// furniture: an element not shown, or the site's navigation, footer or
// aside, or one whose class or id says it is.
func furniture(n *html.Node) bool {
	return isInvisible(n) || skipped[n.DataAtom] || isChrome(n)
}

// articleFurniture is furniture inside or beside an article: a header
// there is the article's own.
func articleFurniture(n *html.Node) bool {
	return isInvisible(n) || skipped[n.DataAtom] || isChromeInArticle(n)
}

func inArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

// children renders what n holds; after the heading of a box of related
// news, the lists of links that follow it are the box's.
func (r *renderer) children(n *html.Node) {
	inBox := false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if r.page != nil && c.Type == html.ElementNode {
			if r.page.isBox(c) {
				inBox = true
				continue
			}
			if inBox && r.page.isLinkList(c) {
				continue
			}
			inBox = inBox && r.page.stats[c] != nil && r.page.stats[c].text == 0
		}
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
// a row a line, its cells separated by " | ", merged cells spread over the
// columns and rows they cover (gridRows).
func (r *renderer) renderTable(table *html.Node) {
	r.b.WriteString(r.lineEnd())
	if r.inline == 0 && layoutTable(table) {
		for row := range tableRows(table) {
			if row.DataAtom == atom.Caption {
				r.render(row)
				continue
			}
			for c := range cells(row) {
				r.b.WriteString("\n")
				r.children(c)
				r.b.WriteString("\n")
			}
		}
		return
	}
	for row := range r.gridRows(table) {
		r.b.WriteString(strings.Join(row, " | "))
		r.b.WriteString(r.lineEnd())
	}
}

// maxSpan bounds the columns or rows a merged cell is spread over.
const maxSpan = 64

// spanned is a cell merged over the rows below its own.
type spanned struct {
	text string
	rows int
}

// gridRows yields a table's rows as a reader reads them: the caption as a
// row of its own; a cell merged over several columns or rows (a header
// "Kết quả giải quyết" over Trước hạn, Đúng hạn, Quá hạn; an agency over
// two rows) repeated in each, so that every row has a cell in every
// column. A cell alone in its row spanning it all is a line, not a row.
func (r *renderer) gridRows(table *html.Node) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		var below []spanned // by column
		for row := range tableRows(table) {
			if row.DataAtom == atom.Caption {
				if !yield([]string{r.cellText(row)}) {
					return
				}
				continue
			}
			var out []string
			col := 0
			fill := func() {
				for col < len(below) && below[col].rows > 0 {
					out = append(out, below[col].text)
					below[col].rows--
					col++
				}
			}
			n := 0
			for c := range cells(row) {
				n++
				fill()
				text := r.cellText(c)
				cs, rs := span(c, "colspan"), span(c, "rowspan")
				for range cs {
					for len(below) <= col {
						below = append(below, spanned{})
					}
					below[col] = spanned{text, rs - 1}
					out = append(out, text)
					col++
				}
			}
			fill()
			if n == 1 && len(out) > 1 && len(slices.Compact(slices.Clone(out))) == 1 {
				out = out[:1]
			}
			if !yield(out) {
				return
			}
		}
	}
}

// span reads a cell's colspan or rowspan: 1 unless it says more.
func span(c *html.Node, key string) int {
	n, err := strconv.Atoi(strings.TrimSpace(attr(c, key)))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxSpan)
}

// cellText is a cell's text on one line.
func (r *renderer) cellText(c *html.Node) string {
	sub := renderer{page: r.page, article: r.article, inline: r.inline + 1}
	sub.children(c)
	return strings.Join(strings.Fields(sub.b.String()), " ")
}

// tableRows yields a table's caption and its own rows, not those of a
// table inside a cell.
func tableRows(table *html.Node) iter.Seq[*html.Node] {
	return func(yield func(*html.Node) bool) {
		var walk func(n *html.Node) bool
		walk = func(n *html.Node) bool {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type != html.ElementNode || furniture(c) {
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
		case c.Type != html.ElementNode || furniture(c):
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
