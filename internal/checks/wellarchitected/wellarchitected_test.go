package wellarchitected

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wellarchitected/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

var updated = time.Date(2026, 2, 20, 9, 30, 0, 0, time.UTC)

func securityCounts(high, medium, none, na, unanswered int32) map[string]int32 {
	return map[string]int32{"HIGH": high, "MEDIUM": medium, "NONE": none, "NOT_APPLICABLE": na, "UNANSWERED": unanswered}
}

func workload(id string, counts map[string]int32) Workload {
	return Workload{
		Summary: types.WorkloadSummary{WorkloadId: aws.String(id), WorkloadName: aws.String(id + "-name"),
			WorkloadArn: aws.String("arn:aws:wellarchitected:eu-west-1:111122223333:workload/" + id), UpdatedAt: &updated},
		Detail: &types.Workload{ReviewOwner: aws.String("sec-team@example.com"), Environment: types.WorkloadEnvironmentProduction},
		Review: &types.LensReview{LensAlias: aws.String("wellarchitected"), UpdatedAt: &updated, PillarReviewSummaries: []types.PillarReviewSummary{
			{PillarId: aws.String("operationalExcellence"), RiskCounts: securityCounts(5, 0, 0, 0, 6)},
			{PillarId: aws.String("security"), RiskCounts: counts},
		}},
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		counts                map[string]int32
		want                  check.Status
		hris, answered, total string
	}{
		{"no HRI, all answered", securityCounts(0, 2, 9, 0, 0), check.Green, "0", "11", "11"},
		{"exactly one HRI", securityCounts(1, 2, 8, 0, 0), check.Red, "1", "11", "11"},
		{"several HRIs, some unanswered", securityCounts(3, 1, 2, 1, 4), check.Red, "3", "7", "11"},
		{"nothing answered yet: no HRI identified", securityCounts(0, 0, 0, 0, 11), check.Green, "0", "0", "11"},
		// AWS omits zero counts from RiskCounts: a missing HIGH key is zero.
		{"HIGH key absent", map[string]int32{"NONE": 10, "UNANSWERED": 1}, check.Green, "0", "10", "11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target("eu-west-1"), Input{Workloads: []Workload{workload("w1", tt.counts)}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%v) = %+v, want one finding", tt.counts, got)
			}
			f := got[0]
			if f.Status != tt.want {
				t.Errorf("evaluate(%v) status = %s (%q), want %s", tt.counts, f.Status, f.Reason, tt.want)
			}
			wantColumns := map[string]string{
				"Workload ARN": "arn:aws:wellarchitected:eu-west-1:111122223333:workload/w1", "Workload Name": "w1-name",
				"Reviewer Name": "sec-team@example.com", "Workload Type": "PRODUCTION", "Workload Last Modified Date": "2026-02-20T09:30:00Z",
				"Number of identified HRIs for Security": tt.hris, "Number of questions for Security": tt.answered, "Total number of questions in Security pillar": tt.total, "Last Updated Time": "2026-02-20T09:30:00Z",
			}
			for k, want := range wantColumns {
				if f.Columns[k] != want {
					t.Errorf("evaluate(%v) column %q = %q, want %q", tt.counts, k, f.Columns[k], want)
				}
			}
		})
	}
}

func TestEvaluateWithoutReview(t *testing.T) {
	t.Parallel()
	noLens := workload("no-lens", nil)
	noLens.Review = nil
	noPillar := workload("no-pillar", nil)
	noPillar.Review.PillarReviewSummaries = noPillar.Review.PillarReviewSummaries[:1]
	denied := workload("denied", nil)
	denied.Review = nil
	denied.Err = check.WrapOp("wellarchitected GetLensReview", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	got := checktest.ByResource(evaluate(checktest.Target("eu-west-1"), Input{Workloads: []Workload{noLens, noPillar, denied}}))
	if len(got) != 2 {
		t.Fatalf("evaluate = %+v, want 2 findings (none for the workload without the lens)", got)
	}
	if f := got["no-pillar"]; f.Status != check.Error || f.Reason != "could not evaluate: the Well-Architected lens review has no security pillar." {
		t.Errorf("review without security pillar = %+v, want error, never green", f)
	}
	if f := got["denied"]; f.Status != check.Error || !strings.Contains(f.Reason, "wellarchitected GetLensReview") || !strings.Contains(f.Reason, "AccessDeniedException") {
		t.Errorf("denied review = %+v, want an error naming the operation and code", f)
	}
}

// fakeWellArchitected is a wire-level fake of the three Well-Architected
// operations the check calls, speaking the service's awsRestJson1 protocol.
//
// Gap: moto 5.2.1 does not implement Well-Architected at all (docs/development.md),
// so the collector is tested against this fake instead: same paths, methods,
// JSON shapes (epoch-second timestamps) and error encoding as the service.
type fakeWellArchitected struct {
	mu        sync.Mutex
	workloads []fakeWorkload
	pageSize  int
	// denied names operations answered with 403 AccessDeniedException.
	denied map[string]bool
	calls  map[string]int
}

type fakeWorkload struct {
	id, name, reviewer, environment string
	lenses                          []string
	security                        map[string]int32
}

func (f *fakeWellArchitected) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var op string
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/workloadsSummaries":
		op = "ListWorkloads"
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "workloads":
		op = "GetWorkload"
	case r.Method == http.MethodGet && len(parts) == 4 && parts[0] == "workloads" && parts[2] == "lensReviews":
		op = "GetLensReview"
	default:
		writeError(w, http.StatusNotFound, "UnknownOperationException", r.Method+" "+r.URL.Path)
		return
	}
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if f.denied[op] {
		writeError(w, http.StatusForbidden, "AccessDeniedException", "User is not authorized to perform: wellarchitected:"+op)
		return
	}
	at := float64(updated.Unix())
	arn := func(id string) string { return "arn:aws:wellarchitected:eu-west-1:123456789012:workload/" + id }
	switch op {
	case "ListWorkloads":
		var in struct {
			MaxResults int
			NextToken  string
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
			return
		}
		if in.MaxResults < 1 || in.MaxResults > 50 {
			writeError(w, http.StatusBadRequest, "ValidationException", "MaxResults must be 1..50")
			return
		}
		start, _ := strconv.Atoi(in.NextToken)
		end := min(start+min(in.MaxResults, f.pageSize), len(f.workloads))
		var summaries []map[string]any
		for _, wl := range f.workloads[start:end] {
			summaries = append(summaries, map[string]any{"WorkloadId": wl.id, "WorkloadArn": arn(wl.id), "WorkloadName": wl.name,
				"Owner": "123456789012", "UpdatedAt": at, "Lenses": wl.lenses, "ImprovementStatus": "NOT_STARTED"})
		}
		out := map[string]any{"WorkloadSummaries": summaries}
		if end < len(f.workloads) {
			out["NextToken"] = strconv.Itoa(end)
		}
		writeJSON(w, out)
	case "GetWorkload", "GetLensReview":
		var wl *fakeWorkload
		for i := range f.workloads {
			if f.workloads[i].id == parts[1] {
				wl = &f.workloads[i]
			}
		}
		if wl == nil {
			writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no workload "+parts[1])
			return
		}
		if op == "GetWorkload" {
			writeJSON(w, map[string]any{"Workload": map[string]any{"WorkloadId": wl.id, "WorkloadArn": arn(wl.id), "WorkloadName": wl.name,
				"ReviewOwner": wl.reviewer, "Environment": wl.environment, "UpdatedAt": at, "Lenses": wl.lenses, "AwsRegions": []string{"eu-west-1"}}})
			return
		}
		if parts[3] != "wellarchitected" || wl.security == nil {
			writeError(w, http.StatusNotFound, "ResourceNotFoundException", "lens not associated")
			return
		}
		writeJSON(w, map[string]any{"WorkloadId": wl.id, "LensReview": map[string]any{
			"LensAlias": "wellarchitected", "LensName": "AWS Well-Architected Framework", "LensStatus": "CURRENT", "UpdatedAt": at,
			"PillarReviewSummaries": []map[string]any{
				{"PillarId": "operationalExcellence", "PillarName": "Operational Excellence", "RiskCounts": map[string]int32{"UNANSWERED": 11}},
				{"PillarId": "security", "PillarName": "Security", "RiskCounts": wl.security},
			},
			"RiskCounts": map[string]int32{"UNANSWERED": 50},
		}})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError encodes an error as awsRestJson1 does: the code in the
// X-Amzn-ErrorType header, the message in the body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}

// TestCollectOnFake reads two pages of workloads; the red one is alone on
// the second page, so dropping pages after the first loses it.
func TestCollectOnFake(t *testing.T) {
	t.Parallel()
	fake := &fakeWellArchitected{pageSize: 2, workloads: []fakeWorkload{
		{id: "wl-ml", name: "ml", reviewer: "carol", environment: "PRODUCTION", lenses: []string{"arn:aws:wellarchitected:eu-west-1:123456789012:lens/custom"}},
		{id: "wl-blog", name: "blog", reviewer: "bob", environment: "PREPRODUCTION", lenses: []string{"wellarchitected", "serverless"}, security: securityCounts(0, 3, 8, 0, 0)},
		{id: "wl-shop", name: "shop", reviewer: "alice", environment: "PRODUCTION", lenses: []string{"wellarchitected"}, security: securityCounts(2, 1, 6, 0, 2)},
	}}
	findings := scan.RunJob(context.Background(), checktest.FakeEndpoint(t, fake, "eu-west-1"), scan.Job{Check: Check, Account: "123456789012", Region: "eu-west-1"}, 0)
	checktest.ColumnsWithin(t, Meta, findings)
	got := checktest.ByResource(findings)
	if len(findings) != 2 {
		t.Fatalf("got %d findings, want 2 (the custom-lens workload has no Well-Architected review): %+v", len(findings), findings)
	}
	if f := got["wl-shop"]; f.Status != check.Red || f.Columns["Number of identified HRIs for Security"] != "2" || f.Columns["Number of questions for Security"] != "9" || f.Columns["Total number of questions in Security pillar"] != "11" ||
		f.Columns["Reviewer Name"] != "alice" || f.Columns["Workload Type"] != "PRODUCTION" || f.Columns["Region"] != "eu-west-1" || f.Columns["Status"] != "Red" {
		t.Errorf("shop = %s %v, want red with 2 HRIs, 9/11 answered, alice, PRODUCTION", f.Status, f.Columns)
	}
	if f := got["wl-blog"]; f.Status != check.Green || f.Columns["Number of identified HRIs for Security"] != "0" || f.Columns["Last Updated Time"] != "2026-02-20T09:30:00Z" {
		t.Errorf("blog = %s %v, want green with 0 HRIs", f.Status, f.Columns)
	}
	// Two pages of workloads; details and review only for lens users.
	want := map[string]int{"ListWorkloads": 2, "GetWorkload": 2, "GetLensReview": 2}
	for op, n := range want {
		if fake.calls[op] != n {
			t.Errorf("%s calls = %d, want %d", op, fake.calls[op], n)
		}
	}
}

// TestUnreadableWorkloadIsItsOwnError: a workload whose details or review
// cannot be read is an error for that workload, named with the operation and
// the error code. (A denied ListWorkloads is the whole job's error:
// internal/failclosed checks that for every operation.)
func TestUnreadableWorkloadIsItsOwnError(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"GetWorkload", "GetLensReview"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			fake := &fakeWellArchitected{pageSize: 50, denied: map[string]bool{op: true}, workloads: []fakeWorkload{
				{id: "wl-shop", name: "shop", lenses: []string{"wellarchitected"}, security: securityCounts(0, 0, 11, 0, 0)}}}
			findings := scan.RunJob(context.Background(), checktest.FakeEndpoint(t, fake, "eu-west-1"), scan.Job{Check: Check, Account: "123456789012", Region: "eu-west-1"}, 0)
			if len(findings) != 1 || findings[0].Status != check.Error || findings[0].ResourceID != "wl-shop" {
				t.Fatalf("%s denied: findings = %+v, want one error finding for wl-shop", op, findings)
			}
			if !strings.Contains(findings[0].Reason, "wellarchitected "+op) || !strings.Contains(findings[0].Reason, "AccessDeniedException") {
				t.Errorf("%s denied: reason = %q, want the operation and the error code", op, findings[0].Reason)
			}
		})
	}
}

// TestWellArchitectedUnavailableInRegion: where AWS's endpoint metadata
// gives the Well-Architected Tool no endpoint, the check reports one
// unavailable finding naming the region and the data's source and date, and
// calls nothing; elsewhere it calls the service as before.
func TestWellArchitectedUnavailableInRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		region      string
		unavailable bool
	}{
		{"ap-northeast-3", true}, // Osaka: no Well-Architected endpoint
		{"il-central-1", true},   // an opt-in region without one
		{"cn-north-1", true},     // not offered in the China partition
		{"eu-west-1", false},
		{"us-gov-west-1", false},
		// A region newer than the data: AWS is asked (see TestRegionUnknownToTheDataIsAsked).
		{"eu-south-9", false},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			t.Parallel()
			fake := &fakeWellArchitected{pageSize: 50, workloads: []fakeWorkload{
				{id: "wl-shop", name: "shop", lenses: []string{"wellarchitected"}, security: securityCounts(1, 0, 10, 0, 0)}}}
			findings := scan.RunJob(context.Background(), checktest.FakeEndpoint(t, fake, "eu-west-1"), scan.Job{Check: Check, Account: "123456789012", Region: tt.region}, 0)
			fake.mu.Lock()
			calls := len(fake.calls)
			fake.mu.Unlock()
			if !tt.unavailable {
				if calls == 0 || len(findings) != 1 || findings[0].Status != check.Red {
					t.Errorf("region %s: %d operations called, findings %+v; want the service called and the workload red", tt.region, calls, findings)
				}
				return
			}
			if calls != 0 {
				t.Errorf("region %s: the fake was called (%v), want no API call", tt.region, fake.calls)
			}
			if len(findings) != 1 {
				t.Fatalf("region %s: findings = %+v, want one unavailable finding", tt.region, findings)
			}
			f := findings[0]
			if f.Status != check.Unavailable || f.ResourceID != serviceResource || f.Region != tt.region || f.Columns["Status"] != "Unavailable" {
				t.Errorf("region %s: finding = %+v, want unavailable for %s in the region", tt.region, f, serviceResource)
			}
			for _, want := range []string{"not offered in " + tt.region, "botocore/data/endpoints.json", "read " + awsregions.AsOf(), "no API call"} {
				if !strings.Contains(f.Reason, want) {
					t.Errorf("region %s: reason = %q, want it to contain %q", tt.region, f.Reason, want)
				}
			}
		})
	}
}

// TestRegionUnknownToTheDataIsAsked: a region the endpoint data does not
// list (launched after it was read) is called; without an endpoint the call
// fails to connect, which is an error for the region, never a green and
// never a guessed "unavailable".
func TestRegionUnknownToTheDataIsAsked(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL
	server.Close() // nothing listens there any more
	findings := scan.RunJob(context.Background(), checktest.EndpointConfig(url, "eu-west-1"), scan.Job{Check: Check, Account: "123456789012", Region: "eu-south-9"}, 0)
	if len(findings) != 1 || findings[0].Status != check.Error || !strings.Contains(findings[0].Reason, "wellarchitected ListWorkloads") {
		t.Fatalf("findings = %+v, want one error finding naming ListWorkloads", findings)
	}
}
