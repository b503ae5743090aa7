package lambdaruntimes

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

const testARN = "arn:aws:lambda:eu-west-1:111122223333:function:orders"

// at is an evaluator test's target in eu-west-1, scanned at scanTime.
func at(scanTime time.Time) check.Target { return checktest.TargetAt("eu-west-1", scanTime) }

func function(runtime types.Runtime) types.FunctionConfiguration {
	return types.FunctionConfiguration{
		FunctionName: aws.String("orders"),
		FunctionArn:  aws.String(testARN),
		Runtime:      runtime,
		Version:      aws.String(latest),
		PackageType:  types.PackageTypeZip,
		LastModified: aws.String("2026-01-15T10:00:00.000+0000"),
	}
}

// TestEvaluateBoundaries walks now across nodejs22.x's deprecation date
// (2027-04-30): 121 days before is green, 120 and 119 yellow, the day itself
// and after red. The time of day does not matter: days are UTC calendar days.
func TestEvaluateBoundaries(t *testing.T) {
	t.Parallel()
	deprecation := lifecycle.runtimes["nodejs22.x"].Deprecation
	tests := []struct {
		name     string
		now      time.Time
		want     check.Status
		wantDays string
	}{
		{"121 days before", deprecation.AddDate(0, 0, -121), check.Green, "121"},
		{"121 days before, late evening", deprecation.AddDate(0, 0, -121).Add(23*time.Hour + 59*time.Minute), check.Green, "121"},
		{"120 days before", deprecation.AddDate(0, 0, -120), check.Yellow, "120"},
		{"119 days before", deprecation.AddDate(0, 0, -119), check.Yellow, "119"},
		{"1 day before, last second", deprecation.Add(-time.Second), check.Yellow, "1"},
		{"on the deprecation date", deprecation, check.Red, "0"},
		{"a year after", deprecation.AddDate(1, 0, 0), check.Red, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Functions: []types.FunctionConfiguration{function("nodejs22.x")}, Invocations: map[string]float64{"orders": 12.5}}
			got := evaluate(at(tt.now), in)
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(now=%s) = %d findings, want 1", tt.now, len(got))
			}
			f := got[0]
			if f.Status != tt.want || f.Columns["Days to Deprecation"] != tt.wantDays {
				t.Errorf("evaluate(now=%s) = %s with %s days, want %s with %s days (reason %q)", tt.now, f.Status, f.Columns["Days to Deprecation"], tt.want, tt.wantDays, f.Reason)
			}
			if f.Columns["Deprecation Date"] != "2027-04-30" || f.Columns["Runtime"] != "nodejs22.x" || f.Columns["Function ARN"] != testARN || f.Columns["Last Updated Time"] == "" {
				t.Errorf("evaluate(now=%s) columns = %v, want ARN, runtime, deprecation date and last update", tt.now, f.Columns)
			}
			// Invocations are only fetched, hence only shown, for flagged functions.
			wantInvokes := "12.50"
			if tt.want == check.Green {
				wantInvokes = ""
			}
			if f.Columns["Average Daily Invokes"] != wantInvokes {
				t.Errorf("evaluate(now=%s) average daily invokes = %q, want %q", tt.now, f.Columns["Average Daily Invokes"], wantInvokes)
			}
		})
	}
}

func TestEvaluateCases(t *testing.T) {
	t.Parallel()
	now := day(2026, time.December, 1)
	image := function("")
	image.PackageType = types.PackageTypeImage
	tests := []struct {
		name       string
		in         Input
		want       []check.Status
		wantReason string
	}{
		{"no functions: nothing to evaluate", Input{}, nil, ""},
		{"container image: no managed runtime, no finding", Input{Functions: []types.FunctionConfiguration{image}}, nil, ""},
		{"deprecated runtime", Input{Functions: []types.FunctionConfiguration{function("python3.9")}}, []check.Status{check.Red}, "deprecated on 2025-12-15"},
		{"runtime newer than the data: error, never green", Input{Functions: []types.FunctionConfiguration{function("python3.99")}}, []check.Status{check.Error}, "not in the Lambda runtime lifecycle data (as of 2026-12-01)"},
		{"metrics unreadable: statuses stand, one error names the operation",
			Input{Functions: []types.FunctionConfiguration{function("python3.9")}, MetricsErr: check.WrapOp("cloudwatch GetMetricData", errors.New("boom"))},
			[]check.Status{check.Red, check.Error}, "deprecated"},
		{"aliases unreadable: statuses stand, one error names the operation",
			Input{Functions: []types.FunctionConfiguration{function("python3.9")}, MetricsErr: check.WrapOp("lambda ListAliases", errors.New("boom"))},
			[]check.Status{check.Red, check.Error}, "deprecated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(at(now), tt.in)
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != len(tt.want) {
				t.Fatalf("evaluate(%s) = %+v, want statuses %v", tt.name, got, tt.want)
			}
			for i, f := range got {
				if f.Status != tt.want[i] {
					t.Errorf("evaluate(%s)[%d] = %s, want %s (reason %q)", tt.name, i, f.Status, tt.want[i], f.Reason)
				}
			}
			if len(got) > 0 && !strings.Contains(got[0].Reason, tt.wantReason) {
				t.Errorf("evaluate(%s) reason = %q, want it to mention %q", tt.name, got[0].Reason, tt.wantReason)
			}
			if tt.in.MetricsErr != nil {
				var opErr *check.OpError
				errors.As(tt.in.MetricsErr, &opErr)
				if last := got[len(got)-1]; last.ResourceID != "(invocation metrics)" || !strings.Contains(last.Reason, opErr.Op) {
					t.Errorf("evaluate(%s) metrics finding = %+v, want \"(invocation metrics)\" naming %q", tt.name, last, opErr.Op)
				}
			}
		})
	}
}

// orders returns version of the function "orders" on runtime.
func orders(runtime types.Runtime, version string) types.FunctionConfiguration {
	fn := function(runtime)
	fn.Version = aws.String(version)
	if version != latest {
		fn.FunctionArn = aws.String(testARN + ":" + version)
	}
	return fn
}

// alias is an alias of "orders" as ListAliases returns it; weights are
// RoutingConfig.AdditionalVersionWeights (nil: no routing configuration).
func alias(name, version string, weights map[string]float64) types.AliasConfiguration {
	a := types.AliasConfiguration{
		Name:            aws.String(name),
		AliasArn:        aws.String(testARN + ":" + name),
		FunctionVersion: aws.String(version),
	}
	if weights != nil {
		a.RoutingConfig = &types.AliasRoutingConfiguration{AdditionalVersionWeights: weights}
	}
	return a
}

// TestAliasInvocationsCountTowardTheirVersion (issue 13, item 11): Lambda
// records an invocation through an alias under Resource "name:alias", not
// under the version it runs; a version's Average Daily Invokes add what the
// aliases routing to it carried. The weighted case is evaluator-level data
// shaped like ListAliases' AliasConfiguration (RoutingConfig with
// AdditionalVersionWeights), which the emulator test does not cover.
func TestAliasInvocationsCountTowardTheirVersion(t *testing.T) {
	t.Parallel()
	now := day(2026, time.December, 1) // python3.9 is red
	v1, v2, head := orders("python3.9", "1"), orders("python3.9", "2"), orders("python3.9", latest)
	tests := []struct {
		name        string
		versions    []types.FunctionConfiguration
		aliases     []types.AliasConfiguration
		invocations map[string]float64
		want        map[string]string // average daily invokes by ARN
		wantNote    map[string]string // part of the reason, by ARN
	}{
		{
			name:        "no alias: the version's own",
			versions:    []types.FunctionConfiguration{v1},
			invocations: map[string]float64{"orders:1": 3},
			want:        map[string]string{testARN + ":1": "3.00"},
		},
		{
			name:        "alias to the version: summed in",
			versions:    []types.FunctionConfiguration{v1},
			aliases:     []types.AliasConfiguration{alias("live", "1", nil)},
			invocations: map[string]float64{"orders:1": 3, "orders:live": 40},
			want:        map[string]string{testARN + ":1": "43.00"},
			wantNote:    map[string]string{testARN + ":1": "include the invocations through alias live."},
		},
		{
			name:        "two aliases to the version, one elsewhere",
			versions:    []types.FunctionConfiguration{v1},
			aliases:     []types.AliasConfiguration{alias("live", "1", nil), alias("prod", "1", nil), alias("next", "7", nil)},
			invocations: map[string]float64{"orders:1": 1, "orders:live": 10, "orders:prod": 100},
			want:        map[string]string{testARN + ":1": "111.00"},
			wantNote:    map[string]string{testARN + ":1": "the invocations through alias live and the invocations through alias prod."},
		},
		{
			name:        "weighted alias: split by its current weights",
			versions:    []types.FunctionConfiguration{v1, v2},
			aliases:     []types.AliasConfiguration{alias("canary", "1", map[string]float64{"2": 0.1})},
			invocations: map[string]float64{"orders:1": 0, "orders:2": 0, "orders:canary": 50},
			want:        map[string]string{testARN + ":1": "45.00", testARN + ":2": "5.00"},
			wantNote: map[string]string{
				testARN + ":1": "an estimated 90% of the invocations through alias canary (its current routing weight for this version)",
				testARN + ":2": "include an estimated 10% of the invocations through alias canary",
			},
		},
		{
			name:        "alias metric not read: no figure rather than an undercount",
			versions:    []types.FunctionConfiguration{v1},
			aliases:     []types.AliasConfiguration{alias("live", "1", nil)},
			invocations: map[string]float64{"orders:1": 3},
			want:        map[string]string{testARN + ":1": ""},
		},
		{
			name:        "$LATEST: the function-level metric, which already counts alias invocations",
			versions:    []types.FunctionConfiguration{head},
			aliases:     []types.AliasConfiguration{alias("dev", latest, nil)},
			invocations: map[string]float64{"orders": 9, "orders:dev": 4},
			want:        map[string]string{testARN: "9.00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Functions: tt.versions, Aliases: map[string][]types.AliasConfiguration{"orders": tt.aliases}, Invocations: tt.invocations}
			got := checktest.ByResource(evaluate(at(now), in))
			for arn, want := range tt.want {
				f := got[arn]
				if f.Columns["Average Daily Invokes"] != want {
					t.Errorf("aliases %+v, invocations %v: %s average daily invokes = %q, want %q (reason %q)", tt.aliases, tt.invocations, arn, f.Columns["Average Daily Invokes"], want, f.Reason)
				}
				note := tt.wantNote[arn]
				if (note == "" && strings.Contains(f.Reason, "through")) || !strings.Contains(f.Reason, note) {
					t.Errorf("aliases %+v: %s reason = %q, want it to say %q", tt.aliases, arn, f.Reason, note)
				}
			}
		})
	}
}

// TestInvocationSeries checks which metrics are read: each flagged version's
// own, and only the aliases that route some traffic to a flagged published
// version.
func TestInvocationSeries(t *testing.T) {
	t.Parallel()
	flaggedVersions := []types.FunctionConfiguration{orders("python3.9", latest), orders("python3.9", "1"), orders("python3.9", "2")}
	aliases := map[string][]types.AliasConfiguration{"orders": {
		alias("live", "1", nil),
		alias("canary", "5", map[string]float64{"2": 0.2}),
		alias("other", "5", nil),
		alias("dev", latest, nil),
	}}
	var got []string
	for _, s := range invocationSeries(flaggedVersions, aliases) {
		var dims []string
		for _, d := range s.dimensions {
			dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
		}
		got = append(got, s.resource+" "+strings.Join(dims, ","))
	}
	want := []string{
		"orders FunctionName=orders",
		"orders:1 FunctionName=orders,Resource=orders:1",
		"orders:2 FunctionName=orders,Resource=orders:2",
		"orders:live FunctionName=orders,Resource=orders:live",
		"orders:canary FunctionName=orders,Resource=orders:canary",
	}
	if !slices.Equal(got, want) {
		t.Errorf("invocationSeries(%d versions, aliases live→1, canary→5+2, other→5, dev→$LATEST) = %q, want %q", len(flaggedVersions), got, want)
	}
}

// countingMetrics answers GetMetricData with one value of 14 per query and
// counts requests and the largest batch seen.
type countingMetrics struct {
	requests, largest atomic.Int32
}

func (c *countingMetrics) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	c.requests.Add(1)
	if n := int32(len(in.MetricDataQueries)); n > c.largest.Load() {
		c.largest.Store(n)
	}
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		out.MetricDataResults = append(out.MetricDataResults, cwtypes.MetricDataResult{Id: q.Id, Values: []float64{14}})
	}
	return out, nil
}

func TestMetricsAreBatched(t *testing.T) {
	t.Parallel()
	series := make([]metricSeries, 501)
	for i := range series {
		fn := types.FunctionConfiguration{FunctionName: aws.String(fmt.Sprintf("fn%d", i)), Version: aws.String(latest)}
		series[i] = metricSeries{resource: metricResource(fn), dimensions: invocationDimensions(fn)}
	}
	metrics := &countingMetrics{}
	got, err := averageDailyInvocations(context.Background(), metrics, series, time.Now())
	if err != nil {
		t.Fatalf("averageDailyInvocations: %v", err)
	}
	if metrics.requests.Load() != 2 || metrics.largest.Load() != queriesPerRequest {
		t.Errorf("501 series took %d requests (largest %d queries), want 2 (largest 500)", metrics.requests.Load(), metrics.largest.Load())
	}
	if len(got) != 501 || got["fn500"] != 1 {
		t.Errorf("averages = %d entries, fn500 = %v, want 501 entries and 14/14 = 1", len(got), got["fn500"])
	}
}

// zipped returns a deployment package with one handler file.
func zipped(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "def handler(event, context):\n    return 'ok'\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seed creates, as a real account would have them, a function on a
// deprecated runtime with one published version and an alias "live" to it,
// and one on a current runtime; it records Invocations for the deprecated
// one's $LATEST (70 over the window), version 1 (28) and the alias (42). It
// returns the ARNs by name.
func seed(t *testing.T, cfg aws.Config, region string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cfg = awsx.InRegion(cfg, region)
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("lambda-exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatalf("create role: %v", err)
	}
	client := lambda.NewFromConfig(cfg)
	arns := map[string]string{}
	for name, runtime := range map[string]types.Runtime{"legacy-report": types.RuntimePython39, "checkout": types.RuntimeNodejs22x} {
		out, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: runtime, Role: role.Role.Arn, Handler: aws.String("index.handler"),
			Code: &types.FunctionCode{ZipFile: zipped(t)},
		})
		if err != nil {
			t.Fatalf("create function %s: %v", name, err)
		}
		arns[name] = aws.ToString(out.FunctionArn)
	}
	v1, err := client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("legacy-report")})
	if err != nil {
		t.Fatalf("publish version: %v", err)
	}
	arns["legacy-report:1"] = aws.ToString(v1.FunctionArn)
	if _, err := client.CreateAlias(ctx, &lambda.CreateAliasInput{
		FunctionName: aws.String("legacy-report"), Name: aws.String("live"), FunctionVersion: v1.Version,
	}); err != nil {
		t.Fatalf("create alias: %v", err)
	}

	now := time.Now().UTC()
	var data []cwtypes.MetricDatum
	for _, d := range []struct {
		dims  []cwtypes.Dimension
		value float64
		ago   time.Duration
	}{
		{[]cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("legacy-report")}}, 50, 3 * 24 * time.Hour},
		{[]cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("legacy-report")}}, 20, 10 * 24 * time.Hour},
		// Outside the 14-day window: not counted.
		{[]cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("legacy-report")}}, 1000, 20 * 24 * time.Hour},
		{[]cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("legacy-report")}, {Name: aws.String("Resource"), Value: aws.String("legacy-report:1")}}, 28, 24 * time.Hour},
		// Invocations through the alias live, which points to version 1.
		{[]cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String("legacy-report")}, {Name: aws.String("Resource"), Value: aws.String("legacy-report:live")}}, 42, 2 * 24 * time.Hour},
	} {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Invocations"), Dimensions: d.dims, Value: aws.Float64(d.value), Timestamp: aws.Time(now.Add(-d.ago)), Unit: cwtypes.StandardUnitCount})
	}
	if _, err := cloudwatch.NewFromConfig(cfg).PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: data}); err != nil {
		t.Fatalf("put metric data: %v", err)
	}
	return arns
}

// findingFor looks a function up by the unqualified ARN CreateFunction
// returned: ListFunctions with FunctionVersion=ALL may qualify $LATEST
// ("…:function:name:$LATEST"), as the emulator does.
func findingFor(byID map[string]check.Finding, arn string) (check.Finding, bool) {
	if f, ok := byID[arn]; ok {
		return f, true
	}
	f, ok := byID[arn+":"+latest]
	return f, ok
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	arns := seed(t, cfg, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	byID := checktest.ByResource(findings)
	// Three versions in eu-west-1 (legacy-report $LATEST and 1, checkout $LATEST), nothing in us-east-1.
	if len(findings) != 3 {
		t.Fatalf("got %d findings, want 3: %+v", len(findings), findings)
	}
	want := []struct {
		arn     string
		status  check.Status
		invokes string
	}{
		{arns["legacy-report"], check.Red, "5.00"},   // (50+20)/14
		{arns["legacy-report:1"], check.Red, "5.00"}, // (28 + 42 through alias live)/14
		{arns["checkout"], check.Green, ""},          // not flagged: metrics not fetched
	}
	for _, w := range want {
		got, ok := findingFor(byID, w.arn)
		if !ok {
			t.Errorf("no finding for %s; findings: %v", w.arn, byID)
			continue
		}
		if got.Status != w.status || got.Columns["Average Daily Invokes"] != w.invokes || got.Region != "eu-west-1" {
			t.Errorf("finding %s = %s, invokes %q, region %s; want %s, invokes %q, eu-west-1 (reason %q)", w.arn, got.Status, got.Columns["Average Daily Invokes"], got.Region, w.status, w.invokes, got.Reason)
		}
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("Lambda", "ListFunctions", 2, "one page per region"),
		checktest.Call("CloudWatch", "GetMetricData", 1, "only eu-west-1 has flagged functions: one batched request for the three series ($LATEST, version 1, alias live)"),
		checktest.Call("Lambda", "ListAliases", 1, "only legacy-report has a flagged published version"))
	if got, _ := findingFor(byID, arns["legacy-report:1"]); !strings.Contains(got.Reason, "through alias live") || !strings.Contains(got.Reason, "Lifecycle data as of "+lifecycleDataset().AsOf) {
		t.Errorf("legacy-report:1 reason = %q, want it to name alias live and the lifecycle data's date", got.Reason)
	}
}

// TestUnreadableMetricsKeepTheStatuses: when the aliases or the metrics
// cannot be read, the runtime statuses stand without invocation figures and
// one error finding names the operation and the error code. (A denied
// ListFunctions is the whole job's error: internal/failclosed checks that
// for every operation.)
func TestUnreadableMetricsKeepTheStatuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	arns := seed(t, cfg, "us-east-1")
	for _, denied := range []struct{ operation, op string }{
		{"GetMetricData", "cloudwatch GetMetricData"},
		{"ListAliases", "lambda ListAliases"},
	} {
		t.Run(denied.operation, func(t *testing.T) {
			findings := scan.RunJob(ctx, emutest.Deny(cfg, denied.operation), scan.Job{Check: Check, Account: account, Region: "us-east-1"}, 0)
			byID := checktest.ByResource(findings)
			for _, name := range []string{"legacy-report", "legacy-report:1"} {
				if got, _ := findingFor(byID, arns[name]); got.Status != check.Red || got.Columns["Average Daily Invokes"] != "" {
					t.Errorf("%s denied: %s = %+v, want red without invocations", denied.operation, name, got)
				}
			}
			metrics := byID["(invocation metrics)"]
			if metrics.Status != check.Error || !strings.Contains(metrics.Reason, denied.op) || !strings.Contains(metrics.Reason, "AccessDenied") {
				t.Errorf("%s denied: metrics finding = %+v, want an error naming %s and AccessDenied", denied.operation, metrics, denied.op)
			}
		})
	}
}

// pagedLambda answers ListFunctions and ListAliases in the pages given, as
// Lambda pages (Marker in, NextMarker out).
type pagedLambda struct {
	functions [][]types.FunctionConfiguration
	aliases   [][]types.AliasConfiguration
}

func (f *pagedLambda) ListFunctions(_ context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	items, next := checktest.Page(f.functions, in.Marker)
	return &lambda.ListFunctionsOutput{Functions: items, NextMarker: next}, nil
}

func (f *pagedLambda) ListAliases(_ context.Context, in *lambda.ListAliasesInput, _ ...func(*lambda.Options)) (*lambda.ListAliasesOutput, error) {
	items, next := checktest.Page(f.aliases, in.Marker)
	return &lambda.ListAliasesOutput{Aliases: items, NextMarker: next}, nil
}

// pagedMetrics answers each GetMetricData request in two pages: the first
// names every query with no values yet, the second gives each query the
// value 28 (2 a day over the 14-day window).
type pagedMetrics struct{}

func (pagedMetrics) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		r := cwtypes.MetricDataResult{Id: q.Id}
		if in.NextToken != nil {
			r.Values = []float64{28}
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	if in.NextToken == nil {
		out.NextToken = aws.String("2")
	}
	return out, nil
}

// TestCollectReadsEveryPage: the deprecated version is on ListFunctions'
// second page, the alias that routes to it on ListAliases' second page, and
// every metric value on GetMetricData's second page. Dropping any second
// page loses the red finding or part of its Average Daily Invokes.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	now := day(2026, time.December, 1) // python3.9 is red, nodejs22.x green
	api := &pagedLambda{
		functions: [][]types.FunctionConfiguration{{function("nodejs22.x")}, {orders("python3.9", "1")}},
		aliases:   [][]types.AliasConfiguration{{alias("next", "7", nil)}, {alias("live", "1", nil)}},
	}
	in, err := collect(context.Background(), api, pagedMetrics{}, now)
	if err != nil || in.MetricsErr != nil {
		t.Fatalf("collect: %v, metrics: %v", err, in.MetricsErr)
	}
	got := checktest.ByResource(evaluate(at(now), in))
	// 2 a day of its own and 2 a day through alias live.
	if f := got[testARN+":1"]; f.Status != check.Red || f.Columns["Average Daily Invokes"] != "4.00" {
		t.Errorf("orders:1 = %s with %q daily invokes (reason %q), want red with 4.00", f.Status, f.Columns["Average Daily Invokes"], f.Reason)
	}
}

// day is 00:00 UTC on the given date.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}
