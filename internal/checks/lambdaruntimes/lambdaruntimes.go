// Package lambdaruntimes finds Lambda functions configured with a runtime that
// is deprecated or will be soon. Deprecated runtimes get no security updates
// or technical support.
//
// Every function version is checked ($LATEST and each published version:
// ListFunctions with FunctionVersion=ALL), because published versions are
// immutable and keep running the runtime they were published with. Runtime
// deprecation dates come from the embedded lifecycle.json, which names its
// source and the day it was read; a runtime it does not know is an error,
// never green.
//
// Functions deployed as container images have no managed runtime (the image
// brings its own), so they are not evaluated and produce no finding.
package lambdaruntimes

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("L4dfs2Q4C5", check.Meta{
	Slug:       "lambda-deprecated-runtimes",
	IAMActions: []string{"lambda:ListFunctions", "lambda:ListAliases", "cloudwatch:GetMetricData"},
	Scope:      check.Regional,
	BeyondSpec: "Runtimes missing from the shipped lifecycle data are reported as error rather than green; reasons name the day the lifecycle data was read and the dates Lambda blocks creating and updating functions on the runtime. " +
		"A published version's Average Daily Invokes include the invocations made through the aliases that route to it (a weighted alias's by its current routing weight, said so in the reason).",
	Data: []check.Dataset{lifecycleDataset()},
	// Triggers: creating a function, changing its runtime, publishing a
	// version (UpdateFunctionCode can publish one) or deleting a function or
	// version adds, changes or removes a function version; deprecation dates
	// are judged on the schedule. Lambda records versioned event names, as in
	// the events DataDog/serverless-remote-instrumentation matches
	// (CreateFunction20150331, UpdateFunctionConfiguration20150331v2).
	Triggers: []check.Trigger{
		{Source: "lambda.amazonaws.com", Names: []string{
			"CreateFunction20150331", "UpdateFunctionConfiguration20150331v2", "UpdateFunctionCode20150331v2",
			"PublishVersion20150331", "DeleteFunction20150331",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// LambdaAPI is the part of the Lambda client the check calls.
type LambdaAPI interface {
	lambda.ListFunctionsAPIClient
	lambda.ListAliasesAPIClient
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
	// aliasPageSize is ListAliases' largest page (MaxItems 1–10000).
	aliasPageSize = 10000
	// queriesPerRequest is GetMetricData's limit of MetricDataQueries per request.
	queriesPerRequest = 500
	// invocationDays is the window averaged for "Average Daily Invokes".
	invocationDays = 14
	// warningDays is the spec's yellow window.
	warningDays = 120
	// latest is the version name of a function's unpublished version.
	latest = "$LATEST"
)

// collectFrom collects with clients made from the target's configuration,
// as of the scan's time. Lifecycle data that did not parse makes every job
// an error.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	if lifecycleErr != nil {
		return Input{}, lifecycleErr
	}
	return collect(ctx, lambda.NewFromConfig(target.Config), cloudwatch.NewFromConfig(target.Config), target.ScanTime)
}

// Input is what the check evaluates: every function version in the region
// and, for the flagged ones, what their invocations are made of.
//
// Invocations holds average daily Invocations by CloudWatch resource: the
// function name for $LATEST (the function-level metric), "name:version" for
// a published version, "name:alias" for an alias. Aliases lists, by function
// name, the aliases of each function with a flagged published version: an
// invocation through an alias is recorded under the alias, not under the
// version it runs. MetricsErr is set when either could not be read; the
// runtime statuses stand without them.
type Input struct {
	Functions   []types.FunctionConfiguration
	Aliases     map[string][]types.AliasConfiguration
	Invocations map[string]float64
	MetricsErr  error
}

// collect lists every version of every function in the region and, for the
// versions flagged at now, what their invocations are made of. A failure to
// list the functions is the region's; a failure to read the invocations
// leaves the runtime statuses standing (Input.MetricsErr).
func collect(ctx context.Context, lambdaAPI LambdaAPI, metricsAPI MetricsAPI, now time.Time) (Input, error) {
	functions, err := listFunctions(ctx, lambdaAPI)
	if err != nil {
		return Input{}, err
	}
	in := Input{Functions: functions}
	in.Aliases, in.Invocations, in.MetricsErr = collectInvocations(ctx, lambdaAPI, metricsAPI, flagged(functions, lifecycle, now), now)
	return in, nil
}

// listFunctions lists every version of every function in the region.
func listFunctions(ctx context.Context, api LambdaAPI) ([]types.FunctionConfiguration, error) {
	pages := lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{
		FunctionVersion: types.FunctionVersionAll,
		MaxItems:        aws.Int32(listPageSize),
	}, func(o *lambda.ListFunctionsPaginatorOptions) { o.StopOnDuplicateToken = true })
	out, err := awsx.AllPages(ctx, pages, func(p *lambda.ListFunctionsOutput) []types.FunctionConfiguration { return p.Functions })
	return out, check.WrapOp("lambda ListFunctions", err)
}

// flagged returns the functions that will be red or yellow: only those get
// their invocation metrics fetched, which saves calls on large accounts.
func flagged(functions []types.FunctionConfiguration, table lifecycleTable, now time.Time) []types.FunctionConfiguration {
	var out []types.FunctionConfiguration
	for _, fn := range functions {
		if lc, ok := table.runtimes[string(fn.Runtime)]; ok && statusFor(daysUntil(lc.Deprecation, now)) != check.Green {
			out = append(out, fn)
		}
	}
	return out
}

// collectInvocations reads what the flagged versions' Average Daily Invokes
// are made of: the aliases of every function with a flagged published
// version, then the Invocations of each flagged version and of each alias
// that routes to one.
func collectInvocations(ctx context.Context, lambdaAPI LambdaAPI, metricsAPI MetricsAPI, flagged []types.FunctionConfiguration, now time.Time) (map[string][]types.AliasConfiguration, map[string]float64, error) {
	aliases, err := listAliases(ctx, lambdaAPI, flagged)
	if err != nil {
		return nil, nil, err
	}
	invocations, err := averageDailyInvocations(ctx, metricsAPI, invocationSeries(flagged, aliases), now)
	if err != nil {
		return nil, nil, err
	}
	return aliases, invocations, nil
}

// listAliases lists, by function name, the aliases of each function that
// has a flagged published version. $LATEST needs none: its figure is the
// function-level metric, which already counts invocations through aliases.
func listAliases(ctx context.Context, api LambdaAPI, flagged []types.FunctionConfiguration) (map[string][]types.AliasConfiguration, error) {
	out := map[string][]types.AliasConfiguration{}
	for _, fn := range flagged {
		name := aws.ToString(fn.FunctionName)
		if _, done := out[name]; done || isLatest(fn) {
			continue
		}
		pages := lambda.NewListAliasesPaginator(api, &lambda.ListAliasesInput{
			FunctionName: aws.String(name),
			MaxItems:     aws.Int32(aliasPageSize),
		}, func(o *lambda.ListAliasesPaginatorOptions) { o.StopOnDuplicateToken = true })
		aliases, err := awsx.AllPages(ctx, pages, func(p *lambda.ListAliasesOutput) []types.AliasConfiguration { return p.Aliases })
		if err != nil {
			return nil, check.WrapOp("lambda ListAliases", err)
		}
		out[name] = aliases
	}
	return out, nil
}

// metricSeries is one Invocations metric to read: its resource key (see
// Input.Invocations) and the dimensions that select it.
type metricSeries struct {
	resource   string
	dimensions []cwtypes.Dimension
}

// invocationSeries lists the metrics the flagged versions' figures need:
// each flagged version's own, and each alias that routes part of its
// traffic to a flagged published version.
func invocationSeries(flagged []types.FunctionConfiguration, aliases map[string][]types.AliasConfiguration) []metricSeries {
	var out []metricSeries
	seen := map[string]bool{}
	add := func(s metricSeries) {
		if !seen[s.resource] {
			seen[s.resource] = true
			out = append(out, s)
		}
	}
	for _, fn := range flagged {
		add(metricSeries{resource: metricResource(fn), dimensions: invocationDimensions(fn)})
	}
	for _, fn := range flagged {
		if isLatest(fn) {
			continue
		}
		name := aws.ToString(fn.FunctionName)
		for _, alias := range aliases[name] {
			if aliasShare(alias, aws.ToString(fn.Version)) > 0 {
				resource := name + ":" + aws.ToString(alias.Name)
				add(metricSeries{resource: resource, dimensions: []cwtypes.Dimension{
					{Name: aws.String("FunctionName"), Value: aws.String(name)},
					{Name: aws.String("Resource"), Value: aws.String(resource)},
				}})
			}
		}
	}
	return out
}

// averageDailyInvocations reads each series' Invocations over the last
// invocationDays days, up to 500 series per GetMetricData request, and
// returns the sum divided by the number of days, keyed by resource.
func averageDailyInvocations(ctx context.Context, api MetricsAPI, series []metricSeries, now time.Time) (map[string]float64, error) {
	averages := make(map[string]float64, len(series))
	end := now.UTC().Truncate(time.Minute)
	start := end.AddDate(0, 0, -invocationDays)
	for batch := range slices.Chunk(series, queriesPerRequest) {
		queries := make([]cwtypes.MetricDataQuery, len(batch))
		resourceByID := make(map[string]string, len(batch))
		for i, s := range batch {
			id := "q" + strconv.Itoa(i)
			resourceByID[id] = s.resource
			averages[s.resource] = 0
			queries[i] = cwtypes.MetricDataQuery{
				Id: aws.String(id),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{
						Namespace:  aws.String("AWS/Lambda"),
						MetricName: aws.String("Invocations"),
						Dimensions: s.dimensions,
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
		results, err := awsx.AllPages(ctx, pages, func(p *cloudwatch.GetMetricDataOutput) []cwtypes.MetricDataResult { return p.MetricDataResults })
		if err != nil {
			return nil, check.WrapOp("cloudwatch GetMetricData", err)
		}
		// A query's values can span pages: add them up per query.
		for _, r := range results {
			resource, ok := resourceByID[aws.ToString(r.Id)]
			if !ok {
				continue
			}
			for _, v := range r.Values {
				averages[resource] += v / invocationDays
			}
		}
	}
	return averages, nil
}

// isLatest reports whether fn is a function's unpublished version.
func isLatest(fn types.FunctionConfiguration) bool {
	v := aws.ToString(fn.Version)
	return v == "" || v == latest
}

// metricResource is the key of fn's own Invocations in Input.Invocations.
func metricResource(fn types.FunctionConfiguration) string {
	if isLatest(fn) {
		return aws.ToString(fn.FunctionName)
	}
	return aws.ToString(fn.FunctionName) + ":" + aws.ToString(fn.Version)
}

// invocationDimensions selects one version's Invocations: Lambda publishes a
// published version's metrics under the "Resource" dimension
// ("name:version"); $LATEST is read from the function-level metric, which is
// where unqualified invocations are counted.
func invocationDimensions(fn types.FunctionConfiguration) []cwtypes.Dimension {
	name := aws.ToString(fn.FunctionName)
	dims := []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(name)}}
	if !isLatest(fn) {
		dims = append(dims, cwtypes.Dimension{Name: aws.String("Resource"), Value: aws.String(metricResource(fn))})
	}
	return dims
}

// aliasShare is the fraction of an alias's invocations that version runs.
// An alias without routing configuration sends everything to its
// FunctionVersion. A weighted alias sends each additional version its
// weight and the primary version the rest; Lambda draws every invocation
// at random with those weights, so the split is an estimate, exact only if
// the weights did not change within the window (CloudWatch does not say
// which version an alias invocation ran).
func aliasShare(alias types.AliasConfiguration, version string) float64 {
	var additional float64
	if alias.RoutingConfig != nil {
		for v, w := range alias.RoutingConfig.AdditionalVersionWeights {
			if v == version {
				return w
			}
			additional += w
		}
	}
	if aws.ToString(alias.FunctionVersion) == version {
		return max(1-additional, 0)
	}
	return 0
}

// weighted reports whether alias splits its traffic between versions.
func weighted(alias types.AliasConfiguration) bool {
	return alias.RoutingConfig != nil && len(alias.RoutingConfig.AdditionalVersionWeights) > 0
}

// versionInvocations returns fn's average daily invocations: its own plus,
// for a published version, its share of each alias that routes to it, and a
// sentence naming those aliases. ok is false when a figure it needs was not
// read: an undercount is never shown.
func versionInvocations(fn types.FunctionConfiguration, in Input) (avg float64, note string, ok bool) {
	avg, ok = in.Invocations[metricResource(fn)]
	if !ok || isLatest(fn) {
		return avg, "", ok
	}
	name, version := aws.ToString(fn.FunctionName), aws.ToString(fn.Version)
	var through []string
	for _, alias := range in.Aliases[name] {
		share := aliasShare(alias, version)
		if share <= 0 {
			continue
		}
		aliasName := aws.ToString(alias.Name)
		aliasAvg, read := in.Invocations[name+":"+aliasName]
		if !read {
			return 0, "", false
		}
		avg += share * aliasAvg
		if weighted(alias) {
			percent := strconv.FormatFloat(math.Round(share*1e4)/1e2, 'f', -1, 64)
			through = append(through, fmt.Sprintf("an estimated %s%% of the invocations through alias %s (its current routing weight for this version)", percent, aliasName))
		} else {
			through = append(through, "the invocations through alias "+aliasName)
		}
	}
	if len(through) > 0 {
		note = " Average daily invokes include " + strings.Join(through, " and ") + "."
	}
	return avg, note, true
}

// utcDay is 00:00 UTC on t's UTC date.
func utcDay(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// daysUntil counts whole UTC calendar days from now's date to deadline's:
// 0 on the deadline itself, negative after it.
func daysUntil(deadline, now time.Time) int {
	return int(deadline.Sub(utcDay(now)).Hours() / 24)
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

// evaluate reports every function version that has a managed runtime,
// judged against the shipped lifecycle data on the scan's UTC date.
func evaluate(target check.Target, in Input) []check.Finding {
	return evaluateAgainst(lifecycle, target, in)
}

// evaluateAgainst is evaluate with the lifecycle data given.
func evaluateAgainst(table lifecycleTable, target check.Target, in Input) []check.Finding {
	now := target.ScanTime
	asOf := table.asOf.Format(time.DateOnly)
	findings := make([]check.Finding, 0, len(in.Functions)+1)
	for _, fn := range in.Functions {
		if fn.Runtime == "" {
			continue // container image: no managed runtime to deprecate
		}
		arn := aws.ToString(fn.FunctionArn)
		columns := map[string]string{
			"Function ARN":      arn,
			"Runtime":           string(fn.Runtime),
			"Last Updated Time": aws.ToString(fn.LastModified),
		}
		lc, known := table.runtimes[string(fn.Runtime)]
		if !known {
			findings = append(findings, Meta.Unevaluated(target, arn, fmt.Sprintf(
				"runtime %q is not in the Lambda runtime lifecycle data (as of %s): the runtime is newer than the data, or the data does not know it; update internal/checks/lambdaruntimes/lifecycle.json from its source",
				fn.Runtime, asOf), columns))
			continue
		}
		days := daysUntil(lc.Deprecation, now)
		status := statusFor(days)
		columns["Days to Deprecation"] = strconv.Itoa(max(days, 0))
		columns["Deprecation Date"] = lc.Deprecation.Format(time.DateOnly)
		why := reason(lc, days, now)
		if status != check.Green {
			if avg, note, ok := versionInvocations(fn, in); ok {
				columns["Average Daily Invokes"] = strconv.FormatFloat(avg, 'f', 2, 64)
				why += note
			}
		}
		why += " Lifecycle data as of " + asOf + "."
		findings = append(findings, Meta.NewFinding(target, arn, status, why, columns))
	}
	if in.MetricsErr != nil {
		// Name the call that failed: ListAliases or GetMetricData.
		op := cmp.Or(check.OpOf(in.MetricsErr), "invocation metrics")
		findings = append(findings, Meta.ErrorFinding(target, "(invocation metrics)", op, in.MetricsErr))
	}
	return findings
}

// reason says where the runtime stands and what Lambda blocks when.
func reason(lc runtimeLifecycle, days int, now time.Time) string {
	var state string
	switch statusFor(days) {
	case check.Red:
		state = fmt.Sprintf("%s was deprecated on %s (%d days ago): no more security patches or technical support.",
			lc.Name, lc.Deprecation.Format(time.DateOnly), -days)
	case check.Yellow:
		state = fmt.Sprintf("%s will be deprecated on %s, in %d days.", lc.Name, lc.Deprecation.Format(time.DateOnly), days)
	default:
		state = fmt.Sprintf("%s is supported until %s (%d days).", lc.Name, lc.Deprecation.Format(time.DateOnly), days)
	}
	today := utcDay(now)
	block := func(what string, from time.Time) string {
		if today.Before(from) {
			return fmt.Sprintf("blocks %s from %s", what, from.Format(time.DateOnly))
		}
		return fmt.Sprintf("has blocked %s since %s", what, from.Format(time.DateOnly))
	}
	return fmt.Sprintf("%s Lambda %s and %s.", state, block("creating functions on it", lc.BlockCreate), block("updating them", lc.BlockUpdate))
}
