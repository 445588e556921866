package bulletin

import (
	"slices"
	"testing"
)

// TestTablesByHeader: a table of figures is read by what its header says
// of each column, as editors type tables: a row-number column "TT" or
// "STT"; the header as the first <tbody> rows of bold cells (CKEditor,
// Word paste); a heading merged over the ones under it (colspan,
// rowspan); units in the header ("Số hồ sơ", "Tỷ lệ (%)"); a column
// numbering row; periods heading groups of columns; a row of totals, the
// report of the agency the introducing sentence names (once, when the
// text states it too); "." thousands and "," decimals.
func TestTablesByHeader(t *testing.T) {
	tests := []struct {
		name, page string
		want       []string
	}{
		{
			name: "TT, bold first tbody rows, merged heading, totals",
			page: `<html><body><p>Kết quả giải quyết hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh trong quý I/2024, theo từng cơ quan, như sau:</p>
<table border="1"><tbody>
<tr><td rowspan="2"><p><strong>TT</strong></p></td><td rowspan="2"><p><strong>Đơn vị</strong></p></td><td rowspan="2"><p><strong>Số hồ sơ đã giải quyết</strong></p></td><td colspan="3"><p><strong>Kết quả giải quyết</strong></p></td><td rowspan="2"><p><strong>Tỷ lệ quá hạn (%)</strong></p></td></tr>
<tr><td><p><strong>Trước hạn</strong></p></td><td><p><strong>Đúng hạn</strong></p></td><td><p><strong>Quá hạn</strong></p></td></tr>
<tr><td><em>(1)</em></td><td><em>(2)</em></td><td><em>(3)=(4)+(5)+(6)</em></td><td><em>(4)</em></td><td><em>(5)</em></td><td><em>(6)</em></td><td><em>(7)</em></td></tr>
<tr><td>1.</td><td>Sở Tư pháp</td><td>1.845</td><td>1.790</td><td>50</td><td>5</td><td>0,27</td></tr>
<tr><td>2.</td><td>Sở Xây dựng</td><td>2.010</td><td>1.500</td><td>480</td><td>30</td><td>1,49</td></tr>
<tr><td colspan="2"><strong>Tổng cộng</strong></td><td><strong>3.855</strong></td><td><strong>3.290</strong></td><td><strong>530</strong></td><td><strong>35</strong></td><td><strong>0,91</strong></td></tr>
</tbody></table></body></html>`,
			want: []string{
				`2024-Q1 "Sở Tư pháp" 1845=1790+50+5(0.0027) []`,
				`2024-Q1 "Sở Xây dựng" 2010=1500+480+30(0.0149) []`,
				`2024-Q1 "Trung tâm Phục vụ hành chính công tỉnh" 3855=3290+530+35(0.0091) []`,
			},
		},
		{
			name: "STT, units under merged headings, columns aside",
			page: `<html><body><p>Tình hình giải quyết hồ sơ 6 tháng đầu năm 2024:</p>
<table><thead>
<tr><th rowspan="2">STT</th><th rowspan="2">Địa phương</th><th rowspan="2">Số hồ sơ tiếp nhận</th><th colspan="2">Trước hạn</th><th colspan="2">Đúng hạn</th><th colspan="2">Quá hạn</th><th rowspan="2">Ghi chú</th></tr>
<tr><th>Số hồ sơ</th><th>Tỷ lệ (%)</th><th>Số hồ sơ</th><th>Tỷ lệ (%)</th><th>Số hồ sơ</th><th>Tỷ lệ (%)</th></tr>
</thead><tbody>
<tr><td>1</td><td>Huyện Yên Lạc</td><td>12.400</td><td>10.230</td><td>85,2</td><td>1.706</td><td>14,2</td><td>72</td><td>0,6</td><td>12 hồ sơ chờ bổ sung</td></tr>
<tr><td>2</td><td>Thành phố Phúc Yên</td><td>9.120</td><td>8.002</td><td>88,0</td><td>1.091</td><td>12,0</td><td>0</td><td>0</td><td></td></tr>
</tbody></table></body></html>`,
			want: []string{
				`2024-H1 "Huyện Yên Lạc" -=10230(0.852)+1706(0.142)+72(0.006) [COUNT_UNDETERMINED]`,
				`2024-H1 "Thành phố Phúc Yên" -=8002(0.88)+1091(0.12)+0(0) [COUNT_UNDETERMINED]`,
			},
		},
		{
			name: "periods over column groups, totals restating the text",
			page: `<html><body><p>Quý II/2024, Trung tâm Phục vụ hành chính công tỉnh đã giải quyết 1.640 hồ sơ, trong đó trước hạn 1.588 hồ sơ, đúng hạn 47 hồ sơ, quá hạn 5 hồ sơ.</p>
<p>Kết quả giải quyết hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh trong quý II và 6 tháng đầu năm 2024 như sau:</p>
<table><tr><th rowspan="2">STT</th><th rowspan="2">Cơ quan</th><th colspan="4">Quý II/2024</th><th colspan="4">6 tháng đầu năm 2024</th></tr>
<tr><th>Đã giải quyết</th><th>Trước hạn</th><th>Đúng hạn</th><th>Quá hạn</th><th>Đã giải quyết</th><th>Trước hạn</th><th>Đúng hạn</th><th>Quá hạn</th></tr>
<tr><td>1</td><td>Sở Tư pháp</td><td>1.204</td><td>1.187</td><td>17</td><td>0</td><td>2.331</td><td>2.296</td><td>35</td><td>0</td></tr>
<tr><td>2</td><td>Sở Xây dựng</td><td>436</td><td>401</td><td>30</td><td>5</td><td>845</td><td>779</td><td>58</td><td>8</td></tr>
<tr><td></td><td>Tổng cộng</td><td>1.640</td><td>1.588</td><td>47</td><td>5</td><td>3.176</td><td>3.075</td><td>93</td><td>8</td></tr>
</table></body></html>`,
			want: []string{
				`2024-Q2 "Trung tâm Phục vụ hành chính công tỉnh" 1640=1588+47+5 []`,
				`2024-Q2 "Sở Tư pháp" 1204=1187+17+0 []`,
				`2024-H1 "Sở Tư pháp" 2331=2296+35+0 []`,
				`2024-Q2 "Sở Xây dựng" 436=401+30+5 []`,
				`2024-H1 "Sở Xây dựng" 845=779+58+8 []`,
				`2024-H1 "Trung tâm Phục vụ hành chính công tỉnh" 3176=3075+93+8 []`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := HTMLText(tt.page)
			if err != nil {
				t.Fatal(err)
			}
			_, got := describeAll(checkInvariants(t, text))
			if !slices.Equal(got, tt.want) {
				t.Errorf("reports\n%q\nwant\n%q\ntext:\n%s", got, tt.want, text)
			}
		})
	}
}
