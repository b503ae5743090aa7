package bench

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// ceilDiv is ⌈n/page⌉, at least 1: a listing costs one call even when empty.
func ceilDiv(n, page int) int { return max(1, (n+page-1)/page) }

// minimalCalls is the fewest calls of one operation that fetch the data a
// scan of the reference account needs, fetched once per account (global
// services) or once per region, at each API's largest page size, for the
// whole scan (a listing that several checks need counts once). Formulas are
// also in BENCHMARKS.md. ok is false for an operation without a formula.
//
// Resource counts include what the emulator adds on its own: a default VPC
// with its default security group in every region, and the seeding VPC's
// default group. Every security group has one egress rule, the default
// groups one self-referencing inbound rule; DescribeSecurityGroupRules
// returns egress rules too (it has no filter for direction).
func minimalCalls(s Spec, service, operation string) (n int, formula, note string, ok bool) {
	R := len(s.Regions)
	groups := s.SecurityGroups + 2
	rules := s.SecurityGroups*s.RulesPerGroup + groups + 2
	deprecated := 0
	for i := range s.LambdaFuncs {
		switch functionRuntimes[i%len(functionRuntimes)] {
		case types.RuntimePython39, types.RuntimeNodejs16x:
			deprecated++
		}
	}
	shared := "four checks (two security-group checks, RDS and ELB security groups) each list the same groups"
	switch service + " " + operation {
	case "EC2 DescribeSnapshots":
		return R * (ceilDiv(s.EBSSnapshots, 1000) + ceilDiv(s.PublicSnapshot, 1000)),
			fmt.Sprintf("R × (⌈snapshots/1000⌉ + ⌈public/1000⌉) = %d × (⌈%d/1000⌉ + ⌈%d/1000⌉)", R, s.EBSSnapshots, s.PublicSnapshot), "", true
	case "EC2 DescribeSecurityGroups":
		return R * ceilDiv(groups, 1000), fmt.Sprintf("R × ⌈groups/1000⌉ = %d × ⌈%d/1000⌉", R, groups), shared, true
	case "EC2 DescribeSecurityGroupRules":
		return R * ceilDiv(rules, 1000), fmt.Sprintf("R × ⌈rules (in+out)/1000⌉ = %d × ⌈%d/1000⌉", R, rules), shared, true
	case "EC2 DescribeInstances":
		return R, "R × ⌈instances/1000⌉ (no instance)", "", true
	case "EC2 DescribeImages":
		return 0, "0 (no instance, so no image to describe)", "", true
	case "Elastic Load Balancing DescribeLoadBalancers":
		return R * ceilDiv(s.ClassicLBs, 400), fmt.Sprintf("R × ⌈CLBs/400⌉ = %d × ⌈%d/400⌉", R, s.ClassicLBs), "two checks (listener security, ELB security groups) each list the load balancers", true
	case "Elastic Load Balancing DescribeLoadBalancerPolicies":
		return 0, "CLBs with an HTTPS or SSL listener = 0 (seeded listeners are HTTP and TCP)",
			"waste: the listener-security check asks for the policies of every CLB, TLS listener or not", true
	case "Elastic Load Balancing v2 DescribeLoadBalancers":
		return R, "R × ⌈ALBs+NLBs/400⌉ (none seeded)", "", true
	case "Elastic Load Balancing v2 DescribeListeners":
		return 0, "one per ALB/NLB (none seeded)", "", true
	case "RDS DescribeDBSnapshots":
		return R * ceilDiv(s.RDSSnapshots, 100), fmt.Sprintf("R × ⌈DB snapshots/100⌉ = %d × ⌈%d/100⌉", R, s.RDSSnapshots), "", true
	case "RDS DescribeDBSnapshotAttributes":
		return R * s.RDSSnapshots, fmt.Sprintf("R × DB snapshots = %d × %d (no bulk API for the restore attribute)", R, s.RDSSnapshots), "", true
	case "RDS DescribeDBClusterSnapshots", "RDS DescribeDBSecurityGroups", "RDS DescribeDBInstances", "RDS DescribeDBClusters":
		return R, "R × ⌈n/100⌉ (n ≤ 100)", "", true
	case "RDS DescribeDBClusterSnapshotAttributes":
		return 0, "one per cluster snapshot (none seeded)", "", true
	case "Lambda ListFunctions":
		return R * ceilDiv(s.LambdaFuncs, 50), fmt.Sprintf("R × ⌈functions/50⌉ = %d × ⌈%d/50⌉", R, s.LambdaFuncs), "", true
	case "CloudWatch GetMetricData":
		return R * ceilDiv(deprecated, 500), fmt.Sprintf("R × ⌈functions on deprecated runtimes/500⌉ = %d × ⌈%d/500⌉", R, deprecated), "", true
	case "CloudTrail DescribeTrails":
		return R, "R (not paginated)", "", true
	case "CloudTrail GetTrailStatus":
		return 0, "one per trail (none seeded)", "", true
	case "S3 ListBuckets":
		return ceilDiv(s.Buckets, 10000), fmt.Sprintf("⌈buckets/10000⌉ = ⌈%d/10000⌉", s.Buckets), "", true
	case "S3 GetBucketAcl", "S3 GetBucketPolicy":
		return s.Buckets, fmt.Sprintf("buckets = %d (no bulk API)", s.Buckets), "", true
	case "S3 GetBucketPolicyStatus":
		n := bucketsWith(s, 2, 3)
		return n, fmt.Sprintf("buckets with a policy = %d", n), "", true
	case "S3 GetPublicAccessBlock":
		n := bucketsWith(s, 0, 1, 2)
		return n, fmt.Sprintf("buckets open by ACL or policy = %d (only their bucket-level block changes the verdict)", n), "", true
	case "S3 GetBucketLocation":
		return 0, "0 on AWS (ListBuckets returns BucketRegion)",
			"the emulator leaves BucketRegion empty (docs/development.md), so the check asks per bucket here; against AWS it does not", true
	case "S3 Control GetPublicAccessBlock":
		return 1, "1 (account setting)", "", true
	case "IAM GenerateCredentialReport", "IAM GetCredentialReport":
		return 1, "1 (one report serves every user)", "two checks (access key rotation, root MFA) each fetch the report", true
	case "IAM ListAccessKeys":
		return min(s.Users, s.AccessKeys), fmt.Sprintf("users with a key = %d (the report has no key IDs)", min(s.Users, s.AccessKeys)), "", true
	case "IAM ListUsers", "IAM GetAccountSummary", "IAM GetAccountPasswordPolicy", "IAM ListServerCertificates":
		return 1, "1", "", true
	case "IAM ListEntitiesForPolicy":
		return 3, "3 (one per AWS quarantine policy)", "", true
	case "Route 53 ListHostedZones":
		return ceilDiv(s.HostedZones, 100), fmt.Sprintf("⌈zones/100⌉ = ⌈%d/100⌉", s.HostedZones), "", true
	case "Route 53 ListResourceRecordSets":
		return s.HostedZones, fmt.Sprintf("zones × ⌈records/300⌉ = %d × 1", s.HostedZones), "", true
	case "CloudFront ListDistributions":
		return 1, "⌈distributions/1000⌉ (none seeded)", "two checks (IAM and origin certificates) each list the distributions", true
	case "Health DescribeEvents":
		return 1, "1 (no event)", "", true
	case "WellArchitected ListWorkloads":
		return R, "R × ⌈workloads/50⌉ (none seeded)", "", true
	}
	return 0, "", "", false
}

// bucketsWith counts the seeded buckets whose index modulo 20 is one of
// kinds (see bucketTasks).
func bucketsWith(s Spec, kinds ...int) int {
	n := 0
	for i := range s.Buckets {
		for _, k := range kinds {
			if i%20 == k {
				n++
			}
		}
	}
	return n
}

// belowMinimum explains a count under its minimum: the emulator ignores the
// page size of some listings and returns everything in one page.
const belowMinimum = "fewer than the minimum: the emulator ignores this listing's page size and answers in one page; against AWS the calls would be the minimum"

// withMinimal joins recorded counts with their minimum.
func withMinimal(s Spec, counts []awsx.OpCount) []OpResult {
	out := make([]OpResult, 0, len(counts))
	for _, c := range counts {
		r := OpResult{Service: c.Service, Operation: c.Operation, Calls: c.Calls, Attempts: c.Attempts, Errors: c.Errors}
		n, formula, note, ok := minimalCalls(s, c.Service, c.Operation)
		if !ok {
			formula = "no formula"
		}
		r.Minimal, r.Formula, r.Note = n, formula, note
		if n > 0 {
			r.Ratio = float64(c.Calls) / float64(n)
			if c.Calls < n && r.Note == "" {
				r.Note = belowMinimum
			}
		}
		out = append(out, r)
	}
	return out
}

// Recompute refreshes the derived figures of a stored result (minimal calls
// and ratios) after a formula changed, without running the benchmark again.
func Recompute(r *Result) {
	for _, sc := range []*ScanResult{&r.Parallel, &r.Serial} {
		counts := make([]awsx.OpCount, len(sc.APICalls))
		for i, op := range sc.APICalls {
			counts[i] = awsx.OpCount{OpKey: awsx.OpKey{Service: op.Service, Operation: op.Operation}, Calls: op.Calls, Attempts: op.Attempts, Errors: op.Errors}
		}
		sc.APICalls = withMinimal(r.Spec, counts)
	}
}
