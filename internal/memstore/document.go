package memstore

import (
	"context"

	"github.com/vnregistry/registry/internal/registry"
)

// readDossier reads a dossier memory does not keep whole: with the engine,
// straight from its SQLite by _id (FerretDB's own find spends most of a
// dossier query decoding and tracking the request), else from the store
// under memory.
func (m *Store) readDossier(ctx context.Context, code string) (*registry.Dossier, error) {
	if m.engine == nil {
		return m.inner.Dossier(ctx, code)
	}
	var d registry.Dossier
	found, err := m.engine.Document(ctx, m.database, "dossiers", code, &d)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, &registry.Error{Code: registry.CodeUnavailable, Message: "the store did not answer in time; try again", Cause: err}
	case err != nil:
		return nil, err
	case !found:
		return nil, nil
	}
	return &d, nil
}
