package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/vnregistry/registry/internal/registry"
)

// KeyEntry is one key in the key file, {"keys":[KeyEntry...]}. The file holds
// only the hash of each secret, so reading it does not let anyone call the API.
type KeyEntry struct {
	Name   string `json:"name"`
	Role   Role   `json:"role"`
	Agency string `json:"agency,omitempty"`
	SHA256 string `json:"sha256"`
}

// keyFile is the key file's layout.
type keyFile struct {
	Keys []KeyEntry `json:"keys"`
}

// Keys is a validated key set.
type Keys struct {
	entries []key
}

type key struct {
	sum       [sha256.Size]byte
	principal Principal
}

// unitIDPattern is the one-stop system's unit id (000.00.06.H56), the same
// rule the registry applies to agency codes.
var unitIDPattern = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)

// secretEncoding keeps secrets short, lower case and free of characters that
// need quoting in shells or headers.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// secretPrefix marks a string as one of our keys, for people and for secret
// scanners that find keys pasted where they should not be.
const secretPrefix = "rk_"

// keyIDLen is how many hex digits of the hash make a KeyID.
const keyIDLen = 8

// LoadKeys reads the key file at path. An empty path gives an empty set:
// every caller is anonymous.
func LoadKeys(path string) (*Keys, error) {
	if path == "" {
		return &Keys{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := ParseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKeys validates a key file's contents. Unknown fields are refused, so
// a misspelt "agency" cannot silently produce a different key.
func ParseKeys(data []byte) (*Keys, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parsing keys: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("parsing keys: data after the top-level object")
	}

	k := &Keys{entries: make([]key, 0, len(f.Keys))}
	names := make(map[string]int, len(f.Keys))
	sums := make(map[[sha256.Size]byte]int, len(f.Keys))
	ids := make(map[string]int, len(f.Keys))
	for i, e := range f.Keys {
		sum, err := checkEntry(e)
		if err != nil {
			return nil, fmt.Errorf("keys[%d] (%q): %w", i, e.Name, err)
		}
		p := Principal{Name: e.Name, Role: e.Role, Agency: e.Agency, KeyID: hex.EncodeToString(sum[:])[:keyIDLen]}
		if j, dup := names[e.Name]; dup {
			return nil, fmt.Errorf("keys[%d] (%q): name already used by keys[%d]", i, e.Name, j)
		}
		if j, dup := sums[sum]; dup {
			return nil, fmt.Errorf("keys[%d] (%q): same sha256 as keys[%d] (%q)", i, e.Name, j, f.Keys[j].Name)
		}
		// KeyIDs key logs and rate limits, so two keys must not share one;
		// a chance clash (1 in 4 billion per pair) is fixed by a new key.
		if j, dup := ids[p.KeyID]; dup {
			return nil, fmt.Errorf("keys[%d] (%q): key id %s already used by keys[%d] (%q); generate another key", i, e.Name, p.KeyID, j, f.Keys[j].Name)
		}
		names[e.Name], sums[sum], ids[p.KeyID] = i, i, i
		k.entries = append(k.entries, key{sum: sum, principal: p})
	}
	return k, nil
}

// checkEntry validates one entry on its own and returns its decoded hash.
func checkEntry(e KeyEntry) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	switch {
	case strings.TrimSpace(e.Name) == "":
		return sum, errors.New("name is required")
	case e.Name != strings.TrimSpace(e.Name):
		return sum, errors.New("name has leading or trailing spaces")
	case e.Name == Anonymous().Name:
		// The audit log could not tell this key from callers without one.
		return sum, fmt.Errorf("name %q is reserved for callers without a key", e.Name)
	}
	switch e.Role {
	case RoleClerk:
		if !unitIDPattern.MatchString(e.Agency) {
			return sum, fmt.Errorf("a CLERK needs an agency unit id like 000.00.06.H56, got %q", e.Agency)
		}
	case RoleEditor, RoleAuditor, RoleAdmin:
		if e.Agency != "" {
			return sum, fmt.Errorf("only a CLERK is bound to an agency; role %s has agency %q", e.Role, e.Agency)
		}
	default:
		return sum, fmt.Errorf("unknown role %q; want CLERK, EDITOR, AUDITOR or ADMIN", e.Role)
	}
	if len(e.SHA256) != hex.EncodedLen(sha256.Size) {
		return sum, fmt.Errorf("sha256 must be %d hex digits, got %d characters", hex.EncodedLen(sha256.Size), len(e.SHA256))
	}
	if _, err := hex.Decode(sum[:], []byte(e.SHA256)); err != nil {
		return sum, fmt.Errorf("sha256 is not hex: %w", err)
	}
	return sum, nil
}

// Authenticate returns the caller named by an Authorization header value:
// Anonymous() for an empty header, the key's principal for "Bearer <key>".
// Anything else is UNAUTHENTICATED, with the same message for every unknown
// key so the answer never tells whether a key exists. On error the principal
// is Anonymous(), so a caller that ignores the error still gets least rights.
func (k *Keys) Authenticate(header string) (Principal, error) {
	if header == "" {
		return Anonymous(), nil
	}
	scheme, secret, ok := strings.Cut(header, " ")
	// The scheme is case-insensitive (RFC 9110); the key is one token with
	// no spaces around or inside it, so "Bearer  x" or "Bearer x " is refused
	// rather than guessed at.
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" || strings.ContainsAny(secret, " \t") {
		return Anonymous(), registry.Errorf(registry.CodeUnauthenticated, `the Authorization header must be "Bearer <API key>"`)
	}
	sum := hashSecret(secret)
	var found *Principal
	// Every entry is compared in constant time, with no early exit, so the
	// response time does not depend on where or whether the hash matches.
	for i := range k.entries {
		if subtle.ConstantTimeCompare(k.entries[i].sum[:], sum[:]) == 1 {
			found = &k.entries[i].principal
		}
	}
	if found == nil {
		return Anonymous(), registry.Errorf(registry.CodeUnauthenticated, "invalid API key")
	}
	return *found, nil
}

// hashSecret is SHA-256 of the secret. A slow password hash (bcrypt, argon2)
// exists to make guessing low-entropy passwords expensive; our secrets are
// 256 random bits, which no one can guess however fast the hash, so a fast
// hash is enough and keeps every request cheap.
func hashSecret(secret string) [sha256.Size]byte {
	return sha256.Sum256([]byte(secret))
}

// NewKey generates a secret for a new key and the entry to add to the key
// file. The secret is shown once to whoever will use it; only its hash is
// kept. The entry is validated as ParseKeys would.
func NewKey(name string, role Role, agency string) (secret string, entry KeyEntry, err error) {
	var raw [32]byte
	rand.Read(raw[:]) // never fails: crypto/rand crashes the program rather than return short
	secret = secretPrefix + secretEncoding.EncodeToString(raw[:])
	sum := hashSecret(secret)
	entry = KeyEntry{Name: name, Role: role, Agency: agency, SHA256: hex.EncodeToString(sum[:])}
	if _, err := checkEntry(entry); err != nil {
		return "", KeyEntry{}, fmt.Errorf("new key %q: %w", name, err)
	}
	return secret, entry, nil
}
