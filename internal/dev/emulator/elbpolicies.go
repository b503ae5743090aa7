package emulator

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/aws/smithy-go/middleware"
)

// Attributes and names of Classic Load Balancer SSL negotiation policies.
const (
	sslNegotiationPolicyType = "SSLNegotiationPolicyType"
	referenceSecurityPolicy  = "Reference-Security-Policy"
	serverDefinedCipherOrder = "Server-Defined-Cipher-Order"
	// classicDefaultSSLPolicy is the predefined policy Elastic Load
	// Balancing associates with an HTTPS/SSL listener created without one
	// (ssl-config-update.html).
	classicDefaultSSLPolicy = "ELBSecurityPolicy-2016-08"
)

// The protocols and ciphers of the predefined Classic security policies,
// from "Predefined SSL security policies for Classic Load Balancers"
// (elb-security-policy-table.html): each policy adds to the one before.
var (
	tls12Only   = []string{"Protocol-TLSv1.2"}
	tls11AndUp  = []string{"Protocol-TLSv1.2", "Protocol-TLSv1.1"}
	tls10AndUp  = []string{"Protocol-TLSv1.2", "Protocol-TLSv1.1", "Protocol-TLSv1"}
	tls12Cipher = []string{
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384",
		"AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256",
	}
	sha1Cipher = []string{"ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA", "AES128-SHA", "AES256-SHA"}
	dheCipher  = []string{"DHE-RSA-AES128-SHA", "DHE-DSS-AES128-SHA"}
	des3Cipher = []string{"DES-CBC3-SHA"}
)

// classicSSLPolicies are the protocols and ciphers each predefined Classic
// security policy enables. They are the "classic" policies of
// internal/checks/elblistenersecurity/policies.json, and
// TestClassicSSLPoliciesAsAWS keeps the two equal.
var classicSSLPolicies = map[string][]string{
	"ELBSecurityPolicy-TLS-1-2-2017-01": slices.Concat(tls12Only, tls12Cipher),
	"ELBSecurityPolicy-TLS-1-1-2017-01": slices.Concat(tls11AndUp, tls12Cipher, sha1Cipher),
	"ELBSecurityPolicy-2016-08":         slices.Concat(tls10AndUp, tls12Cipher, sha1Cipher),
	"ELBSecurityPolicy-2015-05":         slices.Concat(tls10AndUp, tls12Cipher, sha1Cipher, des3Cipher),
	"ELBSecurityPolicy-2015-03":         slices.Concat(tls10AndUp, tls12Cipher, sha1Cipher, dheCipher, des3Cipher),
	"ELBSecurityPolicy-2015-02":         slices.Concat(tls10AndUp, tls12Cipher, sha1Cipher, dheCipher),
}

// classicSSLAttributes are every protocol and cipher attribute of the
// predefined policies, and SSLv3, which none enables: an expanded policy
// lists each, true or false.
var classicSSLAttributes = func() []string {
	all := []string{"Protocol-SSLv3"}
	for _, enabled := range classicSSLPolicies {
		all = append(all, enabled...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}()

// classicDefaultSSLPolicyOnCreate gives every HTTPS/SSL listener created
// without a policy the default security policy, as Elastic Load Balancing
// does.
//
// Gap: moto 5.2.1 creates HTTPS/SSL listeners with no policy at all, where
// AWS creates the policy ELBSecurityPolicy-2016-08 on the load balancer and
// lists it in the listener's PolicyNames. After a successful
// CreateLoadBalancer or CreateLoadBalancerListeners, the patch does the same
// through base (not recorded, not denied): CreateLoadBalancerPolicy with the
// reference to the predefined policy, then SetLoadBalancerPoliciesOfListener.
func classicDefaultSSLPolicyOnCreate(base aws.Config) func(*middleware.Stack) error {
	patchCfg := base.Copy()
	return afterSuccess("emulatorClassicDefaultSSLPolicy", func(ctx context.Context, params, _ any) error {
		var name *string
		var listeners []elbtypes.Listener
		switch params := params.(type) {
		case *elb.CreateLoadBalancerInput:
			name, listeners = params.LoadBalancerName, params.Listeners
		case *elb.CreateLoadBalancerListenersInput:
			name, listeners = params.LoadBalancerName, params.Listeners
		default:
			return nil
		}
		client := elb.NewFromConfig(patchCfg, func(o *elb.Options) { o.Region = awsmiddleware.GetRegion(ctx) })
		created := false
		for _, l := range listeners {
			if p := strings.ToUpper(aws.ToString(l.Protocol)); p != "HTTPS" && p != "SSL" {
				continue
			}
			if !created {
				if _, err := client.CreateLoadBalancerPolicy(ctx, &elb.CreateLoadBalancerPolicyInput{
					LoadBalancerName: name, PolicyName: aws.String(classicDefaultSSLPolicy), PolicyTypeName: aws.String(sslNegotiationPolicyType),
					PolicyAttributes: []elbtypes.PolicyAttribute{{AttributeName: aws.String(referenceSecurityPolicy), AttributeValue: aws.String(classicDefaultSSLPolicy)}},
				}); err != nil {
					return fmt.Errorf("emulator patch: CreateLoadBalancerPolicy %s: %w", aws.ToString(name), err)
				}
				created = true
			}
			if _, err := client.SetLoadBalancerPoliciesOfListener(ctx, &elb.SetLoadBalancerPoliciesOfListenerInput{
				LoadBalancerName: name, LoadBalancerPort: l.LoadBalancerPort, PolicyNames: []string{classicDefaultSSLPolicy},
			}); err != nil {
				return fmt.Errorf("emulator patch: SetLoadBalancerPoliciesOfListener %s:%d: %w", aws.ToString(name), l.LoadBalancerPort, err)
			}
		}
		return nil
	})
}

// classicSSLPolicyExpansion expands SSL negotiation policies that refer to a
// predefined policy.
//
// Gap: moto 5.2.1 stores a policy created with only Reference-Security-Policy
// as it was given, and DescribeLoadBalancerPolicies returns that one
// attribute. AWS returns the policy expanded: the reference, then every
// protocol and cipher attribute with "true" or "false" (the example of
// describe-load-balancer-policies in the AWS CLI reference). The patch
// answers the same for the predefined policies of classicSSLPolicies.
func classicSSLPolicyExpansion() func(*middleware.Stack) error {
	return afterSuccess("emulatorClassicSSLPolicyExpansion", func(_ context.Context, _, result any) error {
		if described, ok := result.(*elb.DescribeLoadBalancerPoliciesOutput); ok {
			for i := range described.PolicyDescriptions {
				expandSSLPolicy(&described.PolicyDescriptions[i])
			}
		}
		return nil
	})
}

// expandSSLPolicy replaces the attributes of p, when they are only a
// reference to a predefined policy this package knows, with the expanded
// list AWS returns.
func expandSSLPolicy(p *elbtypes.PolicyDescription) {
	if aws.ToString(p.PolicyTypeName) != sslNegotiationPolicyType {
		return
	}
	reference := ""
	for _, a := range p.PolicyAttributeDescriptions {
		switch aws.ToString(a.AttributeName) {
		case referenceSecurityPolicy:
			reference = aws.ToString(a.AttributeValue)
		case serverDefinedCipherOrder:
		default:
			return // already lists protocols or ciphers
		}
	}
	enabled, known := classicSSLPolicies[reference]
	if !known {
		return
	}
	attrs := []elbtypes.PolicyAttributeDescription{
		{AttributeName: aws.String(referenceSecurityPolicy), AttributeValue: aws.String(reference)},
		{AttributeName: aws.String(serverDefinedCipherOrder), AttributeValue: aws.String("true")},
	}
	for _, name := range classicSSLAttributes {
		attrs = append(attrs, elbtypes.PolicyAttributeDescription{AttributeName: aws.String(name), AttributeValue: aws.String(fmt.Sprint(slices.Contains(enabled, name)))})
	}
	p.PolicyAttributeDescriptions = attrs
}
