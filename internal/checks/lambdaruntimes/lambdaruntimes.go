// Package lambdaruntimes finds Lambda functions configured with a runtime that
// is deprecated or will be soon. Deprecated runtimes get no security updates
// or technical support.
//
// Every function version is checked ($LATEST and each published version:
// ListFunctions with FunctionVersion=ALL), because published versions are
// immutable and keep running the runtime they were published with. Runtime
// deprecation dates come from the versioned table in lifecycle.go.
//
// Functions deployed as container images have no managed runtime (the image
// brings its own), so they are not evaluated and produce no finding.
package lambdaruntimes

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// Report columns, named as in the specification.
const (
	colStatus             = "Status"
	colRegion             = "Region"
	colFunctionARN        = "Function ARN"
	colRuntime            = "Runtime"
	colDaysToDeprecation  = "Days to Deprecation"
	colDeprecationDate    = "Deprecation Date"
	colAverageDailyInvoke = "Average Daily Invokes"
	colLastUpdatedTime    = "Last Updated Time"
)

// Meta describes the check, from the specification.
var Meta = check.Meta{
	ID:          "L4dfs2Q4C5",
	Slug:        "lambda-deprecated-runtimes",
	Name:        "AWS Lambda Functions Using Deprecated Runtimes",
	Description: "Checks for Lambda functions that are configured to use a runtime that is approaching deprecation, or is deprecated. Deprecated runtimes are not eligible for security updates or technical support.",
	Criteria: []check.Criterion{
		{Status: check.Red, Text: "The function is running on a runtime that is already deprecated."},
		{Status: check.Yellow, Text: "The function is running on a runtime that will be deprecated within 120 days."},
	},
	RecommendedAction: "If you have functions that are running on a runtime that is approaching deprecation, you should prepare for migration to a supported runtime. For more information, see Runtime support policy. We recommend that you delete earlier function versions that you’re no longer using.",
	Columns:           []string{colStatus, colRegion, colFunctionARN, colRuntime, colDaysToDeprecation, colDeprecationDate, colAverageDailyInvoke, colLastUpdatedTime},
	IAMActions:        []string{"lambda:ListFunctions", "cloudwatch:GetMetricData"},
	Scope:             check.Regional,
	BeyondSpec:        "Runtimes missing from the shipped lifecycle table are reported as error rather than green; the reason names the dates Lambda blocks creating and updating functions on the runtime.",
}

// Check is the catalog entry.
var Check = check.Check{Meta: Meta, Runner: runner{}}

// LambdaAPI is the part of the Lambda client the check calls.
type LambdaAPI interface {
	lambda.ListFunctionsAPIClient
}

// MetricsAPI is the part of the CloudWatch client the check calls.
type MetricsAPI interface {
	cloudwatch.GetMetricDataAPIClient
}

var (
	_ LambdaAPI  = (*lambda.Client)(nil)
	_ MetricsAPI = (*cloudwatch.Client)(nil)
)

const (
	// listPageSize is ListFunctions' largest page (MaxItems 1–50).
	listPageSize = 50
	// queriesPerRequest is GetMetricData's limit of MetricDataQueries per request.
	queriesPerRequest = 500
	// invocationDays is the window averaged for "Average Daily Invokes".
	invocationDays = 14
	// warningDays is the spec's yellow window.
	warningDays = 120
	// latest is the version name of a function's unpublished version.
	latest = "$LATEST"
)

type runner struct{}

func (runner) Run(ctx context.Context, target check.Target) ([]check.Finding, error) {
	now := time.Now()
	functions, err := collect(ctx, lambda.NewFromConfig(target.Config))
	if err != nil {
		return nil, err
	}
	in := Input{Functions: functions}
	in.Invocations, in.MetricsErr = averageDailyInvocations(ctx, newCloudWatch(target.Config), flagged(functions, now), now)
	return evaluate(target, in, now), nil
}

// newCloudWatch returns a CloudWatch client. The current SDK speaks Smithy
// RPCv2 CBOR, which the local emulator does not understand (EMULATOR.md);
// against it, and only against it, the client falls back to the Query
// protocol that CloudWatch also serves.
func newCloudWatch(cfg aws.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		if awsx.CustomEndpoint(cfg) {
			o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
		}
	})
}

// Input is what the check evaluates: every function version in the region
// and, for the flagged ones, their average daily invocations by function ARN.
// MetricsErr is set when the invocation metrics could not be read; the
// runtime statuses stand without them.
type Input struct {
	Functions   []types.FunctionConfiguration
	Invocations map[string]float64
	MetricsErr  error
}

// collect lists every version of every function in the region.
func collect(ctx context.Context, api LambdaAPI) ([]types.FunctionConfiguration, error) {
	var out []types.FunctionConfiguration
	pages := lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{
		FunctionVersion: types.FunctionVersionAll,
		MaxItems:        aws.Int32(listPageSize),
	}, func(o *lambda.ListFunctionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, check.WrapOp("lambda ListFunctions", err)
		}
		out = append(out, page.Functions...)
	}
	return out, nil
}

// flagged returns the functions that will be red or yellow: only those get
// their invocation metrics fetched, which saves calls on large accounts.
func flagged(functions []types.FunctionConfiguration, now time.Time) []types.FunctionConfiguration {
	var out []types.FunctionConfiguration
	for _, fn := range functions {
		if lc, ok := runtimes[string(fn.Runtime)]; ok && statusFor(daysUntil(lc.Deprecation, now)) != check.Green {
			out = append(out, fn)
		}
	}
	return out
}

// averageDailyInvocations reads each function's CloudWatch Invocations over
// the last invocationDays days, up to 500 functions per GetMetricData
// request, and returns the sum divided by the number of days, keyed by ARN.
func averageDailyInvocations(ctx context.Context, api MetricsAPI, functions []types.FunctionConfiguration, now time.Time) (map[string]float64, error) {
	averages := make(map[string]float64, len(functions))
	end := now.UTC().Truncate(time.Minute)
	start := end.AddDate(0, 0, -invocationDays)
	for first := 0; first < len(functions); first += queriesPerRequest {
		batch := functions[first:min(first+queriesPerRequest, len(functions))]
		queries := make([]cwtypes.MetricDataQuery, len(batch))
		arnByID := make(map[string]string, len(batch))
		for i, fn := range batch {
			id := "f" + strconv.Itoa(i)
			arnByID[id] = aws.ToString(fn.FunctionArn)
			averages[aws.ToString(fn.FunctionArn)] = 0
			queries[i] = cwtypes.MetricDataQuery{
				Id: aws.String(id),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{
						Namespace:  aws.String("AWS/Lambda"),
						MetricName: aws.String("Invocations"),
						Dimensions: invocationDimensions(fn),
					},
					Period: aws.Int32(24 * 60 * 60),
					Stat:   aws.String("Sum"),
				},
				ReturnData: aws.Bool(true),
			}
		}
		pages := cloudwatch.NewGetMetricDataPaginator(api, &cloudwatch.GetMetricDataInput{
			MetricDataQueries: queries,
			StartTime:         aws.Time(start),
			EndTime:           aws.Time(end),
		}, func(o *cloudwatch.GetMetricDataPaginatorOptions) { o.StopOnDuplicateToken = true })
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, check.WrapOp("cloudwatch GetMetricData", err)
			}
			// A query's values can span pages: add them up per query.
			for _, r := range page.MetricDataResults {
				arn, ok := arnByID[aws.ToString(r.Id)]
				if !ok {
					continue
				}
				for _, v := range r.Values {
					averages[arn] += v / invocationDays
				}
			}
		}
	}
	return averages, nil
}

// invocationDimensions selects one version's Invocations: Lambda publishes a
// published version's metrics under the "Resource" dimension
// ("name:version"); $LATEST is read from the function-level metric, which is
// where unqualified invocations are counted.
func invocationDimensions(fn types.FunctionConfiguration) []cwtypes.Dimension {
	name := aws.ToString(fn.FunctionName)
	dims := []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(name)}}
	if v := aws.ToString(fn.Version); v != "" && v != latest {
		dims = append(dims, cwtypes.Dimension{Name: aws.String("Resource"), Value: aws.String(name + ":" + v)})
	}
	return dims
}

// daysUntil counts whole UTC calendar days from now's date to deadline's:
// 0 on the deadline itself, negative after it.
func daysUntil(deadline, now time.Time) int {
	today := now.UTC().Truncate(24 * time.Hour)
	return int(deadline.Sub(today).Hours() / 24)
}

// statusFor applies the spec to the days left before deprecation: red once
// the deprecation date is reached, yellow within 120 days, green otherwise.
func statusFor(days int) check.Status {
	switch {
	case days <= 0:
		return check.Red
	case days <= warningDays:
		return check.Yellow
	}
	return check.Green
}

// evaluate reports every function version that has a managed runtime.
func evaluate(target check.Target, in Input, now time.Time) []check.Finding {
	findings := make([]check.Finding, 0, len(in.Functions)+1)
	for _, fn := range in.Functions {
		if fn.Runtime == "" {
			continue // container image: no managed runtime to deprecate
		}
		arn := aws.ToString(fn.FunctionArn)
		columns := map[string]string{
			colFunctionARN:     arn,
			colRuntime:         string(fn.Runtime),
			colLastUpdatedTime: aws.ToString(fn.LastModified),
		}
		lc, known := runtimes[string(fn.Runtime)]
		if !known {
			findings = append(findings, Meta.NewFinding(target, arn, check.Error, fmt.Sprintf(
				"could not evaluate: runtime %q is not in the lifecycle table (checked %s); update internal/checks/lambdaruntimes/lifecycle.go",
				fn.Runtime, lifecycleChecked.Format(time.DateOnly)), columns))
			continue
		}
		days := daysUntil(lc.Deprecation, now)
		status := statusFor(days)
		columns[colDaysToDeprecation] = strconv.Itoa(max(days, 0))
		columns[colDeprecationDate] = lc.Deprecation.Format(time.DateOnly)
		if status != check.Green {
			if avg, ok := in.Invocations[arn]; ok {
				columns[colAverageDailyInvoke] = strconv.FormatFloat(avg, 'f', 2, 64)
			}
		}
		findings = append(findings, Meta.NewFinding(target, arn, status, reason(lc, days), columns))
	}
	if in.MetricsErr != nil {
		findings = append(findings, Meta.ErrorFinding(target, "(invocation metrics)", "cloudwatch GetMetricData", in.MetricsErr))
	}
	return findings
}

func reason(lc runtimeLifecycle, days int) string {
	blocks := ""
	if !lc.BlockUpdate.IsZero() {
		blocks = fmt.Sprintf(" Lambda blocks creating functions on it from %s and updating them from %s.",
			lc.BlockCreate.Format(time.DateOnly), lc.BlockUpdate.Format(time.DateOnly))
	}
	switch status := statusFor(days); status {
	case check.Red:
		return fmt.Sprintf("%s was deprecated on %s (%d days ago): no more security patches or technical support.%s",
			lc.Name, lc.Deprecation.Format(time.DateOnly), -days, blocks)
	case check.Yellow:
		return fmt.Sprintf("%s will be deprecated on %s, in %d days.%s", lc.Name, lc.Deprecation.Format(time.DateOnly), days, blocks)
	}
	return fmt.Sprintf("%s is supported until %s (%d days).", lc.Name, lc.Deprecation.Format(time.DateOnly), days)
}
