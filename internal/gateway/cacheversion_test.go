package gateway_test

import (
	"testing"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestCacheVersion: the version HTTP validators are made of stays while
// nothing changes and moves with a change and with a refused attempt (the
// audit log is read too), over memory and on the MongoDB store alone, where
// it comes from the change feed's number and the newest audit entry.
func TestCacheVersion(t *testing.T) {
	for name, alone := range map[string]bool{"memory": false, "MongoDB store alone": true} {
		t.Run(name, func(t *testing.T) {
			r := storetest.Open(t, func(c *gateway.Config) { c.DisableMemory = alone })
			version := func() string {
				t.Helper()
				v, ok := r.CacheVersion(t.Context())
				if !ok {
					t.Fatal("no version")
				}
				return v
			}
			seed(t, r)
			v1 := version()
			if v := version(); v != v1 {
				t.Fatalf("version moved without a change: %s, then %s", v1, v)
			}
			ctx := storetest.Context(t)
			if _, err := r.CreateDirective(ctx, registry.CreateDirectiveInput{Symbol: "8/KH-UBND", IssuedOn: "2021-02-01"}, source); err != nil {
				t.Fatal(err)
			}
			v2 := version()
			if v2 == v1 {
				t.Fatalf("version %s did not move with a new directive", v2)
			}
			clerk := auth.WithPrincipal(ctx, auth.Principal{Name: "desk", Role: auth.RoleClerk, Agency: agency})
			if _, err := r.CreateDirective(clerk, registry.CreateDirectiveInput{Symbol: "9/KH-UBND", IssuedOn: "2021-02-01"}, source); err == nil {
				t.Fatal("a clerk created a directive")
			}
			if v3 := version(); v3 == v2 {
				t.Fatalf("version %s did not move with a refused attempt, which the audit log shows", v3)
			}
		})
	}
}
