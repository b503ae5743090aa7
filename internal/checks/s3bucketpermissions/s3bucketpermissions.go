// Package s3bucketpermissions finds S3 buckets whose ACL or bucket policy
// opens them to everyone or to any authenticated AWS user. Open buckets can
// leak or lose data and run up request charges.
//
// Each bucket is read with a client in its own region: its ACL, its policy
// (judged by this package's own policy evaluator, with S3's policy status as
// a second opinion where AWS provides it) and, when something is public, the
// Block Public Access settings that may neutralize it.
package s3bucketpermissions

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("Pfx0RwqBli", check.Meta{
	Slug: "s3-bucket-permissions",
	IAMActions: []string{
		"s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetBucketAcl", "s3:GetBucketPolicy",
		"s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock",
	},
	Scope: check.Global,
	BeyondSpec: "The bucket policy is judged by a full policy evaluator (conditions that confine access to fixed principals or networks, Deny statements, NotPrincipal), cross-checked with S3's own policy status. " +
		"An ACL grant of WRITE_ACP counts as upload/delete (it lets anyone grant themselves full control); READ_ACP is named in the reason but raises no alert. " +
		"Public ACL grants that Block Public Access IgnorePublicAcls neutralizes are reported yellow, as the spec does for public policies restricted by RestrictPublicBuckets. " +
		"A read error other than access denied (throttling, a server error) is an error finding for that bucket, never a green.",
	Data: []check.Dataset{dataset()},
	// Triggers: a bucket's ACL, policy and Block Public Access, the account's
	// Block Public Access (S3 Control calls, recorded with event source
	// s3.amazonaws.com) and deleting a bucket decide the result; a new bucket
	// has Block Public Access on and ACLs disabled, so it waits for the
	// schedule.
	Triggers: []check.Trigger{
		{Source: "s3.amazonaws.com", Names: []string{
			"PutBucketAcl", "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock",
			"PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock", "DeleteBucket",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// S3API is the part of the S3 client the check calls.
type S3API interface {
	s3.ListBucketsAPIClient
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketAcl(context.Context, *s3.GetBucketAclInput, ...func(*s3.Options)) (*s3.GetBucketAclOutput, error)
	GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// ControlAPI is the part of the S3 Control client the check calls.
type ControlAPI interface {
	GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

var _ ControlAPI = (*s3control.Client)(nil)

// collectFrom collects for target with an S3 Control client of its account
// and S3 clients in each bucket's region.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	clients := newRegionalClients(target.Config)
	return collect(ctx, s3control.NewFromConfig(target.Config), target.Account, target.Config.Region, clients.get)
}

// regionalClients builds one S3 client per region, on first use. S3 answers
// a bucket's requests in the bucket's own region.
type regionalClients struct {
	cfg     aws.Config
	mu      sync.Mutex
	clients map[string]S3API
}

func newRegionalClients(cfg aws.Config) *regionalClients {
	return &regionalClients{cfg: cfg, clients: map[string]S3API{}}
}

func (r *regionalClients) get(region string) S3API {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[region]; ok {
		return c
	}
	c := s3.NewFromConfig(awsx.InRegion(r.cfg, region), func(o *s3.Options) {
		// bucket.127.0.0.1 does not resolve: custom endpoints need path style.
		o.UsePathStyle = awsx.CustomEndpoint(r.cfg)
	})
	r.clients[region] = c
	return c
}
