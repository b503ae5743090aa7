package checktest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// ScanRecorded scans account with c in regions (a global check runs once)
// through the scan engine, as the CLI does, with cfg (an emulated account,
// already seeded) and a recorder counting every call. It fails t for any
// finding outside c's report columns.
func ScanRecorded(t testing.TB, cfg aws.Config, account string, c check.Check, regions ...string) ([]check.Finding, *awsx.Recorder) {
	t.Helper()
	recorder := awsx.NewRecorder()
	cfg = recorder.Counting(cfg)
	findings := scan.Run(context.Background(), cfg, scan.Plan([]check.Check{c}, []string{account}, regions, time.Now()), scan.Options{Concurrency: 2})
	ColumnsWithin(t, c.Meta, findings)
	return findings, recorder
}

// CallCount is how many calls of one operation a test wants, and why: what a
// collector calls per region, per page or per resource is part of its
// contract (and of its cost on a large account).
type CallCount struct {
	Service, Op string
	Want        int
	Why         string
}

// Call wants want calls of the service's operation op, for the reason why.
func Call(service, op string, want int, why string) CallCount {
	return CallCount{Service: service, Op: op, Want: want, Why: why}
}

// WantCalls fails t for every operation recorder saw called another number
// of times than wanted.
func WantCalls(t testing.TB, recorder *awsx.Recorder, want ...CallCount) {
	t.Helper()
	for _, w := range want {
		if got := recorder.Calls(w.Service, w.Op); got != w.Want {
			t.Errorf("%s %s calls = %d, want %d (%s)", w.Service, w.Op, got, w.Want, w.Why)
		}
	}
}
