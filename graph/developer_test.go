package graph_test

import (
	"net/http"

	"github.com/vnregistry/registry/internal/auth"
)

// asDeveloper serves h to callers acting as the developer, as the HTTP layer
// does for a gateway started without keys: the store refuses what a
// context without a principal (anonymous) asks to change.
func asDeveloper(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Developer())))
	})
}
