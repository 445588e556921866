package transfer

import (
	"context"
	"fmt"
	"runtime/debug"
)

// PanicError is a panic met while reading or storing one line, recovered so
// that the line is refused and the import goes on. It is a bug: Stack says
// where.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error, a bug to report with the stack in the log: %v", e.Value)
}

// recovered turns a panic into *err; deferred.
func recovered(err *error) {
	if v := recover(); v != nil {
		*err = &PanicError{Value: v, Stack: debug.Stack()}
	}
}

// loadRecovering is l.Load with a panic turned into an error.
func loadRecovering(ctx context.Context, l Loader, records []any) (inserted []bool, refused []error, err error) {
	defer recovered(&err)
	return l.Load(ctx, records)
}

// loadEach loads a batch; when that panics, it loads the records one at a
// time, so the panic refuses only the record that causes it. Records already
// stored are left alone by Load, so loading again what the batch may have
// stored before its panic is safe.
func loadEach(ctx context.Context, l Loader, records []any) (inserted []bool, refused []error, err error) {
	inserted, refused, err = loadRecovering(ctx, l, records)
	if _, ok := err.(*PanicError); !ok {
		return inserted, refused, err
	}
	inserted, refused = make([]bool, len(records)), make([]error, len(records))
	for i := range records {
		ins, ref, err := loadRecovering(ctx, l, records[i:i+1])
		switch err.(type) {
		case nil:
			inserted[i], refused[i] = ins[0], ref[0]
		case *PanicError:
			refused[i] = err
		default:
			return nil, nil, err
		}
	}
	return inserted, refused, nil
}
