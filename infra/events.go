package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// maxEventPatternLength is EventBridge's default quota on an event
// pattern, in characters ("Event pattern size: 2,048", adjustable; see
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
// A source whose event names do not fit one pattern gets several rules.
const maxEventPatternLength = 2048

// eventSourcePattern is a CloudTrail event source of an AWS service,
// <endpoint prefix>.amazonaws.com. Its events reach EventBridge with the
// source aws.<endpoint prefix>, as the EventBridge event reference lists
// for every service (ec2.amazonaws.com → aws.ec2,
// elasticloadbalancing.amazonaws.com → aws.elasticloadbalancing,
// monitoring.amazonaws.com → aws.monitoring).
var eventSourcePattern = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*)\.amazonaws\.com$`)

// eventNamePattern is the shape of a CloudTrail event name: the API
// operation, sometimes with its API version (Lambda's CreateFunction20150331).
var eventNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// eventRule is one EventBridge rule matching the successful CloudTrail
// management events of one event source that can change a check's result.
type eventRule struct {
	// EventSource is CloudTrail's eventSource, "ec2.amazonaws.com".
	EventSource string
	// Source is the event's source on EventBridge, "aws.ec2".
	Source string
	// Names are the event names, sorted, without duplicates.
	Names []string
	// Part numbers the rules of a source whose names need more than one
	// pattern (1, 2, …); 0 when one rule holds them all.
	Part int
}

// eventRules derives the rules from the implemented checks' Triggers: one
// rule per event source with the union of the names every check declares
// for it, split where a pattern would pass maxEventPatternLength. Sorted
// by event source.
func eventRules(checks []check.Check) ([]eventRule, error) {
	names := map[string][]string{}
	var errs []string
	for _, c := range checks {
		if !c.Implemented() {
			continue
		}
		for _, t := range c.Meta.Triggers {
			if !eventSourcePattern.MatchString(t.Source) {
				errs = append(errs, fmt.Sprintf("check %s: trigger source %q is not an AWS event source such as ec2.amazonaws.com", c.Meta.ID, t.Source))
				continue
			}
			if len(t.Names) == 0 {
				errs = append(errs, fmt.Sprintf("check %s: trigger %s names no event", c.Meta.ID, t.Source))
			}
			for _, n := range t.Names {
				if !eventNamePattern.MatchString(n) {
					errs = append(errs, fmt.Sprintf("check %s: trigger %s: %q is not a CloudTrail event name", c.Meta.ID, t.Source, n))
					continue
				}
				if !slices.Contains(names[t.Source], n) {
					names[t.Source] = append(names[t.Source], n)
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("check triggers: %s", strings.Join(errs, "; "))
	}

	var rules []eventRule
	for _, src := range slices.Sorted(maps.Keys(names)) {
		all := slices.Sorted(slices.Values(names[src]))
		base := eventRule{EventSource: src, Source: "aws." + eventSourcePattern.FindStringSubmatch(src)[1]}
		var parts []eventRule
		cur := base
		for _, n := range all {
			next := cur
			next.Names = append(slices.Clone(cur.Names), n)
			if len(cur.Names) > 0 && next.patternLength() > maxEventPatternLength {
				parts = append(parts, cur)
				next = base
				next.Names = []string{n}
			}
			if next.patternLength() > maxEventPatternLength {
				return nil, fmt.Errorf("check triggers: event %s %s alone makes a pattern longer than %d characters", src, n, maxEventPatternLength)
			}
			cur = next
		}
		parts = append(parts, cur)
		if len(parts) > 1 {
			for i := range parts {
				parts[i].Part = i + 1
			}
		}
		rules = append(rules, parts...)
	}
	return rules, nil
}

// anyStrings returns ss as the []any a pattern holds.
func anyStrings(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// detail is the pattern's detail: the event source, the event names, and
// no errorCode — only successful calls change anything (a denied
// AuthorizeSecurityGroupIngress opens nothing).
func (r eventRule) detail() map[string]any {
	return map[string]any{
		"eventSource": anyStrings(r.EventSource),
		"eventName":   anyStrings(r.Names...),
		"errorCode":   []any{map[string]any{"exists": false}},
	}
}

// pattern is the rule's event pattern, as the template holds it.
func (r eventRule) pattern() map[string]any {
	return map[string]any{
		"source":      anyStrings(r.Source),
		"detail-type": anyStrings(pipeline.CloudTrailDetailType),
		"detail":      r.detail(),
	}
}

// patternLength is the length of the pattern as compact JSON, what
// EventBridge's quota counts.
func (r eventRule) patternLength() int {
	b, _ := json.Marshal(r.pattern()) // maps, slices and strings always marshal
	return len(b)
}

// constructID names the rule after its service: aws.ec2 → Ec2, the second
// part of elasticloadbalancing's → Elasticloadbalancing2.
func (r eventRule) constructID() string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(r.Source, "aws."), "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	if r.Part > 0 {
		b.WriteString(strconv.Itoa(r.Part))
	}
	return b.String()
}

// description is the rule's description (EventBridge allows 512 characters).
func (r eventRule) description(what string) string {
	return fmt.Sprintf("secadvisor: %s the successful CloudTrail events of %s that can change a check's result (%d event names)",
		what, r.EventSource, len(r.Names))
}

// recheckRules adds, in scope, one rule per eventRule on the default bus,
// each targeting target().
func recheckRules(scope constructs.Construct, rules []eventRule, target func() awsevents.IRuleTarget) {
	for _, r := range rules {
		detail := r.detail()
		awsevents.NewRule(scope, jsii.String("ReCheck"+r.constructID()), &awsevents.RuleProps{
			Description: jsii.String(r.description("re-check on")),
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings(r.Source),
				DetailType: jsii.Strings(pipeline.CloudTrailDetailType),
				Detail:     &detail,
			},
			Targets: &[]awsevents.IRuleTarget{target()},
		})
	}
}

// forwarderStatementID is the statement of the scanner's default event bus
// policy that admits the forwarders.
const forwarderStatementID = "secadvisor-forwarders"

// defaultBusARN is the default event bus of account in region.
func defaultBusARN(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:event-bus/default", partition, region, account)
}

// forwarderBusPolicy lets the forwarders of the scanned accounts put
// events on the scanner's default bus: any principal of the organization
// (aws:PrincipalOrgID) when the scanner scans the organization, else the
// listed accounts. It is one statement of the bus's policy: statements
// others added stay. The scanner's own rules match forwarded events like
// its own (they name no account), and the orchestrator drops an event of
// an account it does not scan.
func forwarderBusPolicy(stack awscdk.Stack, cfg Config) awsevents.CfnEventBusPolicy {
	statement := map[string]any{
		"Sid":      forwarderStatementID,
		"Effect":   "Allow",
		"Action":   "events:PutEvents",
		"Resource": defaultBusARN(*stack.Partition(), *stack.Region(), *stack.Account()),
	}
	if cfg.ScansOrganization() {
		statement["Principal"] = "*"
		statement["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": cfg.OrganizationID}}
	} else {
		statement["Principal"] = map[string]any{"AWS": anyStrings(strings.Split(cfg.Accounts, ",")...)}
	}
	return awsevents.NewCfnEventBusPolicy(stack, jsii.String("ForwardedEvents"), &awsevents.CfnEventBusPolicyProps{
		EventBusName: jsii.String("default"),
		StatementId:  jsii.String(forwarderStatementID),
		Statement:    statement,
	})
}

// EventsStack is the forwarder deployed to every scanned account in every
// region (a service-managed StackSet does it): the scanner stack's rules,
// with the scanner account's default bus in the scanner's region as their
// target, and the role EventBridge sends with.
type EventsStack struct {
	awscdk.Stack
	Role  awsiam.Role
	Rules []awsevents.CfnRule
}

// NewEventsStack builds the forwarder stack from cfg, which must name the
// scanner account and region.
//
// Like the member stack it needs no CDK bootstrap: no asset, no
// bootstrap-version check. CloudTrail delivers an event to the default bus
// of its own account and region, so the template goes to every region;
// where it lands in the scanner's own account and region its rules are not
// created (the scanner stack's rules see those events directly, and a rule
// must not send to its own bus).
func NewEventsStack(scope constructs.Construct, id string, props *awscdk.StackProps, cfg Config) (*EventsStack, error) {
	if cfg.ScannerAccount == "" || cfg.ScannerRegion == "" {
		return nil, fmt.Errorf("stack %s: contexts %s and %s must both be set: the account and region of the scanner stack (-c %s=111122223333 -c %s=eu-west-1)",
			id, ctxScannerAccount, ctxScannerRegion, ctxScannerAccount, ctxScannerRegion)
	}
	rules, err := eventRules(cfg.Checks)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	p := *props
	p.Synthesizer = awscdk.NewBootstraplessSynthesizer(nil)
	stack := awscdk.NewStack(scope, jsii.String(id), &p)

	bus := defaultBusARN(*stack.Partition(), cfg.ScannerRegion, cfg.ScannerAccount)
	// No role name: the stack is in every region, and IAM names are global.
	role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String(fmt.Sprintf("secadvisor forwarder: EventBridge sends CloudTrail events to the scanner's default bus in account %s, %s",
			cfg.ScannerAccount, cfg.ScannerRegion)),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"PutEventsOnTheScannerBus": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("PutEventsOnTheScannerBus"),
					Actions:   jsii.Strings("events:PutEvents"),
					Resources: jsii.Strings(bus),
				})},
			}),
		},
	})

	elsewhere := awscdk.NewCfnCondition(stack, jsii.String("NotTheScannerBus"), &awscdk.CfnConditionProps{
		Expression: awscdk.Fn_ConditionNot(awscdk.Fn_ConditionAnd(
			awscdk.Fn_ConditionEquals(stack.Account(), jsii.String(cfg.ScannerAccount)),
			awscdk.Fn_ConditionEquals(stack.Region(), jsii.String(cfg.ScannerRegion)),
		)),
	})
	s := &EventsStack{Stack: stack, Role: role}
	for _, r := range rules {
		rule := awsevents.NewCfnRule(stack, jsii.String("Forward"+r.constructID()), &awsevents.CfnRuleProps{
			Description:  jsii.String(r.description("forward to the scanner")),
			EventPattern: r.pattern(),
			State:        jsii.String("ENABLED"),
			Targets: &[]any{&awsevents.CfnRule_TargetProperty{
				Id:      jsii.String("ScannerBus"),
				Arn:     jsii.String(bus),
				RoleArn: role.RoleArn(),
			}},
		})
		rule.CfnOptions().SetCondition(elsewhere)
		s.Rules = append(s.Rules, rule)
	}
	return s, nil
}
