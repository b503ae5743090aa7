package securitygroupunrestricted

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// rule, open and notOpen build the cases of TestEvaluateOneRule.
var (
	rule    = sgrulestest.Rule
	open    = sgrulestest.Open
	notOpen = sgrulestest.NotOpen
)

func TestEvaluateOneRule(t *testing.T) {
	t.Parallel()
	tests := sgrulestest.EachPort("exempt port %d", exemptPorts, check.Green)
	// Each port next to an exempt one, and the red ports of the other check.
	tests = append(tests, sgrulestest.EachPort("port %d", []int32{24, 26, 79, 81, 442, 444, 465, 20, 22, 3389, 5432}, check.Red)...)
	tests = append(tests, []sgrulestest.RuleCase{
		open("udp 443 is a port 443", rule("udp", 443, 443, "0.0.0.0/0"), check.Green),
		open("range 80-443 covers 81-442", rule("tcp", 80, 443, "0.0.0.0/0"), check.Red),
		open("range 80-81", rule("tcp", 80, 81, "0.0.0.0/0"), check.Red),
		open("every tcp port", rule("tcp", 0, 65535, "0.0.0.0/0"), check.Red),
		open("all protocols open every port", rule("-1", -1, -1, "0.0.0.0/0"), check.Red),
		open("icmp is not an exempt port", rule("icmp", -1, -1, "0.0.0.0/0"), check.Red),
		open("icmp destination unreachable (path MTU)", rule("icmp", 3, 4, "0.0.0.0/0"), check.Red),
		open("other protocol (GRE)", rule("47", -1, -1, "0.0.0.0/0"), check.Red),
		open("any IPv4 /0, not only 0.0.0.0", rule("tcp", 22, 22, "10.0.0.0/0"), check.Red),
		notOpen("/32 is restricted", rule("tcp", 22, 22, "203.0.113.7/32")),
		notOpen("/24 is restricted", rule("tcp", 22, 22, "203.0.113.0/24")),
		notOpen("/1 is not a /0 suffix", rule("-1", -1, -1, "0.0.0.0/1")),
		open("IPv6 ::/0 on ssh: yellow at most", rule("tcp", 22, 22, "::/0"), check.Yellow),
		open("IPv6 ::/0 all traffic: yellow at most", rule("-1", -1, -1, "::/0"), check.Yellow),
		open("IPv6 ::/0 on https", rule("tcp", 443, 443, "::/0"), check.Green),
		notOpen("IPv6 /64 is restricted", rule("tcp", 22, 22, "2001:db8::/64")),
	}...)
	sgrulestest.CheckRuleCases(t, Meta, evaluate, tests)
}

// TestIPRangeColumn: the IP Range column shows the rule's /0 source, and the
// customer-managed prefix list that holds it.
func TestIPRangeColumn(t *testing.T) {
	t.Parallel()
	partners := sgrules.PrefixLists{"pl-1": {ID: "pl-1", Name: "partners", CIDRs: []string{"203.0.113.0/24", "0.0.0.0/0"}}}
	tests := []struct {
		rule types.SecurityGroupRule
		want string
	}{
		{rule("tcp", 22, 22, "0.0.0.0/0"), "0.0.0.0/0"},
		{rule("tcp", 22, 22, "::/0"), "::/0"},
		{rule("tcp", 22, 22, "pl-1"), "0.0.0.0/0 (prefix list pl-1)"},
	}
	for _, tt := range tests {
		got := evaluate(checktest.Target("eu-west-1"), []sgrules.Group{{ID: "sg-1", Name: "app", Inbound: []types.SecurityGroupRule{tt.rule}, PrefixLists: partners}})
		if f := checktest.ByResource(got)["sg-1/sgr-1"]; f.Columns["IP Range"] != tt.want {
			t.Errorf("evaluate(%s) IP Range = %q, want %q", sgrules.Describe(tt.rule), f.Columns["IP Range"], tt.want)
		}
	}
}

// TestCollectOnEmulator scans an account seeded the way real ones look,
// with a customer-managed prefix list that holds 0.0.0.0/0 by mistake: its
// SSH and MySQL rules are red, and the HTTPS rule naming the AWS-managed S3
// list is not open to the internet.
func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	sgrulestest.WorldOpenOnEmulator(t, Check, map[string]check.Status{
		"web/443":           check.Green,
		"legacy-db/3306":    check.Red, // the 10.20.0.0/16 rule is not flagged
		"bastion/22":        check.Red,
		"internal":          check.Green,
		"partner-sftp/22":   check.Red,
		"partner-sftp/3306": check.Red,
	})
}
