package graph

import (
	"context"
	"fmt"

	"encoding/base64"
	"strings"

	"github.com/vnregistry/registry/graph/model"

	"github.com/vnregistry/registry/internal/registry"
)

// Global ids are "<Type>:<natural key>" in URL-safe base64, opaque to clients
// but decodable here without a lookup table.
const (
	kindAgency    = "Agency"
	kindProcedure = "Procedure"
	kindDossier   = "Dossier"
	kindDirective = "Directive"
	kindReport    = "Report"
)

// kindNames are the record kinds of the change feed as ids name them.
var kindNames = map[registry.RecordKind]string{registry.KindAgency: kindAgency, registry.KindProcedure: kindProcedure,
	registry.KindDossier: kindDossier, registry.KindDirective: kindDirective, registry.KindReport: kindReport}

// node is the record of kind with key, as the caller may see it.
func (r *Resolver) node(ctx context.Context, kind, key string) (model.Node, error) {
	// A typed nil inside the interface would not be null: return plain nil.
	switch kind {
	case kindAgency:
		return nodeOrNil(r.Registry.Agency(ctx, key))
	case kindProcedure:
		return nodeOrNil(r.Registry.Procedure(ctx, key))
	case kindDossier:
		return nodeOrNil(r.Registry.Dossier(ctx, key))
	case kindDirective:
		return nodeOrNil(r.Registry.DirectiveByKey(ctx, key))
	case kindReport:
		return nodeOrNil(r.Registry.Report(ctx, key))
	}
	return nil, registry.Invalid("id", "is not an id issued by this API")
}

func globalID(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

func parseGlobalID(id string) (kind, key string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err == nil {
		var ok bool
		if kind, key, ok = strings.Cut(string(raw), ":"); ok && key != "" {
			return kind, key, nil
		}
	}
	return "", "", registry.Invalid("id", "is not an id issued by this API")
}

// keyOf is the key in id, which must be of kind; BAD_USER_INPUT naming
// field otherwise.
func keyOf(id, kind, field string) (string, error) {
	k, key, err := parseGlobalID(id)
	if err != nil || k != kind {
		return "", registry.Invalid(field, "is not a%s %s id", map[bool]string{true: "n"}[kind == kindAgency], strings.ToLower(kind))
	}
	return key, nil
}

// optional turns a zero value into null.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// nodeOrNil returns a found record as a Node, and a missing one as untyped nil.
func nodeOrNil[T any](v *T, err error) (model.Node, error) {
	if v == nil || err != nil {
		return nil, err
	}
	return v, nil
}

// must treats a missing referenced record as a fault of ours: references are
// checked when records are written.
func must[T any](v *T, err error) (*T, error) {
	if err == nil && v == nil {
		return nil, fmt.Errorf("dangling reference to a %T", v)
	}
	return v, err
}

func deref[T any](v *T) T {
	if v == nil {
		var zero T
		return zero
	}
	return *v
}
