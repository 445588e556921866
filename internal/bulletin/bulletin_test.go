package bulletin

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/vnregistry/registry/internal/registry"
)

// describeDirective renders what a test compares, one line per directive.
func describeDirective(d Directive) string {
	extra := ""
	if d.Signer.Name != "" {
		extra += fmt.Sprintf(" signer=%q", d.Signer.Position+" "+d.Signer.Name)
	}
	for _, r := range d.Relations {
		extra += fmt.Sprintf(" %s %s", r.Kind, r.Symbol)
	}
	return fmt.Sprintf("%s %s issuer=%q type=%q summary=%q%s %v",
		d.Symbol, orNone(string(d.IssuedOn)), d.IssuerAsWritten, d.TypeAsWritten, d.Summary, extra, codes(d.Findings))
}

// describeReport renders a report as "period agency total=early+onTime+late [codes]",
// with each printed rate after its count and "-" for what is not given.
func describeReport(r registry.Report) string {
	count := func(n *int, rate *float64) string {
		s := "-"
		if n != nil {
			s = fmt.Sprint(*n)
		}
		if rate != nil {
			s += fmt.Sprintf("(%v)", *rate)
		}
		return s
	}
	return fmt.Sprintf("%s %q %s=%s+%s+%s %v", orNone(r.Period), r.AgencyName, count(r.Resolved, nil),
		count(r.Early, r.EarlyRate), count(r.OnTime, r.OnTimeRate), count(r.Late, r.LateRate), codes(r.Findings))
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func codes(fs []registry.Finding) []registry.FindingCode {
	out := []registry.FindingCode{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func describeAll(x Extraction) (ds, rs []string) {
	for _, d := range x.Directives {
		ds = append(ds, describeDirective(d))
	}
	for _, r := range x.Reports {
		rs = append(rs, describeReport(r))
	}
	return ds, rs
}

// checkInvariants holds for every input: offsets point at the excerpt, the
// order follows the offsets, keys are set, and extraction is deterministic.
func checkInvariants(t *testing.T, text string) Extraction {
	t.Helper()
	x := Extract("test", text)
	runes := []rune(text)
	at := func(what string, off, n int, excerpt string) {
		t.Helper()
		if off < 0 || n <= 0 || off+n > len(runes) {
			t.Fatalf("%s: span %d+%d outside the text of %d characters", what, off, n, len(runes))
		}
		if got := string(runes[off : off+n]); got != excerpt {
			t.Fatalf("%s: text at %d+%d is %q, excerpt is %q", what, off, n, got, excerpt)
		}
	}
	seen := map[string]bool{}
	for _, d := range x.Directives {
		at("directive "+d.Symbol.String(), d.Offset, d.Length, d.Sentence)
		if seen[d.Symbol.Key()] {
			t.Fatalf("directive %s listed twice: mentions are merged", d.Symbol)
		}
		seen[d.Symbol.Key()] = true
	}
	for i, r := range x.Reports {
		p := r.Provenance
		at("report", p.Offset, p.Length, p.Excerpt)
		if p.Source != "test" || r.Key != registry.ReportKey(r.AgencyName, r.Period, p.Excerpt) {
			t.Fatalf("report source %q key %q not set from its fields", p.Source, r.Key)
		}
		if i > 0 && p.Offset < x.Reports[i-1].Provenance.Offset {
			t.Fatalf("reports out of order: %d after %d", p.Offset, x.Reports[i-1].Provenance.Offset)
		}
	}
	if again := Extract("test", text); !reflect.DeepEqual(x, again) {
		t.Fatalf("Extract is not deterministic on %q", text)
	}
	return x
}

func TestDirectives(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			name: "date, issuer, ban hành, official letter",
			text: "Ngày 22/4/2021, Thủ tướng Chính phủ ban hành Công văn 516/TTg-KSTT về việc thúc đẩy cải cách thủ tục hành chính.",
			want: []string{`516/TTg-KSTT 2021-04-22 issuer="Thủ tướng Chính phủ" type="Công văn" summary="về việc thúc đẩy cải cách thủ tục hành chính" []`},
		},
		{
			name: "quyết định số, summary without về việc",
			text: "Ngày 16/4/2021, Ban chỉ đạo cải cách hành chính của Chính phủ ban hành Quyết định số 46/QĐ-BCĐCCHC kế hoạch kiểm tra năm 2021.",
			want: []string{`46/QĐ-BCĐCCHC 2021-04-16 issuer="Ban chỉ đạo cải cách hành chính của Chính phủ" type="Quyết định" summary="kế hoạch kiểm tra năm 2021" []`},
		},
		{
			name: "news names the Government for a Prime Minister's decision",
			text: "Ngày 27/3/2021, Chính phủ ban hành Quyết định số 468/QĐ-TTg phê duyệt Đề án một cửa.",
			want: []string{`468/QĐ-TTg 2021-03-27 issuer="Chính phủ" type="Quyết định" summary="phê duyệt Đề án một cửa" [ISSUER_DISAGREES_WITH_SYMBOL]`},
		},
		{
			name: "date and issuer after the symbol",
			text: "Hội nghị sơ kết việc thực hiện theo Quyết định số 2503/QĐ-UBND ngày 6/9/2019 của UBND tỉnh.",
			want: []string{`2503/QĐ-UBND 2019-09-06 issuer="UBND tỉnh" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`},
		},
		{
			name: "date in words, a comma closes the mention",
			text: "Thực hiện Kế hoạch số 12/KH-UBND ngày 05 tháng 3 năm 2020 của UBND tỉnh, các sở đã rà soát thủ tục.",
			want: []string{`12/KH-UBND 2020-03-05 issuer="UBND tỉnh" type="Kế hoạch" summary="" [SUMMARY_UNDETERMINED]`},
		},
		{
			name: "issuer and date before the symbol, then a summary",
			text: "Quyết định số 15/QĐ-UBND của UBND tỉnh ngày 2/1/2020 về công bố thủ tục hành chính.",
			want: []string{`15/QĐ-UBND 2020-01-02 issuer="UBND tỉnh" type="Quyết định" summary="về công bố thủ tục hành chính" []`},
		},
		{
			name: "a referenced decision and a plan issued in one sentence",
			text: "Thực hiện Quyết định số 468/QĐ-TTg ngày 27/3/2021 của Thủ tướng Chính phủ, UBND tỉnh ban hành Kế hoạch số 5/KH-UBND triển khai Đề án.",
			want: []string{
				`468/QĐ-TTg 2021-03-27 issuer="Thủ tướng Chính phủ" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`,
				`05/KH-UBND - issuer="UBND tỉnh" type="Kế hoạch" summary="triển khai Đề án" IMPLEMENTS 468/QĐ-TTg [DATE_UNDETERMINED]`,
			},
		},
		{
			name: "vừa ký before ban hành",
			text: "Ngày 6/12/2021, Thủ tướng Chính phủ vừa ký ban hành Nghị định số 107/2021/NĐ-CP sửa đổi Nghị định về một cửa.",
			want: []string{`107/2021/NĐ-CP 2021-12-06 issuer="Thủ tướng Chính phủ" type="Nghị định" summary="sửa đổi Nghị định về một cửa" [ISSUER_DISAGREES_WITH_SYMBOL]`},
		},
		{
			name: "a date without a year, and nothing to give it one, is not guessed",
			text: "Ngày 16/3, UBND tỉnh ban hành Kế hoạch số 30/KH-UBND về kiểm tra.",
			want: []string{`30/KH-UBND - issuer="UBND tỉnh" type="Kế hoạch" summary="về kiểm tra" [DATE_UNDETERMINED]`},
		},
		{
			name: "a date without a year takes the page's, said in a finding",
			text: "Cập nhật: 20/3/2021 08:15\nNgày 16/3, UBND tỉnh ban hành Kế hoạch số 30/KH-UBND về kiểm tra.",
			want: []string{`30/KH-UBND 2021-03-16 issuer="UBND tỉnh" type="Kế hoạch" summary="về kiểm tra" [DATE_YEAR_INFERRED]`},
		},
		{
			name: "a relation verb ends the issuer named after a symbol",
			text: "Quyết định số 5/QĐ-UBND ngày 1/3/2021 của UBND tỉnh bãi bỏ Quyết định số 2/QĐ-UBND.",
			want: []string{
				`05/QĐ-UBND 2021-03-01 issuer="UBND tỉnh" type="Quyết định" summary="bãi bỏ Quyết định số 2/QĐ-UBND" REPEALS 02/QĐ-UBND []`,
				`02/QĐ-UBND - issuer="" type="Quyết định" summary="" [DATE_UNDETERMINED ISSUER_UNDETERMINED SUMMARY_UNDETERMINED]`,
			},
		},
		{
			name: "a relation, a signer and a date with dots",
			text: "Ngày 9.4.2021, UBND tỉnh vừa ban hành Kế hoạch số 63/KH-UBND triển khai Quyết định số 468/QĐ-TTg ngày 27/3/2021 của Thủ tướng Chính phủ. Kế hoạch do Phó Chủ tịch Nguyễn Văn Hùng ký.",
			want: []string{
				`63/KH-UBND 2021-04-09 issuer="UBND tỉnh" type="Kế hoạch" summary="triển khai Quyết định số 468/QĐ-TTg ngày 27/3/2021 của Thủ tướng Chính phủ" signer="Phó Chủ tịch Nguyễn Văn Hùng" IMPLEMENTS 468/QĐ-TTg []`,
				`468/QĐ-TTg 2021-03-27 issuer="Thủ tướng Chính phủ" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`,
			},
		},
		{
			name: "the year a symbol carries completes a date",
			text: "Nghị định 61/2018/NĐ-CP ngày 23/4 của Chính phủ về thực hiện cơ chế một cửa.",
			want: []string{`61/2018/NĐ-CP 2018-04-23 issuer="Chính phủ" type="Nghị định" summary="về thực hiện cơ chế một cửa" [DATE_YEAR_INFERRED]`},
		},
		{
			name: "a date that disagrees with the symbol's year",
			text: "Nghị định 61/2018/NĐ-CP ngày 23/4/2019 của Chính phủ về một cửa.",
			want: []string{`61/2018/NĐ-CP 2019-04-23 issuer="Chính phủ" type="Nghị định" summary="về một cửa" [YEAR_DISAGREES_WITH_SYMBOL]`},
		},
		{
			name: "an impossible date",
			text: "Quyết định số 7/QĐ-UBND ngày 31/2/2021 của UBND huyện về nhân sự.",
			want: []string{`07/QĐ-UBND - issuer="UBND huyện" type="Quyết định" summary="về nhân sự" [DATE_UNDETERMINED]`},
		},
		{
			name: "type disagrees with the symbol; unknown issuer is no disagreement",
			text: "Sở Nội vụ đã ban hành Quyết định số 88/KH-SNV về kiểm tra.",
			want: []string{`88/KH-SNV - issuer="Sở Nội vụ" type="Quyết định" summary="về kiểm tra" [DATE_UNDETERMINED TYPE_DISAGREES_WITH_SYMBOL]`},
		},
		{
			name: "nothing stated but the symbol",
			text: "Các đơn vị thực hiện theo 12/QĐ-UBND.",
			want: []string{`12/QĐ-UBND - issuer="" type="" summary="" [DATE_UNDETERMINED ISSUER_UNDETERMINED SUMMARY_UNDETERMINED]`},
		},
		{
			name: "spaced dashes in the wild",
			text: "Theo Quyết định số 2503/QĐ - UBND ngày 6/9/2019 của UBND tỉnh.",
			want: []string{`2503/QĐ-UBND 2019-09-06 issuer="UBND tỉnh" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`},
		},
		{
			name: "a spaced dash before a lower-case word ends the symbol",
			text: "Kế hoạch số 12/KH-UBND - kế hoạch cải cách hành chính năm 2021.",
			want: []string{`12/KH-UBND - issuer="" type="Kế hoạch" summary="kế hoạch cải cách hành chính năm 2021" [DATE_UNDETERMINED ISSUER_UNDETERMINED]`},
		},
		{
			name: "unaccented text",
			text: "Ngay 22/4/2021, Thu tuong Chinh phu ban hanh Cong van 516/TTg-KSTT ve viec mot cua.",
			want: []string{`516/TTg-KSTT 2021-04-22 issuer="Thu tuong Chinh phu" type="Cong van" summary="ve viec mot cua" []`},
		},
		{
			name: "law of the National Assembly",
			text: "Luật số 80/2015/QH13 của Quốc hội về ban hành văn bản quy phạm pháp luật.",
			want: []string{`80/2015/QH13 - issuer="Quốc hội" type="Luật" summary="về ban hành văn bản quy phạm pháp luật" [DATE_UNDETERMINED]`},
		},
		{
			name: "a bare số/CƠQUAN is a letter only when the text says so",
			text: "Năng suất đạt 5/ha, Công văn số 123/VPCP của Văn phòng Chính phủ về lịch làm việc.",
			want: []string{`123/VPCP - issuer="Văn phòng Chính phủ" type="Công văn" summary="về lịch làm việc" [DATE_UNDETERMINED]`},
		},
		{
			name: "dates and figures are not symbols",
			text: "Ngày 22/4/2021, tỷ lệ đạt 83,8%, giải quyết 5.570/6.000 hồ sơ.",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := checkInvariants(t, tt.text)
			got, _ := describeAll(x)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("directives of %q:\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestReports(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{
			name: "month, agency, parts and rates in one sentence",
			text: "Tháng 3/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 5.570 hồ sơ, trong đó số hồ sơ giải quyết trước hạn 4.671 hồ sơ, đạt 83,8%; số hồ sơ giải quyết đúng hạn 899 hồ sơ, đạt 16,2%.",
			want: []string{`2021-03 "Trung tâm Phục vụ hành chính công tỉnh" 5570=4671(0.838)+899(0.162)+- [RATE_TRUNCATED RATE_MISMATCH]`},
		},
		{
			name: "parts in the next sentence",
			text: "Tháng 01/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 6.164 hồ sơ. Trong đó, số hồ sơ giải quyết trước hạn là 5.184 hồ sơ, đạt 83,7%; giải quyết đúng hạn 1.008 hồ sơ, đạt 16,3%.",
			want: []string{`2021-01 "Trung tâm Phục vụ hành chính công tỉnh" 6164=5184(0.837)+1008(0.163)+- [PARTS_DO_NOT_ADD_UP RATE_BASED_ON_PARTS RATE_TRUNCATED]`},
		},
		{
			name: "in the month, agency from the paragraph",
			text: "Theo báo cáo, hồ sơ nộp tại Trung tâm Phục vụ hành chính công tỉnh được cán bộ tiếp nhận đúng quy trình. Trong tháng, đã giải quyết 5.180 hồ sơ, trong đó giải quyết trước hạn 4.061 hồ sơ, đạt 78,4% và 1.119 hồ sơ giải quyết đúng hạn, đạt 21,6%.",
			want: []string{`- "Trung tâm Phục vụ hành chính công tỉnh" 5180=4061(0.784)+1119(0.216)+- [PERIOD_UNDETERMINED]`},
		},
		{
			name: "in the month, month from the paragraph",
			text: "Tháng 8/2021, Trung tâm Hành chính công huyện tiếp tục cải tiến. Trong tháng, đã giải quyết 200 hồ sơ, trong đó trước hạn 150 hồ sơ, đúng hạn 50 hồ sơ.",
			want: []string{`2021-08 "Trung tâm Hành chính công huyện" 200=150+50+- []`},
		},
		{
			name: "another paragraph is not looked into",
			text: "Tháng 8/2021, Trung tâm Hành chính công huyện tiếp tục cải tiến.\n\nTrong tháng, đã giải quyết 200 hồ sơ, trong đó trước hạn 150 hồ sơ, đúng hạn 50 hồ sơ.",
			want: []string{`- "" 200=150+50+- [AGENCY_UNDETERMINED PERIOD_UNDETERMINED]`},
		},
		{
			name: "late count and rates that add up",
			text: "Trong tháng 6 năm 2021, Bộ phận Một cửa huyện đã giải quyết 1.250 hồ sơ, trong đó 1.000 hồ sơ giải quyết trước hạn, đạt 80%; 240 hồ sơ giải quyết đúng hạn, đạt 19,2%; quá hạn 10 hồ sơ, chiếm 0,8%.",
			want: []string{`2021-06 "Bộ phận Một cửa huyện" 1250=1000(0.8)+240(0.192)+10(0.008) []`},
		},
		{
			name: "overdue open dossiers are not late resolutions",
			text: "Tháng 7/2021, Sở Tư pháp giải quyết 900 hồ sơ, trong đó trước hạn 850 hồ sơ, đúng hạn 50 hồ sơ; đang giải quyết 120 hồ sơ, trong đó quá hạn 3 hồ sơ.",
			want: []string{`2021-07 "Sở Tư pháp" 900=850+50+- []`},
		},
		{
			name: "a combined early and on-time count is neither",
			text: "Tháng 5/2021, UBND huyện giải quyết 300 hồ sơ, giải quyết trước và đúng hạn 290 hồ sơ.",
			want: []string{`2021-05 "UBND huyện" 300=-+-+- []`},
		},
		{
			name: "one part missing",
			text: "Tháng 5/2021, UBND huyện giải quyết 300 hồ sơ, đúng hạn 290 hồ sơ, đạt 96,7%.",
			want: []string{`2021-05 "UBND huyện" 300=-+290(0.967)+- [COUNT_UNDETERMINED]`},
		},
		{
			name: "two reports in one sentence",
			text: "Tháng 4/2021, Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ, đúng hạn 40 hồ sơ; Sở Y tế giải quyết 50 hồ sơ, trước hạn 20 hồ sơ, đúng hạn 30 hồ sơ.",
			want: []string{
				`2021-04 "Sở Xây dựng" 100=60+40+- []`,
				`2021-04 "Sở Y tế" 50=20+30+- []`,
			},
		},
		{
			name: "a month after a later total is that total's",
			text: "Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ; Sở Y tế giải quyết 50 hồ sơ trong tháng 4/2021.",
			want: []string{
				`- "Sở Xây dựng" 100=60+-+- [PERIOD_UNDETERMINED COUNT_UNDETERMINED]`,
				`2021-04 "Sở Y tế" 50=-+-+- []`,
			},
		},
		{
			name: "month after the total",
			text: "Sở Tư pháp đã giải quyết 75 hồ sơ trong tháng 2/2022, trước hạn 70 hồ sơ, đúng hạn 5 hồ sơ.",
			want: []string{`2022-02 "Sở Tư pháp" 75=70+5+- []`},
		},
		{
			name: "in-progress and pending counts are no totals",
			text: "Tháng 4/2021, Trung tâm Phục vụ hành chính công tỉnh đang giải quyết 300 hồ sơ và chưa giải quyết 12 hồ sơ.",
			want: nil,
		},
		{
			name: "a sentence without figures",
			text: "Tháng 4/2021, Hồ sơ nộp tại Trung tâm Phục vụ hành chính công tỉnh được tiếp nhận đúng quy trình.",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := checkInvariants(t, tt.text)
			_, got := describeAll(x)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("reports of %q:\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestReportExcerpts checks that an excerpt covers every sentence a report
// used, and stops before the next report in the same sentence.
func TestReportExcerpts(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{
			"Mở đầu. Tháng 01/2021, Sở Y tế giải quyết 64 hồ sơ. Trong đó, trước hạn 60 hồ sơ, đúng hạn 4 hồ sơ. Kết thúc.",
			[]string{"Tháng 01/2021, Sở Y tế giải quyết 64 hồ sơ. Trong đó, trước hạn 60 hồ sơ, đúng hạn 4 hồ sơ."},
		},
		{
			"Mở đầu. Hồ sơ nộp tại Sở Y tế được tiếp nhận. Trong tháng, đã giải quyết 64 hồ sơ.",
			[]string{"Hồ sơ nộp tại Sở Y tế được tiếp nhận. Trong tháng, đã giải quyết 64 hồ sơ."},
		},
		{
			"Tháng 4/2021, Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ; Sở Y tế giải quyết 50 hồ sơ.",
			[]string{
				"Tháng 4/2021, Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ",
				"Tháng 4/2021, Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ; Sở Y tế giải quyết 50 hồ sơ.",
			},
		},
		{
			"Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ; Sở Y tế giải quyết 50 hồ sơ trong tháng 4/2021.",
			[]string{"Sở Xây dựng giải quyết 100 hồ sơ, trước hạn 60 hồ sơ", "Sở Y tế giải quyết 50 hồ sơ trong tháng 4/2021."},
		},
	}
	for _, tt := range tests {
		x := checkInvariants(t, tt.text)
		var got []string
		for _, r := range x.Reports {
			got = append(got, r.Provenance.Excerpt)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("excerpts of %q:\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

// TestDecomposedInput reads text in NFD, as some sites serve it: the
// matches are the same and offsets still count the source's characters.
func TestDecomposedInput(t *testing.T) {
	composed := "Ngày 27/3/2021, Chính phủ ban hành Quyết định số 468/QĐ-TTg phê duyệt Đề án. " +
		"Tháng 3/2021, Trung tâm Phục vụ hành chính công tỉnh giải quyết 5.570 hồ sơ, trước hạn 4.671 hồ sơ, đúng hạn 899 hồ sơ."
	decomposed := norm.NFD.String(composed)
	if decomposed == composed {
		t.Fatal("test text has nothing to decompose")
	}
	a, b := checkInvariants(t, composed), checkInvariants(t, decomposed)
	ad, ar := describeAll(a)
	bd, br := describeAll(b)
	for i := range bd {
		bd[i] = norm.NFC.String(bd[i])
	}
	for i := range br {
		br[i] = norm.NFC.String(br[i])
	}
	if !reflect.DeepEqual(ad, bd) || !reflect.DeepEqual(ar, br) {
		t.Errorf("NFD input reads differently:\n%q %q\n%q %q", ad, ar, bd, br)
	}
	if len(a.Reports) != 1 || a.Reports[0].Key != b.Reports[0].Key {
		t.Errorf("NFD input changes the report key")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent: it is the shared seed bulletin, outside the module", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSeedBulletin(t *testing.T) {
	text := readFile(t, "../../../shared/seeds/000_f9bf3ebd35c96490.txt")
	x := checkInvariants(t, text)
	ds, rs := describeAll(x)
	wantDirectives := []string{
		`516/TTg-KSTT 2021-04-22 issuer="Thủ tướng Chính phủ" type="Công văn" summary="về việc thúc đẩy cải cách thủ tục hành chính, đổi mới thực hiện cơ chế một cửa và xây dựng Chính phủ điện tử phục vụ chỉ đạo, điều hành" []`,
		`46/QĐ-BCĐCCHC 2021-04-16 issuer="Ban chỉ đạo cải cách hành chính của Chính phủ" type="Quyết định" summary="kế hoạch kiểm tra công tác cải cách hành chính năm 2021 của Ban Chỉ đạo cải cách hành chính của Chính phủ" []`,
		`468/QĐ-TTg 2021-03-27 issuer="Chính phủ" type="Quyết định" summary="phê duyệt Đề án đổi mới việc thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính" [ISSUER_DISAGREES_WITH_SYMBOL]`,
		`406/QĐ-TTg 2021-03-22 issuer="Thủ tướng Chính phủ" type="Quyết định" summary="về việc phê duyệt Danh mục dịch vụ công trực tuyến tích hợp, cung cấp trên Cổng Dịch vụ công Quốc gia năm 2021" []`,
		`2503/QĐ-UBND 2019-09-06 issuer="UBND tỉnh" type="Quyết định" summary="" [SUMMARY_UNDETERMINED]`,
	}
	if !reflect.DeepEqual(ds, wantDirectives) {
		t.Errorf("directives:\n got %q\nwant %q", ds, wantDirectives)
	}
	if msg := x.Directives[2].Findings[0].Message; !strings.Contains(msg, `"Chính phủ"`) || !strings.Contains(msg, "TTg, the Prime Minister") {
		t.Errorf("468/QĐ-TTg finding does not name both issuers: %q", msg)
	}

	wantReports := []string{
		`2021-03 "Trung tâm Phục vụ hành chính công tỉnh" 5570=4671(0.838)+899(0.162)+- [RATE_TRUNCATED RATE_MISMATCH]`,
		`- "Trung tâm Phục vụ hành chính công tỉnh" 5180=4061(0.784)+1119(0.216)+- [PERIOD_UNDETERMINED]`,
		`2021-01 "Trung tâm Phục vụ hành chính công tỉnh" 6164=5184(0.837)+1008(0.163)+- [PARTS_DO_NOT_ADD_UP RATE_BASED_ON_PARTS RATE_TRUNCATED]`,
	}
	if !reflect.DeepEqual(rs, wantReports) {
		t.Fatalf("reports:\n got %q\nwant %q", rs, wantReports)
	}
	// March: 83,8% is 83.86% truncated; 16,2% is neither 16.14% rounded nor
	// truncated but 100% - 83,8%.
	march := x.Reports[0].Findings
	if !strings.Contains(march[0].Message, "83.860%") || !strings.Contains(march[0].Message, "truncated") ||
		!strings.Contains(march[1].Message, "16.140%") || !strings.Contains(march[1].Message, "100% minus") {
		t.Errorf("March rate findings: %+v", march)
	}
	// January: the parts exceed the total by 28.
	if d := x.Reports[2].Findings[0].Difference; d == nil || *d != 28 {
		t.Errorf("January difference = %v, want +28", d)
	}
	// The undetermined month's excerpt reaches back to the agency's sentence.
	if ex := x.Reports[1].Provenance.Excerpt; !strings.HasPrefix(ex, "Theo báo cáo, hồ sơ nộp tại Trung tâm") {
		t.Errorf("excerpt does not cover the agency's sentence: %q", ex)
	}

	again := Extract("test", text)
	for i := range x.Reports {
		if x.Reports[i].Key != again.Reports[i].Key {
			t.Errorf("report %d key changed between runs", i)
		}
	}
}

func TestFixture(t *testing.T) {
	x := checkInvariants(t, readFile(t, "testdata/fixture.txt"))
	ds, rs := describeAll(x)
	wantDirectives := []string{
		`47/KH-UBND 2020-03-05 issuer="Ủy ban nhân dân tỉnh" type="Kế hoạch" summary="về thực hiện cơ chế một cửa năm 2020" []`,
		`01/2018/TT-VPCP 2018-11-23 issuer="Văn phòng Chính phủ" type="Thông tư" summary="hướng dẫn thi hành Nghị định 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông" GUIDES 61/2018/NĐ-CP []`,
		`61/2018/NĐ-CP 2018-04-23 issuer="Chính phủ" type="Nghị định" summary="về thực hiện cơ chế một cửa, một cửa liên thông" []`,
		`107/2021/NĐ-CP 2021-12-06 issuer="Thủ tướng Chính phủ" type="Nghị định" summary="sửa đổi, bổ sung một số điều của Nghị định 61/2018/NĐ-CP" AMENDS 61/2018/NĐ-CP [ISSUER_DISAGREES_WITH_SYMBOL]`,
		`88/KH-SNV - issuer="Sở Nội vụ" type="Quyết định" summary="về kiểm tra cải cách hành chính" [DATE_UNDETERMINED TYPE_DISAGREES_WITH_SYMBOL]`,
	}
	if !reflect.DeepEqual(ds, wantDirectives) {
		t.Errorf("directives:\n got %q\nwant %q", ds, wantDirectives)
	}
	wantReports := []string{
		`2021-06 "Bộ phận Một cửa huyện" 1250=1000(0.8)+240(0.192)+10(0.008) []`,
		`2021-02 "Sở Tư pháp" 420=300(0.714)+100(0.238)+- [PARTS_DO_NOT_ADD_UP]`,
		`2021-07 "Trung tâm Phục vụ hành chính công tỉnh" 900=850+50+- []`,
		`2021-08 "Trung tâm Hành chính công huyện" 200=150(0.75)+50(0.25)+- []`,
	}
	if !reflect.DeepEqual(rs, wantReports) {
		t.Fatalf("reports:\n got %q\nwant %q", rs, wantReports)
	}
	if d := x.Reports[1].Findings[0].Difference; d == nil || *d != -20 {
		t.Errorf("February difference = %v, want -20", d)
	}
}

func TestNoInputPanics(t *testing.T) {
	for _, text := range []string{"", " ", "\n\n", ".", "giải quyết", "\xff\xfe 46/QĐ-UBND \xff", "\u0301\u0301 Ngày 1/1/2021, Chính phủ ban hành 1/QĐ-TTg",
		"giải quyết 999.999.999.999 hồ sơ, trước hạn 999.999.999.999 hồ sơ, đạt 999,9999%"} {
		checkInvariants(t, text)
	}
}

// TestRelationsOnlyWhereStated: a relation is read from a sentence that
// states it of the directive it is given to. A directive named as what a
// sentence refers to ("Thực hiện A, UBND tỉnh ... bãi bỏ B") is not the
// subject of what the sentence goes on to do; "Quyết định" at a sentence's
// start refers to one the text issued or was about, not to one it only
// named along the way (the text may issue another without its number).
func TestRelationsOnlyWhereStated(t *testing.T) {
	for _, text := range []string{
		"Thực hiện Quyết định 468/QĐ-TTg, UBND tỉnh rà soát và bãi bỏ Quyết định số 88/QĐ-UBND.",
		"Thực hiện Quyết định 468/QĐ-TTg, UBND tỉnh đã rà soát, bãi bỏ Quyết định số 88/QĐ-UBND.",
		"Theo Quyết định 468/QĐ-TTg, các địa phương phải rà soát để bãi bỏ Quyết định số 88/QĐ-UBND.",
		"Theo Quyết định 468/QĐ-TTg, đồng thời bãi bỏ Quyết định số 88/QĐ-UBND.",
		"Triển khai Quyết định số 468/QĐ-TTg của Thủ tướng Chính phủ, ngày 5/4/2021 UBND tỉnh ban hành Quyết định về Quy chế một cửa. " +
			"Quyết định có hiệu lực từ ngày ký và bãi bỏ Quyết định số 88/QĐ-UBND.",
		"Các sở tiếp tục thực hiện Quyết định 468/QĐ-TTg. Quyết định bãi bỏ Quyết định số 88/QĐ-UBND của UBND tỉnh.",
	} {
		for _, d := range checkInvariants(t, text).Directives {
			if len(d.Relations) > 0 {
				t.Errorf("%q:\n  %s: a relation the text does not state of it", text, describeDirective(d))
			}
		}
	}
	// What the same sentences say of the directive they are about stands.
	for text, want := range map[string][]string{
		"Quyết định số 468/QĐ-TTg phê duyệt Đề án. Quyết định bãi bỏ Quyết định số 88/QĐ-TTg.":                                     {"468/QĐ-TTg REPEALS 88/QĐ-TTg"},
		"Thực hiện Quyết định 468/QĐ-TTg, UBND tỉnh ban hành Quyết định 12/QĐ-UBND và bãi bỏ Quyết định số 88/QĐ-UBND.":            {"12/QĐ-UBND REPEALS 88/QĐ-UBND", "12/QĐ-UBND IMPLEMENTS 468/QĐ-TTg"},
		"Ngày 5/4/2021, UBND tỉnh ban hành Quyết định số 12/QĐ-UBND về một cửa. Quyết định bãi bỏ Quyết định số 88/QĐ-UBND.":       {"12/QĐ-UBND REPEALS 88/QĐ-UBND"},
		"Thực hiện Kế hoạch số 75/KH-UBND ngày 12/4/2021 của UBND tỉnh triển khai Quyết định số 468/QĐ-TTg, các sở rà soát hồ sơ.": {"75/KH-UBND IMPLEMENTS 468/QĐ-TTg"},
	} {
		var got []string
		for _, d := range checkInvariants(t, text).Directives {
			for _, r := range d.Relations {
				got = append(got, d.Symbol.String()+" "+string(r.Kind)+" "+r.Symbol)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: relations %q, want %q", text, got, want)
		}
	}
}
