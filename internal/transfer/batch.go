package transfer

import (
	"context"
	"fmt"
)

// Batcher loads records produced one at a time (a generator) in batches.
type Batcher struct {
	l    Loader
	size int
	buf  []any
	Sum  Summary
}

// NewBatcher loads through l, size records at a time.
func NewBatcher(l Loader, size int) *Batcher { return &Batcher{l: l, size: size} }

// Add queues rec, loading the batch when it is full.
func (b *Batcher) Add(ctx context.Context, rec any) error {
	b.buf = append(b.buf, rec)
	if len(b.buf) >= b.size {
		return b.Flush(ctx)
	}
	return nil
}

// Flush loads what is queued. A refused record is an error: generated
// records are valid by construction, so a refusal is a bug.
func (b *Batcher) Flush(ctx context.Context) error {
	if len(b.buf) == 0 {
		return nil
	}
	inserted, refused, err := b.l.Load(ctx, b.buf)
	if err != nil {
		return err
	}
	for i := range b.buf {
		b.Sum.Lines++
		switch {
		case refused[i] != nil:
			return fmt.Errorf("%s refused: %w", KindOf(b.buf[i]), refused[i])
		case inserted[i]:
			b.Sum.Inserted++
		default:
			b.Sum.Existing++
		}
	}
	b.buf = b.buf[:0]
	return nil
}
