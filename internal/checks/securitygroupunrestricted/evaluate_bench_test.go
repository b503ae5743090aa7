package securitygroupunrestricted

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/sgrules"
)

// benchmarkGroups is one reference region of the benchmark account
// (internal/bench): 700 groups with 5 inbound rules each, 3,500 rules, as
// DescribeSecurityGroupRules returns them. Every 10th group opens 443 to the
// world, every 25th SSH, every 50th RDP, every 100th all ports (0-65535, the
// widest range the evaluators walk); the rest come from private ranges.
func benchmarkGroups(allPorts bool) []sgrules.Group {
	ports := []int32{443, 8080, 5432, 6379, 9200}
	groups := make([]sgrules.Group, 700)
	for i := range groups {
		id := fmt.Sprintf("sg-%017d", i)
		g := sgrules.Group{ID: id, Name: fmt.Sprintf("bench-sg-%04d", i), VpcID: "vpc-1"}
		for k, port := range ports {
			from, to, cidr := port, port, fmt.Sprintf("10.%d.%d.0/24", k, i%250)
			switch {
			case k == 0 && i%10 == 0:
				cidr = "0.0.0.0/0"
			case k == 1 && i%25 == 0:
				from, to, cidr = 22, 22, "0.0.0.0/0"
			case k == 2 && i%50 == 0:
				from, to, cidr = 3389, 3389, "0.0.0.0/0"
			case allPorts && k == 3 && i%100 == 0:
				from, to, cidr = 0, 65535, "0.0.0.0/0"
			}
			g.Inbound = append(g.Inbound, types.SecurityGroupRule{
				GroupId: aws.String(id), SecurityGroupRuleId: aws.String(fmt.Sprintf("sgr-%s-%d", id, k)), IsEgress: aws.Bool(false),
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(from), ToPort: aws.Int32(to), CidrIpv4: aws.String(cidr),
			})
		}
		groups[i] = g
	}
	return groups
}

// BenchmarkEvaluate evaluates one reference region's 3,500 rules, with and
// without the seven 0-65535 rules (to show what wide port ranges cost).
func BenchmarkEvaluate(b *testing.B) {
	for _, tc := range []struct {
		name     string
		allPorts bool
	}{{"reference", true}, {"without-all-port-rules", false}} {
		b.Run(tc.name, func(b *testing.B) {
			groups := benchmarkGroups(tc.allPorts)
			target := checktest.Target("eu-west-1")
			b.ReportAllocs()
			for b.Loop() {
				if got := evaluate(target, groups); len(got) < len(groups) {
					b.Fatalf("evaluate returned %d findings, want at least one per group (%d)", len(got), len(groups))
				}
			}
		})
	}
}
