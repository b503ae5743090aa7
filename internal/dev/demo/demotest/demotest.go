// Package demotest is the demo account for the test harnesses that scan
// every check on it (internal/dev/failclosed, internal/dev/faultinject): the
// emulator started as `make demo` starts it, and an account seeded as the
// demo seeds one.
package demotest

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// Main is emutest.Main for a harness package; call it from TestMain.
func Main(m *testing.M) int {
	// A harness makes the scan engine warn hundreds of times, on purpose
	// (every denial, every fault): the warnings would bury the test's output.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	// AWS's managed policies, loaded as `make demo` loads them, give the
	// demo's quarantined user its quarantine policy, so that the calls that
	// follow it are exercised too.
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	return emutest.Main(m)
}

// Account returns the configuration and ID of a fresh emulated account
// seeded as the demo account (demo.Seed); the servers the seed starts stop
// when t ends. The checks only read it, so a test may share it between its
// subtests.
func Account(t testing.TB) (aws.Config, string) {
	t.Helper()
	cfg, account := emutest.Config(t)
	stop, err := demo.Seed(context.Background(), cfg)
	if err != nil {
		t.Fatalf("seed the demo account: %v", err)
	}
	t.Cleanup(stop)
	return cfg, account
}
