package bulletin

import (
	"errors"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

func TestHTMLText(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Tin</title><style>p{color:red}</style>
<script>var s = "Quyết định số 1/QĐ-UBND";</script></head><body>
<nav><a href="/">Trang chủ</a> &gt; <a href="/cchc">CCHC</a></nav>
<header>Cổng thông tin</header>
<article><h1>UBND tỉnh ban hành kế hoạch</h1>
<p>Ng&agrave;y 5/3/2021, UBND t&#7881;nh ban hành <strong>Kế hoạch số 47/KH-UBND</strong>
 về cải cách&nbsp;hành chính.</p><!-- quảng cáo -->
<table><tr><th>Đơn vị</th><th>Đúng hạn</th></tr><tr><td>Sở Tư pháp</td><td>98,5%</td></tr></table>
</article>
<aside>Tin liên quan: Quyết định số 2/QĐ-UBND</aside><footer>© 2021</footer></body></html>`
	if !IsHTML(page) || IsHTML("Ngày 5/3/2021, <b>UBND</b> tỉnh ban hành") {
		t.Fatal("IsHTML does not tell a page from text")
	}
	want := "UBND tỉnh ban hành kế hoạch\n" +
		"Ngày 5/3/2021, UBND tỉnh ban hành Kế hoạch số 47/KH-UBND về cải cách hành chính.\n" +
		"Đơn vị | Đúng hạn\nSở Tư pháp | 98,5%"
	if got, err := HTMLText(page); err != nil || got != want {
		t.Errorf("HTMLText =\n%q, %v\nwant\n%q", got, err, want)
	}
}

// TestHTMLTextDepth: a page nesting its article deeper than the parser
// builds (512 open elements) is refused naming the text and the rule,
// never read as text with its markup; one within reach reads whole.
func TestHTMLTextDepth(t *testing.T) {
	page := func(depth int) string {
		return `<!DOCTYPE html><html><head><script>var secret="k";</script></head><body>` + strings.Repeat("<div>", depth) +
			`<p>Ngày 5/3/2021, UBND tỉnh ban hành <b>Kế hoạch số 47/KH-UBND</b> về cải cách hành chính.</p>` +
			strings.Repeat("</div>", depth) + `</body></html>`
	}
	for _, depth := range []int{600, 10_000} {
		got, err := HTMLText(page(depth))
		e, ok := errors.AsType[*registry.Error](err)
		if !ok || e.Code != registry.CodeBadUserInput || e.Field != "text" || !strings.Contains(e.Message, "512") || got != "" {
			t.Errorf("nesting %d: HTMLText = %.80q, %v; want BAD_USER_INPUT on text stating the depth read", depth, got, err)
		}
	}
	want := "Ngày 5/3/2021, UBND tỉnh ban hành Kế hoạch số 47/KH-UBND về cải cách hành chính."
	if got, err := HTMLText(page(500)); err != nil || got != want {
		t.Errorf("nesting 500: HTMLText = %.80q, %v; want %q", got, err, want)
	}
}
