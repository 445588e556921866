package bulletin

import (
	"math/rand"
	"os"
	"testing"
	"time"
)

func TestHangProbe(t *testing.T) {
	seeds := []string{}
	for _, p := range []string{"testdata/fixture.txt", "../../../shared/seeds/000_f9bf3ebd35c96490.txt"} {
		b, _ := os.ReadFile(p)
		seeds = append(seeds, string(b))
	}
	seeds = append(seeds, "Ngày 16/3, UBND tỉnh ban hành Kế hoạch số 30/KH-UBND ngày 05 tháng 3 năm 2020 của UBND tỉnh.",
		"Trong tháng, đã giải quyết 5.180 hồ sơ, trong đó quá hạn 3 hồ sơ, chiếm 0,1%.", "\xffQ\u0110 - UBND 1/2018/TT-VPCP\u0301")
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 20000; iter++ {
		b := []byte(seeds[rng.Intn(len(seeds))])
		for k := rng.Intn(8); k >= 0 && len(b) > 0; k-- {
			i := rng.Intn(len(b))
			switch rng.Intn(4) {
			case 0:
				b[i] = byte(rng.Intn(256))
			case 1:
				b = append(b[:i], b[i+1:]...)
			case 2:
				j := rng.Intn(len(b))
				if j > i {
					b = append(b[:i:i], append(append([]byte{}, b[i:j]...), b[i:]...)...)
				}
			case 3:
				b[i] = " .,;/-0123456789\n"[rng.Intn(17)]
			}
		}
		s := string(b)
		done := make(chan bool)
		go func() { Extract("x", s); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			os.WriteFile("/tmp/hang.txt", b, 0o644)
			t.Fatalf("hang on input of %d bytes (written to /tmp/hang.txt)", len(b))
		}
	}
}
