// Package feed fans recorded dossier steps out to the subscribers connected
// to this server process.
package feed

import (
	"context"
	"sync"

	"github.com/vnregistry/registry/internal/registry"
)

// buffer is how many steps a subscriber may fall behind before it is cut off.
const buffer = 64

// Feed delivers each published dossier to the subscriptions it matches.
type Feed struct {
	mu   sync.Mutex
	subs map[*subscription]struct{}
}

type subscription struct {
	agency, code string
	ch           chan *registry.Dossier
}

// New returns an empty feed.
func New() *Feed { return &Feed{subs: make(map[*subscription]struct{})} }

// Subscribe returns the dossiers of agency (or the one dossier code; empty
// matches any) as steps are recorded, until ctx ends. A subscriber that falls
// more than a buffer behind has its channel closed rather than silently
// missing steps: the client sees the end and can resubscribe and reload.
func (f *Feed) Subscribe(ctx context.Context, agency, code string) <-chan *registry.Dossier {
	s := &subscription{agency: agency, code: code, ch: make(chan *registry.Dossier, buffer)}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.drop(s)
	}()
	return s.ch
}

// Publish hands d, just changed, to every matching subscriber without waiting.
func (f *Feed) Publish(d *registry.Dossier) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if (s.agency != "" && s.agency != d.AgencyCode) || (s.code != "" && s.code != d.Code) {
			continue
		}
		select {
		case s.ch <- d:
		default:
			delete(f.subs, s)
			close(s.ch)
		}
	}
}

func (f *Feed) drop(s *subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.ch)
	}
}
