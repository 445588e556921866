package fold

import "testing"

func TestMapMapsEveryFoldedByteBack(t *testing.T) {
	m := Map("Số:\r\n21/QĐ\u00a0UBND \xff Đã")
	if m.Folded != "so:\n\n21/qd ubnd \ufffd da" {
		t.Fatalf("folded %q", m.Folded)
	}
	runes := []rune(m.Source)
	for i := range len(m.Folded) {
		if got := string(runes[m.Rune[i]]); m.Source[m.Byte[i]:m.Byte[i]+len(got)] != got {
			t.Errorf("folded byte %d maps to rune %d %q but byte %d", i, m.Rune[i], got, m.Byte[i])
		}
	}
	if m.Rune[len(m.Folded)] != len(runes) || m.Byte[len(m.Folded)] != len(m.Source) {
		t.Errorf("the end maps to rune %d byte %d, want %d, %d", m.Rune[len(m.Folded)], m.Byte[len(m.Folded)], len(runes), len(m.Source))
	}
	if !m.Accented || Map("Quyet dinh so 12").Accented {
		t.Error("Accented should say whether a letter carried a diacritic")
	}
}
