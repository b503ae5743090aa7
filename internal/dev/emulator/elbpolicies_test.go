package emulator_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/dev/emulator/emutest"
)

// TestClassicSSLPoliciesAsAWS: an HTTPS listener created without a policy
// gets ELBSecurityPolicy-2016-08, listed on the listener and the load
// balancer; a policy that only refers to a predefined policy is described
// expanded, every protocol and cipher "true" or "false", enabling exactly
// what the check's policies.json says the predefined policy enables.
func TestClassicSSLPoliciesAsAWS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, account := emutest.Config(t)
	client := elb.NewFromConfig(awsx.InRegion(cfg, "eu-west-1"))
	var table struct {
		Classic struct {
			Default  string
			Policies []struct {
				Name               string
				Protocols, Ciphers []string
			}
		}
	}
	data, err := os.ReadFile("../../checks/elblistenersecurity/policies.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatalf("policies.json: %v", err)
	}
	cert := aws.String("arn:aws:iam::" + account + ":server-certificate/shop")
	if _, err := client.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("shop"), AvailabilityZones: []string{"eu-west-1a"},
		Listeners: []elbtypes.Listener{
			{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(8080)},
			{Protocol: aws.String("HTTPS"), LoadBalancerPort: 443, InstancePort: aws.Int32(8080), SSLCertificateId: cert},
		}}); err != nil {
		t.Fatalf("CreateLoadBalancer: %v", err)
	}
	if _, err := client.CreateLoadBalancerListeners(ctx, &elb.CreateLoadBalancerListenersInput{LoadBalancerName: aws.String("shop"),
		Listeners: []elbtypes.Listener{{Protocol: aws.String("SSL"), LoadBalancerPort: 8443, InstancePort: aws.Int32(8443), SSLCertificateId: cert}}}); err != nil {
		t.Fatalf("CreateLoadBalancerListeners: %v", err)
	}
	want := map[string][]string{}
	for _, p := range table.Classic.Policies {
		want[p.Name] = slices.Sorted(slices.Values(slices.Concat(p.Protocols, p.Ciphers)))
		if p.Name == table.Classic.Default {
			continue // created with the load balancer
		}
		if _, err := client.CreateLoadBalancerPolicy(ctx, &elb.CreateLoadBalancerPolicyInput{LoadBalancerName: aws.String("shop"), PolicyName: aws.String(p.Name), PolicyTypeName: aws.String("SSLNegotiationPolicyType"),
			PolicyAttributes: []elbtypes.PolicyAttribute{{AttributeName: aws.String("Reference-Security-Policy"), AttributeValue: aws.String(p.Name)}}}); err != nil {
			t.Fatalf("CreateLoadBalancerPolicy %s: %v", p.Name, err)
		}
	}

	lbs, err := client.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerNames: []string{"shop"}})
	if err != nil || len(lbs.LoadBalancerDescriptions) != 1 {
		t.Fatalf("DescribeLoadBalancers = %+v, %v", lbs, err)
	}
	for _, l := range lbs.LoadBalancerDescriptions[0].ListenerDescriptions {
		wantNames := []string{table.Classic.Default}
		if aws.ToString(l.Listener.Protocol) == "HTTP" {
			wantNames = nil
		}
		if !slices.Equal(l.PolicyNames, wantNames) {
			t.Errorf("listener %d policies = %q, want %q", l.Listener.LoadBalancerPort, l.PolicyNames, wantNames)
		}
	}
	policies, err := client.DescribeLoadBalancerPolicies(ctx, &elb.DescribeLoadBalancerPoliciesInput{LoadBalancerName: aws.String("shop")})
	if err != nil {
		t.Fatalf("DescribeLoadBalancerPolicies: %v", err)
	}
	got := map[string][]string{}
	for _, p := range policies.PolicyDescriptions {
		var enabled []string
		attrs := map[string]string{}
		for _, a := range p.PolicyAttributeDescriptions {
			attrs[aws.ToString(a.AttributeName)] = aws.ToString(a.AttributeValue)
			if aws.ToString(a.AttributeValue) == "true" && aws.ToString(a.AttributeName) != "Server-Defined-Cipher-Order" {
				enabled = append(enabled, aws.ToString(a.AttributeName))
			}
		}
		if attrs["Reference-Security-Policy"] != aws.ToString(p.PolicyName) || attrs["Protocol-SSLv3"] != "false" {
			t.Errorf("policy %s attributes = %v, want the reference and every protocol, true or false", aws.ToString(p.PolicyName), attrs)
		}
		slices.Sort(enabled)
		got[aws.ToString(p.PolicyName)] = enabled
	}
	if len(got) != len(want) {
		t.Errorf("policies = %v, want %d", got, len(want))
	}
	for name, w := range want {
		if !slices.Equal(got[name], w) {
			t.Errorf("policy %s enables %q, want %q (policies.json)", name, got[name], w)
		}
	}
}
