package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WellArchitectedWorkload is a workload the Well-Architected fake serves,
// reviewed with the AWS Well-Architected Framework lens.
type WellArchitectedWorkload struct {
	Name        string
	ReviewOwner string
	// Environment is PRODUCTION or PREPRODUCTION.
	Environment string
	// SecurityRisks counts the security pillar's questions by risk (HIGH,
	// MEDIUM, NONE, NOT_APPLICABLE, UNANSWERED); the counts add up to the
	// pillar's question count, as in a lens review.
	SecurityRisks map[string]int32
}

// wellArchitectedKey says whose workloads these are: one emulator (its
// host:port), account and region, as the workloads of an AWS account live in
// one region.
type wellArchitectedKey struct {
	host, account, region string
}

type storedWorkload struct {
	WellArchitectedWorkload
	id, arn   string
	updatedAt time.Time
}

var wellArchitected = struct {
	sync.Mutex
	workloads map[wellArchitectedKey][]storedWorkload
}{workloads: map[wellArchitectedKey][]storedWorkload{}}

// SeedWellArchitected gives the account cfg reaches (an emulator
// configuration) these Well-Architected workloads in region, for the
// Well-Architected fake to serve. Risk counts cannot be set through the
// Well-Architected API (they follow from the answers to the lens's
// questions), so workloads are seeded here rather than through the fake.
// The account is the one the emulator names in GetCallerIdentity.
func SeedWellArchitected(ctx context.Context, cfg aws.Config, region string, workloads ...WellArchitectedWorkload) error {
	endpoint, err := url.Parse(aws.ToString(cfg.BaseEndpoint))
	if err != nil || endpoint.Host == "" {
		return fmt.Errorf("seed Well-Architected: the configuration has no emulator endpoint (%q)", aws.ToString(cfg.BaseEndpoint))
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("seed Well-Architected: sts GetCallerIdentity: %w", err)
	}
	key := wellArchitectedKey{host: endpoint.Host, account: aws.ToString(id.Account), region: region}
	now := time.Now().UTC().Truncate(time.Second)
	wellArchitected.Lock()
	defer wellArchitected.Unlock()
	for _, w := range workloads {
		sum := sha256.Sum256([]byte(key.account + "/" + region + "/" + w.Name))
		workloadID := hex.EncodeToString(sum[:16]) // 32 hex digits, as AWS's IDs
		wellArchitected.workloads[key] = append(wellArchitected.workloads[key], storedWorkload{
			WellArchitectedWorkload: w, id: workloadID, updatedAt: now,
			arn: fmt.Sprintf("arn:aws:wellarchitected:%s:%s:workload/%s", region, key.account, workloadID),
		})
	}
	return nil
}

// wellArchitectedLensAlias is the AWS Well-Architected Framework lens, the
// only lens the seeded workloads use.
const wellArchitectedLensAlias = "wellarchitected"

// wellArchitectedPillars are the Framework lens's pillars and their question
// counts; the fake's reviews leave every pillar but security unanswered.
var wellArchitectedPillars = []struct {
	id, name  string
	questions int32
}{
	{"operationalExcellence", "Operational Excellence", 11},
	{"security", "Security", 11},
	{"reliability", "Reliability", 13},
	{"performance", "Performance Efficiency", 5},
	{"costOptimization", "Cost Optimization", 11},
	{"sustainability", "Sustainability", 6},
}

// wellArchitectedWorkloads answers Well-Architected ListWorkloads,
// GetWorkload and GetLensReview from the workloads SeedWellArchitected gave
// the account in the region: none unless seeded, as in a new account.
//
// Gap: moto 5.2.1 does not implement Well-Architected (it answers HTTP 500).
// The answers follow the service's awsRestJson1 shapes: paged summaries,
// epoch-second timestamps, ResourceNotFoundException for an unknown workload
// or lens. The check's own tests use their own wire-level fake
// (internal/checks/wellarchitected).
func wellArchitectedWorkloads() func(*middleware.Stack) error {
	return wireFake("emulatorWellArchitected", "WellArchitected", func(ctx context.Context, operation string, req *smithyhttp.Request) *http.Response {
		key := wellArchitectedKey{host: req.URL.Host, account: req.Header.Get(AccountHeader), region: awsmiddleware.GetRegion(ctx)}
		if key.account == "" {
			key.account = DefaultAccount
		}
		wellArchitected.Lock()
		workloads := append([]storedWorkload(nil), wellArchitected.workloads[key]...)
		wellArchitected.Unlock()
		// /workloads/{WorkloadId}[/lensReviews/{LensAlias}]
		parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
		switch operation {
		case "ListWorkloads":
			return listWorkloads(req, key.account, workloads)
		case "GetWorkload":
			if w, ok := findWorkload(workloads, parts, 2); ok {
				return jsonResponse(http.StatusOK, "", map[string]any{"Workload": map[string]any{
					"WorkloadId": w.id, "WorkloadArn": w.arn, "WorkloadName": w.Name, "ReviewOwner": w.ReviewOwner,
					"Environment": w.Environment, "UpdatedAt": w.updatedAt.Unix(), "Lenses": []string{wellArchitectedLensAlias},
					"AwsRegions": []string{key.region}, "Owner": key.account, "ImprovementStatus": "NOT_STARTED",
					"RiskCounts": lensRiskCounts(w),
				}})
			}
			return workloadNotFound(parts)
		case "GetLensReview":
			w, ok := findWorkload(workloads, parts, 4)
			if !ok {
				return workloadNotFound(parts)
			}
			if parts[3] != wellArchitectedLensAlias {
				return jsonResponse(http.StatusNotFound, "ResourceNotFoundException", map[string]string{"Message": "Lens " + parts[3] + " is not associated with the workload."})
			}
			return jsonResponse(http.StatusOK, "", map[string]any{"WorkloadId": w.id, "LensReview": lensReview(w)})
		}
		return nil
	})
}

func listWorkloads(req *smithyhttp.Request, account string, workloads []storedWorkload) *http.Response {
	var in struct {
		MaxResults         int
		NextToken          string
		WorkloadNamePrefix string
	}
	if err := requestBody(req, &in); err != nil {
		return jsonResponse(http.StatusBadRequest, "ValidationException", map[string]string{"Message": err.Error()})
	}
	if in.MaxResults == 0 {
		in.MaxResults = 50
	}
	if in.MaxResults < 1 || in.MaxResults > 50 {
		return jsonResponse(http.StatusBadRequest, "ValidationException", map[string]string{"Message": "MaxResults must be between 1 and 50."})
	}
	var matching []storedWorkload
	for _, w := range workloads {
		if strings.HasPrefix(w.Name, in.WorkloadNamePrefix) {
			matching = append(matching, w)
		}
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(matching) {
			return jsonResponse(http.StatusBadRequest, "ValidationException", map[string]string{"Message": "Invalid NextToken."})
		}
		start = n
	}
	end := min(start+in.MaxResults, len(matching))
	summaries := make([]map[string]any, 0, end-start)
	for _, w := range matching[start:end] {
		summaries = append(summaries, map[string]any{
			"WorkloadId": w.id, "WorkloadArn": w.arn, "WorkloadName": w.Name, "Owner": account,
			"UpdatedAt": w.updatedAt.Unix(), "Lenses": []string{wellArchitectedLensAlias}, "RiskCounts": lensRiskCounts(w),
			"ImprovementStatus": "NOT_STARTED",
		})
	}
	out := map[string]any{"WorkloadSummaries": summaries}
	if end < len(matching) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return jsonResponse(http.StatusOK, "", out)
}

// findWorkload finds the workload a /workloads/{WorkloadId}/... path of
// the given length names.
func findWorkload(workloads []storedWorkload, parts []string, length int) (storedWorkload, bool) {
	if len(parts) != length || parts[0] != "workloads" {
		return storedWorkload{}, false
	}
	for _, w := range workloads {
		if w.id == parts[1] {
			return w, true
		}
	}
	return storedWorkload{}, false
}

func workloadNotFound(parts []string) *http.Response {
	id := ""
	if len(parts) > 1 {
		id = parts[1]
	}
	return jsonResponse(http.StatusNotFound, "ResourceNotFoundException", map[string]string{"Message": "Workload " + id + " not found."})
}

// pillarRisks is a pillar's counts: the seeded ones for security, all
// questions unanswered for the others.
func pillarRisks(w storedWorkload, pillar string, questions int32) map[string]int32 {
	if pillar == "security" {
		return w.SecurityRisks
	}
	return map[string]int32{"UNANSWERED": questions}
}

func lensRiskCounts(w storedWorkload) map[string]int32 {
	total := map[string]int32{}
	for _, p := range wellArchitectedPillars {
		for risk, n := range pillarRisks(w, p.id, p.questions) {
			total[risk] += n
		}
	}
	return total
}

func lensReview(w storedWorkload) map[string]any {
	pillars := make([]map[string]any, 0, len(wellArchitectedPillars))
	for _, p := range wellArchitectedPillars {
		pillars = append(pillars, map[string]any{"PillarId": p.id, "PillarName": p.name, "RiskCounts": pillarRisks(w, p.id, p.questions)})
	}
	return map[string]any{
		"LensAlias": wellArchitectedLensAlias, "LensArn": "arn:aws:wellarchitected::aws:lens/" + wellArchitectedLensAlias,
		"LensName": "AWS Well-Architected Framework", "LensStatus": "CURRENT", "UpdatedAt": w.updatedAt.Unix(),
		"PillarReviewSummaries": pillars, "RiskCounts": lensRiskCounts(w),
	}
}
