package storetest

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SlowProxy forwards TCP connections to the tests' server and, while told
// to, holds its replies back: a command sent, applied, and not confirmed in
// time, as when a network or a server stalls.
type SlowProxy struct {
	ln    net.Listener
	until atomic.Int64 // replies wait until this Unix ns time
	wg    sync.WaitGroup
}

// NewSlowProxy listens on a loopback port until the test ends.
func NewSlowProxy(t testing.TB) *SlowProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := strings.TrimSuffix(strings.TrimPrefix(uri, "mongodb://"), "/")
	p := &SlowProxy{ln: ln}
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			p.wg.Go(func() { _, _ = io.Copy(server, client); server.Close() })
			p.wg.Go(func() { p.replies(client, server); client.Close() })
		}
	})
	t.Cleanup(func() { ln.Close() })
	return p
}

// URI is the server's address through the proxy.
func (p *SlowProxy) URI() string { return "mongodb://" + p.ln.Addr().String() + "/" }

// Hold holds back the replies arriving in the next d.
func (p *SlowProxy) Hold(d time.Duration) { p.until.Store(time.Now().Add(d).UnixNano()) }

// replies copies the server's answers to the client, each chunk held until
// the hold in force when it arrived is over.
func (p *SlowProxy) replies(client, server net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			if wait := time.Until(time.Unix(0, p.until.Load())); wait > 0 {
				time.Sleep(wait)
			}
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
