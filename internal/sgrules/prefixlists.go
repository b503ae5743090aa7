package sgrules

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// PrefixListIAMActions are the IAM actions ExpandPrefixLists calls, for the
// Meta of the checks that call it.
var PrefixListIAMActions = []string{"ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"}

// PrefixListAPI is the part of the EC2 client ExpandPrefixLists calls.
type PrefixListAPI interface {
	ec2.DescribeManagedPrefixListsAPIClient
	ec2.GetManagedPrefixListEntriesAPIClient
}

var _ PrefixListAPI = (*ec2.Client)(nil)

// prefixListPageSize is the largest page of both DescribeManagedPrefixLists
// and GetManagedPrefixListEntries.
const prefixListPageSize = 100

// awsOwner is the OwnerId DescribeManagedPrefixLists gives the prefix lists
// AWS maintains (com.amazonaws.<region>.s3, …global.cloudfront.origin-facing…).
const awsOwner = "AWS"

// PrefixList is one managed prefix list that a rule names as its source.
type PrefixList struct {
	ID   string
	Name string
	// AWSManaged is set for a list AWS maintains: its entries are the
	// addresses of an AWS service, never the whole internet, and are not read.
	AWSManaged bool
	// CIDRs are the entries of a customer-managed list.
	CIDRs []string
	// Op and Err say why the list could not be read; then no rule naming it
	// can be judged.
	Op  string
	Err error
}

// Label names the list for people: "name (pl-…)", or the ID alone.
func (l PrefixList) Label() string {
	if l.Name == "" {
		return l.ID
	}
	return l.Name + " (" + l.ID + ")"
}

// PrefixLists holds prefix lists by ID.
type PrefixLists map[string]PrefixList

// PrefixListError says that a rule's source is a prefix list that could not
// be read: whether the rule opens anything to the internet is unknown.
type PrefixListError struct {
	ListID string
	// Op is the operation that failed, e.g. "ec2 GetManagedPrefixListEntries pl-…".
	Op  string
	Err error
}

func (e *PrefixListError) Error() string {
	return fmt.Sprintf("prefix list %s: %s: %s", e.ListID, e.Op, awsx.Describe(e.Err))
}

func (e *PrefixListError) Unwrap() error { return e.Err }

// PrefixListIDs returns the IDs of the prefix lists the inbound rules of
// groups name, each once, sorted.
func PrefixListIDs(groups []Group) []string {
	var ids []string
	for _, g := range groups {
		for _, r := range g.Inbound {
			if id := aws.ToString(r.PrefixListId); id != "" {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// ExpandPrefixLists reads the prefix lists the inbound rules of groups name
// (ReadPrefixLists) and gives the result to every group of groups. Read
// errors are kept on the lists, not returned: only the rules naming an
// unreadable list cannot be judged.
func ExpandPrefixLists(ctx context.Context, api PrefixListAPI, groups []Group) {
	lists := ReadPrefixLists(ctx, api, PrefixListIDs(groups))
	for i := range groups {
		groups[i].PrefixLists = lists
	}
}

// ReadPrefixLists reads the prefix lists named by ids, once each, however
// many rules name them: nothing when ids is empty; otherwise one paginated
// DescribeManagedPrefixLists, which tells AWS-managed lists (owner "AWS",
// not read further) from the others, and one paginated
// GetManagedPrefixListEntries per other list (the account's own and those
// shared with it).
func ReadPrefixLists(ctx context.Context, api PrefixListAPI, ids []string) PrefixLists {
	lists := make(PrefixLists, len(ids))
	if len(ids) == 0 {
		return lists
	}
	described, err := describePrefixLists(ctx, api)
	if err != nil {
		for _, id := range ids {
			lists[id] = PrefixList{ID: id, Op: "ec2 DescribeManagedPrefixLists", Err: err}
		}
		return lists
	}
	for _, id := range ids {
		// A list missing from the listing (shared with the account in a
		// way the listing does not show) is read like a customer-managed
		// one: its entries decide, and failing to read them is an error.
		l := PrefixList{ID: id}
		if d, ok := described[id]; ok {
			l.Name = aws.ToString(d.PrefixListName)
			l.AWSManaged = aws.ToString(d.OwnerId) == awsOwner
		}
		if !l.AWSManaged {
			l.CIDRs, l.Err = prefixListEntries(ctx, api, id)
			if l.Err != nil {
				l.Op = "ec2 GetManagedPrefixListEntries " + id
			}
		}
		lists[id] = l
	}
	return lists
}

// describePrefixLists lists every prefix list the region shows the account.
// It names no IDs: DescribeManagedPrefixLists fails the whole call when one
// of the IDs it is given is unknown.
func describePrefixLists(ctx context.Context, api PrefixListAPI) (map[string]types.ManagedPrefixList, error) {
	pages := ec2.NewDescribeManagedPrefixListsPaginator(api, &ec2.DescribeManagedPrefixListsInput{MaxResults: aws.Int32(prefixListPageSize)},
		func(o *ec2.DescribeManagedPrefixListsPaginatorOptions) { o.StopOnDuplicateToken = true })
	lists, err := awsx.AllPages(ctx, pages, func(p *ec2.DescribeManagedPrefixListsOutput) []types.ManagedPrefixList { return p.PrefixLists })
	if err != nil {
		return nil, err
	}
	out := map[string]types.ManagedPrefixList{}
	for _, l := range lists {
		out[aws.ToString(l.PrefixListId)] = l
	}
	return out, nil
}

func prefixListEntries(ctx context.Context, api PrefixListAPI, id string) ([]string, error) {
	pages := ec2.NewGetManagedPrefixListEntriesPaginator(api, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id), MaxResults: aws.Int32(prefixListPageSize)},
		func(o *ec2.GetManagedPrefixListEntriesPaginatorOptions) { o.StopOnDuplicateToken = true })
	entries, err := awsx.AllPages(ctx, pages, func(p *ec2.GetManagedPrefixListEntriesOutput) []types.PrefixListEntry { return p.Entries })
	if err != nil {
		return nil, err
	}
	var cidrs []string
	for _, e := range entries {
		cidrs = append(cidrs, aws.ToString(e.Cidr))
	}
	return cidrs, nil
}

// errNotRead stands for a prefix list that ExpandPrefixLists was not asked
// to read: the rule naming it cannot be judged.
var errNotRead = errors.New("the prefix list was not read")

// WorldSource returns the whole-internet CIDR (a /0 suffix, IPv4 or IPv6)
// that r admits traffic from: its own source, or an entry of the
// customer-managed prefix list it names, with that list. cidr is "" when r
// is not open to the whole internet; an AWS-managed list never is.
// unreadable, when set, says that r names a prefix list that could not be
// read, so the answer is unknown.
func (g Group) WorldSource(r types.SecurityGroupRule) (cidr string, list *PrefixList, unreadable *PrefixListError) {
	switch {
	case OpenToIPv4World(r):
		return aws.ToString(r.CidrIpv4), nil, nil
	case OpenToIPv6World(r):
		return aws.ToString(r.CidrIpv6), nil, nil
	case r.PrefixListId == nil:
		return "", nil, nil
	}
	id := aws.ToString(r.PrefixListId)
	l, ok := g.PrefixLists[id]
	switch {
	case !ok:
		return "", nil, &PrefixListError{ListID: id, Op: "ec2 GetManagedPrefixListEntries " + id, Err: errNotRead}
	case l.Err != nil:
		return "", nil, &PrefixListError{ListID: id, Op: l.Op, Err: l.Err}
	case l.AWSManaged:
		return "", nil, nil
	}
	for _, c := range l.CIDRs {
		if n, ok := CIDRSuffix(c); ok && n == 0 {
			return c, &l, nil
		}
	}
	return "", nil, nil
}
