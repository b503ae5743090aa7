package s3bucketpermissions

import (
	"strings"
	"testing"
	"time"
)

// TestS3AwsUsernameNotConfining: aws:username is a friendly name, the same
// in every account, so Principal "*" with aws:username = alice admits every
// account's alice. It neither confines an Allow nor, negated, a Deny.
func TestS3AwsUsernameNotConfining(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{
		doc(allowWith(`{"StringEquals":{"aws:username":"alice"}}`)),
		doc(allowWith(`{"StringEquals":{"aws:username":["alice","bob"]}}`)),
		doc(allowWith(`{"ForAnyValue:StringEquals":{"aws:username":"alice"}}`)),
		doc(publicRead, denyWith(`{"StringNotEquals":{"aws:username":"alice"}}`)),
	} {
		got, err := evaluatePolicy(policy)
		if err != nil || !got.Public() {
			t.Errorf("evaluatePolicy(%s) = public %v (open %q, notes %q, err %v), want public", policy, got.Public(), got.Open, got.Notes, err)
		}
	}
}

// conditionBlock builds a condition block with one operator, key and JSON value.
func conditionBlock(operator, key, value string) string {
	return `{"` + operator + `":{"` + key + `":` + value + `}}`
}

func TestConditionKeysConfine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		operator, key, value string
		public               bool
	}{
		// Network.
		{"IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, false},
		{"IpAddress", "aws:SourceIp", `"10.0.0.0/8"`, false},
		{"IpAddress", "aws:SourceIp", `"11.0.0.0/7"`, true},
		{"IpAddress", "aws:SourceIp", `"0.0.0.0/1"`, true},
		{"IpAddress", "aws:SourceIp", `"2001:db8::/32"`, false},
		{"IpAddress", "aws:SourceIp", `"2001::/16"`, true},
		{"IpAddress", "aws:SourceIp", `"::ffff:0:0/96"`, true},
		{"IpAddress", "aws:SourceIp", `"::/80"`, true},
		{"IpAddress", "aws:SourceIp", `"::ffff:10.0.0.0/104"`, false},
		{"StringEquals", "aws:SourceIp", `"203.0.113.0/24"`, true},
		{"StringEquals", "aws:SourceVpc", `"vpc-111"`, false},
		{"StringLike", "aws:SourceVpc", `"vpc-*"`, true},
		{"StringEquals", "aws:SourceVpce", `"vpce-1a2b3c"`, false},
		{"StringEquals", "aws:SourceVpce", `"*"`, true},
		{"ArnEquals", "aws:SourceVpcArn", `"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-111"`, false},
		{"ArnLike", "aws:SourceVpcArn", `"arn:aws:ec2:us-east-1:*:vpc/vpc-111"`, true},
		{"StringEquals", "aws:VpceAccount", `"111122223333"`, false},
		{"StringLike", "aws:VpceAccount", `"*"`, true},
		{"StringEquals", "aws:VpceOrgID", `"o-abc1234567"`, false},
		{"ForAnyValue:StringLike", "aws:VpceOrgPaths", `["o-abc1234567/*"]`, false},
		{"ForAnyValue:StringLike", "aws:VpceOrgPaths", `["o-*/r-ab12/*"]`, true},
		{"StringEquals", "aws:VpcSourceIp", `"10.0.0.5"`, true},
		{"IpAddress", "aws:VpcSourceIp", `"10.0.0.5/32"`, true},

		// The resource a service acts for.
		{"ArnLike", "aws:SourceArn", `"arn:aws:cloudfront::111122223333:distribution/E1"`, false},
		{"ArnLike", "aws:SourceArn", `"arn:aws:cloudfront::111122223333:distribution/*"`, false},
		{"ArnLike", "aws:SourceArn", `"arn:aws:cloudfront::*:distribution/E1"`, true},
		{"ArnLike", "aws:SourceArn", `"arn:aws:sns:us-east-1:11112222333?:topic"`, true},
		{"ArnEquals", "aws:SourceArn", `"arn:aws:s3:::source-bucket"`, true},
		{"StringEquals", "aws:SourceArn", `"not-an-arn"`, true},
		{"StringEquals", "aws:SourceAccount", `"111122223333"`, false},
		{"StringEquals", "aws:SourceOwner", `"111122223333"`, false},
		{"StringEquals", "aws:SourceOrgID", `"o-abc1234567"`, false},
		{"StringLike", "aws:SourceOrgID", `"o-*"`, true},
		{"ForAnyValue:StringEquals", "aws:SourceOrgPaths", `["o-abc1234567/r-ab12/ou-ab12-11111111/"]`, false},
		{"ForAnyValue:StringLike", "aws:SourceOrgPaths", `["r-ab12/ou-ab12-11111111/*"]`, true},

		// The caller.
		{"ArnEquals", "aws:PrincipalArn", `"arn:aws:iam::111122223333:role/reader"`, false},
		{"ArnLike", "aws:PrincipalArn", `"arn:aws:iam::111122223333:role/*"`, false},
		{"StringLike", "aws:PrincipalArn", `"arn:aws:iam::*:role/reader"`, true},
		{"StringLike", "aws:PrincipalArn", `"arn:aws:iam::1111*:role/reader"`, true},
		{"ArnEquals", "aws:PrincipalArn", `"arn:aws:iam:::role/reader"`, true},
		{"StringEquals", "aws:PrincipalArn", `"reader"`, true},
		{"StringEquals", "aws:PrincipalAccount", `"111122223333"`, false},
		{"StringEquals", "aws:PrincipalAccount", `["111122223333","444455556666"]`, false},
		{"StringLike", "aws:PrincipalAccount", `"1111222233?3"`, true},
		{"IpAddress", "aws:PrincipalAccount", `"111122223333"`, true},
		{"ArnEquals", "aws:PrincipalAccount", `"111122223333"`, true},
		{"StringNotEquals", "aws:PrincipalAccount", `"444455556666"`, true},
		{"StringEqualsIfExists", "aws:PrincipalAccount", `"111122223333"`, true},
		{"StringEquals", "aws:PrincipalOrgID", `"o-abc1234567"`, false},
		{"ForAllValues:StringEquals", "aws:PrincipalOrgID", `"o-abc1234567"`, true},
		{"Null", "aws:PrincipalOrgID", `"false"`, true},
		{"ForAnyValue:StringEquals", "aws:PrincipalOrgPaths", `["o-abc1234567/r-ab12/ou-ab12-11111111/"]`, false},
		{"ForAnyValue:StringLike", "aws:PrincipalOrgPaths", `["o-abc1234567/r-ab12/ou-ab12-11111111/*"]`, false},
		{"ForAnyValue:StringLike", "aws:PrincipalOrgPaths", `["o-abc1234567/*","*/ou-ab12-11111111/*"]`, true},
		{"ForAllValues:StringLike", "aws:PrincipalOrgPaths", `["o-abc1234567/*"]`, true},
		{"StringEquals", "aws:userid", `"AIDAEXAMPLE"`, false},
		{"StringEquals", "aws:userid", `"111122223333"`, false},
		{"StringLike", "aws:userid", `"AROAEXAMPLEID:*"`, false},
		{"StringLike", "aws:userid", `"*:alice"`, true},
		{"StringEquals", "aws:userid", `"anonymous"`, true},
		{"StringEqualsIgnoreCase", "aws:userid", `"ANONYMOUS"`, true},
		{"StringEquals", "aws:userid", `"${aws:userid}"`, true},

		// S3's own keys.
		{"ArnLike", "s3:DataAccessPointArn", `"arn:aws:s3:us-west-2:111122223333:accesspoint/*"`, false},
		{"ArnLike", "s3:DataAccessPointArn", `"arn:aws:s3:us-west-2:*:accesspoint/*"`, true},
		{"StringEquals", "s3:DataAccessPointAccount", `"111122223333"`, false},
		{"StringEquals", "s3:x-amz-server-side-encryption-aws-kms-key-id", `"arn:aws:kms:us-east-1:111122223333:key/k"`, false},

		// Keys that name nothing in particular.
		{"StringEquals", "aws:username", `"alice"`, true},
		{"StringEquals", "aws:PrincipalType", `"User"`, true},
		{"StringEquals", "aws:PrincipalTag/team", `"payments"`, true},
		{"StringEquals", "aws:PrincipalServiceName", `"cloudfront.amazonaws.com"`, true},
		{"StringEquals", "aws:ResourceAccount", `"111122223333"`, true},
		{"StringEquals", "aws:ResourceOrgID", `"o-abc1234567"`, true},
		{"StringEquals", "aws:RequestedRegion", `"eu-west-1"`, true},
		{"Bool", "aws:SecureTransport", `"true"`, true},
		{"DateLessThan", "aws:CurrentTime", `"2027-01-01T00:00:00Z"`, true},
	}
	confirmed := map[string]bool{}
	for _, tt := range tests {
		policy := doc(allowWith(conditionBlock(tt.operator, tt.key, tt.value)))
		got, err := evaluatePolicy(policy)
		if err != nil {
			t.Errorf("evaluatePolicy(%s) error = %v, want none", policy, err)
			continue
		}
		if got.Public() != tt.public {
			t.Errorf("evaluatePolicy(%s).Public() = %v, want %v", policy, got.Public(), tt.public)
		}
		if !tt.public {
			confirmed[strings.ToLower(tt.key)] = true
		}
	}
	// Every key the data calls confining has a case showing it confines.
	for key := range conditionKeys.confining {
		if !confirmed[key] {
			t.Errorf("confining key %s has no test case where it confines", key)
		}
	}
}

// TestNotConfiningKeysStayPublic: each audited non-confining key, with a
// fixed value, leaves an Allow to everyone open, and a Deny conditioned on it
// takes nothing back.
func TestNotConfiningKeysStayPublic(t *testing.T) {
	t.Parallel()
	if len(conditionKeys.notConfining) == 0 {
		t.Fatal("no audited non-confining keys in conditionkeys.json")
	}
	for _, key := range conditionKeys.notConfining {
		for _, policy := range []string{
			doc(allowWith(conditionBlock("StringEquals", key, `"111122223333"`))),
			doc(publicRead, denyWith(conditionBlock("StringNotEquals", key, `"111122223333"`))),
		} {
			got, err := evaluatePolicy(policy)
			if err != nil || !got.Public() {
				t.Errorf("evaluatePolicy(%s) = public %v (err %v), want public", policy, got.Public(), err)
			}
		}
	}
}

func TestConditionKeysDenySide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, condition string
		public          bool
	}{
		{"Deny outside the organization path", `{"StringNotLike":{"aws:PrincipalOrgPaths":"o-abc1234567/*"}}`, false},
		{"Deny outside the account's principals", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:*"}}`, false},
		{"Deny unless anonymous", `{"StringNotEquals":{"aws:userid":"anonymous"}}`, true},
		{"Deny outside half the internet", `{"NotIpAddress":{"aws:SourceIp":"0.0.0.0/1"}}`, true},
		{"Deny outside the bucket's own account", `{"StringNotEquals":{"aws:ResourceAccount":"111122223333"}}`, true},
	}
	for _, tt := range tests {
		policy := doc(publicRead, denyWith(tt.condition))
		got, err := evaluatePolicy(policy)
		if err != nil || got.Public() != tt.public {
			t.Errorf("%s: evaluatePolicy(%s) = public %v (err %v), want %v", tt.name, policy, got.Public(), err, tt.public)
		}
	}
}

func TestConditionKeysData(t *testing.T) {
	t.Parallel()
	if conditionKeysErr != nil {
		t.Fatalf("conditionkeys.json: %v", conditionKeysErr)
	}
	shown := dataset()
	if _, err := time.Parse(time.DateOnly, shown.AsOf); err != nil {
		t.Errorf("dataset().AsOf = %q, want a date: %v", shown.AsOf, err)
	}
	if !strings.Contains(shown.Source, "docs.aws.amazon.com") {
		t.Errorf("dataset().Source = %q, want the AWS documentation it comes from", shown.Source)
	}
	if kind := conditionKeys.confining["aws:username"]; kind != "" {
		t.Errorf("aws:username is confining (%s), want not", kind)
	}

	bad := []struct{ name, file string }{
		{"not JSON", `{`},
		{"unknown field", `{"source":"s","asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"cidr","why":"w"}],"extra":1}`},
		{"bad asOf", `{"source":"s","asOf":"December","confining":[{"key":"aws:SourceIp","values":"cidr","why":"w"}]}`},
		{"no source", `{"asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"cidr","why":"w"}]}`},
		{"no keys", `{"source":"s","asOf":"2026-12-01","confining":[]}`},
		{"unknown kind", `{"source":"s","asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"ip","why":"w"}]}`},
		{"no why", `{"source":"s","asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"cidr"}]}`},
		{"twice, any case", `{"source":"s","asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"cidr","why":"w"},{"key":"AWS:SOURCEIP","values":"cidr","why":"w"}]}`},
		{"in both lists", `{"source":"s","asOf":"2026-12-01","confining":[{"key":"aws:SourceIp","values":"cidr","why":"w"}],"notConfining":[{"key":"aws:sourceip","why":"w"}]}`},
	}
	for _, tt := range bad {
		if _, err := parseConditionKeys([]byte(tt.file)); err == nil {
			t.Errorf("%s: parseConditionKeys(%s) = no error, want one", tt.name, tt.file)
		}
	}
}

func TestNarrowCIDR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  bool
	}{
		{"203.0.113.7", true},
		{"2001:db8::1", true},
		{"203.0.113.0/24", true},
		{"10.0.0.0/8", true},
		{"12.0.0.0/7", false},
		{"0.0.0.0/0", false},
		{"1.2.3.4/0", false},
		{"2001:db8::/32", true},
		{"2001:db8::/31", false},
		{"::/0", false},
		{"::ffff:203.0.113.0/120", true},
		{"::ffff:0.0.0.0/100", false},
		{"::/64", false},
		{"office", false},
		{"203.0.113.0/33", false},
	}
	for _, tt := range tests {
		if got := narrowCIDR(tt.value); got != tt.want {
			t.Errorf("narrowCIDR(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
