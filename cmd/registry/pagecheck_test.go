package main

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Checks a browser test makes of a page that should be Vietnamese
// throughout and usable by keyboard, screen reader and phone.

// axeSource is axe-core, which `make test` installs in testdata/node.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/node/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatal("axe-core is not installed in testdata/node: `make test` installs it (npm ci)")
	}
	return string(b)
}

// axe runs axe-core in the page, WCAG 2.0, 2.1 and 2.2 at levels A and AA
// and its best practices, and returns the violations, one line each.
func (c *chrome) axe(source string) []string {
	c.t.Helper()
	var loaded bool
	if c.eval(`typeof axe === "object"`, &loaded); !loaded {
		c.eval(source, nil)
	}
	var out []string
	c.eval(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
		.then(function (r) { return r.violations.map(function (v) {
			return v.id + " (" + v.impact + ", " + v.nodes.length + "): " + v.help + " — " +
				v.nodes.slice(0, 4).map(function (n) { return n.target.join(" "); }).join(", ");
		}); })`, &out)
	return out
}

// pageText is what a reader meets: the page's text (code and GraphQL
// documents aside), its title, and the labels, titles and placeholders.
const pageText = `(function () {
	var root = document.body.cloneNode(true);
	root.querySelectorAll("script, style, code, pre").forEach(function (n) { n.remove(); });
	var attrs = Array.from(document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")).map(function (n) {
		return ["aria-label", "title", "placeholder", "alt"].map(function (a) { return n.getAttribute(a) || ""; }).join(" ");
	});
	return [document.title, root.textContent].concat(attrs).join("\n");
})()`

// english are common English words that are no Vietnamese syllable: one of
// them on the page is an English sentence, or a message or code leaking.
var english = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and of is are was were but by from with which this that these not for has have had its
		when than into or per early late total resolved received rate rates parts printed sum disjoint decision
		report reports period dossier dossiers agency agencies none unknown loading error failed null undefined nan
		query playground search month year date chart table value values count counts days working deadline
		truncated rounded rounds exceed exceeds neither follows disagree percent between see show open download`) {
		english[w] = true
	}
}

var word = regexp.MustCompile(`\p{L}+`)

// englishWords lists the English words in text, each in its context.
func englishWords(text string) []string {
	var out []string
	for _, m := range word.FindAllStringIndex(text, -1) {
		if english[strings.ToLower(text[m[0]:m[1]])] {
			out = append(out, fmt.Sprintf("%q in …%s…", text[m[0]:m[1]], around(text, m[0], m[1])))
		}
	}
	return out
}

func around(text string, from, to int) string {
	from, to = max(0, from-40), min(len(text), to+40)
	for from > 0 && !isStart(text[from]) {
		from--
	}
	for to < len(text) && !isStart(text[to]) {
		to++
	}
	return strings.Join(strings.Fields(text[from:to]), " ")
}

func isStart(b byte) bool { return b < 0x80 || b >= 0xC0 }

// notVietnamese are numbers and dates written otherwise than 12.058,
// 83,8 % and 15/03/2021: a long number without its dots, a decimal
// point, an ISO month or date, a two-digit year.
var notVietnamese = map[string]*regexp.Regexp{
	"a number without thousands dots": regexp.MustCompile(`(?:^|[^\p{L}\p{N}.,/\-])(\d{5,})(?:$|[^\p{L}\p{N}.,/\-])`),
	"a decimal point":                 regexp.MustCompile(`(\d\.\d+ ?%)`),
	"an ISO date or period":           regexp.MustCompile(`(?:^|[^\p{L}\p{N}.\-/])(\d{4}-(?:\d{2}|Q\d|H\d)(?:-\d{2})?)(?:$|[^\p{L}\p{N}.\-/])`),
	"a two-digit year":                regexp.MustCompile(`(?:^|[^\p{N}/])(\d{1,2}/\d{1,2}/\d{2})(?:$|[^\p{N}/])`),
}

func formatFaults(text string) []string {
	var out []string
	for what, re := range notVietnamese {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, fmt.Sprintf("%s %q in …%s…", what, text[m[2]:m[3]], around(text, m[2], m[3])))
		}
	}
	return out
}

// phoneFaults: what does not fit a phone's screen: a page wider than the
// window, a chart wider than its box, a table column of one word a line,
// a link under 24 px.
const phoneFaults = `(function () {
	var out = [], w = document.documentElement.scrollWidth;
	if (w > innerWidth) out.push("the page is " + w + " px wide in a " + innerWidth + " px window");
	document.querySelectorAll("header nav a, a.facet, a.result, a.back").forEach(function (a) {
		var r = a.getBoundingClientRect();
		if (r.height < 24 || r.width < 24) out.push("the link «" + a.textContent + "» is " + r.width + "×" + r.height + " px");
	});
	document.querySelectorAll(".plot").forEach(function (p) {
		var u = p.querySelector(".uplot");
		if (!u) out.push("a chart is not drawn");
		else if (u.getBoundingClientRect().width > p.clientWidth + 1) out.push("a chart is " + u.getBoundingClientRect().width + " px wide in " + p.clientWidth + " px");
	});
	document.querySelectorAll("td.agency").forEach(function (td) {
		if (td.getBoundingClientRect().width < 150) out.push("the agency column is " + td.getBoundingClientRect().width + " px wide");
	});
	return out;
})()`

// focusRing is the focused element's outline and the background it is
// drawn on (the nearest ancestor's that is not transparent).
const focusRing = `(function () {
	var a = document.activeElement, s = getComputedStyle(a), bg = "rgb(255, 255, 255)";
	for (var n = a.parentElement; n; n = n.parentElement) {
		var b = getComputedStyle(n).backgroundColor;
		if (b && b !== "transparent" && b !== "rgba(0, 0, 0, 0)") { bg = b; break; }
	}
	return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor, background: bg, visible: a.matches(":focus-visible")};
})()`

type ring struct {
	Style, Colour, Background string
	Width                     float64
	Visible                   bool
}

// checkFocusRing: the focus is shown, by a ring 3:1 against what surrounds it.
func (c *chrome) checkFocusRing(where string) {
	c.t.Helper()
	var r ring
	c.eval(focusRing, &r)
	if !r.Visible || r.Style == "none" || r.Width < 2 {
		c.t.Errorf("%s: the focus is not shown (%+v)", where, r)
		return
	}
	if k := contrast(r.Colour, r.Background); k < 3 {
		c.t.Errorf("%s: the focus ring %s is %.2f:1 on %s, want 3:1", where, r.Colour, k, r.Background)
	}
}

var rgb = regexp.MustCompile(`rgba?\((\d+), (\d+), (\d+)`)

// contrast is WCAG's contrast ratio of two CSS colours rgb(r, g, b).
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(colour string) float64 {
	m := rgb.FindStringSubmatch(colour)
	if m == nil {
		return math.NaN()
	}
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.Atoi(m[i+1])
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	return l
}

// audit makes every check of a page: axe-core, no English, numbers and
// dates the Vietnamese way, a title of its own, and on a phone the layout.
func (c *chrome) audit(t *testing.T, name string, width int, axe string) {
	t.Helper()
	where := fmt.Sprintf("%s at %d px", name, width)
	for _, v := range c.axe(axe) {
		t.Errorf("%s: axe: %s", where, v)
	}
	var text string
	c.eval(pageText, &text)
	for _, w := range englishWords(text) {
		t.Errorf("%s: English: %s", where, w)
	}
	for _, f := range formatFaults(text) {
		t.Errorf("%s: not the Vietnamese way: %s", where, f)
	}
	if width < 600 {
		var faults []string
		c.eval(phoneFaults, &faults)
		for _, f := range faults {
			t.Errorf("%s: %s", where, f)
		}
	}
}
