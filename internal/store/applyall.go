package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Totals adds up what ApplyAll wrote: items put, deleted and left
// unchanged, and how many results were stale (the table held a newer scan).
type Totals struct {
	Put, Deleted, Unchanged, Stale int
}

// ApplyAll applies results, at most workers at once, as the check functions
// do one job each, and adds up what they wrote. Every failure is returned,
// joined, after the others were applied.
func (s *Store) ApplyAll(ctx context.Context, results []JobResult, workers int) (Totals, error) {
	var (
		mu     sync.Mutex
		totals Totals
		errs   []error
		wg     sync.WaitGroup
		slots  = make(chan struct{}, max(workers, 1))
	)
	for _, r := range results {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			stats, err := s.Apply(ctx, r)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("write %s %s/%s: %w", r.CheckID, r.Account, r.Region, err))
				return
			}
			totals.Put += stats.Put
			totals.Deleted += stats.Deleted
			totals.Unchanged += stats.Unchanged
			if stats.Stale {
				totals.Stale++
			}
		}()
	}
	wg.Wait()
	return totals, errors.Join(errs...)
}
