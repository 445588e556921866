package bulletin

import (
	"os"
	"testing"
	"time"
)

func TestOneProbe(t *testing.T) {
	b, _ := os.ReadFile("/tmp/slowin-current")
	start := time.Now()
	Extract("x", string(b))
	t.Logf("%d bytes: %v", len(b), time.Since(start))
}
