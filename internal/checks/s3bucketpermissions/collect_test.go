package s3bucketpermissions

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// seeder creates buckets in an emulated account the way users do.
type seeder struct {
	t   *testing.T
	cfg aws.Config
}

func (s seeder) client(region string) *s3.Client {
	return s3.NewFromConfig(awsx.InRegion(s.cfg, region), func(o *s3.Options) { o.UsePathStyle = true })
}

// bucket creates a bucket in region and returns its name (prefixed with
// the test's account: bucket names are global in the emulator too).
func (s seeder) bucket(region, name string) string {
	s.t.Helper()
	input := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		input.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	if _, err := s.client(region).CreateBucket(context.Background(), input); err != nil {
		s.t.Fatalf("create bucket %s in %s: %v", name, region, err)
	}
	return name
}

// grant adds grants to the bucket's ACL with an explicit
// AccessControlPolicy: the emulator stores only the READ grant of the canned
// ACL public-read-write (docs/development.md).
func (s seeder) grant(region, bucket string, grants ...types.Grant) {
	s.t.Helper()
	ctx := context.Background()
	client := s.client(region)
	acl, err := client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
	if err != nil {
		s.t.Fatalf("get ACL of %s: %v", bucket, err)
	}
	if _, err := client.PutBucketAcl(ctx, &s3.PutBucketAclInput{
		Bucket:              aws.String(bucket),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: acl.Owner, Grants: append(acl.Grants, grants...)},
	}); err != nil {
		s.t.Fatalf("put ACL of %s: %v", bucket, err)
	}
}

func (s seeder) policy(region, bucket, policy string) {
	s.t.Helper()
	if _, err := s.client(region).PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		s.t.Fatalf("put policy of %s: %v", bucket, err)
	}
}

func (s seeder) bucketBlock(region, bucket string, c types.PublicAccessBlockConfiguration) {
	s.t.Helper()
	if _, err := s.client(region).PutPublicAccessBlock(context.Background(), &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: &c}); err != nil {
		s.t.Fatalf("put bucket public access block of %s: %v", bucket, err)
	}
}

func (s seeder) accountBlock(account string, c s3controltypes.PublicAccessBlockConfiguration) {
	s.t.Helper()
	if _, err := s3control.NewFromConfig(s.cfg).PutPublicAccessBlock(context.Background(), &s3control.PutPublicAccessBlockInput{
		AccountId: aws.String(account), PublicAccessBlockConfiguration: &c,
	}); err != nil {
		s.t.Fatalf("put account public access block: %v", err)
	}
}

func policyFor(bucket, statement string) string {
	return strings.ReplaceAll(doc(statement), "arn:aws:s3:::b", "arn:aws:s3:::"+bucket)
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	s := seeder{t, cfg}
	private := s.bucket("us-east-1", account+"-private")
	listable := s.bucket("eu-west-1", account+"-listable")
	s.grant("eu-west-1", listable, groupGrant(allUsersURI, types.PermissionRead))
	writable := s.bucket("eu-west-1", account+"-writable")
	s.grant("eu-west-1", writable, groupGrant(authenticatedUsersURI, types.PermissionWrite), groupGrant(allUsersURI, types.PermissionReadAcp))
	website := s.bucket("us-east-1", account+"-website")
	s.policy("us-east-1", website, policyFor(website, publicRead))
	vpceOnly := s.bucket("eu-west-1", account+"-vpce-only")
	s.policy("eu-west-1", vpceOnly, policyFor(vpceOnly, allowWith(`{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}`)))
	restricted := s.bucket("us-east-1", account+"-restricted")
	s.policy("us-east-1", restricted, policyFor(restricted, publicRead))
	s.bucketBlock("us-east-1", restricted, types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)})
	garbled := s.bucket("us-east-1", account+"-garbled")
	s.policy("us-east-1", garbled, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*"`)

	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, check.GlobalRegion)
	byID := checktest.ByResource(findings)
	if len(findings) != 7 {
		t.Fatalf("got %d findings, want 7 (one per bucket): %+v", len(findings), findings)
	}
	tests := []struct {
		bucket, region string
		status         check.Status
		columns        [3]string
		reason         string
	}{
		{private, "us-east-1", check.Green, [3]string{no, no, no}, "Neither"},
		{listable, "eu-west-1", check.Yellow, [3]string{yes, no, no}, "READ to Everyone (AllUsers)"},
		{writable, "eu-west-1", check.Red, [3]string{no, yes, no}, "WRITE to Any Authenticated AWS User"},
		{website, "us-east-1", check.Yellow, [3]string{no, no, yes}, `statement "PublicRead"`},
		{vpceOnly, "eu-west-1", check.Green, [3]string{no, no, no}, "Neither"},
		{restricted, "us-east-1", check.Yellow, [3]string{no, no, yes}, restrictedPolicyText + " (Block Public Access RestrictPublicBuckets, bucket level)"},
		{garbled, "us-east-1", check.Yellow, [3]string{no, no, unknown}, notEvaluatedText},
	}
	for _, tt := range tests {
		f := byID[tt.bucket]
		columns := [3]string{f.Columns["ACL Allows List"], f.Columns["ACL Allows Upload/Delete"], f.Columns["Policy Allows Access"]}
		if f.Status != tt.status || columns != tt.columns || !strings.Contains(f.Reason, tt.reason) {
			t.Errorf("bucket %s = %s %q %q, want %s %q with %q", tt.bucket, f.Status, columns, f.Reason, tt.status, tt.columns, tt.reason)
		}
		if f.Columns["Region API Parameter"] != tt.region || f.Columns["Region Name"] != regionName(tt.region) || f.Columns["Bucket Name"] != tt.bucket || f.Columns["Status"] == "" {
			t.Errorf("bucket %s columns = %v, want region %s and the bucket's name", tt.bucket, f.Columns, tt.region)
		}
	}
	if !strings.Contains(byID[writable].Reason, "READ_ACP to Everyone") {
		t.Errorf("bucket %s reason = %q, want the READ_ACP grant named", writable, byID[writable].Reason)
	}
	// The emulator leaves ListBuckets' BucketRegion empty: one GetBucketLocation per bucket.
	// Bucket Block Public Access is read only where something is public (4 buckets).
	checktest.WantCalls(t, recorder,
		checktest.Call("S3", "ListBuckets", 1, "one listing"),
		checktest.Call("S3", "GetBucketLocation", 7, "one per bucket"),
		checktest.Call("S3", "GetBucketAcl", 7, "one per bucket"),
		checktest.Call("S3", "GetBucketPolicy", 7, "one per bucket"),
		checktest.Call("S3", "GetBucketPolicyStatus", 4, "the buckets with a policy"),
		checktest.Call("S3", "GetPublicAccessBlock", 4, "only where something is public"))
	// Counted by attempts: the recorder's Initialize step runs before S3
	// Control names its service and operation, so its Calls land under "".
	for _, c := range recorder.Counts() {
		if c.Service == "S3 Control" && c.Operation == "GetPublicAccessBlock" && c.Attempts != 1 {
			t.Errorf("s3control GetPublicAccessBlock attempts = %d, want 1", c.Attempts)
		}
	}
}

func TestAccountBlockPublicAccessOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	s := seeder{t, cfg}
	writable := s.bucket("eu-west-1", account+"-writable")
	s.grant("eu-west-1", writable, groupGrant(allUsersURI, types.PermissionFullControl))
	website := s.bucket("us-east-1", account+"-website")
	s.policy("us-east-1", website, policyFor(website, publicRead))
	s.accountBlock(account, s3controltypes.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)})

	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, check.GlobalRegion)
	byID := checktest.ByResource(findings)
	if f := byID[writable]; f.Status != check.Yellow || f.Columns["ACL Allows Upload/Delete"] != yes || !strings.Contains(f.Reason, "IgnorePublicAcls (account level)") {
		t.Errorf("bucket %s = %s %v %q, want yellow: FULL_CONTROL grant neutralized at account level", writable, f.Status, f.Columns, f.Reason)
	}
	if f := byID[website]; f.Status != check.Yellow || !strings.Contains(f.Reason, restrictedPolicyText+" (Block Public Access RestrictPublicBuckets, account level)") {
		t.Errorf("bucket %s = %s %q, want the spec's restricted-policy yellow", website, f.Status, f.Reason)
	}
	checktest.WantCalls(t, recorder, checktest.Call("S3", "GetPublicAccessBlock", 0, "the account level neutralizes both: the buckets' own settings are not read"))
}

func TestNoBucketsOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	if findings, _ := checktest.ScanRecorded(t, cfg, account, Check, check.GlobalRegion); len(findings) != 0 {
		t.Errorf("findings for an account without buckets = %+v, want none", findings)
	}
}

// TestDeniedReads: the reads whose denial a bucket's finding answers in its
// own way. The specification's yellow for an ACL or policy the scanner may
// not read; an error for that bucket alone when its region cannot be
// learnt; public grants reported as effective when Block Public Access
// cannot be read.
func TestDeniedReads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deny    string
		seed    func(s seeder, account string) string // returns the bucket
		want    check.Status
		reason  []string
		columns map[string]string
	}{
		{"GetBucketPolicy", func(s seeder, account string) string {
			website := s.bucket("eu-west-1", account+"-website")
			s.policy("eu-west-1", website, policyFor(website, publicRead))
			return website
		}, check.Yellow, []string{notEvaluatedText, "s3 GetBucketPolicy", "AccessDenied"}, map[string]string{"Policy Allows Access": unknown}},
		{"GetBucketAcl", func(s seeder, account string) string {
			return s.bucket("us-east-1", account+"-private")
		}, check.Yellow, []string{"s3 GetBucketAcl", "AccessDenied"}, map[string]string{"ACL Allows List": unknown, "ACL Allows Upload/Delete": unknown}},
		{"GetBucketLocation", func(s seeder, account string) string {
			return s.bucket("us-east-1", account+"-private")
		}, check.Error, []string{"could not evaluate: s3 GetBucketLocation", "AccessDenied"}, nil},
		{"GetPublicAccessBlock", func(s seeder, account string) string {
			writable := s.bucket("us-east-1", account+"-writable")
			s.grant("us-east-1", writable, groupGrant(allUsersURI, types.PermissionWrite))
			return writable
		}, check.Red, []string{"Block Public Access could not be read"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.deny, func(t *testing.T) {
			t.Parallel()
			cfg, account := emutest.Config(t)
			bucket := tt.seed(seeder{t, cfg}, account)
			findings, _ := checktest.ScanRecorded(t, emutest.Deny(cfg, tt.deny), account, Check, check.GlobalRegion)
			if len(findings) != 1 || findings[0].ResourceID != bucket {
				t.Fatalf("deny %s: findings = %+v, want one for %s", tt.deny, findings, bucket)
			}
			f := findings[0]
			if f.Status != tt.want {
				t.Errorf("deny %s: status = %s (%q), want %s", tt.deny, f.Status, f.Reason, tt.want)
			}
			for _, part := range tt.reason {
				if !strings.Contains(f.Reason, part) {
					t.Errorf("deny %s: reason = %q, want %q in it", tt.deny, f.Reason, part)
				}
			}
			for column, want := range tt.columns {
				if f.Columns[column] != want {
					t.Errorf("deny %s: column %q = %q, want %q", tt.deny, column, f.Columns[column], want)
				}
			}
		})
	}
}

// pagedS3 answers ListBuckets in the pages given and the reads of every
// bucket shaped like S3's answers for a bucket with no policy and no Block
// Public Access: its owner's grant, plus the grants in extra.
type pagedS3 struct {
	buckets [][]types.Bucket
	extra   map[string][]types.Grant
}

func noSuch(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "not found", Fault: smithy.FaultClient}
}

func (f pagedS3) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	buckets, next := checktest.Page(f.buckets, in.ContinuationToken)
	return &s3.ListBucketsOutput{Buckets: buckets, ContinuationToken: next}, nil
}

func (pagedS3) GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	return nil, errors.New("GetBucketLocation: ListBuckets names every bucket's region")
}

func (f pagedS3) GetBucketAcl(_ context.Context, in *s3.GetBucketAclInput, _ ...func(*s3.Options)) (*s3.GetBucketAclOutput, error) {
	return &s3.GetBucketAclOutput{Owner: &types.Owner{ID: ownerGrant.Grantee.ID}, Grants: append([]types.Grant{ownerGrant}, f.extra[aws.ToString(in.Bucket)]...)}, nil
}

func (pagedS3) GetBucketPolicy(context.Context, *s3.GetBucketPolicyInput, ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	return nil, noSuch("NoSuchBucketPolicy")
}

func (pagedS3) GetBucketPolicyStatus(context.Context, *s3.GetBucketPolicyStatusInput, ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	return nil, noSuch("NoSuchBucketPolicy")
}

func (pagedS3) GetPublicAccessBlock(context.Context, *s3.GetPublicAccessBlockInput, ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return nil, noSuch("NoSuchPublicAccessBlockConfiguration")
}

// noAccountBlock answers S3 Control as for an account without Block Public Access.
type noAccountBlock struct{}

func (noAccountBlock) GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error) {
	return nil, noSuch("NoSuchPublicAccessBlockConfiguration")
}

// TestCollectReadsEveryPage: the emulator answers ListBuckets in one page;
// AWS pages it when MaxBuckets is given. The writable bucket is on the
// second page, so reading only the first fails.
func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	bucket := func(name string) types.Bucket {
		return types.Bucket{Name: aws.String(name), BucketRegion: aws.String("eu-west-1")}
	}
	api := pagedS3{
		buckets: [][]types.Bucket{{bucket("private")}, {bucket("writable")}},
		extra:   map[string][]types.Grant{"writable": {groupGrant(allUsersURI, types.PermissionWrite)}},
	}
	in, err := collect(context.Background(), noAccountBlock{}, "111122223333", "us-east-1", func(string) S3API { return api })
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	got := checktest.Statuses(evaluate(checktest.Target(check.GlobalRegion), in))
	if want := map[string]check.Status{"private": check.Green, "writable": check.Red}; !maps.Equal(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}
