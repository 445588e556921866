package service

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// The change feed (registry.Change) and the editors' removals, which leave
// their tombstones in it. The feed names records and carries nothing else of
// them: what a caller sees of a record is the record's lookup to decide.

// Changes is a page of the feed after the cursor after ("" from the start),
// of kinds (all when none).
func (s *Service) Changes(ctx context.Context, after string, first *int, kinds []registry.RecordKind) ([]registry.Change, bool, error) {
	f, n, err := changeFilter(after, first, kinds)
	if err != nil {
		return nil, false, err
	}
	return s.store.Changes(ctx, f, n)
}

func changeFilter(after string, first *int, kinds []registry.RecordKind) (registry.ChangeFilter, int, error) {
	pos, err := registry.ParseCursor(after)
	if err != nil {
		return registry.ChangeFilter{}, 0, err
	}
	n, err := registry.PageSize(first)
	return registry.ChangeFilter{After: pos, Kinds: kinds}, n, err
}

// followPoll is how often, while anyone follows the feed, the store's last
// number is read: the changes other instances make, on MongoDB, are not
// heard otherwise. One read for all followers.
const followPoll = time.Second

// FollowChanges streams the feed's changes of kinds after the cursor after,
// or from now when after is nil, until ctx ends or the store fails: the
// same entries, in the same order, as Changes pages through.
func (s *Service) FollowChanges(ctx context.Context, after *string, kinds []registry.RecordKind) (<-chan registry.Change, error) {
	var cursor string
	if after != nil {
		cursor = *after
	}
	f, _, err := changeFilter(cursor, nil, kinds)
	if err != nil {
		return nil, err
	}
	if after == nil {
		last, err := s.store.LastChange(ctx)
		if err != nil {
			return nil, err
		}
		f.After = registry.EndOf(last)
	}
	out := make(chan registry.Change)
	stopPolling := s.changes.follow(s.store)
	go func() {
		defer close(out)
		defer stopPolling()
		for {
			heard := s.changes.next()
			page, more, err := s.store.Changes(ctx, f, registry.MaxPageSize)
			if err != nil {
				if ctx.Err() == nil {
					s.log.ErrorContext(ctx, "change feed not read; the subscription ends", "err", err)
				}
				return
			}
			for _, c := range page {
				select {
				case out <- c:
					f.After = c.Position()
				case <-ctx.Done():
					return
				}
			}
			if !more {
				select {
				case <-heard:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// signal wakes the feed's followers after each change this process makes,
// and when the store's last number moves (another instance's change).
type signal struct {
	mu sync.Mutex
	ch chan struct{}
	// followers counts the feed's followers; while there are any, a poll
	// runs until stop.
	followers int
	stop      context.CancelFunc
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

// next is closed at the next change.
func (g *signal) next() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ch
}

func (g *signal) notify() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.ch)
	g.ch = make(chan struct{})
}

// follow counts a follower, starting the poll of store's last number for
// the first; the returned func uncounts it, stopping the poll with the last.
func (g *signal) follow(store Storage) (unfollow func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.followers++; g.followers == 1 {
		ctx, cancel := context.WithCancel(context.Background())
		g.stop = cancel
		go g.poll(ctx, store)
	}
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.followers--; g.followers == 0 {
			g.stop()
		}
	}
}

// poll wakes the followers whenever store's last number moves.
func (g *signal) poll(ctx context.Context, store Storage) {
	t := time.NewTicker(followPoll)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := store.LastChange(ctx); err == nil && n != last {
			last = n
			g.notify()
		}
	}
}

// DeleteDirective removes a directive entered by mistake, leaving its
// tombstone in the feed; reason is recorded in the audit log.
func (s *Service) DeleteDirective(ctx context.Context, key, reason string) error {
	_, err := audited(ctx, s, "deleteDirective", fixed[struct{}](clipTarget(key+": "+reason)), func() (struct{}, error) {
		return struct{}{}, s.deleteDirective(ctx, key, reason)
	})
	return err
}

// DeleteReport removes a statistics report entered by mistake, as
// DeleteDirective does.
func (s *Service) DeleteReport(ctx context.Context, key, reason string) error {
	_, err := audited(ctx, s, "deleteReport", fixed[struct{}](clipTarget(key+": "+reason)), func() (struct{}, error) {
		if err := removal(ctx, reason); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, notStored(s.store.Delete(ctx, registry.KindReport, key, ""), "id", "report")
	})
	return err
}

// MergeDirective merges the directive dup into into, which remains (see
// registry.PlanMerge), and removes dup, whose tombstone names into.
func (s *Service) MergeDirective(ctx context.Context, dup, into, reason string) (*registry.Directive, error) {
	target := clipTarget(dup + " into " + into + ": " + reason)
	return audited(ctx, s, "mergeDirective", fixed[*registry.Directive](target), func() (*registry.Directive, error) {
		return s.mergeDirective(ctx, dup, into, reason)
	})
}

// removal checks the caller may remove records, and the reason given.
func removal(ctx context.Context, reason string) error {
	if err := canEditRegistry(ctx); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return registry.Invalid("reason", "is required: say why the record goes (the audit log keeps it)")
	}
	return nil
}

// notStored words a store's ErrNotFound for the field that named the record.
func notStored(err error, field, what string) error {
	if errors.Is(err, registry.ErrNotFound) {
		return &registry.Error{Code: registry.CodeNotFound, Field: field, Message: "no " + what + " has this id"}
	}
	return err
}

func (s *Service) deleteDirective(ctx context.Context, key, reason string) error {
	if err := removal(ctx, reason); err != nil {
		return err
	}
	d, err := s.directiveNamed(ctx, key, "id")
	if err != nil {
		return err
	}
	citing, shared, err := s.citations(ctx, d)
	if err != nil {
		return err
	}
	if len(citing) > 0 && !shared {
		return registry.Errorf(registry.CodeConflict, "procedure %s cites %s as a legal basis: merge the directive into the one it duplicates (mergeDirective), or correct the procedure first",
			citing[0].Code, d.Symbol.String())
	}
	return notStored(s.store.Delete(ctx, registry.KindDirective, key, ""), "id", "directive")
}

func (s *Service) mergeDirective(ctx context.Context, dupKey, intoKey, reason string) (*registry.Directive, error) {
	if err := removal(ctx, reason); err != nil {
		return nil, err
	}
	dup, err := s.directiveNamed(ctx, dupKey, "duplicate")
	if err != nil {
		return nil, err
	}
	into, err := s.directiveNamed(ctx, intoKey, "into")
	if err != nil {
		return nil, err
	}
	citing, shared, err := s.citations(ctx, dup)
	if err != nil {
		return nil, err
	}
	relating, err := s.store.DirectivesRelatedTo(ctx, dup.SymbolKey)
	if err != nil {
		return nil, err
	}
	m, err := registry.PlanMerge(dup, into, citing, relating, shared)
	if err != nil {
		return nil, err
	}
	// The duplicate goes last: a merge stopped half way leaves it in place,
	// and merging again finishes the work.
	for _, rec := range m.Records() {
		if err := s.store.Replace(ctx, rec); err != nil {
			return nil, err
		}
	}
	if err := s.store.Delete(ctx, registry.KindDirective, dup.Key, into.Key); err != nil {
		return nil, notStored(err, "duplicate", "directive")
	}
	return m.Into, nil
}

// directiveNamed is the directive with key, or NOT_FOUND naming field.
func (s *Service) directiveNamed(ctx context.Context, key, field string) (*registry.Directive, error) {
	d, err := s.store.Directive(ctx, key)
	if err == nil && d == nil {
		err = notStored(registry.ErrNotFound, field, "directive")
	}
	return d, err
}

// citations are the procedures citing d's symbol as a legal basis, and
// whether another directive bears the symbol (then they still find one).
func (s *Service) citations(ctx context.Context, d *registry.Directive) ([]*registry.Procedure, bool, error) {
	var citing []*registry.Procedure
	err := s.store.EachProcedure(ctx, registry.ProcedureFilter{}, func(p *registry.Procedure) error {
		if registry.CitesSymbol(p, d.SymbolKey) {
			citing = append(citing, p)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	bearing, err := s.store.DirectivesBySymbolKeys(ctx, []string{d.SymbolKey}, nil)
	shared := len(bearing) > 1 || (len(bearing) == 1 && bearing[0].Key != d.Key)
	return citing, shared, err
}
