package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSeverityOrder pins the order every consumer relies on: the store keeps
// the most severe of two findings for one resource, --fail-on compares
// against it, and error ranks above red so that "could not look" is never
// hidden behind a red.
func TestSeverityOrder(t *testing.T) {
	t.Parallel()
	order := []Status{Green, Unavailable, Yellow, Red, Error}
	for i := 1; i < len(order); i++ {
		if lo, hi := order[i-1], order[i]; lo.Severity() >= hi.Severity() {
			t.Errorf("%s.Severity() = %d, %s.Severity() = %d: want %s below %s", lo, lo.Severity(), hi, hi.Severity(), lo, hi)
		}
	}
	if got := Status("purple").Severity(); got != -1 {
		t.Errorf("unknown status severity = %d, want -1", got)
	}
	if len(Statuses) != len(order) {
		t.Errorf("Statuses = %v, want every status of %v", Statuses, order)
	}
}

func TestFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, threshold Status
		want              bool
	}{
		{Green, Yellow, false},
		{Green, Red, false},
		{Yellow, Yellow, true},
		{Yellow, Red, false},
		{Red, Red, true},
		{Red, Yellow, true},
		{Error, Red, true},
		{Error, Yellow, true},
		{Unavailable, Yellow, false},
		{Unavailable, Red, false},
		{Unavailable, Green, false},
	}
	for _, tt := range tests {
		if got := tt.status.Fails(tt.threshold); got != tt.want {
			t.Errorf("%s.Fails(%s) = %v, want %v", tt.status, tt.threshold, got, tt.want)
		}
	}
}

func TestErrorAndUnavailableFindings(t *testing.T) {
	t.Parallel()
	meta := Meta{ID: "AAAAAAAAAA", Slug: "a", Name: "A", Columns: []string{"Status", "Region"}}
	target := Target{Account: "111122223333", Region: "eu-west-1"}
	e := meta.ErrorFinding(target, "(all)", "ec2 DescribeThings", errors.New("boom"))
	if e.Status != Error || !strings.Contains(e.Reason, "ec2 DescribeThings") || !strings.Contains(e.Reason, "boom") {
		t.Errorf("ErrorFinding = %+v, want status error naming the operation and the error", e)
	}
	u := meta.UnavailableFinding(target, "(service)", "not offered here")
	if u.Status != Unavailable || !strings.Contains(u.Reason, "not offered here") {
		t.Errorf("UnavailableFinding = %+v, want status unavailable with the reason", u)
	}
	meta.Complete(&u)
	if got, want := u.Columns["Status"], "Unavailable"; got != want {
		t.Errorf("Status column = %q, want %q", got, want)
	}
	if got, want := u.Columns["Region"], "eu-west-1"; got != want {
		t.Errorf("Region column = %q, want %q", got, want)
	}
}

// TestNew: a check built from two stages evaluates what collect returned,
// with the same target; a collect error is the run's error and nothing is
// evaluated.
func TestNew(t *testing.T) {
	t.Parallel()
	meta := Meta{ID: "TTTTTTTTTT", Slug: "t", Name: "T"}
	target := Target{Account: "111122223333", Region: "eu-west-1", ScanTime: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	evaluate := func(t Target, n int) []Finding {
		return []Finding{meta.NewFinding(t, fmt.Sprintf("thing-%d", n), Green, "judged at "+t.ScanTime.Format(time.DateOnly), nil)}
	}
	ok := New(meta, func(context.Context, Target) (int, error) { return 7, nil }, evaluate)
	got, err := ok.Runner.Run(context.Background(), target)
	if err != nil || len(got) != 1 || got[0].ResourceID != "thing-7" || got[0].Reason != "judged at 2026-11-30" {
		t.Errorf("Run = %+v, %v; want one finding thing-7 judged at 2026-11-30", got, err)
	}
	denied := errors.New("access denied")
	failing := New(meta, func(context.Context, Target) (int, error) { return 0, denied }, func(Target, int) []Finding {
		t.Error("evaluate ran after collect failed")
		return nil
	})
	if got, err := failing.Runner.Run(context.Background(), target); !errors.Is(err, denied) || got != nil {
		t.Errorf("Run = %+v, %v; want no findings and the collect error", got, err)
	}
	if f := meta.Unevaluated(target, WholeScope, "ec2 X: access denied", nil); f.Status != Error || f.Reason != "could not evaluate: ec2 X: access denied" {
		t.Errorf("Unevaluated = %+v, want an error finding with the could-not-evaluate reason", f)
	}
}

// TestOpOf: the operation an error was wrapped with, through further
// wrapping, and nothing for an error no collector wrapped.
func TestOpOf(t *testing.T) {
	t.Parallel()
	base := errors.New("AccessDenied")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrapped", WrapOp("ec2 DescribeSnapshots", base), "ec2 DescribeSnapshots"},
		{"wrapped again", fmt.Errorf("page 2: %w", WrapOp("s3 GetBucketPolicy", base)), "s3 GetBucketPolicy"},
		{"plain", base, ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		if got := OpOf(tt.err); got != tt.want {
			t.Errorf("%s: OpOf(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestParallel: every index is done exactly once, never by more than
// workers goroutines at a time, also with no work and with workers <= 0.
func TestParallel(t *testing.T) {
	t.Parallel()
	tests := []struct{ n, workers, wantMost int }{
		{n: 100, workers: 8, wantMost: 8},
		{n: 3, workers: 8, wantMost: 3},
		{n: 5, workers: 0, wantMost: 1},
		{n: 0, workers: 4, wantMost: 0},
	}
	for _, tt := range tests {
		done := make([]int, tt.n)
		var running, most atomic.Int32
		Parallel(tt.n, tt.workers, func(i int) {
			now := running.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			done[i]++
			running.Add(-1)
		})
		for i, d := range done {
			if d != 1 {
				t.Errorf("Parallel(%d, %d): index %d done %d times, want once", tt.n, tt.workers, i, d)
			}
		}
		if got := int(most.Load()); got > tt.wantMost || (tt.n > 0 && got == 0) {
			t.Errorf("Parallel(%d, %d): %d calls at once, want 1 to %d", tt.n, tt.workers, got, tt.wantMost)
		}
	}
}
