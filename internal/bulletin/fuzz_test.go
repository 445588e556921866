package bulletin

import (
	"os"
	"testing"
)

func FuzzExtract(f *testing.F) {
	for _, path := range []string{"testdata/fixture.txt", "../../../shared/seeds/000_f9bf3ebd35c96490.txt"} {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("Ngày 16/3, UBND tỉnh ban hành Kế hoạch số 30/KH-UBND ngày 05 tháng 3 năm 2020 của UBND tỉnh.")
	f.Add("Trong tháng, đã giải quyết 5.180 hồ sơ, trong đó quá hạn 3 hồ sơ, chiếm 0,1%.")
	f.Add("\xffQ\u0110 - UBND 1/2018/TT-VPCP\u0301")
	f.Fuzz(func(t *testing.T, text string) {
		checkInvariants(t, text)
	})
}

func BenchmarkExtract(b *testing.B) {
	text, err := os.ReadFile("testdata/fixture.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Extract("bench", string(text))
	}
}
