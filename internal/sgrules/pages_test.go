package sgrules_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// TestCollectReadsEveryPage: the emulator answers in one page, so a fake
// answers both listings in two, the group and the rule that matter on the
// second: a collector that stops after the first page loses the rule, and
// the group's name.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	inbound := func(group, id string, port int32) types.SecurityGroupRule {
		return types.SecurityGroupRule{GroupId: aws.String(group), SecurityGroupRuleId: aws.String(id), IsEgress: aws.Bool(false),
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), CidrIpv4: aws.String("0.0.0.0/0")}
	}
	egress := inbound("sg-web", "sgr-out", 0)
	egress.IsEgress = aws.Bool(true)
	api := sgrulestest.Pages{
		Groups: [][]types.SecurityGroup{
			{{GroupId: aws.String("sg-web"), GroupName: aws.String("web"), VpcId: aws.String("vpc-1")}},
			{{GroupId: aws.String("sg-db"), GroupName: aws.String("db"), VpcId: aws.String("vpc-1")}},
		},
		Rules: [][]types.SecurityGroupRule{
			{inbound("sg-web", "sgr-https", 443), egress},
			{inbound("sg-db", "sgr-mysql", 3306)},
		},
	}
	groups, err := sgrules.Collect(context.Background(), api)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	byID := sgrules.ByID(groups)
	for id, want := range map[string]struct{ name, rule string }{"sg-web": {"web", "sgr-https"}, "sg-db": {"db", "sgr-mysql"}} {
		g := byID[id]
		if g.Name != want.name || len(g.Inbound) != 1 || aws.ToString(g.Inbound[0].SecurityGroupRuleId) != want.rule {
			t.Errorf("Collect over two pages: %s = %+v, want name %s and the one inbound rule %s", id, g, want.name, want.rule)
		}
	}
	if len(groups) != 2 {
		t.Errorf("Collect over two pages = %d groups, want 2", len(groups))
	}
}
