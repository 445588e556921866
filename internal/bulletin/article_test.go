package bulletin

import (
	"slices"
	"strings"
	"testing"
)

// cmsPage is a whole page as a CMS serves it, written for these tests:
// the article names some documents, the site's furniture others.
type cmsPage struct {
	name, page string
	// want are the symbols of the article, in order; lines must appear
	// in the text read (headline, dateline).
	want, lines []string
	published   string // the page's date, read from its dateline
}

// furniture that names documents of its own, shared by the pages below.
const (
	ticker  = `<div class="ticker-wrap"><b>Tin mới:</b> <a href="/t1">UBND tỉnh ban hành Quyết định số 901/QĐ-UBND về giá đất</a></div>`
	newDocs = `<div class="box"><div class="box-head">Văn bản mới</div><ul><li><a href="/vb/1">Quyết định số 902/QĐ-UBND ngày 02/3/2024</a></li><li><a href="/vb/2">Kế hoạch số 903/KH-UBND ngày 03/3/2024</a></li><li><a href="/vb/3">Công văn số 904/UBND-KSTT ngày 04/3/2024</a></li></ul></div>`
	related = `<div class="other"><h3>Tin liên quan</h3><ul><li><a href="/r1">Sở Tư pháp triển khai Kế hoạch số 905/KH-UBND</a> (12/02/2024)</li><li><a href="/r2">Hướng dẫn Thông tư số 06/2024/TT-BNV</a> (10/02/2024)</li></ul></div>`
	licence = `<div class="bottom"><p>Cổng thông tin điện tử tỉnh Bắc Lâm. Giấy phép số 56/GP-TTĐT ngày 12/5/2020 của Cục Phát thanh, truyền hình và thông tin điện tử.</p><p>Chịu trách nhiệm chính: Chánh Văn phòng UBND tỉnh.</p></div>`
	menu    = `<ul class="mainmenu"><li><a href="/">Trang chủ</a></li><li><a href="/gt">Giới thiệu</a></li><li><a href="/tt">Tin tức - Sự kiện</a></li><li><a href="/vb">Văn bản chỉ đạo điều hành</a></li><li><a href="/dvc">Dịch vụ công trực tuyến</a></li></ul>`
	body1   = `<p>Ngày 05/3/2024, UBND tỉnh ban hành Kế hoạch số 45/KH-UBND về cải cách hành chính năm 2024, triển khai Quyết định số 1291/QĐ-TTg ngày 02/11/2023 của Thủ tướng Chính phủ.</p>
<p>Kế hoạch đặt mục tiêu đến cuối năm, tỷ lệ hồ sơ giải quyết đúng hạn đạt trên 98%, tỷ lệ thủ tục hành chính có phát sinh hồ sơ được xử lý trực tuyến toàn trình đạt ít nhất 80%, đồng thời số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực.</p>
<p>Các sở, ban, ngành và UBND các huyện, thành phố có trách nhiệm rà soát quy trình nội bộ, công khai đầy đủ thủ tục hành chính trên Cổng Dịch vụ công và báo cáo kết quả thực hiện định kỳ hằng quý.</p>`
)

var cmsPages = []cmsPage{
	{
		// The title in a module of its own above the article, the
		// dateline under it.
		name: "DNN, title apart, dateline under the article",
		page: `<html><head><title>Sở Tư pháp công bố kết quả quý I</title></head><body><form id="Form">
<div id="dnn_TopPane"><div class="DnnModule"><div id="dnn_ctr400_ContentPane"><h2 class="Head">Sở Tư pháp công bố kết quả quý I</h2></div></div></div>
<div id="dnn_ContentPane"><div class="DnnModule"><div id="dnn_ctr401_ContentPane"><div id="dnn_ctr401_ViewNews_pnlDetail">` + body1 + `</div>
<div class="date">Ngày đăng: 02/04/2024</div></div></div></div>
<div id="dnn_RightPane">` + newDocs + `</div>` + licence + `</form></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"Sở Tư pháp công bố kết quả quý I", "Ngày đăng: 02/04/2024"},
		published: "2024-04-02",
	},
	{
		// A layout table: the menu's cell has a paragraph of its own; the
		// article's cell is text broken by <br>, each part a paragraph.
		name: "layout table, paragraphs broken by <br>",
		page: `<html><body><table width="100%"><tr><td width="200"><div>Giới thiệu chung về Sở Tư pháp, chức năng nhiệm vụ, cơ cấu tổ chức, lãnh đạo Sở, các phòng ban chuyên môn và đơn vị sự nghiệp trực thuộc, theo Quyết định số 645/QĐ-UBND.</div>` + menu + `</td>
<td><b>UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</b><br>Cập nhật: 07/03/2024<br><br>` +
			strings.NewReplacer("<p>", "", "</p>", "<br><br>").Replace(body1) + `</td></tr></table></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "Cập nhật: 07/03/2024"},
		published: "2024-03-07",
	},
	{
		name: "DNN page-wide form",
		page: `<!DOCTYPE html><html><head><title>UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</title></head><body>
<form method="post" action="/tin-tuc" id="Form" enctype="multipart/form-data">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAKrZ2u" />
<div id="dnn_HeaderPane">` + menu + ticker + `</div>
<div id="dnn_ContentPane"><div class="DnnModule DnnModule-ViewNews"><div id="dnn_ctr512_ContentPane">
<div id="dnn_ctr512_ModuleContent">
<span id="dnn_ctr512_ViewNews_lblTitle" class="Title">UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</span>
<span id="dnn_ctr512_ViewNews_lblDate" class="Date">Cập nhật: 07/03/2024</span>
<span id="dnn_ctr512_ViewNews_lblContent">` + body1 + `</span>
</div></div></div></div>
<div id="dnn_RightPane">` + newDocs + `</div>
<div id="dnn_FooterPane">` + licence + `</div>
</form></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "Cập nhật: 07/03/2024"},
		published: "2024-03-07",
	},
	{
		name: "Liferay portlets",
		page: `<!DOCTYPE html><html><head><title>Kế hoạch cải cách hành chính năm 2024 - Sở Nội vụ</title>
<meta property="og:title" content="UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024"></head><body>
<div id="wrapper"><div id="banner">` + menu + `</div>
<div class="columns-2" id="main-content"><div class="portlet-column" id="column-1">
<div class="portlet-boundary portlet-journal-content"><div class="portlet-body">
<h1 class="header-title">UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</h1>
<div class="publish-date">07/03/2024 08:15</div>
<div class="journal-content-article">` + body1 + `</div>
</div></div>
<div class="portlet-boundary portlet-asset-publisher"><div class="portlet-body">` + related + `</div></div>
</div><div class="portlet-column" id="column-2">` + newDocs + `</div></div>
` + licence + `</div></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "07/03/2024 08:15"},
		published: "2024-03-07",
	},
	{
		name: "SharePoint rich text field",
		page: `<!DOCTYPE html><html><head><title>Trang - Cổng thông tin</title></head><body><form id="aspnetForm" method="post">
<div id="s4-workspace"><div id="s4-titlerow">` + menu + `</div>
<div class="ms-webpart-zone"><h2 class="ms-webpart-titleText">Tin tức</h2>
<div class="article-header"><div class="ms-rtestate-field"><h1>UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</h1></div>
<div class="ms-rtestate-field">Ngày 07/03/2024</div></div>
<div class="ms-rtestate-field">` + body1 + `</div>
</div><div class="ms-webpart-zone">` + related + newDocs + `</div>` + licence + `</div></form></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "Ngày 07/03/2024"},
		published: "2024-03-07",
	},
	{
		name: "WordPress with widgets",
		page: `<!DOCTYPE html><html><head><title>UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024 – Báo Bắc Lâm</title></head>
<body class="single"><div id="page">` + menu + `<div id="primary"><main id="main">
<div class="post-inner"><h1 class="entry-title">UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</h1>
<div class="entry-meta"><span class="posted-on">07/03/2024</span> <span class="byline">Minh Anh</span></div>
<div class="entry-content">` + body1 + `</div>
<div class="post-tags">` + related + `</div></div></main></div>
<div id="secondary" class="widget-area"><section class="widget">` + newDocs + `</section></div>
<div class="site-info">` + licence + `</div></div></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "07/03/2024 Minh Anh"},
		published: "2024-03-07",
	},
	{
		name: "Joomla articleBody",
		page: `<!DOCTYPE html><html><head><title>Kế hoạch CCHC</title></head><body>
<div class="t3-wrapper">` + menu + ticker + `<div class="t3-content"><div class="item-page" itemscope itemtype="https://schema.org/Article">
<div class="page-header"><h2 itemprop="headline">UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</h2></div>
<dl class="article-info"><dd class="published"><time datetime="2024-03-07" itemprop="datePublished">Đăng ngày: 07/03/2024</time></dd></dl>
<div itemprop="articleBody">` + body1 + `</div></div></div>
<div class="t3-sidebar">` + newDocs + related + `</div>` + licence + `</div></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "Đăng ngày: 07/03/2024"},
		published: "2024-03-07",
	},
	{
		// No known container: classes in the portal's own words; the
		// related box sits in the article's column, after it.
		name: "portal template, related news in the column",
		page: `<html><head><title>Cổng thông tin điện tử</title></head><body><table width="100%"><tr>
<td class="cot-trai" width="22%">` + menu + newDocs + `</td>
<td class="cot-giua"><div class="khung"><div class="tieude">UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</div>
<div class="ngay">Thứ năm, 07/03/2024</div>
<div class="noidungtin">` + body1 + `</div>` + related + `<div class="tinkhac"><b>Tin khác</b><br><a href="/k1">Quyết định số 906/QĐ-UBND về giá dịch vụ</a><br><a href="/k2">Chỉ thị số 07/CT-UBND về kỷ cương</a></div></div></td>
</tr></table><div>` + licence + `</div></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024", "Thứ năm, 07/03/2024"},
		published: "2024-03-07",
	},
	{
		// Teasers as long as the article, no class to tell them apart: the
		// page's JSON-LD articleBody says which is the article.
		name: "JSON-LD articleBody",
		page: `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"Tin"},{"@type":"NewsArticle","headline":"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024","datePublished":"2024-03-07T08:15:00+07:00","articleBody":"Ngày 05/3/2024, UBND tỉnh ban hành Kế hoạch số 45/KH-UBND về cải cách hành chính năm 2024, triển khai Quyết định số 1291/QĐ-TTg ngày 02/11/2023 của Thủ tướng Chính phủ. Kế hoạch đặt mục tiêu ... báo cáo kết quả thực hiện định kỳ hằng quý."}]}</script></head><body>
<div class="a"><div class="b"><p>Ngày 01/3/2024, Sở Xây dựng ban hành Quyết định số 907/QĐ-SXD về quy chế làm việc, theo đó các phòng, đơn vị thuộc Sở phải công khai lịch tiếp công dân, quy trình nội bộ và thời hạn giải quyết từng loại hồ sơ, đồng thời tổ chức đối thoại với doanh nghiệp mỗi quý một lần.</p>
<p>Quy chế cũng quy định trách nhiệm người đứng đầu, cơ chế phối hợp, chế độ báo cáo, kiểm tra, đánh giá, khen thưởng và kỷ luật, có hiệu lực kể từ ngày ký và thay thế các quy định trước đây trái với quy chế này.</p></div></div>
<div class="a"><h1>UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024</h1><div class="b">` + body1 + `</div></div></body></html>`,
		want:      []string{"45/KH-UBND", "1291/QĐ-TTg"},
		lines:     []string{"UBND tỉnh ban hành kế hoạch cải cách hành chính năm 2024"},
		published: "",
	},
}

// TestArticleExtraction: from a whole saved page of each CMS, the article
// is read (inside a page-wide <form> too) with its headline and dateline,
// and no document named by the site's menus, tickers, boxes of new or
// related documents or its licence in the footer.
func TestArticleExtraction(t *testing.T) {
	for _, p := range cmsPages {
		t.Run(p.name, func(t *testing.T) {
			text, err := HTMLText(p.page)
			if err != nil {
				t.Fatal(err)
			}
			x := checkInvariants(t, text)
			if string(x.Published) != p.published {
				t.Errorf("published %q, want %q", x.Published, p.published)
			}
			var got []string
			for _, d := range x.Directives {
				got = append(got, d.Symbol.String())
			}
			if !slices.Equal(got, p.want) {
				t.Errorf("symbols %q, want %q; text:\n%s", got, p.want, text)
			}
			lines := strings.Split(text, "\n")
			for _, l := range p.lines {
				if !slices.Contains(lines, l) {
					t.Errorf("no line %q in:\n%s", l, text)
				}
			}
		})
	}
}
