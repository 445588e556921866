package service

import (
	"context"
	"hash/maphash"

	"github.com/vnregistry/registry/internal/registry"
)

// stripes serialises the steps of one dossier within this process: each
// step reads, applies and writes back conditionally, and fifty clerks on one
// dossier would otherwise spend their retries on each other. Writers in
// other processes (gateways on one MongoDB) are met by the condition.
type stripes struct {
	seed  maphash.Seed
	slots [64]chan struct{}
}

func newStripes() *stripes {
	s := &stripes{seed: maphash.MakeSeed()}
	for i := range s.slots {
		s.slots[i] = make(chan struct{}, 1)
	}
	return s
}

// lock takes key's slot, or fails when ctx ends first; the caller calls
// the returned func to release it.
func (s *stripes) lock(ctx context.Context, key string) (func(), error) {
	slot := s.slots[maphash.String(s.seed, key)%uint64(len(s.slots))]
	select {
	case slot <- struct{}{}:
		return func() { <-slot }, nil
	case <-ctx.Done():
		return nil, &registry.Error{Code: registry.CodeUnavailable, Message: "the request ran out of time waiting for the dossier", Cause: ctx.Err()}
	}
}
