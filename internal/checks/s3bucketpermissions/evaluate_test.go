package s3bucketpermissions

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
)

// ownerGrant is the grant every bucket ACL carries: the owner's full control.
var ownerGrant = types.Grant{
	Grantee:    &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String("79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be")},
	Permission: types.PermissionFullControl,
}

func groupGrant(uri string, p types.Permission) types.Grant {
	return types.Grant{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(uri)}, Permission: p}
}

func TestEvaluateACL(t *testing.T) {
	t.Parallel()
	type want struct{ list, write, public bool }
	byPermission := map[types.Permission]want{
		types.PermissionRead:        {list: true, public: true},
		types.PermissionWrite:       {write: true, public: true},
		types.PermissionFullControl: {list: true, write: true, public: true},
		types.PermissionWriteAcp:    {list: true, write: true, public: true}, // can grant itself FULL_CONTROL
		types.PermissionReadAcp:     {public: true},                          // reveals the ACL only
	}
	grantees := map[string]bool{allUsersURI: true, authenticatedUsersURI: true, "http://acs.amazonaws.com/groups/s3/LogDelivery": false}
	for permission, w := range byPermission {
		for uri, stranger := range grantees {
			grants := []types.Grant{ownerGrant, groupGrant(uri, permission)}
			got := evaluateACL(grants)
			w := w
			if !stranger {
				w = want{} // the LogDelivery group is an AWS service
			}
			if got.List != w.list || got.UploadDelete != w.write || got.Public() != w.public {
				t.Errorf("evaluateACL(%s to %s) = list %v, upload/delete %v, public %v; want %v, %v, %v",
					permission, uri, got.List, got.UploadDelete, got.Public(), w.list, w.write, w.public)
			}
		}
	}
	if got := evaluateACL([]types.Grant{ownerGrant, {Grantee: &types.Grantee{Type: types.TypeAmazonCustomerByEmail, EmailAddress: aws.String("a@example.com")}, Permission: types.PermissionWrite}}); got.Public() {
		t.Errorf("evaluateACL(WRITE to a named customer) = %+v, want not public", got)
	}
	if got := evaluateACL([]types.Grant{{Permission: types.PermissionRead}}); got.Public() {
		t.Errorf("evaluateACL(grant without grantee) = %+v, want not public", got)
	}
}

var accessDenied = &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied", Fault: smithy.FaultClient}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	public := aws.String(doc(publicRead))
	private := aws.String(doc(accountRead))
	allRead := groupGrant(allUsersURI, types.PermissionRead)
	authWrite := groupGrant(authenticatedUsersURI, types.PermissionWrite)
	on := blockConfig{Settings: blockSettings{IgnorePublicAcls: true, RestrictPublicBuckets: true}}
	bucket := func(grants []types.Grant, policy *string) Bucket {
		return Bucket{Name: "b", Region: "eu-west-1", Grants: append([]types.Grant{ownerGrant}, grants...), Policy: policy}
	}
	with := func(b Bucket, f func(*Bucket)) Bucket { f(&b); return b }

	tests := []struct {
		name    string
		account blockConfig
		bucket  Bucket
		status  check.Status
		columns [3]string // ACL Allows List, ACL Allows Upload/Delete, Policy Allows Access
		reason  []string
	}{
		{"private bucket", blockConfig{}, bucket(nil, nil), check.Green, [3]string{no, no, no}, []string{"Neither"}},
		{"policy naming an account only", blockConfig{}, bucket(nil, private), check.Green, [3]string{no, no, no}, nil},
		{"ACL READ to everyone", blockConfig{}, bucket([]types.Grant{allRead}, nil), check.Yellow, [3]string{yes, no, no},
			[]string{"allows List access for Everyone or Any Authenticated AWS User", "READ to Everyone (AllUsers)"}},
		{"ACL WRITE to authenticated users", blockConfig{}, bucket([]types.Grant{authWrite}, nil), check.Red, [3]string{no, yes, no},
			[]string{"allows upload and delete access", "WRITE to Any Authenticated AWS User"}},
		{"ACL READ_ACP only: green with a note", blockConfig{}, bucket([]types.Grant{groupGrant(allUsersURI, types.PermissionReadAcp)}, nil), check.Green, [3]string{no, no, no},
			[]string{"Note: The bucket ACL grants READ_ACP to Everyone"}},
		{"ACL WRITE_ACP is red", blockConfig{}, bucket([]types.Grant{groupGrant(allUsersURI, types.PermissionWriteAcp)}, nil), check.Red, [3]string{yes, yes, no}, nil},
		{"public policy", blockConfig{}, bucket(nil, public), check.Yellow, [3]string{no, no, yes},
			[]string{"A bucket policy allows open access", `statement "PublicRead" allows s3:GetObject`}},
		{"red ACL and public policy: every problem listed", blockConfig{}, bucket([]types.Grant{authWrite, allRead}, public), check.Red, [3]string{yes, yes, yes},
			[]string{"upload and delete", "WRITE to Any Authenticated AWS User (AuthenticatedUsers), READ to Everyone (AllUsers)", "A bucket policy allows open access"}},

		// Block Public Access combinations.
		{"public policy, RestrictPublicBuckets at account level", blockConfig{Settings: blockSettings{RestrictPublicBuckets: true}}, bucket(nil, public), check.Yellow, [3]string{no, no, yes},
			[]string{restrictedPolicyText, "account level"}},
		{"public policy, RestrictPublicBuckets at bucket level", blockConfig{}, with(bucket(nil, public), func(b *Bucket) { b.Block.Settings.RestrictPublicBuckets = true }), check.Yellow, [3]string{no, no, yes},
			[]string{restrictedPolicyText, "bucket level"}},
		{"public policy, IgnorePublicAcls only: still open", blockConfig{Settings: blockSettings{IgnorePublicAcls: true}}, bucket(nil, public), check.Yellow, [3]string{no, no, yes},
			[]string{"A bucket policy allows open access"}},
		{"ACL WRITE ignored at account level: yellow", blockConfig{Settings: blockSettings{IgnorePublicAcls: true}}, bucket([]types.Grant{authWrite}, nil), check.Yellow, [3]string{no, yes, no},
			[]string{"IgnorePublicAcls (account level)", "take effect again"}},
		{"ACL READ ignored at bucket level: yellow", blockConfig{}, with(bucket([]types.Grant{allRead}, nil), func(b *Bucket) { b.Block.Settings.IgnorePublicAcls = true }), check.Yellow, [3]string{yes, no, no},
			[]string{"IgnorePublicAcls (bucket level)"}},
		{"ACL WRITE, RestrictPublicBuckets only: still red", blockConfig{Settings: blockSettings{RestrictPublicBuckets: true}}, bucket([]types.Grant{authWrite}, nil), check.Red, [3]string{no, yes, no}, nil},
		{"everything on both levels, public ACL and policy", on, with(bucket([]types.Grant{authWrite}, public), func(b *Bucket) { b.Block = on }), check.Yellow, [3]string{no, yes, yes},
			[]string{"account and bucket level", restrictedPolicyText}},
		{"BPA unreadable: public grants reported as effective", blockConfig{Err: check.WrapOp("s3control GetPublicAccessBlock", accessDenied)}, bucket([]types.Grant{authWrite}, nil), check.Red, [3]string{no, yes, no},
			[]string{"Block Public Access could not be read (s3control GetPublicAccessBlock: access denied (AccessDenied"}},
		{"BPA unreadable but nothing public: green, no note", blockConfig{Err: check.WrapOp("s3control GetPublicAccessBlock", accessDenied)}, bucket(nil, nil), check.Green, [3]string{no, no, no}, nil},

		// Policies confined or neutralized.
		{"public Allow confined by a Deny: green with a note", blockConfig{}, bucket(nil, aws.String(doc(publicRead, denyWith(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`)))),
			check.Green, [3]string{no, no, no}, []string{`Deny statement "Guard" limits it`}},

		// S3's own policy status as a second opinion (AWS only; the emulator answers with an empty status).
		{"S3 says public, evaluator does not: public", blockConfig{}, with(bucket(nil, private), func(b *Bucket) { b.PolicyPublic = aws.Bool(true) }), check.Yellow, [3]string{no, no, yes},
			[]string{"S3's policy status reports the policy as public"}},
		{"S3 says not public, evaluator does: public", blockConfig{}, with(bucket(nil, public), func(b *Bucket) { b.PolicyPublic = aws.Bool(false) }), check.Yellow, [3]string{no, no, yes}, nil},
		{"unreadable document that S3 calls public", blockConfig{}, with(bucket(nil, aws.String("{")), func(b *Bucket) { b.PolicyPublic = aws.Bool(true) }), check.Yellow, [3]string{no, no, yes},
			[]string{"could not read the document"}},
		{"policy status denied: noted, document still judged", blockConfig{}, with(bucket(nil, private), func(b *Bucket) {
			b.PolicyStatusErr = check.WrapOp("s3 GetBucketPolicyStatus", accessDenied)
		}), check.Green, [3]string{no, no, no}, []string{"S3's own policy status could not be read (s3 GetBucketPolicyStatus"}},

		// Could not evaluate: the spec's yellow, naming the operation and code.
		{"policy unreadable: access denied", blockConfig{}, with(bucket(nil, nil), func(b *Bucket) { b.PolicyErr = check.WrapOp("s3 GetBucketPolicy", accessDenied) }),
			check.Yellow, [3]string{no, no, unknown}, []string{notEvaluatedText, "s3 GetBucketPolicy", "AccessDenied"}},
		{"ACL unreadable: access denied", blockConfig{}, Bucket{Name: "b", Region: "eu-west-1", ACLErr: check.WrapOp("s3 GetBucketAcl", accessDenied)},
			check.Yellow, [3]string{unknown, unknown, no}, []string{notEvaluatedText, "s3 GetBucketAcl", "AccessDenied"}},
		{"policy malformed", blockConfig{}, bucket(nil, aws.String(`{"Statement":[`)), check.Yellow, [3]string{no, no, unknown}, []string{notEvaluatedText, "unsupported policy"}},
		{"policy of an unsupported shape", blockConfig{}, bucket(nil, aws.String(doc(`{"Effect":"Audit","Principal":"*","Action":"s3:GetObject","Resource":"*"}`))),
			check.Yellow, [3]string{no, no, unknown}, []string{`Effect "Audit"`}},
		{"unreadable ACL does not hide a red elsewhere", blockConfig{}, with(bucket([]types.Grant{authWrite}, nil), func(b *Bucket) { b.PolicyErr = check.WrapOp("s3 GetBucketPolicy", accessDenied) }),
			check.Red, [3]string{no, yes, unknown}, []string{"upload and delete", notEvaluatedText}},
		{"throttled ACL read is an error, not green", blockConfig{}, Bucket{Name: "b", Region: "eu-west-1",
			ACLErr: check.WrapOp("s3 GetBucketAcl", &smithy.GenericAPIError{Code: "SlowDown", Message: "Please reduce your request rate."})},
			check.Error, [3]string{unknown, unknown, no}, []string{"Could not evaluate the bucket ACL", "SlowDown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target(check.GlobalRegion), Input{Account: tt.account, Buckets: []Bucket{tt.bucket}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%+v) = %d findings, want 1", tt.bucket, len(got))
			}
			f := got[0]
			gotColumns := [3]string{f.Columns["ACL Allows List"], f.Columns["ACL Allows Upload/Delete"], f.Columns["Policy Allows Access"]}
			if f.Status != tt.status || gotColumns != tt.columns {
				t.Errorf("evaluate(%+v, account %+v) = %s %q (%s), want %s %q", tt.bucket, tt.account, f.Status, gotColumns, f.Reason, tt.status, tt.columns)
			}
			for _, want := range tt.reason {
				if !strings.Contains(f.Reason, want) {
					t.Errorf("evaluate(%+v) reason = %q, want it to contain %q", tt.bucket, f.Reason, want)
				}
			}
			if f.ResourceID != "b" || f.Columns["Bucket Name"] != "b" || f.Columns["Region API Parameter"] != "eu-west-1" || f.Columns["Region Name"] != "Europe (Ireland)" {
				t.Errorf("evaluate(%+v) identity = %s %v, want bucket b in Europe (Ireland) eu-west-1", tt.bucket, f.ResourceID, f.Columns)
			}
		})
	}
}

func TestEvaluateBucketThatCouldNotBeLocated(t *testing.T) {
	t.Parallel()
	b := Bucket{Name: "b", Err: check.WrapOp("s3 GetBucketLocation", accessDenied)}
	got := evaluate(checktest.Target(check.GlobalRegion), Input{Buckets: []Bucket{b}})
	checktest.ColumnsWithin(t, Meta, got)
	if len(got) != 1 || got[0].Status != check.Error || !strings.Contains(got[0].Reason, "s3 GetBucketLocation") || !strings.Contains(got[0].Reason, "AccessDenied") {
		t.Fatalf("evaluate(%+v) = %+v, want one error finding naming the operation and code", b, got)
	}
}

func TestRegionNames(t *testing.T) {
	t.Parallel()
	for constraint, want := range map[string]string{"": "us-east-1", "EU": "eu-west-1", "eu-west-1": "eu-west-1", "ap-southeast-2": "ap-southeast-2"} {
		if got := locationRegion(constraint); got != want {
			t.Errorf("locationRegion(%q) = %q, want %q", constraint, got, want)
		}
	}
	for code, want := range map[string]string{"us-east-1": "US East (N. Virginia)", "eu-west-1": "Europe (Ireland)", "xx-new-1": "xx-new-1"} {
		if got := regionName(code); got != want {
			t.Errorf("regionName(%q) = %q, want %q", code, got, want)
		}
	}
}
