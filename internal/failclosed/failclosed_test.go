package failclosed

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/demo"
	"github.com/secadvisor/secadvisor/internal/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

func TestMain(m *testing.M) {
	// Every denial logs a warning from the scan engine; hundreds of them
	// would bury the test's own output.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(emutest.Main(m))
}

// s3NotEvaluatedOps are the operations whose denial the specification itself
// answers with yellow: S3 Bucket Permissions' "Trusted Advisor does not have
// permission to check the policy, or the policy could not be evaluated".
// For them a green bucket may become yellow (never green from non-green).
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
var conservativeFallback = map[[2]string]string{
	{"s3-bucket-permissions", "GetPublicAccessBlock"}:             "Block Public Access could not be read",
	{"s3-bucket-permissions", "GetBucketPolicyStatus"}:            "policy status could not be read",
	{"ebs-public-snapshots", "GetSnapshotBlockPublicAccessState"}: "Block Public Access for snapshots could not be read",
}

// identityOnly lists the operations that only name resources: denied, the
// check evaluates every resource as before but must name it another way, so
// resource IDs change while statuses do not, and it adds error findings for
// the names it could not learn.
//
//   - IAM Access Key Rotation, ListAccessKeys: the key's rotation dates come
//     from the credential report; ListAccessKeys only maps a report slot
//     (access_key_1/2) to the key ID. Denied, a key is named by its user and
//     slot ("user/access_key_1") and each user gets a "user/key-ids" error.
var identityOnly = map[[2]string]bool{
	{"iam-access-key-rotation", "ListAccessKeys"}: true,
}

// resourceKey identifies one finding's resource within a scan.
type resourceKey struct{ region, resource string }

func (k resourceKey) String() string { return k.region + "/" + k.resource }

// scanCheck runs every job of c on the demo regions (or once, for a global
// check) and returns the findings keyed by resource.
func scanCheck(t *testing.T, cfg aws.Config, account string, c check.Check) (map[resourceKey]check.Finding, []check.Finding) {
	t.Helper()
	findings := scan.Run(context.Background(), cfg, scan.Plan([]check.Check{c}, []string{account}, demo.Regions), scan.Options{Concurrency: 4})
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

// TestFailClosed denies, one at a time, every operation each implemented
// check was seen calling on the demo account, and checks the result against
// the undenied scan of the same account:
//
//   - every resource found without the denial is still reported: with the
//     same status (the denied operation did not concern it), as error, or
//     covered by a whole-scope error finding for its region; for S3 Bucket
//     Permissions' ACL and policy reads also as the specification's yellow;
//   - no resource is green under denial unless it was green without it, and
//     no resource appears green that was not there before;
//   - the denial is visible: at least one error finding (or, for the S3
//     exception, one "could not be evaluated" yellow) appears.
//
// The demo account is seeded once and shared: checks only read it.
func TestFailClosed(t *testing.T) {
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	stop, err := demo.Seed(ctx, cfg)
	if err != nil {
		t.Fatalf("seed the demo account: %v", err)
	}
	t.Cleanup(stop)

	implemented := 0
	for _, c := range checks.All() {
		if !c.Implemented() {
			continue
		}
		implemented++
		t.Run(c.Meta.Slug, func(t *testing.T) {
			t.Parallel()
			recorder := awsx.NewRecorder()
			recorded := isolated(cfg)
			recorded.APIOptions = append(recorded.APIOptions, recorder.Middleware)
			baseline, baselineList := scanCheck(t, recorded, account, c)
			for _, f := range baselineList {
				if f.Status == check.Error {
					t.Fatalf("baseline scan has an error finding, so it proves nothing: %s/%s: %s", f.Region, f.ResourceID, f.Reason)
				}
			}
			if len(baseline) == 0 {
				t.Fatal("baseline scan found nothing: the demo account does not exercise this check")
			}
			ops := recorder.Counts()
			if len(ops) == 0 {
				t.Fatal("the recorder saw no API call")
			}
			for _, op := range ops {
				t.Run(op.Service+"."+op.Operation, func(t *testing.T) {
					t.Parallel()
					denied, _ := scanCheck(t, emutest.Deny(isolated(cfg), op.Operation), account, c)
					for _, problem := range failClosedProblems(c.Meta.Slug, op.Operation, baseline, denied) {
						t.Error(problem)
					}
					if t.Failed() {
						t.Logf("baseline:\n%s\nwith %s %s denied:\n%s", dump(baseline), op.Service, op.Operation, dump(denied))
					}
				})
			}
		})
	}
	if implemented < 19 {
		t.Errorf("only %d checks are implemented; the catalog promises at least 19", implemented)
	}
}

// failClosedProblems returns every way denied breaks the fail-closed rule
// relative to baseline (see TestFailClosed).
func failClosedProblems(slug, op string, baseline, denied map[resourceKey]check.Finding) []string {
	if identityOnly[[2]string{slug, op}] {
		return renamedProblems(baseline, denied)
	}
	yellowAllowed := slug == "s3-bucket-permissions" && slices.Contains(s3NotEvaluatedOps, op)
	wholeScope := map[string]bool{}
	var errored []resourceKey
	visible := false
	for k, f := range denied {
		if f.Status == check.Error {
			visible = true
			errored = append(errored, k)
			if k.resource == scan.WholeScope {
				wholeScope[k.region] = true
			}
		}
		if yellowAllowed && f.Status == check.Yellow && strings.Contains(f.Reason, "does not have permission") {
			visible = true
		}
		if note, ok := conservativeFallback[[2]string{slug, op}]; ok && strings.Contains(f.Reason, note) {
			visible = true
		}
	}
	var problems []string
	for k, want := range baseline {
		if wholeScope[k.region] || coveredByParent(k, errored) {
			continue
		}
		got, ok := denied[k]
		switch {
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
func renamedProblems(baseline, denied map[resourceKey]check.Finding) []string {
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
	var problems []string
	if want, got := statuses(baseline), statuses(denied); !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("statuses under denial %q, without it %q: want the same, only renamed", got, want))
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(denied)), func(f check.Finding) bool { return f.Status == check.Error }) {
		problems = append(problems, "the denial left no trace: no error finding")
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
