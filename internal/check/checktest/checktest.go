// Package checktest holds assertions shared by the checks' tests.
package checktest

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Target is a target for evaluator tests (no AWS configuration needed).
func Target(region string) check.Target {
	return check.Target{Account: "111122223333", Region: region}
}

// TargetAt is Target for a scan started at scanTime.
func TargetAt(region string, scanTime time.Time) check.Target {
	t := Target(region)
	t.ScanTime = scanTime
	return t
}

// Page answers a paginated fake API call from pages: the page that token
// names ("page-N"; nil is the first), and the token of the next page, nil
// after the last. Two-page fakes built on it show that a collector reads
// past the first page.
func Page[T any](pages [][]T, token *string) ([]T, *string) {
	i, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(token), "page-"))
	if i+1 < len(pages) {
		return pages[i], aws.String("page-" + strconv.Itoa(i+1))
	}
	return pages[i], nil
}

// Statuses maps each finding's resource ID to its status.
func Statuses(findings []check.Finding) map[string]check.Status {
	out := map[string]check.Status{}
	for _, f := range findings {
		out[f.ResourceID] = f.Status
	}
	return out
}

// WantStatuses fails t unless findings are one per resource ID of want,
// each with the status want gives it. what names the input in the message.
func WantStatuses(t testing.TB, what string, findings []check.Finding, want map[string]check.Status) {
	t.Helper()
	if got := Statuses(findings); len(findings) != len(want) || !maps.Equal(got, want) {
		t.Errorf("%s: statuses = %v, want %v (findings %+v)", what, got, want, findings)
	}
}

// EmulatorTarget is a target for collector tests on the emulator.
func EmulatorTarget(cfg aws.Config, account, region string) check.Target {
	c := cfg.Copy()
	if region != check.GlobalRegion {
		c.Region = region
	}
	return check.Target{Account: account, Region: region, Config: c}
}

// FakeEndpoint serves h, a wire-level fake of an AWS API the emulator lacks,
// until t ends, and returns a configuration whose clients call it
// (EndpointConfig).
func FakeEndpoint(t testing.TB, h http.Handler, region string) aws.Config {
	server := httptest.NewServer(h)
	t.Cleanup(server.Close)
	return EndpointConfig(server.URL, region)
}

// EndpointConfig is a configuration whose clients call url in region, signed
// with placeholder credentials and never retried, so that a fake's answer
// (or its absence) is what the test sees.
func EndpointConfig(url, region string) aws.Config {
	return aws.Config{Region: region, BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAFAKE", "fake-secret", "")}
}

// ColumnsWithin fails t for any finding whose column keys are not among
// meta's report columns, or that carries another check's identity.
func ColumnsWithin(t testing.TB, meta check.Meta, findings []check.Finding) {
	t.Helper()
	for _, f := range findings {
		if f.CheckID != meta.ID || f.Slug != meta.Slug {
			t.Errorf("finding %q has check %s/%s, want %s/%s", f.ResourceID, f.CheckID, f.Slug, meta.ID, meta.Slug)
		}
		for k := range f.Columns {
			if !slices.Contains(meta.Columns, k) {
				t.Errorf("finding %q has column %q, not one of the spec's %q", f.ResourceID, k, meta.Columns)
			}
		}
	}
}

// ByResource indexes findings by resource ID.
func ByResource(findings []check.Finding) map[string]check.Finding {
	out := map[string]check.Finding{}
	for _, f := range findings {
		out[f.ResourceID] = f
	}
	return out
}
