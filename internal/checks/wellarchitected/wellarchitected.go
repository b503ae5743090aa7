// Package wellarchitected reports Well-Architected workloads that have active
// high risk issues (HRIs) in the security pillar. Each HRI is a known security
// weakness found during a workload review and not yet resolved.
//
// The figures come from each workload's review under the AWS Well-Architected
// Framework lens ("wellarchitected"): its security pillar's risk counts.
// In a region where AWS does not offer the Well-Architected Tool (per AWS's
// endpoint metadata, internal/awsregions) there is nothing to review: the
// check reports that as unavailable without calling.
package wellarchitected

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wellarchitected"
	"github.com/aws/aws-sdk-go-v2/service/wellarchitected/types"
	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("Wxdfp4B1L3", check.Meta{
	Slug:       "well-architected-security-hri",
	IAMActions: []string{"wellarchitected:ListWorkloads", "wellarchitected:GetWorkload", "wellarchitected:GetLensReview"},
	Scope:      check.Regional,
	Data:       []check.Dataset{awsregions.Dataset()},
	BeyondSpec: "Workloads without the AWS Well-Architected Framework lens are not reported (they have no security pillar review). " +
		"\"Number of questions for Security\" counts answered questions (all but UNANSWERED); the total counts every question of the pillar. " +
		"\"Workload Started Date\" and \"Number of HRIs resolved for Security\" are left empty: the Well-Architected API records neither. " +
		"In a region where AWS does not offer the Well-Architected Tool (no endpoint in AWS's endpoint metadata, botocore's endpoints.json; " +
		"e.g. ap-northeast-3 and several opt-in regions) the check makes no call and reports one unavailable finding naming the region and the data's source and date.",
	// Triggers: answering a question, upgrading a lens review, creating a
	// workload (a review template can fill in its answers) or deleting one
	// changes the security pillar's high risk issues.
	Triggers: []check.Trigger{
		{Source: "wellarchitected.amazonaws.com", Names: []string{"CreateWorkload", "DeleteWorkload", "UpdateAnswer", "UpgradeLensReview"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// API is the part of the Well-Architected client the check calls.
type API interface {
	wellarchitected.ListWorkloadsAPIClient
	GetWorkload(context.Context, *wellarchitected.GetWorkloadInput, ...func(*wellarchitected.Options)) (*wellarchitected.GetWorkloadOutput, error)
	GetLensReview(context.Context, *wellarchitected.GetLensReviewInput, ...func(*wellarchitected.Options)) (*wellarchitected.GetLensReviewOutput, error)
}

var _ API = (*wellarchitected.Client)(nil)

const (
	// lensAlias is the AWS Well-Architected Framework lens, whose security
	// pillar the specification reads.
	lensAlias = "wellarchitected"
	// securityPillar is the security pillar's ID in a lens review.
	securityPillar = "security"
	// workloadsPageSize is ListWorkloads' largest page.
	workloadsPageSize = 50
)

// endpointsService is the Well-Architected Tool's key in AWS's endpoint
// metadata (internal/awsregions).
const endpointsService = "wellarchitected"

// serviceResource is the resource ID of the finding that stands for the
// service in a region where AWS does not offer it.
const serviceResource = "(service)"

// notOfferedReason says that region has no Well-Architected endpoint and
// where that fact comes from, so a stale table is visible.
func notOfferedReason(region string) string {
	return fmt.Sprintf("the AWS Well-Architected Tool is not offered in %s (no endpoint there in %s, read %s); no API call was made.",
		region, awsregions.Source(), awsregions.AsOf())
}

// Input is what the check evaluates.
type Input struct {
	// NotOfferedIn names the region when AWS does not offer the service
	// there; nothing was called.
	NotOfferedIn string
	Workloads    []Workload
}

// collectFrom collects with a client made from the target's configuration,
// in a region where AWS offers the service.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	region := target.Config.Region
	// A region without the service has no endpoint: the call would fail with
	// a network error, indistinguishable from an outage. AWS's endpoint
	// metadata says which it is, without calling. A region the metadata does
	// not know is asked, so a failure there stays an error.
	if offered, known := awsregions.ServiceAvailable(endpointsService, region); known && !offered {
		return Input{NotOfferedIn: region}, nil
	}
	workloads, err := collect(ctx, wellarchitected.NewFromConfig(target.Config))
	return Input{Workloads: workloads}, err
}

// Workload is one workload and its Well-Architected lens review.
type Workload struct {
	Summary types.WorkloadSummary
	// Detail is GetWorkload's answer: reviewer and environment.
	Detail *types.Workload
	// Review is the Well-Architected Framework lens review, nil when the
	// workload does not use that lens.
	Review *types.LensReview
	// Err is set when the workload or its review could not be read.
	Err error
}

// collect lists the region's workloads and reads, for each, its details and
// its Well-Architected Framework lens review. A failure on one workload is
// kept with it; a failure to list is the whole region's.
func collect(ctx context.Context, api API) ([]Workload, error) {
	var out []Workload
	pages := wellarchitected.NewListWorkloadsPaginator(api, &wellarchitected.ListWorkloadsInput{MaxResults: aws.Int32(workloadsPageSize)},
		func(o *wellarchitected.ListWorkloadsPaginatorOptions) { o.StopOnDuplicateToken = true })
	// Each page's workloads are read before the next page is asked for.
	err := awsx.EachPage(ctx, pages, func(page *wellarchitected.ListWorkloadsOutput) error {
		for _, s := range page.WorkloadSummaries {
			out = append(out, describe(ctx, api, s))
		}
		return nil
	})
	if err != nil {
		return nil, check.WrapOp("wellarchitected ListWorkloads", err)
	}
	return out, nil
}

func describe(ctx context.Context, api API, s types.WorkloadSummary) Workload {
	w := Workload{Summary: s}
	if !usesLens(s.Lenses) {
		return w
	}
	detail, err := api.GetWorkload(ctx, &wellarchitected.GetWorkloadInput{WorkloadId: s.WorkloadId})
	if err != nil {
		w.Err = check.WrapOp("wellarchitected GetWorkload", err)
		return w
	}
	w.Detail = detail.Workload
	review, err := api.GetLensReview(ctx, &wellarchitected.GetLensReviewInput{WorkloadId: s.WorkloadId, LensAlias: aws.String(lensAlias)})
	switch {
	case awsx.Is(err, awsx.KindNotFound):
		// The lens was removed from the workload after it was listed.
	case err != nil:
		w.Err = check.WrapOp("wellarchitected GetLensReview", err)
	default:
		w.Review = review.LensReview
	}
	return w
}

// usesLens reports whether a workload's lenses include the Well-Architected
// Framework, named by alias or by ARN. An empty list says nothing, so the
// review is asked for anyway.
func usesLens(lenses []string) bool {
	if len(lenses) == 0 {
		return true
	}
	for _, l := range lenses {
		if l == lensAlias || strings.HasSuffix(l, ":lens/"+lensAlias) {
			return true
		}
	}
	return false
}

// evaluate reports each reviewed workload: red when its security pillar has
// at least one high risk issue, green otherwise; or that the service is not
// offered in the region.
func evaluate(target check.Target, in Input) []check.Finding {
	if in.NotOfferedIn != "" {
		return []check.Finding{Meta.UnavailableFinding(target, serviceResource, notOfferedReason(in.NotOfferedIn))}
	}
	var findings []check.Finding
	for _, w := range in.Workloads {
		id := aws.ToString(w.Summary.WorkloadId)
		columns := map[string]string{
			"Workload ARN":                aws.ToString(w.Summary.WorkloadArn),
			"Workload Name":               aws.ToString(w.Summary.WorkloadName),
			"Workload Last Modified Date": timeText(w.Summary.UpdatedAt),
		}
		if w.Detail != nil {
			columns["Reviewer Name"] = aws.ToString(w.Detail.ReviewOwner)
			columns["Workload Type"] = string(w.Detail.Environment)
		}
		if w.Err != nil {
			f := Meta.ErrorFinding(target, id, cmp.Or(check.OpOf(w.Err), "wellarchitected"), w.Err)
			f.Columns = columns
			findings = append(findings, f)
			continue
		}
		if w.Review == nil {
			continue
		}
		pillar, ok := securityReview(w.Review)
		if !ok {
			findings = append(findings, Meta.Unevaluated(target, id, "the Well-Architected lens review has no security pillar.", columns))
			continue
		}
		high, answered, total := riskCounts(pillar.RiskCounts)
		columns["Number of identified HRIs for Security"] = strconv.Itoa(high)
		columns["Number of questions for Security"] = strconv.Itoa(answered)
		columns["Total number of questions in Security pillar"] = strconv.Itoa(total)
		columns["Last Updated Time"] = timeText(w.Review.UpdatedAt)
		if high > 0 {
			findings = append(findings, Meta.NewFinding(target, id, check.Red,
				fmt.Sprintf("%d active high risk issue(s) in the security pillar (%d of %d questions answered).", high, answered, total), columns))
			continue
		}
		reason := fmt.Sprintf("No active high risk issues in the security pillar (%d of %d questions answered).", answered, total)
		findings = append(findings, Meta.NewFinding(target, id, check.Green, reason, columns))
	}
	return findings
}

func securityReview(r *types.LensReview) (types.PillarReviewSummary, bool) {
	for _, p := range r.PillarReviewSummaries {
		if aws.ToString(p.PillarId) == securityPillar {
			return p, true
		}
	}
	return types.PillarReviewSummary{}, false
}

// riskCounts reads a pillar's counts of questions per risk: every question
// has exactly one risk, UNANSWERED included, so their sum is the pillar's
// question count.
func riskCounts(counts map[string]int32) (high, answered, total int) {
	for risk, n := range counts {
		total += int(n)
		if types.Risk(risk) != types.RiskUnanswered {
			answered += int(n)
		}
	}
	return int(counts[string(types.RiskHigh)]), answered, total
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
