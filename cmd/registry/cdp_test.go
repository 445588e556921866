package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// chrome is one page of a headless Chromium driven over the DevTools
// protocol, for tests that act in the page (keys, window sizes, scripts run
// in it) rather than only read the DOM it renders.
type chrome struct {
	t    *testing.T
	conn *websocket.Conn
	id   int64
}

// startChrome runs Chromium (installed by `make test`) with host names
// resolving nowhere but loopback, and connects to its first page.
func startChrome(t *testing.T) *chrome {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is needed: `make test` installs it (Debian's package)")
	}
	// Not CommandContext: the test's context ends before its cleanups, and
	// a killed Chromium leaves its children writing in its profile.
	// Its own profile directory, not t.TempDir: Chromium's helpers may write
	// in it for a moment after it quits.
	profile, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+profile, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--remote-debugging-port=0", "--window-size=1280,900", "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	t.Cleanup(func() { stopChrome(cmd, profile) })
	// Chromium names its DevTools port on stderr once it listens.
	listening := regexp.MustCompile(`DevTools listening on ws://([^/]+)/`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var host string
	select {
	case host = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not open its DevTools port in 30 s")
	}
	ws := pageSocket(t, host)
	conn, _, err := websocket.Dial(t.Context(), ws, nil)
	if err != nil {
		t.Fatalf("DevTools %s: %v", ws, err)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &chrome{t: t, conn: conn}
}

// stopChrome asks Chromium to quit, which closes its child processes and
// its profile, kills it if it has not within 10 s, and removes the profile
// once its helpers have stopped writing there.
func stopChrome(cmd *exec.Cmd, profile string) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	for range 50 {
		if os.RemoveAll(profile) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pageSocket is the DevTools address of the browser's page.
func pageSocket(t *testing.T, host string) string {
	t.Helper()
	resp, err := http.Get("http://" + host + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			return tg.WebSocketDebuggerURL
		}
	}
	t.Fatalf("chromium at %s has no page: %+v", host, targets)
	return ""
}

// call sends one DevTools command and decodes its result into out (when
// not nil), skipping the events that arrive meanwhile.
func (c *chrome) call(method string, params, out any) {
	c.t.Helper()
	c.id++
	msg, err := json.Marshal(map[string]any{"id": c.id, "method": method, "params": params})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(c.t.Context(), 60*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	for {
		_, data, err := c.conn.Read(ctx)
		if err != nil {
			c.t.Fatalf("%s: %v", method, err)
		}
		var reply struct {
			ID     int64
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(data, &reply); err != nil {
			c.t.Fatal(err)
		}
		if reply.ID != c.id {
			continue
		}
		if reply.Error != nil {
			c.t.Fatalf("%s: %s", method, reply.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(reply.Result, out); err != nil {
				c.t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// eval runs a script in the page, awaiting it when it is a promise, and
// decodes its value into out (when not nil).
func (c *chrome) eval(script string, out any) {
	c.t.Helper()
	var r struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	c.call("Runtime.evaluate", map[string]any{"expression": script, "awaitPromise": true, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		c.t.Fatalf("in the page: %s %s\n%.300s", r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description, script)
	}
	if out != nil && len(r.Result.Value) > 0 {
		if err := json.Unmarshal(r.Result.Value, out); err != nil {
			c.t.Fatalf("%v: %s", err, r.Result.Value)
		}
	}
}

// waitFor polls a condition in the page until it holds, for up to 20 s.
func (c *chrome) waitFor(condition string) {
	c.t.Helper()
	var ok bool
	c.eval(fmt.Sprintf(`new Promise(function (done) {
		var until = Date.now() + 20000;
		(function poll() {
			var ok = false;
			try { ok = !!(%s); } catch (e) {}
			if (ok || Date.now() > until) done(ok); else setTimeout(poll, 25);
		})();
	})`, condition), &ok)
	if !ok {
		var html string
		c.eval(`document.body.outerHTML`, &html)
		c.t.Fatalf("waited 20 s for %s\n%.3000s", condition, html)
	}
}

// navigate loads url and waits for its document.
func (c *chrome) navigate(url string) {
	c.t.Helper()
	c.call("Page.navigate", map[string]any{"url": url}, nil)
	c.waitFor(`document.readyState === "complete" && location.href === ` + jsString(url))
}

// size sets the viewport, as a phone's or a desktop's window.
func (c *chrome) size(width, height int) {
	c.t.Helper()
	c.call("Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}, nil)
}

// key presses and releases a key: "Tab", "Enter", "Escape", with Shift
// when shift is set.
func (c *chrome) key(name string, shift bool) {
	c.t.Helper()
	codes := map[string]int{"Tab": 9, "Enter": 13, "Escape": 27, "Space": 32}
	down := map[string]any{"type": "keyDown", "key": name, "code": name, "windowsVirtualKeyCode": codes[name]}
	if name == "Enter" {
		down["text"] = "\r"
	}
	if shift {
		down["modifiers"] = 8
	}
	c.call("Input.dispatchKeyEvent", down, nil)
	up := map[string]any{"type": "keyUp", "key": name, "code": name, "windowsVirtualKeyCode": codes[name]}
	if shift {
		up["modifiers"] = 8
	}
	c.call("Input.dispatchKeyEvent", up, nil)
}

// typeText types text where the focus is.
func (c *chrome) typeText(text string) {
	c.t.Helper()
	c.call("Input.insertText", map[string]any{"text": text}, nil)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
