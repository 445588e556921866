package registry

import (
	"strings"
	"testing"
)

func TestIssuerCodeForName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"Thủ tướng Chính phủ", "TTg"},
		{"Thủ tướng", "TTg"},
		{"Phó Thủ tướng Chính phủ", "TTg"},
		{"Chính phủ", "CP"},
		{"Văn phòng Chính phủ", "VPCP"},
		{"Ban Chỉ đạo cải cách hành chính của Chính phủ", "BCĐCCHC"},
		{"Ban chỉ đạo cải cách hành chính của Chính phủ", "BCĐCCHC"},
		{"UBND tỉnh", "UBND"},
		{"Ủy ban nhân dân tỉnh", "UBND"},
		{"Uỷ ban nhân dân huyện Thái Thụy", "UBND"}, // old tone placement
		{"UBND tỉnh Thái Bình", "UBND"},
		{"HĐND tỉnh", "HĐND"},
		{"Hội đồng nhân dân tỉnh", "HĐND"},
		{"Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC"},
		{"Quốc hội", "QH"},
		{"Ủy ban Thường vụ Quốc hội", "UBTVQH"},
		{"Bộ Lao động - Thương binh và Xã hội", "BLĐTBXH"},
		{"thu tuong chinh phu", "TTg"},
		{"  CHÍNH   PHỦ ", "CP"},
		{"Sở Nội vụ", ""},
		{"Chính", ""},
		{"Chính phủ điện tử", "CP"}, // a prefix match: callers pass names, not prose
		{"", ""},
	}
	for _, tt := range tests {
		code, ok := IssuerCodeForName(tt.name)
		if code != tt.want || ok != (tt.want != "") {
			t.Errorf("IssuerCodeForName(%q) = %q, %v; want %q", tt.name, code, ok, tt.want)
		}
	}
}

func TestIssuerDisagreement(t *testing.T) {
	tests := []struct {
		name, symbol string
		want         []string // substrings of the message; nil when they agree
	}{
		{"Chính phủ", "468/QĐ-TTg", []string{`"Chính phủ" (CP, the Government)`, "468/QĐ-TTg says TTg, the Prime Minister"}},
		{"Thủ tướng Chính phủ", "107/2021/NĐ-CP", []string{"TTg, the Prime Minister", "says CP, the Government"}},
		{"UBND tỉnh", "46/QĐ-BCĐCCHC", []string{"says BCĐCCHC, the Government's Steering Committee"}},
		{"Văn phòng Chính phủ", "01/2018/TT-SNV", []string{"says SNV"}},
		{"Thủ tướng Chính phủ", "516/TTg-KSTT", nil},
		{"Chính phủ", "61/2018/NĐ-CP", nil},
		{"UBND tỉnh", "2503/QĐ-UBND", nil},
		{"Quốc hội", "80/2015/QH13", nil},
		{"Ủy ban Thường vụ Quốc hội", "1211/2016/UBTVQH13", nil},
		{"Sở Nội vụ", "88/KH-UBND", nil}, // unknown name: no evidence
		{"", "468/QĐ-TTg", nil},
	}
	for _, tt := range tests {
		sym, err := ParseSymbol(tt.symbol)
		if err != nil {
			t.Fatal(err)
		}
		f := IssuerDisagreement(tt.name, sym)
		if tt.want == nil {
			if f != nil {
				t.Errorf("IssuerDisagreement(%q, %s) = %+v, want nil", tt.name, sym, f)
			}
			continue
		}
		if f == nil || f.Code != FindingIssuerDisagreesWithSymbol || f.Field != "issuer" {
			t.Errorf("IssuerDisagreement(%q, %s) = %+v, want an issuer finding", tt.name, sym, f)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(f.Message, w) {
				t.Errorf("IssuerDisagreement(%q, %s) message %q lacks %q", tt.name, sym, f.Message, w)
			}
		}
	}
}

func TestIssuingBodyTellsLocalBodiesApart(t *testing.T) {
	for _, c := range []struct{ code, name, want string }{
		{"HĐND", "HĐND xã Chiềng Hặc", "hdnd xa chieng hac"},
		{"HĐND", "Hội đồng nhân dân xã Chiềng Hặc", "hdnd xa chieng hac"},
		{"HĐND", "HĐND Tỉnh", "hdnd tinh"},
		{"HĐND", "", "hdnd"},
		{"HĐND", "HĐND", "hdnd"},
		{"UBND", "Ủy ban nhân dân tỉnh Thái Bình", "ubnd tinh thai binh"},
		{"UBND", "UBND tỉnh Thái Bình.", "ubnd tinh thai binh"},
		// A name of another body, or one the table does not know, says nothing.
		{"UBND", "HĐND tỉnh Thái Bình", "ubnd"},
		{"UBND", "Sở Tư pháp", "ubnd"},
		// National bodies are one each: their names never split them.
		{"TTg", "Chính phủ", "ttg"},
		{"TTg", "Phó Thủ tướng Chính phủ", "ttg"},
		{"QH15", "Quốc hội khóa XV", "qh15"},
		{"BTC", "Bộ Tài chính", "btc"},
	} {
		if got := IssuingBody(c.code, c.name); got != c.want {
			t.Errorf("IssuingBody(%q, %q) = %q, want %q", c.code, c.name, got, c.want)
		}
	}
}
