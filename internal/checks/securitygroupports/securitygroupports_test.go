package securitygroupports

import (
	"testing"

	"github.com/secadvisor/secadvisor/internal/check"
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
	tests := append(sgrulestest.EachPort("red port %d", redPorts, check.Red), sgrulestest.EachPort("green port %d", greenPorts, check.Green)...)
	tests = append(tests, []sgrulestest.RuleCase{
		open("ssh is any other port", rule("tcp", 22, 22, "0.0.0.0/0"), check.Yellow),
		open("just above a red port", rule("tcp", 5501, 5501, "0.0.0.0/0"), check.Yellow),
		open("range covering 3306 and 3389", rule("tcp", 3306, 3389, "0.0.0.0/0"), check.Red),
		open("range just inside 3306 and 3389", rule("tcp", 3307, 3388, "0.0.0.0/0"), check.Yellow),
		open("range ending on red port 20", rule("tcp", 10, 20, "0.0.0.0/0"), check.Red),
		open("range starting on red port 5500", rule("tcp", 5500, 5600, "0.0.0.0/0"), check.Red),
		open("range just below 20", rule("tcp", 10, 19, "0.0.0.0/0"), check.Yellow),
		open("every tcp port covers 3389", rule("tcp", 0, 65535, "0.0.0.0/0"), check.Red),
		open("udp range covering 1434", rule("udp", 1000, 2000, "0.0.0.0/0"), check.Red),
		open("range of two green ports and others", rule("tcp", 80, 443, "0.0.0.0/0"), check.Yellow),
		open("range of green 465 and one more", rule("tcp", 465, 466, "0.0.0.0/0"), check.Yellow),
		open("all protocols open every port", rule("-1", -1, -1, "0.0.0.0/0"), check.Red),
		open("icmp has no ports: any other", rule("icmp", -1, -1, "0.0.0.0/0"), check.Yellow),
		open("icmp echo", rule("icmp", 8, -1, "0.0.0.0/0"), check.Yellow),
		open("other protocol (ESP)", rule("50", -1, -1, "0.0.0.0/0"), check.Yellow),
		open("any IPv4 /0, not only 0.0.0.0", rule("tcp", 3389, 3389, "10.0.0.0/0"), check.Red),
		notOpen("/32 is restricted", rule("tcp", 3389, 3389, "203.0.113.7/32")),
		notOpen("/24 is restricted", rule("tcp", 3389, 3389, "203.0.113.0/24")),
		notOpen("/1 is restricted for this check", rule("-1", -1, -1, "0.0.0.0/1")),
		open("IPv6 ::/0 on a red port: yellow at most", rule("tcp", 3389, 3389, "::/0"), check.Yellow),
		open("IPv6 ::/0 on ssh", rule("tcp", 22, 22, "::/0"), check.Yellow),
		open("IPv6 ::/0 on https", rule("tcp", 443, 443, "::/0"), check.Green),
		notOpen("IPv6 /64 is restricted", rule("tcp", 3389, 3389, "2001:db8::/64")),
	}...)
	sgrulestest.CheckRuleCases(t, Meta, evaluate, tests)
}

// TestCollectOnEmulator scans an account seeded the way real ones look,
// with a customer-managed prefix list that holds 0.0.0.0/0 by mistake: its
// SSH rule is any other port (yellow), its MySQL rule red, and the HTTPS
// rule naming the AWS-managed S3 list is not open to the internet.
func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	sgrulestest.WorldOpenOnEmulator(t, Check, map[string]check.Status{
		"web/443":           check.Green,
		"legacy-db/3306":    check.Red, // the 10.20.0.0/16 rule is not flagged
		"bastion/22":        check.Yellow,
		"internal":          check.Green,
		"partner-sftp/22":   check.Yellow,
		"partner-sftp/3306": check.Red,
	})
}
