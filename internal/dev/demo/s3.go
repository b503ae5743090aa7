package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
)

// seedBuckets creates, across the demo regions, S3 buckets as an account
// collects them: private ones, a static website readable by everyone through
// its policy, a log bucket listable by any AWS user, an upload drop open for
// writing to any AWS user, a policy confined to a VPC endpoint, a public
// policy restricted by Block Public Access, and a policy nobody can parse.
func seedBuckets(ctx context.Context, cfg aws.Config) error {
	allUsers := "http://acs.amazonaws.com/groups/global/AllUsers"
	authenticatedUsers := "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	buckets := []struct {
		region, name string
		grants       []s3types.Grant
		policy       string
		restrict     bool
	}{
		{region: Regions[0], name: "demo-app-artifacts"},
		{region: Regions[1], name: "demo-eu-backups"},
		{region: Regions[0], name: "demo-public-website", policy: `{"Version":"2012-10-17","Statement":[{"Sid":"PublicReadGetObject","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::demo-public-website/*"}]}`},
		{region: Regions[1], name: "demo-access-logs", grants: []s3types.Grant{s3GroupGrant(authenticatedUsers, s3types.PermissionRead)}},
		{region: Regions[0], name: "demo-partner-uploads", grants: []s3types.Grant{s3GroupGrant(allUsers, s3types.PermissionWrite), s3GroupGrant(allUsers, s3types.PermissionRead)}},
		{region: Regions[1], name: "demo-internal-reports", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::demo-internal-reports","arn:aws:s3:::demo-internal-reports/*"],"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f"}}}]}`},
		{region: Regions[0], name: "demo-legacy-downloads", restrict: true, policy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::demo-legacy-downloads/*"}}`},
		{region: Regions[1], name: "demo-hand-edited-policy", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::demo-hand-edited-policy/*",}]}`},
	}
	for _, b := range buckets {
		client := s3.NewFromConfig(awsx.InRegion(cfg, b.region), func(o *s3.Options) { o.UsePathStyle = awsx.CustomEndpoint(cfg) })
		input := &s3.CreateBucketInput{Bucket: aws.String(b.name)}
		if b.region != "us-east-1" {
			input.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(b.region)}
		}
		if _, err := client.CreateBucket(ctx, input); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.name, err)
		}
		if len(b.grants) > 0 {
			// Explicit grants: the emulator keeps only the READ grant of the
			// canned ACL public-read-write (docs/development.md).
			acl, err := client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b.name)})
			if err != nil {
				return fmt.Errorf("get ACL of %s: %w", b.name, err)
			}
			if _, err := client.PutBucketAcl(ctx, &s3.PutBucketAclInput{
				Bucket:              aws.String(b.name),
				AccessControlPolicy: &s3types.AccessControlPolicy{Owner: acl.Owner, Grants: append(acl.Grants, b.grants...)},
			}); err != nil {
				return fmt.Errorf("put ACL of %s: %w", b.name, err)
			}
		}
		if b.policy != "" {
			if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b.name), Policy: aws.String(b.policy)}); err != nil {
				return fmt.Errorf("put policy of %s: %w", b.name, err)
			}
		}
		if b.restrict {
			if _, err := client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
				Bucket:                         aws.String(b.name),
				PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)},
			}); err != nil {
				return fmt.Errorf("put public access block of %s: %w", b.name, err)
			}
		}
	}
	return nil
}

func s3GroupGrant(uri string, permission s3types.Permission) s3types.Grant {
	return s3types.Grant{Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String(uri)}, Permission: permission}
}
