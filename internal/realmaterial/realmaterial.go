// Package realmaterial finds, for tests, the real published documents and
// listings kept beside the repository (../shared/real, see its README): never
// in the repository, so a test reads them when they are there and skips,
// saying so, when they are not.
package realmaterial

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// File returns the path of name in the real material: in $REGISTRY_REAL_DIR
// when set, else in shared/real beside the repository. It skips t when the
// file is not there.
func File(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("REGISTRY_REAL_DIR")
	if dir == "" {
		_, self, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(self), "..", "..", "..", "shared", "real")
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real material absent (%v): it lives beside the repository in shared/real, never in it; set REGISTRY_REAL_DIR to read it from elsewhere", err)
	}
	return path
}
