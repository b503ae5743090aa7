// Package bench measures secadvisor on a reference synthetic account seeded
// into the local emulator: scan wall time (parallel and serial), AWS API
// calls per operation against the minimum the same data needs, findings,
// peak memory, and the findings store's writes on an unchanged and a
// slightly changed re-scan. Its numbers feed the org-scale model (model.go)
// and BENCHMARKS.md; `make bench` runs it through cmd/secadvisor-bench.
package bench

import (
	"math"
)

// Spec is the reference account's shape: counts per region for regional
// resources, per account for global ones.
type Spec struct {
	Scale   float64  `json:"scale"`
	Regions []string `json:"regions"`

	// Per region.
	SecurityGroups int `json:"securityGroupsPerRegion"`
	// RulesPerGroup is the inbound rules (one source each) of every seeded
	// group; the issue's ~3,500 rules for 700 groups is 5.
	RulesPerGroup  int `json:"inboundRulesPerGroup"`
	EBSSnapshots   int `json:"ebsSnapshotsPerRegion"`
	RDSSnapshots   int `json:"rdsSnapshotsPerRegion"`
	ClassicLBs     int `json:"classicLoadBalancersPerRegion"`
	LambdaFuncs    int `json:"lambdaFunctionsPerRegion"`
	PublicSnapshot int `json:"publicEbsSnapshotsPerRegion"`

	// Per account (global services).
	Buckets     int `json:"s3Buckets"`
	Users       int `json:"iamUsers"`
	AccessKeys  int `json:"iamAccessKeys"`
	HostedZones int `json:"hostedZones"`
}

// ReferenceRegions are the regions the reference account uses.
var ReferenceRegions = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}

// Reference returns the reference account multiplied by scale:
// at 1.0, 3 regions; per region 700 security groups with 3,500 inbound
// rules, 700 EBS snapshots (1 % public), 150 RDS snapshots, 35 Classic Load
// Balancers and 350 Lambda functions; per account 500 S3 buckets, 1,000 IAM
// users with 1,500 access keys and 200 hosted zones. Every count is at least
// 1 so a small scale still seeds every kind of resource.
func Reference(scale float64) Spec {
	n := func(base int) int { return max(1, int(math.Round(float64(base)*scale))) }
	s := Spec{
		Scale:          scale,
		Regions:        ReferenceRegions,
		SecurityGroups: n(700),
		RulesPerGroup:  5,
		EBSSnapshots:   n(700),
		RDSSnapshots:   n(150),
		ClassicLBs:     n(35),
		LambdaFuncs:    n(350),
		Buckets:        n(500),
		Users:          n(1000),
		AccessKeys:     n(1500),
		HostedZones:    n(200),
	}
	s.PublicSnapshot = onePercent(s.EBSSnapshots)
	// A user holds at most two access keys.
	s.AccessKeys = min(s.AccessKeys, 2*s.Users)
	return s
}

// onePercent is 1 % of n, at least one.
func onePercent(n int) int { return max(1, int(math.Round(float64(n)/100))) }
