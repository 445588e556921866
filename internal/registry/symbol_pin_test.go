package registry

import "testing"

// symbolPins are forms ParseSymbol accepted before it read the wild ones
// (Party documents, missing separators, groups kept as written), with the
// String and Key it gave them then. Stored directives and relations are
// keyed by these: they must never change.
var symbolPins = []struct{ in, str, key string }{
	{"46/QĐ-BCĐCCHC", "46/QĐ-BCĐCCHC", "46/qd-bcdcchc"},
	{"2503/QĐ-UBND", "2503/QĐ-UBND", "2503/qd-ubnd"},
	{"223/KH-UBND", "223/KH-UBND", "223/kh-ubnd"},
	{"12/QĐ-UBND-VX", "12/QĐ-UBND-VX", "12/qd-ubnd-vx"},
	{"516/TTg-KSTT", "516/TTg-KSTT", "516/ttg-kstt"},
	{"123/VPCP", "123/VPCP", "123/vpcp"},
	{"61/2018/NĐ-CP", "61/2018/NĐ-CP", "61/2018/nd-cp"},
	{"01/2018/TT-VPCP", "01/2018/TT-VPCP", "01/2018/tt-vpcp"},
	{"80/2015/QH13", "80/2015/QH13", "80/2015/qh13"},
	{"1211/2016/UBTVQH13", "1211/2016/UBTVQH13", "1211/2016/ubtvqh13"},
	{"5/QyĐ-UBND", "05/QyĐ-UBND", "05/qyd-ubnd"},
	{"23/2014/ttlt-btp-bnv", "23/2014/TTLT-BTP-BNV", "23/2014/ttlt-btp-bnv"},
	{"09/2008/NQLT-CP-UBTWMTTQVN-TLĐ", "09/2008/NQLT-CP-UBTWMTTQVN-TLĐ", "09/2008/nqlt-cp-ubtwmttqvn-tld"},
	{"468/QD-TTg", "468/QĐ-TTg", "468/qd-ttg"},
	{"61/2018/ND-CP", "61/2018/NĐ-CP", "61/2018/nd-cp"},
	{"7/CD-TTg", "07/CĐ-TTg", "07/cd-ttg"},
	{"3/HD-UBND", "03/HD-UBND", "03/hd-ubnd"},
	{"3/HĐ-UBND", "03/HĐ-UBND", "03/hđ-ubnd"},
	{"9/DA-UBND", "09/DA-UBND", "09/da-ubnd"},
	{"9/ĐA-UBND", "09/ĐA-UBND", "09/đa-ubnd"},
	{"5/QYĐ-UBND", "05/QyĐ-UBND", "05/qyd-ubnd"},
	{"5/CTR-UBND", "05/CTr-UBND", "05/ctr-ubnd"},
	{"2503 / QĐ - UBND", "2503/QĐ-UBND", "2503/qd-ubnd"},
	{"2503/QĐ–UBND", "2503/QĐ-UBND", "2503/qd-ubnd"},
	{"468/qđ-ttg", "468/QĐ-TTg", "468/qd-ttg"},
	{"468/qd-ttg", "468/QĐ-TTg", "468/qd-ttg"},
	{"1/2018/TT-VPCP", "01/2018/TT-VPCP", "01/2018/tt-vpcp"},
	{"007/QĐ-UBND", "07/QĐ-UBND", "07/qd-ubnd"},
	{"46/QÐ-BCÐCCHC", "46/QĐ-BCĐCCHC", "46/qd-bcdcchc"},
	{"46/qð-bcðcchc", "46/QĐ-BCĐCCHC", "46/qd-bcdcchc"},
	{"46\u00a0/\u00a0QĐ-UBND", "46/QĐ-UBND", "46/qd-ubnd"},
	{"Số: 46/QĐ-BCĐCCHC", "46/QĐ-BCĐCCHC", "46/qd-bcdcchc"},
	{"so 80/2015/QH13", "80/2015/QH13", "80/2015/qh13"},
	{"46/QĐ-BCDCCHC", "46/QĐ-BCĐCCHC", "46/qd-bcdcchc"},
	{"516/TTG-KSTT", "516/TTg-KSTT", "516/ttg-kstt"},
	{"12/NQ-hdnd", "12/NQ-HĐND", "12/nq-hdnd"},
	{"3/2019/TT-BKHDT", "03/2019/TT-BKHĐT", "03/2019/tt-bkhdt"},
	{"15/KH-sgddt", "15/KH-SGDDT", "15/kh-sgddt"},
	{"516/TTg-kstt", "516/TTg-KSTT", "516/ttg-kstt"},
	{"468/ＱĐ-ＴＴg", "468/QĐ-TTg", "468/qd-ttg"},
	{"7/2020/ĐA-UBND", "07/2020/ĐA-UBND", "07/2020/đa-ubnd"},
	{"7/2020/đa-ubnd", "07/2020/ĐA-UBND", "07/2020/đa-ubnd"},
	{"1905 /QĐ-UBND", "1905/QĐ-UBND", "1905/qd-ubnd"},
	{"6/CT-UBND", "06/CT-UBND", "06/ct-ubnd"},
	{"41/HDND-PC", "41/HĐND-PC", "41/hdnd-pc"},
	{"19/Ctr-UBND", "19/CTr-UBND", "19/ctr-ubnd"},
	{"3532/UBND-VX", "3532/UBND-VX", "3532/ubnd-vx"},
	{"225/TB-UBND", "225/TB-UBND", "225/tb-ubnd"},
	{"21/NQ-HĐND", "21/NQ-HĐND", "21/nq-hdnd"},
	{"15/2026/NQ-HĐND", "15/2026/NQ-HĐND", "15/2026/nq-hdnd"},
	{"30/2026/QĐ-UBND", "30/2026/QĐ-UBND", "30/2026/qd-ubnd"},
	{"123/BC-UBND", "123/BC-UBND", "123/bc-ubnd"},
	{"88/KH-BCĐ", "88/KH-BCĐ", "88/kh-bcd"},
	{"14/CV-UBND", "14/CV-UBND", "14/cv-ubnd"},
	{"7/TTr-UBND", "07/TTr-UBND", "07/ttr-ubnd"},
	{"9/GM-UBND", "09/GM-UBND", "09/gm-ubnd"},
	{"2/QC-UBND", "02/QC-UBND", "02/qc-ubnd"},
	{"4/CĐ-UBND", "04/CĐ-UBND", "04/cd-ubnd"},
	{"101/BCĐ", "101/BCĐ", "101/bcd"},
	{"55/UBND-KT", "55/UBND-KT", "55/ubnd-kt"},
	{"9/BCĐ-VP", "09/BCĐ-VP", "09/bcd-vp"},
	{"17/HD-BCĐ", "17/HD-BCĐ", "17/hd-bcd"},
	{"5/PA-UBND", "05/PA-UBND", "05/pa-ubnd"},
	{"6/ĐA-UBND", "06/ĐA-UBND", "06/đa-ubnd"},
	{"77/SNV-TCBC", "77/SNV-TCBC", "77/snv-tcbc"},
	{"3/UBMTTQ-BTT", "03/UBMTTQ-BTT", "03/ubmttq-btt"},
	{"12/PL-UBND", "12/PL-UBND", "12/pl-ubnd"},
	{"12/PL", "12/PL", "12/pl"},
	{"45/2019/TT-BTC", "45/2019/TT-BTC", "45/2019/tt-btc"},
	{"107/2021/NĐ-CP", "107/2021/NĐ-CP", "107/2021/nd-cp"},
	{"01/2021/NQ-HĐND", "01/2021/NQ-HĐND", "01/2021/nq-hdnd"},
	{"1/2022/QĐ-UBND", "01/2022/QĐ-UBND", "01/2022/qd-ubnd"},
	{"798/QĐ-TTg", "798/QĐ-TTg", "798/qd-ttg"},
	{"100/2015/QH13", "100/2015/QH13", "100/2015/qh13"},
	{"28/2018/QH14", "28/2018/QH14", "28/2018/qh14"},
	{"05/VBHN-VPQH", "05/VBHN-VPQH", "05/vbhn-vpqh"},
	{"20/2023/TT-BYT", "20/2023/TT-BYT", "20/2023/tt-byt"},
	{"3/2025/TTLT-BCA-BQP", "03/2025/TTLT-BCA-BQP", "03/2025/ttlt-bca-bqp"},
	{"59/QĐ-UBND-KT", "59/QĐ-UBND-KT", "59/qd-ubnd-kt"},
	{"1/Ctr-UBND", "01/CTr-UBND", "01/ctr-ubnd"},
	{"2/QyĐ-UBND", "02/QyĐ-UBND", "02/qyd-ubnd"},
	{"10/TB-VPCP", "10/TB-VPCP", "10/tb-vpcp"},
	{"1234/VPCP-KGVX", "1234/VPCP-KGVX", "1234/vpcp-kgvx"},
	{"1/TTg", "01/TTg", "01/ttg"},
	{"999999/QĐ-UBND", "999999/QĐ-UBND", "999999/qd-ubnd"},
	{"12/QĐ-UBND1", "12/QĐ-UBND1", "12/qd-ubnd1"},
	{"12/QĐ-1UBND", "12/QĐ-1UBND", "12/qd-1ubnd"},
	{"12/1A-B", "12/1A-B", "12/1a-b"},
}

func TestSymbolPins(t *testing.T) {
	for _, p := range symbolPins {
		s, err := ParseSymbol(p.in)
		if err != nil {
			t.Errorf("ParseSymbol(%q): %v; it was accepted as %s", p.in, err, p.str)
			continue
		}
		if s.String() != p.str || s.Key() != p.key {
			t.Errorf("ParseSymbol(%q) = %q key %q; stored data has %q key %q", p.in, s.String(), s.Key(), p.str, p.key)
		}
	}
	// Every form the grammar table accepts is pinned too, by its own want.
	for _, tt := range symbolCases {
		if tt.err != "" {
			continue
		}
		if s, err := ParseSymbol(tt.in); err != nil || s.String() != tt.want {
			t.Errorf("ParseSymbol(%q) = %v, %v; want %q", tt.in, s, err, tt.want)
		}
	}
}
