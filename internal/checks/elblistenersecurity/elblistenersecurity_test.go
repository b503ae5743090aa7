package elblistenersecurity

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/check/checktest"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
	"github.com/secadvisor/secadvisor/internal/scan"
)

// allAttributes are the protocol and cipher attributes AWS returns for
// every SSLNegotiationPolicyType policy, each "true" or "false" (a subset of
// the real list, with every kind the check tells apart).
var allAttributes = []string{
	protocolSSLv2, protocolSSLv3, protocolTLSv1, protocolTLSv11, protocolTLSv12,
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA256", "AES128-GCM-SHA256", "AES256-SHA256",
	"ECDHE-RSA-AES128-SHA", "AES128-SHA", "DHE-RSA-AES128-SHA", "CAMELLIA128-SHA",
	"DES-CBC3-SHA", "EDH-RSA-DES-CBC3-SHA", "RC4-SHA", "ECDHE-RSA-RC4-SHA", "RC4-MD5", "EXP-RC4-MD5", "EXP1024-DES-CBC-SHA", "NULL-SHA", "ADH-AES128-SHA", "AECDH-AES128-SHA",
}

// expandedPolicy is an SSL negotiation policy shaped like AWS's
// DescribeLoadBalancerPolicies answer: the reference (when any), the server
// order option, then every protocol and cipher with "true" or "false".
func expandedPolicy(name, reference string, enabled ...string) elbtypes.PolicyDescription {
	var attrs []elbtypes.PolicyAttributeDescription
	if reference != "" {
		attrs = append(attrs, elbtypes.PolicyAttributeDescription{AttributeName: aws.String(referenceAttribute), AttributeValue: aws.String(reference)})
	}
	attrs = append(attrs, elbtypes.PolicyAttributeDescription{AttributeName: aws.String(serverOrderAttribute), AttributeValue: aws.String("true")})
	for _, a := range slices.Concat(allAttributes, enabled) {
		if i := slices.IndexFunc(attrs, func(d elbtypes.PolicyAttributeDescription) bool { return aws.ToString(d.AttributeName) == a }); i < 0 {
			attrs = append(attrs, elbtypes.PolicyAttributeDescription{AttributeName: aws.String(a), AttributeValue: aws.String(strconv.FormatBool(slices.Contains(enabled, a)))})
		}
	}
	return elbtypes.PolicyDescription{PolicyName: aws.String(name), PolicyTypeName: aws.String(sslNegotiationPolicyType), PolicyAttributeDescriptions: attrs}
}

// referencePolicy is a policy created as a reference to a predefined policy,
// as AWS describes it: expanded to the predefined policy's protocols and
// ciphers (the example of describe-load-balancer-policies in the AWS CLI
// reference).
func referencePolicy(name, reference string) elbtypes.PolicyDescription {
	p := policyList.classic[reference]
	return expandedPolicy(name, reference, slices.Concat(p.Protocols, p.Ciphers)...)
}

// unexpandedPolicy is a policy whose description carries only its
// reference: not how AWS answers, so it cannot be judged.
func unexpandedPolicy(name, reference string) elbtypes.PolicyDescription {
	return elbtypes.PolicyDescription{PolicyName: aws.String(name), PolicyTypeName: aws.String(sslNegotiationPolicyType),
		PolicyAttributeDescriptions: []elbtypes.PolicyAttributeDescription{{AttributeName: aws.String(referenceAttribute), AttributeValue: aws.String(reference)}}}
}

func listener(protocol string, port int32, policies ...string) elbtypes.ListenerDescription {
	return elbtypes.ListenerDescription{Listener: &elbtypes.Listener{Protocol: aws.String(protocol), LoadBalancerPort: port, InstancePort: aws.Int32(8080)}, PolicyNames: policies}
}

var recommended = []string{protocolTLSv12, "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "AES128-GCM-SHA256"}

func TestEvaluateClassicPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy elbtypes.PolicyDescription
		want   check.Status
		reason string // a word the reason must contain
	}{
		{"current predefined, expanded", expandedPolicy("ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-2017-01", recommended...), check.Green, "only recommended"},
		{"current predefined, by reference", referencePolicy("tls12", "ELBSecurityPolicy-TLS-1-2-2017-01"), check.Green, "only recommended"},
		{"custom, recommended only, no reference", expandedPolicy("custom", "", recommended...), check.Green, "only recommended"},
		{"insecure ciphers listed but disabled", expandedPolicy("custom", "", recommended...), check.Green, ""},
		{"default 2016-08, expanded", expandedPolicy("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2016-08", append(slices.Clone(recommended), protocolTLSv1, protocolTLSv11, "ECDHE-RSA-AES128-SHA", "AES128-SHA")...), check.Yellow, "outdated"},
		{"default 2016-08 by reference", referencePolicy("p", "ELBSecurityPolicy-2016-08"), check.Yellow, "Protocol-TLSv1"},
		{"the default policy AWS creates", referencePolicy("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2016-08"), check.Yellow, "is outdated"},
		{"TLS 1.1 policy is outdated", referencePolicy("p", "ELBSecurityPolicy-TLS-1-1-2017-01"), check.Yellow, "outdated"},
		{"2015-05 by reference: 3DES", referencePolicy("p", "ELBSecurityPolicy-2015-05"), check.Red, "DES-CBC3-SHA"},
		{"2015-03 by reference: 3DES", referencePolicy("p", "ELBSecurityPolicy-2015-03"), check.Red, "DES-CBC3-SHA"},
		{"2015-02 by reference: DHE not recommended", referencePolicy("p", "ELBSecurityPolicy-2015-02"), check.Yellow, "DHE-RSA-AES128-SHA"},
		{"based on the undocumented 2011-08: outdated", expandedPolicy("p", "ELBSecurityPolicy-2011-08", recommended...), check.Yellow, "outdated"},
		{"reference only, no protocol or cipher listed", unexpandedPolicy("p", "ELBSecurityPolicy-TLS-1-2-2017-01"), check.Error, "lists no protocol or cipher"},
		{"custom enabling TLS 1.0", expandedPolicy("custom", "", append(slices.Clone(recommended), protocolTLSv1)...), check.Yellow, "Protocol-TLSv1"},
		{"custom enabling TLS 1.1", expandedPolicy("custom", "", append(slices.Clone(recommended), protocolTLSv11)...), check.Yellow, "Protocol-TLSv1.1"},
		{"custom enabling a SHA-1 CBC cipher", expandedPolicy("custom", "", append(slices.Clone(recommended), "ECDHE-RSA-AES128-SHA")...), check.Yellow, "ECDHE-RSA-AES128-SHA"},
		{"custom enabling CAMELLIA", expandedPolicy("custom", "", append(slices.Clone(recommended), "CAMELLIA128-SHA")...), check.Yellow, "CAMELLIA128-SHA"},
		{"custom enabling SSLv2", expandedPolicy("custom", "", append(slices.Clone(recommended), protocolSSLv2)...), check.Red, "Protocol-SSLv2"},
		{"custom enabling SSLv3", expandedPolicy("custom", "", append(slices.Clone(recommended), protocolSSLv3)...), check.Red, "Protocol-SSLv3"},
		{"custom enabling RC4", expandedPolicy("custom", "", append(slices.Clone(recommended), "RC4-SHA")...), check.Red, "RC4-SHA"},
		{"custom enabling ECDHE RC4", expandedPolicy("custom", "", append(slices.Clone(recommended), "ECDHE-RSA-RC4-SHA")...), check.Red, "ECDHE-RSA-RC4-SHA"},
		{"custom enabling 3DES", expandedPolicy("custom", "", append(slices.Clone(recommended), "DES-CBC3-SHA")...), check.Red, "DES-CBC3-SHA"},
		{"custom enabling EDH 3DES", expandedPolicy("custom", "", append(slices.Clone(recommended), "EDH-RSA-DES-CBC3-SHA")...), check.Red, "EDH-RSA-DES-CBC3-SHA"},
		{"custom enabling MD5", expandedPolicy("custom", "", append(slices.Clone(recommended), "RC4-MD5")...), check.Red, "RC4-MD5"},
		{"custom enabling EXPORT", expandedPolicy("custom", "", append(slices.Clone(recommended), "EXP-RC4-MD5")...), check.Red, "EXP-RC4-MD5"},
		{"custom enabling EXPORT DES", expandedPolicy("custom", "", append(slices.Clone(recommended), "EXP1024-DES-CBC-SHA")...), check.Red, "EXP1024-DES-CBC-SHA"},
		{"custom enabling NULL", expandedPolicy("custom", "", append(slices.Clone(recommended), "NULL-SHA")...), check.Red, "NULL-SHA"},
		{"custom enabling anonymous DH", expandedPolicy("custom", "", append(slices.Clone(recommended), "ADH-AES128-SHA")...), check.Red, "ADH-AES128-SHA"},
		{"custom enabling anonymous ECDH", expandedPolicy("custom", "", append(slices.Clone(recommended), "AECDH-AES128-SHA")...), check.Red, "AECDH-AES128-SHA"},
		{"custom on current reference adding RC4", expandedPolicy("custom", "ELBSecurityPolicy-TLS-1-2-2017-01", append(slices.Clone(recommended), "RC4-SHA")...), check.Red, "RC4-SHA"},
		{"reference to a policy missing from the list", unexpandedPolicy("p", "ELBSecurityPolicy-2030-01"), check.Error, "not in the policy list as of 2026-12-01"},
		{"expanded, reference missing from the list", expandedPolicy("custom", "ELBSecurityPolicy-2030-01", recommended...), check.Error, "ELBSecurityPolicy-2030-01"},
		{"insecure and outdated: red wins, both said", expandedPolicy("custom", "ELBSecurityPolicy-2016-08", append(slices.Clone(recommended), protocolSSLv3)...), check.Red, "outdated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lb := ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, aws.ToString(tt.policy.PolicyName))}, Policies: []elbtypes.PolicyDescription{tt.policy}}
			got := evaluate(checktest.Target("eu-west-1"), Input{Classic: []ClassicLoadBalancer{lb}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) = %d findings %+v, want 1", tt.name, len(got), got)
			}
			f := got[0]
			if f.Status != tt.want || !strings.Contains(f.Reason, tt.reason) || f.Columns["Reason"] != f.Reason {
				t.Errorf("evaluate(%s) = %s %q, want %s with %q in the reason column", tt.name, f.Status, f.Reason, tt.want, tt.reason)
			}
			if f.Columns["Load Balancer Name"] != "lb" || f.Columns["Load Balancer Port"] != "443" {
				t.Errorf("evaluate(%s) columns = %v, want lb and 443", tt.name, f.Columns)
			}
			if wantID := map[bool]string{true: "lb", false: "lb:443"}[tt.want == check.Green]; f.ResourceID != wantID {
				t.Errorf("evaluate(%s) resource = %q, want %q", tt.name, f.ResourceID, wantID)
			}
		})
	}
}

func TestEvaluateClassicListeners(t *testing.T) {
	t.Parallel()
	good := expandedPolicy("good", "ELBSecurityPolicy-TLS-1-2-2017-01", recommended...)
	weak := expandedPolicy("weak", "", append(slices.Clone(recommended), "RC4-SHA")...)
	stickiness := elbtypes.PolicyDescription{PolicyName: aws.String("sticky"), PolicyTypeName: aws.String("LBCookieStickinessPolicyType")}
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
	type row struct {
		id, port string
		status   check.Status
	}
	tests := []struct {
		name string
		lb   ClassicLoadBalancer
		want []row
	}{
		{"no listener at all", ClassicLoadBalancer{Name: "lb"}, []row{{"lb", "", check.Yellow}}},
		{"HTTP only", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTP", 80), listener("TCP", 8080)}}, []row{{"lb", "80, 8080", check.Yellow}}},
		{"SSL listener counts as secure", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("SSL", 8443, "good")}, Policies: []elbtypes.PolicyDescription{good}}, []row{{"lb", "8443", check.Green}}},
		{"HTTP beside a good HTTPS listener is fine", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTP", 80), listener("HTTPS", 443, "sticky", "good")}, Policies: []elbtypes.PolicyDescription{stickiness, good}},
			[]row{{"lb", "443", check.Green}}},
		{"one bad listener of two: only it is reported", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, "good"), listener("SSL", 8443, "weak")}, Policies: []elbtypes.PolicyDescription{good, weak}},
			[]row{{"lb:8443", "8443", check.Red}}},
		{"HTTPS listener created without a policy: AWS lists its default", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, "ELBSecurityPolicy-2016-08")}, Policies: []elbtypes.PolicyDescription{referencePolicy("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2016-08")}},
			[]row{{"lb:443", "443", check.Yellow}}},
		{"no SSL negotiation policy listed", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, "sticky")}, Policies: []elbtypes.PolicyDescription{stickiness}}, []row{{"lb:443", "443", check.Error}}},
		{"predefined name not among the policies", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, "ELBSecurityPolicy-2015-05")}}, []row{{"lb:443", "443", check.Error}}},
		{"policies unreadable", ClassicLoadBalancer{Name: "lb", Listeners: []elbtypes.ListenerDescription{listener("HTTPS", 443, "good")}, PoliciesErr: denied}, []row{{"lb", "", check.Error}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := evaluate(checktest.Target("eu-west-1"), Input{Classic: []ClassicLoadBalancer{tt.lb}})
			checktest.ColumnsWithin(t, Meta, got)
			var rows []row
			for _, f := range got {
				rows = append(rows, row{f.ResourceID, f.Columns["Load Balancer Port"], f.Status})
			}
			if !slices.Equal(rows, tt.want) {
				t.Errorf("evaluate(%s) = %+v (%+v), want %+v", tt.name, rows, got, tt.want)
			}
		})
	}
}

// TestEvaluateV2 judges an ALB's HTTPS listener on each predefined policy.
// The TLS 1.2-only policies AWS still documents (forward-secrecy and TLS-1-2
// ones) and every TLS 1.3 policy (FIPS, RFC 9151, post-quantum) with a
// minimum of TLS 1.2 or 1.3 are current: green, and never called outdated.
// A name missing from the list is an error naming the list's date, not a
// yellow guess.
func TestEvaluateV2(t *testing.T) {
	t.Parallel()
	https := func(port int32, policy string) elbv2types.Listener {
		return elbv2types.Listener{Port: aws.Int32(port), Protocol: elbv2types.ProtocolEnumHttps, SslPolicy: aws.String(policy)}
	}
	plain := elbv2types.Listener{Port: aws.Int32(80), Protocol: elbv2types.ProtocolEnumHttp}
	tests := []struct {
		policy     string
		want       check.Status
		wantReason string
	}{
		{"ELBSecurityPolicy-TLS13-1-2-2021-06", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-3-2021-06", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ-2026-07", check.Green, ""},
		{"ELBSecurityPolicy-FS-1-2-Res-2020-10", check.Green, ""},
		{"ELBSecurityPolicy-FS-1-2-Res-2019-08", check.Green, ""},
		{"ELBSecurityPolicy-FS-1-2-2019-08", check.Green, ""},
		{"ELBSecurityPolicy-TLS-1-2-Ext-2018-06", check.Green, ""},
		{"ELBSecurityPolicy-TLS-1-2-2017-01", check.Green, ""},
		{"ELBSecurityPolicy-TLS13-1-2-Future-2030-01", check.Error, "not in the policy list as of 2026-12-01"}, // newer than the list: never guessed
		{"ELBSecurityPolicy-TLS13-1-2-Brand-New-2031-01", check.Error, "not in the policy list as of 2026-12-01"},
		{"ELBSecurityPolicy-TLS13-1-1-2021-06", check.Yellow, ""},
		{"ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", check.Yellow, "not recommended: TLSv1.1"},
		{"ELBSecurityPolicy-TLS13-1-0-2021-06", check.Yellow, ""},
		{"ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09", check.Yellow, ""},
		{"ELBSecurityPolicy-FS-1-1-2019-08", check.Yellow, ""},
		{"ELBSecurityPolicy-FS-2018-06", check.Yellow, ""},
		{"ELBSecurityPolicy-TLS-1-1-2017-01", check.Yellow, ""},
		{"ELBSecurityPolicy-2016-08", check.Yellow, ""},
		{"ELBSecurityPolicy-TLS-1-0-2015-04", check.Red, ""},
		{"ELBSecurityPolicy-2015-05", check.Yellow, ""}, // same ciphers as 2016-08 (s2n-tls): no 3DES
		{"SomethingElse", check.Error, ""},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			t.Parallel()
			lb := V2LoadBalancer{Name: "api", Type: elbv2types.LoadBalancerTypeEnumApplication, Listeners: []elbv2types.Listener{plain, https(443, tt.policy)}}
			got := evaluate(checktest.Target("eu-west-1"), Input{V2: []V2LoadBalancer{lb}})
			checktest.ColumnsWithin(t, Meta, got)
			if len(got) != 1 {
				t.Fatalf("evaluate(%s) = %+v, want one finding", tt.policy, got)
			}
			f := got[0]
			if f.Status != tt.want || !strings.HasPrefix(f.Reason, beyondSpec) || f.Columns["Load Balancer Port"] != "443" || f.Columns["Load Balancer Name"] != "api" {
				t.Errorf("evaluate(%s) = %s %q %v, want %s marked beyond the spec", tt.policy, f.Status, f.Reason, f.Columns, tt.want)
			}
			currentOrUnknown := tt.want == check.Green || tt.want == check.Error
			if !strings.Contains(f.Reason, tt.wantReason) || (currentOrUnknown && strings.Contains(f.Reason, "outdated")) {
				t.Errorf("evaluate(%s) reason = %q, want it mentioning %q (and, for a current or unknown policy, not calling it outdated)", tt.policy, f.Reason, tt.wantReason)
			}
			if tt.want != check.Green && (f.ResourceID != "alb/api:443" || !strings.Contains(f.Reason, tt.policy)) {
				t.Errorf("evaluate(%s) = resource %q reason %q, want alb/api:443 naming the policy", tt.policy, f.ResourceID, f.Reason)
			}
		})
	}
	t.Run("no TLS listener: nothing to evaluate", func(t *testing.T) {
		t.Parallel()
		got := evaluate(checktest.Target("eu-west-1"), Input{V2: []V2LoadBalancer{{Name: "web", Type: elbv2types.LoadBalancerTypeEnumApplication, Listeners: []elbv2types.Listener{plain}}}})
		if len(got) != 0 {
			t.Errorf("evaluate(HTTP-only ALB) = %+v, want nothing", got)
		}
	})
	t.Run("listeners unreadable", func(t *testing.T) {
		t.Parallel()
		got := evaluate(checktest.Target("eu-west-1"), Input{V2: []V2LoadBalancer{{Name: "nlb", Type: elbv2types.LoadBalancerTypeEnumNetwork, ListenersErr: &smithy.GenericAPIError{Code: "AccessDenied"}}}})
		if len(got) != 1 || got[0].Status != check.Error || got[0].ResourceID != "nlb/nlb" || !strings.Contains(got[0].Reason, "DescribeListeners") {
			t.Errorf("evaluate(denied listeners) = %+v, want one error finding naming DescribeListeners", got)
		}
	})
}

func TestPolicyData(t *testing.T) {
	t.Parallel()
	if policyListErr != nil {
		t.Fatalf("policies.json: %v", policyListErr)
	}
	if got := policyList.asOf.Format("2006-01-02"); got != "2026-12-01" {
		t.Errorf("policies.json asOf = %s, want 2026-12-01", got)
	}
	tests := []struct {
		name, json string
	}{
		{"not JSON", "{"},
		{"unknown field", `{"asOf":"2026-12-01","extra":1}`},
		{"bad date", `{"asOf":"December"}`},
		{"no sources", `{"asOf":"2026-12-01"}`},
		{"recommended Classic policy missing", `{"asOf":"2026-12-01","classic":{"sources":["u"],"recommended":"X","default":"X"},"v2":{"sources":["u"],"recommended":["Y"],"policies":[{"name":"Y","minProtocol":"TLSv1.2"}]}}`},
		{"unknown protocol", `{"asOf":"2026-12-01","classic":{"sources":["u"],"recommended":"X","default":"X","policies":[{"name":"X","protocols":["p"],"ciphers":["c"]}]},"v2":{"sources":["u"],"recommended":["Y"],"policies":[{"name":"Y","minProtocol":"SSLv3"}]}}`},
		{"recommended ELBv2 policy outdated", `{"asOf":"2026-12-01","classic":{"sources":["u"],"recommended":"X","default":"X","policies":[{"name":"X","protocols":["p"],"ciphers":["c"]}]},"v2":{"sources":["u"],"recommended":["Y"],"policies":[{"name":"Y","minProtocol":"TLSv1.2","outdated":true}]}}`},
	}
	for _, tt := range tests {
		if _, err := parsePolicies([]byte(tt.json)); err == nil {
			t.Errorf("parsePolicies(%s: %s) = nil error, want one", tt.name, tt.json)
		}
	}
}

// seedLoadBalancers creates, in region, the load balancers a real account
// accumulates: an HTTP-only Classic LB, a Classic LB on the current policy,
// one with a weak custom policy and an outdated one, one HTTPS listener
// without a policy, and two ALBs (current and outdated policy).
func seedLoadBalancers(t *testing.T, cfg aws.Config, account, region string) {
	t.Helper()
	ctx := context.Background()
	c := elb.NewFromConfig(awsx.InRegion(cfg, region))
	cert := "arn:aws:iam::" + account + ":server-certificate/shop"
	zones := []string{region + "a"}
	create := func(name string, listeners ...elbtypes.Listener) {
		if _, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String(name), Listeners: listeners, AvailabilityZones: zones}); err != nil {
			t.Fatalf("create classic LB %s: %v", name, err)
		}
	}
	policy := func(lb, name string, attrs map[string]string, port int32) {
		var pa []elbtypes.PolicyAttribute
		for k, v := range attrs {
			pa = append(pa, elbtypes.PolicyAttribute{AttributeName: aws.String(k), AttributeValue: aws.String(v)})
		}
		if _, err := c.CreateLoadBalancerPolicy(ctx, &elb.CreateLoadBalancerPolicyInput{LoadBalancerName: aws.String(lb), PolicyName: aws.String(name), PolicyTypeName: aws.String(sslNegotiationPolicyType), PolicyAttributes: pa}); err != nil {
			t.Fatalf("create policy %s: %v", name, err)
		}
		if _, err := c.SetLoadBalancerPoliciesOfListener(ctx, &elb.SetLoadBalancerPoliciesOfListenerInput{LoadBalancerName: aws.String(lb), LoadBalancerPort: port, PolicyNames: []string{name}}); err != nil {
			t.Fatalf("set policy %s: %v", name, err)
		}
	}
	httpL := func(port int32) elbtypes.Listener {
		return elbtypes.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: port, InstancePort: aws.Int32(8080)}
	}
	tlsL := func(protocol string, port int32) elbtypes.Listener {
		return elbtypes.Listener{Protocol: aws.String(protocol), LoadBalancerPort: port, InstancePort: aws.Int32(8080), SSLCertificateId: aws.String(cert)}
	}
	create("web-plain", httpL(80))
	create("shop", httpL(80), tlsL("HTTPS", 443))
	policy("shop", "shop-tls12", map[string]string{referenceAttribute: policyList.currentClassic}, 443)
	create("legacy", tlsL("HTTPS", 443), tlsL("SSL", 8443))
	policy("legacy", "legacy-ssl3", map[string]string{protocolSSLv3: "true", protocolTLSv12: "true", "RC4-SHA": "true", "AES128-GCM-SHA256": "true"}, 443)
	policy("legacy", "legacy-2016", map[string]string{referenceAttribute: "ELBSecurityPolicy-2016-08"}, 8443)
	create("no-policy", tlsL("HTTPS", 443))

	ec2c := ec2.NewFromConfig(awsx.InRegion(cfg, region))
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatalf("create vpc: %v", err)
	}
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: aws.String(region + az)})
		if err != nil {
			t.Fatalf("create subnet: %v", err)
		}
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	v2 := elbv2.NewFromConfig(awsx.InRegion(cfg, region))
	tg, err := v2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("app"), Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatalf("create target group: %v", err)
	}
	forward := []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}
	for name, sslPolicy := range map[string]string{"api": "ELBSecurityPolicy-TLS13-1-2-2021-06", "old-api": "ELBSecurityPolicy-2016-08"} {
		lb, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets, Type: elbv2types.LoadBalancerTypeEnumApplication})
		if err != nil {
			t.Fatalf("create ALB %s: %v", name, err)
		}
		arn := lb.LoadBalancers[0].LoadBalancerArn
		if _, err := v2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: arn, Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: forward}); err != nil {
			t.Fatalf("create HTTP listener: %v", err)
		}
		if _, err := v2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: arn, Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), DefaultActions: forward,
			SslPolicy: aws.String(sslPolicy), Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}}}); err != nil {
			t.Fatalf("create HTTPS listener: %v", err)
		}
	}
}

func TestCollectOnEmulator(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seedLoadBalancers(t, cfg, account, "eu-west-1")
	findings, recorder := checktest.ScanRecorded(t, cfg, account, Check, "eu-west-1", "us-east-1")
	want := map[string]check.Status{
		"web-plain":       check.Yellow, // no HTTPS/SSL listener
		"shop":            check.Green,  // current predefined policy by reference
		"legacy:443":      check.Red,    // SSLv3 and RC4
		"legacy:8443":     check.Yellow, // outdated 2016-08
		"no-policy:443":   check.Yellow, // the default 2016-08
		"alb/api":         check.Green,
		"alb/old-api:443": check.Yellow,
	}
	got := checktest.ByResource(findings)
	if len(findings) != len(want) {
		t.Errorf("got %d findings, want %d: %+v", len(findings), len(want), findings)
	}
	for id, status := range want {
		if f, ok := got[id]; !ok || f.Status != status || f.Region != "eu-west-1" || f.Columns["Reason"] == "" {
			t.Errorf("finding %s = %+v, want %s in eu-west-1 with a reason", id, f, status)
		}
	}
	if f := got["alb/old-api:443"]; !strings.HasPrefix(f.Reason, beyondSpec) {
		t.Errorf("ALB finding reason = %q, want it marked beyond the spec", f.Reason)
	}
	checktest.WantCalls(t, recorder,
		checktest.Call("Elastic Load Balancing", "DescribeLoadBalancerPolicies", 3, "one per Classic LB with an HTTPS or SSL listener; the HTTP-only one has no policy to judge"),
		checktest.Call("Elastic Load Balancing v2", "DescribeListeners", 2, "one per ALB"))
}

// TestPoliciesOrListenersDenied: a load balancer whose policies or
// listeners cannot be read is an error of its own; the others are still
// judged (an HTTP-only one needs no policy).
func TestPoliciesOrListenersDenied(t *testing.T) {
	t.Parallel()
	cfg, account := emutest.Config(t)
	seedLoadBalancers(t, cfg, account, "us-east-1")
	job := scan.Job{Check: Check, Account: account, Region: "us-east-1"}
	findings := scan.RunJob(context.Background(), emutest.Deny(cfg, "DescribeLoadBalancerPolicies", "DescribeListeners"), job, 0)
	for _, f := range findings {
		hasTLS := f.ResourceID == "shop" || f.ResourceID == "legacy" || f.ResourceID == "no-policy" || strings.HasPrefix(f.ResourceID, "alb/")
		if hasTLS && (f.Status != check.Error || !strings.Contains(f.Reason, "AccessDenied")) {
			t.Errorf("deny policies/listeners: %s = %+v, want an error finding", f.ResourceID, f)
		}
		if f.ResourceID == "web-plain" && f.Status != check.Yellow {
			t.Errorf("deny policies: web-plain = %+v, want still yellow (no secure listener needs no policy)", f)
		}
	}
	if len(findings) != 6 {
		t.Errorf("deny policies/listeners: %d findings %+v, want 6 (one per load balancer)", len(findings), findings)
	}
}

// The emulator answers every listing in one page, so these fakes answer in
// two, shaped as the Elastic Load Balancing API references document them
// (NextMarker on every page but the last), with the finding that matters on
// the second page: a collector that stops after the first misses it.

// classicPages answers DescribeLoadBalancers from its pages and
// DescribeLoadBalancerPolicies from policies.
type classicPages struct {
	pages    [][]elbtypes.LoadBalancerDescription
	policies map[string][]elbtypes.PolicyDescription
}

func (f classicPages) DescribeLoadBalancers(_ context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	page, next := checktest.Page(f.pages, in.Marker)
	return &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: page, NextMarker: next}, nil
}

func (f classicPages) DescribeLoadBalancerPolicies(_ context.Context, in *elb.DescribeLoadBalancerPoliciesInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancerPoliciesOutput, error) {
	return &elb.DescribeLoadBalancerPoliciesOutput{PolicyDescriptions: f.policies[aws.ToString(in.LoadBalancerName)]}, nil
}

// v2Pages answers DescribeLoadBalancers and DescribeListeners (by load
// balancer ARN) from their pages.
type v2Pages struct {
	pages     [][]elbv2types.LoadBalancer
	listeners map[string][][]elbv2types.Listener
}

func (f v2Pages) DescribeLoadBalancers(_ context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	page, next := checktest.Page(f.pages, in.Marker)
	return &elbv2.DescribeLoadBalancersOutput{LoadBalancers: page, NextMarker: next}, nil
}

func (f v2Pages) DescribeListeners(_ context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	page, next := checktest.Page(f.listeners[aws.ToString(in.LoadBalancerArn)], in.Marker)
	return &elbv2.DescribeListenersOutput{Listeners: page, NextMarker: next}, nil
}

func TestCollectReadsEveryPage(t *testing.T) {
	t.Parallel()
	good := referencePolicy("good", policyList.currentClassic)
	weak := expandedPolicy("weak", "", append(slices.Clone(recommended), "RC4-SHA")...)
	classic := classicPages{
		pages: [][]elbtypes.LoadBalancerDescription{
			{{LoadBalancerName: aws.String("shop"), ListenerDescriptions: []elbtypes.ListenerDescription{listener("HTTPS", 443, "good")}}},
			{{LoadBalancerName: aws.String("legacy"), ListenerDescriptions: []elbtypes.ListenerDescription{listener("HTTPS", 443, "weak")}}},
		},
		policies: map[string][]elbtypes.PolicyDescription{"shop": {good}, "legacy": {weak}},
	}
	alb := func(name string) elbv2types.LoadBalancer {
		return elbv2types.LoadBalancer{LoadBalancerName: aws.String(name), LoadBalancerArn: aws.String("arn:" + name), Type: elbv2types.LoadBalancerTypeEnumApplication}
	}
	https := func(port int32, policy string) elbv2types.Listener {
		return elbv2types.Listener{Port: aws.Int32(port), Protocol: elbv2types.ProtocolEnumHttps, SslPolicy: aws.String(policy)}
	}
	v2 := v2Pages{
		pages: [][]elbv2types.LoadBalancer{{alb("api")}, {alb("old-api")}},
		listeners: map[string][][]elbv2types.Listener{
			"arn:api":     {{https(443, "ELBSecurityPolicy-TLS13-1-2-2021-06")}, {https(8443, "ELBSecurityPolicy-TLS-1-0-2015-04")}},
			"arn:old-api": {{https(443, "ELBSecurityPolicy-2016-08")}},
		},
	}
	in, err := collect(context.Background(), classic, v2)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	checktest.WantStatuses(t, "evaluate(collect over two pages)", evaluate(checktest.Target("eu-west-1"), in), map[string]check.Status{
		"shop":            check.Green,
		"legacy:443":      check.Red,    // second page of Classic load balancers
		"alb/api:8443":    check.Red,    // second page of the ALB's listeners
		"alb/old-api:443": check.Yellow, // second page of ALBs
	})
}
