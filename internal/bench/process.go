package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
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

// cpuClock is the machine's CPU time (from /proc/stat) and this process's
// (getrusage) at one moment: between two of them, what other processes
// took of the machine can be told, the shared machine's noise.
type cpuClock struct {
	busy, total, own time.Duration
	ok               bool
}

// userHz is the unit of /proc/stat's counters on Linux.
const userHz = 100

func readCPU() cpuClock {
	var c cpuClock
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return c
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return c
	}
	// user nice system idle iowait irq softirq steal
	for i, f := range fields[1:9] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return c
		}
		d := time.Duration(n) * time.Second / userHz
		c.total += d
		if i != 3 && i != 4 {
			c.busy += d
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return c
	}
	c.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	c.ok = true
	return c
}

// othersShare is the share of the machine's CPU that other processes used
// between c and later, or -1 when unknown.
func (c cpuClock) othersShare(later cpuClock) float64 {
	total := later.total - c.total
	if !c.ok || !later.ok || total <= 0 {
		return -1
	}
	others := (later.busy - c.busy) - (later.own - c.own)
	return max(0, float64(others)/float64(total))
}
