package auth

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vnregistry/registry/internal/registry"
)

// testKeys builds a key set from freshly generated keys and returns the
// secrets by name.
func testKeys(t *testing.T) (*Keys, map[string]string) {
	t.Helper()
	specs := []struct {
		name   string
		role   Role
		agency string
	}{
		{"desk-a", RoleClerk, agencyA},
		{"editor", RoleEditor, ""},
		{"auditor", RoleAuditor, ""},
		{"admin", RoleAdmin, ""},
	}
	var f keyFile
	secrets := map[string]string{}
	for _, s := range specs {
		secret, entry, err := NewKey(s.name, s.role, s.agency)
		if err != nil {
			t.Fatal(err)
		}
		secrets[s.name] = secret
		f.Keys = append(f.Keys, entry)
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKeys(data)
	if err != nil {
		t.Fatal(err)
	}
	return k, secrets
}

func TestNewKeyRoundTrip(t *testing.T) {
	k, secrets := testKeys(t)
	secretFormat := regexp.MustCompile(`^rk_[a-z2-7]{52}$`)
	for name, secret := range secrets {
		if !secretFormat.MatchString(secret) {
			t.Errorf("%s: secret %q does not look like rk_ + base32 of 32 bytes", name, secret)
		}
		p, err := k.Authenticate("Bearer " + secret)
		if err != nil {
			t.Errorf("%s: Authenticate: %v", name, err)
			continue
		}
		if p.Name != name || len(p.KeyID) != 8 {
			t.Errorf("%s: got principal %+v", name, p)
		}
	}
	p, _ := k.Authenticate("Bearer " + secrets["desk-a"])
	if p.Role != RoleClerk || p.Agency != agencyA {
		t.Errorf("clerk principal = %+v, want CLERK of %s", p, agencyA)
	}
	if secrets["editor"] == secrets["admin"] {
		t.Error("two generated secrets are equal")
	}
}

func TestNewKeyRejectsBadEntry(t *testing.T) {
	for _, tt := range []struct {
		name   string
		role   Role
		agency string
	}{
		{"", RoleAdmin, ""},
		{"x", RoleClerk, ""},
		{"x", RoleEditor, agencyA},
		{"x", RoleAnonymous, ""},
	} {
		if secret, _, err := NewKey(tt.name, tt.role, tt.agency); err == nil || secret != "" {
			t.Errorf("NewKey(%q, %s, %q) = %q, %v; want an error and no secret", tt.name, tt.role, tt.agency, secret, err)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	k, secrets := testKeys(t)
	admin := secrets["admin"]
	tests := []struct {
		name   string
		header string
		want   string // principal name; "" when UNAUTHENTICATED
	}{
		{"no header", "", "anonymous"},
		{"valid key", "Bearer " + admin, "admin"},
		{"lower-case scheme", "bearer " + admin, "admin"},
		{"wrong key", "Bearer rk_" + strings.Repeat("a", 52), ""},
		{"key with a character changed", "Bearer " + admin[:len(admin)-1] + "x", ""},
		{"hash instead of key", "Bearer " + hexSum(admin), ""},
		{"key without scheme", admin, ""},
		{"basic", "Basic x", ""},
		{"basic with key", "Basic " + admin, ""},
		{"bearer alone", "Bearer", ""},
		{"bearer and space", "Bearer ", ""},
		{"two spaces", "Bearer  " + admin, ""},
		{"trailing space", "Bearer " + admin + " ", ""},
		{"leading space", " Bearer " + admin, ""},
		{"tab", "Bearer\t" + admin, ""},
		{"two keys", "Bearer " + admin + " " + admin, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := k.Authenticate(tt.header)
			if tt.want == "" {
				if registry.ErrorCode(err) != registry.CodeUnauthenticated {
					t.Fatalf("got %+v, %v; want UNAUTHENTICATED", p, err)
				}
				if p != Anonymous() {
					t.Errorf("principal on error = %+v, want anonymous", p)
				}
				return
			}
			if err != nil || p.Name != tt.want {
				t.Fatalf("got %+v, %v; want %s", p, err, tt.want)
			}
		})
	}
}

// An unknown key and a key from another set get the same answer, so a
// client cannot probe which keys exist.
func TestAuthenticateSameMessage(t *testing.T) {
	k, _ := testKeys(t)
	_, other := testKeys(t)
	_, err1 := k.Authenticate("Bearer " + other["admin"])
	_, err2 := k.Authenticate("Bearer nonsense")
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("errors differ: %v / %v", err1, err2)
	}
}

func TestLoadKeys(t *testing.T) {
	empty, err := LoadKeys("")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := empty.Authenticate(""); err != nil || p != Anonymous() {
		t.Errorf("empty set, no header: %+v, %v", p, err)
	}
	if _, err := empty.Authenticate("Bearer rk_x"); registry.ErrorCode(err) != registry.CodeUnauthenticated {
		t.Errorf("empty set, a key: %v, want UNAUTHENTICATED", err)
	}

	secret, entry, err := NewKey("editor", RoleEditor, "")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(keyFile{Keys: []KeyEntry{entry}})
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := k.Authenticate("Bearer " + secret)
	if err != nil || p.Role != RoleEditor || p.KeyID != entry.SHA256[:8] {
		t.Errorf("got %+v, %v", p, err)
	}

	if _, err := LoadKeys(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func hexSum(s string) string {
	sum := hashSecret(s)
	return hex.EncodeToString(sum[:])
}

func TestParseKeysErrors(t *testing.T) {
	h1 := strings.Repeat("a", 64)
	h2 := strings.Repeat("b", 64)
	entry := func(name, role, agency, sum string) string {
		s := `{"name":"` + name + `","role":"` + role + `","sha256":"` + sum + `"`
		if agency != "" {
			s += `,"agency":"` + agency + `"`
		}
		return s + "}"
	}
	file := func(entries ...string) string { return `{"keys":[` + strings.Join(entries, ",") + `]}` }
	tests := []struct {
		name string
		data string
		want []string // substrings of the error
	}{
		{"not json", `keys`, []string{"parsing keys"}},
		{"trailing data", `{"keys":[]} {}`, []string{"after the top-level object"}},
		{"unknown field", `{"keys":[{"name":"a","role":"ADMIN","sha256":"` + h1 + `","agncy":"x"}]}`, []string{"agncy"}},
		{"unknown role", file(entry("ed", "WRITER", "", h1)), []string{`keys[0] ("ed")`, `unknown role "WRITER"`}},
		{"lower-case role", file(entry("ed", "editor", "", h1)), []string{`keys[0] ("ed")`, "unknown role"}},
		{"anonymous role", file(entry("anon", "ANONYMOUS", "", h1)), []string{`keys[0] ("anon")`, "unknown role"}},
		{"clerk without agency", file(entry("desk", "CLERK", "", h1)), []string{`keys[0] ("desk")`, "CLERK needs an agency"}},
		{"clerk with bad agency", file(entry("desk", "CLERK", "000.00.06.h56", h1)), []string{`keys[0] ("desk")`, "000.00.06.h56"}},
		{"editor with agency", file(entry("ed", "EDITOR", agencyA, h1)), []string{`keys[0] ("ed")`, "only a CLERK"}},
		{"no name", file(entry("", "ADMIN", "", h1)), []string{`keys[0] ("")`, "name is required"}},
		{"padded name", file(entry(" root", "ADMIN", "", h1)), []string{`keys[0] (" root")`, "spaces"}},
		{"reserved name", file(entry("anonymous", "ADMIN", "", h1)), []string{"reserved"}},
		{"short hash", file(entry("root", "ADMIN", "", h1[:63])), []string{`keys[0] ("root")`, "64 hex digits"}},
		{"bad hex", file(entry("root", "ADMIN", "", "g"+h1[1:])), []string{`keys[0] ("root")`, "not hex"}},
		{"duplicate name", file(entry("root", "ADMIN", "", h1), entry("root", "EDITOR", "", h2)), []string{`keys[1] ("root")`, "keys[0]"}},
		{"duplicate hash", file(entry("root", "ADMIN", "", h1), entry("ed", "EDITOR", "", strings.ToUpper(h1))), []string{`keys[1] ("ed")`, "same sha256", `keys[0] ("root")`}},
		{"duplicate key id", file(entry("root", "ADMIN", "", h1), entry("ed", "EDITOR", "", h1[:8]+h2[8:])), []string{`keys[1] ("ed")`, "key id aaaaaaaa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeys([]byte(tt.data))
			if err == nil {
				t.Fatalf("no error; got %+v", k)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	// A valid file, including an empty one, parses.
	for _, data := range []string{`{"keys":[]}`, `{}`, file(entry("desk", "CLERK", agencyA, h1), entry("root", "ADMIN", "", h2))} {
		if _, err := ParseKeys([]byte(data)); err != nil {
			t.Errorf("ParseKeys(%s): %v", data, err)
		}
	}
}
