package main

import (
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/secadvisor/secadvisor/internal/check"
	"github.com/secadvisor/secadvisor/internal/checks"
	"github.com/secadvisor/secadvisor/internal/org"
	"github.com/secadvisor/secadvisor/internal/pipeline"
)

// Context keys the app reads (`cdk deploy -c key=value`, or cdk.json's "context").
const (
	ctxAlertEmail         = "alertEmail"
	ctxOpsEmail           = "opsEmail"
	ctxSchedule           = "schedule"
	ctxRegions            = "regions"
	ctxTableRemovalPolicy = "tableRemovalPolicy"
	ctxNotifyResolved     = "notifyResolved"
	ctxLogRetentionDays   = "logRetentionDays"
	ctxCheckConcurrency   = "checkConcurrency"
	ctxLambdaAssets       = "lambdaAssets"
	ctxAccounts           = "accounts"
	ctxMemberRoleName     = "memberRoleName"
	ctxExternalID         = "externalId"
	ctxScannerAccount     = "scannerAccount"
	ctxScannerRegion      = "scannerRegion"
	ctxOrganizationID     = "organizationId"
	ctxEventWindow        = "eventWindow"
	ctxDigestSchedule     = "digestSchedule"
	ctxSecurityHub        = "securityHub"
)

// Defaults of the context options. The README's context table repeats them.
const (
	defaultSchedule         = "rate(12 hours)"
	defaultRemovalPolicy    = removalRetain
	defaultNotifyResolved   = true
	defaultLogRetentionDays = 30
	// defaultLambdaAssets is where `make build-lambdas` puts <function>/bootstrap.
	defaultLambdaAssets = "bin/lambda"
	// defaultEventWindow is how long the orchestrator coalesces the
	// CloudTrail events of one (account, region, check) into one re-check:
	// the orchestrator's own default.
	defaultEventWindow = pipeline.DefaultEventWindow
	// defaultDigestSchedule sends the weekly digest on Mondays at 08:00 UTC
	// (EventBridge cron: minutes hours day-of-month month day-of-week year,
	// one of the two days being "?").
	defaultDigestSchedule = "cron(0 8 ? * MON *)"
	// digestOff is the digestSchedule value that turns the digest off.
	digestOff = "off"
)

// Table removal policies accepted by ctxTableRemovalPolicy.
const (
	removalRetain  = "retain"
	removalDestroy = "destroy"
)

// Bounds of the numeric options, as Lambda and CloudWatch Logs accept them.
const (
	minCheckConcurrency = 2    // SQS event source MaximumConcurrency minimum
	maxCheckConcurrency = 1000 // and maximum
	// The re-check job is sent with SQS DelaySeconds = the window: whole
	// seconds, at most 900 (SQS's maximum delay).
	minEventWindow = time.Second
	maxEventWindow = 15 * time.Minute
)

// logRetention maps the retentions CloudWatch Logs accepts, in days, to the CDK's names.
var logRetention = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// Config is everything the stack is built from: the context options and
// the check catalog.
type Config struct {
	// AlertEmail, when set, subscribes to the alert topic (red findings).
	AlertEmail string
	// OpsEmail, when set, subscribes to the operations topic (alarms);
	// defaults to AlertEmail.
	OpsEmail string
	// Schedule is the EventBridge schedule expression of the full scan.
	Schedule string
	// Regions limits the scan; empty scans every enabled region.
	Regions []string
	// TableRemovalPolicy is removalRetain or removalDestroy.
	TableRemovalPolicy string
	// NotifyResolved also alerts when a red finding stops being red.
	NotifyResolved bool
	// LogRetentionDays is the retention of every function's log group.
	LogRetentionDays int
	// CheckConcurrency, when set, is every check function's SQS maximum
	// concurrency; when zero each check gets its share of the account's
	// concurrency (pipeline.CheckConcurrencyOf).
	CheckConcurrency int
	// LambdaAssets is the folder holding <function>/bootstrap.
	LambdaAssets string
	// Accounts is what the scanner stack scans, as the orchestrator reads
	// it from pipeline.EnvAccounts: "" for the stack's own account,
	// pipeline.AccountsOrg for every active account of the organization, or
	// comma-separated account IDs.
	Accounts string
	// MemberRoleName is the role the check functions assume in the other
	// accounts, and the role the member stack creates.
	MemberRoleName string
	// ExternalID, when set, is passed when assuming the member role and
	// required by the member role's trust policy.
	ExternalID string
	// ScannerAccount is the account the scanner stack runs in: the only
	// account the member role trusts, and the account whose default event
	// bus the forwarders send CloudTrail events to. The member and events
	// stacks are synthesized only when it is set.
	ScannerAccount string
	// ScannerRegion is the region the scanner stack runs in, where the
	// forwarders send CloudTrail events; required with ScannerAccount.
	ScannerRegion string
	// OrganizationID admits the organization's accounts to the scanner's
	// default event bus (aws:PrincipalOrgID); required with Accounts "org".
	OrganizationID string
	// EventWindow is the orchestrator's re-check window (pipeline.EnvEventWindow).
	EventWindow time.Duration
	// DigestSchedule is the EventBridge schedule expression of the weekly
	// digest; empty when the digest is off (the function is deployed all
	// the same, to be invoked by hand).
	DigestSchedule string
	// SecurityHub deploys the function that imports every change of a
	// finding of the stack's account into its Security Hub (off by default:
	// Security Hub must be enabled in the account and region first).
	SecurityHub bool
	// Checks is the catalog the stack is built from (checks.All()).
	Checks []check.Check
}

// DefaultConfig is the configuration when no context option is given.
func DefaultConfig() Config {
	return Config{
		Schedule:           defaultSchedule,
		TableRemovalPolicy: defaultRemovalPolicy,
		NotifyResolved:     defaultNotifyResolved,
		LogRetentionDays:   defaultLogRetentionDays,
		LambdaAssets:       defaultLambdaAssets,
		MemberRoleName:     org.DefaultRoleName,
		EventWindow:        defaultEventWindow,
		DigestSchedule:     defaultDigestSchedule,
		Checks:             checks.All(),
	}
}

// ScansOtherAccounts reports whether the scanner reaches accounts other
// than its own, through the member role.
func (c Config) ScansOtherAccounts() bool { return c.Accounts != "" }

// ScansOrganization reports whether the scanner lists the organization's accounts.
func (c Config) ScansOrganization() bool { return c.Accounts == pipeline.AccountsOrg }

// roleNamePattern is what IAM accepts as a role name (CreateRole's RoleName).
var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// externalIDPattern is the characters STS accepts in an external ID
// (AssumeRole's ExternalId), 2 to 1224 of them (the length is checked apart:
// Go's regexp repeats at most 1000 times).
var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// Bounds of an external ID's length.
const (
	minExternalIDLength = 2
	maxExternalIDLength = 1224
)

// regionPattern is the shape of an AWS region name (us-east-1, us-gov-west-1, eu-isoe-west-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

// organizationIDPattern is an AWS Organizations organization ID (Organization.Id).
var organizationIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// scheduleExpression is the shape of an EventBridge schedule: rate(…) or cron(…).
var scheduleExpression = regexp.MustCompile(`^(rate|cron)\(.+\)$`)

// ConfigFromContext reads the context options through lookup (a construct
// node's TryGetContext: nil when unset; a string from `-c key=value`; a
// string, bool, number or list from cdk.json) and validates them.
func ConfigFromContext(lookup func(key string) any) (Config, error) {
	cfg := DefaultConfig()
	var errs []string
	fail := func(key string, err error) { errs = append(errs, fmt.Sprintf("context %s: %v", key, err)) }

	// The readers record a malformed value as a failure of its key; ok is
	// true when the key holds a well-formed value.
	str := func(key string) (string, bool) {
		v, ok, err := contextString(lookup(key))
		if err != nil {
			fail(key, err)
		}
		return v, ok
	}
	boolean := func(key string) (bool, bool) {
		v, ok, err := contextBool(lookup(key))
		if err != nil {
			fail(key, err)
		}
		return v, ok
	}
	integer := func(key string) (int, bool) {
		v, ok, err := contextInt(lookup(key))
		if err != nil {
			fail(key, err)
		}
		return v, ok
	}
	// list's ok is false only for a malformed value: an unset key is an
	// empty list.
	list := func(key string) ([]string, bool) {
		v, err := contextList(lookup(key))
		if err != nil {
			fail(key, err)
		}
		return v, err == nil
	}
	// validated sets *dst to key's value when it is set, failing the key
	// unless accepts(value); want says what the value should be.
	validated := func(key string, accepts func(string) bool, want string, dst *string) {
		if v, ok := str(key); ok {
			if !accepts(v) {
				fail(key, fmt.Errorf("%q is not %s", v, want))
			}
			*dst = v
		}
	}

	if v, ok := str(ctxAlertEmail); ok {
		cfg.AlertEmail = v
	}
	cfg.OpsEmail = cfg.AlertEmail
	if v, ok := str(ctxOpsEmail); ok {
		cfg.OpsEmail = v
	}
	for _, e := range []struct{ key, addr string }{{ctxAlertEmail, cfg.AlertEmail}, {ctxOpsEmail, cfg.OpsEmail}} {
		if e.addr == "" {
			continue
		}
		if a, err := mail.ParseAddress(e.addr); err != nil || a.Address != e.addr {
			fail(e.key, fmt.Errorf("%q is not a plain email address", e.addr))
		}
	}

	validated(ctxSchedule, scheduleExpression.MatchString,
		"an EventBridge schedule expression such as rate(12 hours) or cron(0 6 * * ? *)", &cfg.Schedule)

	if v, ok := list(ctxRegions); ok {
		for _, r := range v {
			if !regionPattern.MatchString(r) {
				fail(ctxRegions, fmt.Errorf("%q is not a region name", r))
			}
		}
		cfg.Regions = v
	}

	if v, ok := str(ctxTableRemovalPolicy); ok {
		v = strings.ToLower(v)
		if v != removalRetain && v != removalDestroy {
			fail(ctxTableRemovalPolicy, fmt.Errorf("%q is neither %s nor %s", v, removalRetain, removalDestroy))
		}
		cfg.TableRemovalPolicy = v
	}

	if v, ok := boolean(ctxNotifyResolved); ok {
		cfg.NotifyResolved = v
	}

	if v, ok := integer(ctxLogRetentionDays); ok {
		if _, ok := logRetention[v]; !ok {
			fail(ctxLogRetentionDays, fmt.Errorf("%d is not a CloudWatch Logs retention (one of %v)", v, slices.Sorted(maps.Keys(logRetention))))
		}
		cfg.LogRetentionDays = v
	}

	if v, ok := integer(ctxCheckConcurrency); ok {
		if v < minCheckConcurrency || v > maxCheckConcurrency {
			fail(ctxCheckConcurrency, fmt.Errorf("%d is outside %d..%d (the SQS event source's maximum concurrency range)", v, minCheckConcurrency, maxCheckConcurrency))
		}
		cfg.CheckConcurrency = v
	}

	if v, ok := str(ctxLambdaAssets); ok {
		cfg.LambdaAssets = v
	}

	if v, ok := list(ctxAccounts); ok {
		if accounts, err := parseAccounts(v); err != nil {
			fail(ctxAccounts, err)
		} else {
			cfg.Accounts = accounts
		}
	}

	validated(ctxMemberRoleName, roleNamePattern.MatchString,
		"an IAM role name (1 to 64 letters, digits and +=,.@_-)", &cfg.MemberRoleName)
	validated(ctxExternalID, func(v string) bool {
		return externalIDPattern.MatchString(v) && len(v) >= minExternalIDLength && len(v) <= maxExternalIDLength
	}, "an external ID (2 to 1224 letters, digits and +=,.@:/_-)", &cfg.ExternalID)
	validated(ctxScannerAccount, org.IsAccountID, "a 12-digit account ID", &cfg.ScannerAccount)
	validated(ctxScannerRegion, regionPattern.MatchString, "a region name", &cfg.ScannerRegion)
	// The forwarders need both: they send to the default bus of the
	// scanner account in the scanner's region.
	if (cfg.ScannerAccount == "") != (cfg.ScannerRegion == "") {
		fail(ctxScannerRegion, fmt.Errorf("give %s and %s together (the account and region of the scanner stack, where the %s stack forwards CloudTrail events)",
			ctxScannerAccount, ctxScannerRegion, eventsStackName))
	}

	validated(ctxOrganizationID, organizationIDPattern.MatchString,
		"an organization ID (o- and 10 to 32 lowercase letters or digits)", &cfg.OrganizationID)
	switch {
	case cfg.ScansOrganization() && cfg.OrganizationID == "":
		fail(ctxOrganizationID, fmt.Errorf("required with %s=%s: the scanner's event bus admits the forwarded CloudTrail events of this organization only "+
			"(aws organizations describe-organization --query Organization.Id)", ctxAccounts, pipeline.AccountsOrg))
	case !cfg.ScansOrganization() && cfg.OrganizationID != "":
		fail(ctxOrganizationID, fmt.Errorf("only with %s=%s (a list of accounts admits those accounts)", ctxAccounts, pipeline.AccountsOrg))
	}

	if v, ok := str(ctxEventWindow); ok {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			fail(ctxEventWindow, fmt.Errorf("%q is not a duration such as 60s or 2m", v))
		case d < minEventWindow || d > maxEventWindow || d%time.Second != 0:
			fail(ctxEventWindow, fmt.Errorf("%q is not whole seconds from %v to %v (the re-check job's SQS delay)", v, minEventWindow, maxEventWindow))
		default:
			cfg.EventWindow = d
		}
	}

	if v, ok := str(ctxDigestSchedule); ok {
		switch {
		case strings.EqualFold(v, digestOff):
			cfg.DigestSchedule = ""
		case !scheduleExpression.MatchString(v):
			fail(ctxDigestSchedule, fmt.Errorf("%q is neither %s nor an EventBridge schedule expression such as %s or rate(7 days)", v, digestOff, defaultDigestSchedule))
		default:
			cfg.DigestSchedule = v
		}
	}

	if v, ok := boolean(ctxSecurityHub); ok {
		cfg.SecurityHub = v
	}

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return cfg, nil
}

// parseAccounts turns the accounts option into pipeline.EnvAccounts' value:
// nothing (the own account), "org" alone, or 12-digit account IDs.
func parseAccounts(list []string) (string, error) {
	if len(list) == 1 && strings.EqualFold(list[0], pipeline.AccountsOrg) {
		return pipeline.AccountsOrg, nil
	}
	var bad []string
	for _, a := range list {
		if !org.IsAccountID(a) {
			bad = append(bad, strconv.Quote(a))
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("%s: want %q alone or a comma-separated list of 12-digit account IDs", strings.Join(bad, ", "), pipeline.AccountsOrg)
	}
	return strings.Join(list, ","), nil
}

func contextString(v any) (string, bool, error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		v = strings.TrimSpace(v)
		return v, v != "", nil
	}
	return "", false, fmt.Errorf("%v (%T) is not a string", v, v)
}

// contextList accepts a list (cdk.json) or a comma-separated string (-c).
func contextList(v any) ([]string, error) {
	var parts []string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		parts = strings.Split(v, ",")
	case []any:
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return nil, fmt.Errorf("%v (%T) is not a string", p, p)
			}
			parts = append(parts, s)
		}
	default:
		return nil, fmt.Errorf("%v (%T) is neither a list nor a comma-separated string", v, v)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func contextBool(v any) (bool, bool, error) {
	switch v := v.(type) {
	case nil:
		return false, false, nil
	case bool:
		return v, true, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return false, false, fmt.Errorf("%q is not true or false", v)
		}
		return b, true, nil
	}
	return false, false, fmt.Errorf("%v (%T) is not a boolean", v, v)
}

func contextInt(v any) (int, bool, error) {
	switch v := v.(type) {
	case nil:
		return 0, false, nil
	case float64: // JSON numbers from cdk.json
		if v != float64(int(v)) {
			return 0, false, fmt.Errorf("%v is not a whole number", v)
		}
		return int(v), true, nil
	case int:
		return v, true, nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, false, fmt.Errorf("%q is not a whole number", v)
		}
		return n, true, nil
	}
	return 0, false, fmt.Errorf("%v (%T) is not a number", v, v)
}

// concurrencyOf is the SQS event source MaximumConcurrency of the check slug.
func (c Config) concurrencyOf(slug string) int {
	if c.CheckConcurrency > 0 {
		return c.CheckConcurrency
	}
	return pipeline.CheckConcurrencyOf(slug)
}
