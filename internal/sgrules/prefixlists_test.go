package sgrules

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// prefixListRule is a rule whose source is prefix list id, shaped like a
// DescribeSecurityGroupRules answer.
func prefixListRule(port int32, id string) types.SecurityGroupRule {
	return types.SecurityGroupRule{
		GroupId: aws.String("sg-1"), SecurityGroupRuleId: aws.String("sgr-" + id), IsEgress: aws.Bool(false),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port), PrefixListId: aws.String(id),
	}
}

// judgeRed rates every rule red, so that a test sees what JudgeWorldOpen
// makes of the source alone.
func judgeRed(r types.SecurityGroupRule) (check.Status, string) {
	return check.Red, "Open: " + Describe(r) + "."
}

// TestAWSManagedPrefixListNotWorldOpen: a list AWS maintains holds the
// addresses of an AWS service (S3, CloudFront origin-facing…), never the
// whole internet, and its entries are never read.
func TestAWSManagedPrefixListNotWorldOpen(t *testing.T) {
	t.Parallel()
	g := Group{ID: "sg-1", Inbound: []types.SecurityGroupRule{prefixListRule(443, "pl-4fa04526")},
		PrefixLists: PrefixLists{"pl-4fa04526": {ID: "pl-4fa04526", Name: "com.amazonaws.global.cloudfront.origin-facing", AWSManaged: true}}}
	w, ok, err := g.JudgeWorldOpen(g.Inbound[0], judgeRed)
	if ok || err != nil {
		t.Errorf("JudgeWorldOpen(AWS-managed list) = %+v, %t, %v; want not world-open, no error", w, ok, err)
	}
}

// TestPrefixListWorldOpen judges rules whose source is a customer-managed
// prefix list by the list's entries.
func TestPrefixListWorldOpen(t *testing.T) {
	t.Parallel()
	denied := errors.New("AccessDenied")
	tests := []struct {
		name     string
		list     *PrefixList // nil: the list was not read
		wantOK   bool
		wantIPv4 bool
		want     check.Status
		wantErr  bool
	}{
		{"IPv4 list with 0.0.0.0/0", &PrefixList{CIDRs: []string{"203.0.113.0/24", "0.0.0.0/0"}}, true, true, check.Red, false},
		{"IPv6 list with ::/0: beyond the spec, yellow at most", &PrefixList{CIDRs: []string{"2001:db8::/32", "::/0"}}, true, false, check.Yellow, false},
		{"list of partner ranges", &PrefixList{CIDRs: []string{"203.0.113.0/24", "198.51.100.7/32"}}, false, false, "", false},
		{"empty list", &PrefixList{}, false, false, "", false},
		{"entries unreadable", &PrefixList{Op: "ec2 GetManagedPrefixListEntries pl-1", Err: denied}, false, false, "", true},
		{"not read", nil, false, false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := Group{ID: "sg-1", Inbound: []types.SecurityGroupRule{prefixListRule(22, "pl-1")}, PrefixLists: PrefixLists{}}
			if tt.list != nil {
				l := *tt.list
				l.ID, l.Name = "pl-1", "partners"
				g.PrefixLists["pl-1"] = l
			}
			w, ok, err := g.JudgeWorldOpen(g.Inbound[0], judgeRed)
			if ok != tt.wantOK || (err != nil) != tt.wantErr {
				t.Fatalf("JudgeWorldOpen(%s) = %+v, %t, %v; want ok %t, error %t", tt.name, w, ok, err, tt.wantOK, tt.wantErr)
			}
			if err != nil {
				if err.ListID != "pl-1" || !strings.HasPrefix(err.Op, "ec2 ") || err.Err == nil {
					t.Errorf("JudgeWorldOpen(%s) unreadable = %+v, want pl-1 named with the operation and its error", tt.name, err)
				}
				return
			}
			if !ok {
				return
			}
			if w.Status != tt.want || w.IPv4 != tt.wantIPv4 || w.PrefixListID != "pl-1" || !strings.Contains(w.Reason, "prefix list partners (pl-1) contains") {
				t.Errorf("JudgeWorldOpen(%s) = %+v; want %s, IPv4 %t, the list named in the reason", tt.name, w, tt.want, tt.wantIPv4)
			}
		})
	}
}

// pagedPrefixLists answers DescribeManagedPrefixLists and
// GetManagedPrefixListEntries as EC2 does for a customer-managed list whose
// entries span two pages, the world-open entry on the second, and an
// AWS-managed list on the second page of the listing (read as a
// customer-managed one when that page is dropped: an error here). The
// emulator never paginates these operations, so the pages are built here,
// shaped as the EC2 API reference documents them (NextToken on all pages but
// the last).
type pagedPrefixLists struct {
	entryCalls int
}

func (f *pagedPrefixLists) DescribeManagedPrefixLists(_ context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	page, next := checktest.Page([][]types.ManagedPrefixList{
		{{PrefixListId: aws.String("pl-0123456789abcdef0"), PrefixListName: aws.String("partners"), OwnerId: aws.String("111122223333"), AddressFamily: aws.String("IPv4")}},
		{{PrefixListId: aws.String("pl-63a5400a"), PrefixListName: aws.String("com.amazonaws.us-east-1.s3"), OwnerId: aws.String("AWS"), AddressFamily: aws.String("IPv4")}},
	}, in.NextToken)
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: page, NextToken: next}, nil
}

func (f *pagedPrefixLists) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	f.entryCalls++
	if aws.ToString(in.PrefixListId) != "pl-0123456789abcdef0" {
		return nil, errors.New("entries of an AWS-managed list were read")
	}
	page, next := checktest.Page([][]types.PrefixListEntry{
		{{Cidr: aws.String("203.0.113.0/24")}},
		{{Cidr: aws.String("0.0.0.0/0"), Description: aws.String("temporary")}},
	}, in.NextToken)
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: page, NextToken: next}, nil
}

// TestPrefixListEntriesPaginated reads every page of the listing and of a
// list's entries, once for all the rules that name it, and never reads an
// AWS-managed list.
func TestPrefixListEntriesPaginated(t *testing.T) {
	t.Parallel()
	api := &pagedPrefixLists{}
	groups := []Group{
		{ID: "sg-1", Inbound: []types.SecurityGroupRule{prefixListRule(22, "pl-0123456789abcdef0"), prefixListRule(443, "pl-63a5400a")}},
		{ID: "sg-2", Inbound: []types.SecurityGroupRule{prefixListRule(3389, "pl-0123456789abcdef0")}},
	}
	ExpandPrefixLists(context.Background(), api, groups)
	if api.entryCalls != 2 {
		t.Errorf("GetManagedPrefixListEntries calls = %d, want 2 (two pages of one list, read once for both groups)", api.entryCalls)
	}
	for _, g := range groups {
		for _, r := range g.Inbound {
			w, ok, err := g.JudgeWorldOpen(r, judgeRed)
			wantOpen := aws.ToString(r.PrefixListId) == "pl-0123456789abcdef0"
			if err != nil || ok != wantOpen || (ok && w.CIDR != "0.0.0.0/0") {
				t.Errorf("%s %s: JudgeWorldOpen = %+v, %t, %v; want world-open %t through the second page's 0.0.0.0/0", g.ID, Describe(r), w, ok, err, wantOpen)
			}
		}
	}
}
