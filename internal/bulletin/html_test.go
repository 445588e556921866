package bulletin

import "testing"

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
	if got := HTMLText(page); got != want {
		t.Errorf("HTMLText =\n%q\nwant\n%q", got, want)
	}
}
