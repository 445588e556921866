package mongostore

import (
	"context"
	"time"
)

// Hooks for outbox_test.go, compiled into the test binary only.

// SetAfterDossierWrite makes fn run after every dossier write that carries
// a rollup outbox entry, before the rollups change.
func SetAfterDossierWrite(fn func()) { afterDossierWrite = fn }

// SetOutboxGrace sets the age under which the sweep leaves an entry to its
// writer; call it while no store is open.
func SetOutboxGrace(d time.Duration) { outboxGrace = d }

// SupportsTransactions reads a hello answer as Open does.
var SupportsTransactions = supportsTransactions

// Transactions reports whether s writes a dossier and its rollups in one
// transaction.
func (s *Store) Transactions() bool { return s.transactions }

// SweepOutboxes sweeps once.
func (s *Store) SweepOutboxes(ctx context.Context) error { return s.sweepOutboxes(ctx) }
