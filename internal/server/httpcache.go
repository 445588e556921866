package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/auth"
)

// DefaultCacheMaxAge is how long a shared cache may serve an anonymous GET
// answer without asking again.
const DefaultCacheMaxAge = 60 * time.Second

// MaxCacheMaxAge bounds CacheMaxAge: a reader sees a change at most this
// late.
const MaxCacheMaxAge = 10 * time.Minute

// cacheVary are the request headers a GET answer depends on: the caller
// (Authorization), the media type (Accept) and whether it is refused as
// cross-site (PreflightHeader). CORS adds Origin itself.
var cacheVary = "Authorization, Accept, " + PreflightHeader

// httpCache makes GET answers of /graphql cacheable: a weak ETag over the
// store's version, the caller and the request, so that a change to any
// record, another role or another key never shares a tag; Cache-Control
// public for anonymous callers and private for keyed ones; and 304 for an
// If-None-Match that matches. version nil, or not ok, sends no validator
// (the store cannot tell when it changed). Answers with errors, other than
// 200, and every POST or WebSocket pass unchanged.
func httpCache(version func(context.Context) (string, bool), maxAge time.Duration, next http.Handler) http.Handler {
	if version == nil {
		return next
	}
	// The tags of an earlier process never match: the store may have been
	// changed between (an import by the command-line tool).
	var b [8]byte
	_, _ = rand.Read(b[:])
	boot := hex.EncodeToString(b[:])
	public := "public, max-age=" + strconv.Itoa(int(maxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		v, ok := version(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		p := auth.FromContext(r.Context())
		cacheControl := "private, max-age=0, must-revalidate"
		if p.Role == auth.RoleAnonymous && r.Header.Get("Authorization") == "" {
			cacheControl = public
		}
		tag := entityTag(boot, v, p, r)
		star, tags := ifNoneMatch(r.Header.Values("If-None-Match"))
		// A tag is only ever given to a query's answer without errors,
		// under the version read before it ran: a match stands for it.
		if matchesWeakly(tags, tag) {
			notModified(w, tag, cacheControl)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		maps.Copy(w.Header(), rec.Header())
		w.Header().Add("Vary", cacheVary)
		if rec.Code != http.StatusOK || hasErrors(rec.Body.Bytes()) {
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		if star {
			notModified(w, tag, cacheControl)
			return
		}
		w.Header().Set("ETag", tag)
		w.Header().Set("Cache-Control", cacheControl)
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// notModified answers 304 with the headers the 200 would have had that
// caches use (RFC 9110 15.4.5), and no body.
func notModified(w http.ResponseWriter, tag, cacheControl string) {
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", cacheControl)
	h.Add("Vary", cacheVary)
	w.WriteHeader(http.StatusNotModified)
}

// entityTag is a weak tag: the same version gives the same data, though
// not necessarily the same bytes. It covers the process, the version, the
// whole principal (its key's id; a clerk's agency bounds what it sees),
// the media type
// asked for and the request itself.
func entityTag(boot, version string, p auth.Principal, r *http.Request) string {
	h := sha256.New()
	for _, s := range []string{boot, version, string(p.Role), p.KeyID, p.Agency, p.Name,
		r.Header.Get("Accept"), r.URL.RawQuery} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return `W/"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
}

// ifNoneMatch parses If-None-Match field lines (RFC 9110 13.1.2): "*", or
// a list of entity tags, each possibly weak. Malformed members are
// skipped.
func ifNoneMatch(lines []string) (star bool, tags []string) {
	for _, line := range lines {
		s := line
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] == '*' {
				star, s = true, s[1:]
				continue
			}
			weak := strings.HasPrefix(s, "W/")
			if weak {
				s = s[2:]
			}
			if s == "" || s[0] != '"' {
				// Not a tag: skip to the next member.
				_, s, _ = strings.Cut(s, ",")
				continue
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				break
			}
			tags = append(tags, s[1:end+1])
			s = s[end+2:]
		}
	}
	return star, tags
}

// matchesWeakly applies the weak comparison If-None-Match asks for: the
// opaque parts are equal, whether either tag is weak or not.
func matchesWeakly(tags []string, tag string) bool {
	opaque := strings.TrimSuffix(strings.TrimPrefix(tag, `W/"`), `"`)
	for _, t := range tags {
		if t == opaque {
			return true
		}
	}
	return false
}

// hasErrors reports whether a GraphQL answer carries errors (or is not one).
func hasErrors(body []byte) bool {
	var resp struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &resp) != nil {
		return true
	}
	e := bytes.TrimSpace(resp.Errors)
	return len(e) > 0 && !bytes.Equal(e, []byte("null")) && !bytes.Equal(e, []byte("[]"))
}
