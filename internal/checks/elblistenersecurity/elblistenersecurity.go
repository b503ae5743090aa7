// Package elblistenersecurity finds load balancers whose listeners do not
// encrypt traffic, or encrypt it with outdated policies, ciphers or protocols.
// Weak or missing encryption lets traffic be read or tampered with in transit.
package elblistenersecurity

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// beyondSpec starts the reason of every finding about an Application or
// Network Load Balancer: the specification covers Classic Load Balancers.
const beyondSpec = "Beyond the Trusted Advisor spec: "

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("a2sEc6ILx", check.Meta{
	Slug: "elb-listener-security",
	// elasticloadbalancing:DescribeLoadBalancers covers both the Classic
	// and the ELBv2 DescribeLoadBalancers; DescribeListeners is ELBv2's.
	IAMActions: []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerPolicies", "elasticloadbalancing:DescribeListeners"},
	Scope:      check.Regional,
	BeyondSpec: "Also evaluates the SslPolicy of Application and Network Load Balancer HTTPS/TLS listeners against the predefined policies in policies.json: enabling TLS 1.0/1.1 is yellow (and the 2015-2019 policies that do are also outdated), enabling 3DES is red; TLS 1.2-only and TLS 1.3 policies are green. " +
		"A policy name missing from policies.json (Classic reference or ELBv2 SslPolicy) is an error naming the list's asOf date, never a guess.",
	Data: []check.Dataset{policyDataset()},
	// Triggers: creating or deleting a load balancer or a listener and
	// changing a listener's protocol or security policy decide the result
	// (Classic and ELBv2 calls share the event source
	// elasticloadbalancing.amazonaws.com).
	Triggers: []check.Trigger{
		{Source: "elasticloadbalancing.amazonaws.com", Names: []string{
			"CreateLoadBalancer", "DeleteLoadBalancer", "CreateLoadBalancerListeners", "DeleteLoadBalancerListeners",
			"SetLoadBalancerPoliciesOfListener", "CreateListener", "ModifyListener", "DeleteListener",
		}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// ClassicAPI is the part of the Classic Load Balancing client the check calls.
type ClassicAPI interface {
	elb.DescribeLoadBalancersAPIClient
	DescribeLoadBalancerPolicies(context.Context, *elb.DescribeLoadBalancerPoliciesInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancerPoliciesOutput, error)
}

// V2API is the part of the ELBv2 client the check calls.
type V2API interface {
	elbv2.DescribeLoadBalancersAPIClient
	elbv2.DescribeListenersAPIClient
}

var (
	_ ClassicAPI = (*elb.Client)(nil)
	_ V2API      = (*elbv2.Client)(nil)
)

const (
	// classicPageSize and v2PageSize are the largest pages the APIs accept.
	classicPageSize = 400
	v2PageSize      = 400
	// sslNegotiationPolicyType is the type of a listener's security policy.
	sslNegotiationPolicyType = "SSLNegotiationPolicyType"
)

// collectFrom builds the clients for target and collects. A policy table
// that does not parse makes every job an error: nothing could be judged.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	if policyListErr != nil {
		return Input{}, policyListErr
	}
	return collect(ctx, elb.NewFromConfig(target.Config), elbv2.NewFromConfig(target.Config))
}

// ClassicLoadBalancer is one Classic Load Balancer with its listeners and
// the policies defined on it.
type ClassicLoadBalancer struct {
	Name      string
	Listeners []elbtypes.ListenerDescription
	Policies  []elbtypes.PolicyDescription
	// PoliciesErr is set when DescribeLoadBalancerPolicies failed.
	PoliciesErr error
}

// V2LoadBalancer is one Application or Network Load Balancer with its listeners.
type V2LoadBalancer struct {
	Name string
	Type elbv2types.LoadBalancerTypeEnum
	// Listeners holds the listeners; ListenersErr is set when they could not be listed.
	Listeners    []elbv2types.Listener
	ListenersErr error
}

// Input is what the check evaluates: the region's load balancers.
type Input struct {
	Classic []ClassicLoadBalancer
	V2      []V2LoadBalancer
}

// collect lists the Classic Load Balancers (their listeners come with
// them) and reads the policies of each one with an HTTPS or SSL listener in
// one DescribeLoadBalancerPolicies call, which returns every policy of the
// load balancer with its attributes. It then lists the Application and Network Load Balancers and
// their listeners: DescribeListeners takes one load balancer at a time.
// Gateway Load Balancers have no TLS listeners and are not asked.
func collect(ctx context.Context, classic ClassicAPI, v2 V2API) (Input, error) {
	var in Input
	pages := elb.NewDescribeLoadBalancersPaginator(classic, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(classicPageSize)},
		func(o *elb.DescribeLoadBalancersPaginatorOptions) { o.StopOnDuplicateToken = true })
	err := awsx.EachPage(ctx, pages, func(page *elb.DescribeLoadBalancersOutput) error {
		for _, d := range page.LoadBalancerDescriptions {
			lb := ClassicLoadBalancer{Name: aws.ToString(d.LoadBalancerName), Listeners: d.ListenerDescriptions}
			if !slices.ContainsFunc(d.ListenerDescriptions, func(l elbtypes.ListenerDescription) bool {
				return l.Listener != nil && secureClassicProtocol(aws.ToString(l.Listener.Protocol))
			}) {
				// Without an HTTPS or SSL listener there is no security policy to judge.
				in.Classic = append(in.Classic, lb)
				continue
			}
			out, err := classic.DescribeLoadBalancerPolicies(ctx, &elb.DescribeLoadBalancerPoliciesInput{LoadBalancerName: d.LoadBalancerName})
			switch {
			case awsx.Is(err, awsx.KindNotFound):
				continue // deleted since it was listed
			case err != nil:
				lb.PoliciesErr = err
			default:
				lb.Policies = out.PolicyDescriptions
			}
			in.Classic = append(in.Classic, lb)
		}
		return nil
	})
	if err != nil {
		return Input{}, check.WrapOp("elasticloadbalancing DescribeLoadBalancers", err)
	}

	v2Pages := elbv2.NewDescribeLoadBalancersPaginator(v2, &elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(v2PageSize)},
		func(o *elbv2.DescribeLoadBalancersPaginatorOptions) { o.StopOnDuplicateToken = true })
	err = awsx.EachPage(ctx, v2Pages, func(page *elbv2.DescribeLoadBalancersOutput) error {
		for _, d := range page.LoadBalancers {
			if d.Type != elbv2types.LoadBalancerTypeEnumApplication && d.Type != elbv2types.LoadBalancerTypeEnumNetwork {
				continue
			}
			lb := V2LoadBalancer{Name: aws.ToString(d.LoadBalancerName), Type: d.Type}
			listeners := elbv2.NewDescribeListenersPaginator(v2, &elbv2.DescribeListenersInput{LoadBalancerArn: d.LoadBalancerArn, PageSize: aws.Int32(v2PageSize)},
				func(o *elbv2.DescribeListenersPaginatorOptions) { o.StopOnDuplicateToken = true })
			// On an error the listeners read so far are dropped: evaluate
			// reports only the error.
			lb.Listeners, lb.ListenersErr = awsx.AllPages(ctx, listeners, func(p *elbv2.DescribeListenersOutput) []elbv2types.Listener { return p.Listeners })
			if awsx.Is(lb.ListenersErr, awsx.KindNotFound) {
				continue // deleted since it was listed
			}
			in.V2 = append(in.V2, lb)
		}
		return nil
	})
	if err != nil {
		return Input{}, check.WrapOp("elasticloadbalancingv2 DescribeLoadBalancers", err)
	}
	return in, nil
}

// evaluate reports, for each load balancer, one row per flagged listener
// (port), one yellow row when a Classic Load Balancer has no HTTPS or SSL
// listener, or one green row when nothing is flagged.
func evaluate(target check.Target, in Input) []check.Finding {
	var findings []check.Finding
	for _, lb := range in.Classic {
		findings = append(findings, evaluateClassic(target, lb)...)
	}
	for _, lb := range in.V2 {
		findings = append(findings, evaluateV2(target, lb)...)
	}
	return findings
}

// finding builds a row; the Reason column repeats the finding's reason.
func finding(target check.Target, resourceID, name, port string, status check.Status, reason string) check.Finding {
	return Meta.NewFinding(target, resourceID, status, reason, map[string]string{
		"Load Balancer Name": name,
		"Load Balancer Port": port,
		"Reason":             reason,
	})
}

func errorFinding(target check.Target, resourceID, name, op string, err error) check.Finding {
	f := Meta.ErrorFinding(target, resourceID, op, err)
	f.Columns = map[string]string{"Load Balancer Name": name, "Reason": f.Reason}
	return f
}

func secureClassicProtocol(protocol string) bool {
	p := strings.ToUpper(protocol)
	return p == "HTTPS" || p == "SSL"
}

func evaluateClassic(target check.Target, lb ClassicLoadBalancer) []check.Finding {
	var securePorts, plainPorts []string
	var secure []elbtypes.ListenerDescription
	for _, l := range lb.Listeners {
		if l.Listener == nil {
			continue
		}
		port := strconv.Itoa(int(l.Listener.LoadBalancerPort))
		if secureClassicProtocol(aws.ToString(l.Listener.Protocol)) {
			securePorts = append(securePorts, port)
			secure = append(secure, l)
		} else {
			plainPorts = append(plainPorts, port)
		}
	}
	if len(secure) == 0 {
		return []check.Finding{finding(target, lb.Name, lb.Name, strings.Join(plainPorts, ", "), check.Yellow,
			"The load balancer has no listener that uses a secure protocol (HTTPS or SSL): traffic from clients is not encrypted.")}
	}
	if lb.PoliciesErr != nil {
		return []check.Finding{errorFinding(target, lb.Name, lb.Name, "elasticloadbalancing DescribeLoadBalancerPolicies", lb.PoliciesErr)}
	}
	policies := make(map[string]elbtypes.PolicyDescription, len(lb.Policies))
	for _, p := range lb.Policies {
		policies[aws.ToString(p.PolicyName)] = p
	}
	var findings []check.Finding
	for _, l := range secure {
		port := strconv.Itoa(int(l.Listener.LoadBalancerPort))
		status, reason := judgeClassicListener(l.PolicyNames, policies)
		if status != check.Green {
			findings = append(findings, finding(target, lb.Name+":"+port, lb.Name, port, status, reason))
		}
	}
	if len(findings) == 0 {
		findings = append(findings, finding(target, lb.Name, lb.Name, strings.Join(securePorts, ", "), check.Green,
			"Every HTTPS/SSL listener uses the current predefined policy or only recommended protocols and ciphers."))
	}
	return findings
}

// judgeClassicListener finds a listener's SSL negotiation policy among the
// load balancer's policies and judges it. AWS lists a policy on every
// HTTPS/SSL listener (ELBSecurityPolicy-2016-08 when it was created without
// one), described among the load balancer's policies: a listener that lists
// none, or names one that is not described, cannot be judged.
func judgeClassicListener(policyNames []string, policies map[string]elbtypes.PolicyDescription) (check.Status, string) {
	for _, name := range policyNames {
		p, described := policies[name]
		if !described {
			return check.Error, check.CouldNotEvaluate(fmt.Sprintf("the listener's policy %q is not among the load balancer's policies", name))
		}
		if aws.ToString(p.PolicyTypeName) == sslNegotiationPolicyType {
			return judgeClassicPolicy(name, p.PolicyAttributeDescriptions)
		}
	}
	return check.Error, check.CouldNotEvaluate("no SSL negotiation policy is listed for the HTTPS/SSL listener")
}

// judgeClassicPolicy judges one SSL negotiation policy by the protocols and
// ciphers it enables and the predefined policy it is or refers to.
// DescribeLoadBalancerPolicies lists every protocol and cipher attribute,
// "true" or "false", even for a policy created as a reference to a
// predefined one: a policy that lists none cannot be judged.
func judgeClassicPolicy(name string, attributes []elbtypes.PolicyAttributeDescription) (check.Status, string) {
	reference := ""
	if policyList.isPredefinedClassic(name) {
		reference = name
	}
	var enabled []string
	expanded := false
	for _, a := range attributes {
		attr, value := aws.ToString(a.AttributeName), aws.ToString(a.AttributeValue)
		switch attr {
		case referenceAttribute:
			reference = value
		case serverOrderAttribute:
		default:
			expanded = true
			if strings.EqualFold(value, "true") {
				enabled = append(enabled, attr)
			}
		}
	}
	if reference != "" && !policyList.isPredefinedClassic(reference) {
		return check.Error, check.CouldNotEvaluate(fmt.Sprintf("the listener's policy %s is based on the predefined policy %s, which is not in the policy list as of %s.",
			name, reference, policyList.asOf.Format(time.DateOnly)))
	}
	if !expanded {
		return check.Error, check.CouldNotEvaluate(fmt.Sprintf("the listener's policy %s lists no protocol or cipher.", name))
	}

	var insecure, notRecommended []string
	for _, e := range enabled {
		switch {
		case strings.HasPrefix(e, "Protocol-"):
			if insecureProtocols[e] {
				insecure = append(insecure, e)
			} else if !recommendedProtocols[e] {
				notRecommended = append(notRecommended, e)
			}
		case insecureCipher(e):
			insecure = append(insecure, e)
		case !policyList.recommendedCiphers[e]:
			notRecommended = append(notRecommended, e)
		}
	}
	sort.Strings(insecure)
	sort.Strings(notRecommended)

	var problems []string
	status := check.Green
	if len(insecure) > 0 {
		status = check.Red
		problems = append(problems, "enables insecure protocols or ciphers: "+strings.Join(insecure, ", "))
	}
	if current := policyList.currentClassic; reference != "" && reference != current {
		status = worse(status, check.Yellow)
		if reference == name {
			problems = append(problems, fmt.Sprintf("is outdated (current: %s)", current))
		} else {
			problems = append(problems, fmt.Sprintf("is based on the outdated predefined policy %s (current: %s)", reference, current))
		}
	}
	if len(notRecommended) > 0 {
		status = worse(status, check.Yellow)
		problems = append(problems, "enables protocols or ciphers that are not recommended: "+strings.Join(notRecommended, ", "))
	}
	if status == check.Green {
		return status, fmt.Sprintf("The listener's policy %s enables only recommended protocols and ciphers.", name)
	}
	return status, fmt.Sprintf("The listener's policy %s %s.", name, strings.Join(problems, "; "))
}

func worse(a, b check.Status) check.Status {
	if b.Severity() > a.Severity() {
		return b
	}
	return a
}

func evaluateV2(target check.Target, lb V2LoadBalancer) []check.Finding {
	kind := "alb"
	if lb.Type == elbv2types.LoadBalancerTypeEnumNetwork {
		kind = "nlb"
	}
	resource := kind + "/" + lb.Name
	if lb.ListenersErr != nil {
		return []check.Finding{errorFinding(target, resource, lb.Name, "elasticloadbalancingv2 DescribeListeners", lb.ListenersErr)}
	}
	var findings []check.Finding
	var tlsPorts []string
	for _, l := range lb.Listeners {
		policy := aws.ToString(l.SslPolicy)
		if (l.Protocol != elbv2types.ProtocolEnumHttps && l.Protocol != elbv2types.ProtocolEnumTls) || policy == "" {
			// HTTP, TCP or UDP: no policy to judge.
			continue
		}
		port := strconv.Itoa(int(aws.ToInt32(l.Port)))
		tlsPorts = append(tlsPorts, port)
		status, reason := judgeV2Policy(policy)
		if status != check.Green {
			findings = append(findings, finding(target, resource+":"+port, lb.Name, port, status, beyondSpec+reason))
		}
	}
	if len(findings) == 0 && len(tlsPorts) > 0 {
		findings = append(findings, finding(target, resource, lb.Name, strings.Join(tlsPorts, ", "), check.Green,
			beyondSpec+"every HTTPS/TLS listener uses a predefined security policy that accepts no protocol older than TLS 1.2 and no insecure cipher."))
	}
	return findings
}

// judgeV2Policy judges a predefined ELBv2 policy by its entry in
// policies.json: red when it enables an insecure cipher, yellow when it is
// outdated or accepts TLS 1.0/1.1, green otherwise; an error when the name is
// not in the list, so that a policy AWS released since is never guessed at.
func judgeV2Policy(name string) (check.Status, string) {
	p, ok := policyList.v2[name]
	if !ok {
		return check.Error, check.CouldNotEvaluate(fmt.Sprintf("the listener's security policy %s is not in the policy list as of %s (recommended: %s).",
			name, policyList.asOf.Format(time.DateOnly), strings.Join(policyList.recommendedV2, " or ")))
	}
	status := check.Green
	var problems []string
	if len(p.InsecureCiphers) > 0 {
		status = check.Red
		problems = append(problems, "enables the insecure cipher "+strings.Join(p.InsecureCiphers, ", "))
	}
	if p.Outdated {
		status = worse(status, check.Yellow)
		problems = append(problems, fmt.Sprintf("is an outdated predefined policy (recommended: %s)", strings.Join(policyList.recommendedV2, " or ")))
	}
	var old []string
	for _, proto := range p.protocols() {
		if proto == tls10 || proto == tls11 {
			old = append(old, proto)
		}
	}
	if len(old) > 0 {
		status = worse(status, check.Yellow)
		problems = append(problems, "enables protocols that are not recommended: "+strings.Join(old, ", "))
	}
	if status == check.Green {
		return status, ""
	}
	return status, fmt.Sprintf("the listener's security policy %s %s.", name, strings.Join(problems, "; "))
}
