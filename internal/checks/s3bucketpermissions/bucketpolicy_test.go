package s3bucketpermissions

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// doc builds a policy document from statement JSON objects.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const (
	publicRead  = `{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
	accountRead = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
)

// allowWith is an Allow to everyone of s3:GetObject with the given condition block.
func allowWith(condition string) string {
	return `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":` + condition + `}`
}

// denyWith is a Deny to everyone of everything on the bucket, with the given condition block ("" for none).
func denyWith(condition string) string {
	s := `{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}`
}

func TestEvaluatePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		public bool
	}{
		// Principal forms.
		{"Principal * string", doc(publicRead), true},
		{"Principal AWS * string", doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), true},
		{"Principal AWS array containing *", doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}`), true},
		{"Principal AWS with a wildcard account", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"*"}`), true},
		{"Principal CanonicalUser *", doc(`{"Effect":"Allow","Principal":{"CanonicalUser":"*"},"Action":"s3:GetObject","Resource":"*"}`), true},
		{"fixed account principal", doc(accountRead), false},
		{"service principal", doc(`{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`), false},
		{"single statement object, not an array", `{"Version":"2012-10-17","Statement":` + publicRead + `}`, true},
		{"no Version", `{"Statement":[` + publicRead + `]}`, true},
		{"public Allow after a private one", doc(accountRead, publicRead), true},
		{"Deny to everyone only", doc(denyWith("")), false},
		{"any action counts, even a harmless one", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetBucketLocation","Resource":"arn:aws:s3:::b"}`), true},
		{"NotAction Allow to everyone", doc(`{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject","Resource":"*"}`), true},
		{"NotResource Allow to everyone", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/private/*"}`), true},

		// NotPrincipal.
		{"Allow NotPrincipal: everyone except", doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}`), true},
		{"Allow NotPrincipal *: nobody", doc(`{"Effect":"Allow","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"}`), false},
		{"Allow NotPrincipal confined by org", doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`), false},

		// Conditions that confine an Allow to known principals or networks.
		{"SourceVpce", doc(allowWith(`{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c"}}`)), false},
		{"SourceVpce array", doc(allowWith(`{"StringEquals":{"aws:sourcevpce":["vpce-1","vpce-2"]}}`)), false},
		{"SourceVpc", doc(allowWith(`{"StringEquals":{"aws:SourceVpc":"vpc-111"}}`)), false},
		{"SourceIp /24", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`)), false},
		{"SourceIp /32 and IPv6 /64", doc(allowWith(`{"IpAddress":{"aws:SourceIp":["203.0.113.7/32","2001:db8::/64"]}}`)), false},
		{"SourceIp single address", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`)), false},
		{"SourceIp 0.0.0.0/0", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`)), true},
		{"SourceIp ::/0", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"::/0"}}`)), true},
		{"SourceIp /0 among narrow ones", doc(allowWith(`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","0.0.0.0/0"]}}`)), true},
		{"SourceIp 1.2.3.4/0 is still everything", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"1.2.3.4/0"}}`)), true},
		{"SourceIp not an address", doc(allowWith(`{"IpAddress":{"aws:SourceIp":"office"}}`)), true},
		{"SourceIp with a string operator", doc(allowWith(`{"StringEquals":{"aws:SourceIp":"10.0.0.0/8"}}`)), true},
		{"NotIpAddress on an Allow", doc(allowWith(`{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`)), true},
		{"PrincipalOrgID", doc(allowWith(`{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`)), false},
		{"PrincipalAccount", doc(allowWith(`{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`)), false},
		{"SourceAccount", doc(allowWith(`{"StringEquals":{"aws:SourceAccount":"111122223333"}}`)), false},
		{"SourceArn ArnLike fixed", doc(allowWith(`{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}`)), false},
		{"SourceArn ArnLike wildcard", doc(allowWith(`{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*:distribution/*"}}`)), true},
		{"SourceOwner", doc(allowWith(`{"StringEquals":{"aws:SourceOwner":"111122223333"}}`)), false},
		{"PrincipalArn ArnEquals", doc(allowWith(`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/reader"}}`)), false},
		{"PrincipalArn StringLike wildcard", doc(allowWith(`{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/reader"}}`)), true},
		{"userid fixed", doc(allowWith(`{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}`)), false},
		{"userid role sessions AROLEID:*", doc(allowWith(`{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}`)), false},
		{"userid any", doc(allowWith(`{"StringLike":{"aws:userid":"*"}}`)), true},
		{"username names alice of every account", doc(allowWith(`{"StringEquals":{"aws:username":"alice"}}`)), true},
		{"policy variable is not fixed", doc(allowWith(`{"StringEquals":{"aws:userid":"${aws:userid}"}}`)), true},
		{"empty value is not fixed", doc(allowWith(`{"StringEquals":{"aws:SourceVpce":""}}`)), true},
		{"KMS key id (S3's list)", doc(allowWith(`{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k"}}`)), false},
		{"operator names are read case-insensitively", doc(allowWith(`{"stringequals":{"AWS:SOURCEVPCE":"vpce-1"}}`)), false},
		{"ForAnyValue:StringEquals confines", doc(allowWith(`{"ForAnyValue:StringEquals":{"aws:PrincipalOrgPaths":"o-abc1234567/r-ab12/ou-ab12-11111111/"}}`)), false},
		{"ForAllValues: is true without the key", doc(allowWith(`{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`)), true},
		{"IfExists is true without the key", doc(allowWith(`{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`)), true},
		{"Null only demands some endpoint", doc(allowWith(`{"Null":{"aws:SourceVpce":"false"}}`)), true},
		{"StringNotEquals on an Allow", doc(allowWith(`{"StringNotEquals":{"aws:PrincipalAccount":"444455556666"}}`)), true},
		{"SecureTransport says how, not who", doc(allowWith(`{"Bool":{"aws:SecureTransport":true}}`)), true},
		{"unrelated key", doc(allowWith(`{"StringEquals":{"s3:prefix":"public/"}}`)), true},
		{"one confining condition among others", doc(allowWith(`{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceVpce":"vpce-1"}}`)), false},

		// Deny statements.
		{"unconditional Deny to everyone of everything neutralizes", doc(publicRead, denyWith("")), false},
		{"Deny unless from the VPC endpoint confines", doc(publicRead, denyWith(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`)), false},
		{"Deny unless from the VPC endpoint, IfExists", doc(publicRead, denyWith(`{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`)), false},
		{"Deny unless from the office network", doc(publicRead, denyWith(`{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}`)), false},
		{"Deny unless in the org", doc(publicRead, denyWith(`{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}`)), false},
		{"Deny without TLS only", doc(publicRead, denyWith(`{"Bool":{"aws:SecureTransport":"false"}}`)), true},
		{"Deny outside the VPC endpoint AND without TLS", doc(publicRead, denyWith(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"},"Bool":{"aws:SecureTransport":"false"}}`)), true},
		{"Deny unless from anywhere (/0)", doc(publicRead, denyWith(`{"NotIpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`)), true},
		{"Deny from a VPC endpoint (positive) does not confine", doc(publicRead, denyWith(`{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`)), true},
		{"Deny of other actions", doc(publicRead, `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}`), true},
		{"Deny of s3:Get* covers s3:GetObject", doc(publicRead, `{"Effect":"Deny","Principal":"*","Action":"s3:Get*","Resource":"*"}`), false},
		{"Deny action names are case-insensitive", doc(publicRead, `{"Effect":"Deny","Principal":"*","Action":"S3:GETOBJECT","Resource":"arn:aws:s3:::b/*"}`), false},
		{"Deny s3:GetObject does not cover s3:Get*", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`), true},
		{"Deny s3:Get? does not cover s3:Get*", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"s3:Get?","Resource":"*"}`), true},
		{"Deny s3:* covers s3:Get*", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`), false},
		{"Deny of another prefix", doc(publicRead, `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/private/*"}`), true},
		{"Deny to one account only", doc(publicRead, `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"*","Resource":"*"}`), true},
		{"Deny NotPrincipal: all but the account", doc(publicRead, `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*","Resource":"*"}`), false},
		{"Deny NotPrincipal *: denies nobody", doc(publicRead, `{"Effect":"Deny","NotPrincipal":"*","Action":"*","Resource":"*"}`), true},
		{"Deny NotAction is not taken as covering", doc(publicRead, `{"Effect":"Deny","Principal":"*","NotAction":"s3:PutObject","Resource":"*"}`), true},
		{"Deny NotResource is not taken as covering", doc(publicRead, `{"Effect":"Deny","Principal":"*","Action":"*","NotResource":"arn:aws:s3:::x"}`), true},
		{"Allow NotAction covered only by Deny *", doc(`{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`), false},
		{"Deny with ForAnyValue: is not counted", doc(publicRead, denyWith(`{"ForAnyValue:StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`)), true},
		{"Deny before the Allow works too", doc(denyWith(""), publicRead), false},
		{"two Denies that only together cover stay open", doc(`{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}`,
			`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}`), true},
		{"number and boolean condition values", doc(allowWith(`{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":[true,false]}}`)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := evaluatePolicy(tt.policy)
			if err != nil {
				t.Fatalf("evaluatePolicy(%s) error = %v, want none", tt.policy, err)
			}
			if got.Public() != tt.public {
				t.Errorf("evaluatePolicy(%s).Public() = %v (open %q, notes %q), want %v", tt.policy, got.Public(), got.Open, got.Notes, tt.public)
			}
		})
	}
}

func TestEvaluatePolicyDescribesStatements(t *testing.T) {
	t.Parallel()
	got, err := evaluatePolicy(doc(accountRead, publicRead, `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:ListBucket"],"Resource":"*"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`statement "PublicRead" allows s3:GetObject to everyone (Principal "*")`,
		`statement 3 allows s3:GetObject, s3:PutObject, s3:DeleteObject and 1 more to everyone except its NotPrincipal`,
	}
	if fmt.Sprint(got.Open) != fmt.Sprint(want) {
		t.Errorf("open statements = %q, want %q", got.Open, want)
	}
	got, err = evaluatePolicy(doc(publicRead, denyWith(`{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`)))
	if err != nil || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], `Deny statement "Guard"`) {
		t.Errorf("confined policy notes = %q (err %v), want one naming the Deny", got.Notes, err)
	}
}

func TestEvaluatePolicyCannotEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, policy string }{
		{"empty", ``},
		{"not JSON", `Statement: allow everyone`},
		{"truncated", doc(publicRead)[:40]},
		{"trailing data", doc(publicRead) + `]`},
		{"array at the top", `[` + publicRead + `]`},
		{"null", `null`},
		{"no Statement", `{"Version":"2012-10-17"}`},
		{"Statement null", `{"Statement":null}`},
		{"empty Statement array", `{"Statement":[]}`},
		{"Statement a string", `{"Statement":"Allow"}`},
		{"unknown top-level element", `{"Statement":[` + publicRead + `],"Extra":1}`},
		{"duplicate element", `{"Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`},
		{"statement not an object", doc(`"Allow"`)},
		{"missing Effect", doc(`{"Principal":"*","Action":"s3:GetObject","Resource":"*"}`)},
		{"Effect lower case", doc(`{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`)},
		{"Effect Audit", doc(`{"Effect":"Audit","Principal":"*","Action":"s3:GetObject","Resource":"*"}`)},
		{"no Principal", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)},
		{"Principal and NotPrincipal", doc(`{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"}`)},
		{"Principal an ARN string", doc(`{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"s3:GetObject","Resource":"*"}`)},
		{"Principal empty object", doc(`{"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"*"}`)},
		{"Principal number", doc(`{"Effect":"Allow","Principal":1,"Action":"s3:GetObject","Resource":"*"}`)},
		{"Principal AWS empty array", doc(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"*"}`)},
		{"no Action", doc(`{"Effect":"Allow","Principal":"*","Resource":"*"}`)},
		{"Action number", doc(`{"Effect":"Allow","Principal":"*","Action":7,"Resource":"*"}`)},
		{"Action array of numbers", doc(`{"Effect":"Allow","Principal":"*","Action":[7],"Resource":"*"}`)},
		{"no Resource", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}`)},
		{"unknown statement element", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Priority":1}`)},
		{"Sid not a string", doc(`{"Sid":1,"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`)},
		{"Condition not an object", doc(allowWith(`["StringEquals"]`))},
		{"Condition operator not an object", doc(allowWith(`{"StringEquals":"aws:SourceVpce"}`))},
		{"Condition value an object", doc(allowWith(`{"StringEquals":{"aws:SourceVpce":{"id":"vpce-1"}}}`))},
		{"Condition value null", doc(allowWith(`{"StringEquals":{"aws:SourceVpce":null}}`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := evaluatePolicy(tt.policy)
			if err == nil || !errors.Is(err, errUnsupported) {
				t.Errorf("evaluatePolicy(%s) = %+v, %v; want an unsupported-policy error", tt.policy, got, err)
			}
		})
	}
}

func TestPatternCovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deny, allow string
		want        bool
	}{
		{"*", "s3:getobject", true},
		{"*", "s3:get*", true},
		{"s3:*", "s3:get*", true},
		{"s3:get*", "s3:getobject*", true},
		{"s3:get*", "s3:*", false},
		{"s3:get?bject", "s3:getobject", true},
		{"s3:get?", "s3:get*", false},
		{"s3:*object", "s3:getobject", true},
		{"s3:*object", "s3:get*", false},
		{"s3:getobject", "s3:getobject", true},
		{"s3:getobject", "s3:putobject", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
	}
	for _, tt := range tests {
		if got := patternCovers(tt.deny, tt.allow); got != tt.want {
			t.Errorf("patternCovers(%q, %q) = %v, want %v", tt.deny, tt.allow, got, tt.want)
		}
	}
}

// benchmarkPolicy is shaped like a busy real bucket policy: a public read
// confined to a CloudFront distribution, TLS-only and VPC-endpoint guards,
// cross-account grants.
var benchmarkPolicy = doc(
	`{"Sid":"CloudFrontRead","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}}`,
	`{"Sid":"PublicAssets","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::b/assets/*"}`,
	`{"Sid":"PartnerWrite","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/uploader","arn:aws:iam::777788889999:root"]},"Action":["s3:PutObject","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::b/incoming/*"}`,
	`{"Sid":"OrgList","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`,
	`{"Sid":"OfficeRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/reports/*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/48"]}}}`,
	`{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
	`{"Sid":"VpceOnlyWrites","Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":["vpce-1","vpce-2"]}}}`,
	`{"Sid":"NoAclChanges","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["s3:PutBucketAcl","s3:PutObjectAcl"],"Resource":"*"}`,
)

func BenchmarkEvaluatePolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		v, err := evaluatePolicy(benchmarkPolicy)
		if err != nil || !v.Public() {
			b.Fatalf("evaluatePolicy = %+v, %v; want public (PublicAssets)", v, err)
		}
	}
}
