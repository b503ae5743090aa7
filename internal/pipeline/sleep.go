package pipeline

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done (then it returns ctx's error): the
// wait between two attempts of a retried call.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
