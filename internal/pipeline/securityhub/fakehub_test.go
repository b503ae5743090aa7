package securityhub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// fakeHub is Security Hub's BatchImportFindings behind a real SDK client,
// so that the SDK's own input validation and JSON serialization run. It
// applies what the service documents
// (https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html,
// asff-required-attributes): at most 100 findings a request; the required
// attributes present; ProductArn the custom integration's default ARN of
// the region and account called; AwsAccountId the caller's account (any
// other fails the whole call with AccessDeniedException, as AWS Support
// confirmed in prowler-cloud/prowler#867); the same Id updates the finding in
// place unless its UpdatedAt is older. fail makes chosen findings fail.
type fakeHub struct {
	partition, region, account string

	mu sync.Mutex
	// calls is the number of findings of each request, in order.
	calls []int
	// findings are the imported findings by Id.
	findings map[string]hubFinding
	// fail is, per finding Id, how many more times it fails (-1: always).
	fail map[string]int
}

// hubFinding is what the fake keeps of an imported finding.
type hubFinding struct {
	AwsAccountId, GeneratorId, RecordState, ComplianceStatus, SeverityLabel string
	CreatedAt, UpdatedAt, FirstObservedAt                                   string
	// Imports counts the requests that created or updated it.
	Imports int
}

func newFakeHub(t *testing.T, partition, region, account string) (*fakeHub, *securityhub.Client) {
	t.Helper()
	h := &fakeHub{partition: partition, region: region, account: account, findings: map[string]hubFinding{}, fail: map[string]int{}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := securityhub.New(securityhub.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   srv.Client(),
		// The exporter's own retries are under test, not the SDK's.
		Retryer: aws.NopRetryer{},
	})
	return h, client
}

// wireFinding is the part of an ASFF finding the fake validates.
type wireFinding struct {
	SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId  *string
	CreatedAt, UpdatedAt, FirstObservedAt, Title, Description *string
	RecordState                                               string
	Types                                                     []string
	Severity                                                  *struct {
		Label      string
		Normalized *int
	}
	Compliance *struct{ Status string }
	Resources  []struct {
		Id, Type *string
	}
	FindingProviderFields *struct{ Types []string }
}

// serviceMaxFindings is the service's limit of findings a request, apart from the
// exporter's MaxBatch so that a wrong MaxBatch fails the test.
const serviceMaxFindings = 100

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/findings/import" {
		apiError(w, http.StatusNotFound, "UnknownOperationException", r.Method+" "+r.URL.Path)
		return
	}
	var in struct{ Findings []wireFinding }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		apiError(w, http.StatusBadRequest, "InvalidInputException", err.Error())
		return
	}
	if len(in.Findings) == 0 || len(in.Findings) > serviceMaxFindings {
		apiError(w, http.StatusBadRequest, "InvalidInputException", fmt.Sprintf("%d findings: a request carries 1 to %d", len(in.Findings), serviceMaxFindings))
		return
	}
	for _, f := range in.Findings {
		if aws.ToString(f.AwsAccountId) != h.account {
			apiError(w, http.StatusForbidden, "AccessDeniedException", fmt.Sprintf(
				"not authorized to perform: securityhub:BatchImportFindings for a finding of account %s from account %s", aws.ToString(f.AwsAccountId), h.account))
			return
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, len(in.Findings))
	type failed struct{ Id, ErrorCode, ErrorMessage string }
	var failures []failed
	for _, f := range in.Findings {
		id := aws.ToString(f.Id)
		if problems := h.validate(f); len(problems) > 0 {
			failures = append(failures, failed{id, "InvalidInput", strings.Join(problems, "; ")})
			continue
		}
		if n := h.fail[id]; n != 0 {
			if n > 0 {
				h.fail[id] = n - 1
			}
			failures = append(failures, failed{id, "InternalFailure", "injected failure"})
			continue
		}
		old, exists := h.findings[id]
		if exists && aws.ToString(f.UpdatedAt) < old.UpdatedAt {
			continue // an older update is ignored, not failed
		}
		nf := hubFinding{
			AwsAccountId: aws.ToString(f.AwsAccountId), GeneratorId: aws.ToString(f.GeneratorId), RecordState: f.RecordState,
			CreatedAt: aws.ToString(f.CreatedAt), UpdatedAt: aws.ToString(f.UpdatedAt), FirstObservedAt: aws.ToString(f.FirstObservedAt),
			SeverityLabel: f.Severity.Label, Imports: old.Imports + 1,
		}
		if nf.RecordState == "" {
			nf.RecordState = "ACTIVE" // the service's default
		}
		if f.Compliance != nil {
			nf.ComplianceStatus = f.Compliance.Status
		}
		h.findings[id] = nf
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"FailedCount": len(failures), "SuccessCount": len(in.Findings) - len(failures), "FailedFindings": failures,
	})
}

// validate lists what the service refuses in one finding.
func (h *fakeHub) validate(f wireFinding) []string {
	var p []string
	required := map[string]*string{"SchemaVersion": f.SchemaVersion, "Id": f.Id, "ProductArn": f.ProductArn, "GeneratorId": f.GeneratorId,
		"AwsAccountId": f.AwsAccountId, "CreatedAt": f.CreatedAt, "UpdatedAt": f.UpdatedAt, "Title": f.Title, "Description": f.Description}
	for name, v := range required {
		if aws.ToString(v) == "" {
			p = append(p, name+" is required")
		}
	}
	if v := aws.ToString(f.SchemaVersion); v != "" && v != "2018-10-08" {
		p = append(p, "SchemaVersion "+v+" is not 2018-10-08")
	}
	if len(aws.ToString(f.Id)) > 512 {
		p = append(p, "Id longer than 512 characters")
	}
	wantARN := fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", h.partition, h.region, h.account, h.account)
	if v := aws.ToString(f.ProductArn); v != wantARN {
		p = append(p, fmt.Sprintf("ProductArn %q is not this account's default product %q", v, wantARN))
	}
	if !accountIDPattern.MatchString(aws.ToString(f.AwsAccountId)) {
		p = append(p, "AwsAccountId is not a 12-digit account ID")
	}
	for name, v := range map[string]*string{"CreatedAt": f.CreatedAt, "UpdatedAt": f.UpdatedAt, "FirstObservedAt": f.FirstObservedAt} {
		if v == nil {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, *v); err != nil {
			p = append(p, fmt.Sprintf("%s %q is not an ISO 8601 timestamp", name, *v))
		}
	}
	if f.Severity == nil || (f.Severity.Label == "" && f.Severity.Normalized == nil) {
		p = append(p, "Severity needs a Label or a Normalized value")
	}
	if len(f.Types) == 0 && (f.FindingProviderFields == nil || len(f.FindingProviderFields.Types) == 0) {
		p = append(p, "Types is required")
	}
	if len(f.Resources) == 0 || len(f.Resources) > 32 {
		p = append(p, fmt.Sprintf("%d resources: a finding has 1 to 32", len(f.Resources)))
	}
	for i, r := range f.Resources {
		if aws.ToString(r.Id) == "" || aws.ToString(r.Type) == "" {
			p = append(p, fmt.Sprintf("Resources[%d] needs an Id and a Type", i))
		}
	}
	switch f.RecordState {
	case "", "ACTIVE", "ARCHIVED":
	default:
		p = append(p, "RecordState "+f.RecordState+" is neither ACTIVE nor ARCHIVED")
	}
	if f.Compliance != nil {
		switch f.Compliance.Status {
		case "PASSED", "WARNING", "FAILED", "NOT_AVAILABLE":
		default:
			p = append(p, "Compliance.Status "+f.Compliance.Status+" is not a compliance status")
		}
	}
	return p
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Message": msg})
}
