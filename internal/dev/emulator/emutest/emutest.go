// Package emutest is the emulator test harness: one moto server per test
// package, started by Main from TestMain, and an isolated account per test.
//
// A missing moto_server fails the package with a clear message; it never
// skips, because a skipped collector test proves nothing.
package emutest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator"
)

var (
	server      *emulator.Server
	nextAccount atomic.Int64
)

// Main starts the emulator, runs the package's tests and stops it. Call it
// from TestMain, in the package's main_test.go:
// func TestMain(m *testing.M) { os.Exit(emutest.Main(m)) }.
func Main(m *testing.M) int {
	s, err := emulator.Start(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "emulator harness: %v\n", err)
		return 1
	}
	server = s
	defer s.Stop()
	return m.Run()
}

// Server returns the package's running emulator.
func Server(t testing.TB) *emulator.Server {
	t.Helper()
	if server == nil {
		t.Fatal("emulator harness: not started; call emutest.Main from TestMain")
	}
	return server
}

// Account returns a fresh 12-digit account ID. Every test that scans gets its
// own, so tests see a clean account and can run in parallel.
func Account() string {
	return fmt.Sprintf("%012d", 100000000000+nextAccount.Add(1)+int64(os.Getpid()%1000)*1000000)
}

// Config returns a configuration for a fresh, empty emulated account and the
// account's ID.
func Config(t testing.TB) (aws.Config, string) {
	t.Helper()
	account := Account()
	return emulator.Config(Server(t).URL, account), account
}

// Organization creates an emulated organization whose management account is
// management, with members (emulator.CreateOrganization), and returns the
// members' account IDs in order. An account manages one organization.
func Organization(t testing.TB, management string, members ...emulator.Member) []string {
	t.Helper()
	ids, err := emulator.CreateOrganization(context.Background(), Server(t).URL, management, members)
	if err != nil {
		t.Fatalf("emulated organization: %v", err)
	}
	return ids
}

// Deny returns a copy of cfg whose calls to the named operations (e.g.
// "GetAccountPasswordPolicy") fail with the API error AccessDenied, as they
// would for a role without the permission.
func Deny(cfg aws.Config, operations ...string) aws.Config {
	return FailWith(cfg, &smithy.GenericAPIError{Code: "AccessDenied", Message: "injected by the test: not authorized", Fault: smithy.FaultClient}, operations...)
}

// FailWith returns a copy of cfg whose calls to the named operations fail
// with err before they reach the emulator.
func FailWith(cfg aws.Config, err error, operations ...string) aws.Config {
	return failWhen(cfg, err, func(op string, _ any) bool { return slices.Contains(operations, op) })
}

// DenyAssumeRole returns a copy of cfg whose sts AssumeRole calls into the
// named accounts fail with AccessDenied, as AWS answers when the role's
// trust policy does not admit the caller (or an SCP denies it).
func DenyAssumeRole(cfg aws.Config, accounts ...string) aws.Config {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "injected by the test: not authorized to perform sts:AssumeRole", Fault: smithy.FaultClient}
	return failWhen(cfg, denied, func(op string, params any) bool {
		in, ok := params.(*sts.AssumeRoleInput)
		if !ok || op != "AssumeRole" {
			return false
		}
		role, err := arn.Parse(aws.ToString(in.RoleArn))
		return err == nil && slices.Contains(accounts, role.AccountID)
	})
}

// failWhen returns a copy of cfg whose calls for which fails(operation,
// input) is true fail with err before they reach the emulator.
func failWhen(cfg aws.Config, err error, fails func(operation string, params any) bool) aws.Config {
	c := cfg.Copy()
	// aws.Config.Copy is shallow: clip, so that tests adding faults to copies
	// of one configuration in parallel never write into a shared array.
	c.APIOptions = append(slices.Clip(c.APIOptions), func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("emutestFail",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if _, op := awsx.Operation(ctx); fails(op, in.Parameters) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
	return c
}
