package mongostore

import (
	"context"
	"fmt"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// Leases: the right of one process at a time to write a database, which the
// memory store over FerretDB needs (it is exact only while it is the only
// writer). Each taking of lease name is a new document, generation n with
// _id "name/n", numbered from 1 with none skipped or deleted: taking is an
// insert, which the unique _id makes atomic even on FerretDB, whose updates
// of one document from two connections are not. Only the holder updates its
// generation's document (renewal, release). Every request is by _id.

// Lease is one generation of a lease: who took it and until when it holds
// without renewal.
type Lease struct {
	ID         string `bson:"_id"`
	Name       string `bson:"name"`
	Generation int    `bson:"generation"`
	// Holder is random, drawn by the taking process: host and pid can
	// repeat across machines and restarts.
	Holder     string    `bson:"holder"`
	Command    string    `bson:"command"`
	PID        int       `bson:"pid"`
	Host       string    `bson:"host"`
	TakenAt    time.Time `bson:"takenAt"`
	ExpiresAt  time.Time `bson:"expiresAt"`
	ReleasedAt time.Time `bson:"releasedAt,omitempty"`
}

func leaseID(name string, gen int) string { return fmt.Sprintf("%s/%d", name, gen) }

// LeaseAt reads generation gen of lease name, nil if it was never taken.
func (s *Store) LeaseAt(ctx context.Context, name string, gen int) (*Lease, error) {
	return get[Lease](ctx, s, colLeases, leaseID(name, gen))
}

// CurrentLease reads the latest generation of lease name, nil if it was
// never taken. Generations being contiguous from 1, it doubles until one is
// missing, then bisects: about 2·log2(n) finds by _id.
func (s *Store) CurrentLease(ctx context.Context, name string) (*Lease, error) {
	var last *Lease
	lo, hi := 0, 1 // generation lo exists (or is 0), hi is not known to
	for {
		l, err := s.LeaseAt(ctx, name, hi)
		if err != nil {
			return nil, err
		}
		if l == nil {
			break
		}
		last, lo, hi = l, hi, 2*hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		l, err := s.LeaseAt(ctx, name, mid)
		if err != nil {
			return nil, err
		}
		if l != nil {
			last, lo = l, mid
		} else {
			hi = mid
		}
	}
	return last, nil
}

// InsertLease takes generation l.Generation of lease l.Name; another
// process having taken it first is registry.ErrDuplicate.
func (s *Store) InsertLease(ctx context.Context, l *Lease) error {
	l.ID = leaseID(l.Name, l.Generation)
	_, err := s.db.Collection(colLeases).InsertOne(ctx, l)
	if isDuplicate(err) {
		return registry.ErrDuplicate
	}
	return classify(err)
}

// PutLease rewrites the holder's own generation (renewal, release) by _id.
func (s *Store) PutLease(ctx context.Context, l *Lease) error {
	l.ID = leaseID(l.Name, l.Generation)
	_, err := s.db.Collection(colLeases).ReplaceOne(ctx, byID(l.ID), l)
	return classify(err)
}
