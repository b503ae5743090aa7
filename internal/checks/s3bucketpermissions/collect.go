package s3bucketpermissions

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
)

// listPageSize is ListBuckets' largest page.
const listPageSize = 10000

// bucketWorkers bounds the buckets read at once: enough to scan hundreds of
// buckets within a job's timeout, few enough to stay clear of throttling.
const bucketWorkers = 8

// Input is what the check evaluates: the account-level Block Public Access
// settings and what could be read of each bucket.
type Input struct {
	Account blockConfig
	Buckets []Bucket
}

// blockSettings are the Block Public Access settings that change what an
// existing ACL or policy grants. (BlockPublicAcls and BlockPublicPolicy only
// refuse new public ACLs and policies; existing ones keep working.)
type blockSettings struct {
	IgnorePublicAcls      bool
	RestrictPublicBuckets bool
}

// blockConfig is one level's Block Public Access settings. A level without
// a configuration has every setting off. Err says why it could not be read;
// it is then taken as off, the reading that hides nothing.
type blockConfig struct {
	Settings blockSettings
	Err      error
}

// Bucket is what could be read of one bucket. Each *Err field holds the
// failed operation's error, wrapped with the operation's name.
type Bucket struct {
	Name   string
	Region string
	// Err means the bucket could not be looked at at all (its region is unknown).
	Err error

	Grants []types.Grant
	ACLErr error

	// Policy is the bucket policy document, nil when the bucket has none.
	Policy    *string
	PolicyErr error
	// PolicyPublic is S3's own verdict on the policy (GetBucketPolicyStatus),
	// nil where S3 gives none: the emulator answers with an empty status.
	PolicyPublic    *bool
	PolicyStatusErr error

	// Block is the bucket's Block Public Access, read only when something
	// public was found and the account level does not already neutralize it.
	Block blockConfig
}

// collect lists the buckets, then reads each one in its own region.
func collect(ctx context.Context, control ControlAPI, account, homeRegion string, inRegion func(string) S3API) (Input, error) {
	home := inRegion(homeRegion)
	listed, err := listBuckets(ctx, home)
	if err != nil {
		return Input{}, err
	}
	if len(listed) == 0 {
		return Input{}, nil
	}
	in := Input{Account: accountBlock(ctx, control, account)}

	buckets := make([]Bucket, len(listed))
	vanished := make([]bool, len(listed))
	check.Parallel(len(listed), bucketWorkers, func(i int) {
		buckets[i], vanished[i] = readBucket(ctx, home, inRegion, listed[i], in.Account.Settings)
	})
	for i, b := range buckets {
		if !vanished[i] {
			in.Buckets = append(in.Buckets, b)
		}
	}
	return in, nil
}

func listBuckets(ctx context.Context, api S3API) ([]types.Bucket, error) {
	pages := s3.NewListBucketsPaginator(api, &s3.ListBucketsInput{MaxBuckets: aws.Int32(listPageSize)}, func(o *s3.ListBucketsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	out, err := awsx.AllPages(ctx, pages, func(p *s3.ListBucketsOutput) []types.Bucket { return p.Buckets })
	return out, check.WrapOp("s3 ListBuckets", err)
}

// accountBlock reads the account's Block Public Access settings.
func accountBlock(ctx context.Context, api ControlAPI, account string) blockConfig {
	out, err := api.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	switch {
	case awsx.Code(err) == "NoSuchPublicAccessBlockConfiguration":
		return blockConfig{}
	case err != nil:
		return blockConfig{Err: check.WrapOp("s3control GetPublicAccessBlock", err)}
	case out.PublicAccessBlockConfiguration == nil:
		return blockConfig{}
	}
	c := out.PublicAccessBlockConfiguration
	return blockConfig{Settings: settings(c.IgnorePublicAcls, c.RestrictPublicBuckets)}
}

// settings reads the two settings that matter from either level's
// configuration (S3 and S3 Control each have their own type).
func settings(ignorePublicAcls, restrictPublicBuckets *bool) blockSettings {
	return blockSettings{IgnorePublicAcls: aws.ToBool(ignorePublicAcls), RestrictPublicBuckets: aws.ToBool(restrictPublicBuckets)}
}

// gone reports whether err says the bucket was deleted after it was listed.
func gone(err error) bool { return awsx.Code(err) == "NoSuchBucket" }

// readBucket reads one bucket; vanished is true when it was deleted since
// it was listed.
func readBucket(ctx context.Context, home S3API, inRegion func(string) S3API, listed types.Bucket, account blockSettings) (b Bucket, vanished bool) {
	b = Bucket{Name: aws.ToString(listed.Name), Region: aws.ToString(listed.BucketRegion)}
	name := listed.Name
	if b.Region == "" {
		// ListBuckets names the region in AWS; S3-compatible stores (and
		// the emulator) may not.
		loc, err := home.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: name})
		if gone(err) {
			return b, true
		}
		if err != nil {
			b.Err = check.WrapOp("s3 GetBucketLocation", err)
			return b, false
		}
		b.Region = locationRegion(string(loc.LocationConstraint))
	}
	api := inRegion(b.Region)

	acl, err := api.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: name})
	if gone(err) {
		return b, true
	}
	if err != nil {
		b.ACLErr = check.WrapOp("s3 GetBucketAcl", err)
	} else {
		b.Grants = acl.Grants
	}

	policy, err := api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: name})
	switch {
	case gone(err):
		return b, true
	case awsx.Code(err) == "NoSuchBucketPolicy":
	case err != nil:
		b.PolicyErr = check.WrapOp("s3 GetBucketPolicy", err)
	default:
		b.Policy = aws.String(aws.ToString(policy.Policy))
	}

	if b.Policy != nil {
		status, err := api.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: name})
		switch {
		case gone(err):
			return b, true
		case err != nil:
			b.PolicyStatusErr = check.WrapOp("s3 GetBucketPolicyStatus", err)
		case status.PolicyStatus != nil:
			b.PolicyPublic = status.PolicyStatus.IsPublic
		}
	}

	if needsBucketBlock(b, account) {
		out, err := api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: name})
		switch {
		case gone(err):
			return b, true
		case awsx.Code(err) == "NoSuchPublicAccessBlockConfiguration":
		case err != nil:
			b.Block.Err = check.WrapOp("s3 GetPublicAccessBlock", err)
		case out.PublicAccessBlockConfiguration != nil:
			c := out.PublicAccessBlockConfiguration
			b.Block.Settings = settings(c.IgnorePublicAcls, c.RestrictPublicBuckets)
		}
	}
	return b, false
}

// needsBucketBlock reports whether the bucket's own Block Public Access
// settings can change the verdict: something is public and the account
// level does not already neutralize it. Otherwise the request is saved.
func needsBucketBlock(b Bucket, account blockSettings) bool {
	if !account.IgnorePublicAcls && evaluateACL(b.Grants).Public() {
		return true
	}
	if account.RestrictPublicBuckets || b.Policy == nil {
		return false
	}
	if aws.ToBool(b.PolicyPublic) {
		return true
	}
	verdict, err := evaluatePolicy(*b.Policy)
	return err == nil && verdict.Public()
}
