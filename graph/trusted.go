package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/vnregistry/registry/internal/registry"
)

// TrustedDocuments is the set of operations a production client was built
// with, by the SHA-256 of their text. In enforce mode nothing else runs; in
// log-only mode other operations run and are logged, to roll the list out.
type TrustedDocuments struct {
	docs    map[string]string
	enforce bool
	log     *slog.Logger
}

// LoadTrustedDocuments reads a JSON object mapping each document's SHA-256
// (hex) to its text, and checks every hash.
func LoadTrustedDocuments(path string, enforce bool, log *slog.Logger) (*TrustedDocuments, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	if err := json.Unmarshal(data, &docs); err != nil {
		return nil, fmt.Errorf("%s: must be a JSON object of sha256 hex -> document: %w", path, err)
	}
	for hash, doc := range docs {
		if sha(doc) != hash {
			return nil, fmt.Errorf("%s: the document under %s hashes to %s", path, hash, sha(doc))
		}
	}
	return &TrustedDocuments{docs: docs, enforce: enforce, log: log}, nil
}

func sha(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*TrustedDocuments)(nil)

// ExtensionName names the extension for gqlgen.
func (t *TrustedDocuments) ExtensionName() string { return "TrustedDocuments" }

// Validate accepts any schema.
func (t *TrustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters fills in a document sent by hash alone and
// refuses (or logs) documents not in the set.
func (t *TrustedDocuments) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := persistedHash(p.Extensions)
	if p.Query == "" {
		if doc, ok := t.docs[hash]; ok {
			p.Query = doc
			return nil
		}
	} else {
		hash = sha(p.Query)
		if _, ok := t.docs[hash]; ok {
			return nil
		}
	}
	if !t.enforce {
		t.log.WarnContext(ctx, "operation outside the trusted documents", "sha256", hash, "operation", p.OperationName)
		return nil
	}
	return &gqlerror.Error{Message: "only trusted documents run on this server; this operation is not one of them",
		Extensions: map[string]any{"code": string(registry.CodeForbidden), "sha256": hash}}
}

// persistedHash is the sha256Hash of an automatic-persisted-query extension.
func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}
