package sgrules_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/sgrules"
	"github.com/secadvisor/secadvisor/internal/sgrules/sgrulestest"
)

// These tests seed the emulator through sgrulestest, which imports sgrules:
// they live in the external test package to avoid an import cycle. The
// emulator they use is started by TestMain in main_test.go, which runs for
// both packages (one test binary).

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	client := ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
	vpc := sgrulestest.CreateVPC(t, client, "10.1.0.0/16")
	// One permission with two CIDRs and an IPv6 range: three rules.
	web := sgrulestest.CreateGroup(t, client, vpc, "web", sgrulestest.Ingress("tcp", 443, 443, "0.0.0.0/0", "10.0.0.0/8", "::/0"))
	empty := sgrulestest.CreateGroup(t, client, vpc, "empty")
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)

	groups, err := sgrules.Collect(ctx, ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1")))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	byID := sgrules.ByID(groups)
	got := byID[web]
	if got.Name != "web" || len(got.Inbound) != 3 {
		t.Errorf("web group = %+v, want name web and 3 inbound rules (egress left out)", got)
	}
	if g, ok := byID[empty]; !ok || g.Name != "empty" || len(g.Inbound) != 0 {
		t.Errorf("group without rules = %+v (listed %t), want listed with no inbound rules", g, ok)
	}
	var sources []string
	for _, r := range got.Inbound {
		sources = append(sources, sgrules.Source(r))
	}
	slices.Sort(sources)
	if want := []string{"0.0.0.0/0", "10.0.0.0/8", "::/0"}; !slices.Equal(sources, want) {
		t.Errorf("web rule sources = %q, want %q", sources, want)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("EC2", "DescribeSecurityGroups", 1, "one page"),
		checktest.Call("EC2", "DescribeSecurityGroupRules", 1, "one page"))
}

func TestCollectAccessDenied(t *testing.T) {
	t.Parallel()
	cfg, _ := emutest.Config(t)
	for _, op := range []string{"DescribeSecurityGroups", "DescribeSecurityGroupRules"} {
		_, err := sgrules.Collect(context.Background(), ec2.NewFromConfig(emutest.Deny(cfg, op)))
		if err == nil || !strings.Contains(err.Error(), "ec2 "+op) || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("Collect with %s denied: err = %v, want the operation and AccessDenied", op, err)
		}
	}
}

// namesS3List reports whether r is the rule of sgrulestest.SeedPrefixList's
// group that names the AWS-managed S3 list (HTTPS); its other rules name the
// customer-managed list "partners", which holds 0.0.0.0/0.
func namesS3List(r types.SecurityGroupRule) bool { return aws.ToInt32(r.FromPort) == 443 }

func TestExpandPrefixListsOnEmulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	id := sgrulestest.SeedPrefixList(t, cfg, "eu-west-1")
	recorder := awsx.NewRecorder()
	cfg.APIOptions = append(cfg.APIOptions, recorder.Middleware)
	client := ec2.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
	groups, err := sgrules.Collect(ctx, client)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	sgrules.ExpandPrefixLists(ctx, client, groups)
	g := sgrules.ByID(groups)[id]
	if len(g.Inbound) != 3 {
		t.Fatalf("partner-sftp group = %+v, want its three prefix-list rules", g)
	}
	for _, r := range g.Inbound {
		w, ok, err := g.JudgeWorldOpen(r, sgrules.JudgeRed)
		wantOpen := !namesS3List(r)
		if err != nil || ok != wantOpen || (ok && (!w.IPv4 || w.CIDR != "0.0.0.0/0")) {
			t.Errorf("%s: JudgeWorldOpen = %+v, %t, %v; want world-open %t (customer list with 0.0.0.0/0 on 22 and 3306, AWS-managed S3 list on 443)", sgrules.Describe(r), w, ok, err, wantOpen)
		}
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("EC2", "DescribeManagedPrefixLists", 1, "one listing"),
		checktest.Call("EC2", "GetManagedPrefixListEntries", 1, "the customer-managed list only, once for its two rules"))
}

func TestExpandPrefixListsDenied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, _ := emutest.Config(t)
	id := sgrulestest.SeedPrefixList(t, cfg, "eu-west-1")
	for _, op := range []string{"DescribeManagedPrefixLists", "GetManagedPrefixListEntries"} {
		client := ec2.NewFromConfig(awsx.InRegion(emutest.Deny(cfg, op), "eu-west-1"))
		groups, err := sgrules.Collect(ctx, client)
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		sgrules.ExpandPrefixLists(ctx, client, groups)
		g := sgrules.ByID(groups)[id]
		for _, r := range g.Inbound {
			_, ok, err := g.JudgeWorldOpen(r, sgrules.JudgeRed)
			if op == "GetManagedPrefixListEntries" && namesS3List(r) {
				// The AWS-managed list needs no entries.
				if err != nil || ok {
					t.Errorf("%s denied, %s: ok %t, err %v; want not world-open, no error", op, sgrules.Describe(r), ok, err)
				}
				continue
			}
			if ok || err == nil || !strings.Contains(err.Op, "ec2 "+op) || awsx.Code(err.Err) != "AccessDenied" {
				t.Errorf("%s denied, %s: ok %t, err %v; want a prefix-list error naming the operation and AccessDenied", op, sgrules.Describe(r), ok, err)
			}
		}
	}
}
