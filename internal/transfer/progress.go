package transfer

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress prints how far a long job is: a bar redrawn in place on a
// terminal, a plain line every few seconds otherwise (logs, CI).
type Progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
	now   func() time.Time
}

// NewProgress prints to w; tty says whether w is a terminal.
func NewProgress(w io.Writer, tty bool) *Progress {
	return &Progress{w: w, tty: tty, start: time.Now(), now: time.Now}
}

// Update reports done of total units and the records handled so far.
func (p *Progress) Update(done, total int64, records int) {
	now := p.now()
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if now.Sub(p.last) < every && done < total {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(records) / elapsed
	}
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	eta := "?"
	if frac > 0 {
		eta = time.Duration(elapsed / frac * (1 - frac) * float64(time.Second)).Round(time.Second).String()
	}
	if p.tty {
		width := 30
		filled := int(frac * float64(width))
		fmt.Fprintf(p.w, "\r%3.0f%% [%s%s] %d records  %.0f/s  ETA %s ", frac*100,
			strings.Repeat("#", filled), strings.Repeat(".", width-filled), records, rate, eta)
		if done >= total {
			fmt.Fprintln(p.w)
		}
		return
	}
	fmt.Fprintf(p.w, "progress: %.0f%% %d records %.0f records/s eta %s\n", frac*100, records, rate, eta)
}
