package gateway

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vnregistry/registry/internal/mongostore"
	"github.com/vnregistry/registry/internal/registry"
)

// The lease on writing a database through memory: memory over FerretDB is
// exact only while its process is the database's only writer, and FerretDB
// has no transactions or atomic updates to share it. Taken at Open, renewed
// every third of its TTL, released at Close; another process takes it only
// once it has lapsed. The lease's clock is the wall clock, never
// Config.Now (tests fix that).

// DefaultLeaseTTL is how long the lease holds without renewal: how long a
// crashed gateway keeps another from starting on its database.
const DefaultLeaseTTL = 15 * time.Second

// ErrLeaseHeld is why Open refuses while another process holds the lease.
var ErrLeaseHeld = errors.New("the database is written by another process")

const leaseName = "writer"

// writerLease is this process's lease and its renewal.
type writerLease struct {
	store *mongostore.Store
	log   *slog.Logger
	ttl   time.Duration

	mu   sync.Mutex
	held mongostore.Lease // as last written; ExpiresAt keeps the monotonic clock
	lost error            // set once for good: another process has written since

	stop context.CancelFunc
	done chan struct{}
}

// takeLease takes the lease on the store's database, or refuses naming its
// holder. With the engine in this process (embedded), the engine's lock on
// its data directory says no other process runs it now, so a lease left by
// another process is taken over at once: a crashed server restarts without
// waiting for its lease to lapse.
func takeLease(ctx context.Context, store *mongostore.Store, cfg Config) (*writerLease, error) {
	ttl := cfg.LeaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown host"
	}
	me := mongostore.Lease{Name: leaseName, Holder: rand.Text(), Command: filepath.Base(os.Args[0]), PID: os.Getpid(), Host: host,
		Generation: 1}
	cur, err := store.CurrentLease(ctx, leaseName)
	if err != nil {
		return nil, fmt.Errorf("lease on database %s: %w", store.Database(), err)
	}
	now := time.Now()
	if cur != nil {
		stopped := cfg.Engine != nil && (cur.PID != me.PID || cur.Host != me.Host)
		if !free(cur, now) && !stopped {
			return nil, heldBy(store.Database(), cur, ttl)
		}
		me.Generation = cur.Generation + 1
	}
	me.TakenAt, me.ExpiresAt = now, now.Add(ttl)
	if err := store.InsertLease(ctx, &me); errors.Is(err, registry.ErrDuplicate) {
		// Another process took this generation between our read and our insert.
		if winner, err := store.LeaseAt(ctx, leaseName, me.Generation); err == nil && winner != nil {
			return nil, heldBy(store.Database(), winner, ttl)
		}
		return nil, &registry.Error{Code: registry.CodeUnavailable, Cause: ErrLeaseHeld,
			Message: fmt.Sprintf("database %s: another gateway took its lease at the same moment", store.Database())}
	} else if err != nil {
		return nil, fmt.Errorf("lease on database %s: %w", store.Database(), err)
	}
	if cur != nil && !free(cur, now) {
		cfg.Logger.Warn("lease on the database taken over from a process that no longer runs the embedded engine", "from", describe(cur))
	}
	bg, stop := context.WithCancel(context.Background())
	l := &writerLease{store: store, log: cfg.Logger, ttl: ttl, held: me, stop: stop, done: make(chan struct{})}
	go l.renewEvery(bg)
	return l, nil
}

// free reports whether a lease may be taken: released, or lapsed.
func free(l *mongostore.Lease, now time.Time) bool {
	return !l.ReleasedAt.IsZero() || !now.Before(l.ExpiresAt)
}

// heldBy is Open's refusal while another process holds the lease.
func heldBy(database string, l *mongostore.Lease, ttl time.Duration) error {
	return &registry.Error{Code: registry.CodeUnavailable, Cause: ErrLeaseHeld, Message: fmt.Sprintf(
		"database %s is written by another gateway: %s. Over FerretDB one process writes a database at a time: "+
			"stop that one first; if it crashed, its lease lapses by itself (at most %s after its last renewal)",
		database, describe(l), ttl)}
}

// describe names a lease's holder.
func describe(l *mongostore.Lease) string {
	return fmt.Sprintf("%s (pid %d on %s, lease %s/%d) holding it since %s, its lease expiring at %s",
		l.Command, l.PID, l.Host, l.Name, l.Generation, l.TakenAt.Local().Format(time.RFC3339), l.ExpiresAt.Local().Format(time.RFC3339))
}

// writable says whether this process may write now: not once the lease is
// lost, nor once it is too close to lapsing unrenewed (a third of its TTL
// is kept for clocks that disagree and writes in flight).
func (l *writerLease) writable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	if !time.Now().Before(l.held.ExpiresAt.Add(-l.ttl / 3)) {
		return registry.Errorf(registry.CodeUnavailable, "this gateway's lease on the database could not be renewed in time (is the store reachable?); try again")
	}
	return nil
}

// renewEvery renews the lease every third of its TTL, retrying sooner
// after a failure, until ctx ends or the lease is lost.
func (l *writerLease) renewEvery(ctx context.Context) {
	defer close(l.done)
	wait := l.ttl / 3
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := l.renew(ctx)
		switch {
		case err == nil:
			wait = l.ttl / 3
		case errors.Is(err, ErrLeaseHeld):
			l.log.Error("lease on the database lost: another process writes it; this gateway refuses every write until restarted", "err", err)
			return
		case ctx.Err() == nil:
			l.log.Warn("lease on the database not renewed; retrying", "err", err, "in", l.ttl/15)
			wait = l.ttl / 15
		}
	}
}

// renew extends the lease if it is still ours: our generation is the
// latest and still names us. A renewal acknowledged after the lease had
// lapsed may have come after another process read it lapsed, so then the
// next generation is taken instead, which only one process can.
func (l *writerLease) renew(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, l.ttl/3)
	defer cancel()
	l.mu.Lock()
	held := l.held
	l.mu.Unlock()
	next, err := l.store.LeaseAt(ctx, leaseName, held.Generation+1)
	if err != nil {
		return err
	}
	mine, err := l.store.LeaseAt(ctx, leaseName, held.Generation)
	if err != nil {
		return err
	}
	if next != nil {
		return l.lose(next)
	}
	if mine == nil || mine.Holder != held.Holder {
		return l.lose(mine)
	}
	renewed := held
	renewed.ExpiresAt = time.Now().Add(l.ttl)
	if time.Now().Before(held.ExpiresAt) {
		if err := l.store.PutLease(ctx, &renewed); err != nil {
			return err
		}
	}
	if !time.Now().Before(held.ExpiresAt) {
		if err := l.retake(ctx, &renewed); err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.held = renewed
	l.mu.Unlock()
	return nil
}

// retake takes the generation after ours, the lease having lapsed
// unrenewed (the store away for a while): only one process can, and if it
// is us no other process wrote meanwhile.
func (l *writerLease) retake(ctx context.Context, renewed *mongostore.Lease) error {
	renewed.Generation++
	err := l.store.InsertLease(ctx, renewed)
	if errors.Is(err, registry.ErrDuplicate) {
		winner, _ := l.store.LeaseAt(ctx, leaseName, renewed.Generation)
		return l.lose(winner)
	}
	if err == nil {
		l.log.Warn("lease on the database had lapsed unrenewed; taken again, no other process having taken it meanwhile",
			"generation", renewed.Generation)
	}
	return err
}

// lose marks the lease lost to by (nil when unknown): for good, since
// memory no longer knows what the other process wrote.
func (l *writerLease) lose(by *mongostore.Lease) error {
	holder := "another process"
	if by != nil {
		holder = describe(by)
	}
	err := &registry.Error{Code: registry.CodeUnavailable, Cause: ErrLeaseHeld, Message: fmt.Sprintf(
		"this gateway lost its lease on writing database %s to %s: it writes nothing more; restart it once that process has stopped",
		l.store.Database(), holder)}
	l.mu.Lock()
	l.lost = err
	l.mu.Unlock()
	return err
}

// release stops the renewal and frees the lease if it is still ours.
func (l *writerLease) release(ctx context.Context) {
	l.stop()
	<-l.done
	l.mu.Lock()
	held, lost := l.held, l.lost
	l.mu.Unlock()
	if lost != nil {
		return
	}
	next, err := l.store.LeaseAt(ctx, leaseName, held.Generation+1)
	if err == nil && next == nil {
		held.ReleasedAt = time.Now()
		err = l.store.PutLease(ctx, &held)
	}
	if err != nil {
		l.log.Warn("lease on the database not released; another process may take it once it lapses", "err", err, "ttl", l.ttl)
	}
}
