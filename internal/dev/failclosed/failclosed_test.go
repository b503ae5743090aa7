package failclosed

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/dev/demo"
	"github.com/secadvisor/secadvisor/internal/dev/demo/demotest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestMain(m *testing.M) { os.Exit(demotest.Main(m)) }

// s3NotEvaluatedOps are the operations whose denial the specification itself
// answers with yellow: S3 Bucket Permissions' "Trusted Advisor does not have
// permission to check the policy, or the policy could not be evaluated".
// For them a green bucket may become yellow (never green from non-green).
//
// This table and the ones below are keyed by operation, not by check, so
// that a copy of a check under another slug is held to the same rules.
var s3NotEvaluatedOps = []string{"GetBucketAcl", "GetBucketPolicy"}

// isolated returns a copy of cfg that parallel tests may extend safely.
// aws.Config.Copy is shallow: two copies appending to APIOptions with spare
// capacity would write the same backing array, and one test's recorder or
// denial would land in another test's configuration.
func isolated(cfg aws.Config) aws.Config {
	c := cfg.Copy()
	c.APIOptions = slices.Clip(slices.Clone(c.APIOptions))
	return c
}

// conservativeFallback lists the operations whose denial a check answers by
// assuming the worst instead of reporting error, with the note every
// affected finding's reason then carries. The denial is visible in that note,
// not as an error finding, and the test requires the note instead.
//
//   - S3 Bucket Permissions, GetPublicAccessBlock (S3 for the bucket and S3
//     Control for the account: the same operation name, denied together):
//     Block Public Access can only neutralize public grants, so the check
//     reports every public grant as effective and notes that Block Public
//     Access could not be read. A bucket with no public grant does not depend
//     on it and stays green without a note; that is sound, not silent.
//   - S3 Bucket Permissions, GetBucketPolicyStatus: S3's own opinion of the
//     policy corroborates the check's reading of the document; without it
//     the document is judged alone, with a note on every bucket that has a
//     policy. (Known limit, reported: a policy S3 calls public but the
//     document reading does not would turn from yellow to green with the
//     note. The demo account has no such policy.)
//   - EBS Public Snapshots, GetSnapshotBlockPublicAccessState: block public
//     access for snapshots (block-all-sharing) can only make a public
//     snapshot unreachable, so without it every public snapshot stays red
//     with the note; private snapshots do not depend on it.
var conservativeFallback = map[string]string{
	"GetPublicAccessBlock":              "Block Public Access could not be read",
	"GetBucketPolicyStatus":             "policy status could not be read",
	"GetSnapshotBlockPublicAccessState": "Block Public Access for snapshots could not be read",
}

// identityOnly lists the operations that only name resources: denied, the
// check evaluates every resource as before but must name it another way, so
// resource IDs change while statuses do not, and it adds error findings for
// the names it could not learn.
//
//   - ListAccessKeys: IAM Access Key Rotation reads a key's rotation dates
//     from the credential report and Exposed Access Keys finds a quarantined
//     user through its policy; ListAccessKeys only names the user's keys.
//     Denied, Key Rotation names a key by its user and slot
//     ("user/access_key_1") and each user gets a "user/key-ids" error;
//     Exposed Access Keys reports the quarantined user itself, with a
//     "user/…/access-keys" error.
var identityOnly = map[string]bool{
	"ListAccessKeys": true,
}

// sourceErrors lists the operations that discover the resources of one
// source of a check that has several, with the resource ID of the error
// finding that then stands for every resource of that source (the other
// sources still report, so it is no whole-scope error).
//
//   - ListEntitiesForPolicy: Exposed Access Keys finds quarantined users (and
//     so their keys) through the quarantine policies; denied, the
//     "quarantine-policies" error stands for every key, and AWS Health still
//     reports.
var sourceErrors = map[string]string{
	"ListEntitiesForPolicy": "quarantine-policies",
}

// resourceKey identifies one finding's resource within a scan.
type resourceKey struct{ region, resource string }

func (k resourceKey) String() string { return k.region + "/" + k.resource }

// scanCheck runs every job of c on the demo regions (or once, for a global
// check) and returns the findings keyed by resource.
func scanCheck(t *testing.T, cfg aws.Config, account string, c check.Check) (map[resourceKey]check.Finding, []check.Finding) {
	t.Helper()
	findings := scan.Run(context.Background(), cfg, scan.Plan([]check.Check{c}, []string{account}, demo.Regions, time.Now()), scan.Options{Concurrency: 4})
	byResource := map[resourceKey]check.Finding{}
	for _, f := range findings {
		k := resourceKey{f.Region, f.ResourceID}
		if prev, dup := byResource[k]; dup {
			t.Errorf("two findings for %s: %s (%s) and %s (%s)", k, prev.Status, prev.Reason, f.Status, f.Reason)
		}
		byResource[k] = f
	}
	return byResource, findings
}

// TestFailClosed exercises every implemented check on the demo account.
// It denies, one at a time, every operation the check was seen calling, and
// checks the result against the undenied scan of the same account:
//
//   - every resource found without the denial is still reported: with the
//     same status (the denied operation did not concern it), as error, or
//     covered by a whole-scope error finding for its region; for S3 Bucket
//     Permissions' ACL and policy reads also as the specification's yellow;
//   - no resource is green under denial unless it was green without it, and
//     no resource appears green that was not there before;
//   - the denial is visible: at least one error finding (or, for the S3
//     exception, one "could not be evaluated" yellow) appears, and every
//     error finding names the denied operation and AccessDenied.
//
// Then it compares the calls recorded in all those scans with the check's
// declared IAM actions (see iamActionProblems).
//
// A check the demo does not seed is exercised all the same: its scan finds
// nothing, and every denial must still show as an error.
// The demo account is seeded once and shared: checks only read it.
func TestFailClosed(t *testing.T) {
	cfg, account := demotest.Account(t)

	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		t.Run(c.Meta.Slug, func(t *testing.T) {
			t.Parallel()
			// One recorder watches the undenied scan and every denied one, so
			// that calls made only on a fallback path count too.
			recorder := awsx.NewRecorder()
			recorded := recorder.Counting(isolated(cfg))
			baseline, baselineList := scanCheck(t, recorded, account, c)
			for _, f := range baselineList {
				if f.Status == check.Error {
					t.Fatalf("baseline scan has an error finding, so it proves nothing: %s/%s: %s", f.Region, f.ResourceID, f.Reason)
				}
			}
			ops := recorder.Counts()
			if len(ops) == 0 {
				t.Fatal("the recorder saw no API call")
			}
			t.Run("deny", func(t *testing.T) {
				for _, op := range ops {
					t.Run(op.Service+"."+op.Operation, func(t *testing.T) {
						t.Parallel()
						denied, _ := scanCheck(t, emutest.Deny(isolated(recorded), op.Operation), account, c)
						for _, problem := range failClosedProblems(op.Operation, baseline, denied) {
							t.Error(problem)
						}
						if t.Failed() {
							t.Logf("baseline:\n%s\nwith %s %s denied:\n%s", dump(baseline), op.Service, op.Operation, dump(denied))
						}
					})
				}
			})
			t.Run("iam-actions", func(t *testing.T) {
				for _, problem := range iamActionProblems(c.Meta, recorder.Counts()) {
					t.Error(problem)
				}
			})
		})
	}
}

// failClosedProblems returns every way denied breaks the fail-closed rule
// relative to baseline (see TestFailClosed).
func failClosedProblems(op string, baseline, denied map[resourceKey]check.Finding) []string {
	if identityOnly[op] {
		return renamedProblems(op, baseline, denied)
	}
	yellowAllowed := slices.Contains(s3NotEvaluatedOps, op)
	wholeScope := map[string]bool{}
	// sourceErrored holds the regions where the source op discovers
	// resources for reported an error: its resources may be missing.
	sourceErrored := map[string]bool{}
	var errored []resourceKey
	visible := false
	for k, f := range denied {
		if f.Status == check.Error {
			visible = true
			errored = append(errored, k)
			if k.resource == check.WholeScope {
				wholeScope[k.region] = true
			}
			if source, ok := sourceErrors[op]; ok && k.resource == source {
				sourceErrored[k.region] = true
			}
		}
		if yellowAllowed && f.Status == check.Yellow && strings.Contains(f.Reason, "does not have permission") {
			visible = true
		}
		if note, ok := conservativeFallback[op]; ok && strings.Contains(f.Reason, note) {
			visible = true
		}
	}
	problems := unnamedDenials(op, denied)
	for k, want := range baseline {
		if wholeScope[k.region] || coveredByParent(k, errored) {
			continue
		}
		got, ok := denied[k]
		switch {
		case !ok && sourceErrored[k.region]:
		case !ok:
			problems = append(problems, fmt.Sprintf("%s (%s without the denial) is missing and no whole-scope error covers its region", k, want.Status))
		case got.Status == want.Status, got.Status == check.Error:
		case yellowAllowed && got.Status == check.Yellow:
		default:
			problems = append(problems, fmt.Sprintf("%s is %s under denial (%s), %s without it (%s)", k, got.Status, got.Reason, want.Status, want.Reason))
		}
	}
	for k, got := range denied {
		if got.Status != check.Green {
			continue
		}
		if want, ok := baseline[k]; !ok || want.Status != check.Green {
			problems = append(problems, fmt.Sprintf("%s is green under denial (%s) but was not green without it", k, got.Reason))
		}
	}
	if !visible {
		problems = append(problems, "the denial left no trace: no error finding (nor the specification's could-not-evaluate yellow)")
	}
	return problems
}

// renamedProblems checks an identityOnly denial: the non-error findings keep
// their statuses one for one (as a multiset: their IDs change), and at least
// one error finding says which names could not be learned.
func renamedProblems(op string, baseline, denied map[resourceKey]check.Finding) []string {
	statuses := func(m map[resourceKey]check.Finding) []string {
		var out []string
		for k, f := range m {
			if f.Status != check.Error {
				out = append(out, k.region+" "+string(f.Status))
			}
		}
		sort.Strings(out)
		return out
	}
	problems := unnamedDenials(op, denied)
	if want, got := statuses(baseline), statuses(denied); !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("statuses under denial %q, without it %q: want the same, only renamed", got, want))
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(denied)), func(f check.Finding) bool { return f.Status == check.Error }) {
		problems = append(problems, "the denial left no trace: no error finding")
	}
	return problems
}

// unnamedDenials returns a problem for every error finding under the denial
// of op whose reason does not name op and the error code, so that a reader
// of the finding learns which permission is missing.
func unnamedDenials(op string, denied map[resourceKey]check.Finding) []string {
	var problems []string
	for k, f := range denied {
		if f.Status == check.Error && (!strings.Contains(f.Reason, op) || !strings.Contains(f.Reason, "AccessDenied")) {
			problems = append(problems, fmt.Sprintf("%s is an error (%s) that does not name the denied %s and AccessDenied", k, f.Reason, op))
		}
	}
	return problems
}

// coveredByParent reports whether an error finding stands for a resource
// that contains k's: checks that report one finding per part of a resource
// (an origin of a distribution "E1/origin", a listener "lb:443", a rule
// "sg-1/sgr-2") report the whole resource as error when they could not
// read it, which covers every part.
func coveredByParent(k resourceKey, errored []resourceKey) bool {
	return slices.ContainsFunc(errored, func(e resourceKey) bool {
		return e.region == k.region && (strings.HasPrefix(k.resource, e.resource+"/") || strings.HasPrefix(k.resource, e.resource+":"))
	})
}

func dump(findings map[resourceKey]check.Finding) string {
	var lines []string
	for k, f := range findings {
		lines = append(lines, fmt.Sprintf("  %s %s: %s", k, f.Status, f.Reason))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// iamPrefixes names the IAM service prefix of the SDK service IDs whose
// prefix is not their ID in lower case without spaces ("Route 53" is
// route53, "S3 Control" is not s3control).
var iamPrefixes = map[string]string{
	"Elastic Load Balancing v2": "elasticloadbalancing",
	"S3 Control":                "s3",
}

// renamedActions maps the operations whose IAM action has another name than
// the operation (Service Authorization Reference, "Actions defined by ...").
var renamedActions = map[awsx.OpKey]string{
	{Service: "S3", Operation: "ListBuckets"}:                  "s3:ListAllMyBuckets",
	{Service: "S3", Operation: "GetPublicAccessBlock"}:         "s3:GetBucketPublicAccessBlock",
	{Service: "S3 Control", Operation: "GetPublicAccessBlock"}: "s3:GetAccountPublicAccessBlock",
}

// iamActionFor returns the IAM action that authorizes op.
func iamActionFor(op awsx.OpKey) string {
	if a, ok := renamedActions[op]; ok {
		return a
	}
	prefix, ok := iamPrefixes[op.Service]
	if !ok {
		prefix = strings.ToLower(strings.ReplaceAll(op.Service, " ", ""))
	}
	return prefix + ":" + op.Operation
}

// unexercisedActions are declared IAM actions that no scan of the demo
// account calls, each with the reason: the code path that needs it exists
// but the demo account does not reach it.
var unexercisedActions = map[string]string{
	"health:DescribeEventDetails": "asked only for open AWS Health events, which AWS raises and no account can create; " +
		"the emulated account has none. Exposed Access Keys' own tests answer it with a wire-level fake.",
}

// iamActionProblems compares the operations recorded while scanning with
// meta's declared IAM actions: every call needs a declared action (or it
// would be AccessDenied in production), and every declared action needs a
// call (or the deployed role grants more than the check uses).
func iamActionProblems(meta check.Meta, recorded []awsx.OpCount) []string {
	var problems []string
	called := map[string]bool{}
	for _, op := range recorded {
		action := iamActionFor(op.OpKey)
		called[action] = true
		if !slices.Contains(meta.IAMActions, action) {
			problems = append(problems, fmt.Sprintf("%s calls %s %s, which needs %s; declared IAM actions: %q", meta.Slug, op.Service, op.Operation, action, meta.IAMActions))
		}
	}
	for _, action := range meta.IAMActions {
		if _, exempt := unexercisedActions[action]; !called[action] && !exempt {
			problems = append(problems, fmt.Sprintf("%s declares %s, but no scan of the demo account called it; declared IAM actions: %q", meta.Slug, action, meta.IAMActions))
		}
	}
	return problems
}

func TestIAMActionProblems(t *testing.T) {
	t.Parallel()
	op := func(service, operation string) awsx.OpCount {
		return awsx.OpCount{OpKey: awsx.OpKey{Service: service, Operation: operation}}
	}
	tests := []struct {
		name     string
		declared []string
		recorded []awsx.OpCount
		want     int
	}{
		{"renamed S3 actions", []string{"s3:ListAllMyBuckets", "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock"},
			[]awsx.OpCount{op("S3", "ListBuckets"), op("S3", "GetPublicAccessBlock"), op("S3 Control", "GetPublicAccessBlock")}, 0},
		{"prefix other than the service ID", []string{"elasticloadbalancing:DescribeListeners", "route53:ListHostedZones"},
			[]awsx.OpCount{op("Elastic Load Balancing v2", "DescribeListeners"), op("Route 53", "ListHostedZones")}, 0},
		{"call not declared", []string{"iam:ListUsers"}, []awsx.OpCount{op("IAM", "ListUsers"), op("IAM", "GetUser")}, 1},
		{"declared, never called", []string{"iam:ListUsers", "iam:GetUser"}, []awsx.OpCount{op("IAM", "ListUsers")}, 1},
		{"declared, never called, with a reason", []string{"health:DescribeEvents", "health:DescribeEventDetails"},
			[]awsx.OpCount{op("Health", "DescribeEvents")}, 0},
	}
	for _, tt := range tests {
		got := iamActionProblems(check.Meta{Slug: "test", IAMActions: tt.declared}, tt.recorded)
		if len(got) != tt.want {
			t.Errorf("%s: problems = %q, want %d", tt.name, got, tt.want)
		}
	}
}
