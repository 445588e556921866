package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/server"
)

// TestBulletinLimitOverHTTP: the largest argument the API takes, a
// bulletin's text of server.MaxText bytes, reaches importBulletin however
// the client escapes it in JSON, and one byte more is refused by the
// service naming text, not by the body limit; a body over the limit is
// still 413.
func TestBulletinLimitOverHTTP(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const doc = `mutation($text: String!) { importBulletin(text: $text, source: "limit test", dryRun: true) { dryRun } }`
	// ASCII can be written \u00XX, six bytes a byte: the worst escaping.
	ascii := page("Provincial bulletin of administrative reform, week 14: the desk received dossiers on time. ")
	vietnamese := page("Tỉnh tiếp tục đẩy mạnh cải cách hành chính, nâng cao chất lượng phục vụ người dân. ")
	for _, c := range []struct {
		name   string
		text   func(n int) string
		escape func(string) string
	}{
		{"as json.Marshal writes it", vietnamese, nil},
		{"every byte \\u00XX", ascii, escapeEveryByte},
		{"non-ASCII \\uXXXX, as Python's json.dumps writes it", vietnamese, escapeNonASCII},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.send(t, s.rawBulletin(t, doc, c.text(server.MaxText), c.escape))
			var out struct{ ImportBulletin struct{ DryRun bool } }
			if r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("a text of %d bytes: status %d, want 200 without errors\n%.500s", server.MaxText, r.Status, r.Body)
			}
			if r.decode(t, &out); !out.ImportBulletin.DryRun {
				t.Errorf("a text of %d bytes: %s, want the dry run's answer", server.MaxText, r.Data)
			}
			r = s.send(t, s.rawBulletin(t, doc, c.text(server.MaxText+1), c.escape))
			if r.Status != http.StatusOK {
				t.Fatalf("a text of %d bytes: status %d, want 200 with BAD_USER_INPUT on text\n%.500s", server.MaxText+1, r.Status, r.Body)
			}
			wantError(t, r, "BAD_USER_INPUT", "text")
		})
	}
	t.Run("bodies at and over the limit", func(t *testing.T) {
		limit := int(server.Defaults().MaxBody)
		envelope := len(s.rawBody(t, doc, "", nil))
		// At the limit, the body is read and the service refuses the text.
		at := s.rawBody(t, doc, strings.Repeat("a", limit-envelope), nil)
		if len(at) != limit {
			t.Fatalf("built a body of %d bytes, want %d", len(at), limit)
		}
		wantError(t, s.send(t, s.bodyRequest(t, at)), "BAD_USER_INPUT", "text")
		over := s.rawBody(t, doc, strings.Repeat("a", limit-envelope+1), nil)
		r := s.send(t, s.bodyRequest(t, over))
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("a body of %d bytes: status %d, want 413\n%.300s", len(over), r.Status, r.Body)
		}
		wantError(t, r, "BAD_USER_INPUT", "")
	})
}

// page repeats sentence to exactly n bytes, padded with full stops.
func page(sentence string) func(n int) string {
	return func(n int) string {
		s := strings.Repeat(sentence, n/len(sentence)+1)[:n]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + strings.Repeat(".", n-len(s))
	}
}

// escapeEveryByte writes each byte of an ASCII text as \u00XX.
func escapeEveryByte(s string) string {
	var b strings.Builder
	b.Grow(6 * len(s))
	for i := range len(s) {
		fmt.Fprintf(&b, `\u%04x`, s[i])
	}
	return b.String()
}

// escapeNonASCII writes each character beyond ASCII as \uXXXX (a pair of
// them beyond the BMP), and the rest as json.Marshal does.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			q, _ := json.Marshal(string(r))
			b.Write(q[1 : len(q)-1])
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// rawBody is a GraphQL POST body whose variable text is written by escape
// (json.Marshal's way when nil).
func (s *testServer) rawBody(t *testing.T, doc, text string, escape func(string) string) []byte {
	t.Helper()
	q, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var value []byte
	if escape == nil {
		if value, err = json.Marshal(text); err != nil {
			t.Fatal(err)
		}
	} else {
		value = []byte(`"` + escape(text) + `"`)
	}
	var b bytes.Buffer
	b.WriteString(`{"query":`)
	b.Write(q)
	b.WriteString(`,"variables":{"text":`)
	b.Write(value)
	b.WriteString(`}}`)
	return b.Bytes()
}

func (s *testServer) rawBulletin(t *testing.T, doc, text string, escape func(string) string) *http.Request {
	t.Helper()
	return s.bodyRequest(t, s.rawBody(t, doc, text, escape))
}

func (s *testServer) bodyRequest(t *testing.T, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}
