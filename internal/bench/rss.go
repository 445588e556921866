package bench

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// rss is this process's resident set size in bytes (VmRSS), or -1 where
// /proc does not tell. The server runs in this process, beside the clients.
func rss() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// watchRSS samples the RSS every interval until the returned function is
// called, which returns the highest sample and the last.
func watchRSS(interval time.Duration) func() (peak, last int64) {
	var (
		high = rss() // written by the sampler only, read once it has stopped
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				high = max(high, rss())
			}
		}
	}()
	return func() (int64, int64) {
		close(stop)
		<-done
		last := rss()
		return max(high, last), last
	}
}
