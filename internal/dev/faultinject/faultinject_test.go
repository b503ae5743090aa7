package faultinject

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cloudwatchtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/demo/demotest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestMain(m *testing.M) { os.Exit(demotest.Main(m)) }

// TestThrottlingSpeaksEachProtocol sends one call per client the checks use
// through a transport that throttles everything, with one attempt, and
// checks that the SDK decodes the injected answer as that service's
// throttling error and that the production retryer would retry it as
// throttling. No server is needed: nothing gets through.
func TestThrottlingSpeaksEachProtocol(t *testing.T) {
	t.Parallel()
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAFAULT", "secret", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:9"),
		HTTPClient:   New(nil, Options{Rate: 1, Kinds: []Kind{Throttle}}).Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	ctx := context.Background()
	tests := []struct {
		name     string
		protocol Protocol
		wantCode string
		call     func() error
	}{
		{"ec2 DescribeInstances", EC2Query, "RequestLimitExceeded", func() error {
			_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
			return err
		}},
		{"iam ListUsers", AWSQuery, "Throttling", func() error {
			_, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"sts GetCallerIdentity", AWSQuery, "Throttling", func() error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"rds DescribeDBInstances", AWSQuery, "Throttling", func() error {
			_, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
			return err
		}},
		{"elasticloadbalancing DescribeLoadBalancers", AWSQuery, "Throttling", func() error {
			_, err := elasticloadbalancing.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elasticloadbalancing.DescribeLoadBalancersInput{})
			return err
		}},
		{"elasticloadbalancingv2 DescribeLoadBalancers", AWSQuery, "Throttling", func() error {
			_, err := elasticloadbalancingv2.NewFromConfig(cfg).DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{})
			return err
		}},
		{"cloudtrail DescribeTrails", AWSJSON, "ThrottlingException", func() error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}},
		{"ssm GetInventory", AWSJSON, "ThrottlingException", func() error {
			_, err := ssm.NewFromConfig(cfg).GetInventory(ctx, &ssm.GetInventoryInput{})
			return err
		}},
		{"cloudwatch GetMetricData", RPCv2CBOR, "Throttling", func() error {
			_, err := cloudwatch.NewFromConfig(cfg).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(time.Unix(0, 0)), EndTime: aws.Time(time.Unix(3600, 0)),
				MetricDataQueries: []cloudwatchtypes.MetricDataQuery{{Id: aws.String("q"), Expression: aws.String("SUM(METRICS())")}},
			})
			return err
		}},
		{"lambda ListFunctions", RESTJSON, "TooManyRequestsException", func() error {
			_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
			return err
		}},
		{"route53 ListHostedZones", RESTXML, "Throttling", func() error {
			_, err := route53.NewFromConfig(cfg).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
			return err
		}},
		{"cloudfront ListDistributions", RESTXML, "Throttling", func() error {
			_, err := cloudfront.NewFromConfig(cfg).ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
			return err
		}},
		{"s3 ListBuckets", S3XML, "SlowDown", func() error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
		{"s3control GetPublicAccessBlock", RESTXML, "SlowDown", func() error {
			_, err := s3control.NewFromConfig(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("123456789012")})
			return err
		}},
	}
	throttles := retry.IsErrorThrottles(retry.DefaultThrottles)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call()
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v (%T), want an API error %s", err, err, tt.wantCode)
			}
			if apiErr.ErrorCode() != tt.wantCode && !(tt.protocol == RESTXML && strings.HasPrefix(tt.name, "s3control") && apiErr.ErrorCode() == "Throttling") {
				t.Errorf("code = %q, want %q (error %v)", apiErr.ErrorCode(), tt.wantCode, err)
			}
			if throttles.IsErrorThrottle(err) != aws.TrueTernary {
				t.Errorf("the retryer does not see %v as throttling", err)
			}
			if !awsx.Is(err, awsx.KindThrottled) {
				t.Errorf("awsx.Classify(%v) = %q, want %q", err, awsx.Classify(err), awsx.KindThrottled)
			}
		})
	}
}

// TestOtherFaultsAreRetryable checks that the retryer retries the other
// injected faults: empty 500 and 503 answers and connection resets.
func TestOtherFaultsAreRetryable(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{ServerError, Unavailable, Reset} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			transport := New(nil, Options{Rate: 1, Kinds: []Kind{kind}})
			cfg := aws.Config{
				Region:       "us-east-1",
				Credentials:  credentials.NewStaticCredentialsProvider("AKIAFAULT", "secret", ""),
				BaseEndpoint: aws.String("http://127.0.0.1:9"),
				HTTPClient:   transport.Client(),
				Retryer: func() aws.Retryer {
					return retry.NewStandard(func(o *retry.StandardOptions) {
						o.MaxAttempts = 3
						o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
					})
				},
			}
			_, err := iam.NewFromConfig(cfg).ListUsers(context.Background(), &iam.ListUsersInput{})
			if err == nil {
				t.Fatal("ListUsers succeeded through a transport that fails everything")
			}
			if got := transport.Requests(); got != 3 {
				t.Errorf("%s: %d attempts, want 3 (the fault must be retried); error %v", kind, got, err)
			}
		})
	}
}

// TestTransportIsDeterministic checks that the same seed injects the same
// faults in the same order of requests.
func TestTransportIsDeterministic(t *testing.T) {
	t.Parallel()
	draws := func() []string {
		tr := New(nil, Options{Rate: 0.3, Seed: 42})
		var out []string
		for range 200 {
			k, d := tr.draw()
			out = append(out, fmt.Sprintf("%s/%v", k, d))
		}
		return out
	}
	a, b := draws(), draws()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Error("two transports with the same seed drew different faults")
	}
	n := 0
	for _, d := range a {
		if d != "/0s" {
			n++
		}
	}
	if n < 40 || n > 80 {
		t.Errorf("%d faults in 200 requests at rate 0.3, want about 60", n)
	}
}

// volatileColumns are columns whose value the emulator changes on every
// call, masked before comparing: moto reports the time of the
// GetTrailStatus request as a logging trail's LatestDeliveryTime.
var volatileColumns = map[string]bool{"Last Delivery Date": true}

// findingLine is everything a finding says, for comparison.
func findingLine(f check.Finding) string {
	cols := make([]string, 0, len(f.Columns))
	for k, v := range f.Columns {
		if volatileColumns[k] && v != "" {
			v = "(set)"
		}
		cols = append(cols, k+"="+v)
	}
	sort.Strings(cols)
	return strings.Join([]string{f.CheckID, f.Region, f.ResourceID, string(f.Status), f.Reason, strings.Join(cols, "|")}, "\t")
}

func scanLines(ctx context.Context, cfg aws.Config, account string) []string {
	jobs := scan.Plan(checks.All(), []string{account}, demo.Regions, time.Now())
	var lines []string
	for _, f := range scan.Run(ctx, cfg, jobs, scan.Options{Concurrency: 4}) {
		lines = append(lines, findingLine(f))
	}
	sort.Strings(lines)
	return lines
}

// TestScanUnderFaultsLosesNothing scans the demo account with every
// implemented check twice: straight, then through a transport that faults
// 20 % of requests (throttling in each protocol, empty 500/503, connection
// resets, latency) with the production retryer (awsx.Retryer). The findings
// must be identical, field for field.
//
// Not covered: the Well-Architected, Health and SSM inventory fakes answer
// inside the SDK's middleware stack (internal/emulator), before the HTTP
// client, so their calls never meet the transport.
func TestScanUnderFaultsLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := demotest.Account(t)

	cleanRecorder := awsx.NewRecorder()
	cleanCfg := cleanRecorder.Counting(cfg)
	start := time.Now()
	want := scanLines(ctx, cleanCfg, account)
	clean := time.Since(start)
	for _, l := range want {
		if strings.Contains(l, "\terror\t") {
			t.Fatalf("the fault-free scan has an error finding, so the comparison proves little: %s", l)
		}
	}

	transport := New(nil, Options{Rate: 0.2, Seed: 20})
	recorder := awsx.NewRecorder()
	faulty := recorder.Counting(cfg)
	faulty.HTTPClient = transport.Client()
	faulty.Retryer = awsx.Retryer
	start = time.Now()
	got := scanLines(ctx, faulty, account)
	faultyTime := time.Since(start)

	totals := func(r *awsx.Recorder) (calls, attempts, callErrors int) {
		for _, c := range r.Counts() {
			calls += c.Calls
			attempts += c.Attempts
			callErrors += c.Errors
		}
		return calls, attempts, callErrors
	}
	calls, attempts, callErrors := totals(recorder)
	cleanCalls, cleanAttempts, cleanErrors := totals(cleanRecorder)
	t.Logf("fault-free scan: %d findings in %v; faulty scan: %d findings in %v", len(want), clean.Round(time.Millisecond), len(got), faultyTime.Round(time.Millisecond))
	t.Logf("transport: %d requests, %d faults injected %v", transport.Requests(), transport.Total(), transport.Injected())
	t.Logf("recorder, fault-free: %d calls, %d attempts, %d calls answered an error (expected ones: no policy, no public access block...)", cleanCalls, cleanAttempts, cleanErrors)
	t.Logf("recorder, faulty: %d calls, %d attempts (%d retries), %d calls answered an error", calls, attempts, attempts-calls, callErrors)

	if callErrors != cleanErrors {
		t.Errorf("%d calls failed under faults, %d without: a fault outlived the retries", callErrors, cleanErrors)
	}
	if transport.Total() < transport.Requests()/10 {
		t.Errorf("only %d faults were injected: the test proves little", transport.Total())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings differ under faults:\n%s", diff(want, got))
	}
}

// diff lists the lines only in want (-) and only in got (+).
func diff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var out []string
	for l, n := range count {
		switch {
		case n > 0:
			out = append(out, "- "+l)
		case n < 0:
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
