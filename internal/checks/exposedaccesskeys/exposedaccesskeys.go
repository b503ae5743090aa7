// Package exposedaccesskeys reports access keys that AWS has found exposed on
// the internet or suspects of being compromised. A leaked key lets anyone act
// as its owner until the key is deleted.
//
// Trusted Advisor reads AWS-internal fraud data. A customer account can read
// two of its traces, and this check uses both:
//   - the AWS-managed quarantine policies (AWSCompromisedKeyQuarantine, …V2,
//     …V3) that AWS attaches to an IAM user whose key it found exposed
//     (iam ListEntitiesForPolicy, then iam ListAccessKeys for the user);
//   - open AWS Health events of the RISK service about exposed or compromised
//     credentials (health DescribeEvents, DescribeEventDetails), asked of the
//     Health endpoint of the account's partition. The Health API needs a
//     Business, Enterprise On-Ramp or Enterprise support plan; without one
//     (SubscriptionRequiredException) that source cannot exist for the
//     account: it is one unavailable finding, never green, while the
//     quarantine-policy results stand. Any other Health failure is an error.
package exposedaccesskeys

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/health"
	healthtypes "github.com/aws/aws-sdk-go-v2/service/health/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/secadvisor/secadvisor/internal/awsregions"
	"github.com/secadvisor/secadvisor/internal/awsx"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/spec"
)

// Meta describes the check: its name, description, criteria,
// recommended action and columns are the specification's (spec.Meta).
var Meta = spec.Meta("12Fnkpl8Y5", check.Meta{
	Slug:       "exposed-access-keys",
	IAMActions: []string{"iam:ListEntitiesForPolicy", "iam:ListAccessKeys", "health:DescribeEvents", "health:DescribeEventDetails"},
	Scope:      check.Global,
	Data:       []check.Dataset{awsregions.Dataset()},
	BeyondSpec: "Trusted Advisor's own fraud data is not readable by customers; this check uses the two signals an account can read: " +
		"IAM users with an AWS-managed quarantine policy attached (AWSCompromisedKeyQuarantine, AWSCompromisedKeyQuarantineV2, " +
		"AWSCompromisedKeyQuarantineV3; red, one row per active key of the user) and open or upcoming AWS Health events " +
		"AWS_RISK_CREDENTIALS_EXPOSED, AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED, AWS_RISK_CREDENTIALS_COMPROMISED, " +
		"AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED and AWS_RISK_IAM_QUARANTINE (red, the key ID read from the event description). " +
		"Each source readable and clean gives one green finding; an unreadable source gives an error finding, except the Health API " +
		"without a Business, Enterprise On-Ramp or Enterprise support plan (SubscriptionRequiredException): one unavailable finding, " +
		"the quarantine-policy results standing. Health is asked in its partition's region (us-east-1; cn-northwest-1 in aws-cn; " +
		"us-gov-west-1 in aws-us-gov, per AWS's endpoint metadata). Case ID, Location, Deadline and Usage are not " +
		"available to customers and stay empty.",
	// Triggers: attaching or detaching a quarantine policy and creating,
	// deactivating or deleting a quarantined user's keys change the quarantine
	// rows; AWS Health events are not API calls, so they are read on the
	// schedule.
	Triggers: []check.Trigger{
		{Source: "iam.amazonaws.com", Names: []string{"AttachUserPolicy", "DetachUserPolicy", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"}},
	},
})

// Check is the catalog entry.
var Check = check.New(Meta, collectFrom, evaluate)

// QuarantinePolicies are the AWS-managed policies AWS attaches to an IAM user
// whose access key it found exposed.
var QuarantinePolicies = []string{"AWSCompromisedKeyQuarantine", "AWSCompromisedKeyQuarantineV2", "AWSCompromisedKeyQuarantineV3"}

// fraudTypeByEventCode maps the AWS Health RISK event types about access
// keys to the spec's fraud types.
var fraudTypeByEventCode = map[string]string{
	"AWS_RISK_CREDENTIALS_EXPOSED":              "Exposed",
	"AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED":   "Exposed (suspected)",
	"AWS_RISK_CREDENTIALS_COMPROMISED":          "Potentially compromised",
	"AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED": "Suspected",
	"AWS_RISK_IAM_QUARANTINE":                   "Exposed",
}

// EventTypeCodes are the AWS Health event types the check reads, sorted.
var EventTypeCodes = slices.Sorted(maps.Keys(fraudTypeByEventCode))

// Resource IDs of the per-source findings.
const (
	quarantineResource = "quarantine-policies"
	healthResource     = "health-events"
)

// healthService is AWS Health's key in AWS's endpoint metadata (internal/awsregions).
const healthService = "health"

// subscriptionRequired is the error code with which the AWS Health API
// answers an account whose support plan lacks it (Basic, Developer).
const subscriptionRequired = "SubscriptionRequiredException"

// Page sizes: the largest each API accepts.
const (
	iamPageSize       = 1000
	healthPageSize    = 100
	detailsBatchLimit = 10
)

// IAMAPI is the part of the IAM client the check calls.
type IAMAPI interface {
	iam.ListEntitiesForPolicyAPIClient
	iam.ListAccessKeysAPIClient
}

// HealthAPI is the part of the AWS Health client the check calls.
type HealthAPI interface {
	health.DescribeEventsAPIClient
	DescribeEventDetails(context.Context, *health.DescribeEventDetailsInput, ...func(*health.Options)) (*health.DescribeEventDetailsOutput, error)
}

var (
	_ IAMAPI    = (*iam.Client)(nil)
	_ HealthAPI = (*health.Client)(nil)
)

// collectFrom collects with clients for target: IAM, and AWS Health at its
// partition's endpoint. It never fails as a whole: each source's error is
// part of the Input.
func collectFrom(ctx context.Context, target check.Target) (Input, error) {
	partition := partitionOf(target.Config.Region)
	healthClient := health.NewFromConfig(target.Config, func(o *health.Options) { o.Region = healthRegion(partition, target.Config.Region) })
	return collect(ctx, iam.NewFromConfig(target.Config), healthClient, partition), nil
}

// partitionOf returns the partition of region, for the managed policies'
// ARNs and the Health endpoint. A configuration without a region, or with
// one no partition claims, is taken as the commercial partition "aws", where
// the SDK's own default would send it too.
func partitionOf(region string) string {
	if p, ok := awsregions.PartitionOf(region); ok {
		return p.ID
	}
	return "aws"
}

// healthRegion is the region whose AWS Health endpoint answers for the whole
// account: the partition-wide endpoint's (us-east-1 in aws, cn-northwest-1
// in aws-cn, us-gov-west-1 in aws-us-gov). A partition without one in the
// metadata (the isolated ones) is asked in the configured region itself: if
// Health has no endpoint there, the call fails and the source is an error.
func healthRegion(partition, region string) string {
	if global, ok := awsregions.GlobalRegion(healthService, partition); ok {
		return global
	}
	return region
}

// Input is what the check evaluates: each source's answer or its error.
type Input struct {
	Quarantined   []QuarantinedUser
	QuarantineErr error
	Events        []HealthEvent
	HealthErr     error
	// DetailsErr is set when the events were listed but their descriptions could not be read.
	DetailsErr error
}

// QuarantinedUser is an IAM user with a quarantine policy attached.
type QuarantinedUser struct {
	UserName string
	Policies []string
	Keys     []iamtypes.AccessKeyMetadata
	KeysErr  error
}

// HealthEvent is one RISK event and its latest description.
type HealthEvent struct {
	Event       healthtypes.Event
	Description string
}

// collect reads both sources; one failing does not stop the other.
func collect(ctx context.Context, iamAPI IAMAPI, healthAPI HealthAPI, partition string) Input {
	var in Input
	in.Quarantined, in.QuarantineErr = quarantinedUsers(ctx, iamAPI, partition)
	in.Events, in.HealthErr, in.DetailsErr = riskEvents(ctx, healthAPI)
	return in
}

// quarantinedUsers lists the users each quarantine policy is attached to,
// then each such user's access keys.
func quarantinedUsers(ctx context.Context, api IAMAPI, partition string) ([]QuarantinedUser, error) {
	byUser := map[string]*QuarantinedUser{}
	var order []string
	for _, name := range QuarantinePolicies {
		arn := fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, name)
		pages := iam.NewListEntitiesForPolicyPaginator(api, &iam.ListEntitiesForPolicyInput{
			PolicyArn: aws.String(arn), EntityFilter: iamtypes.EntityTypeUser, MaxItems: aws.Int32(iamPageSize),
		}, func(o *iam.ListEntitiesForPolicyPaginatorOptions) { o.StopOnDuplicateToken = true })
		err := awsx.EachPage(ctx, pages, func(page *iam.ListEntitiesForPolicyOutput) error {
			for _, u := range page.PolicyUsers {
				user := aws.ToString(u.UserName)
				if byUser[user] == nil {
					byUser[user] = &QuarantinedUser{UserName: user}
					order = append(order, user)
				}
				byUser[user].Policies = append(byUser[user].Policies, name)
			}
			return nil
		})
		if awsx.Is(err, awsx.KindNotFound) {
			// The policy does not exist in this partition: nobody can have it.
			continue
		}
		if err != nil {
			return nil, check.WrapOp("iam ListEntitiesForPolicy", err)
		}
	}
	users := make([]QuarantinedUser, 0, len(order))
	for _, name := range order {
		u := byUser[name]
		u.Keys, u.KeysErr = listKeys(ctx, api, name)
		users = append(users, *u)
	}
	return users, nil
}

func listKeys(ctx context.Context, api IAMAPI, user string) ([]iamtypes.AccessKeyMetadata, error) {
	pages := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{UserName: aws.String(user), MaxItems: aws.Int32(iamPageSize)},
		func(o *iam.ListAccessKeysPaginatorOptions) { o.StopOnDuplicateToken = true })
	keys, err := awsx.AllPages(ctx, pages, func(p *iam.ListAccessKeysOutput) []iamtypes.AccessKeyMetadata { return p.AccessKeyMetadata })
	return keys, check.WrapOp("iam ListAccessKeys", err)
}

// riskEvents lists the account's open and upcoming Health events about
// exposed or compromised credentials (closed events are ones AWS considers
// resolved), then reads their descriptions ten at a time.
func riskEvents(ctx context.Context, api HealthAPI) (events []HealthEvent, listErr, detailsErr error) {
	pages := health.NewDescribeEventsPaginator(api, &health.DescribeEventsInput{
		Filter: &healthtypes.EventFilter{
			EventTypeCodes:   EventTypeCodes,
			EventStatusCodes: []healthtypes.EventStatusCode{healthtypes.EventStatusCodeOpen, healthtypes.EventStatusCodeUpcoming},
		},
		MaxResults: aws.Int32(healthPageSize),
	}, func(o *health.DescribeEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	err := awsx.EachPage(ctx, pages, func(page *health.DescribeEventsOutput) error {
		for _, e := range page.Events {
			events = append(events, HealthEvent{Event: e})
		}
		return nil
	})
	if err != nil {
		return nil, check.WrapOp("health DescribeEvents", err), nil
	}
	index := make(map[string]int, len(events))
	arns := make([]string, 0, len(events))
	for i, e := range events {
		index[aws.ToString(e.Event.Arn)] = i
		arns = append(arns, aws.ToString(e.Event.Arn))
	}
	for batch := range slices.Chunk(arns, detailsBatchLimit) {
		out, err := api.DescribeEventDetails(ctx, &health.DescribeEventDetailsInput{EventArns: batch})
		if err != nil {
			return events, nil, check.WrapOp("health DescribeEventDetails", err)
		}
		for _, d := range out.SuccessfulSet {
			if d.Event == nil || d.EventDescription == nil {
				continue
			}
			if i, ok := index[aws.ToString(d.Event.Arn)]; ok {
				events[i].Description = aws.ToString(d.EventDescription.LatestDescription)
			}
		}
	}
	return events, nil, nil
}

// accessKeyIDPattern matches long-term (AKIA) and temporary (ASIA) access
// key IDs. Key IDs are not secret; secret keys are never read or stored.
var accessKeyIDPattern = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)

// evaluate reports every exposure signal as red, one row per access key
// where the key is known; each source that was read and found nothing gives
// one green finding, each that could not be read an error finding.
func evaluate(target check.Target, in Input) []check.Finding {
	rows := newRowSet()
	var findings []check.Finding

	switch {
	case in.QuarantineErr != nil:
		findings = append(findings, Meta.Unevaluated(target, quarantineResource, in.QuarantineErr.Error(), nil))
	case len(in.Quarantined) == 0:
		findings = append(findings, Meta.NewFinding(target, quarantineResource, check.Green,
			"No exposure signal found: no IAM user has an AWS compromised-key quarantine policy ("+strings.Join(QuarantinePolicies, ", ")+") attached.", nil))
	}
	userByKey := map[string]string{}
	for _, u := range in.Quarantined {
		because := fmt.Sprintf("AWS attached %s to IAM user %s, which it does when it finds one of the user's access keys exposed",
			strings.Join(u.Policies, " and "), u.UserName)
		if u.KeysErr != nil {
			findings = append(findings, Meta.Unevaluated(target, "user/"+u.UserName+"/access-keys", u.KeysErr.Error(), nil))
			rows.add("user/"+u.UserName, map[string]string{"User Name (IAM or Root)": u.UserName, "Fraud Type": "Exposed"},
				because+"; the user's keys could not be listed.")
			continue
		}
		activeKeys := 0
		for _, k := range u.Keys {
			id := aws.ToString(k.AccessKeyId)
			userByKey[id] = u.UserName
			if k.Status != iamtypes.StatusTypeActive {
				continue
			}
			activeKeys++
			rows.add(id, map[string]string{"Access Key ID": id, "User Name (IAM or Root)": u.UserName, "Fraud Type": "Exposed"},
				because+"; this key is active: delete it, then detach the quarantine policy.")
		}
		if activeKeys == 0 {
			rows.add("user/"+u.UserName, map[string]string{"User Name (IAM or Root)": u.UserName, "Fraud Type": "Exposed"},
				because+"; the user has no active key left: make sure the exposed key is deleted, not only deactivated, then detach the quarantine policy.")
		}
	}

	switch {
	case awsx.Code(in.HealthErr) == subscriptionRequired:
		findings = append(findings, Meta.UnavailableFinding(target, healthResource, notSubscribedReason(in)))
	case in.HealthErr != nil:
		findings = append(findings, Meta.Unevaluated(target, healthResource, in.HealthErr.Error(), nil))
	case in.DetailsErr != nil:
		findings = append(findings, Meta.Unevaluated(target, healthResource,
			"the events' descriptions (the affected keys): "+in.DetailsErr.Error(), nil))
	case len(in.Events) == 0:
		findings = append(findings, Meta.NewFinding(target, healthResource, check.Green,
			"No exposure signal found: no open AWS Health event about exposed or compromised credentials ("+strings.Join(EventTypeCodes, ", ")+").", nil))
	}
	for _, e := range in.Events {
		code := aws.ToString(e.Event.EventTypeCode)
		arn := aws.ToString(e.Event.Arn)
		base := map[string]string{"Fraud Type": fraudTypeByEventCode[code]}
		if t := aws.ToTime(e.Event.LastUpdatedTime); !t.IsZero() {
			base["Time Updated"] = t.UTC().Format(time.RFC3339)
		}
		because := fmt.Sprintf("AWS Health event %s (%s, %s)", code, e.Event.StatusCode, arn)
		keys := uniqueKeyIDs(e.Description)
		if len(keys) == 0 {
			rows.add(arn, base, because+"; the event names no access key ID: read its description in the AWS Health Dashboard.")
			continue
		}
		for _, id := range keys {
			columns := map[string]string{"Access Key ID": id}
			for k, v := range base {
				columns[k] = v
			}
			if user := userByKey[id]; user != "" {
				columns["User Name (IAM or Root)"] = user
			}
			rows.add(id, columns, because+" names this key.")
		}
	}
	for _, r := range rows.list() {
		findings = append(findings, Meta.NewFinding(target, r.id, check.Red, strings.Join(r.reasons, " "), r.columns))
	}
	return findings
}

// notSubscribedReason says why the Health source cannot exist for the
// account, and what the other source's result is.
func notSubscribedReason(in Input) string {
	other := "the quarantine-policy source was evaluated"
	if in.QuarantineErr != nil {
		other = "the quarantine-policy source could not be read either (see its error finding)"
	}
	return fmt.Sprintf("AWS Health API requires a Business, Enterprise On-Ramp or Enterprise support plan (%s); %s.", in.HealthErr.Error(), other)
}

func uniqueKeyIDs(description string) []string {
	ids := accessKeyIDPattern.FindAllString(description, -1)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// rowSet merges the signals about one key (both sources may name it) into
// one row, keeping the first non-empty value of each column.
type rowSet struct {
	byID  map[string]*row
	order []string
}

type row struct {
	id      string
	columns map[string]string
	reasons []string
}

func newRowSet() *rowSet { return &rowSet{byID: map[string]*row{}} }

func (s *rowSet) add(id string, columns map[string]string, reason string) {
	r := s.byID[id]
	if r == nil {
		r = &row{id: id, columns: map[string]string{}}
		s.byID[id] = r
		s.order = append(s.order, id)
	}
	for k, v := range columns {
		if r.columns[k] == "" && v != "" {
			r.columns[k] = v
		}
	}
	r.reasons = append(r.reasons, reason)
}

func (s *rowSet) list() []*row {
	out := make([]*row, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}
