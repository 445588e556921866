package bulletin

// Which part of a saved page is the article. A portal page is mostly the
// site's own furniture: menus, tickers ("Tin mới", "Văn bản mới"), boxes
// of related news ("Tin liên quan", "Tin khác"), sidebars and a footer
// holding the portal's licence ("Giấy phép số …/GP-TTĐT"), each of which
// may name documents the article does not. Blocks are scored as
// readability-style extractors do (text in paragraphs, commas, link
// density, the tag and what its class or id says), known CMS containers
// and the page's own metadata (JSON-LD articleBody; the title og:title,
// twitter:title, JSON-LD headline or <title> gives, as the heading the
// body follows) adding to the score; the best block, its headline, what
// stands between them (dateline, summary) and the short lines closing it
// are the article. A page's date is read from its visible dateline only.
//
// Choice: this reader, not a library. Compared on the corpus's 20 saved
// pages (testdata/corpus/*.html: DNN, Liferay, SharePoint, WordPress,
// Joomla and portal templates), each library's article rendered by
// renderTable and read by Extract as this one's is:
//
//	reader                                 all fields P / R   published R   fields >= 0.95   symbols from outside
//	this one                               0.998 / 0.996      1.000         20 of 20         0
//	codeberg.org/readeck/go-readability    0.974 / 0.967      0.150         15 of 20         3 (lists of related news)
//	github.com/markusmobius/go-trafilatura 0.982 / 0.777      0.050          4 of 20         1 (a header cell run into its type line)
//
// Both libraries build with Go 1.26.8 (go-shiori's go-readability has no
// release and is no longer kept; readeck's is its kept fork). They drop
// the headline and dateline a portal sets above the body (the page's
// date is then lost) and keep boxes of related news set in the article's
// column; trafilatura also lost the tables of figures of several pages,
// and brings a WebAssembly regular-expression engine and a date parser.
// On the hand-written pages of article_test.go each reads 1 of 9 as
// wanted.

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/vnregistry/registry/internal/fold"
)

// blockStats is what a block holds: visible text (characters, those in
// links, commas, links) and the score its paragraphs credit it with.
type blockStats struct {
	text, link, commas, links int
	// own counts the text the element holds itself, outside the blocks
	// nested in it: a paragraph's, or several split by <br> or by
	// nested blocks ("A<br><br>B"), scored in paras.
	own, ownLink int
	seg          struct{ text, link, commas int } // the paragraph being measured
	paras        float64
	credit       float64
}

// endParagraph scores the paragraph measured so far, when it holds
// enough text outside links to be one: 1, its commas, and a point a
// hundred characters up to 3, as readability scores paragraphs.
func (s *blockStats) endParagraph() {
	if s.seg.text-s.seg.link >= minParagraph {
		s.paras += 1 + float64(s.seg.commas) + min(float64(s.seg.text)/100, 3)
	}
	s.seg.text, s.seg.link, s.seg.commas = 0, 0, 0
}

// pageMeta is what a page says of its article in its head: titles (og:,
// JSON-LD headline, <title>) and the JSON-LD articleBody, folded.
type pageMeta struct {
	titles []string
	body   string
}

// articleReader scores a parsed page's blocks.
type articleReader struct {
	stats map[*html.Node]*blockStats
	meta  pageMeta
}

// newArticleReader measures and scores the blocks of a parsed page.
func newArticleReader(doc *html.Node) *articleReader {
	r := &articleReader{stats: map[*html.Node]*blockStats{}, meta: readMeta(doc)}
	r.measure(doc, doc, false)
	r.credit(doc)
	return r
}

// invisible elements show nothing a reader reads: code, styles, controls
// and the page's head.
var invisible = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Iframe: true, atom.Object: true, atom.Button: true, atom.Select: true,
	atom.Option: true, atom.Textarea: true, atom.Input: true, atom.Marquee: true, atom.Link: true, atom.Meta: true,
}

// inlines flow within a block: their text is the block's.
var inlines = map[atom.Atom]bool{
	atom.A: true, atom.Span: true, atom.Strong: true, atom.B: true, atom.Em: true, atom.I: true, atom.U: true,
	atom.Font: true, atom.Small: true, atom.Big: true, atom.Sup: true, atom.Sub: true, atom.Label: true,
	atom.Time: true, atom.Abbr: true, atom.Cite: true, atom.Code: true, atom.Mark: true, atom.Q: true,
	atom.S: true, atom.Strike: true, atom.Img: true, atom.Br: true, atom.Wbr: true,
}

// paragraphs credit the block around them; any other block holding text
// of its own (a <div> or <td> written without <p>) is credited itself.
var paragraphs = map[atom.Atom]bool{
	atom.P: true, atom.Pre: true, atom.Li: true, atom.Dd: true, atom.Dt: true, atom.Blockquote: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

// hidden reports whether an element is marked not to be shown.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "style":
			if s := strings.ReplaceAll(strings.ToLower(a.Val), " ", ""); strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

func isInvisible(n *html.Node) bool {
	return n.Type == html.ElementNode && (invisible[n.DataAtom] || hidden(n))
}

// measure fills r.stats for n and what it holds; owner is the block whose
// own text n's text is.
func (r *articleReader) measure(n, owner *html.Node, inLink bool) *blockStats {
	s := &blockStats{}
	switch n.Type {
	case html.TextNode:
		k := textRunes(n.Data)
		c := strings.Count(n.Data, ",")
		s.text, s.commas = k, c
		if inLink {
			s.link = k
		}
		if o := r.stats[owner]; o != nil {
			o.own += k
			o.ownLink += s.link
			o.seg.text += k
			o.seg.commas += c
			o.seg.link += s.link
		}
		return s
	case html.ElementNode:
		if isInvisible(n) {
			return s
		}
		r.stats[n] = s
		if o := r.stats[owner]; o != nil && (n.DataAtom == atom.Br || !inlines[n.DataAtom]) {
			o.endParagraph() // a line break or a block ends the owner's paragraph
		}
		if !inlines[n.DataAtom] {
			owner = n
			defer s.endParagraph()
		}
		if n.DataAtom == atom.A {
			inLink = true
		}
	case html.DocumentNode:
	default:
		return s
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cs := r.measure(c, owner, inLink)
		s.text += cs.text
		s.link += cs.link
		s.commas += cs.commas
		s.links += cs.links
	}
	if n.DataAtom == atom.A && s.text > 0 {
		s.links++
	}
	return s
}

// textRunes counts the characters of s that are not white space.
func textRunes(s string) int {
	k := 0
	for _, c := range s {
		if !unicode.IsSpace(c) {
			k++
		}
	}
	return k
}

// minParagraph is the text, outside links, a block must hold itself to
// count as a paragraph: a menu item or a date does not.
const minParagraph = 25

// credit gives each block's paragraphs' score to the blocks around it:
// the nearest in full, the next two a half and a third, as readability
// does.
func (r *articleReader) credit(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && r.stats[c] != nil {
			r.credit(c)
		}
	}
	s := r.stats[n]
	if n.Type != html.ElementNode || s == nil || s.paras == 0 {
		return
	}
	score := s.paras
	at := n
	if paragraphs[n.DataAtom] {
		at = n.Parent
	}
	for level := 1; at != nil && level <= 3; level++ {
		if st := r.stats[at]; st != nil {
			st.credit += score / float64(level)
		}
		at = at.Parent
	}
}

// linkDensity is the share of a block's text inside links.
func (s *blockStats) linkDensity() float64 {
	if s.text == 0 {
		return 0
	}
	return float64(s.link) / float64(s.text)
}

// cmsContainers are the article containers of the CMSs portals run on:
// DNN's ..._lblContent, Liferay's journal-content-article, SharePoint's
// ms-rtestate-field, WordPress's entry-content, portal templates'
// news-detail and ArticleContent. They add to a block's score; they are
// not the only way an article is found.
var cmsContainers = regexp.MustCompile(`(?i)lblcontent|journal-content-article|ms-rtestate-field|entry-content|news-?detail|article-?content|content-?detail|detail-?content|post-?content|news-?content|noi-?dung|chi-?tiet|article-?body|story-?body|main-?content`)

// contentWords and chromeWords in a class or id tell a block's role.
var contentWords = regexp.MustCompile(`(?i)content|article|detail|entry|post|story|body|text|main|news`)

// weight is what a block's tag, class and id say of it.
func (r *articleReader) weight(n *html.Node) float64 {
	w := 0.0
	switch n.DataAtom {
	case atom.Article:
		w += 25
	case atom.Main, atom.Div, atom.Section:
		w += 5
	case atom.Td, atom.Blockquote, atom.Pre:
		w += 3
	case atom.Ul, atom.Ol, atom.Li, atom.Dl, atom.Form, atom.Table:
		w -= 3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		w -= 5
	}
	for _, a := range n.Attr {
		switch {
		case a.Key == "itemprop" && strings.EqualFold(a.Val, "articleBody"):
			w += 50
		case a.Key == "class" || a.Key == "id":
			if cmsContainers.MatchString(a.Val) {
				w += 50
			} else if contentWords.MatchString(a.Val) {
				w += 25
			}
		}
	}
	if isChrome(n) {
		w -= 50
	}
	return w
}

// score is a block's final score: its weight and credit, less the share
// of its text in links.
func (r *articleReader) score(n *html.Node) float64 {
	s := r.stats[n]
	if s == nil || s.credit == 0 {
		return 0
	}
	return (r.weight(n) + s.credit) * (1 - s.linkDensity())
}

// articleRoots returns the parts of a page that are its article, in
// document order, or nil when no block reads as one (a page of a few
// lines is read whole).
func (r *articleReader) articleRoots(doc *html.Node) []*html.Node {
	best := r.best(doc)
	if best == nil {
		return nil
	}
	roots := r.withSiblings(best)
	roots = append(roots, r.tail(roots[len(roots)-1])...)
	if h := r.headline(doc, roots[0]); h != nil {
		if lead, ok := r.lead(h, roots[0]); ok {
			roots = append(append([]*html.Node{h}, lead...), roots...)
		}
	}
	return roots
}

// minArticle is the least text a block must hold to be read as the
// article rather than the page.
const minArticle = 120

// best is the highest-scoring block. The page's JSON-LD articleBody, when
// it gives one, credits the smallest block holding its opening and end;
// the heading the page's metadata names as its title credits the
// best-scored blocks that follow it as an article's body follows its
// headline.
func (r *articleReader) best(doc *html.Node) *html.Node {
	var cands []*html.Node // in document order, so that ties go to the first
	for n := range walk(doc) {
		if s := r.stats[n]; n.Type == html.ElementNode && s != nil && s.credit > 0 {
			cands = append(cands, n)
		}
	}
	scores := make(map[*html.Node]float64, len(cands))
	for _, n := range cands {
		scores[n] = r.score(n)
	}
	if m := r.bodyMatch(cands); m != nil {
		scores[m] += 100
	}
	if h := r.namedHeading(doc); h != nil {
		ranked := slices.Clone(cands)
		slices.SortStableFunc(ranked, func(a, b *html.Node) int { return cmp.Compare(scores[b], scores[a]) })
		for _, n := range ranked[:min(len(ranked), 10)] {
			if _, ok := r.lead(h, n); ok && !contains(n, h) && precedes(h, n) {
				scores[n] += 25
			}
		}
	}
	var top *html.Node
	for _, n := range cands {
		if r.stats[n].text-r.stats[n].link >= minArticle && (top == nil || scores[n] > scores[top]) {
			top = n
		}
	}
	if top == nil || scores[top] <= 0 || top.DataAtom == atom.Body || top.DataAtom == atom.Html {
		return nil // no block stands out: the page is read whole
	}
	return top
}

// namedHeading is the first block, not the site's furniture, whose text
// is a title the page's metadata gives.
func (r *articleReader) namedHeading(doc *html.Node) *html.Node {
	if len(r.meta.titles) == 0 {
		return nil
	}
	for n := range walk(doc) {
		if s := r.stats[n]; n.Type == html.ElementNode && s != nil && s.text > 0 && s.text <= maxHeadline &&
			s.linkDensity() <= 0.5 && n.DataAtom != atom.Title && r.namedTitle(foldedText(n)) && !inFurniture(n) {
			return n
		}
	}
	return nil
}

// precedes reports whether a comes before b in document order.
func precedes(a, b *html.Node) bool {
	for n := following(a); n != nil; n = following(n) {
		if contains(n, b) {
			return true
		}
	}
	return false
}

// bodyMatch is the smallest candidate whose text holds the opening and
// the end of the page's JSON-LD articleBody.
func (r *articleReader) bodyMatch(cands []*html.Node) *html.Node {
	words := strings.Fields(r.meta.body)
	if len(words) < 12 {
		return nil
	}
	head, tail := strings.Join(words[:6], " "), strings.Join(words[len(words)-6:], " ")
	var m *html.Node
	for _, n := range cands {
		t := foldedText(n)
		if strings.Contains(t, head) && strings.Contains(t, tail) && (m == nil || r.stats[n].text < r.stats[m].text) {
			m = n
		}
	}
	return m
}

// withSiblings adds to the best block the siblings that read as more of
// the article: as well scored, or a paragraph of plain text.
func (r *articleReader) withSiblings(best *html.Node) []*html.Node {
	if best.Parent == nil {
		return []*html.Node{best}
	}
	floor := max(10, r.score(best)*0.2)
	var out []*html.Node
	for c := best.Parent.FirstChild; c != nil; c = c.NextSibling {
		s := r.stats[c]
		switch {
		case c == best:
			out = append(out, c)
		case c.Type != html.ElementNode || s == nil || articleFurniture(c) || r.isBox(c) || r.isFooter(c):
		case r.score(c) >= floor && s.linkDensity() < 0.25:
			out = append(out, c)
		case c.DataAtom == atom.P && s.own >= 80 && s.linkDensity() < 0.25:
			out = append(out, c)
		}
	}
	return out
}

// maxTail bounds a block read as the end of an article (its dateline,
// author, source) after its body.
const maxTail = 200

// tail returns the short blocks right after the article's last block
// that are not the site's furniture: "Ngày đăng: ...", "Nguồn: ...".
func (r *articleReader) tail(last *html.Node) []*html.Node {
	var out []*html.Node
	for c := last.NextSibling; c != nil; c = c.NextSibling {
		s := r.stats[c]
		if c.Type != html.ElementNode || s == nil || s.text == 0 {
			continue
		}
		if s.text > maxTail || s.links > 0 || articleFurniture(c) || r.isBox(c) || r.isFooter(c) {
			break
		}
		out = append(out, c)
	}
	return out
}

// walk yields n and every node under it, in document order.
func walk(n *html.Node) func(func(*html.Node) bool) {
	return func(yield func(*html.Node) bool) {
		var rec func(*html.Node) bool
		rec = func(n *html.Node) bool {
			if !yield(n) {
				return false
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if !rec(c) {
					return false
				}
			}
			return true
		}
		rec(n)
	}
}

// foldedText is the visible text of n, folded, its words one space apart.
func foldedText(n *html.Node) string {
	var b strings.Builder
	for c := range walk(n) {
		if c.Type == html.TextNode && !invisibleAbove(c, n) {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(fold.String(b.String())), " ")
}

// invisibleAbove reports whether a node lies in an invisible element
// below top.
func invisibleAbove(c, top *html.Node) bool {
	for p := c.Parent; p != nil && p != top.Parent; p = p.Parent {
		if isInvisible(p) {
			return true
		}
	}
	return false
}

// maxHeadline and maxLead bound a headline and what stands between it and
// the article's body (dateline, summary, sharing): longer, the heading is
// another block's.
const (
	maxHeadline = 400
	maxLead     = 1500
)

// headline is the article's title when it stands outside the best block:
// a heading before it that the page's metadata names as the title, else
// the nearest heading before it.
func (r *articleReader) headline(doc, first *html.Node) *html.Node {
	var named, near *html.Node
	for n := range walk(doc) {
		if n == first {
			break
		}
		s := r.stats[n]
		if n.Type != html.ElementNode || s == nil || s.text == 0 || s.text > maxHeadline ||
			s.linkDensity() > 0.5 || r.isBox(n) || contains(near, n) || contains(named, n) || inFurniture(n) {
			continue
		}
		if r.namedTitle(foldedText(n)) {
			named = n
		}
		if isHeading(n) {
			near = n
		}
	}
	return cmp.Or(named, near)
}

// inFurniture reports whether n or a block around it is the site's
// furniture.
func inFurniture(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && articleFurniture(n) {
			return true
		}
	}
	return false
}

// isHeading: a heading element, or one whose class or id says title.
func isHeading(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3:
		return true
	case atom.Title:
		return false
	}
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && titleWords.MatchString(a.Val) || a.Key == "itemprop" && a.Val == "headline" {
			return true
		}
	}
	return false
}

var titleWords = regexp.MustCompile(`(?i)title|tieu-?de|headline`)

// namedTitle reports whether folded text t is a title the page's
// metadata gives.
func (r *articleReader) namedTitle(t string) bool {
	if utf8.RuneCountInString(t) < 10 {
		return false
	}
	for _, m := range r.meta.titles {
		if m == t || len(t) >= 20 && (strings.HasPrefix(m, t) || strings.HasSuffix(m, t)) {
			return true
		}
	}
	return false
}

// lead returns the blocks after headline h and before first, in document
// order, but the site's furniture; false when they hold too much text for
// h to be the article's headline.
func (r *articleReader) lead(h, first *html.Node) ([]*html.Node, bool) {
	var out []*html.Node
	if contains(h, first) {
		return nil, false
	}
	total := 0
	for n := following(h); n != nil && n != first; {
		if contains(n, first) {
			n = n.FirstChild
			continue
		}
		if s := r.stats[n]; s != nil && s.text > 0 {
			if articleFurniture(n) || r.isBox(n) || n.DataAtom == atom.A || s.links > 2 && s.linkDensity() > 0.5 {
				n = following(n)
				continue
			}
			total += s.text
			out = append(out, n)
		} else if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			total += textRunes(n.Data)
			out = append(out, n)
		}
		if total > maxLead {
			return nil, false
		}
		n = following(n)
	}
	return out, true
}

// following is the node after n and all it holds, in document order.
func following(n *html.Node) *html.Node {
	for ; n != nil; n = n.Parent {
		if n.NextSibling != nil {
			return n.NextSibling
		}
	}
	return nil
}

func contains(a, b *html.Node) bool {
	for ; b != nil; b = b.Parent {
		if b == a {
			return true
		}
	}
	return false
}

// boxWords head the boxes portals set around an article: tickers, new
// and related news, documents.
var boxWords = regexp.MustCompile(`^(?:(?:cac\s+)?(?:tin|bai\s+viet|bai|van\s+ban|thong\s+bao|thong\s+tin|tin\s+tuc)\s+` +
	`(?:lien\s+quan|khac|moi(?:\s+nhat|\s+cap\s+nhat)?|cung\s+chuyen\s+muc|da\s+(?:dua|dang)|doc\s+nhieu|noi\s+bat|xem\s+nhieu|tieu\s+diem|moi\s+ban\s+hanh|khac\s+cung\s+chuyen\s+muc)` +
	`|xem\s+them|lien\s+ket\s+website)$`)

// isBox reports whether n is such a box, or its heading: it opens with the
// heading, and is short or mostly links.
func (r *articleReader) isBox(n *html.Node) bool {
	s := r.stats[n]
	return s != nil && (s.text <= maxBoxHeading+20 || s.linkDensity() >= 0.3) && boxHeading(n)
}

// isLinkList reports whether n is mostly links: a list of news titles.
func (r *articleReader) isLinkList(n *html.Node) bool {
	s := r.stats[n]
	return s != nil && s.links >= 1 && s.linkDensity() >= 0.5
}

// maxBoxHeading bounds the heading of a box, in bytes folded.
const maxBoxHeading = 60

// boxHeading reports whether n opens with the heading of such a box.
func boxHeading(n *html.Node) bool {
	for c := range walk(n) {
		if c.Type != html.TextNode || strings.TrimSpace(c.Data) == "" || invisibleAbove(c, n) {
			continue
		}
		t := strings.Trim(strings.Join(strings.Fields(fold.String(c.Data)), " "), ":- ")
		return len(t) <= maxBoxHeading && boxWords.MatchString(t)
	}
	return false
}

// licenceRE is what a portal's footer says of itself: its licence for
// electronic information ("Giấy phép số 56/GP-TTĐT"), copyright, who is
// responsible ("Chịu trách nhiệm chính: ..."), which body owns it.
var licenceRE = regexp.MustCompile(`gp-(?:ttdt|bttt|stttt|tttt)\b|giay\s+phep[^.;]{0,80}thong\s+tin\s+dien\s+tu|` +
	`\bban\s+quyen\s+(?:thuoc|©)|copyright|©|chiu\s+trach\s+nhiem\s+(?:chinh|noi\s+dung)\s*:|co\s+quan\s+chu\s+quan\s*:`)

// maxFooter bounds the text of a block read as a footer by what it says.
const maxFooter = 600

// isFooter reports whether n is a short block that says what a portal's
// footer says.
func (r *articleReader) isFooter(n *html.Node) bool {
	if n.Type != html.ElementNode || inlines[n.DataAtom] {
		return false
	}
	s := r.stats[n]
	return s != nil && s.text <= maxFooter && licenceRE.MatchString(foldedText(n))
}

// readMeta reads the titles and body a page's head gives its article.
func readMeta(doc *html.Node) pageMeta {
	var m pageMeta
	add := func(t string) {
		if t = strings.Join(strings.Fields(fold.String(t)), " "); t != "" {
			m.titles = append(m.titles, t)
		}
	}
	for n := range walk(doc) {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Title:
			if n.FirstChild != nil {
				add(n.FirstChild.Data)
			}
		case atom.Meta:
			switch attr(n, "property") + attr(n, "name") {
			case "og:title", "twitter:title":
				add(attr(n, "content"))
			}
		case atom.Script:
			if strings.EqualFold(attr(n, "type"), "application/ld+json") && n.FirstChild != nil {
				var v any
				if json.Unmarshal([]byte(n.FirstChild.Data), &v) == nil {
					jsonLD(v, &m, add)
				}
			}
		}
	}
	return m
}

// jsonLD reads headline and articleBody from a JSON-LD value, in objects,
// arrays and @graph.
func jsonLD(v any, m *pageMeta, add func(string)) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			jsonLD(e, m, add)
		}
	case map[string]any:
		if h, ok := v["headline"].(string); ok {
			add(h)
		}
		if b, ok := v["articleBody"].(string); ok && m.body == "" {
			m.body = strings.Join(strings.Fields(fold.String(b)), " ")
		}
		for _, e := range v {
			if _, ok := e.([]any); ok {
				jsonLD(e, m, add)
			} else if _, ok := e.(map[string]any); ok {
				jsonLD(e, m, add)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.ToLower(strings.TrimSpace(a.Val))
		}
	}
	return ""
}
