package feed

import (
	"context"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/registry"
)

// recv returns the next dossier on ch, or fails after a hang guard; ok is
// false when ch is closed.
func recv(t *testing.T, ch <-chan *registry.Dossier) (*registry.Dossier, bool) {
	t.Helper()
	select {
	case d, ok := <-ch:
		return d, ok
	case <-time.After(5 * time.Second):
		t.Fatal("no dossier and no close within 5 s")
		return nil, false
	}
}

// empty reports whether nothing is waiting on ch.
func empty(ch <-chan *registry.Dossier) bool {
	select {
	case <-ch:
		return false
	default:
		return true
	}
}

func TestSubscribersGetWhatTheyMatch(t *testing.T) {
	f := New()
	ctx := t.Context()
	byAgency := f.Subscribe(ctx, "A", "")
	byCode := f.Subscribe(ctx, "", "A-1")
	all := f.Subscribe(ctx, "", "")

	f.Publish(&registry.Dossier{Code: "A-1", AgencyCode: "A"})
	f.Publish(&registry.Dossier{Code: "B-1", AgencyCode: "B"})

	if d, _ := recv(t, byAgency); d.Code != "A-1" || !empty(byAgency) {
		t.Errorf("agency A's subscriber got %s and more: want A-1 only", d.Code)
	}
	if d, _ := recv(t, byCode); d.Code != "A-1" || !empty(byCode) {
		t.Errorf("A-1's subscriber got %s and more: want A-1 only", d.Code)
	}
	for _, want := range []string{"A-1", "B-1"} {
		if d, _ := recv(t, all); d.Code != want {
			t.Errorf("the subscriber to everything got %s, want %s", d.Code, want)
		}
	}
}

func TestSubscriptionEndsWithItsContext(t *testing.T) {
	f := New()
	ctx, cancel := context.WithCancel(t.Context())
	ch := f.Subscribe(ctx, "A", "")
	cancel()
	if _, ok := recv(t, ch); ok {
		t.Fatal("a dossier arrived after the subscription's context ended, want the channel closed")
	}
	f.Publish(&registry.Dossier{Code: "A-1", AgencyCode: "A"}) // no panic on a closed subscription
}

// TestSlowSubscriberIsCutOff: a subscriber more than a buffer behind has its
// channel closed rather than missing steps silently, and publishing never
// waits for it.
func TestSlowSubscriberIsCutOff(t *testing.T) {
	f := New()
	ch := f.Subscribe(t.Context(), "A", "")
	done := make(chan struct{})
	go func() {
		for range buffer + 1 {
			f.Publish(&registry.Dossier{Code: "A-1", AgencyCode: "A"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish waited for a slow subscriber")
	}
	n := 0
	for {
		if _, ok := recv(t, ch); !ok {
			break
		}
		n++
	}
	if n != buffer {
		t.Errorf("the slow subscriber got %d dossiers before its channel closed, want the %d its buffer held", n, buffer)
	}
}
